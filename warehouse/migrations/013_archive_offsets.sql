-- Issue 14: a WARC file is recorded with the offset up to which its records were read, so that a crawl that went
-- on writing is read from where the last run ended (NULL for other files, read whole).
ALTER TABLE local_files ADD COLUMN read_to BIGINT;
