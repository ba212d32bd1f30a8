"""A small fake news site on 127.0.0.1 for the web tests: good pages in several encodings and every failure.

It logs every request (path, time, conditional headers, status) so tests can check what newsflow asked for.
"""
from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAST_MODIFIED = formatdate(1714550400, usegmt=True)  # 2024-05-01

PARAGRAPHS = {
    "utf8": ("Harbour reopens after storm repairs",
             ["The harbour of the fictional town of Westmere reopened on Monday after three weeks of repairs to "
              "its storm-damaged breakwater, the port authority said.",
              "Fishing boats had been moored in a neighbouring bay since the storm, and skippers said they lost "
              "almost a month of catches during the closure."]),
    "cp1251": ("Мэрия Северограда открыла новый мост через реку",
               ["В понедельник в вымышленном городе Северограде открыли новый мост через реку Быстрицу, сообщили "
                "в мэрии.",
                "Строительство продолжалось два года, а движение по старому мосту теперь закроют на ремонт."]),
    "koi8": ("Библиотека Северограда будет работать по ночам",
             ["Городская библиотека Северограда с понедельника открыта круглосуточно, сообщили в управлении "
              "культуры.",
              "Студенты давно просили продлить часы работы читальных залов во время экзаменов."]),
    "latin1": ("La médiathèque de Valmont ouvre le dimanche",
               ["La médiathèque de la ville imaginaire de Valmont ouvrira désormais le dimanche après-midi, a "
                "annoncé la mairie.",
                "Les bibliothécaires volontaires seront payés double et l'expérience durera jusqu'à l'été."]),
    "redirected": ("Tram line extension approved",
                   ["The council of Westmere approved the extension of the tram line to the university campus "
                    "on Thursday evening.",
                    "Construction is due to start next spring and will take about eighteen months."]),
    "flaky": ("Bakery wins regional bread prize",
              ["A small bakery in Westmere won the regional prize for sourdough bread, beating forty other "
               "entries from across the province.",
               "The owners said they would use the prize money to buy a second oven."]),
    "busy": ("School term to start a week later",
             ["Schools in the Westmere district will start the autumn term a week later than planned because "
              "of delayed renovation work.",
              "Parents were informed by letter on Friday, the education office said."]),
    "atom": ("",
             ["Volunteers planted four hundred trees along the river path in Westmere on Saturday, in a project "
              "organised by the local walking club.",
              "The club plans a second planting day in November if the weather allows."]),
    "news": ("Ferry timetable changes for winter",
             ["The ferry between Westmere and the island of Holm will run four times a day instead of six from "
              "the first of November, the operator said.",
              "Islanders criticised the cut and asked for an extra evening crossing on Fridays."]),
}


def page(key: str, charset: str | None = None) -> str:
    title, paragraphs = PARAGRAPHS[key]
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head_title = f"<title>{title} | Westmere Herald</title>" if title else ""
    h1 = f"<h1>{title}</h1>" if title else ""
    return (f"<!DOCTYPE html><html><head>{meta}{head_title}</head><body><nav><a href='/'>Home</a></nav>"
            f"<article>{h1}{body}</article><footer>Westmere Herald</footer></body></html>")


@dataclass
class Hit:
    path: str
    at: float
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None


@dataclass
class FakeSite:
    host: str = "127.0.0.1"
    port: int = 0
    log: list[Hit] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    slow_seconds: float = 3.0

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def hits(self, path: str) -> list[Hit]:
        return [h for h in self.log if h.path == path]

    def routes(self) -> dict:
        base = self.base
        items = ["/articles/utf8.html", "/articles/cp1251.html", "/articles/koi8.html", "/articles/latin1.html",
                 "/private/secret.html", "/articles/missing.html", "/articles/flaky.html", "/articles/busy.html",
                 "/redirect/1", "/loop/a", "/articles/slow.html", "/articles/huge.html", "/articles/bomb.html",
                 "/files/report.pdf"]
        rss_items = "".join(f"<item><title>Item {i}</title><link>{base}{p}</link>"
                            f"<pubDate>Wed, 01 May 2024 0{i % 10}:00:00 GMT</pubDate></item>"
                            for i, p in enumerate(items))
        rss_items += "<item><title>Private network</title><link>http://10.1.2.3/internal.html</link></item>"
        rss_items += "<item><title>A local file</title><link>file:///etc/passwd</link></item>"
        rss = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Westmere Herald</title>'
               f"<link>{base}/</link><description>News</description>{rss_items}</channel></rss>")
        atom = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Westmere Herald</title><id>urn:x</id><updated>2024-05-02T10:00:00Z</updated>"
                f"<entry><title>Volunteers plant 400 trees by the river</title><id>urn:1</id>"
                f'<link href="{base}/articles/atom.html"/><updated>2024-05-02T09:00:00Z</updated>'
                f"<author><name>Mara Quill</name></author></entry></feed>")
        news = (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>{base}/articles/news.html</loc>'
                f"<news:news><news:publication><news:name>Westmere Herald</news:name><news:language>en"
                f"</news:language></news:publication><news:publication_date>2024-05-03T07:00:00+00:00"
                f"</news:publication_date><news:title>Ferry timetable changes for winter</news:title></news:news>"
                f"</url></urlset>")
        index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                 f'sitemap/0.9"><sitemap><loc>{base}/news-sitemap.xml.gz</loc></sitemap></sitemapindex>')
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title>'
                  '</channel></rss>')
        robots = (f"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.2\n\nSitemap: {base}/sitemap_index.xml\n")
        return {
            "/robots.txt": ("text/plain", robots.encode()),
            "/feed.rss": ("application/rss+xml", rss.encode()),
            "/atom.xml": ("application/atom+xml", atom.encode()),
            "/sitemap_index.xml": ("application/xml", index.encode()),
            "/news-sitemap.xml.gz": ("application/gzip", gzip.compress(news.encode(), mtime=0)),
            "/laughs.xml": ("application/rss+xml", laughs.encode()),
            "/articles/utf8.html": ("text/html; charset=utf-8", page("utf8", "utf-8").encode()),
            "/articles/cp1251.html": ("text/html; charset=windows-1251", page("cp1251").encode("cp1251")),
            "/articles/koi8.html": ("text/html", page("koi8").encode("koi8-r")),
            "/articles/latin1.html": ("text/html", page("latin1", "iso-8859-1").encode("latin-1")),
            "/articles/redirected.html": ("text/html", page("redirected", "utf-8").encode()),
            "/articles/flaky.html": ("text/html", page("flaky", "utf-8").encode()),
            "/articles/busy.html": ("text/html", page("busy", "utf-8").encode()),
            "/articles/atom.html": ("text/html", page("atom", "utf-8").encode()),
            "/articles/news.html": ("text/html", page("news", "utf-8").encode()),
            "/private/secret.html": ("text/html", page("utf8", "utf-8").encode()),
            "/articles/huge.html": ("text/html", b"<html><body>" + b"<p>filler text</p>" * 40000 + b"</body></html>"),
            "/files/report.pdf": ("application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 10),
        }

    def start(self) -> "FakeSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def setup(self):
                super().setup()  # no Nagle: headers and body go out at once, not 40 ms apart
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self):
                started = time.monotonic()
                status = site.answer(self)
                site.log.append(Hit(self.path, started, status, self.headers.get("If-None-Match"),
                                    self.headers.get("If-Modified-Since"), self.headers.get("User-Agent")))

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, path: str) -> int:
        self.counters[path] = self.counters.get(path, 0) + 1
        return self.counters[path]

    def answer(self, handler: BaseHTTPRequestHandler) -> int:
        path = handler.path
        n = self.count(path)
        redirects = {"/redirect/1": "/redirect/2", "/redirect/2": "/articles/redirected.html",
                     "/loop/a": "/loop/b", "/loop/b": "/loop/a"}
        if path in redirects:
            return self.send(handler, 302, headers={"Location": redirects[path]})
        if path == "/articles/flaky.html" and n <= 2:
            return self.send(handler, 500, b"try again")
        if path == "/articles/busy.html" and n == 1:
            return self.send(handler, 429, b"slow down", headers={"Retry-After": "1"})
        if path == "/articles/slow.html":
            time.sleep(self.slow_seconds)
            return self.send(handler, 200, page("utf8", "utf-8").encode(), "text/html")
        if path == "/articles/declared.html":  # a server that says the page's language in a header only
            return self.send(handler, 200, page("utf8", "utf-8").encode(), "text/html", {"Content-Language": "de-DE, en"})
        if path == "/articles/bomb.html":
            bomb = gzip.compress(b"<p>" + b"A" * (50 * 1024 * 1024) + b"</p>", compresslevel=9)
            return self.send(handler, 200, bomb, "text/html", {"Content-Encoding": "gzip"})
        route = self.routes().get(path)
        if route is None:
            return self.send(handler, 404, b"not found")
        content_type, body = route
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if handler.headers.get("If-None-Match") == etag:
            return self.send(handler, 304, b"", headers={"ETag": etag})
        return self.send(handler, 200, body, content_type, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

    @staticmethod
    def send(handler, status: int, body: bytes = b"", content_type: str = "text/plain",
             headers: dict | None = None) -> int:
        try:
            handler.send_response(status)
            if status != 304:
                handler.send_header("Content-Type", content_type)
                handler.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            if status != 304:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return status
