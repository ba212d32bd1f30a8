"""Tunable thresholds of the stages, passed to them as parameters (never read from the environment here)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Callable

DATA_DIR = Path(__file__).parent / "data"  # heuristics as data: word lists, phrases, thresholds (TOML)


@lru_cache(maxsize=16)
def read_data_file(path: str | Path) -> dict:
    """Return a TOML data file of the stages, parsed once per process (several loaders read metadata.toml)."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class ReadConfig:
    max_file_bytes: int = 10 * 1024 * 1024
    max_control_ratio: float = 0.02  # share of control characters that makes decoded text "binary"
    include_hidden: bool = False  # read hidden files and folders (names starting with "."); else skipped and counted


@dataclass(frozen=True)
class CleanConfig:
    rules_file: str = ""  # empty: the bundled tasks/data/boilerplate.toml
    headline_max_words: int = 16  # a "headline-like" line: no sentence end and at most this many words
    context_max_lines: int = 3  # at most this many headline-like lines go with the boilerplate around them
    learn_min_stories: int = 3  # a line recurring in this many different stories of a source is boilerplate
    learn_max_chars: int = 400  # longer paragraphs are never learned as boilerplate
    learn_same_story: float = 0.5  # weighted line overlap above which two articles are one story
    learn_sample: int = 48  # articles examined per candidate line
    learn_run_articles: int = 200  # latest articles per source a run remembers for its later batches


@dataclass(frozen=True)
class LanguageConfig:
    min_letters: int = 20  # fewer letters than this: "und"
    min_probability: float = 0.5  # a best guess below this: "und"
    paragraph_min_letters: int = 60  # shorter paragraphs take the article's language (a CJK character: two letters)
    paragraph_min_probability: float = 0.8  # a paragraph guess below this takes the article's language
    verify: bool = True  # check the article's language by its function words and letters (tasks/data/languages.toml)
    headline_weight: float = 0.25  # the headline's language adds this to its share of the letters (near ties)
    declared_weight: float = 0.25  # so does the language the page declares (<html lang>, og:locale, Content-Language)


@dataclass(frozen=True)
class DedupConfig:
    shingle_words: int = 2
    num_perm: int = 120
    bands: int = 24  # rows per band = num_perm / bands (5): few false candidates; copies above Jaccard 0.7 all found
    near_threshold: float = 0.5  # estimated Jaccard at or above which two articles are copies
    paragraph_min_words: int = 8  # shorter paragraphs get no fingerprint (too common to tell stories apart)
    containment_threshold: float = 0.9  # share of a text's paragraph words found in another: a partial copy
    containment_min_words: int = 15  # a partial copy must carry at least this much fingerprinted text
    max_bucket: int = 32  # groups compared per LSH band or paragraph key, earliest first (keeps dedup near-linear)
    min_fact_share: float = 0.7  # share of the facts (numbers, names) a copy keeps; fewer: a template sibling
    min_facts: int = 4  # texts stating at least this many numbers less one are also judged by their numbers alone
    all_facts_below: int = 6  # a copy of a text stating fewer facts than this keeps every one (a short report's price)
    family_min_share: float = 0.3  # share of the skeleton words (sentences, facts masked) a template sibling shares
    load_group: int = 10_000  # staged articles the load looks up in the warehouse together (one scan of its keys)
    seed: int = 1


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow; news research crawler)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024  # after decompression
    retries: int = 3  # further attempts after the first, on connection errors, 429 and 5xx
    backoff_base: float = 0.5  # seconds; doubles each attempt, with jitter
    backoff_max: float = 30.0
    retry_after_max: float = 60.0  # a longer Retry-After gives up instead of waiting
    host_concurrency: int = 2  # requests in flight to one host
    host_delay: float = 1.0  # seconds between requests to one host (robots.txt Crawl-delay may raise it)
    respect_robots: bool = True
    allow_networks: tuple = ()  # CIDRs that may be fetched although private/loopback (e.g. "127.0.0.0/8")
    max_sitemap_depth: int = 3
    max_sitemaps: int = 500  # sitemaps read per source and run (an index listing variants of itself stops here)
    request_deadline: float = 60.0  # seconds for one request, connect to last byte (a slow drip ends here)
    host_max_failures: int = 5  # a host failing this many requests in a row (timeouts, refused) is skipped this run


@dataclass(frozen=True)
class Settings:
    warehouse: str = "data/newsflow.duckdb"
    batch_size: int = 1000
    workers: int = 0  # processes for the per-document stages; 0: one per core, 1: in the flow's process
    load_memory: str = "256MB"  # DuckDB's memory during a load (at least: the last load's, when more); it spills beyond
    load_memory_max: str = "1GB"  # a load that runs out is tried again with twice the memory, up to this
    storage_version: str = "v1.0.0"  # DuckDB storage format of a new warehouse: v1.0.0 is read by DuckDB 1.0-2.0
    fetch: FetchConfig = field(default_factory=FetchConfig)
    read: ReadConfig = field(default_factory=ReadConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    sites: dict = field(default_factory=dict)  # [sites]: domain or host -> site name (one publisher, many domains)


class SettingError(ValueError):
    """A setting whose name or value cannot be used: the message names the setting and where it came from."""


KIND_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text", tuple: "a list"}


Origin = Callable[[str], str]  # a setting's dotted name -> where it came from ("from NEWSFLOW_BATCH_SIZE")


def _cast(current, value, name: str = "", origin: Origin | None = None):
    """Convert a setting from a file or the environment to the type of its default."""
    try:
        if isinstance(current, bool) and isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(current, tuple):
            return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else tuple(value)
        if isinstance(current, (int, float)) and isinstance(value, bool):
            raise TypeError("a boolean is not a number")
        return type(current)(value)
    except (TypeError, ValueError):
        kind = KIND_NAMES.get(type(current), type(current).__name__)
        raise SettingError(f"setting {name} must be {kind}, not {value!r}{_told(origin, name)}") from None


def _told(origin: Origin | None, name: str) -> str:
    """Say where a setting came from, in parentheses (nothing when unknown)."""
    return f" ({origin(name)})" if origin else ""


def merge_settings(base: Settings, overrides: dict, origin: Origin | None = None) -> Settings:
    """Return ``base`` with nested ``overrides`` applied; a name or value that cannot be used raises SettingError
    naming it (``origin`` says where the overrides came from: a file, NEWSFLOW_* variables, parameters)."""
    values = {}
    for f in fields(base):
        current = getattr(base, f.name)
        if f.name not in overrides:
            values[f.name] = current
            continue
        new = overrides[f.name]
        if hasattr(current, "__dataclass_fields__"):
            if not isinstance(new, dict):
                raise SettingError(f"setting [{f.name}] must be a table{_told(origin, f.name)}")
            known = {g.name: g.type for g in fields(current)}
            unknown = set(new) - set(known)
            if unknown:
                raise SettingError(f"unknown setting(s) in [{f.name}]: {', '.join(sorted(unknown))}"
                                   f"{_told(origin, f.name + '.' + sorted(unknown)[0])}")
            cast = {k: _cast(getattr(current, k), v, f"{f.name}.{k}", origin) for k, v in new.items()}
            values[f.name] = type(current)(**{**current.__dict__, **cast})
        elif isinstance(current, dict):
            if not isinstance(new, dict) or not all(isinstance(v, str) for v in new.values()):
                raise SettingError(f"setting [{f.name}] must be a table of names{_told(origin, f.name)}")
            values[f.name] = {str(k).lower(): v for k, v in new.items()}
        else:
            values[f.name] = _cast(current, new, f.name, origin)
    unknown = set(overrides) - {f.name for f in fields(base)}
    if unknown:
        raise SettingError(f"unknown setting(s): {', '.join(sorted(unknown))}{_told(origin, sorted(unknown)[0])}")
    return Settings(**values)
