"""No input stops, hangs or silently shrinks a run: hostile servers and odd local files, each with one outcome."""
from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import query

PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article><h1>{title}</h1>"
        "<p>The harbour of the fictional town of Westmere reopened on Monday after three weeks of repairs to its "
        "storm-damaged breakwater, the port authority said in a statement.</p><p>Fishing boats had been moored in a "
        "neighbouring bay since the storm, and skippers said they lost almost a month of catches.</p>"
        "</article></body></html>")


class Hostile:
    """A server on 127.0.0.1 that misbehaves on purpose: malformed links, a slow drip, odd redirects, a sitemap
    index that lists variants of itself, robots.txt that fails."""

    def __init__(self, robots_status: int = 404):
        self.robots_status = robots_status
        self.hits: list[str] = []
        self.stop_drip = threading.Event()

    def routes(self, path: str):
        base = self.base
        if path == "/robots.txt":
            return self.robots_status, "text/plain", b"User-agent: *\nAllow: /\n"
        if path == "/feed.xml":
            links = ["http://[::1", "http://127.0.0.1:99999/x.html", "/articles/relative.html", "mailto:desk@example.org",
                     "javascript:alert(1)", f"{base}/articles/good.html", f"{base}/drip.html",
                     f"{base}/redirect-mailto"]
            items = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
            return 200, "application/rss+xml", (f'<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>'
                                                f"{items}</channel></rss>").encode()
        if path.startswith("/sitemap_index.xml"):
            variants = "".join(f"<sitemap><loc>{base}/sitemap_index.xml?v={v}</loc></sitemap>" for v in range(1, 6))
            return 200, "application/xml", (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/'
                                            f'schemas/sitemap/0.9">{variants}</sitemapindex>').encode()
        if path.startswith("/articles/"):
            return 200, "text/html; charset=utf-8", PAGE.format(title=path.rsplit("/", 1)[-1]).encode()
        return 404, "text/plain", b"not found"

    def start(self) -> "Hostile":
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hostile.hits.append(self.path)
                if self.path == "/drip.html":  # headers at once, then one byte at a time, for as long as it likes
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    try:
                        while not hostile.stop_drip.wait(0.2):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                    except OSError:
                        pass
                    return
                if self.path == "/redirect-mailto":
                    self.send_response(302)
                    self.send_header("Location", "mailto:desk@example.org")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, content_type, body = hostile.routes(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stop_drip.set()
        self.server.shutdown()
        self.server.server_close()


FETCH = {"host_delay": 0.0, "read_timeout": 1.0, "connect_timeout": 1.0, "retries": 0, "request_deadline": 3.0,
         "user_agent": "newsflow-test/1.0"}


@pytest.fixture
def hostile():
    server = Hostile().start()
    yield server
    server.stop()


def test_malformed_links_a_slow_drip_and_odd_redirects_cost_their_item_only(prefect_api_url, hostile, tmp_path):
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    started = time.monotonic()
    summary = ingest(sources=[f"{hostile.base}/feed.xml"], warehouse=str(warehouse), allow_networks=["127.0.0.0/8"],
                     settings={"fetch": FETCH})
    # the good page and the relative link (resolved against the feed) load; nothing else stops the run
    assert sorted(r[0].rsplit("/", 1)[-1] for r in query(warehouse, "SELECT url FROM articles")) == [
        "good.html", "relative.html"]
    rejects = dict(query(warehouse, "SELECT location, reason FROM rejects"))
    assert rejects["http://[::1"] == "bad_url"
    assert rejects["http://127.0.0.1:99999/x.html"] == "bad_url"
    assert rejects["mailto:desk@example.org"] == "bad_scheme"
    assert rejects["javascript:alert(1)"] == "bad_scheme"
    assert rejects[f"{hostile.base}/drip.html"] == "timeout"  # the per-request deadline, not the read timeout
    assert rejects[f"{hostile.base}/redirect-mailto"] == "bad_url"  # a redirect to mailto: cannot be followed
    assert summary["articles"] == 2 and summary["rejects"] == 6
    assert time.monotonic() - started < 120  # bounded by the deadline (3 s), far from "as long as it likes"


def test_a_sitemap_index_listing_variants_of_itself_is_read_once_each(prefect_api_url, hostile, tmp_path):
    from tasks.config import FetchConfig
    from tasks.web import WebSource, discover

    found = discover([WebSource("s", "sitemap", f"{hostile.base}/sitemap_index.xml")],
                     FetchConfig(**{**FETCH, "allow_networks": ("127.0.0.0/8",)}))
    reads = [h for h in hostile.hits if h.startswith("/sitemap_index.xml")]
    assert len(reads) == 6  # the index and its five variants, not 5 + 25 + 125
    assert not found.links


def test_robots_txt_that_fails_with_5xx_disallows_the_host(prefect_api_url, tmp_path):
    from tasks.config import FetchConfig
    from tasks.web import Link, fetch_pages

    server = Hostile(robots_status=503).start()
    try:
        fetched = fetch_pages([("s", Link(f"{server.base}/articles/good.html"))],
                              FetchConfig(**{**FETCH, "allow_networks": ("127.0.0.0/8",)}), {})
    finally:
        server.stop()
    assert [(r.reason, "503" in r.detail) for r in fetched.rejects] == [("robots_disallowed", True)]
    assert "/articles/good.html" not in server.hits  # RFC 9309: a server error on robots.txt means keep out


JA = ("東京都は二十日、新しい防災計画を発表した。計画では、首都直下地震に備えて避難所の数を二倍に増やすほか、高齢者の避難を"
      "支援する体制を整える。知事は記者会見で「都民の命を守るため、あらゆる手段を講じる」と述べた。") * 4
ZH = ("北京市政府二十日宣布，将在明年增加公共交通投入。新计划包括扩建地铁线路和增加公交车辆，以缓解交通拥堵问题。"
      "市长在新闻发布会上表示，这项计划将惠及数百万市民。") * 4
RU = ("Мэрия Северограда открыла новый мост через реку. Движение по нему начнётся в понедельник, сообщили в "
      "администрации города. Строительство заняло два года и обошлось в три миллиарда рублей.") * 2


def write_odd_tree(root):
    """Write an input folder with every kind of odd local input; return {file name: expected outcome}."""
    root.mkdir()
    (root / "plain.txt").write_text("Harbour reopens\n\n" + PAGE.split("<p>")[1].split("</p>")[0], encoding="utf-8")
    (root / "tokyo-sjis.txt").write_bytes(("防災計画を発表\n\n" + JA).encode("shift_jis"))
    (root / "beijing-gb18030.txt").write_bytes(("北京增加公共交通投入\n\n" + ZH).encode("gb18030"))
    (root / "tokyo-utf16.txt").write_bytes(("防災計画\n\n" + JA + "\n").encode("utf-16-le"))  # no BOM
    (root / "bridge.html").write_bytes(("<html><head><meta charset='windows-1251'><title>Мост</title></head><body>"
                                        f"<article><h1>Мост открыт</h1><p>{RU}</p></article></body></html>"
                                        ).encode("koi8_r"))  # KOI8-R bytes under a windows-1251 declaration
    (root / "minified.html").write_text(
        "<!DOCTYPE html><html><head><title>Minified</title></head><body>" +
        "".join(f'<div class="c"><span>menu{i}</span></div>' for i in range(150)) +
        "<article><h1>Minified page</h1><p>" + PAGE.split("<p>")[1].split("</p>")[0] + "</p></article></body></html>",
        encoding="utf-8")
    records = [{"url": "https://a.example/1", "title": "Good record", "text": RU},
               {"url": "https://a.example/2", "title": True, "text": RU},
               {"url": "https://a.example/3", "title": "Surrogate", "text": "\ud800" + RU},
               {"url": "https://a.example/4", "html": "<html><head><link rel='canonical' href='http://[::1'></head>"
                                                      f"<body><h1>Broken canonical</h1><p>{RU}</p></body></html>"},
               {"url": "https://a.example/5", "title": "Bad date", "text": RU, "published_at": "soonish"},
               {"url": "https://a.example/6", "title": "Compact CJK", "text": ZH}]
    # the surrogate goes as the JSON escape "\ud800" (ensure_ascii), the CJK record as compact UTF-8 without spaces
    (root / "export.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii="Surrogate" in str(r.get("title")),
                                                            separators=(",", ":")) for r in records), encoding="utf-8")
    (root / ".draft.txt").write_text("Draft\n\nNot for publication.", encoding="utf-8")
    os.mkfifo(root / "pipe.html")
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "loop")
    linked = root.parent / "elsewhere"
    linked.mkdir()
    (linked / "linked.txt").write_text("Linked story\n\n" + RU, encoding="utf-8")
    os.symlink(linked, root / "linked")
    with open(os.fsencode(root) + b"/caf\xe9-latin1-name.txt", "wb") as handle:
        handle.write(("Cafe reopens\n\n" + PAGE.split("<p>")[2].split("</p>")[0]).encode())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_odd_local_inputs_each_end_as_one_article_reject_or_counted_skip(newsflow, tmp_path):
    root = tmp_path / "odd"
    write_odd_tree(root)
    warehouse = tmp_path / "w.duckdb"
    done = newsflow("run", str(root), "--warehouse", str(warehouse))
    titles = {row[0] for row in query(warehouse, "SELECT title FROM articles")}
    assert {"Harbour reopens", "防災計画を発表", "北京增加公共交通投入", "防災計画", "Мост открыт", "Minified page",
            "Good record", "Broken canonical", "Compact CJK", "Linked story", "Cafe reopens"} == titles
    bridge = query(warehouse, "SELECT body FROM articles WHERE title = 'Мост открыт'")[0][0]
    assert "Северограда" in bridge  # read as KOI8-R, not as the declared windows-1251 (mojibake)
    rejects = sorted((row[0].rsplit("/", 1)[-1], row[1]) for row in query(warehouse, "SELECT location, reason FROM rejects"))
    assert rejects == [("export.jsonl#L2", "bad_field"), ("export.jsonl#L3", "bad_field"),
                       ("export.jsonl#L5", "bad_field"), ("loop", "symlink_loop"), ("pipe.html", "not_a_file")]
    assert "hidden_file: 1" in done.stdout  # passed over and counted, never silently


def test_reading_a_fifo_given_as_the_source_is_a_reject_not_a_hang(tmp_path):
    from tasks.config import ReadConfig
    from tasks.read import read_documents

    fifo = tmp_path / "story.html"
    os.mkfifo(fifo)
    result = read_documents([("s", fifo)], ReadConfig())
    assert [r.reason for r in result.rejects] == ["not_a_file"] and not result.items


def test_the_deadline_bounds_a_request_however_the_server_drips(hostile):
    from tasks.config import FetchConfig
    from tasks.web import Link, fetch_pages

    fetched = fetch_pages([("s", Link(f"{hostile.base}/drip.html"))],
                          FetchConfig(**{**FETCH, "request_deadline": 1.5, "allow_networks": ("127.0.0.0/8",)}), {})
    assert [(r.reason, "deadline" in r.detail) for r in fetched.rejects] == [("timeout", True)]
