"""Throughput of the ingest flow on a corpus built from examples/: prints articles per second and stage seconds.

    .venv/bin/python benchmarks/ingest_examples.py [--copies 40] [--batch-size 500]

Each copy of the examples gets its own file names and one sentence of its own in every article, so it is
ingested as new articles (mostly near-duplicates of the other copies, which exercises dedup). The figure that
matters is ``flow articles/s``: Prefect's start-up (ephemeral server, imports) is printed apart.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def build_corpus(target: Path, copies: int) -> int:
    """Copy the readable example files ``copies`` times with a distinct sentence each; return the file count."""
    from tasks.read import decode_bytes

    count = 0
    for site in sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir()):
        for path in sorted(site.glob("*.txt")):
            text, _ = decode_bytes(path.read_bytes())
            for copy in range(copies):
                out = target / site.name / f"{copy:04d}-{path.name}"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text.replace("\n\n", f"\n\nEdition {copy} of the morning report.\n\n", 1),
                               encoding="utf-8")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    try:
        files = build_corpus(work / "corpus", args.copies)
        started = time.perf_counter()
        from flows.ingest import ingest
        imported = time.perf_counter() - started
        sources = [str(p) for p in sorted((work / "corpus").iterdir())]
        for label in ("first run", "second run (unchanged input)"):
            clock = time.perf_counter()
            summary = ingest(sources=sources, warehouse=str(work / "w.duckdb"), batch_size=args.batch_size)
            wall = time.perf_counter() - clock
            print(f"{label}: {files} files, {summary['articles']} articles, {summary['new_articles']} new, "
                  f"{summary['duplicates']} duplicates")
            print(f"  flow seconds {summary['seconds']:.2f} -> {summary['articles'] / summary['seconds']:.0f} "
                  f"flow articles/s; wall {wall:.2f} s (Prefect run set-up included)")
            print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in summary["stage_seconds"].items()))
        print(f"importing the flow (Prefect included): {imported:.2f} s; cpus: {os.cpu_count()}, "
              f"load average: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
