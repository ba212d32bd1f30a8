-- newsflow warehouse, first schema. Applied once, inside a transaction, and recorded in schema_migrations.

CREATE TABLE sources (
    source_id   VARCHAR PRIMARY KEY,      -- hash of the name
    name        VARCHAR NOT NULL UNIQUE,
    kind        VARCHAR NOT NULL,          -- directory | file | jsonl
    location    VARCHAR,
    first_seen_run VARCHAR,
    last_seen_run  VARCHAR
);

CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    name          VARCHAR,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL,        -- succeeded | failed
    inputs        VARCHAR[],
    documents_read INTEGER,
    articles      INTEGER,                 -- articles parsed and cleaned in this run
    new_articles  INTEGER,
    updated_articles INTEGER,
    duplicates    INTEGER,                 -- new duplicate rows
    rejects       INTEGER,
    seconds       DOUBLE,
    summary       JSON,                    -- rejects by reason, languages, stage timings
    error         VARCHAR
);

CREATE TABLE articles (
    article_id    VARCHAR PRIMARY KEY,     -- hash of the canonical URL (file:// URI for local files)
    source_id     VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    title         VARCHAR,
    body          VARCHAR NOT NULL,        -- cleaned text, paragraphs separated by one blank line
    language      VARCHAR NOT NULL,        -- ISO 639-1 code, or und
    language_probability DOUBLE,
    content_hash  VARCHAR NOT NULL,
    published_at  TIMESTAMPTZ,
    metadata      JSON,
    first_seen_run VARCHAR NOT NULL,
    last_seen_run  VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX articles_content_hash ON articles (content_hash);

CREATE TABLE duplicates (
    article_id    VARCHAR PRIMARY KEY,
    duplicate_of  VARCHAR NOT NULL,        -- earliest-seen article of the group (never itself a duplicate)
    method        VARCHAR NOT NULL,        -- exact | near
    similarity    DOUBLE NOT NULL,
    run_id        VARCHAR NOT NULL
);

CREATE TABLE removed_lines (
    article_id    VARCHAR NOT NULL,
    position      INTEGER NOT NULL,        -- line number within the parsed body, from 0
    text          VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL         -- rule name from tasks/data/boilerplate.toml, learned, or context
);

-- Lines an article kept after rule cleaning, hashed: the history from which a source's repeated lines are learned.
CREATE TABLE article_lines (
    source_id     VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    line_hash     VARCHAR NOT NULL,
    length        INTEGER NOT NULL
);
CREATE INDEX article_lines_line ON article_lines (source_id, line_hash);

CREATE TABLE article_signatures (
    article_id    VARCHAR PRIMARY KEY,
    minhash       BLOB NOT NULL            -- uint32 MinHash values, little-endian
);

CREATE TABLE article_bands (
    band_key      BIGINT NOT NULL,
    article_id    VARCHAR NOT NULL
);
CREATE INDEX article_bands_key ON article_bands (band_key);

CREATE TABLE rejects (
    reject_id     VARCHAR PRIMARY KEY,     -- hash of source, location, stage and reason
    run_id        VARCHAR NOT NULL,        -- first run that rejected it
    last_run_id   VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL,
    detail        VARCHAR,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);

CREATE VIEW unique_articles AS
SELECT a.* FROM articles a
WHERE NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.article_id = a.article_id);

CREATE VIEW daily_articles AS
SELECT CAST(COALESCE(a.published_at, a.first_seen_at) AS DATE) AS day,
       s.name AS source, a.language, COUNT(*) AS articles
FROM articles a JOIN sources s USING (source_id)
GROUP BY ALL;
