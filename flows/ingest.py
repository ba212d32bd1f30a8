"""The ingest and reprocess flows: wire the stages of ``tasks/`` into coarse, batch-level Prefect tasks.

Documents come from local files, the web (feeds, sitemaps, pages) or WARC files; from there every batch takes
the same path: parse, clean, language, signatures, staged as Parquet; one load task merges the run at the end.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import shutil
import sys
import time
import tomllib
import uuid
from collections import Counter, deque
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency

from flows.settings import read_config_file, resolve_settings
from flows.sources import SourceSpec, specs_from_arguments, specs_from_config
from tasks.article import Document, Reject, StageResult, hash_text
from tasks.clean import RunHistory, SourceHistory, clean_articles, mark_articles, merge_histories
from tasks.config import CleanConfig, DedupConfig, FetchConfig, LanguageConfig, ReadConfig, Settings
from tasks.dedup import sign_articles
from tasks.search import index_articles
from tasks.workers import get_pool, trim_memory
from tasks.discover import read_warc
from tasks.fetch import FetchResult, HostMemory
from tasks.language import detect_article_languages
from tasks.parse import parse_documents
from tasks.read import DecodeError, decode_bytes, iter_inputs, read_documents
from tasks.web import Discovery, Fetched, FetchState, WebSource, discover, fetch_pages, host_delays
from tasks.errors import TerminalError, TransientError
from warehouse.connection import connect, is_lock_error, is_out_of_memory, memory_steps, writer_lock
from warehouse.load import fetch_state, fetch_source_history, file_state, load_run, stage_batch
from warehouse.raw import RawStore

KILL_BEFORE_COMMIT = "NEWSFLOW_TEST_KILL_BEFORE_COMMIT"  # crash-safety tests: die inside the load transaction
LOAD_LIMIT = "newsflow-warehouse-load"  # Prefect global concurrency limit serialising loads (when it exists)
READ_AHEAD = 1  # batches of local files read (in the pool) ahead of the one being cleaned
LIST_GROUP = 10_000  # local files listed, stat'ed and checked against the warehouse per query (each query scans)
RETRY_DELAYS = [2, 10, 30]  # seconds, for transient failures; terminal ones are not retried


def is_transient(task, task_run, state) -> bool:
    """Tell Prefect to retry a task only when it failed for a reason that may pass (busy warehouse)."""
    error = state.data if isinstance(state.data, BaseException) else None
    if error is None:
        try:
            state.result(raise_on_failure=True)
        except BaseException as raised:  # the state carries the task's exception
            error = raised
    return isinstance(error, TransientError) or (
        isinstance(error, duckdb.Error) and is_lock_error(error))


class Payload:
    """A batch handed to a Prefect task unexamined.

    Prefect walks every list, dict and dataclass passed to a task looking for futures to wait on (0.25 s for
    a batch of 1,000 articles, per task call); batches never hold futures, so they travel wrapped.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# Thin task wrappers: one call per batch, never per document. Results stay in memory (no caching).
# Per-document stages run on the process pool of tasks/workers.py and return (result, seconds per stage).
@task(name="read", cache_policy=NO_CACHE)
def read_task(paths: Payload, config: ReadConfig, clean: CleanConfig, workers: int) -> tuple[StageResult, dict]:
    """Read, decode and parse a batch of local files; mark each one's boilerplate lines by rule."""
    return get_pool(workers).run([("read", read_documents, (config,)), ("parse", parse_documents, ()),
                                  ("mark", mark_articles, (clean,))], paths.value)


@task(name="discover", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=RETRY_DELAYS,
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def discover_task(sources: list[WebSource], config: FetchConfig, warehouse: str, refresh: bool,
                  memory: HostMemory) -> Discovery:
    return discover(sources, config, lambda urls: read_fetch_state(warehouse, urls), refresh, memory,
                    RawStore(raw_root(warehouse)).get)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(links: list, config: FetchConfig, validators: dict, delays: dict, raw_dir: str,
               memory: HostMemory) -> Fetched:
    fetched = fetch_pages(links, config, validators, delays, memory)
    store_raw(RawStore(raw_dir), fetched.fetches)
    return fetched


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(docs: Payload, clean: CleanConfig, workers: int) -> tuple[StageResult, dict]:
    """Parse a batch of decoded documents (web pages, WARC records, the raw layer); mark boilerplate by rule."""
    return get_pool(workers).run([("parse", parse_documents, ()), ("mark", mark_articles, (clean,))], docs.value)


@task(name="clean", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=RETRY_DELAYS,
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def clean_task(articles: Payload, config: CleanConfig, warehouse: str, run_history: RunHistory) -> StageResult:
    def fetch(lines: dict[str, set[str]]) -> dict[str, SourceHistory]:
        return merge_histories(read_history(warehouse, lines, config.learn_sample), run_history.select(lines))

    return clean_articles(articles.value, config, fetch)


@task(name="language-signatures", cache_policy=NO_CACHE)
def analyse_task(articles: Payload, language: LanguageConfig, dedup: DedupConfig, workers: int
                 ) -> tuple[StageResult, dict]:
    """Detect languages, then compute dedup signatures and search terms (per-document digests of the text)."""
    return get_pool(workers).run([("language", detect_article_languages, (language,)),
                                  ("signatures", sign_articles, (dedup,)), ("terms", index_articles, ())],
                                 articles.value)


@task(name="load", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=RETRY_DELAYS,
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def load_task(warehouse: str, staging: str, run: dict, sources: dict, config: DedupConfig,
              extra: dict | None = None, memory: tuple[str, str] | None = None) -> dict:
    """Merge the run into the warehouse: one load at a time (Prefect limit and file lock), one transaction.

    ``memory`` is (first, most): DuckDB gets the first limit, and a load that runs out of it (its commit
    pins the run's key indexes) is rolled back and tried again with twice as much, up to the most.
    """
    before_commit = _kill_self if os.environ.get(KILL_BEFORE_COMMIT) else None
    limits = memory_steps(*memory) if memory else [None]
    with load_slot(), writer_lock(warehouse):
        for attempt, limit in enumerate(limits, 1):
            try:
                con = connect(warehouse, timeout=120, memory_limit=limit)  # (a first load also migrates)
                try:
                    return asdict(load_run(con, Path(staging), run, sources, config, before_commit=before_commit,
                                           extra=extra))
                finally:
                    con.close()
            except duckdb.Error as exc:
                if not is_out_of_memory(exc):
                    raise
                if attempt == len(limits):
                    raise TerminalError(f"the load needs more memory than load_memory_max={limit} (one transaction "
                                        "per run: it grows with the run): set NEWSFLOW_LOAD_MEMORY_MAX higher or "
                                        f"ingest in smaller runs; nothing was loaded. DuckDB: {exc}") from exc
                message = f"the load ran out of its {limit} of memory; loading again with {limits[attempt]}"
                get_run_logger().warning(message)
                say(message)


LOADS_IN_PROCESS = [0]


def load_slot():
    """Take the Prefect global concurrency limit for loads when the server has one (`newsflow deploy` makes it).

    Without it (ephemeral mode, a plain `prefect server`) the file lock beside the warehouse serialises
    loads on the machine, so there is nothing to wait for here.
    """
    if not _load_limit_exists():
        return contextlib.nullcontext()
    return concurrency(LOAD_LIMIT, occupy=1, timeout_seconds=3600, strict=True)


@functools.lru_cache(maxsize=1)
def _load_limit_exists() -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            client.read_global_concurrency_limit_by_name(LOAD_LIMIT)
        return True
    except ObjectNotFound:
        return False
    except Exception:  # no server to ask: the file lock alone serialises
        return False


def _kill_self() -> None:
    """Crash-safety tests: SIGKILL this process inside the load transaction (every load, or the Nth)."""
    LOADS_IN_PROCESS[0] += 1
    if LOADS_IN_PROCESS[0] >= int(os.environ.get(KILL_BEFORE_COMMIT, "1")):
        os.kill(os.getpid(), 9)


def read_history(warehouse: str, lines: dict[str, set[str]], sample: int) -> dict[str, SourceHistory]:
    """Read what the warehouse knows of these lines, through a short read-only connection."""
    if not Path(warehouse).exists() or not lines:
        return {}
    con = connect(warehouse, read_only=True, timeout=300)
    try:
        return fetch_source_history(con, lines, sample)
    finally:
        con.close()


def read_file_state(warehouse: str, locations: list[str]) -> dict[str, tuple[int, int, int]]:
    """Read the size and times of local files as earlier runs read them, through a short read-only connection."""
    if not Path(warehouse).exists() or not locations:
        return {}
    con = connect(warehouse, read_only=True, timeout=300)
    try:
        return file_state(con, locations)
    finally:
        con.close()


def read_fetch_state(warehouse: str, urls: list[str]) -> FetchState:
    """Read what earlier runs learned of URLs, through a short read-only connection."""
    if not Path(warehouse).exists() or not urls:
        return FetchState()
    con = connect(warehouse, read_only=True, timeout=300)
    try:
        return fetch_state(con, urls)
    finally:
        con.close()


def store_raw(store: RawStore, fetches: list[tuple[str, FetchResult]]) -> None:
    """Keep every downloaded body in the raw layer (once per content)."""
    for _, result in fetches:
        if result.body is not None:
            result.sha256 = store.put(result.body)


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield consecutive lists of at most ``size`` items, consuming an iterator as it goes."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


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


def say(message: str) -> None:
    """Show progress on stderr (Prefect's logger also records it on the flow run)."""
    print(message, file=sys.stderr, flush=True)


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
        self.unchanged = 0  # local files skipped: read by an earlier run and unchanged since
        self.batches = 0
        self.sources: dict[str, dict] = {}
        self.history = RunHistory()
        self.staging = staging_root(options.warehouse) / self.run_id
        remove_stale_staging(self.staging.parent)
        self.staging.mkdir(parents=True, exist_ok=True)
        (self.staging / "owner.pid").write_text(str(os.getpid()))
        self.logger = get_run_logger()

    def timed(self, stage: str, call, *args):
        step = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.timings[stage] += time.perf_counter() - step

    def stage_only(self, rejects: list[Reject], fetches: list | None = None) -> None:
        """Stage rejects and requests that came with no documents."""
        if rejects or fetches:
            self.batches += 1
            stage_batch(self.staging, self.batches, [], rejects, fetches)
            self._note(rejects, [])

    def process(self, docs: list[Document], rejects: list[Reject], fetches: list | None = None,
                inputs: int | None = None) -> None:
        """Parse a batch of decoded documents, then go on as ``process_parsed``."""
        parsed = self.map_stage(parse_task, docs, self.options.clean)
        self.process_parsed(parsed, rejects, fetches, len(docs) if inputs is None else inputs)

    def process_parsed(self, parsed: StageResult, rejects: list[Reject], fetches: list | None, inputs: int,
                       files: list[tuple] | None = None) -> None:
        """Clean, detect language and sign a parsed batch, then stage it for the load.

        ``inputs`` counts what the batch read (files, URLs, WARC records), rejected ones included; ``files``
        are the stats of the local files read, recorded so that later runs skip them while unchanged.
        """
        options = self.options
        cleaned = self.timed("clean", clean_task, Payload(parsed.items), options.clean, options.warehouse,
                             self.history)
        self.history.remember(cleaned.items, options.clean)
        signed = self.map_stage(analyse_task, cleaned.items, options.language, options.dedup)
        all_rejects = rejects + parsed.rejects + cleaned.rejects
        self.batches += 1
        self.timed("stage", stage_batch, self.staging, self.batches, signed.items, all_rejects, fetches, files)
        self.documents += inputs
        self._note(all_rejects, signed.items)
        del cleaned, signed
        trim_memory()

    def map_stage(self, stage, items: list, *args) -> StageResult:
        """Run a per-document stage task on a batch and add its seconds per stage to the run's.

        By default the task spreads the batch over the process pool (``workers`` setting). With a distributed
        task runner (``parallel`` > 1) the batch is split over the runner's workers instead, one process each.
        Only stages whose output for a document depends on that document alone are split (read, parse,
        language, signatures), so the result is the same however they run. Clean learns across the batch and
        always sees it whole.
        """
        if self.parallel <= 1 or len(items) < 2:
            return self.collect(stage(Payload(items), *args, self.workers))
        size = -(-len(items) // self.parallel)
        futures = [stage.submit(Payload(items[i:i + size]), *args, 1) for i in range(0, len(items), size)]
        results = [self.collect(future.result()) for future in futures]
        return StageResult([x for r in results for x in r.items], [x for r in results for x in r.rejects])

    def collect(self, outcome: tuple[StageResult, dict]) -> StageResult:
        """Add a pooled stage's seconds (summed over its worker processes) to the run's timings."""
        result, seconds = outcome
        self.timings.update(seconds)
        return result

    def _note(self, rejects: list[Reject], articles: list) -> None:
        for item in list(articles) + list(rejects):  # records of a .jsonl may name their own source
            self.sources.setdefault(item.source, {"kind": "jsonl", "location": None})
        self.languages.update(a.language for a in articles)
        self.reject_reasons.update(r.reason for r in rejects)
        message = (f"batch {self.batches}: {self.documents} documents, {sum(self.languages.values())} articles, "
                   f"{sum(self.reject_reasons.values())} rejects")
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
        counts = load_task(self.options.warehouse, str(self.staging), run, self.sources, self.options.dedup, extra,
                           (self.options.load_memory, self.options.load_memory_max))
        summary["stage_seconds"]["load"] = round(time.perf_counter() - step, 3)
        result = {"run_id": self.run_id, "warehouse": self.options.warehouse, "read": self.documents,
                  "unchanged_files": self.unchanged, **counts,
                  **summary, "seconds": round(time.perf_counter() - self.clock, 3)}
        self.logger.info("run summary: %s", json.dumps(result, default=str))
        publish_artifacts(result)
        return result

    def __enter__(self) -> "RunState":
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        """Record a failed run; always remove the staging directory."""
        if isinstance(exc, Exception):
            _record_failure(self.options, self.run_id, self.name, self.started, self.inputs, exc)
        shutil.rmtree(self.staging, ignore_errors=True)


def publish_artifacts(summary: dict) -> None:
    """Attach the run summary to the flow run: a table of figures and a short markdown report."""
    rows = [{"figure": key, "value": summary[key]} for key in
            ("read", "unchanged_files", "articles", "new_articles", "updated_articles", "duplicates", "rejects",
             "seconds")]
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


@flow(name="ingest", log_prints=False)
def ingest(sources: list[str] | None = None, warehouse: str | None = None, name: str | None = None,
           batch_size: int | None = None, config_file: str | None = None, settings: dict | None = None,
           urls_file: str | None = None, refresh: bool = False, allow_networks: list[str] | None = None,
           kinds: list[str] | None = None, parallel: int = 1) -> dict:
    """Ingest sources (files, directories, URLs of feeds, sitemaps or pages, WARC files) into the warehouse.

    ``kinds`` keeps only the config file's sources of those kinds (e.g. ["feed"] for an hourly run);
    ``parallel`` splits per-document stages over that many task-runner workers (see ``newsflow run --runner``).
    """
    options, specs = plan_run(sources, warehouse, name, batch_size, config_file, settings, urls_file,
                              allow_networks, kinds)
    with RunState(options, name, [s.location for s in specs], parallel) as state:
        for spec in specs:
            state.sources.setdefault(spec.name, {"kind": spec.kind, "location": spec.location})
        ingest_local(state, [s for s in specs if s.kind in ("directory", "file")], refresh)
        ingest_web(state, [s for s in specs if s.is_web], refresh)
        ingest_warc(state, [s for s in specs if s.kind == "warc"])
        return state.load()


def plan_run(sources, warehouse, name, batch_size, config_file, settings, urls_file, allow_networks,
             kinds) -> tuple[Settings, list[SourceSpec]]:
    """Resolve settings and source specs; a configuration that cannot work is a TerminalError."""
    overrides = {**(settings or {}), "warehouse": warehouse, "batch_size": batch_size}
    if allow_networks:
        overrides["fetch"] = {**overrides.get("fetch", {}), "allow_networks": tuple(allow_networks)}
    try:
        options = resolve_settings(config_file, overrides)
        memory_steps(options.load_memory, options.load_memory_max)  # a bad size fails now, not at the load
        specs = specs_from_arguments(sources or [], urls_file, name)
        if config_file:
            specs += specs_from_config(read_config_file(config_file), Path(config_file).resolve().parent)
    except (ValueError, TypeError, OSError, tomllib.TOMLDecodeError) as exc:
        raise TerminalError(f"bad configuration: {exc}") from None
    if kinds:
        specs = [s for s in specs if s.kind in kinds]
    if not specs:
        raise TerminalError("nothing to ingest: give SOURCE arguments, --urls FILE, or a config file with "
                            "[[sources]]" + (f" of kind {', '.join(kinds)}" if kinds else ""))
    return options, specs


def ingest_local(state: RunState, specs: list[SourceSpec], refresh: bool = False) -> None:
    """Read local files in batches as their directories are listed; unchanged files are skipped (and counted)."""
    for batch, read in read_batches(state, plan_local_batches(state, specs, refresh)):
        state.process_parsed(read, [], None, len(batch), [stat for _, stat in batch if stat])


def plan_local_batches(state: RunState, specs: list[SourceSpec], refresh: bool) -> Iterator[list[tuple]]:
    """Yield batches of (pair, file stat) to read while listing the sources: memory holds a batch, not the corpus.

    Files newsflow does not read are staged as rejects; files unchanged since a run read them are skipped.
    """
    size, todo = state.options.batch_size, []
    listed = (item for spec in specs for item in iter_inputs(spec.location, spec.name))
    for group in batched(listed, max(size, LIST_GROUP)):
        state.stage_only([item for item in group if isinstance(item, Reject)])
        todo += state.timed("unchanged", skip_unchanged, state,
                            [item for item in group if not isinstance(item, Reject)], refresh)
        while len(todo) >= size:
            yield todo[:size]
            del todo[:size]
    if todo:
        yield todo


def read_batches(state: RunState, batches: Iterable[list[tuple]]) -> Iterator[tuple[list[tuple], StageResult]]:
    """Yield each batch of (pair, file stat) with its files read, parsed and marked, in order.

    On the process pool the next batch is read while the caller cleans and stages the current one (two ahead
    measured no faster and held one more batch in memory); on a distributed runner each batch is split over it.
    """
    options = state.options
    if state.parallel > 1:
        for batch in batches:
            yield batch, state.map_stage(read_task, [pair for pair, _ in batch], options.read, options.clean)
        return
    pending: deque = deque()
    for batch in batches:
        pending.append((batch, read_task.submit(Payload([pair for pair, _ in batch]), options.read, options.clean,
                                                state.workers)))
        if len(pending) > READ_AHEAD:
            done, future = pending.popleft()
            yield done, state.collect(future.result())
    for done, future in pending:
        yield done, state.collect(future.result())


def skip_unchanged(state: RunState, pairs: list[tuple[str, Path]], refresh: bool) -> list[tuple]:
    """Return (pair, file stat) for the files to read: all with ``refresh``, else those changed or new."""
    stats = []
    for source, path in pairs:
        location = os.path.abspath(path)
        try:
            info = os.stat(location)
            stats.append((location, source, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
        except OSError:
            stats.append(None)  # the read stage rejects it with the reason
    known = {} if refresh else read_file_state(state.options.warehouse, [s[0] for s in stats if s])
    todo = [(pair, stat) for pair, stat in zip(pairs, stats) if not stat or known.get(stat[0]) != stat[2:]]
    state.unchanged += len(pairs) - len(todo)
    return todo


def ingest_web(state: RunState, specs: list[SourceSpec], refresh: bool, window: tuple | None = None) -> None:
    """Discover pages from feeds, sitemaps and URL lists, then fetch and process them in batches."""
    if not specs:
        return
    web = [WebSource(s.name, s.kind, s.location, s.allowed_domains, s.max_articles, s.rate_limit, window)
           for s in specs]
    options = state.options
    memory = HostMemory()  # robots.txt and pacing per host, shared by discovery and every fetch batch
    found = state.timed("discover", discover_task, web, options.fetch, options.warehouse, refresh, memory)
    store_raw(RawStore(raw_root(options.warehouse)), found.fetches)
    if found.documents:
        state.process(found.documents, found.rejects, found.fetches, inputs=len(found.documents))
    else:
        state.stage_only(found.rejects, found.fetches)
    delays = host_delays(web)
    for batch in batched(found.links, options.batch_size):
        fetched = state.timed("fetch", fetch_task, batch, options.fetch, found.validators, delays,
                              str(raw_root(options.warehouse)), memory)
        state.process(fetched.documents, fetched.rejects, fetched.fetches, inputs=len(batch))


def ingest_warc(state: RunState, specs: list[SourceSpec]) -> None:
    """Read the HTML responses of WARC files in batches; each record is stored in the raw layer too."""
    store = RawStore(raw_root(state.options.warehouse))
    for spec in specs:
        docs, rejects, fetches, seen = [], [], [], 0
        location = Path(spec.location).resolve().as_uri()
        try:
            for item in read_warc(Path(spec.location)):
                seen += 1
                if isinstance(item, tuple):
                    url, reason, detail = item
                    rejects.append(Reject(spec.name, url, "read", reason, detail))
                    continue
                record = FetchResult(url=item.url, purpose="warc", final_url=item.url, status=item.status,
                                     content_type=item.content_type, charset=item.charset, body=item.body,
                                     size=len(item.body), attempts=0, detail=location,
                                     fetched_at=_warc_date(item.date))
                record.sha256 = store.put(item.body)
                fetches.append((spec.name, record))
                try:
                    text, encoding = decode_bytes(item.body, declared=item.charset)
                    docs.append(Document(spec.name, item.url, "html", b"", text, encoding, url=item.url,
                                         hints={"captured_at": item.date} if item.date else {}))
                except DecodeError as exc:
                    rejects.append(Reject(spec.name, item.url, "read", exc.reason, exc.detail))
                if len(docs) >= state.options.batch_size:
                    state.process(docs, rejects, _without_bodies(fetches), inputs=seen)
                    docs, rejects, fetches, seen = [], [], [], 0
        except Exception as exc:  # a corrupt archive costs its remaining records, not the run
            rejects.append(Reject(spec.name, location, "read", "bad_warc", f"{type(exc).__name__}: {exc}"))
        state.process(docs, rejects, _without_bodies(fetches), inputs=seen)


def _without_bodies(fetches: list) -> list:
    for _, record in fetches:
        record.body = None
    return fetches


def _warc_date(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


@flow(name="reprocess", log_prints=False)
def reprocess(source: str | None = None, warehouse: str | None = None, batch_size: int | None = None,
              config_file: str | None = None, settings: dict | None = None) -> dict:
    """Rebuild web and WARC articles from the raw layer with the current rules, without network."""
    from warehouse.load import raw_pages

    options = resolve_settings(config_file, {**(settings or {}), "warehouse": warehouse, "batch_size": batch_size})
    con = connect(options.warehouse, read_only=True)
    try:
        pages = raw_pages(con, source)
    finally:
        con.close()
    store = RawStore(raw_root(options.warehouse))
    with RunState(options, f"reprocess:{source or 'all'}", [f"raw:{source or 'all'}"]) as state:
        for batch in batched(pages, options.batch_size):
            docs, rejects = [], []
            for page in batch:
                try:
                    text, encoding = decode_bytes(store.get(page["sha256"]), declared=page["charset"])
                    docs.append(Document(page["source"], page["url"], "html", b"", text, encoding,
                                         url=page["url"], hints={**json.loads(page["hints"] or "{}"),
                                                                 "captured_at": page["captured_at"]}))
                except FileNotFoundError:
                    rejects.append(Reject(page["source"], page["url"], "reprocess", "raw_missing",
                                          f"no body {page['sha256']} in the raw layer"))
                except DecodeError as exc:
                    rejects.append(Reject(page["source"], page["url"], "read", exc.reason, exc.detail))
            state.process(docs, rejects)
        return state.load()


WARC_DATE = re.compile(r"(20\d{2})(\d{2})(\d{2})")


def warc_files_in_window(directory: str, start: str, end: str) -> list[Path]:
    """Return the WARC files of a directory whose name carries a date (YYYYMMDD) within the window."""
    found = []
    for path in sorted(Path(directory).glob("*.warc*")):
        match = WARC_DATE.search(path.name)
        if match and start <= f"{match.group(1)}-{match.group(2)}-{match.group(3)}" <= end:
            found.append(path)
    return found


@flow(name="backfill", log_prints=False)
def backfill(start: date, end: date, warc_dir: str | None = None, sitemaps: list[str] | None = None,
             warehouse: str | None = None, name: str | None = None, config_file: str | None = None,
             settings: dict | None = None, allow_networks: list[str] | None = None) -> dict:
    """Ingest a date window from WARC files (dated by name) or sitemaps (by lastmod), one item at a time.

    Each item (a WARC file, a sitemap) is loaded in its own transaction together with the record that it is
    done, so a backfill run again after a crash does only the items still missing.
    """
    window = (start.isoformat(), end.isoformat())
    warcs = warc_files_in_window(warc_dir, *window) if warc_dir else []
    items = [str(p.resolve()) for p in warcs] + list(sitemaps or [])
    if not items:
        raise TerminalError(f"nothing to backfill between {window[0]} and {window[1]}: no dated WARC files in "
                            f"{warc_dir!r} and no sitemaps given")
    options, _ = plan_run(items, warehouse, name, None, config_file, settings, None, allow_networks, None)
    backfill_id = hash_text("|".join([*window, *sorted(items)]))
    done = read_done_items(options.warehouse, backfill_id)
    totals: Counter = Counter()
    for part, item in enumerate(items):
        if item in done:
            totals["skipped"] += 1
            continue
        spec = specs_from_arguments([item], None, name)[0]
        if spec.kind == "auto":
            spec = SourceSpec(spec.name, "sitemap", spec.location)
        with RunState(options, f"backfill:{window[0]}..{window[1]}", [item], part=part) as state:
            state.sources.setdefault(spec.name, {"kind": spec.kind, "location": spec.location})
            if spec.kind == "warc":
                ingest_warc(state, [spec])
            else:
                ingest_web(state, [spec], refresh=False, window=window)
            progress = pa.table({"backfill_id": [backfill_id], "item": [item], "run_id": [state.run_id],
                                 "finished_at": pa.array([datetime.now(timezone.utc)], pa.timestamp("us", "UTC"))})
            summary = state.load(extra={"backfill_items": progress})
        totals["done"] += 1
        for key in ("articles", "new_articles", "duplicates", "rejects"):
            totals[key] += summary[key]
    return {"backfill_id": backfill_id, "window": list(window), "items": len(items), **totals}


def read_done_items(warehouse: str, backfill_id: str) -> set[str]:
    """Return the items of a backfill already loaded."""
    if not Path(warehouse).exists():
        return set()
    con = connect(warehouse, read_only=True, timeout=300)
    try:
        return {row[0] for row in con.execute("SELECT item FROM backfill_items WHERE backfill_id = ?",
                                              [backfill_id]).fetchall()}
    finally:
        con.close()


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
