-- Views analysts ask for (documented with an example query each in warehouse/README.md).

-- When an article happened: its published time, or when newsflow first saw it.
CREATE VIEW article_times AS
SELECT a.article_id, a.source_id, s.name AS source, a.language, a.title,
       COALESCE(a.published_at, a.first_seen_at) AS happened_at, a.first_seen_at
FROM articles a JOIN sources s USING (source_id);

CREATE VIEW daily_by_source AS
SELECT CAST(happened_at AS DATE) AS day, source, count(*) AS articles
FROM article_times GROUP BY ALL;

CREATE VIEW daily_by_language AS
SELECT CAST(happened_at AS DATE) AS day, language, count(*) AS articles
FROM article_times GROUP BY ALL;

CREATE VIEW source_activity AS
SELECT s.name AS source, s.kind, count(a.article_id) AS articles,
       min(a.first_seen_at) AS first_seen, max(a.first_seen_at) AS last_seen,
       min(a.published_at) AS first_published, max(a.published_at) AS last_published
FROM sources s LEFT JOIN articles a USING (source_id)
GROUP BY ALL;

-- One row per duplicate group: its original, how many outlets ran it, and how long copies kept coming.
CREATE VIEW duplicate_groups AS
SELECT c.cluster_id, any_value(o.title) AS title, count(*) AS members,
       count(DISTINCT t.source) AS outlets, list(DISTINCT t.source ORDER BY t.source) AS sources,
       min(t.happened_at) AS first_at, max(t.happened_at) AS last_at,
       round(date_diff('minute', min(t.happened_at), max(t.happened_at)) / 60.0, 2) AS hours_first_to_last
FROM duplicate_clusters c JOIN article_times t USING (article_id) JOIN articles o ON o.article_id = c.cluster_id
GROUP BY c.cluster_id;

-- Who copies whom: for every copy, the outlet of the group's original, and how much later the copy ran.
CREATE VIEW syndication AS
SELECT orig.source AS original_source, copy.source AS copying_source, count(*) AS copies,
       round(median(date_diff('minute', orig.happened_at, copy.happened_at)) / 60.0, 2) AS median_hours_later,
       round(min(date_diff('minute', orig.happened_at, copy.happened_at)) / 60.0, 2) AS fastest_hours_later
FROM duplicates d
JOIN article_times copy ON copy.article_id = d.article_id
JOIN article_times orig ON orig.article_id = d.duplicate_of
WHERE copy.source <> orig.source
GROUP BY ALL;

-- Boilerplate per source and rule: lines removed, articles touched, share of the text removed.
CREATE VIEW boilerplate_by_source AS
WITH removed AS (
    SELECT a.source_id, r.rule, count(*) AS lines_removed, count(DISTINCT r.article_id) AS articles,
           sum(length(r.text)) AS chars_removed
    FROM removed_lines r JOIN articles a USING (article_id) GROUP BY ALL),
kept AS (SELECT source_id, sum(length(body)) AS chars_kept FROM articles GROUP BY ALL),
all_removed AS (SELECT source_id, sum(chars_removed) AS chars FROM removed GROUP BY ALL)
SELECT s.name AS source, removed.rule, removed.lines_removed, removed.articles,
       round(removed.chars_removed / (kept.chars_kept + all_removed.chars), 4) AS share_of_text
FROM removed JOIN kept USING (source_id) JOIN all_removed USING (source_id) JOIN sources s USING (source_id);

CREATE VIEW rejects_daily AS
SELECT CAST(r.last_seen_at AS DATE) AS day, s.name AS source, r.stage, r.reason, count(*) AS rejects
FROM rejects r LEFT JOIN sources s USING (source_id)
GROUP BY ALL;

-- Run history with the seconds each stage took.
CREATE VIEW run_history AS
SELECT run_id, name, started_at, finished_at, status, seconds, documents_read, articles, new_articles,
       updated_articles, duplicates, rejects,
       CAST(summary->'$.stage_seconds.discover' AS DOUBLE) AS discover_s,
       CAST(summary->'$.stage_seconds.fetch' AS DOUBLE) AS fetch_s,
       CAST(summary->'$.stage_seconds.read' AS DOUBLE) AS read_s,
       CAST(summary->'$.stage_seconds.parse' AS DOUBLE) AS parse_s,
       CAST(summary->'$.stage_seconds.clean' AS DOUBLE) AS clean_s,
       CAST(summary->'$.stage_seconds.language' AS DOUBLE) AS language_s,
       CAST(summary->'$.stage_seconds.signatures' AS DOUBLE) AS signatures_s,
       CAST(summary->'$.stage_seconds.load' AS DOUBLE) AS load_s,
       error
FROM runs;
