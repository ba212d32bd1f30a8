"""Pages per second fetched from a local site with the politeness delay at zero.

    .venv/bin/python benchmarks/fetch_local.py [--pages 1000] [--concurrency 2 8]

Serves N article pages and a sitemap on 127.0.0.1 (a threaded server in this process), then runs the ingest
flow on the sitemap for each per-host concurrency asked, into a fresh warehouse each time, and prints the
fetch stage's pages per second and the whole flow's.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

WORDS = ("harbour council river bridge tram library school market ferry museum festival budget election "
         "storm harvest station hospital stadium airport bakery").split()


def article(i: int) -> bytes:
    paragraphs = "".join(
        "<p>" + " ".join(WORDS[(i * 7 + j * 3 + k) % len(WORDS)] for k in range(40)).capitalize() + f" {i}-{j}.</p>"
        for j in range(8))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story {i} | Bench Times</title></head>"
            f"<body><nav>Home</nav><article><h1>Story {i}</h1>{paragraphs}</article></body></html>").encode()


def serve(pages: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()  # no Nagle: headers and body go out at once, not 40 ms apart
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self):
            if self.path == "/sitemap.xml":
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
                    f"<url><loc>{base}/a/{i}.html</loc></url>" for i in range(pages)) + "</urlset>").encode()
                kind = "application/xml"
            elif self.path.startswith("/a/"):
                body, kind = article(int(self.path[3:].split(".")[0])), "text/html; charset=utf-8"
            else:
                body, kind = b"", "text/plain"
            self.send_response(200 if body or self.path == "/robots.txt" else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[2, 8])
    args = parser.parse_args()
    server = serve(args.pages)
    from flows.ingest import ingest

    url = f"http://127.0.0.1:{server.server_address[1]}/sitemap.xml"
    for concurrency in args.concurrency:
        work = Path(tempfile.mkdtemp(prefix="newsflow-fetch-bench-"))
        try:
            clock = time.perf_counter()
            summary = ingest(sources=[url], warehouse=str(work / "w.duckdb"), allow_networks=["127.0.0.0/8"],
                             settings={"fetch": {"host_delay": 0.0, "host_concurrency": concurrency}})
            wall = time.perf_counter() - clock
            fetch = summary["stage_seconds"].get("fetch", 0.0)
            print(f"host_concurrency {concurrency}: {summary['new_articles']} articles from {args.pages} pages; "
                  f"fetch stage {fetch:.2f} s = {args.pages / fetch:.0f} pages/s; whole flow {summary['seconds']:.2f} s "
                  f"= {args.pages / summary['seconds']:.0f} pages/s (wall {wall:.1f} s)")
            print("  stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in summary["stage_seconds"].items()))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    server.shutdown()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (server and client share the machine)")


if __name__ == "__main__":
    main()
