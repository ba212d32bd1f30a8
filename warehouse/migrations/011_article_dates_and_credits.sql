-- Issue 13: where the publication time came from and how precise it is, when the page was captured (a crawl's
-- or a fetch's time, never a publication time), and an organisation credited as author kept apart from people.

ALTER TABLE articles ADD COLUMN published_at_source VARCHAR;     -- jsonld | meta | itemprop | time | url | text | feed | record | none
ALTER TABLE articles ADD COLUMN published_at_precision VARCHAR;  -- zoned (an instant) | time (wall clock, zone unknown, read as UTC) | day
ALTER TABLE articles ADD COLUMN captured_at TIMESTAMPTZ;         -- WARC record date or fetch time; NULL for local files
ALTER TABLE articles ADD COLUMN organisation VARCHAR;            -- an organisation credited as author ("Staff", a wire, the site)

-- Rows loaded before this migration: the source of their date is unknown until `newsflow reprocess` rebuilds them.
UPDATE articles SET published_at_source = CASE WHEN published_at IS NULL THEN 'none' ELSE 'unknown' END;

-- Undated articles are counted on the day newsflow first saw them, and say so (dated = false).
CREATE OR REPLACE VIEW daily_articles AS
SELECT CAST(COALESCE(a.published_at, a.first_seen_at) AS DATE) AS day,
       s.name AS source, a.language, a.published_at IS NOT NULL AS dated, COUNT(*) AS articles
FROM articles a JOIN sources s USING (source_id)
GROUP BY ALL;
