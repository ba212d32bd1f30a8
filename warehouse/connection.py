"""The one way newsflow opens the DuckDB warehouse: migrations on write, retries while another process holds it."""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from tasks.errors import TerminalError, TransientError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class WarehouseBusy(TransientError):
    """Another process holds the warehouse file (DuckDB allows one writer, or readers only)."""


class WarehouseMissing(TerminalError):
    """A read was asked of a warehouse that does not exist yet."""


class SchemaMismatch(TerminalError):
    """The warehouse was written by a newer newsflow: its schema has migrations this version does not know."""


def list_migrations() -> list[tuple[int, str, Path]]:
    """Return the numbered migration files in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(match.group(1)), match.group(2), path))
    return found


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed when it ends, rolled back when it (or the commit) raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.TransactionException):  # a failed COMMIT has ended the transaction
            con.execute("ROLLBACK")
        raise


def fill_sites(con: duckdb.DuckDBPyConnection) -> None:
    """Give the articles loaded before sites existed their site (migration 012), in two bulk updates."""
    import pyarrow as pa

    from tasks.site import site_of

    rows = con.execute("""SELECT a.article_id, a.url, s.name FROM articles a JOIN sources s USING (source_id)
                          WHERE a.site IS NULL""").fetchall()
    filled = pa.table({"article_id": pa.array([r[0] for r in rows], pa.string()),  # noqa: F841  (read by name)
                       "site": pa.array([site_of(r[1], r[2]) for r in rows], pa.string())})
    con.execute("UPDATE articles SET site = f.site FROM filled f WHERE articles.article_id = f.article_id")
    con.execute("""UPDATE article_lines SET site = a.site FROM articles a
                   WHERE article_lines.article_id = a.article_id AND article_lines.site IS NULL""")


# Python steps that run inside a migration's transaction, after its SQL (what SQL alone cannot compute)
MIGRATION_STEPS = {12: fill_sites}


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in schema_migrations, each in its own transaction."""
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    known = {version for version, _, _ in list_migrations()}
    if done - known:
        raise SchemaMismatch(f"the warehouse has schema version(s) {sorted(done - known)} that this newsflow does "
                             f"not know (it knows up to {max(known)}): upgrade newsflow or use another warehouse")
    applied = []
    for version, name, path in list_migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            if version in MIGRATION_STEPS:
                MIGRATION_STEPS[version](con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    return applied


def is_lock_error(exc: Exception) -> bool:
    """Tell whether a DuckDB error means another process holds the file's lock."""
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def is_out_of_memory(exc: Exception) -> bool:
    """Tell whether a DuckDB error means the statement or the commit needed more than the memory limit."""
    text = str(exc)  # a failed commit says so in a TransactionException
    return isinstance(exc, duckdb.OutOfMemoryException) or any(
        phrase in text for phrase in ("failed to pin block", "could not allocate block", "Out of Memory"))


SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
              "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text: str) -> int:
    """Return the bytes of a DuckDB-style size such as "128MB", "1GiB" or "512 KB"."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", text.lower())
    if not match or match.group(2) not in SIZE_UNITS | {"": 1}:
        raise ValueError(f"not a size: {text!r} (e.g. 128MB, 1GB)")
    return int(float(match.group(1)) * SIZE_UNITS.get(match.group(2), 1))


def memory_steps(start: str, most: str) -> list[str]:
    """Return the memory limits to try in turn: ``start``, doubled while below ``most``, then ``most``."""
    first, ceiling = parse_size(start), parse_size(most)
    steps, limit = [start], first
    while limit * 2 < ceiling:
        limit *= 2
        steps.append(f"{limit // 10**6}MB")
    return steps + [most] if ceiling > first else steps


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# The storage format a new warehouse file is written in: v1.0.0 is read by every DuckDB from 1.0 to 2.0 (notebooks,
# R, JDBC tools that still ship 1.x); DuckDB 2.0's own format is read by 2.0 only.
STORAGE_VERSION = "v1.0.0"


def connect(path: str | Path, read_only: bool = False, timeout: float = 30.0,
            notify: Callable[[str], None] = _say, memory_limit: str | None = None,
            storage_version: str = STORAGE_VERSION) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer applies pending migrations. Waits up to ``timeout`` s for a lock.

    ``memory_limit`` caps DuckDB's buffers (it spills to a temporary directory beside the file beyond it);
    ``storage_version`` is the format of a file created now (an existing file keeps its own).
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: load one first with `newsflow run SOURCE`")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    delay, told = 0.1, False
    while True:
        try:
            config = {"memory_limit": memory_limit, "temp_directory": str(path.parent / f".{path.stem}.tmp")} \
                if memory_limit else {}
            if not read_only and not path.exists():
                config["storage_compatibility_version"] = storage_version
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            break
        except duckdb.Error as exc:
            if not is_lock_error(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseBusy(
                    f"warehouse {path} is busy: another process holds it (waited {timeout:g} s); try again later"
                ) from None
            if not told:
                notify(f"warehouse {path} is busy (another process is loading), retrying for up to {timeout:g} s")
                told = True
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 2.0)
    con.execute("SET enable_progress_bar = false")
    if not read_only:
        apply_migrations(con)
    elif pending_migrations(con):
        # an older warehouse: upgrade it once through a short writer connection, then read
        con.close()
        connect(path, read_only=False, timeout=timeout, notify=notify).close()
        return connect(path, read_only=True, timeout=timeout, notify=notify)
    return con


@contextlib.contextmanager
def writer_lock(path: str | Path, timeout: float = 600.0, notify: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the warehouse's load lock (a file lock beside it): one load at a time on this machine.

    DuckDB refuses a second writer outright; this lock makes a second run wait its turn instead, with a
    message, and gives up with WarehouseBusy after ``timeout`` seconds.
    """
    lock_path = Path(f"{path}.load.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, told = time.monotonic() + timeout, False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(f"another run has been loading into {path} for over {timeout:g} s") from None
                if not told:
                    notify(f"another run is loading into {path}; waiting for it to finish (up to {timeout:g} s)")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Return the migration versions a warehouse has not applied yet."""
    try:
        done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except duckdb.CatalogException:
        done = set()
    return [version for version, _, _ in list_migrations() if version not in done]
