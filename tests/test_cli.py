"""The command line tells the truth: exit status, one clear line for expected errors, caps that name their setting."""
from __future__ import annotations

import json
import subprocess

from .conftest import NEWSFLOW, query


def test_version_and_a_missing_input_exit_without_creating_a_warehouse(newsflow, tmp_path):
    assert newsflow("--version").stdout.startswith("newsflow ")
    done = newsflow("run", str(tmp_path / "no-such-folder"), "--warehouse", str(tmp_path / "w.duckdb"), check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == f"newsflow: no such file or directory: {tmp_path / 'no-such-folder'}"
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "data").exists()


def test_a_file_over_the_cap_is_rejected_naming_the_setting_and_read_once_the_cap_is_raised(newsflow, tmp_path):
    source = tmp_path / "export"
    source.mkdir()
    records = [{"url": f"https://wire.example/{i}", "title": f"Story {i}",
                "text": f"Story number {i} of the export, with enough words in it to be an article. " * 8}
               for i in range(200)]
    (source / "export.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    capped = newsflow("run", str(source), "--warehouse", str(warehouse),
                      env={"NEWSFLOW_READ__MAX_FILE_BYTES": "50000"}, check=False)
    assert capped.returncode == 1 and "nothing could be read" in capped.stderr
    [(reason, detail)] = query(warehouse, "SELECT reason, detail FROM rejects")
    assert reason == "too_large" and "read.max_file_bytes" in detail
    raised = newsflow("run", str(source), "--warehouse", str(warehouse))  # no --refresh needed
    assert "new         200" in raised.stdout


def test_sql_piped_into_a_reader_that_stops_early_ends_quietly(newsflow, tmp_path):
    from .conftest import EXAMPLES

    warehouse = tmp_path / "w.duckdb"
    newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(warehouse))
    reader = subprocess.Popen(f"{NEWSFLOW} sql 'SELECT * FROM range(200000)' --warehouse {warehouse} "
                              "--format csv | head -n 1", shell=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    out, err = reader.communicate(timeout=300)
    assert out.strip() == "range"
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_expected_errors_are_one_line_and_filters_that_name_nothing_are_errors(newsflow, tmp_path):
    from .conftest import EXAMPLES

    warehouse = tmp_path / "w.duckdb"
    newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(warehouse))
    for args, status, says in [
        (["search", "grain", "--since", "yesterday"], 2, "is not a day: write it as YYYY-MM-DD"),
        (["report", "--since", "last week"], 2, "is not a day"),
        (["search", "grain", "--source", "nosuch"], 2, "no source named 'nosuch'"),
        (["search", "grain", "--site", "nosuch.example"], 2, "no articles of a site named 'nosuch.example'"),
        (["reprocess", "--source", "nosuch"], 2, "no source named 'nosuch'"),
        (["boilerplate", "--source", "kyiv-ledger", "--keep", "a line nobody learned"], 2, "not a line kyiv-ledger"),
    ]:
        done = newsflow(*args, "--warehouse", str(warehouse), check=False)
        assert done.returncode == status, (args, done.stderr)
        assert says in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    # reprocess rebuilds downloaded pages; a warehouse of local files has none, and it says so instead of a run
    runs = query(warehouse, "SELECT count(*) FROM runs")
    done = newsflow("reprocess", "--warehouse", str(warehouse), check=False)
    assert done.returncode == 0 and "nothing to reprocess: the raw layer holds no downloaded page" in done.stderr
    assert query(warehouse, "SELECT count(*) FROM runs") == runs
    config = tmp_path / "newsflow-bad.toml"
    config.write_text('[dedup]\nmax_bucket = "lots"\n', encoding="utf-8")
    for args, env, says in [  # a setting that cannot be used: named with where it came from, before any run
        ([], {"NEWSFLOW_BATCH_SIZE": "abc"}, "setting batch_size must be a whole number, not 'abc' "
                                              "(from NEWSFLOW_BATCH_SIZE)"),
        (["--config", str(config)], {}, f"setting dedup.max_bucket must be a whole number, not 'lots' (in {config})"),
        ([], {"NEWSFLOW_DEDUP__MAX_BUCKETS": "8"}, "unknown setting(s) in [dedup]: max_buckets"),
    ]:
        done = newsflow("run", str(EXAMPLES / "kyiv-ledger"), *args, "--warehouse", str(warehouse), env=env,
                        check=False)
        assert done.returncode == 2 and says in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = newsflow("sql", "SELECT 1", "--warehouse", str(warehouse), env={"NEWSFLOW_LOAD_MEMORY": "a lot"},
                    check=False)  # every command reads the settings
    assert (done.returncode, done.stderr.strip()) == (2, "newsflow: setting load_memory must be a size such as "
                                                         "256MB, not 'a lot'")
    not_a_warehouse = tmp_path / "notes.duckdb"
    not_a_warehouse.write_text("these are my notes, not a database\n" * 50)
    done = newsflow("sql", "SELECT 1", "--warehouse", str(not_a_warehouse), check=False)
    assert done.returncode == 1 and "cannot be opened as a warehouse" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_table_output_marks_a_cut_value_and_export_never_mixes_with_an_earlier_one(newsflow, tmp_path):
    import duckdb

    from .conftest import EXAMPLES

    warehouse = tmp_path / "w.duckdb"
    newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(warehouse))
    table = newsflow("sql", "SELECT repeat('x', 80) AS long_value", "--warehouse", str(warehouse)).stdout
    assert "x" * 59 + "…" in table
    out = tmp_path / "export"
    (out / "articles" / "day=1999-01-01").mkdir(parents=True)
    (out / "articles" / "day=1999-01-01" / "stale.parquet").write_bytes(b"PAR1 stale")
    refused = newsflow("export", "--format", "parquet", "--out", str(out), "--warehouse", str(warehouse), check=False)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr
    newsflow("export", "--format", "parquet", "--out", str(out), "--warehouse", str(warehouse), "--overwrite")
    read_back = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/articles/**/*.parquet', "
                           "hive_partitioning = true)").fetchall()
    assert read_back == [(6,)]
    # the analysis views go along, as their rows are now
    assert duckdb.sql(f"SELECT sum(articles) FROM '{out}/views/site_activity.parquet'").fetchall() == [(6,)]
    report = tmp_path / "reports" / "today" / "report.html"
    newsflow("report", "--out", str(report), "--warehouse", str(warehouse), "--since", "2099-01-01")
    page = report.read_text(encoding="utf-8")  # --since counts everywhere, and an empty chart says so
    assert page.count("No data since 2099-01-01") == 8 and "0 articles from 0 publishers, since 2099-01-01" in page


def test_a_runs_progress_and_summary_reach_the_prefect_server_while_the_terminal_stays_quiet(newsflow, tmp_path,
                                                                                           prefect_api_url):
    import re
    import time
    from uuid import UUID

    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    from .conftest import EXAMPLES

    from flows.cli import PREFECT_DEFAULTS

    # what the CLI sets when the user's environment says nothing (the test session itself runs at WARNING)
    levels = {k: v for k, v in PREFECT_DEFAULTS.items() if k.startswith("PREFECT_LOGGING")}
    assert levels == {"PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}
    done = newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(tmp_path / "w.duckdb"), env=levels)
    assert " INFO " not in done.stderr and "| INFO" not in done.stderr  # Prefect's console lines stay off
    run_id = UUID(re.search(r"^run (\S+) into", done.stdout, re.M).group(1))
    messages: list[str] = []
    for _ in range(100):  # logs are shipped by a background worker; the run's process flushes it on exit
        with SyncPrefectClient(prefect_api_url) as client:
            messages = [log.message for log in client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))]
        if any(m.startswith("run summary") for m in messages):
            break
        time.sleep(0.2)
    assert any(m.startswith("batch 1: 6 read, 6 articles") for m in messages), messages
    assert any(m.startswith("run summary") for m in messages), messages


def test_sources_given_mean_those_sources_and_the_config_files_only_when_asked(prefect_api_url, tmp_path):
    """A run triggered with sources (a deployment whose parameters name sources.toml) reads those sources; the
    config file still gives its settings, and its [[sources]] come along only when asked."""
    from flows.ingest import ingest

    from .conftest import EXAMPLES

    config = tmp_path / "sources.toml"
    config.write_text(f'batch_size = 2\n[[sources]]\nname = "sud-matin"\nkind = "directory"\n'
                      f'location = "{EXAMPLES / "sud-matin"}"\n', encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    ingest(sources=[str(EXAMPLES / "kyiv-ledger")], name="ledger", config_file=str(config), warehouse=str(warehouse))
    assert query(warehouse, "SELECT s.name, count(*) FROM articles JOIN sources s USING (source_id) GROUP BY 1") == [
        ("ledger", 6)]
    assert query(warehouse, "SELECT count(*) FROM runs")[0][0] == 1
    ingest(config_file=str(config), warehouse=str(warehouse))  # no sources given: the file's
    ingest(sources=[str(EXAMPLES / "iberia-diario")], config_file=str(config), warehouse=str(warehouse),
           config_sources=True)
    names = dict(query(warehouse, "SELECT s.name, count(*) FROM articles JOIN sources s USING (source_id) GROUP BY 1"))
    assert names == {"ledger": 6, "sud-matin": 3, "iberia-diario": 3}


def test_a_dask_run_prints_its_summary_without_the_clusters_chatter(newsflow, tmp_path):
    from .conftest import EXAMPLES

    done = newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--runner", "dask", "--dask-workers", "2",
                    "--warehouse", str(tmp_path / "w.duckdb"))
    assert "articles    6" in done.stdout
    # the scheduler's and workers' INFO lines (distributed.scheduler, distributed.worker ...) stay out of sight
    assert "distributed." not in done.stderr and "INFO" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr
