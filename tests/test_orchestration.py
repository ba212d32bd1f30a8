"""Scheduled and triggered runs through a Prefect server, safe concurrency, typed errors, backfill, Dask."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import EXAMPLES, NEWSFLOW, query, table_snapshot

TIMEOUT = 240  # seconds for a served run to appear and finish on a busy 2-core machine


def deployments_file(tmp_path, warehouse, name: str, interval_deployment: bool = False) -> str:
    """Write a prefect.yaml for the test: a manual ingest and, if asked, one on a 5-second interval.

    Each test names its deployments apart: the server outlives a test, and a deployment of the same name
    would already exist (with another warehouse) when the next test's serve starts.
    """
    text = f"""deployments:
  - name: {name}
    entrypoint: flows/ingest.py:ingest
    parameters:
      warehouse: {warehouse}
"""
    if interval_deployment:
        text += f"""  - name: {name}-tick
    entrypoint: flows/ingest.py:ingest
    parameters:
      warehouse: {warehouse}
      sources: ["{EXAMPLES / 'sud-matin'}"]
    schedules:
      - interval: 5
        timezone: Europe/Berlin
"""
    path = tmp_path / "prefect.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def start_serve(prefect_api_url, path, deployment):
    """Start `newsflow serve` and wait until the server knows its deployments."""
    from prefect.exceptions import ObjectNotFound

    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    process = subprocess.Popen([str(NEWSFLOW), "serve", "--file", path], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)

    def registered():
        with client_for(prefect_api_url) as client:
            try:
                return client.read_deployment_by_name(deployment)
            except ObjectNotFound:
                assert process.poll() is None, "newsflow serve exited:\n" + process.stdout.read()
                return None

    wait_for(registered, f"newsflow serve to register {deployment}")
    return process


def stop_serve(process) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError("newsflow serve did not stop on SIGTERM:\n" + output)
    return output


def client_for(url):
    from prefect.client.orchestration import SyncPrefectClient

    return SyncPrefectClient(url)


def flow_runs_of(url: str, deployment_name: str) -> list:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    with client_for(url) as client:
        return client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(
            any_=[deployment_name])))


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}")


def trigger(prefect_api_url, path, name, *params, wait=True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url}
    return subprocess.run([str(NEWSFLOW), "trigger", name, "--file", path, *[f"--param={p}" for p in params]]
                          + (["--wait"] if wait else []), env=env, capture_output=True, text=True, timeout=TIMEOUT)


def test_served_deployments_run_on_schedule_and_on_trigger_with_artifacts(prefect_server_url, tmp_path):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    prefect_api_url = prefect_server_url
    warehouse = tmp_path / "w.duckdb"
    path = deployments_file(tmp_path, warehouse, "served", interval_deployment=True)
    serve = start_serve(prefect_api_url, path, "ingest/served")
    try:
        done = trigger(prefect_api_url, path, "served", f'sources=["{EXAMPLES / "kyiv-ledger"}"]', "name=ledger")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Completed" in done.stdout and "nothing is serving" not in done.stderr
        assert query(warehouse, "SELECT count(*) FROM articles JOIN sources s USING (source_id) "
                                "WHERE s.name = 'ledger'") == [(6,)]  # the trigger's parameters were used
        (manual_run,) = flow_runs_of(prefect_api_url, "served")
        with client_for(prefect_api_url) as client:
            artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[manual_run.id])))
        by_key = {a.key: a for a in artifacts}
        assert {"newsflow-run-summary", "newsflow-run-report"} <= set(by_key)
        assert "**6** new" in by_key["newsflow-run-report"].data
        # the interval deployment produces a run by itself
        wait_for(lambda: [r for r in flow_runs_of(prefect_api_url, "served-tick") if r.state and r.state.is_completed()],
                 "a scheduled run of the tick deployment")
        assert query(warehouse, "SELECT count(*) FROM articles a JOIN sources s USING (source_id) "
                                "WHERE s.name = 'sud-matin'") == [(3,)]
    finally:
        output = stop_serve(serve)
    assert serve.returncode == 0 and "stopped" in output


def test_two_runs_at_once_over_overlapping_sources_both_complete_without_duplicates(prefect_server_url, tmp_path):
    prefect_api_url = prefect_server_url
    warehouse = tmp_path / "w.duckdb"
    path = deployments_file(tmp_path, warehouse, "concurrent")
    serve = start_serve(prefect_api_url, path, "ingest/concurrent")
    try:
        sites = [str(EXAMPLES / name) for name in ("kyiv-ledger", "rhein-post", "sud-matin")]
        first = subprocess.Popen([str(NEWSFLOW), "trigger", "concurrent", "--file", path, "--wait",
                                  f'--param=sources=["{sites[0]}", "{sites[1]}"]'],
                                 env={**os.environ, "PREFECT_API_URL": prefect_api_url},
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        second = trigger(prefect_api_url, path, "concurrent", f'sources=["{sites[1]}", "{sites[2]}"]')
        first_output, _ = first.communicate(timeout=TIMEOUT)
    finally:
        stop_serve(serve)
    assert first.returncode == 0 and "Completed" in first_output, first_output
    assert second.returncode == 0 and "Completed" in second.stdout, second.stdout + second.stderr
    assert query(warehouse, "SELECT count(*), count(DISTINCT article_id) FROM articles") == [(14, 14)]
    assert query(warehouse, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == [(2,)]
    for table, key in (("duplicates", "article_id"), ("rejects", "reject_id"), ("article_signatures", "article_id")):
        assert query(warehouse, f"SELECT count(*) = count(DISTINCT {key}) FROM {table}") == [(True,)], table


def test_transient_failures_are_retried_and_terminal_ones_are_not():
    from prefect.states import Failed

    from flows.stages import is_transient
    from tasks.errors import TerminalError
    from warehouse.connection import SchemaMismatch, WarehouseBusy

    assert is_transient(None, None, Failed(data=WarehouseBusy("busy")))
    assert not is_transient(None, None, Failed(data=TerminalError("bad config")))
    assert not is_transient(None, None, Failed(data=SchemaMismatch("newer schema")))


def test_a_bad_configuration_fails_the_run_at_once_with_a_readable_message(newsflow, tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "x"\nkind = "carrier-pigeon"\nlocation = "loft"\n', encoding="utf-8")
    failed = newsflow("run", "--config", str(config), "--warehouse", str(tmp_path / "w.duckdb"), check=False)
    assert failed.returncode == 1
    assert "TerminalError: bad configuration" in failed.stderr and "carrier-pigeon" not in failed.stdout


def test_a_newer_warehouse_schema_is_refused(tmp_path):
    import duckdb

    from warehouse.connection import SchemaMismatch, connect

    connect(tmp_path / "w.duckdb").close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
    con.close()
    with pytest.raises(SchemaMismatch, match="999"):
        connect(tmp_path / "w.duckdb")


def test_sql_during_a_load_says_busy_then_answers(newsflow, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(warehouse))
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); "
                               "print('held', flush=True); time.sleep(4)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        answer = newsflow("sql", "SELECT count(*) AS n FROM articles", "--warehouse", str(warehouse), "--format", "csv")
    finally:
        holder.wait()
    assert "busy" in answer.stderr and "retrying" in answer.stderr and "Traceback" not in answer.stderr
    assert answer.stdout.splitlines() == ["n", "6"]


def write_warc(path, pages):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, title, paragraph in pages:
            html = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{paragraph}</p>"
                    f"<p>{paragraph} This second paragraph repeats it for length.</p></article></body></html>")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                                          http_headers=headers))


def test_a_backfill_killed_midway_does_only_the_missing_work_when_run_again(newsflow, tmp_path):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    days = {"20240501": "Ferry", "20240502": "Library", "20240503": "Market", "20240610": "Outside the window"}
    for day, subject in days.items():
        write_warc(crawl / f"CC-NEWS-{day}120000-00001.warc.gz",
                   [(f"https://news.example/{day}/{i}", f"{subject} story {i}",
                     f"The {subject.lower()} in Westmere changed its opening hours on day {day} number {i}, the "
                     f"council said, after months of complaints from residents about queues.") for i in range(3)])
    warehouse = tmp_path / "w.duckdb"
    args = ["backfill", "--start", "2024-05-01", "--end", "2024-05-31", "--warc-dir", str(crawl),
            "--warehouse", str(warehouse)]
    killed = newsflow(*args, env={"NEWSFLOW_TEST_KILL_BEFORE_COMMIT": "2"}, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert query(warehouse, "SELECT count(*) FROM backfill_items") == [(1,)]
    assert query(warehouse, "SELECT count(*) FROM articles") == [(3,)]
    again = newsflow(*args)
    assert '"skipped": 1' in again.stdout and '"done": 2' in again.stdout
    assert query(warehouse, "SELECT count(*) FROM articles") == [(9,)]
    assert query(warehouse, "SELECT count(*) FROM backfill_items") == [(3,)]
    before = table_snapshot(warehouse)
    third = newsflow(*args)
    assert '"skipped": 3' in third.stdout
    assert table_snapshot(warehouse)["articles"] == before["articles"]


def test_dask_workers_give_the_same_articles_as_the_default_runner(prefect_api_url, tmp_path):
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest

    sources = sorted(str(p) for p in EXAMPLES.iterdir() if p.is_dir())
    ingest(sources=sources, warehouse=str(tmp_path / "default.duckdb"))
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})
    ingest.with_options(task_runner=runner)(sources=sources, warehouse=str(tmp_path / "dask.duckdb"), parallel=2)
    sql = ("SELECT article_id, title, body, language, content_hash, published_at FROM articles ORDER BY 1")
    assert query(tmp_path / "dask.duckdb", sql) == query(tmp_path / "default.duckdb", sql)
    duplicates = "SELECT article_id, duplicate_of, method FROM duplicates ORDER BY 1"
    assert query(tmp_path / "dask.duckdb", duplicates) == query(tmp_path / "default.duckdb", duplicates)


def test_newsflow_server_is_found_by_later_commands_and_stops_cleanly(tmp_path):
    from flows.server import free_port

    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PREFECT_HOME"] = str(home)
    port = free_port()
    server = subprocess.Popen([str(NEWSFLOW), "server", "--port", str(port), "--no-ui"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    state = home / "newsflow-server.json"
    try:
        deadline = time.monotonic() + TIMEOUT
        while not state.exists():
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "newsflow server did not come up"
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/api"
        warehouse = tmp_path / "w.duckdb"
        run = subprocess.run([str(NEWSFLOW), "run", str(EXAMPLES / "sud-matin"), "--warehouse", str(warehouse)],
                             env=env, capture_output=True, text=True, timeout=TIMEOUT)
        assert run.returncode == 0, run.stderr
        assert f"using the Prefect server at {url}" in run.stderr and "new         3" in run.stdout
        # the run is recorded by that server, finished
        import httpx

        runs = httpx.post(f"{url}/flow_runs/filter", json={}, timeout=10).json()
        assert [(r["flow_id"] is not None, r["state_type"]) for r in runs] == [(True, "COMPLETED")]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert not state.exists()  # later commands no longer look for it
    finally:
        if server.poll() is None:
            server.kill()


def test_temporary_servers_on_one_prefect_home_start_one_at_a_time(tmp_path, monkeypatch):
    """Two bare runs on a fresh PREFECT_HOME: the second starts its server once the first has set up the database."""
    import threading

    from flows import server

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    launched: list[str] = []

    class FakeProcess:
        returncode = None

        def poll(self):
            return None

        def terminate(self):
            pass

        def wait(self, timeout=None):
            return 0

    monkeypatch.setenv("PREFECT_API_URL", os.environ.get("PREFECT_API_URL", ""))  # each server sets it
    monkeypatch.setattr(server.subprocess, "Popen", lambda *a, **k: launched.append("server") or FakeProcess())
    monkeypatch.setattr(server, "wait_until_healthy", lambda *a: True)
    first = server.TemporaryServer()  # launched; holds the start-up lock until its server answers
    second_ready = threading.Event()
    thread = threading.Thread(target=lambda: (server.TemporaryServer().wait(), second_ready.set()), daemon=True)
    thread.start()
    assert not second_ready.wait(0.5) and launched == ["server"]  # the second waits for the first
    first.wait()  # the first server answers: its database is set up
    thread.join(30)
    assert second_ready.is_set() and launched == ["server", "server"]


def test_a_trigger_says_when_nothing_serves_the_deployment_and_needs_a_lasting_server(prefect_server_url, tmp_path):
    path = deployments_file(tmp_path, tmp_path / "w.duckdb", "unserved")
    env = {**os.environ, "PREFECT_API_URL": prefect_server_url}
    deployed = subprocess.run([str(NEWSFLOW), "deploy", "--file", path, "--work-pool", "unserved-pool"], env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    # one line says what to start; Prefect's own work-pool advice is not printed once per deployment
    assert "Looks like you're deploying" not in deployed.stdout + deployed.stderr
    assert "start a worker with `prefect worker start --pool unserved-pool`" in deployed.stdout
    done = trigger(prefect_server_url, path, "unserved", wait=False)  # registered, but no worker polls its pool
    assert done.returncode == 0 and "Scheduled" in done.stdout
    assert "nothing is serving ingest/unserved" in done.stderr
    # without any lasting server a trigger would go to a temporary one that ends with the command
    bare = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL") and k != "PREFECT_PROFILE"}
    lonely = subprocess.run([str(NEWSFLOW), "trigger", "unserved", "--file", path],
                            env={**bare, "PREFECT_HOME": str(tmp_path / "empty-home")}, capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert lonely.returncode == 2 and "needs a Prefect server that outlives this command" in lonely.stderr
