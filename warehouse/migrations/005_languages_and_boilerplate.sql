-- Languages per article (shares of its letters) and user decisions about learned boilerplate.

CREATE TABLE article_languages (
    article_id VARCHAR NOT NULL,
    language   VARCHAR NOT NULL,
    share      DOUBLE NOT NULL          -- of the body's letters; the largest share is articles.language
);

-- A line a user marked as content for one source: later runs and reprocess keep it.
CREATE TABLE boilerplate_overrides (
    source_id  VARCHAR NOT NULL,
    line_hash  VARCHAR NOT NULL,         -- tasks.clean.hash_line of the line
    text       VARCHAR NOT NULL,
    decision   VARCHAR NOT NULL,         -- content
    decided_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_id, line_hash)
);

-- What each source has learned as boilerplate, with how many articles lost the line.
CREATE VIEW learned_boilerplate AS
SELECT s.name AS source, r.text, count(DISTINCT r.article_id) AS articles,
       min(a.first_seen_at) AS first_removed, max(a.updated_at) AS last_removed
FROM removed_lines r JOIN articles a USING (article_id) JOIN sources s USING (source_id)
WHERE r.rule = 'learned'
GROUP BY ALL;
