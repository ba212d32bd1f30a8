"""Views and search on a large warehouse: builds N generated articles, then times queries.

    .venv/bin/python benchmarks/analysis.py [--articles 100000] [--keep PATH]

The warehouse is built through the real load path (signatures, search terms, staged batches, load_run) from
benchmarks/textgen.py stories in four languages over 90 days and 12 sources, a tenth of them copies. Then each
search is run three times (the median is printed) and each analysis view is counted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from textgen import LANGUAGES, make_event, make_story  # noqa: E402
from tasks.article import Article  # noqa: E402
from tasks.config import DedupConfig, LanguageConfig  # noqa: E402
from tasks.language import detect_article_languages  # noqa: E402
from tasks.dedup import sign_articles  # noqa: E402
from tasks.search import index_articles  # noqa: E402
from warehouse.connection import connect  # noqa: E402
from warehouse.load import load_run, stage_batch  # noqa: E402
from warehouse.search import search  # noqa: E402

QUERIES = ["tram extension", "budget plan council", "новый мост", "Straßenbahnlinie Bergfeld", "parc éolien",
           "harbour flood barrier protest"]
VIEWS = ["daily_by_source", "daily_by_language", "source_activity", "duplicate_groups", "syndication",
         "boilerplate_by_source", "rejects_daily", "run_history"]


def build(path: Path, count: int, batch: int = 2000) -> float:
    rng = random.Random(17)
    config = DedupConfig()
    con = connect(path)
    started = time.perf_counter()
    start_day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    recent = []
    made = 0
    while made < count:
        articles = []
        for _ in range(min(batch, count - made)):
            if recent and rng.random() < 0.1:
                title, body = rng.choice(recent)
            else:
                story = make_story(rng, make_event(rng, rng.choice(LANGUAGES)))
                title, body = story.title, "\n\n".join(story.paragraphs)
                recent = (recent + [(title, body)])[-500:]
            source = f"outlet-{rng.randrange(12)}"
            url = f"https://{source}.example/{made}"
            article = Article(source, url, url, title, [])
            article.body = body
            article.published_at = (start_day + timedelta(minutes=rng.randrange(90 * 24 * 60))).isoformat()
            articles.append(article)
            made += 1
        detect_article_languages(articles, LanguageConfig())
        index_articles(sign_articles(articles, config).items)
        staging = path.parent / f"stage-{made}"
        stage_batch(staging, 1, articles, [])
        run = {"run_id": f"bench-{made}", "name": None, "started_at": datetime.now(timezone.utc),
               "status": "succeeded", "inputs": [], "documents_read": len(articles), "summary": {}, "error": None}
        load_run(con, staging, run, {a.source: {"kind": "directory", "location": None} for a in articles}, config)
    con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the warehouse at this path")
    args = parser.parse_args()
    path = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-analysis-")) / "w.duckdb"
    if not path.exists():
        seconds = build(path, args.articles)
        print(f"built {args.articles} articles into {path} in {seconds:.0f} s")
    con = connect(path, read_only=True)
    rows = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    terms = con.execute("SELECT count(*) FROM search_terms").fetchall()[0][0]
    print(f"warehouse: {rows} articles, {terms} search postings, {path.stat().st_size / 2**20:.0f} MiB")
    for query in QUERIES:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            hits = search(con, query, limit=10)
            times.append(time.perf_counter() - started)
        print(f"search {query!r}: {statistics.median(times) * 1000:.0f} ms (median of 3), {len(hits)} hits, "
              f"top: {hits[0]['title'] if hits else '-'}")
    started = time.perf_counter()
    search(con, "tram extension", language="de", since="2024-03-01", limit=10)
    print(f"search with language and date filters: {(time.perf_counter() - started) * 1000:.0f} ms")
    for view in VIEWS:
        started = time.perf_counter()
        count = con.execute(f"SELECT count(*) FROM (SELECT * FROM {view})").fetchall()[0][0]
        print(f"view {view}: {count} rows in {(time.perf_counter() - started) * 1000:.0f} ms")
    con.close()


if __name__ == "__main__":
    main()
