"""One run's state: its staging directory, counters and timings, and the loop that takes readers' batches.

Every input kind yields the same batches (tasks/sources); ``RunState.run_batches`` takes them in order: local
files are read in the worker pool one batch ahead, decoded documents are parsed, then every batch is cleaned,
and its languages and signatures are computed in the pool while the next batch is cleaned; batches are staged
as Parquet in order; ``load`` merges the run into the warehouse in one transaction.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.progress import RunProgress, say
from flows.stages import Payload, analyse_task, clean_task, load_task, parse_task, read_task
from tasks.article import Reject, StageResult
from tasks.clean import RunHistory
from tasks.config import Settings
from tasks.sources import Batch
from tasks.workers import get_pool, trim_memory
from warehouse.connection import connect
from warehouse.load import stage_batch

READ_AHEAD = 1  # batches of local files read (in the pool) ahead of the one being cleaned


@dataclass
class Analysing:
    """A cleaned batch whose languages and signatures are being computed (``signed`` waits for them)."""

    batch: Batch
    signed: Callable[[], StageResult]
    rejects: list[Reject]  # parse and clean rejects of the batch


def staging_root(warehouse: str) -> Path:
    """Return the directory where runs stage their batches, beside the warehouse file."""
    path = Path(warehouse)
    return path.parent / f".{path.stem}-staging"


def raw_root(warehouse: str) -> Path:
    """Return the raw layer's directory, beside the warehouse file."""
    path = Path(warehouse)
    return path.parent / f"{path.stem}-raw"


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


class RunState:
    """One run's staging directory, counters and timings; ``process`` takes a batch from documents to Parquet."""

    def __init__(self, options: Settings, name: str | None, inputs: list[str], parallel: int = 1,
                 part: int | None = None):
        self.options, self.name, self.inputs = options, name, inputs
        self.parallel = parallel  # > 1: per-document stages are split over the task runner's workers
        self.workers = options.workers if parallel <= 1 else 1  # processes of the pool inside a task
        self.run_id = _current_run_id() + (f":{part}" if part is not None else "")  # a backfill loads in parts
        self.started = datetime.now(timezone.utc)
        self.clock = time.perf_counter()
        self.timings: Counter = Counter()
        self.languages: Counter = Counter()
        self.reject_reasons: Counter = Counter()
        self.documents = 0
        self.skipped: Counter = Counter()  # passed over on purpose: unchanged files, WARC records not pages
        self.batches = 0
        self.sources: dict[str, dict] = {}
        self.history = RunHistory()
        self.staging = staging_root(options.warehouse) / self.run_id
        remove_stale_staging(self.staging.parent)
        self.staging.mkdir(parents=True, exist_ok=True)
        (self.staging / "owner.pid").write_text(str(os.getpid()))
        self.logger = get_run_logger()
        self.progress = RunProgress()  # bars on a terminal: listing, reading, fetching per host, loading

    def timed(self, stage: str, call, *args):
        step = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.timings[stage] += time.perf_counter() - step

    def run_batches(self, batches: Iterable[Batch]) -> None:
        """Take the readers' batches in order, as a pipeline that keeps the pool busy: local files are read and
        parsed in the pool one batch ahead; a batch's languages and signatures are computed in the pool while
        the next batch is cleaned; a batch is staged once they are done, in the readers' order."""
        reading: deque = deque()
        analysing = None  # the batch whose languages and signatures are being computed
        for batch in batches:
            reading.append((batch, self._start(batch)))
            if len(reading) > READ_AHEAD:
                analysing = self._advance(*reading.popleft(), analysing)
        while reading:
            analysing = self._advance(*reading.popleft(), analysing)
        if analysing is not None:
            self._stage_analysed(analysing)

    def _start(self, batch: Batch):
        """Submit a batch of local files to be read in the pool while the batch before it is cleaned."""
        if not batch.paths or self.parallel > 1:
            return None
        options = self.options
        return read_task.submit(Payload(batch.paths), options.read, options.clean, options.sites, self.workers)

    def _advance(self, batch: Batch, future, analysing: Analysing | None) -> Analysing:
        """Parse and clean a batch and submit its analysis; then stage the batch analysed before it."""
        options = self.options
        self.skipped.update(batch.skipped)
        if batch.paths:
            parsed = self.collect(future.result()) if future is not None else self.map_stage(
                read_task, batch.paths, options.read, options.clean, options.sites)
        elif batch.docs:
            parsed = self.map_stage(parse_task, batch.docs, options.clean, options.sites)
        else:  # nothing to parse, but maybe something to record (rejects, fetches, files)
            parsed = StageResult([], [])
        following = self.analyse(parsed, batch)
        if analysing is not None:
            self._stage_analysed(analysing)
        return following

    def analyse(self, parsed: StageResult, batch: Batch) -> Analysing:
        """Clean a parsed batch (here: clean learns across batches) and submit its languages and signatures."""
        options = self.options
        cleaned = self.timed("clean", clean_task, Payload(parsed.items), options.clean, options.warehouse,
                             self.history) if parsed.items else StageResult([], [])
        self.history.remember(cleaned.items, options.clean)
        signed = self.submit_stage(analyse_task, cleaned.items, options.language, options.dedup)
        return Analysing(batch, signed, parsed.rejects + cleaned.rejects)

    def _stage_analysed(self, analysing: Analysing) -> None:
        """Wait for a batch's languages and signatures and stage it (``inputs`` counts what it read, rejects
        included; ``files`` are the stats of the local files read, so that later runs skip them while unchanged)."""
        batch = analysing.batch
        signed = analysing.signed()
        if batch.paths or batch.docs or batch.rejects or batch.fetches or batch.files:
            self.stage(signed.items, batch.rejects + analysing.rejects, batch.fetches, batch.files, batch.inputs)
        del signed, analysing
        trim_memory()

    def stage(self, articles: list, rejects: list[Reject], fetches: list | None, files: list[tuple] | None,
              inputs: int) -> None:
        """Write a finished batch as Parquet for the load and count it."""
        self.batches += 1
        self.timed("stage", stage_batch, self.staging, self.batches, articles, rejects, fetches, files)
        self.documents += inputs
        self._note(rejects, articles, inputs)

    def map_stage(self, stage, items: list, *args) -> StageResult:
        """Run a per-document stage task on a batch and add its seconds per stage to the run's."""
        return self.submit_stage(stage, items, *args)()

    def submit_stage(self, stage, items: list, *args) -> Callable[[], StageResult]:
        """Submit a per-document stage task on a batch; return what waits for its result (and adds its seconds
        per stage to the run's).

        By default the task spreads the batch over the process pool (``workers`` setting). With a distributed
        task runner (``parallel`` > 1) the batch is split over the runner's workers instead, one process each.
        Only stages whose output for a document depends on that document alone are split (read, parse,
        language, signatures), so the result is the same however they run. Clean learns across the batch and
        always sees it whole.
        """
        if not items:
            return lambda: StageResult([], [])
        if self.parallel <= 1 or len(items) < 2:
            future = stage.submit(Payload(items), *args, self.workers)
            return lambda: self.collect(future.result())
        size = -(-len(items) // self.parallel)
        futures = [stage.submit(Payload(items[i:i + size]), *args, 1) for i in range(0, len(items), size)]

        def join() -> StageResult:
            results = [self.collect(future.result()) for future in futures]
            return StageResult([x for r in results for x in r.items], [x for r in results for x in r.rejects])
        return join

    def collect(self, outcome: tuple[StageResult, dict]) -> StageResult:
        """Add a pooled stage's seconds (summed over its worker processes) to the run's timings."""
        result, seconds = outcome
        self.timings.update(seconds)
        return result

    def _note(self, rejects: list[Reject], articles: list, inputs: int = 0) -> None:
        for item in list(articles) + list(rejects):  # records of a .jsonl may name their own source
            self.sources.setdefault(item.source, {"kind": "jsonl", "location": None})
        self.languages.update(a.language for a in articles)
        self.reject_reasons.update(r.reason for r in rejects)
        total_articles, total_rejects = sum(self.languages.values()), sum(self.reject_reasons.values())
        self.progress.advance("read", f"reading: {total_articles} articles, {total_rejects} rejects", inputs)
        message = (f"batch {self.batches}: {inputs} read, {len(articles)} articles, {len(rejects)} rejects "
                   f"(run so far: {self.documents} read, {total_articles} articles, {total_rejects} rejects)")
        self.logger.info(message)
        say(message)

    def load(self, extra: dict | None = None) -> dict:
        """Merge everything staged into the warehouse in one transaction and return the run summary."""
        summary = {"rejects_by_reason": dict(sorted(self.reject_reasons.items())),
                   "languages": dict(self.languages.most_common()),
                   "stage_seconds": {k: round(v, 3) for k, v in self.timings.items()}}
        run = {"run_id": self.run_id, "name": self.name, "started_at": self.started, "status": "succeeded",
               "inputs": self.inputs, "documents_read": self.documents, "summary": summary, "error": None}
        get_pool(self.workers).close()  # idle from here on: its memory goes back before the load takes some
        self.history = RunHistory()  # the same for what the batches learned from each other
        trim_memory()
        step = time.perf_counter()
        on_batch = lambda done, total: self.progress.advance("load", "loading into the warehouse", done, total)  # noqa: E731
        counts = load_task(self.options.warehouse, str(self.staging), run, self.sources, self.options.dedup, extra,
                           (self.options.load_memory, self.options.load_memory_max), self.options.storage_version,
                           on_batch)
        summary["stage_seconds"]["load"] = round(time.perf_counter() - step, 3)
        result = {"run_id": self.run_id, "warehouse": self.options.warehouse, "read": self.documents,
                  "unchanged_files": self.skipped.get("unchanged_file", 0),
                  "skipped": dict(sorted(self.skipped.items())), **counts,
                  **summary, "seconds": round(time.perf_counter() - self.clock, 3)}
        self.logger.info("run summary: %s", json.dumps(result, default=str))
        publish_artifacts(result)
        return result

    def __enter__(self) -> "RunState":
        self.progress.__enter__()
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        """Record a failed run; always remove the staging directory."""
        self.progress.__exit__(kind, exc, traceback)
        if isinstance(exc, Exception):
            _record_failure(self.options, self.run_id, self.name, self.started, self.inputs, exc)
        shutil.rmtree(self.staging, ignore_errors=True)


def publish_artifacts(summary: dict) -> None:
    """Attach the run summary to the flow run: a table of figures and a short markdown report."""
    rows = [{"figure": key, "value": summary[key]} for key in
            ("read", "unchanged_files", "articles", "new_articles", "updated_articles", "duplicates", "siblings",
             "rejects", "seconds")]
    rows += [{"figure": f"rejects: {reason}", "value": n} for reason, n in summary["rejects_by_reason"].items()]
    rows += [{"figure": f"language: {lang}", "value": n} for lang, n in summary["languages"].items()]
    rows += [{"figure": f"seconds: {stage}", "value": s} for stage, s in summary["stage_seconds"].items()]
    create_table_artifact(rows, key="newsflow-run-summary", description="newsflow run summary")
    rejects = ", ".join(f"{reason} {n}" for reason, n in summary["rejects_by_reason"].items()) or "none"
    languages = ", ".join(f"{lang} {n}" for lang, n in summary["languages"].items()) or "none"
    stages = " · ".join(f"{stage} {s:.2f} s" for stage, s in summary["stage_seconds"].items())
    create_markdown_artifact(
        f"## newsflow run {summary['run_id']}\n\n"
        f"Read **{summary['read']}** documents into `{summary['warehouse']}`: **{summary['articles']}** articles, "
        f"**{summary['new_articles']}** new, {summary['updated_articles']} updated, "
        f"**{summary['duplicates']}** new duplicates, **{summary['rejects']}** rejects ({rejects}).\n\n"
        f"Languages: {languages}.\n\nStages: {stages}; {summary['seconds']:.1f} s in all.\n",
        key="newsflow-run-report", description="newsflow run report")


def _current_run_id() -> str:
    from prefect.runtime import flow_run
    return str(flow_run.id or uuid.uuid4())


def _record_failure(options: Settings, run_id: str, name: str | None, started: datetime, inputs: list[str],
                    exc: Exception) -> None:
    """Record a failed run in its own small transaction, if the warehouse can be opened at all."""
    try:
        con = connect(options.warehouse, timeout=10)
        try:
            con.execute("""INSERT INTO runs (run_id, name, started_at, finished_at, status, inputs, error)
                           VALUES (?, ?, ?, now(), 'failed', ?, ?) ON CONFLICT DO NOTHING""",
                        [run_id, name, started, inputs, f"{type(exc).__name__}: {exc}"])
        finally:
            con.close()
    except Exception:  # the original error matters more than this record
        pass
