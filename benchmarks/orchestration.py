"""Prefect's cost per run and per batch, and the same ingest on the default runner and on Dask (2 workers).

    .venv/bin/python benchmarks/orchestration.py [--copies 40]

Runs against PREFECT_API_URL when it is set, otherwise starts `prefect server start` on 127.0.0.1 (a free
port) for the measurement, as scheduled runs would use one. The corpus is examples/ copied --copies times
(see benchmarks/ingest_examples.py).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    from flows.server import start_server as start

    server, url, seconds = start(env={"PREFECT_HOME": str(home)})
    print(f"prefect server answered its health check after {seconds:.1f} s")
    return server, url


def timed_ingest(flow, sources, warehouse, **kwargs) -> tuple[float, dict]:
    started = time.perf_counter()
    summary = flow(sources=sources, warehouse=str(warehouse), **kwargs)
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsflow-orchestration-"))
    server = None
    try:
        if not os.environ.get("PREFECT_API_URL"):
            server, url = start_server(work / "prefect-home")
            os.environ["PREFECT_API_URL"] = url
        from ingest_examples import build_corpus

        files = build_corpus(work / "corpus", args.copies)
        sources = [str(p) for p in sorted((work / "corpus").iterdir())]
        tiny = [str(ROOT / "examples" / "sud-matin")]
        from flows.ingest import ingest

        timed_ingest(ingest, tiny, work / "warm.duckdb")  # imports, first client connection
        wall, summary = timed_ingest(ingest, tiny, work / "tiny.duckdb")
        print(f"per run: a 3-article ingest took {wall:.2f} s wall, of which the flow's own work "
              f"{summary['seconds']:.2f} s -> Prefect run overhead about {wall - summary['seconds']:.2f} s")
        big, small = 500, 20
        wall_big, s_big = timed_ingest(ingest, sources, work / "big.duckdb", batch_size=big)
        wall_small, s_small = timed_ingest(ingest, sources, work / "small.duckdb", batch_size=small)
        batches_big, batches_small = -(-files // big), -(-files // small)
        per_batch = (wall_small - wall_big) / (batches_small - batches_big)
        print(f"per batch: {files} files in {batches_big} batches {wall_big:.2f} s, in {batches_small} batches "
              f"{wall_small:.2f} s -> about {per_batch * 1000:.0f} ms per batch (5 task runs) of Prefect overhead")
        from prefect_dask import DaskTaskRunner

        runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True})
        wall_dask, s_dask = timed_ingest(ingest.with_options(task_runner=runner), sources, work / "dask.duckdb",
                                         parallel=2)
        print(f"same ingest ({files} files, batch {big}): default runner {wall_big:.2f} s wall; Dask LocalCluster "
              f"with 2 worker processes {wall_dask:.2f} s wall (cluster start-up included); stages default "
              f"{s_big['stage_seconds']} / dask {s_dask['stage_seconds']}")
        print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
