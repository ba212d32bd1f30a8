-- Issue 14: the publisher (site) of every article, beside its source.
-- source: where a run got the input (a folder, a feed, a WARC crawl); site: who published the article, the
-- registrable domain of its canonical URL (or a name the [sites] table gives it; a local text file's source name).
-- Rows loaded before this migration get their site right after it (warehouse/connection.py fill_sites: the
-- registrable domain needs the Public Suffix List, which SQL does not have).

ALTER TABLE articles ADD COLUMN site VARCHAR;
ALTER TABLE article_lines ADD COLUMN site VARCHAR;   -- boilerplate is learned per site

CREATE OR REPLACE VIEW article_times AS
SELECT a.article_id, a.source_id, s.name AS source, a.site, a.language, a.title,
       COALESCE(a.published_at, a.first_seen_at) AS happened_at, a.first_seen_at
FROM articles a JOIN sources s USING (source_id);

CREATE OR REPLACE VIEW daily_by_site AS
SELECT CAST(happened_at AS DATE) AS day, site, count(*) AS articles
FROM article_times GROUP BY ALL;

-- Per publisher: articles, the sources they came through, first and last seen and published.
CREATE OR REPLACE VIEW site_activity AS
SELECT a.site, count(*) AS articles, list(DISTINCT s.name ORDER BY s.name) AS sources,
       min(a.first_seen_at) AS first_seen, max(a.first_seen_at) AS last_seen,
       min(a.published_at) AS first_published, max(a.published_at) AS last_published
FROM articles a JOIN sources s USING (source_id)
GROUP BY ALL;

-- One row per duplicate group; outlets are publishers (sites), however the copies reached the warehouse.
CREATE OR REPLACE VIEW duplicate_groups AS
SELECT c.cluster_id, any_value(o.title) AS title, count(*) AS members,
       count(DISTINCT t.site) AS outlets, list(DISTINCT t.site ORDER BY t.site) AS sites,
       list(DISTINCT t.source ORDER BY t.source) AS sources,
       min(t.happened_at) AS first_at, max(t.happened_at) AS last_at,
       round(date_diff('minute', min(t.happened_at), max(t.happened_at)) / 60.0, 2) AS hours_first_to_last
FROM duplicate_clusters c JOIN article_times t USING (article_id) JOIN articles o ON o.article_id = c.cluster_id
GROUP BY c.cluster_id;

-- Who copies whom, between publishers: for every copy, the site of the group's original and how much later.
DROP VIEW IF EXISTS syndication;
CREATE VIEW syndication AS
SELECT orig.site AS original_site, copy.site AS copying_site, count(*) AS copies,
       round(median(date_diff('minute', orig.happened_at, copy.happened_at)) / 60.0, 2) AS median_hours_later,
       round(min(date_diff('minute', orig.happened_at, copy.happened_at)) / 60.0, 2) AS fastest_hours_later
FROM duplicates d
JOIN article_times copy ON copy.article_id = d.article_id
JOIN article_times orig ON orig.article_id = d.duplicate_of
WHERE copy.site <> orig.site
GROUP BY ALL;

-- Boilerplate per publisher and rule: lines removed, articles touched, share of the text removed.
CREATE OR REPLACE VIEW boilerplate_by_site AS
WITH removed AS (
    SELECT a.site, r.rule, count(*) AS lines_removed, count(DISTINCT r.article_id) AS articles,
           sum(length(r.text)) AS chars_removed
    FROM removed_lines r JOIN articles a USING (article_id) GROUP BY ALL),
kept AS (SELECT site, sum(length(body)) AS chars_kept FROM articles GROUP BY ALL),
all_removed AS (SELECT site, sum(chars_removed) AS chars FROM removed GROUP BY ALL)
SELECT removed.site, removed.rule, removed.lines_removed, removed.articles,
       round(removed.chars_removed / (kept.chars_kept + all_removed.chars), 4) AS share_of_text
FROM removed JOIN kept USING (site) JOIN all_removed USING (site);

-- What each publisher has learned as boilerplate (the source column: where its articles came from).
DROP VIEW IF EXISTS learned_boilerplate;
CREATE VIEW learned_boilerplate AS
SELECT a.site, list(DISTINCT s.name ORDER BY s.name) AS sources, r.text, count(DISTINCT r.article_id) AS articles,
       min(a.first_seen_at) AS first_removed, max(a.updated_at) AS last_removed
FROM removed_lines r JOIN articles a USING (article_id) JOIN sources s USING (source_id)
WHERE r.rule = 'learned'
GROUP BY a.site, r.text;
