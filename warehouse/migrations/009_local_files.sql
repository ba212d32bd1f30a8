-- Local files as earlier runs read them: a run skips a file whose size and times are unchanged since
-- (`newsflow run --refresh` reads every file again). Rejected files are recorded too: their reject stays.
CREATE TABLE local_files (
    location   VARCHAR PRIMARY KEY,         -- absolute path as given (symlinks not resolved)
    source_id  VARCHAR NOT NULL,
    size       BIGINT NOT NULL,
    mtime_ns   BIGINT NOT NULL,
    ctime_ns   BIGINT NOT NULL,             -- changes with permissions too: an unreadable file made readable
    run_id     VARCHAR NOT NULL,            -- the run that read it last
    read_at    TIMESTAMPTZ NOT NULL
);
