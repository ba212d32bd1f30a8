-- Full-text search: term frequencies per article and document lengths, ranked with BM25 at query time.
-- (DuckDB's fts extension builds the same kind of index; offline it exists only for DuckDB 1.5.5.)
CREATE TABLE search_terms (
    term       VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    tf         INTEGER NOT NULL
);
CREATE TABLE search_docs (
    article_id VARCHAR PRIMARY KEY,
    length     INTEGER NOT NULL            -- terms in the article (title weighted)
);
