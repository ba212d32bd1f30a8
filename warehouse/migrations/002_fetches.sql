-- Web fetching: every request newsflow makes, for auditing, conditional GET and reprocessing.

CREATE TABLE fetches (
    fetch_id      VARCHAR PRIMARY KEY,     -- hash of url, run and time
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    purpose       VARCHAR NOT NULL,        -- page | feed | sitemap | robots | auto | warc
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,                 -- after redirects
    status        INTEGER,                 -- HTTP status; NULL when no response came
    etag          VARCHAR,
    last_modified VARCHAR,
    content_type  VARCHAR,
    charset       VARCHAR,
    bytes         BIGINT,
    sha256        VARCHAR,                 -- the body in the raw layer
    attempts      INTEGER,
    fetched_at    TIMESTAMPTZ NOT NULL,
    error         VARCHAR,                 -- reject reason (http_404, timeout, too_large, ...)
    detail        VARCHAR,
    hints         JSON                     -- what the feed or sitemap said of the page (title, date, author)
);
CREATE INDEX fetches_url ON fetches (url);

-- The latest answer per URL: what conditional GET and reprocessing start from.
CREATE VIEW latest_fetches AS
SELECT * FROM fetches
QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, fetch_id) = 1;
