-- Issue 16: template families. Texts written from one template (market reports, results, weather lines) share
-- their sentences and differ in their facts (numbers, names); they are siblings of one family, not copies.

-- The facts a text states (hashes of its numbers and of the names inside its sentences; tasks/dedup.py
-- extract_facts): a copy keeps them, a sibling does not. NULL for articles signed before this migration.
ALTER TABLE article_signatures ADD COLUMN fact_keys BIGINT[];

-- Sentence skeletons: each sentence's words with its facts masked (tasks/dedup.py fingerprint_skeletons), how a
-- sibling finds its family (the table is to families what article_paragraphs is to teasers).
CREATE TABLE article_skeletons (
    skel_hash     BIGINT NOT NULL,
    article_id    VARCHAR NOT NULL,
    words         INTEGER NOT NULL,
    sentence_hash BIGINT NOT NULL      -- the sentence as written: shared as written means one story, not siblings
);
-- (no secondary index: lookups are hash joins over a scan; see 010)

-- One row per article that joined a family: the family's id is its first article's id (earliest seen), which
-- never changes; the similarity is the estimated Jaccard of the shingles with the sibling it matched.
CREATE TABLE template_siblings (
    article_id VARCHAR PRIMARY KEY,
    family_of  VARCHAR NOT NULL,
    similarity DOUBLE,
    run_id     VARCHAR NOT NULL
);

-- Every member of a family with its role, as duplicate_clusters shows copies: a family is a series of distinct
-- stories (each may have its own copies in duplicate_clusters).
CREATE VIEW template_families AS
SELECT t.family_of AS family_id, t.article_id, 'sibling' AS role, t.similarity, t.run_id AS joined_run
FROM template_siblings t
UNION ALL
SELECT o.article_id AS family_id, o.article_id, 'first' AS role, 1.0 AS similarity, o.first_seen_run AS joined_run
FROM articles o
WHERE EXISTS (SELECT 1 FROM template_siblings t WHERE t.family_of = o.article_id);
