"""The backfill flow: a date window from dated WARC files or sitemaps, one item per transaction."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
from prefect import flow

from flows.ingest import plan_run, read_sources, reading_context
from flows.run_state import RunState
from flows.sources import SourceSpec, specs_from_arguments
from tasks.article import hash_text
from tasks.errors import TerminalError
from tasks.sources.warc import is_archive
from warehouse.state import read_done_items

WARC_DATE = re.compile(r"(20\d{2})(\d{2})(\d{2})")


def warc_files_in_window(directory: str, start: str, end: str) -> list[Path]:
    """Return the WARC files of a directory whose name carries a date (YYYYMMDD) within the window."""
    found = []
    for path in sorted(Path(directory).iterdir()):
        match = WARC_DATE.search(path.name)
        if is_archive(path) and match and start <= f"{match.group(1)}-{match.group(2)}-{match.group(3)}" <= end:
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
            # a WARC item is read whole (the backfill records what it has done); a sitemap by its dates
            read_sources(state, [spec], reading_context(state, refresh=spec.kind == "warc", window=window))
            progress = pa.table({"backfill_id": [backfill_id], "item": [item], "run_id": [state.run_id],
                                 "finished_at": pa.array([datetime.now(timezone.utc)], pa.timestamp("us", "UTC"))})
            summary = state.load(extra={"backfill_items": progress})
        totals["done"] += 1
        for key in ("articles", "new_articles", "duplicates", "rejects"):
            totals[key] += summary[key]
    return {"backfill_id": backfill_id, "window": list(window), "items": len(items), **totals}
