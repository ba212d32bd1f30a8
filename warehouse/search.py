"""Ranked full-text search over titles and bodies (BM25 over the search_terms index), any language.

Articles are indexed by stem in their own language (tasks/search.py); a query word is looked up as written and
as each language of the warehouse (or the one asked for) stems it, and scores by its best-matching form.
"""
from __future__ import annotations

import duckdb

from tasks.search import make_snippet, query_variants

BM25_K1, BM25_B = 1.2, 0.75

SEARCH_SQL = f"""
WITH q AS (SELECT DISTINCT unnest(?::INTEGER[]) AS word, unnest(?::VARCHAR[]) AS term),
stats AS (SELECT count(*) AS n, avg(length) AS avgdl FROM search_docs),
hits AS (SELECT q.word, t.term, t.article_id, t.tf FROM search_terms t JOIN q USING (term)),
df AS (SELECT term, count(*) AS df FROM hits GROUP BY term),
per_word AS (  -- a query word scores once per article, by its best form
    SELECT h.article_id, h.word,
           max(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5))
               * h.tf * ({BM25_K1} + 1) / (h.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * d.length / stats.avgdl))) AS score
    FROM hits h JOIN df USING (term) JOIN search_docs d USING (article_id) CROSS JOIN stats
    GROUP BY h.article_id, h.word),
scored AS (SELECT article_id, count(*) AS matched, sum(score) AS score FROM per_word GROUP BY article_id)
SELECT a.article_id, s.name AS source, a.site, a.language, COALESCE(a.published_at, a.first_seen_at) AS happened_at,
       a.title, a.url, round(scored.score, 3) AS score, a.body
FROM scored JOIN articles a USING (article_id) JOIN sources s USING (source_id)
WHERE (?::VARCHAR IS NULL OR a.language = ? OR starts_with(a.language, ? || '-'))  -- "zh": zh-cn and zh-tw
  AND (?::VARCHAR IS NULL OR s.name = ?)
  AND (?::VARCHAR IS NULL OR a.site = ?)
  AND (?::DATE IS NULL OR COALESCE(a.published_at, a.first_seen_at) >= ?::DATE)
ORDER BY scored.matched DESC, scored.score DESC, a.article_id
LIMIT ?
"""


def search(con: duckdb.DuckDBPyConnection, query: str, language: str | None = None, source: str | None = None,
           since: str | None = None, limit: int = 10, site: str | None = None) -> list[dict]:
    """Return the best matches for a query: articles with more of the query's words first, then by BM25."""
    languages = [language] if language else [row[0] for row in con.execute(
        "SELECT DISTINCT language FROM articles WHERE language IS NOT NULL ORDER BY 1").fetchall()]
    variants = query_variants(query, languages)
    if not variants:
        return []
    words, terms = [v[0] for v in variants], [v[1] for v in variants]
    rows = con.execute(SEARCH_SQL, [words, terms, language, language, language, source, source, site, site, since,
                                    since, limit]).fetchall()
    results = []
    for article_id, source_name, site_name, lang, happened, title, url, score, body in rows:
        results.append({"score": score, "source": source_name, "site": site_name, "language": lang, "date": str(happened)[:10],
                        "title": title, "snippet": make_snippet(body, terms), "url": url, "article_id": article_id})
    return results
