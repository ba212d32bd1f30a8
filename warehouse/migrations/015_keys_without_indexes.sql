-- Issue 16: tables that grow with the corpus lose their primary keys; their keys stay declared in warehouse/load.py
-- TABLES and the load keeps one row per key (write_table: the stored keys found in one join, those rows updated,
-- the rest appended; within a run the last row of a key wins).
--
-- Why: DuckDB keeps a primary key in an ART index and rewrites the whole index at the first checkpoint after a
-- write (duckdb/duckdb#24848), so each daily run paid for every article ever loaded. Measured with
-- `benchmarks/dedup.py --warehouse 1000000` (a run of 10,000 articles): closing the warehouse after the load took
-- 0.58 s when empty and 2.22 s at 1,000,000 articles, most of it rewriting the keys of articles and
-- article_signatures; the load's inserts into article_signatures 0.06 s vs 0.30 s (checking the key).
-- Small tables that do not grow with the articles keep theirs (sources, runs, boilerplate_overrides,
-- backfill_items, schema_migrations).
--
-- Each table is rebuilt as it stood after migration 014 (DuckDB cannot drop a constraint), columns, types and NOT
-- NULL unchanged; what the columns hold is told where they were added (001-014). Views bind by name and need no
-- change.

CREATE TABLE articles_015 (
    article_id             VARCHAR NOT NULL,
    source_id              VARCHAR NOT NULL,
    url                    VARCHAR NOT NULL,
    title                  VARCHAR,
    body                   VARCHAR NOT NULL,
    language               VARCHAR NOT NULL,
    language_probability   DOUBLE,
    content_hash           VARCHAR NOT NULL,
    published_at           TIMESTAMP WITH TIME ZONE,
    metadata               JSON,
    first_seen_run         VARCHAR NOT NULL,
    last_seen_run          VARCHAR NOT NULL,
    first_seen_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at            TIMESTAMP WITH TIME ZONE,
    canonical_url          VARCHAR,
    site_name              VARCHAR,
    description            VARCHAR,
    image_url              VARCHAR,
    section                VARCHAR,
    declared_language      VARCHAR,
    published_at_source    VARCHAR,
    published_at_precision VARCHAR,
    captured_at            TIMESTAMP WITH TIME ZONE,
    organisation           VARCHAR,
    site                   VARCHAR
);
INSERT INTO articles_015 SELECT article_id, source_id, url, title, body, language, language_probability, content_hash, published_at, metadata, first_seen_run, last_seen_run, first_seen_at, updated_at, modified_at, canonical_url, site_name, description, image_url, section, declared_language, published_at_source, published_at_precision, captured_at, organisation, site FROM articles;
DROP TABLE articles;
ALTER TABLE articles_015 RENAME TO articles;

CREATE TABLE article_signatures_015 (
    article_id VARCHAR NOT NULL,
    minhash    BLOB NOT NULL,
    fact_keys  BIGINT[]
);
INSERT INTO article_signatures_015 SELECT article_id, minhash, fact_keys FROM article_signatures;
DROP TABLE article_signatures;
ALTER TABLE article_signatures_015 RENAME TO article_signatures;

CREATE TABLE duplicates_015 (
    article_id   VARCHAR NOT NULL,
    duplicate_of VARCHAR NOT NULL,
    method       VARCHAR NOT NULL,
    similarity   DOUBLE NOT NULL,
    run_id       VARCHAR NOT NULL,
    partial      VARCHAR
);
INSERT INTO duplicates_015 SELECT article_id, duplicate_of, method, similarity, run_id, partial FROM duplicates;
DROP TABLE duplicates;
ALTER TABLE duplicates_015 RENAME TO duplicates;

CREATE TABLE template_siblings_015 (
    article_id VARCHAR NOT NULL,
    family_of  VARCHAR NOT NULL,
    similarity DOUBLE,
    run_id     VARCHAR NOT NULL
);
INSERT INTO template_siblings_015 SELECT article_id, family_of, similarity, run_id FROM template_siblings;
DROP TABLE template_siblings;
ALTER TABLE template_siblings_015 RENAME TO template_siblings;

CREATE TABLE search_docs_015 (
    article_id VARCHAR NOT NULL,
    length     INTEGER NOT NULL
);
INSERT INTO search_docs_015 SELECT article_id, length FROM search_docs;
DROP TABLE search_docs;
ALTER TABLE search_docs_015 RENAME TO search_docs;

CREATE TABLE rejects_015 (
    reject_id     VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    last_run_id   VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL,
    detail        VARCHAR,
    first_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO rejects_015 SELECT reject_id, run_id, last_run_id, source_id, location, stage, reason, detail, first_seen_at, last_seen_at FROM rejects;
DROP TABLE rejects;
ALTER TABLE rejects_015 RENAME TO rejects;

CREATE TABLE fetches_015 (
    fetch_id      VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    purpose       VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,
    status        INTEGER,
    etag          VARCHAR,
    last_modified VARCHAR,
    content_type  VARCHAR,
    charset       VARCHAR,
    bytes         BIGINT,
    sha256        VARCHAR,
    attempts      INTEGER,
    fetched_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    error         VARCHAR,
    detail        VARCHAR,
    hints         JSON
);
INSERT INTO fetches_015 SELECT fetch_id, run_id, source_id, purpose, url, final_url, status, etag, last_modified, content_type, charset, bytes, sha256, attempts, fetched_at, error, detail, hints FROM fetches;
DROP TABLE fetches;
ALTER TABLE fetches_015 RENAME TO fetches;

CREATE TABLE local_files_015 (
    location  VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    size      BIGINT NOT NULL,
    mtime_ns  BIGINT NOT NULL,
    ctime_ns  BIGINT NOT NULL,
    run_id    VARCHAR NOT NULL,
    read_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    read_to   BIGINT
);
INSERT INTO local_files_015 SELECT location, source_id, size, mtime_ns, ctime_ns, run_id, read_at, read_to FROM local_files;
DROP TABLE local_files;
ALTER TABLE local_files_015 RENAME TO local_files;

CREATE TABLE authors_015 (
    author_id VARCHAR NOT NULL,
    name      VARCHAR NOT NULL
);
INSERT INTO authors_015 SELECT author_id, name FROM authors;
DROP TABLE authors;
ALTER TABLE authors_015 RENAME TO authors;

CREATE TABLE tags_015 (
    tag_id VARCHAR NOT NULL,
    name   VARCHAR NOT NULL
);
INSERT INTO tags_015 SELECT tag_id, name FROM tags;
DROP TABLE tags;
ALTER TABLE tags_015 RENAME TO tags;
