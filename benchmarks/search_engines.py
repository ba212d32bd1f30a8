"""What DuckDB's fts extension would give: build time and query time on the same articles, for the version choice.

    /path/to/python-with-duckdb-1.5.5 benchmarks/search_engines.py ARTICLES_PARQUET_DIR

Needs a Python where `pip install duckdb==1.5.5 duckdb-extension-fts==1.5.5` was run (newsflow itself pins
DuckDB 2.0, which refuses that extension file). The extension is loaded from the installed package's file,
without network. ARTICLES_PARQUET_DIR is `newsflow export --out DIR` + /articles.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import duckdb

QUERIES = ["tram extension", "budget plan council", "новый мост", "Straßenbahnlinie Bergfeld", "parc éolien",
           "harbour flood barrier protest"]


def main() -> None:
    import duckdb_extension_fts

    extension = os.path.join(os.path.dirname(duckdb_extension_fts.__file__), "extensions",
                             f"v{duckdb.__version__}", "fts.duckdb_extension")
    con = duckdb.connect()
    con.execute(f"LOAD '{extension}'")
    con.execute("SET enable_progress_bar = false")
    source = os.path.join(sys.argv[1], "**", "*.parquet")
    con.execute(f"CREATE TABLE articles AS SELECT article_id, title, body FROM read_parquet('{source}', "
                "hive_partitioning = true)")
    count = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    started = time.perf_counter()
    # \\w is ASCII in RE2: Unicode letter classes keep Cyrillic and accented words
    con.execute(r"""PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', stemmer='none',
                    stopwords='none', ignore='(\.|[^\p{L}\p{N}\s])+', strip_accents=0, lower=1)""")
    print(f"duckdb {duckdb.__version__} fts (loaded from {extension}): index over {count} articles built in "
          f"{time.perf_counter() - started:.1f} s")
    for query in QUERIES:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            rows = con.execute("""SELECT title, score FROM (SELECT title, fts_main_articles.match_bm25(article_id, ?)
                                  AS score FROM articles) WHERE score IS NOT NULL ORDER BY score DESC LIMIT 10""",
                               [query]).fetchall()
            times.append(time.perf_counter() - started)
        print(f"fts {query!r}: {statistics.median(times) * 1000:.0f} ms (median of 3), top: "
              f"{rows[0][0] if rows else '-'}")


if __name__ == "__main__":
    main()
