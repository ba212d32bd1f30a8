"""The ingest flow: every source, of every kind, read by its reader (tasks/sources) in one loop.

A reader lists its work and yields batches (decoded documents or local files to read, rejects, requests,
files read); the run state parses, cleans, signs and stages each batch; one load task merges the run at the
end in one transaction. The Prefect tasks are in flows/stages.py, the run state in flows/run_state.py.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from prefect import flow

from flows.progress import say
from flows.run_state import RunState, raw_root
from flows.settings import read_config_file, resolve_settings
from flows.sources import SourceSpec, specs_from_arguments, specs_from_config
from flows.stages import discover_task, fetch_task
from tasks.config import Settings
from tasks.errors import TerminalError
from tasks.sources import READERS, Context
from warehouse.raw import RawStore
from warehouse.state import read_fetch_state, read_file_state, read_raw_pages


def reading_context(state: RunState, refresh: bool = False, window: tuple[str, str] | None = None) -> Context:
    """Return what readers read through: the warehouse's records of earlier runs, the raw layer, the tasks, the
    run's progress bars."""
    options = state.options
    warehouse = options.warehouse
    return Context(options, refresh,
                   known_files=lambda locations: read_file_state(warehouse, locations),
                   fetch_state=lambda urls: read_fetch_state(warehouse, urls),
                   raw_pages=lambda source: read_raw_pages(warehouse, source),
                   raw=RawStore(raw_root(warehouse)), discover=discover_task, fetch=fetch_task, say=say,
                   tick=state.progress.advance, watch_fetch=state.progress.watch_fetch, window=window)


def read_sources(state: RunState, specs: list[SourceSpec], context: Context) -> None:
    """Read every source with the reader of its kind, in one loop, and process its batches."""
    for spec in specs:
        state.sources.setdefault(spec.name, {"kind": spec.kind, "location": spec.location})
    for reader in READERS:
        mine = [spec for spec in specs if spec.kind in reader.kinds]
        if mine:
            state.run_batches(reader.batches(mine, context))


@flow(name="ingest", log_prints=False)
def ingest(sources: list[str] | None = None, warehouse: str | None = None, name: str | None = None,
           batch_size: int | None = None, config_file: str | None = None, settings: dict | None = None,
           urls_file: str | None = None, refresh: bool = False, allow_networks: list[str] | None = None,
           kinds: list[str] | None = None, parallel: int = 1, config_sources: bool | None = None) -> dict:
    """Ingest sources (files, directories, URLs of feeds, sitemaps or pages, WARC files or crawl folders).

    ``kinds`` keeps only the config file's sources of those kinds (e.g. ["feed"] for an hourly run);
    ``parallel`` splits per-document stages over that many task-runner workers (see ``newsflow run --runner``);
    ``config_sources``: whether the config file's [[sources]] are read too. By default they are when no
    ``sources`` or ``urls_file`` are given: a run triggered with sources reads those sources (its settings still
    come from the config file).
    """
    options, specs = plan_run(sources, warehouse, name, batch_size, config_file, settings, urls_file,
                              allow_networks, kinds, config_sources)
    with RunState(options, name, [s.location for s in specs], parallel) as state:
        read_sources(state, specs, reading_context(state, refresh))
        return state.load()


def plan_run(sources, warehouse, name, batch_size, config_file, settings, urls_file, allow_networks,
             kinds, config_sources: bool | None = None) -> tuple[Settings, list[SourceSpec]]:
    """Resolve settings and source specs; a configuration that cannot work is a TerminalError."""
    overrides = {**(settings or {}), "warehouse": warehouse, "batch_size": batch_size}
    if allow_networks:
        overrides["fetch"] = {**overrides.get("fetch", {}), "allow_networks": tuple(allow_networks)}
    try:
        options = resolve_settings(config_file, overrides)  # a bad size fails now, not at the load
        specs = specs_from_arguments(sources or [], urls_file, name)
        if config_sources is None:
            config_sources = not specs
        if config_file and config_sources:
            specs += specs_from_config(read_config_file(config_file), Path(config_file).resolve().parent)
    except (ValueError, TypeError, OSError, tomllib.TOMLDecodeError) as exc:
        raise TerminalError(f"bad configuration: {exc}") from None
    if kinds:
        specs = [s for s in specs if s.kind in kinds]
    if not specs:
        raise TerminalError("nothing to ingest: give SOURCE arguments, --urls FILE, or a config file with "
                            "[[sources]]" + (f" of kind {', '.join(kinds)}" if kinds else ""))
    return options, specs
