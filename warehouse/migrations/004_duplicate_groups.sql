-- Containment (teasers) and stable duplicate groups.

-- Paragraph fingerprints: how a teaser reprinting the first paragraphs finds its full article.
CREATE TABLE article_paragraphs (
    para_hash  BIGINT NOT NULL,          -- hash of the paragraph's normalised words (dateline removed)
    article_id VARCHAR NOT NULL,
    words      INTEGER NOT NULL
);

-- For method 'containment': which article of the pair is the partial copy (the teaser).
ALTER TABLE duplicates ADD COLUMN partial VARCHAR;

-- Every article that belongs to a group, with its group: the group's id is its original's article_id, which
-- never changes (the original is the earliest-seen article), so groups neither split nor renumber when
-- later runs add copies.
CREATE VIEW duplicate_clusters AS
SELECT d.duplicate_of AS cluster_id, d.article_id,
       CASE WHEN d.partial = d.article_id THEN 'partial copy' ELSE 'copy' END AS role,
       d.method, d.similarity, d.run_id AS joined_run
FROM duplicates d
UNION ALL
SELECT o.article_id AS cluster_id, o.article_id,
       CASE WHEN EXISTS (SELECT 1 FROM duplicates p WHERE p.duplicate_of = o.article_id
                         AND p.partial = o.article_id) THEN 'original (partial)' ELSE 'original' END AS role,
       NULL AS method, 1.0 AS similarity, o.first_seen_run AS joined_run
FROM articles o
WHERE EXISTS (SELECT 1 FROM duplicates d WHERE d.duplicate_of = o.article_id);
