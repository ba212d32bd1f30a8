"""Resolve settings: defaults < config file < environment < flow parameters."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from tasks.config import SettingError, Settings, merge_settings

CONFIG_FILE = "newsflow.toml"
ENV_PREFIX = "NEWSFLOW_"


def read_config_file(path: str | None) -> dict:
    """Read a TOML settings file; the default ``newsflow.toml`` may be absent, a named one may not."""
    candidate = Path(path) if path else Path(CONFIG_FILE)
    if not candidate.exists():
        if path:
            raise SettingError(f"config file not found: {path}")
        return {}
    try:
        with open(candidate, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingError(f"config file {candidate} cannot be read: {exc}") from None


def read_env(environ: dict[str, str]) -> dict:
    """Read NEWSFLOW_<SETTING> (warehouse, batch_size, workers, load_memory[_max], storage_version) and
    NEWSFLOW_<SECTION>__<KEY> overrides."""
    overrides: dict = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key in (ENV_PREFIX + "CONFIG",):
            continue
        name = key[len(ENV_PREFIX):].lower()
        if "__" in name:
            section, field = name.split("__", 1)
            overrides.setdefault(section, {})[field] = value
        elif name in ("warehouse", "batch_size", "workers", "load_memory", "load_memory_max", "storage_version"):
            overrides[name] = value
    return overrides


def resolve_settings(config_file: str | None = None, overrides: dict | None = None,
                     environ: dict[str, str] | None = None) -> Settings:
    """Build the settings of a run from every layer, the later winning."""
    environ = dict(os.environ) if environ is None else environ
    settings = Settings()
    path = config_file or environ.get(ENV_PREFIX + "CONFIG")
    from_file = read_config_file(path)
    from_file.pop("sources", None)  # the [[sources]] of a config file are read by flows/sources.py
    settings = merge_settings(settings, from_file, lambda name: f"in {path or CONFIG_FILE}")
    settings = merge_settings(settings, read_env(environ),
                              lambda name: "from " + ENV_PREFIX + name.upper().replace(".", "__"))
    settings = merge_settings(settings, {k: v for k, v in (overrides or {}).items() if v is not None},
                              lambda name: "as a parameter")
    check_sizes(settings)
    return settings


def check_sizes(settings: Settings) -> None:
    """Refuse a memory setting DuckDB could not take, naming it (else the run would fail only at its load)."""
    from warehouse.connection import parse_size

    for name in ("load_memory", "load_memory_max"):
        try:
            parse_size(getattr(settings, name))
        except ValueError:
            raise SettingError(f"setting {name} must be a size such as 256MB, not {getattr(settings, name)!r}"
                               ) from None
