"""Fetching from the web: safety, politeness, retries, conditional GET, the raw layer and reprocessing."""
from __future__ import annotations

import asyncio
import gzip
import io

import pytest

from tasks.config import FetchConfig
from tasks.discover import UnsafeXml, parse_feed, parse_sitemap
from tasks.sources.warc import WarcPage, read_warc
from tasks.fetch import FetchError, check_url, inflate_capped, is_blocked_address, parse_networks, parse_retry_after

from .conftest import query, table_snapshot
from .fakesite import FakeSite

TEST_FETCH = {"host_delay": 0.05, "read_timeout": 1.0, "connect_timeout": 1.0, "retries": 2,
              "backoff_base": 0.1, "max_bytes": 300_000, "user_agent": "newsflow-test/1.0"}


@pytest.mark.parametrize("address,blocked", [
    ("10.1.2.3", True), ("192.168.0.10", True), ("172.16.5.4", True), ("127.0.0.1", True), ("169.254.169.254", True),
    ("224.0.0.1", True), ("0.0.0.0", True), ("::1", True), ("fe80::1", True), ("::ffff:10.0.0.1", True),
    ("93.184.216.34", False), ("2606:2800:220:1:248:1893:25c8:1946", False)])
def test_private_loopback_link_local_and_multicast_addresses_are_refused(address, blocked):
    assert is_blocked_address(address, []) is blocked


def test_allow_listed_networks_open_only_themselves():
    allowed = parse_networks(["127.0.0.0/8"])
    assert not is_blocked_address("127.0.0.1", allowed)
    assert is_blocked_address("10.0.0.1", allowed)


@pytest.mark.parametrize("url,reason", [("file:///etc/passwd", "bad_scheme"), ("ftp://example.org/x", "bad_scheme"),
                                        ("http://10.0.0.8/x", "blocked_address"),
                                        ("http://localhost:1/x", "blocked_address")])
def test_check_url_refuses_before_connecting(url, reason):
    with pytest.raises(FetchError) as caught:
        asyncio.run(check_url(url, []))
    assert caught.value.reason == reason


def test_decompression_is_capped():
    bomb = gzip.compress(b"0" * 5_000_000)
    with pytest.raises(FetchError) as caught:
        inflate_capped(bomb, 100_000)
    assert caught.value.reason == "too_large"
    assert inflate_capped(gzip.compress(b"hello"), 100) == b"hello"


def test_retry_after_in_seconds_and_as_a_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None


RSS_091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>T</title><link>http://a.example/</link>
<description>d</description><item><title>One</title><link>http://a.example/1</link></item></channel></rss>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="http://a.example/">
<title>T</title><link>http://a.example/</link><description>d</description></channel>
<item rdf:about="http://a.example/2"><title>Two</title><link>http://a.example/2</link>
<dc:date>2024-05-01T10:00:00Z</dc:date><dc:creator>Ann Lee</dc:creator></item></rdf:RDF>"""


def test_feeds_of_every_rss_version_and_atom_give_links_with_hints():
    assert [l.url for l in parse_feed(RSS_091)] == ["http://a.example/1"]
    (entry,) = parse_feed(RDF)
    assert entry.url == "http://a.example/2"
    assert entry.hints == {"title": "Two", "author": "Ann Lee", "published_at": "2024-05-01T10:00:00+00:00"}
    site = FakeSite()
    atom = site.routes()["/atom.xml"][1]
    (entry,) = parse_feed(atom)
    assert entry.hints["author"] == "Mara Quill" and entry.hints["title"].startswith("Volunteers")


@pytest.mark.parametrize("xml", [
    FakeSite().routes()["/laughs.xml"][1],
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><title>&e;'
    b'</title></channel></rss>',
])
def test_entity_expansion_and_external_entities_are_refused(xml):
    with pytest.raises(UnsafeXml):
        parse_feed(xml)
    with pytest.raises(UnsafeXml):
        parse_sitemap(xml)


def test_sitemap_index_and_news_sitemap():
    routes = FakeSite().routes()
    pages, children = parse_sitemap(routes["/sitemap_index.xml"][1])
    assert pages == [] and children[0].endswith("/news-sitemap.xml.gz")
    pages, children = parse_sitemap(gzip.decompress(routes["/news-sitemap.xml.gz"][1]))
    assert children == [] and pages[0].url.endswith("/articles/news.html")
    assert pages[0].hints == {"title": "Ferry timetable changes for winter",
                              "published_at": "2024-05-03T07:00:00+00:00"}


@pytest.fixture
def site():
    fake = FakeSite().start()
    yield fake
    fake.stop()


def _ingest(tmp_path, site, **kwargs):
    from flows.ingest import ingest

    return ingest(warehouse=str(tmp_path / "w.duckdb"), allow_networks=["127.0.0.0/8"],
                  settings={"fetch": TEST_FETCH}, **kwargs)


def test_web_ingest_end_to_end(prefect_api_url, tmp_path, site):
    sources = [f"{site.base}/feed.rss", f"{site.base}/atom.xml", f"{site.base}/robots.txt"]
    config = tmp_path / "sources.toml"
    config.write_text(f'[[sources]]\nname = "westmere-sitemaps"\nkind = "sitemap"\nlocation = "{sources[2]}"\n')
    both = {"name": "westmere", "config_file": str(config), "config_sources": True}  # the call's and the file's sources
    first = _ingest(tmp_path, site, sources=sources[:2], **both)
    warehouse = tmp_path / "w.duckdb"

    titles = {r[0] for r in query(warehouse, "SELECT title FROM articles")}
    assert titles == {"Harbour reopens after storm repairs", "Мэрия Северограда открыла новый мост через реку",
                      "Библиотека Северограда будет работать по ночам", "La médiathèque de Valmont ouvre le dimanche",
                      "Tram line extension approved", "Bakery wins regional bread prize",
                      "School term to start a week later", "Volunteers plant 400 trees by the river",
                      "Ferry timetable changes for winter"}
    reasons = dict(query(warehouse, "SELECT regexp_replace(location, '^http://[^/]+', ''), reason FROM rejects "
                                    "WHERE location LIKE 'http%'"))
    assert query(warehouse, "SELECT reason FROM rejects WHERE location LIKE 'file:%'") == [("bad_scheme",)]
    assert reasons == {
        "/private/secret.html": "robots_disallowed", "/articles/missing.html": "http_404", "/loop/a": "redirect_loop",
        "/articles/slow.html": "timeout", "/articles/huge.html": "too_large", "/articles/bomb.html": "too_large",
        "/files/report.pdf": "not_html", "/internal.html": "blocked_address"}
    assert first["new_articles"] == 9

    # feed and sitemap metadata fill what a page lacks; the news sitemap gave a date
    row = query(warehouse, "SELECT published_at, metadata->>'author' FROM articles WHERE title LIKE 'Volunteers%'")
    assert str(row[0][0]).startswith("2024-05-02") and row[0][1] == "Mara Quill"
    assert str(query(warehouse, "SELECT published_at FROM articles WHERE title LIKE 'Ferry%'")[0][0]).startswith(
        "2024-05-03")

    # robots honoured, retries as asked, pacing kept, identifying user agent sent
    assert site.hits("/private/secret.html") == []
    assert [h.status for h in site.hits("/articles/flaky.html")] == [500, 500, 200]
    busy = site.hits("/articles/busy.html")
    assert [h.status for h in busy] == [429, 200] and busy[1].at - busy[0].at >= 0.95
    # (the pacing itself is checked on what the client planned, test_pacing_plans_starts_a_crawl_delay_apart:
    # gaps measured on this in-process server shrink when a busy machine delays one request's handling)
    assert {h.user_agent for h in site.log} == {"newsflow-test/1.0"}
    assert len(site.hits("/robots.txt")) == 1
    good = ["/articles/utf8.html", "/articles/cp1251.html", "/articles/koi8.html", "/articles/latin1.html",
            "/articles/redirected.html", "/articles/flaky.html", "/articles/busy.html", "/articles/atom.html",
            "/articles/news.html"]
    assert {p: [h.status for h in site.hits(p)].count(200) for p in good} == {p: 1 for p in good}

    fetches = dict(query(warehouse, "SELECT regexp_replace(url, '^http://[^/]+', ''), status FROM fetches "
                                    "WHERE purpose IN ('feed', 'sitemap')"))
    assert fetches == {"/feed.rss": 200, "/atom.xml": 200, "/sitemap_index.xml": 200, "/news-sitemap.xml.gz": 200}
    assert query(warehouse, "SELECT count(*) FROM fetches WHERE purpose = 'page' AND status = 200 "
                            "AND sha256 IS NOT NULL")[0][0] == 9

    # a second run: feeds and sitemaps answer 304, loaded pages are not asked for again
    before = len(site.log)
    articles_before = table_snapshot(warehouse)["articles"]
    second = _ingest(tmp_path, site, sources=sources[:2], **both)
    again = site.log[before:]
    conditional = {h.path: h.status for h in again if h.path in ("/feed.rss", "/atom.xml", "/sitemap_index.xml",
                                                                  "/news-sitemap.xml.gz")}
    assert conditional == {"/feed.rss": 304, "/atom.xml": 304, "/sitemap_index.xml": 304, "/news-sitemap.xml.gz": 304}
    assert all(h.if_none_match for h in again if h.path in conditional)
    downloaded = {h.path for h in again if h.status == 200 and h.path != "/robots.txt"}
    assert not downloaded & {"/articles/utf8.html", "/articles/cp1251.html", "/articles/news.html",
                             "/articles/atom.html", "/articles/flaky.html"}
    assert second["new_articles"] == 0
    assert table_snapshot(warehouse)["articles"] == articles_before  # nothing re-downloaded, nothing changed

    # --refresh asks for loaded pages again, conditionally: unchanged ones answer 304 and cost nothing
    before = len(site.log)
    refreshed = _ingest(tmp_path, site, sources=sources[:2], refresh=True, **both)
    pages = {h.path: h.status for h in site.log[before:] if h.path in good}
    assert pages == {p: 304 for p in good}
    assert refreshed["new_articles"] == 0 and refreshed["updated_articles"] == 0

    # reprocess rebuilds the same articles from the raw layer with the site gone
    site.stop()
    from flows.reprocess import reprocess

    sql = "SELECT article_id, url, title, body, language, content_hash FROM articles ORDER BY 1"
    expected = query(warehouse, sql)
    dates = ("SELECT article_id, published_at, published_at_source, published_at_precision, captured_at "
             "FROM articles ORDER BY 1")
    loaded_dates = query(warehouse, dates)
    assert all(row[4] is not None for row in loaded_dates)  # fetched pages carry their fetch time
    import duckdb

    with duckdb.connect(str(warehouse)) as con:  # as a warehouse loaded before migration 011 holds them
        con.execute("UPDATE articles SET published_at_source = 'unknown', published_at_precision = NULL, "
                    "captured_at = NULL")
    result = reprocess(warehouse=str(warehouse))
    assert result["articles"] == 9 and result["new_articles"] == 0 and result["updated_articles"] == 0
    assert query(warehouse, sql) == expected
    rebuilt = query(warehouse, dates)
    assert [r[:4] for r in rebuilt] == [r[:4] for r in loaded_dates]  # the new rules' fields, rebuilt
    assert all(row[4] is not None for row in rebuilt)
    reprocess(warehouse=str(warehouse), source="westmere-sitemaps")
    assert query(warehouse, sql) == expected
    site.start()  # the fixture stops it again


def test_unsafe_feed_and_dead_host_are_rejects_not_failures(prefect_api_url, tmp_path, site):
    summary = _ingest(tmp_path, site, sources=[f"{site.base}/laughs.xml", "http://127.0.0.1:9/feed.xml",
                                               "http://10.20.30.40/feed.xml"])
    reasons = {r[0]: r[1] for r in query(tmp_path / "w.duckdb", "SELECT location, reason FROM rejects")}
    assert reasons == {f"{site.base}/laughs.xml": "unsafe_xml", "http://127.0.0.1:9/feed.xml": "connection_error",
                       "http://10.20.30.40/feed.xml": "blocked_address"}
    assert summary["articles"] == 0


def _warc(path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        site = FakeSite()
        records = [("http://news.example/a", "200 OK", "text/html; charset=utf-8", page_bytes(site, "utf8")),
                   ("http://news.example/b", "200 OK", "text/html; charset=windows-1251",
                    site.routes()["/articles/cp1251.html"][1]),
                   ("http://news.example/logo.png", "200 OK", "image/png", b"\x89PNG...."),
                   ("http://news.example/gone", "404 Not Found", "text/html", b"<html>gone</html>")]
        for url, status, content_type, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def page_bytes(site, key):
    return site.routes()[f"/articles/{key}.html"][1]


def test_warc_files_become_articles_with_the_record_url(prefect_api_url, tmp_path):
    archive = tmp_path / "CC-NEWS-test.warc.gz"
    _warc(archive)
    assert sum(1 for item in read_warc(archive) if isinstance(item, WarcPage)) == 2
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    summary = ingest(sources=[str(archive)], warehouse=str(warehouse))
    assert summary["new_articles"] == 2
    assert query(warehouse, "SELECT url, title FROM articles ORDER BY url") == [
        ("http://news.example/a", "Harbour reopens after storm repairs"),
        ("http://news.example/b", "Мэрия Северограда открыла новый мост через реку")]
    # an image and a 404 are not pages: counted as skipped, not rejected one by one
    assert query(warehouse, "SELECT count(*) FROM rejects") == [(0,)]
    assert summary["skipped"] == {"warc_http_404": 1, "warc_not_html": 1}
    # the record's date is when the crawler saw the page, never when it was published
    dates = query(warehouse, """SELECT captured_at IS NOT NULL, published_at IS DISTINCT FROM captured_at,
                                       (published_at IS NULL) = (published_at_source = 'none') FROM articles""")
    assert dates == [(True, True, True)] * 2
    again = ingest(sources=[str(archive)], warehouse=str(warehouse))
    assert again["new_articles"] == 0


def test_url_lists_domains_and_per_source_limits(site, tmp_path):
    from tasks.web import WebSource, discover

    listed = tmp_path / "urls.txt"
    listed.write_text(f"# morning list\n{site.base}/articles/utf8.html\n\n{site.base}/articles/latin1.html  # fr\n"
                      "https://elsewhere.example/story.html\n", encoding="utf-8")
    config = FetchConfig(**{**TEST_FETCH, "allow_networks": ("127.0.0.0/8",)})
    found = discover([WebSource("list", "url-list", str(listed), allowed_domains=("127.0.0.1",)),
                      WebSource("feed", "feed", f"{site.base}/feed.rss", max_articles=3)], config)
    assert [(s, link.url.replace(site.base, "")) for s, link in found.links] == [
        ("list", "/articles/utf8.html"), ("list", "/articles/latin1.html"),
        ("feed", "/articles/utf8.html"), ("feed", "/articles/cp1251.html"), ("feed", "/articles/koi8.html")]
    reasons = [(r.source, r.reason) for r in found.rejects]
    assert ("list", "off_domain") in reasons
    assert reasons.count(("feed", "over_max_articles")) == 12  # 14 site links + 1 private address, minus 3 taken
    assert ("feed", "bad_scheme") in reasons


def test_pacing_plans_starts_a_crawl_delay_apart(monkeypatch):
    """What the client decides: request starts to one host a Crawl-delay apart, other hosts not held back."""
    import asyncio

    from tasks import fetch as fetch_module
    from tasks.fetch import HostMemory, HostPacer

    slept: list[float] = []
    monkeypatch.setattr(fetch_module.time, "monotonic", lambda: 100.0)  # a clock that does not move

    async def record(seconds):
        slept.append(round(seconds, 3))

    async def plan() -> list[tuple[str, float]]:
        monkeypatch.setattr(fetch_module.asyncio, "sleep", record)
        pacer = HostPacer(2, 0.05, HostMemory())
        pacer.set_delay("news.example", 0.2)  # robots.txt: Crawl-delay 0.2
        planned = []
        for host in ["news.example"] * 4 + ["other.example"] * 2:
            before = len(slept)
            (await pacer.acquire(host)).release()
            planned.append((host, slept[before] if len(slept) > before else 0.0))
        return planned

    planned = asyncio.run(plan())
    assert [wait for host, wait in planned if host == "news.example"] == [0.0, 0.2, 0.4, 0.6]
    assert [wait for host, wait in planned if host == "other.example"] == [0.0, 0.05]


def test_the_connection_goes_only_to_an_address_that_passed_the_check(site, monkeypatch):
    """DNS rebinding: the name answered a public address at the check and a private one at the connection."""
    from tasks import fetch as fetch_module
    from tasks.fetch import Fetcher

    async def public_at_check_time(url, allowed):
        return None  # the early check saw a public address (the attacker's first DNS answer)

    monkeypatch.setattr(fetch_module, "check_url", public_at_check_time)
    served_before = len(site.log)

    async def get(config):
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(f"{site.base}/articles/utf8.html")

    result = asyncio.run(get(FetchConfig(**{**TEST_FETCH, "respect_robots": False})))
    assert (result.error, result.attempts) == ("blocked_address", 1)  # refused, not retried
    assert len(site.log) == served_before  # the private address was never connected to
    # an allow-listed network is still reached through the checked connection
    result = asyncio.run(get(FetchConfig(**{**TEST_FETCH, "respect_robots": False, "allow_networks": ("127.0.0.0/8",)})))
    assert (result.error, result.status) == (None, 200)


def test_a_host_that_keeps_failing_is_not_asked_again_this_run(site):
    from tasks.fetch import Fetcher, HostMemory

    memory = HostMemory()  # kept across the run's batches
    config = FetchConfig(**{**TEST_FETCH, "respect_robots": False, "retries": 0, "host_max_failures": 2,
                            "allow_networks": ("127.0.0.0/8",)})

    async def batch(urls):
        async with Fetcher(config, memory=memory) as fetcher:
            return [await fetcher.fetch(url) for url in urls]

    dead = [f"http://127.0.0.1:9/story-{n}.html" for n in range(4)]  # port 9: connection refused
    first = asyncio.run(batch(dead[:3] + [f"{site.base}/articles/utf8.html"]))
    assert [r.error for r in first] == ["connection_error", "connection_error", "host_down", None]
    assert "fetch.host_max_failures" in first[2].detail and first[2].attempts == 0
    assert [r.error for r in asyncio.run(batch(dead[3:]))] == ["host_down"]  # the next batch of the run too


def test_fetch_progress_is_drawn_per_host_on_a_terminal_and_not_in_a_pipe(site, newsflow, prefect_api_url, tmp_path):
    """On a terminal the run draws bars (reading, fetching per host with its failures, loading); piped, it writes
    its lines and summary only."""
    import os
    import pty
    import re
    import subprocess

    from .conftest import NEWSFLOW

    args = ["run", f"{site.base}/feed.rss", "--allow-network", "127.0.0.0/8"]
    env = {**os.environ, "PREFECT_API_URL": prefect_api_url, "NEWSFLOW_FETCH__HOST_DELAY": "0.05",
           "NEWSFLOW_FETCH__READ_TIMEOUT": "1", "NEWSFLOW_FETCH__RETRIES": "1", "NEWSFLOW_FETCH__BACKOFF_BASE": "0.1",
           "NEWSFLOW_FETCH__MAX_BYTES": "300000", "COLUMNS": "160", "TERM": "xterm"}
    env.pop("NEWSFLOW_WAREHOUSE", None)
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(NEWSFLOW), *args, "--warehouse", str(tmp_path / "tty.duckdb")], env=env,
                               cwd=tmp_path, stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert process.wait(timeout=600) == 0
    os.close(leader)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    host = site.base.removeprefix("http://")
    assert "fetching pages" in screen and re.search(rf"{re.escape(host)} \(\d+ failed\)", screen), screen[-3000:]
    assert "reading:" in screen and "loading into the warehouse" in screen
    assert re.search(r"fetching pages .* 1[0-9]/1[0-9]", screen)  # the pages of the feed, counted as fetched

    piped = newsflow(*args, "--warehouse", str(tmp_path / "pipe.duckdb"), env={
        k: v for k, v in env.items() if k.startswith("NEWSFLOW_FETCH")})
    assert "\x1b[" not in piped.stderr and "fetching pages" not in piped.stderr and "━" not in piped.stderr
    assert "fetched " in piped.stderr and "batch 1:" in piped.stderr  # the plain lines stay


def test_the_servers_content_language_reaches_the_article_and_the_raw_layers_hints(site):
    """A page that declares no language of its own: the Content-Language header is its declaration (the first
    language listed), kept with the fetch (the raw layer re-reads pages with their hints) and read by parse."""
    from tasks.parse import parse_documents
    from tasks.web import Link, fetch_pages

    config = FetchConfig(**{**TEST_FETCH, "allow_networks": ("127.0.0.0/8",)})
    fetched = fetch_pages([("s", Link(f"{site.base}/articles/declared.html", {"title": "From the feed"}))], config, {})
    (_, result), = fetched.fetches
    assert result.hints == {"title": "From the feed", "declared_language": "de-DE"}
    article, = parse_documents(fetched.documents).items
    assert article.metadata["declared_language"] == "de-DE"
    plain = fetch_pages([("s", Link(f"{site.base}/articles/utf8.html"))], config, {})
    assert "declared_language" not in parse_documents(plain.documents).items[0].metadata  # no header, no lang
