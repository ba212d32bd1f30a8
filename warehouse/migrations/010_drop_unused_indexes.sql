-- Secondary indexes no query used: every lookup of the load and the clean stage joins a batch's keys with a
-- table, and DuckDB plans those as hash joins over a scan (EXPLAIN showed a sequential scan even for
-- `content_hash = 'x'`). The indexes still cost every load: each run's rows were added to them at commit,
-- where DuckDB holds the indexes in memory: at the commit of 100,000 articles its index memory was 191 MB with
-- them and 31 MB without (the primary keys), and a 128 MB load limit failed with them.
-- Primary keys stayed: the declared merges (INSERT ... ON CONFLICT) needed them (until 015).
DROP INDEX IF EXISTS articles_content_hash;
DROP INDEX IF EXISTS article_lines_line;
DROP INDEX IF EXISTS article_bands_key;
DROP INDEX IF EXISTS fetches_url;
