"""Source specifications: from command-line arguments, a URL list, or the [[sources]] of a config file."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tasks.read import discover_files, kind_of
from tasks.sources.warc import is_archive

KINDS = ("directory", "file", "feed", "sitemap", "page", "url-list", "warc", "auto")  # raw: reprocess only
WEB_KINDS = ("feed", "sitemap", "page", "url-list", "auto")


@dataclass(frozen=True)
class SourceSpec:
    """One named source and its settings, as a scheduled run or a command line gives it."""

    name: str
    kind: str
    location: str
    allowed_domains: tuple = ()
    max_articles: int | None = None
    rate_limit: float | None = None  # seconds between requests to the source's host
    enabled: bool = True

    @property
    def is_web(self) -> bool:
        return self.kind in WEB_KINDS


def is_url(text: str) -> bool:
    return urlsplit(text).scheme in ("http", "https")


def is_warc(path: str) -> bool:
    return is_archive(path)


def is_crawl_folder(path: Path, look: int = 200) -> bool:
    """Tell whether a folder holds a crawl: WARC/ARC files and no other file newsflow reads (first ``look`` files)."""
    kinds = {kind_of(file) for file in itertools.islice(discover_files(str(path)), look)} - {None}
    return kinds == {"warc"}


def specs_from_arguments(sources: list[str], urls_file: str | None = None, name: str | None = None) -> list[SourceSpec]:
    """Turn command-line SOURCE arguments (paths, URLs, WARC files) and --urls into specs."""
    specs = []
    for source in sources:
        if is_url(source):
            specs.append(SourceSpec(name or urlsplit(source).hostname or source, "auto", source))
        elif is_warc(source):
            specs.append(SourceSpec(name or Path(source).resolve().parent.name, "warc", source))
        else:
            path = Path(source)
            default = path.resolve().name if path.is_dir() else path.resolve().parent.name
            kind = ("warc" if is_crawl_folder(path) else "directory") if path.is_dir() else "file"
            specs.append(SourceSpec(name or default, kind, source))
    if urls_file:
        specs.append(SourceSpec(name or Path(urls_file).stem, "url-list", urls_file))
    return specs


def specs_from_config(config: dict, base: Path | None = None) -> list[SourceSpec]:
    """Read the enabled [[sources]] of a config file; relative paths are taken from the file's folder."""
    specs = []
    for entry in config.get("sources", []):
        unknown = set(entry) - {"name", "kind", "location", "allowed_domains", "max_articles", "rate_limit",
                                "enabled"}
        if unknown:
            raise ValueError(f"unknown key(s) in [[sources]] {entry.get('name')!r}: {', '.join(sorted(unknown))}")
        kind = entry.get("kind", "auto")
        if kind not in KINDS:
            raise ValueError(f"source {entry.get('name')!r}: kind must be one of {', '.join(KINDS)}")
        location = str(entry["location"])
        if not is_url(location) and base is not None and not Path(location).is_absolute():
            location = str(base / location)
        spec = SourceSpec(str(entry["name"]), kind, location, tuple(entry.get("allowed_domains", ())),
                          entry.get("max_articles"), entry.get("rate_limit"), bool(entry.get("enabled", True)))
        if spec.enabled:
            specs.append(spec)
    return specs
