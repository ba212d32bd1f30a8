"""The publisher of an article (its site), the unit of analysis beside the source.

``source`` is where a run got its input (a folder, a feed, a WARC crawl of 200 outlets); ``site`` is who
published the article: the registrable domain of its canonical URL (``derstandard.at``, ``bbc.co.uk``, by the
Public Suffix List), renamed by the ``[sites]`` table of the config file (a publisher with several domains:
``"bbc.com" = "bbc.co.uk"``), and for local text files without a URL the source's configured name.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=1)
def _suffix_list():
    from publicsuffixlist import PublicSuffixList  # the list ships with the package: no network

    return PublicSuffixList()


@lru_cache(maxsize=65536)
def registrable_domain(url: str | None) -> str | None:
    """Return the registrable domain of a web URL ("https://www.bbc.co.uk/news/x" -> "bbc.co.uk"), else None.

    An IP address or a single-label host ("localhost") is its own site; a file URI has none.
    """
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if "." not in host:
        return host
    return _suffix_list().privatesuffix(host) or host


def site_of(url: str | None, fallback: str, sites: dict[str, str] | None = None) -> str:
    """Return the site of an article: its URL's registrable domain (renamed by ``sites``), else ``fallback``."""
    domain = registrable_domain(url)
    if domain is None:
        return fallback
    if sites:
        host = (urlsplit(url or "").hostname or "").lower()
        return sites.get(host) or sites.get(domain) or domain
    return domain
