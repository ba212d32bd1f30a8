-- Article metadata read from pages (JSON-LD, OpenGraph, meta tags): dates, site, description, image, section,
-- the page's declared language, and authors and tags as normalised tables.

ALTER TABLE articles ADD COLUMN modified_at TIMESTAMPTZ;
ALTER TABLE articles ADD COLUMN canonical_url VARCHAR;
ALTER TABLE articles ADD COLUMN site_name VARCHAR;
ALTER TABLE articles ADD COLUMN description VARCHAR;
ALTER TABLE articles ADD COLUMN image_url VARCHAR;
ALTER TABLE articles ADD COLUMN section VARCHAR;
ALTER TABLE articles ADD COLUMN declared_language VARCHAR;   -- what the page says (html lang, og:locale)

CREATE TABLE authors (
    author_id  VARCHAR PRIMARY KEY,    -- hash of the case-folded name
    name       VARCHAR NOT NULL
);

CREATE TABLE article_authors (
    article_id VARCHAR NOT NULL,
    author_id  VARCHAR NOT NULL,
    position   INTEGER NOT NULL          -- 0 for the first author named
);

CREATE TABLE tags (
    tag_id     VARCHAR PRIMARY KEY,    -- hash of the case-folded tag
    name       VARCHAR NOT NULL
);

CREATE TABLE article_tags (
    article_id VARCHAR NOT NULL,
    tag_id     VARCHAR NOT NULL
);
