"""Discovery: turn feeds, sitemaps, URL lists and WARC files into the article pages to ingest."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from tasks.fetch import inflate_capped

GZIP_MAGIC = b"\x1f\x8b"


class UnsafeXml(Exception):
    """XML with entity declarations or external references: refused (billion laughs, XXE)."""


@dataclass
class Link:
    """A page URL found by discovery, with what the feed or sitemap said about it."""

    url: str
    hints: dict = field(default_factory=dict)  # title, published_at, author from the feed or sitemap


def local_name(tag: str) -> str:
    """Return an XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def parse_safe_xml(body: bytes):
    """Parse XML refusing DTD entities and external references."""
    try:
        return SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"{type(exc).__name__}: {exc}") from None


def unpack(body: bytes, limit: int) -> bytes:
    """Return the body, gunzipped (with a size cap) when it is a gzip file such as sitemap.xml.gz."""
    return inflate_capped(body, limit) if body.startswith(GZIP_MAGIC) else body


def sniff_document(body: bytes) -> str:
    """Tell a fetched document's kind from its start: feed, sitemap, html or unknown."""
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head:
        return "html"
    return "unknown"


def _iso(parsed) -> str | None:
    if not parsed:
        return None
    return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()


def parse_feed(body: bytes) -> list[Link]:
    """Return the entry links of an RSS 0.9x/1.0/2.0 or Atom feed, with title, date and author hints."""
    parse_safe_xml(body)  # refuse entity tricks before feedparser sees the bytes
    feed = feedparser.parse(body)
    links = []
    for entry in feed.entries:
        url = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        if not url:
            continue
        hints = {"title": entry.get("title"), "author": entry.get("author"),
                 "published_at": _iso(entry.get("published_parsed") or entry.get("updated_parsed"))}
        links.append(Link(url.strip(), {k: v for k, v in hints.items() if v}))
    return links


def parse_sitemap(body: bytes) -> tuple[list[Link], list[str]]:
    """Return (page links, child sitemap URLs) of a urlset or sitemap index, Google News tags included."""
    root = parse_safe_xml(body)
    pages, children = [], []
    kind = local_name(root.tag)
    for item in root:
        fields: dict[str, str] = {}
        for child in item.iter():
            name = local_name(child.tag)
            if child.text and child.text.strip() and name not in fields:
                fields[name] = child.text.strip()
        if "loc" not in fields:
            continue
        if kind == "sitemapindex":
            children.append(fields["loc"])
        else:
            hints = {"title": fields.get("title"),
                     "published_at": fields.get("publication_date") or fields.get("lastmod")}
            pages.append(Link(fields["loc"], {k: v for k, v in hints.items() if v}))
    return pages, children


def read_url_list(text: str) -> list[str]:
    """Return the URLs of a list file: one per line, blank lines and # comments ignored."""
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def is_allowed_domain(url: str, domains: tuple | list) -> bool:
    """Tell whether a URL's host is one of the allowed domains or under one (no list: any host)."""
    if not domains:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
