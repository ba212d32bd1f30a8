"""WARC input throughput: records per second per core, and memory as the file grows.

    .venv/bin/python benchmarks/warc.py [--sizes 2000 8000 32000] [--work DIR]

For each size it writes one .warc.gz file of a crawl (per page: a request record and the HTML response of one of
40 publishers; every tenth page also an image), then reads it in a fresh process with the WARC reader
(tasks/sources/warc.py: records parsed, pages decoded, bodies kept in a raw layer, batches of 1,000 documents),
and prints records and pages per CPU second and the process's peak resident memory. A second line per size adds
the parse stage (extraction, headline, dates, authors, site) on one core, what a crawl costs before cleaning.
Memory should not grow with the file: the reader holds one batch, not the file.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PUBLISHERS = [f"www.outlet{i:02d}-news.{tld}" for i, tld in zip(range(40), ["com", "co.uk", "de", "com.pl", "fr"] * 8)]


def render(rng: random.Random, host: str, number: int) -> bytes:
    """Return one publisher's article page around a generated story."""
    from benchmarks.textgen import make_event, make_story

    story = make_story(rng, make_event(rng, "en"))
    paragraphs = "".join(f"<p>{p}</p>" for p in story.paragraphs)
    related = "".join(f'<li><a href="/a/{rng.randint(1, 9999)}">Related story {k}</a></li>' for k in range(6))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{story.title} | {host}</title>'
            f'<link rel="canonical" href="https://{host}/news/{number}"><meta property="og:type" content="article">'
            f'</head><body><header class="masthead"><nav><a href="/">Home</a><a href="/news">News</a></nav></header>'
            f'<main><article><h1>{story.title}</h1><p class="byline">By Staff Reporter</p>{paragraphs}</article>'
            f'<aside class="related"><ul>{related}</ul></aside></main><footer><p>© 2025 {host}</p></footer>'
            f'</body></html>').encode("utf-8")


def write_archive(path: Path, pages: int, seed: int = 7) -> int:
    """Write a crawl of ``pages`` pages to one .warc.gz file; return the number of records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    records = 0
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number in range(pages):
            host = PUBLISHERS[number % len(PUBLISHERS)]
            url = f"https://{host}/news/{number}"
            request = StatusAndHeaders(f"GET /news/{number} HTTP/1.1", [("Host", host)], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(render(rng, host, number)),
                                                          http_headers=headers))
            records += 2
            if number % 10 == 0:
                image = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"https://{host}/img/{number}.jpg", "response",
                                                              payload=io.BytesIO(b"\xff\xd8\xff" + bytes(2048)),
                                                              http_headers=image))
                records += 1
    return records


def measure(archive: str, raw_dir: str, parse: bool) -> None:
    """Read one archive with the WARC reader (and parse its pages), then print figures as JSON."""
    from flows.sources import SourceSpec
    from tasks.config import Settings
    from tasks.parse import parse_documents
    from tasks.sources import Context, reader_for
    from warehouse.raw import RawStore

    context = Context(Settings(batch_size=1000), raw=RawStore(raw_dir), say=lambda message: None)
    records = pages = articles = 0
    started, cpu = time.perf_counter(), time.process_time()
    for batch in reader_for("warc").batches([SourceSpec("crawl", "warc", archive)], context):
        records += batch.inputs
        pages += len(batch.docs)
        if parse:
            articles += len(parse_documents(batch.docs).items)
    print(json.dumps({"records": records, "pages": pages, "articles": articles,
                      "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000, 32000], help="pages per file")
    parser.add_argument("--work", type=Path, help="folder for the archives (default: a temporary one)")
    parser.add_argument("--measure", nargs=3, metavar=("ARCHIVE", "RAW", "PARSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure[0], args.measure[1], args.measure[2] == "1")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="newsflow-warc-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'pages':>7} {'records':>8} {'file MB':>8}  {'stage':<12} {'records/s/core':>15} {'pages/s/core':>13} "
          f"{'peak MB':>8}")
    for size in args.sizes:
        archive = work / f"crawl-{size}.warc.gz"
        if not archive.exists():
            write_archive(archive, size)
        for parse in (False, True):
            if parse and size > min(args.sizes):
                continue  # parsing costs the same per page at any size; measured once
            raw = Path(tempfile.mkdtemp(prefix="raw-", dir=work))
            out = subprocess.run([sys.executable, __file__, "--measure", str(archive), str(raw), "1" if parse else "0"],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            stage = "read+parse" if parse else "read"
            print(f"{size:>7} {figures['records']:>8} {archive.stat().st_size / 1e6:>8.1f}  {stage:<12} "
                  f"{figures['records'] / figures['cpu']:>15.0f} {figures['pages'] / figures['cpu']:>13.0f} "
                  f"{figures['peak_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
