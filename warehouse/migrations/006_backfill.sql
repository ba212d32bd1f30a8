-- Backfills: which items (WARC files, sitemaps) of a date window are done, committed with their load.
CREATE TABLE backfill_items (
    backfill_id VARCHAR NOT NULL,        -- hash of the window and its inputs
    item        VARCHAR NOT NULL,        -- a WARC file or sitemap URL
    run_id      VARCHAR NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (backfill_id, item)
);
