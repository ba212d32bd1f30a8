"""The reprocess flow: rebuild web and WARC articles from the raw layer with the current rules, without network."""
from __future__ import annotations

from prefect import flow

from flows.ingest import read_sources, reading_context
from flows.run_state import RunState
from flows.settings import resolve_settings
from flows.sources import SourceSpec


@flow(name="reprocess", log_prints=False)
def reprocess(source: str | None = None, warehouse: str | None = None, batch_size: int | None = None,
              config_file: str | None = None, settings: dict | None = None) -> dict:
    """Read every stored page (of one source) again from the raw layer and load what the rules make of it."""
    options = resolve_settings(config_file, {**(settings or {}), "warehouse": warehouse, "batch_size": batch_size})
    spec = SourceSpec(f"raw:{source or 'all'}", "raw", source or "")
    with RunState(options, f"reprocess:{source or 'all'}", [f"raw:{source or 'all'}"]) as state:
        read_sources(state, [spec], reading_context(state))
        state.sources.pop(spec.name, None)  # the pages keep the sources they came from
        return state.load()
