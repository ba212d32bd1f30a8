"""The one place where URLs from remote input are parsed and validated.

Feeds, sitemaps, URL lists, redirects and canonical links all go through ``checked_url``: a relative link is
resolved against the document it came from; anything that is not an absolute http(s) URL with a host (and a
port that exists) is refused with a reason, so it costs its item, never the run.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
HOST = re.compile(r"^(?:[\w-]+\.)*[\w-]+\.?$|^[0-9a-f:.]+$", re.IGNORECASE)  # a domain (IDN letters too) or an IP
MAX_URL_CHARS = 4096


class BadUrl(ValueError):
    """A URL newsflow will not follow; ``reason`` is the reject reason (bad_url, bad_scheme)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def checked_url(url, base: str | None = None) -> str:
    """Return an absolute http(s) URL (``url`` resolved against ``base``), or raise BadUrl saying why not."""
    if not isinstance(url, str):
        raise BadUrl("bad_url", f"not a URL: {type(url).__name__}")
    text = url.strip()
    if not text:
        raise BadUrl("bad_url", "an empty link")
    if len(text) > MAX_URL_CHARS:
        raise BadUrl("bad_url", f"a URL of {len(text)} characters (at most {MAX_URL_CHARS})")
    if CONTROL.search(text) or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise BadUrl("bad_url", "control characters or invalid Unicode in the URL")
    try:
        if base:
            text = urljoin(base, text)
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise BadUrl("bad_scheme", f"only http and https links are followed, not {scheme or 'a relative link'!r}")
        host = parts.hostname
        parts.port  # raises ValueError for a port out of range or not a number
    except BadUrl:
        raise
    except ValueError as exc:
        raise BadUrl("bad_url", f"{exc}: {text[:200]}") from None
    if not host:
        raise BadUrl("bad_url", f"no host in {text[:200]}")
    if not HOST.match(host):
        raise BadUrl("bad_url", f"host {host[:100]!r} is not a domain name or an address")
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise BadUrl("bad_url", f"host {host[:100]!r} is not a valid domain name: {exc}") from None
    return text


def is_valid_url(url, base: str | None = None) -> bool:
    """Tell whether ``checked_url`` accepts a URL."""
    try:
        checked_url(url, base)
        return True
    except BadUrl:
        return False
