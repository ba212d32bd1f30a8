"""The ingest flow: wires the stages of ``tasks/`` into coarse, batch-level Prefect tasks and loads once."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.settings import resolve_settings
from tasks.article import StageResult
from tasks.clean import SourceHistory, clean_articles, merge_histories, remember_lines
from tasks.config import CleanConfig, DedupConfig, LanguageConfig, ReadConfig, Settings
from tasks.dedup import sign_articles
from tasks.language import detect_article_languages
from tasks.parse import parse_documents
from tasks.read import plan_inputs, read_documents
from warehouse.connection import connect
from warehouse.load import fetch_source_history, load_run, stage_batch

KILL_BEFORE_COMMIT = "NEWSFLOW_TEST_KILL_BEFORE_COMMIT"  # crash-safety tests: die inside the load transaction


# Thin task wrappers: one call per batch, never per document. Results stay in memory (no caching).
@task(name="read", cache_policy=NO_CACHE)
def read_task(paths: list, config: ReadConfig) -> StageResult:
    return read_documents(paths, config)


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(docs: list) -> StageResult:
    return parse_documents(docs)


@task(name="clean", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def clean_task(articles: list, config: CleanConfig, warehouse: str, run_history: dict) -> StageResult:
    def fetch(lines: dict[str, set[str]]) -> dict[str, SourceHistory]:
        return merge_histories(read_history(warehouse, lines, config.learn_sample), run_history)

    result = clean_articles(articles, config, fetch)
    remember_lines(run_history, result.items, config)
    return result


def read_history(warehouse: str, lines: dict[str, set[str]], sample: int) -> dict[str, SourceHistory]:
    """Read what the warehouse knows of these lines, through a short read-only connection."""
    if not Path(warehouse).exists() or not lines:
        return {}
    con = connect(warehouse, read_only=True)
    try:
        return fetch_source_history(con, lines, sample)
    finally:
        con.close()


@task(name="language", cache_policy=NO_CACHE)
def language_task(articles: list, config: LanguageConfig) -> StageResult:
    return detect_article_languages(articles, config)


@task(name="signatures", cache_policy=NO_CACHE)
def signature_task(articles: list, config: DedupConfig) -> StageResult:
    return sign_articles(articles, config)


@task(name="load", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_task(warehouse: str, staging: str, run: dict, sources: dict, config: DedupConfig) -> dict:
    before_commit = _kill_self if os.environ.get(KILL_BEFORE_COMMIT) else None
    con = connect(warehouse, timeout=120)
    try:
        counts = load_run(con, Path(staging), run, sources, config, before_commit=before_commit)
    finally:
        con.close()
    return asdict(counts)


def _kill_self() -> None:
    os.kill(os.getpid(), 9)


def batched(items: list, size: int):
    """Yield consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def staging_root(warehouse: str) -> Path:
    """Return the directory where runs stage their batches, beside the warehouse file."""
    path = Path(warehouse)
    return path.parent / f".{path.stem}-staging"


def remove_stale_staging(root: Path) -> None:
    """Delete staging directories left by runs that died (their process is gone)."""
    if not root.exists():
        return
    for directory in root.iterdir():
        try:
            pid = int((directory / "owner.pid").read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            shutil.rmtree(directory, ignore_errors=True)


def say(message: str) -> None:
    """Show progress on stderr (Prefect's logger also records it on the flow run)."""
    print(message, file=sys.stderr, flush=True)


@flow(name="ingest", log_prints=False)
def ingest(sources: list[str], warehouse: str | None = None, name: str | None = None,
           batch_size: int | None = None, config_file: str | None = None, settings: dict | None = None) -> dict:
    """Ingest local sources (files or directories) into the DuckDB warehouse and return the run summary."""
    logger = get_run_logger()
    options = resolve_settings(config_file, {**(settings or {}), "warehouse": warehouse, "batch_size": batch_size})
    run_id = _current_run_id()
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    timings: Counter = Counter()

    pairs, rejects, source_meta = plan_inputs(sources, name)
    staging = staging_root(options.warehouse) / run_id
    remove_stale_staging(staging.parent)
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "owner.pid").write_text(str(os.getpid()))

    stats = Counter(documents_read=0)
    languages: Counter = Counter()
    reject_reasons: Counter = Counter(r.reason for r in rejects)
    run_history: dict[str, SourceHistory] = {}
    total = len(pairs)
    try:
        stage_batch(staging, 0, [], rejects)
        for number, batch in enumerate(batched(pairs, options.batch_size), start=1):
            step = time.perf_counter()
            read = read_task(batch, options.read)
            timings["read"] += time.perf_counter() - step
            step = time.perf_counter()
            parsed = parse_task(read.items)
            timings["parse"] += time.perf_counter() - step
            step = time.perf_counter()
            cleaned = clean_task(parsed.items, options.clean, options.warehouse, run_history)
            timings["clean"] += time.perf_counter() - step
            step = time.perf_counter()
            detected = language_task(cleaned.items, options.language)
            timings["language"] += time.perf_counter() - step
            step = time.perf_counter()
            signed = signature_task(detected.items, options.dedup)
            timings["signatures"] += time.perf_counter() - step
            batch_rejects = read.rejects + parsed.rejects + cleaned.rejects
            stage_batch(staging, number, signed.items, batch_rejects)
            for item in signed.items + batch_rejects:  # records of a .jsonl may name their own source
                source_meta.setdefault(item.source, {"kind": "jsonl", "location": None})
            stats["documents_read"] += len(batch)
            languages.update(a.language for a in signed.items)
            reject_reasons.update(r.reason for r in batch_rejects)
            message = (f"batch {number}: {stats['documents_read']}/{total} files, "
                       f"{sum(languages.values())} articles, {sum(reject_reasons.values())} rejects")
            logger.info(message)
            say(message)
        summary = {"rejects_by_reason": dict(sorted(reject_reasons.items())),
                   "languages": dict(languages.most_common()), "stage_seconds": {}}
        run = {"run_id": run_id, "name": name, "started_at": started, "status": "succeeded",
               "inputs": [str(s) for s in sources], "documents_read": stats["documents_read"],
               "summary": summary, "error": None}
        summary["stage_seconds"] = {k: round(v, 3) for k, v in timings.items()}
        step = time.perf_counter()
        counts = load_task(options.warehouse, str(staging), run, source_meta, options.dedup)
        summary["stage_seconds"]["load"] = round(time.perf_counter() - step, 3)
    except Exception as exc:
        _record_failure(options, run_id, name, started, sources, exc)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = {"run_id": run_id, "warehouse": options.warehouse, "read": stats["documents_read"],
              **counts, "rejects_by_reason": summary["rejects_by_reason"], "languages": summary["languages"],
              "stage_seconds": summary["stage_seconds"], "seconds": round(time.perf_counter() - clock, 3)}
    logger.info("run summary: %s", json.dumps(result, default=str))
    return result


def _current_run_id() -> str:
    from prefect.runtime import flow_run
    return str(flow_run.id or uuid.uuid4())


def _record_failure(options: Settings, run_id: str, name: str | None, started: datetime, sources: list[str],
                    exc: Exception) -> None:
    """Record a failed run in its own small transaction, if the warehouse can be opened at all."""
    try:
        con = connect(options.warehouse, timeout=10)
        try:
            con.execute("""INSERT INTO runs (run_id, name, started_at, finished_at, status, inputs, error)
                           VALUES (?, ?, ?, now(), 'failed', ?, ?) ON CONFLICT DO NOTHING""",
                        [run_id, name, started, [str(s) for s in sources], f"{type(exc).__name__}: {exc}"])
        finally:
            con.close()
    except Exception:  # the original error matters more than this record
        pass
