"""Web stages: discover article pages from feeds, sitemaps and URL lists, then fetch them, in batches."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from tasks.article import Document, Reject
from tasks.config import FetchConfig
from tasks.discover import (Link, UnsafeXml, is_allowed_domain, parse_feed, parse_sitemap, read_url_list,
                            sniff_document, unpack)
from tasks.fetch import Fetcher, FetchError, FetchResult, HostMemory
from tasks.read import DecodeError, decode_bytes
from tasks.urls import BadUrl, checked_url, is_valid_url

MAX_IN_FLIGHT = 32  # requests in flight over all hosts; each host is paced on its own


@dataclass(frozen=True)
class WebSource:
    """A web source to discover pages from."""

    name: str
    kind: str  # feed | sitemap | page | url-list | auto
    location: str
    allowed_domains: tuple = ()
    max_articles: int | None = None
    host_delay: float | None = None
    window: tuple[str, str] | None = None  # ISO dates: only pages the feed or sitemap dates in [start, end]


@dataclass
class FetchState:
    """What earlier runs learned of some URLs."""

    validators: dict[str, tuple] = field(default_factory=dict)  # url -> (etag, last_modified)
    kinds: dict[str, str] = field(default_factory=dict)  # url -> what it was: page, feed, sitemap
    bodies: dict[str, str] = field(default_factory=dict)  # url -> sha256 of its last body in the raw layer


FetchLookup = Callable[[list[str]], FetchState]
RawReader = Callable[[str], bytes]  # sha256 -> body from the raw layer


def no_history(urls: list[str]) -> FetchState:
    return FetchState()


def no_raw(sha256: str) -> bytes:
    raise FileNotFoundError(sha256)


@dataclass
class Discovery:
    """Pages to fetch, pages already fetched while discovering, and every request made."""

    links: list[tuple[str, Link]] = field(default_factory=list)
    validators: dict[str, tuple] = field(default_factory=dict)  # for pages fetched again with --refresh
    read_raw: RawReader = no_raw
    documents: list[Document] = field(default_factory=list)
    fetches: list[tuple[str, FetchResult]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    sitemaps_seen: set = field(default_factory=set)


def host_delays(sources: list[WebSource]) -> dict[str, float]:
    """Return per-host delays from sources that set their own rate limit."""
    return {urlsplit(s.location).hostname or "": s.host_delay for s in sources if s.host_delay is not None}


def document_from(source: str, result: FetchResult) -> Document:
    """Decode a fetched HTML body into a document (header charset, then meta, then detection), with the page's hints
    (what its feed or sitemap and its server said) and when it was captured."""
    text, encoding = decode_bytes(result.body or b"", declared=result.charset)
    url = result.final_url or result.url
    captured = {"captured_at": result.fetched_at.isoformat()} if result.fetched_at else {}
    return Document(source, url, "html", b"", text, encoding, url=url, hints={**result.hints, **captured})


def discover(sources: list[WebSource], config: FetchConfig, lookup: FetchLookup = no_history,
             refresh: bool = False, memory: HostMemory | None = None, read_raw: RawReader = no_raw) -> Discovery:
    """Expand web sources into page links; feeds and sitemaps are fetched conditionally (ETag, Last-Modified).

    ``lookup`` tells what earlier runs fetched; pages fetched before are skipped unless ``refresh``. An unchanged
    sitemap index (304) is read back from the raw layer through ``read_raw`` so its children are still checked.
    ``memory`` carries robots.txt and per-host pacing over to the fetch batches that follow.
    """
    return asyncio.run(_discover(sources, config, lookup, refresh, memory, read_raw))


async def _discover(sources, config, lookup, refresh, memory, read_raw) -> Discovery:
    found = Discovery()
    found.read_raw = read_raw
    async with Fetcher(config, host_delays(sources), memory) as fetcher:
        for source in sources:
            links: list[Link] = []
            if source.kind == "url-list":
                try:
                    with open(source.location, encoding="utf-8") as handle:
                        links = [Link(u) for u in read_url_list(handle.read())]
                except OSError as exc:
                    found.rejects.append(Reject(source.name, source.location, "discover", "not_found", str(exc)))
            elif source.kind == "page" or lookup([source.location]).kinds.get(source.location) == "page":
                links = [Link(source.location)]  # a page (an "auto" URL that was a page last time)
            else:
                links = await _expand(fetcher, source, source.location, source.kind, found, lookup, refresh, 0)
            _add_links(source, links, found, lookup, refresh)
    return found


async def _expand(fetcher, source, url, kind, found, lookup, refresh, depth) -> list[Link]:
    """Fetch a feed, sitemap (index) or unknown URL and return the page links it leads to."""
    if kind == "sitemap" and url.rstrip("/").endswith("/robots.txt"):
        origin = url.rstrip("/")[: -len("/robots.txt")]
        links = []
        for sitemap in await fetcher.robots_sitemaps(origin):
            links += await _expand(fetcher, source, sitemap, "sitemap", found, lookup, refresh, depth + 1)
        return links
    found.sitemaps_seen.add((source.name, url))
    known = lookup([url])
    etag, modified = known.validators.get(url, (None, None))
    result = await fetcher.fetch(url, purpose=known.kinds.get(url, kind) if kind == "auto" else kind,
                                 etag=etag, last_modified=modified)
    found.fetches.append((source.name, result))
    if result.error:
        found.rejects.append(Reject(source.name, url, "fetch", result.error, result.detail))
        return []
    raw = result.body
    if result.not_modified:
        # Unchanged since the last run: nothing new in a feed or urlset (unless --refresh asks for their pages
        # again), but the children of a sitemap index may have changed. The body comes from the raw layer.
        try:
            raw = found.read_raw(known.bodies[url]) if url in known.bodies else None
        except FileNotFoundError:
            raw = None
        if raw is None or not refresh and b"<sitemapindex" not in raw[:4096] and not raw.startswith(b"\x1f\x8b"):
            return []
    try:
        body = unpack(raw or b"", fetcher.config.max_bytes)
    except FetchError as exc:
        found.rejects.append(Reject(source.name, url, "discover", exc.reason, exc.detail))
        return []
    sniffed = sniff_document(body)
    result.purpose = sniffed if kind == "auto" and sniffed in ("feed", "sitemap") else (
        "page" if kind == "auto" and sniffed == "html" else result.purpose)
    try:
        if sniffed == "feed":
            return resolve_links(source, parse_feed(body), url, found)
        if sniffed == "sitemap":
            pages, children = parse_sitemap(body)
            pages = resolve_links(source, pages, url, found)
            children = [link.url for link in resolve_links(source, [Link(c) for c in children], url, found)]
            if result.not_modified and not refresh:
                pages = []  # an unchanged index: only its children are looked at again
            if children and depth >= fetcher.config.max_sitemap_depth:
                found.rejects.append(Reject(source.name, url, "discover", "sitemap_too_deep",
                                            f"sitemap index nested over {fetcher.config.max_sitemap_depth} levels"))
                return pages
            for child in children:
                if (source.name, child) in found.sitemaps_seen:
                    continue  # an index that lists itself or a sibling again: each sitemap is read once per run
                if sum(1 for name, _ in found.sitemaps_seen if name == source.name) >= fetcher.config.max_sitemaps:
                    found.rejects.append(Reject(source.name, child, "discover", "too_many_sitemaps",
                                                f"over {fetcher.config.max_sitemaps} sitemaps read for this source"))
                    continue
                found.sitemaps_seen.add((source.name, child))
                pages += await _expand(fetcher, source, child, "sitemap", found, lookup, refresh, depth + 1)
            return pages
    except UnsafeXml as exc:
        found.rejects.append(Reject(source.name, url, "discover", "unsafe_xml", str(exc)))
        return []
    except Exception as exc:  # feedparser/ElementTree on hostile input: one source, not the run
        found.rejects.append(Reject(source.name, url, "discover", "parse_error", f"{type(exc).__name__}: {exc}"))
        return []
    if kind == "auto" and sniffed == "html":
        try:
            found.documents.append(document_from(source.name, result))
        except DecodeError as exc:
            found.rejects.append(Reject(source.name, url, "read", exc.reason, exc.detail))
        return []
    found.rejects.append(Reject(source.name, url, "discover", "not_a_feed",
                                f"a {kind} URL that is neither a feed nor a sitemap ({result.content_type})"))
    return []


def _add_links(source: WebSource, links: list[Link], found: Discovery, lookup: FetchLookup,
               refresh: bool) -> None:
    known = lookup([link.url for link in links])
    validators = known.validators
    fetched_pages = {url for url, kind in known.kinds.items() if kind == "page"}
    seen, taken = set(), 0
    for link in links:
        if link.url in seen:
            continue
        seen.add(link.url)
        if not is_valid_url(link.url):
            resolve_links(source, [link], None, found)  # records the reject with its reason
        elif not is_allowed_domain(link.url, source.allowed_domains):
            found.rejects.append(Reject(source.name, link.url, "discover", "off_domain",
                                        f"host not in allowed domains {', '.join(source.allowed_domains)}"))
        elif link.url in fetched_pages and not refresh:
            continue  # loaded before: not fetched again unless --refresh
        elif source.window and not is_in_window(link.hints.get("published_at"), source.window):
            continue  # a backfill asks for one date window; other dates belong to other windows
        elif source.max_articles is not None and taken >= source.max_articles:
            found.rejects.append(Reject(source.name, link.url, "discover", "over_max_articles",
                                        f"source limit of {source.max_articles} articles per run reached"))
        else:
            taken += 1
            found.links.append((source.name, link))
            if link.url in validators:
                found.validators[link.url] = validators[link.url]


def resolve_links(source: WebSource, links: list[Link], base: str | None, found: Discovery) -> list[Link]:
    """Return the links made absolute against the document they came from; each malformed one is a reject."""
    good = []
    for link in links:
        try:
            good.append(Link(checked_url(link.url, base), link.hints))
        except BadUrl as exc:
            found.rejects.append(Reject(source.name, str(link.url)[:500], "discover", exc.reason, exc.detail))
    return good


def is_in_window(published: str | None, window: tuple[str, str]) -> bool:
    """Tell whether an ISO date(-time) falls on a day within an inclusive window of ISO dates."""
    return bool(published) and window[0] <= str(published)[:10] <= window[1]


@dataclass
class Fetched:
    documents: list[Document] = field(default_factory=list)
    fetches: list[tuple[str, FetchResult]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def fetch_pages(links: list[tuple[str, Link]], config: FetchConfig, validators: dict[str, tuple],
                delays: dict[str, float] | None = None, memory: HostMemory | None = None,
                on_page: Callable[[str, FetchResult], None] | None = None) -> Fetched:
    """Fetch a batch of article pages concurrently (paced per host) and decode them into documents.

    ``on_page(url, result)`` is called as each page's fetch ends (progress per host).
    """
    return asyncio.run(_fetch_pages(links, config, validators, delays or {}, memory, on_page))


async def _fetch_pages(links, config, validators, delays, memory, on_page=None) -> Fetched:
    out = Fetched()
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    async with Fetcher(config, delays, memory) as fetcher:
        async def one(url):
            async with gate:
                etag, modified = validators.get(url, (None, None))
                result = await fetcher.fetch(url, "page", etag=etag, last_modified=modified)
                if on_page is not None:
                    on_page(url, result)
                return result

        results = await asyncio.gather(*(one(link.url) for _, link in links))
    for (source, link), result in zip(links, results):
        result.hints = {**link.hints, **result.hints}  # (the server's language kept with the page in the raw layer)
        out.fetches.append((source, result))
        if result.error:
            out.rejects.append(Reject(source, link.url, "fetch", result.error, result.detail))
        elif not result.not_modified:
            try:
                out.documents.append(document_from(source, result))
            except DecodeError as exc:
                out.rejects.append(Reject(source, link.url, "read", exc.reason, exc.detail))
    return out
