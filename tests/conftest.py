"""Shared fixtures: paths, the ../shared materials, a Prefect test server, and a CLI runner."""
from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples"
NEWSFLOW = Path(sys.executable).with_name("newsflow")

# Prefect keeps its database under PREFECT_HOME: never the user's, and no telemetry from tests.
# (Worker processes that import a test module inherit the session's through the environment.)
if multiprocessing.parent_process() is None:
    _PREFECT_HOME = tempfile.mkdtemp(prefix="newsflow-prefect-")
    atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
    os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

requires_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"../shared/seeds not found at {SEEDS}: "
                                    "the seed golden tests need the shared materials beside the project")


@pytest.fixture(scope="session")
def prefect_api_url():
    """Start one Prefect test server for the session and return its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


@pytest.fixture(scope="session")
def prefect_server_url(tmp_path_factory):
    """Start a real `prefect server start` (scheduler included) on 127.0.0.1 and a free port; return its API URL."""
    from flows.server import start_server

    home = tmp_path_factory.mktemp("prefect-server-home")
    server, url, _ = start_server(env={"PREFECT_HOME": str(home)}, timeout=240)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def newsflow(prefect_api_url, tmp_path):
    """Run the ``newsflow`` command against the session's Prefect server; return the finished process."""

    def run(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "PREFECT_API_URL": prefect_api_url, **(env or {})}
        full_env.pop("NEWSFLOW_WAREHOUSE", None)
        done = subprocess.run([str(NEWSFLOW), *args], capture_output=True, text=True, env=full_env,
                              cwd=tmp_path, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"newsflow {' '.join(args)} exited {done.returncode}\n"
                                 f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
        return done

    return run


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Read from a warehouse file with a short read-only connection.

    A scheduled run of a served deployment may be loading at that moment: the read waits for its lock (as
    `newsflow sql` does) instead of failing the test on how the two happened to overlap.
    """
    import time

    import duckdb

    for attempt in range(600):
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt == 599:
                raise
            time.sleep(0.1)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_snapshot(warehouse: Path) -> dict[str, list]:
    """Return every row of every table (sorted), to compare a warehouse before and after."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()]
        return {t: sorted(map(lambda row: json.dumps(row, default=str), con.execute(f"SELECT * FROM {t}").fetchall()))
                for t in sorted(tables)}
    finally:
        con.close()
