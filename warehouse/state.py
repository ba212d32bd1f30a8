"""What earlier runs recorded, read through short read-only connections while a run goes on (no writer lock)."""
from __future__ import annotations

from pathlib import Path

from tasks.clean import SourceHistory
from tasks.web import FetchState
from warehouse.connection import connect
from warehouse.load import fetch_source_history, fetch_state, file_state, raw_pages


def _read(warehouse: str, empty, query, *args):
    """Run one read on a short read-only connection; a warehouse that does not exist yet knows nothing."""
    if not Path(warehouse).exists():
        return empty
    con = connect(warehouse, read_only=True, timeout=300)
    try:
        return query(con, *args)
    finally:
        con.close()


def read_history(warehouse: str, lines: dict[str, set[str]], sample: int) -> dict[str, SourceHistory]:
    """Return what the warehouse knows of these lines, per site (learned boilerplate)."""
    return _read(warehouse, {}, fetch_source_history, lines, sample) if lines else {}


def read_file_state(warehouse: str, locations: list[str]) -> dict[str, tuple]:
    """Return (size, mtime_ns, ctime_ns, read_to) of local files as earlier runs read them."""
    return _read(warehouse, {}, file_state, locations) if locations else {}


def read_fetch_state(warehouse: str, urls: list[str]) -> FetchState:
    """Return what earlier runs learned of URLs (validators, kinds, raw-layer bodies)."""
    return _read(warehouse, FetchState(), fetch_state, urls) if urls else FetchState()


def read_raw_pages(warehouse: str, source: str | None = None) -> list[dict]:
    """Return the latest stored body of every web page and WARC record (of one source)."""
    return _read(warehouse, [], raw_pages, source)


def read_done_items(warehouse: str, backfill_id: str) -> set[str]:
    """Return the items of a backfill already loaded."""
    def done(con, key):
        return {row[0] for row in con.execute("SELECT item FROM backfill_items WHERE backfill_id = ?",
                                              [key]).fetchall()}
    return _read(warehouse, set(), done, backfill_id)
