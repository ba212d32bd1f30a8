"""The Prefect layer of the pipeline: one coarse task per stage and batch, retries where a failure may pass.

Each task is a thin adapter over a plain function of ``tasks/`` (or ``warehouse/`` for the load); per-document
stages run on the process pool of tasks/workers.py and return (result, seconds per stage).
"""
from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import asdict
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency

from tasks.article import StageResult
from tasks.clean import RunHistory, SourceHistory, clean_articles, mark_articles, merge_histories
from tasks.config import CleanConfig, DedupConfig, FetchConfig, LanguageConfig, ReadConfig
from tasks.dedup import sign_articles
from tasks.errors import TerminalError, TransientError
from tasks.fetch import HostMemory
from tasks.language import detect_article_languages
from tasks.parse import parse_documents
from tasks.read import read_documents
from tasks.search import index_articles
from flows.progress import say
from tasks.web import Discovery, Fetched, WebSource, discover, fetch_pages
from tasks.workers import get_pool
from warehouse.connection import is_lock_error, writer_lock
from warehouse.load import LoadFailed, load_within_memory
from warehouse.state import read_history

KILL_BEFORE_COMMIT = "NEWSFLOW_TEST_KILL_BEFORE_COMMIT"  # crash-safety tests: die inside the load transaction
LOAD_LIMIT = "newsflow-warehouse-load"  # Prefect global concurrency limit serialising loads (when it exists)
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
def read_task(paths: Payload, config: ReadConfig, clean: CleanConfig, sites: dict, workers: int
              ) -> tuple[StageResult, dict]:
    """Read, decode and parse a batch of local files; mark each one's boilerplate lines by rule."""
    return get_pool(workers).run([("read", read_documents, (config,)), ("parse", parse_documents, (sites,)),
                                  ("mark", mark_articles, (clean,))], paths.value)


@task(name="discover", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=RETRY_DELAYS,
      retry_jitter_factor=0.5, retry_condition_fn=is_transient)
def discover_task(sources: list[WebSource], config: FetchConfig, lookup, refresh: bool, memory: HostMemory,
                  read_raw) -> Discovery:
    """Expand feeds, sitemaps and URL lists into page links (tasks/web.py discover)."""
    return discover(sources, config, lookup, refresh, memory, read_raw)


@task(name="fetch", cache_policy=NO_CACHE)
def fetch_task(links: list, config: FetchConfig, validators: dict, delays: dict, memory: HostMemory,
               on_page=None) -> Fetched:
    """Fetch a batch of pages (tasks/web.py fetch_pages); ``on_page`` follows each page (progress)."""
    return fetch_pages(links, config, validators, delays, memory, on_page)


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(docs: Payload, clean: CleanConfig, sites: dict, workers: int) -> tuple[StageResult, dict]:
    """Parse a batch of decoded documents (web pages, WARC records, the raw layer); mark boilerplate by rule."""
    return get_pool(workers).run([("parse", parse_documents, (sites,)), ("mark", mark_articles, (clean,))],
                                 docs.value)


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
              extra: dict | None = None, memory: tuple[str, str] | None = None,
              storage_version: str = "v1.0.0", on_batch=None) -> dict:
    """Merge the run into the warehouse: one load at a time (Prefect limit and file lock), one transaction.

    ``memory`` is (first, most): DuckDB starts at the first limit (or the one the warehouse's last load ran
    with, when larger), and a load that runs out is rolled back and
    tried again with twice as much, up to the most (warehouse/load.py load_within_memory).
    """
    before_commit = _kill_self if os.environ.get(KILL_BEFORE_COMMIT) else None

    def notify(message: str) -> None:
        get_run_logger().warning(message)
        say(message)

    with load_slot(), writer_lock(warehouse):  # (a first load creates and migrates the warehouse)
        try:
            return asdict(load_within_memory(warehouse, Path(staging), run, sources, config, memory, storage_version,
                                             notify, before_commit=before_commit, extra=extra, on_batch=on_batch))
        except LoadFailed as exc:
            raise TerminalError(str(exc)) from exc


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
