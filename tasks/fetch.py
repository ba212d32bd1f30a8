"""Fetch stage: polite and safe HTTP(S) downloads with retries, size caps and conditional requests.

One ``Fetcher`` serves a whole batch: it keeps robots.txt per origin, paces each host (at most
``host_concurrency`` requests in flight and ``host_delay`` seconds between their starts), checks every
address before connecting (also after each redirect), and never reads more than ``max_bytes``.
"""
from __future__ import annotations

import asyncio
import email.utils
import hashlib
import ipaddress
import random
import socket
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpcore
import httpx
from protego import Protego

from tasks.config import FetchConfig
from tasks.urls import BadUrl, checked_url

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
                       "application/rdf+xml", "application/x-gzip", "application/gzip", "application/octet-stream"})
ACCEPT = {"page": HTML_TYPES, "feed": XML_TYPES | HTML_TYPES, "sitemap": XML_TYPES | {"text/plain"},
          "auto": HTML_TYPES | XML_TYPES, "robots": frozenset({"text/plain"})}
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
UNREACHABLE = frozenset({"timeout", "connection_error", "dns_error"})  # errors that count towards host_down


class FetchError(Exception):
    """A request that cannot succeed; ``reason`` becomes the reject reason."""

    def __init__(self, reason: str, detail: str, transient: bool = False, retry_after: float | None = None):
        super().__init__(detail)
        self.reason, self.detail, self.transient, self.retry_after = reason, detail, transient, retry_after


@dataclass
class FetchResult:
    """What one request (with its redirects and retries) produced."""

    url: str
    purpose: str
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    charset: str | None = None
    body: bytes | None = None
    sha256: str | None = None
    size: int = 0
    attempts: int = 0
    error: str | None = None
    detail: str = ""
    hints: dict = field(default_factory=dict)  # what a feed or sitemap said of the page (and the server's language)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def parse_networks(cidrs) -> list:
    """Parse allow-listed networks ("127.0.0.0/8", "::1/128")."""
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def is_blocked_address(address: str, allowed: list) -> bool:
    """Tell whether an IP address is private, loopback, link-local, multicast or reserved and not allowed."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed):
        return False
    return not ip.is_global or ip.is_multicast or ip.is_reserved


async def check_url(url: str, allowed: list) -> None:
    """Refuse malformed URLs, non-HTTP schemes and hosts that resolve to addresses newsflow must not reach."""
    try:
        parts = urlsplit(checked_url(url))
    except BadUrl as exc:
        raise FetchError(exc.reason, exc.detail) from None
    await resolve_allowed(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), allowed)


def server_of(url: str) -> str:
    """Return the server a URL is asked of: host and port, lower-case ("" for a URL that does not parse); another
    port of a machine is another server."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


async def resolve_allowed(host: str, port: int, allowed: list) -> list[str]:
    """Return the addresses of a host, refusing it (``blocked_address``) when any is not public and not allowed."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("dns_error", f"cannot resolve {host}: {exc}", transient=True) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if is_blocked_address(address, allowed):
            raise FetchError("blocked_address", f"{host} resolves to {address}, a non-public address "
                                                "(allow it with --allow-network)")
    return addresses


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address check at connect time, on the address connected to.

    check_url resolves a host to refuse private addresses early, with a clear reason; a host whose DNS answer
    changes between that check and the connection (DNS rebinding) would still reach a private address if the
    connection resolved the name again. Here the name is resolved once more, every address is checked, and the
    socket is opened to a checked address; TLS still verifies the certificate against the host name.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allowed: list):
        self.inner, self.allowed = inner, allowed

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_allowed(host, port, self.allowed)
        for address in addresses[:-1]:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue  # the next address of the host (IPv4 after an unreachable IPv6)
        return await self.inner.connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, *args, **kwargs):
        raise FetchError("bad_scheme", "unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def checked_transport(allowed: list, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """Return httpx's transport whose connections go only to addresses that passed the check (CheckedBackend)."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
    # httpx builds its httpcore pool without a backend parameter; the pool's backend is set once, before any use
    # (httpx and httpcore are pinned in the lock file; tests/test_web.py fails if this stops taking effect)
    transport._pool._network_backend = CheckedBackend(transport._pool._network_backend, allowed)
    return transport


def inflate_capped(data: bytes, limit: int, encoding: str = "gzip") -> bytes:
    """Decompress gzip or deflate data, refusing output beyond ``limit`` bytes (decompression bombs)."""
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise FetchError("too_large", f"decompresses to more than {limit} bytes")
    return out + inflater.flush()


class _StreamInflater:
    """Incremental Content-Encoding decoder with an output cap."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self.inflater = None
        if encoding in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS)
        elif encoding not in ("", "identity"):
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes, budget: int) -> bytes:
        if self.inflater is None:
            return chunk
        try:
            return self.inflater.decompress(chunk, budget + 1)
        except zlib.error as exc:
            raise FetchError("bad_encoding", f"corrupt {self.encoding} stream: {exc}") from None


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks to wait (seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def content_type_of(header: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset)."""
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


@dataclass
class HostMemory:
    """What a run remembers about hosts across batches: robots.txt rules, delays and when each may be asked next."""

    robots: dict[str, Protego | None] = field(default_factory=dict)  # origin -> rules (None: no robots.txt)
    next_start: dict[str, float] = field(default_factory=dict)  # host -> time.monotonic() of its next request
    delays: dict[str, float] = field(default_factory=dict)  # host -> seconds between requests
    robots_notes: dict[str, tuple] = field(default_factory=dict)  # origin -> (reason, detail): why all is disallowed
    failures: dict[str, int] = field(default_factory=dict)  # host -> requests failed in a row (unreachable)


class HostPacer:
    """At most N requests in flight per host, and a minimum delay between the starts of its requests."""

    def __init__(self, concurrency: int, delay: float, memory: HostMemory):
        self.concurrency, self.delay = concurrency, delay
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.next_start = memory.next_start
        self.delays = memory.delays

    def set_delay(self, host: str, delay: float) -> None:
        """Raise a host's delay (e.g. to its robots.txt Crawl-delay), also for the request already planned."""
        old = self.delays.get(host, self.delay)
        self.delays[host] = max(old, delay)
        if host in self.next_start:
            self.next_start[host] += self.delays[host] - old

    async def acquire(self, host: str) -> asyncio.Semaphore:
        slot = self.slots.setdefault(host, asyncio.Semaphore(self.concurrency))
        await slot.acquire()
        async with self.locks.setdefault(host, asyncio.Lock()):
            now = time.monotonic()
            start = max(now, self.next_start.get(host, now))
            self.next_start[host] = start + self.delays.get(host, self.delay)
        if start > now:
            await asyncio.sleep(start - now)
        return slot


class Fetcher:
    """Fetches URLs for one batch; use ``async with Fetcher(config) as f: await f.fetch(url)``."""

    def __init__(self, config: FetchConfig, host_delays: dict[str, float] | None = None,
                 memory: HostMemory | None = None):
        self.config = config
        self.allowed = parse_networks(config.allow_networks)
        memory = memory if memory is not None else HostMemory()
        self.pacer = HostPacer(config.host_concurrency, config.host_delay, memory)
        for host, delay in (host_delays or {}).items():
            if host not in memory.delays:
                self.pacer.set_delay(host, delay)
        self.robots = memory.robots
        self.robots_notes = memory.robots_notes
        self.failures = memory.failures
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.agent_token = config.user_agent.split("/")[0]
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            follow_redirects=False, trust_env=False,
            transport=checked_transport(self.allowed, httpx.Limits(max_connections=64, max_keepalive_connections=16)),
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"})

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()

    async def fetch(self, url: str, purpose: str = "page", etag: str | None = None,
                    last_modified: str | None = None) -> FetchResult:
        """Fetch one URL with retries; errors come back in the result, never as exceptions.

        A host whose last ``host_max_failures`` requests all failed to connect or answer (timeouts, refused
        connections, DNS) is not asked again in this run: its remaining URLs fail at once with ``host_down``.
        """
        result = FetchResult(url=url, purpose=purpose)
        host = server_of(url)
        failed = self.failures.get(host, 0)
        if host and failed >= self.config.host_max_failures:
            result.error = "host_down"
            result.detail = (f"{host} failed to answer {failed} requests in a row in this run; its other URLs wait "
                             "for the next run (fetch.host_max_failures)")
            return result
        await self._fetch_with_retries(url, purpose, etag, last_modified, result)
        if host and result.error in UNREACHABLE:
            self.failures[host] = self.failures.get(host, 0) + 1
        elif host and result.error is None:
            self.failures[host] = 0
        return result

    async def _fetch_with_retries(self, url: str, purpose: str, etag: str | None, last_modified: str | None,
                                  result: FetchResult) -> FetchResult:
        """Fetch one URL into ``result``, retrying transient errors with backoff."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        for attempt in range(self.config.retries + 1):
            result.attempts = attempt + 1
            result.error, result.detail, result.status = None, "", None
            try:
                try:  # one deadline for the whole request: connect, headers, every redirect hop and the body
                    await asyncio.wait_for(self._fetch_once(url, purpose, conditional, result),
                                           self.config.request_deadline)
                except asyncio.TimeoutError:
                    raise FetchError("timeout", f"no complete answer within the {self.config.request_deadline:.0f} s "
                                                "deadline of a request (fetch.request_deadline)") from None
                except (httpx.HTTPError, ValueError, UnicodeError) as exc:  # whatever a hostile server provokes
                    raise FetchError("fetch_error", f"{type(exc).__name__}: {exc}") from None
                return result
            except FetchError as exc:
                result.error, result.detail = exc.reason, exc.detail
                if not exc.transient or attempt == self.config.retries:
                    return result
                wait = exc.retry_after
                if wait is None:
                    wait = min(self.config.backoff_max, self.config.backoff_base * 2 ** attempt)
                    wait *= random.uniform(0.5, 1.0)
                elif wait > self.config.retry_after_max:
                    result.detail += f"; Retry-After {wait:.0f} s is over the {self.config.retry_after_max:.0f} s bound"
                    return result
                await asyncio.sleep(wait)
        return result

    async def _fetch_once(self, url: str, purpose: str, conditional: dict, result: FetchResult) -> None:
        current, seen = url, {url}
        for _ in range(self.config.max_redirects + 1):
            await check_url(current, self.allowed)
            host = urlsplit(current).hostname or ""
            if purpose != "robots" and self.config.respect_robots and not await self._allowed_by_robots(current):
                origin = f"{urlsplit(current).scheme}://{urlsplit(current).netloc}"
                reason, detail = self.robots_notes.get(origin) or (
                    "robots_disallowed", f"robots.txt of {host} disallows {current}")
                raise FetchError(reason, detail)
            slot = await self.pacer.acquire(host)
            try:
                try:  # validators go to every hop: they describe the resource at the end of the redirects
                    response = await self.client.send(self.client.build_request("GET", current, headers=conditional),
                                                      stream=True)
                except httpx.TimeoutException as exc:
                    raise FetchError("timeout", f"{type(exc).__name__} after {self.config.read_timeout} s",
                                     transient=True) from None
                except httpx.TransportError as exc:
                    raise FetchError("connection_error", f"{type(exc).__name__}: {exc}", transient=True) from None
                except httpx.InvalidURL as exc:  # httpx reads a redirect's Location even when not following it
                    raise FetchError("bad_url", f"the answer points to a URL that cannot be followed: {exc}") from None
                try:
                    if response.status_code in REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FetchError("bad_redirect", f"HTTP {response.status_code} without Location")
                        try:
                            target = checked_url(location, base=current)
                        except BadUrl as exc:
                            raise FetchError(exc.reason, f"redirect to {location[:200]!r}: {exc.detail}") from None
                        if target in seen:
                            raise FetchError("redirect_loop", f"{current} redirects back to {target}")
                        seen.add(target)
                        current = target
                        continue
                    await self._read(response, purpose, result)
                    result.final_url = current
                    return
                finally:
                    await response.aclose()
            finally:
                slot.release()
        raise FetchError("too_many_redirects", f"more than {self.config.max_redirects} redirects from {url}")

    async def _read(self, response: httpx.Response, purpose: str, result: FetchResult) -> None:
        result.status = response.status_code
        result.etag = response.headers.get("etag")
        result.last_modified = response.headers.get("last-modified")
        result.content_type, result.charset = content_type_of(response.headers.get("content-type"))
        if response.headers.get("content-language"):  # the page's language as the server says it ("de-DE, en")
            result.hints["declared_language"] = response.headers["content-language"].split(",")[0].strip()
        if response.status_code == 304:
            return
        if response.status_code in RETRY_STATUSES:
            raise FetchError(f"http_{response.status_code}", f"HTTP {response.status_code}", transient=True,
                             retry_after=parse_retry_after(response.headers.get("retry-after")))
        if response.status_code >= 400:
            raise FetchError(f"http_{response.status_code}", f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise FetchError(f"http_{response.status_code}", f"unexpected HTTP {response.status_code}")
        if result.content_type and result.content_type not in ACCEPT.get(purpose, HTML_TYPES):
            reason = "not_html" if purpose == "page" else "unsupported_content_type"
            raise FetchError(reason, f"content type {result.content_type} for a {purpose}")
        limit = self.config.max_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
            raise FetchError("too_large", f"Content-Length {declared} is over the {limit} byte limit")
        inflater = _StreamInflater(response.headers.get("content-encoding", "").strip().lower())
        chunks, size = [], 0
        try:
            async for raw in response.aiter_raw():
                data = inflater.feed(raw, limit - size)
                size += len(data)
                if size > limit:
                    raise FetchError("too_large", f"body is over the {limit} byte limit")
                chunks.append(data)
        except httpx.TimeoutException:
            raise FetchError("timeout", f"reading the body took over {self.config.read_timeout} s",
                             transient=True) from None
        except httpx.TransportError as exc:
            raise FetchError("connection_error", f"{type(exc).__name__}: {exc}", transient=True) from None
        body = b"".join(chunks)
        result.body, result.size = body, len(body)
        result.sha256 = hashlib.sha256(body).hexdigest()

    async def _allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self.robots_locks.setdefault(origin, asyncio.Lock()):
            if origin not in self.robots:
                self.robots[origin] = await self._load_robots(origin)
        rules = self.robots[origin]
        return rules is None or rules.can_fetch(url, self.agent_token)

    async def _load_robots(self, origin: str) -> Protego | None:
        """Read an origin's robots.txt as RFC 9309 says: missing (4xx) allows all; a server error (5xx) or no answer
        at all disallows all for this run, since the site may be saying "not now"."""
        fetched = await self.fetch(origin + "/robots.txt", purpose="robots")
        if fetched.body is None:
            if fetched.status is not None and 400 <= fetched.status < 500:
                return None
            if fetched.status is None:  # no answer at all: the host's pages fail the same way, say so
                self.robots_notes[origin] = (fetched.error or "connection_error",
                                             f"robots.txt unreachable ({fetched.detail}): RFC 9309 says disallow all")
            else:
                self.robots_notes[origin] = ("robots_disallowed", f"robots.txt answered HTTP {fetched.status}: "
                                                                  "RFC 9309 says disallow all while it does")
            return Protego.parse("User-agent: *\nDisallow: /\n")
        rules = Protego.parse(fetched.body.decode(fetched.charset or "utf-8", errors="replace"))
        delay = rules.crawl_delay(self.agent_token)
        if delay:
            self.pacer.set_delay(urlsplit(origin).hostname or "", float(delay))
        return rules

    async def robots_sitemaps(self, origin: str) -> list[str]:
        """Return the Sitemap: URLs that an origin's robots.txt lists."""
        await self._allowed_by_robots(origin + "/")
        rules = self.robots.get(origin)
        return list(rules.sitemaps) if rules else []
