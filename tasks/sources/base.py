"""What every input kind shares: the batch it yields, the context it reads through, the reader interface."""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol

from tasks.article import Document, Reject
from tasks.config import Settings
from tasks.web import FetchState, discover, fetch_pages, no_history


def say_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def no_files(locations: list[str]) -> dict[str, tuple]:
    return {}


def no_tick(key: str, label: str, done: int = 1, total: int | None = None) -> None:
    """Count progress nowhere (scripts and tests; the flow passes its progress bars)."""


def no_watch(links: list) -> None:
    """Watch no fetch: a fetch without a per-page callback."""


@dataclass
class Batch:
    """One batch of work a reader yields; the flow parses, cleans, signs and stages it.

    ``docs`` are decoded documents; ``paths`` are local files, read and parsed in the worker pool. ``files``
    records what was read (location, source, size, mtime_ns, ctime_ns, read_to) so that later runs skip it or
    go on where it ended; ``skipped`` counts what was passed over on purpose (unchanged files, WARC records that
    are not HTML pages), never silently.
    """

    docs: list[Document] = field(default_factory=list)
    paths: list[tuple[str, Path]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    fetches: list = field(default_factory=list)  # (source, FetchResult): requests and raw-layer records
    files: list[tuple] = field(default_factory=list)
    inputs: int = 0  # what the batch read (files, URLs, records), rejected ones included
    skipped: Counter = field(default_factory=Counter)


@dataclass
class Context:
    """What readers read through: settings, what earlier runs recorded, the raw layer, the flow's stages.

    The flow passes its Prefect tasks as ``discover`` and ``fetch`` (retries, timings); tests and scripts get
    the plain functions. Warehouse reads come as callables, so readers never open the warehouse themselves.
    """

    options: Settings
    refresh: bool = False
    known_files: Callable[[list[str]], dict[str, tuple]] = no_files  # location -> (size, mtime, ctime, read_to)
    fetch_state: Callable[[list[str]], FetchState] = no_history
    raw_pages: Callable[[str | None], list[dict]] = lambda source: []  # the latest body of every page stored
    raw: object = None  # warehouse.raw.RawStore: put(bytes) -> sha256, get(sha256) -> bytes
    discover: Callable = discover
    fetch: Callable = fetch_pages
    say: Callable[[str], None] = say_on_stderr
    tick: Callable[..., None] = no_tick  # tick(key, label, done, total): move a progress bar on
    watch_fetch: Callable[[list], Callable | None] = no_watch  # all links -> the callback a fetch calls per page
    window: tuple[str, str] | None = None  # backfill: only pages dated in [start, end]


class Reader(Protocol):
    """An input kind: the source kinds it reads and the batches it yields for the specs of those kinds."""

    kinds: tuple[str, ...]

    def batches(self, specs: list, context: Context) -> Iterator[Batch]:
        ...


def chunks(items: list, size: int) -> Iterator[list]:
    """Yield consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + size]
