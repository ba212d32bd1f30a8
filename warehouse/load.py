"""Bulk, transactional loads: batches staged as Parquet, then merged into the warehouse in one transaction.

How each table is written is declared in TABLES (dlt-style: keys plus a write disposition), and one
function, ``write_table``, carries out every declaration with set-based SQL over Arrow data.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tasks.article import Article, Reject, hash_text, make_source_id
from tasks.clean import SourceHistory
from tasks.config import DedupConfig
from tasks.dedup import Known, find_duplicates, make_title_key
from tasks.web import FetchState
from warehouse.connection import STORAGE_VERSION, connect, is_out_of_memory, memory_steps, parse_size, transaction


@dataclass(frozen=True)
class TableSpec:
    """How rows reach a table: ``merge`` upserts on ``keys``; ``replace`` swaps all rows of each ``keys`` value."""

    disposition: str  # merge | replace | append
    keys: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()  # merge: columns an update never overwrites
    update_sql: dict = field(default_factory=dict)  # merge: column -> SQL expression over the old row and incoming


TABLES: dict[str, TableSpec] = {
    "sources": TableSpec("merge", ("source_id",), keep=("first_seen_run",)),
    "articles": TableSpec("merge", ("article_id",), keep=("first_seen_run", "first_seen_at"), update_sql={
        "updated_at": "CASE WHEN articles.content_hash = incoming.content_hash THEN articles.updated_at "
                      "ELSE incoming.updated_at END"}),
    "article_signatures": TableSpec("merge", ("article_id",)),
    "duplicates": TableSpec("replace", ("article_id",)),  # re-decided whenever an article's content changes
    "template_siblings": TableSpec("replace", ("article_id",)),  # likewise
    "article_skeletons": TableSpec("replace", ("article_id",)),
    "rejects": TableSpec("merge", ("reject_id",), keep=("run_id", "first_seen_at")),
    "removed_lines": TableSpec("replace", ("article_id",)),
    "article_lines": TableSpec("replace", ("article_id",)),
    "article_bands": TableSpec("replace", ("article_id",)),
    "article_paragraphs": TableSpec("replace", ("article_id",)),
    "article_languages": TableSpec("replace", ("article_id",)),
    "search_terms": TableSpec("replace", ("article_id",)),
    "search_docs": TableSpec("merge", ("article_id",)),
    "boilerplate_overrides": TableSpec("merge", ("source_id", "line_hash")),
    "authors": TableSpec("merge", ("author_id",)),
    "tags": TableSpec("merge", ("tag_id",)),
    "article_authors": TableSpec("replace", ("article_id",)),
    "article_tags": TableSpec("replace", ("article_id",)),
    "fetches": TableSpec("merge", ("fetch_id",)),
    "backfill_items": TableSpec("merge", ("backfill_id", "item")),
    "local_files": TableSpec("merge", ("location",)),
    "runs": TableSpec("append"),
}

METADATA_COLUMNS = ("modified_at", "canonical_url", "site_name", "description", "image_url", "section",
                    "declared_language", "published_at_source", "published_at_precision", "captured_at",
                    "organisation")
FETCH_COLUMNS = ("url", "purpose", "final_url", "status", "etag", "last_modified", "content_type", "charset",
                 "sha256", "attempts", "error", "detail")


def write_table(con: duckdb.DuckDBPyConnection, name: str, data: pa.Table, scope: pa.Table | None = None) -> None:
    """Write an Arrow table into warehouse table ``name`` as TABLES declares, in bulk.

    For ``replace`` tables, ``scope`` holds the key values whose rows are swapped (by default the keys in
    ``data``), so an article whose new set of rows is empty loses its old ones.

    A merge needs no primary key: the rows whose key is stored are found in one join, updated in one statement,
    and the others appended (tables that grow with the corpus have none: DuckDB rewrites a key's whole index at
    the first checkpoint after a write, so a daily run's commit would cost in proportion to the warehouse;
    migration 015). Within ``data`` the last row of a key wins.

    Arrow tables reach SQL in this module by DuckDB's replacement scan (a local variable named in the query),
    never ``con.register``: a registered table stays in memory until the transaction ends, and a run loads in
    one transaction (measured: +13 MB of Arrow buffers per 1,000 articles, released only at commit).
    """
    spec = TABLES[name]
    keys = ", ".join(spec.keys)
    if spec.disposition == "replace" and scope is not None and scope.num_rows:
        con.execute(f"DELETE FROM {name} WHERE ({keys}) IN (SELECT {keys} FROM scope)")
    if data.num_rows == 0:
        return
    columns = ", ".join(data.column_names)
    if spec.disposition == "merge":
        data = keep_last_rows(data, spec.keys)
        stored = con.sql(f"SELECT {keys} FROM {name} WHERE ({keys}) IN (SELECT {keys} FROM data)").to_arrow_table()
        if stored.num_rows:
            is_stored = pc.is_in(key_values(data, spec.keys), value_set=key_values(stored, spec.keys))
            updates = [f"{c} = {spec.update_sql.get(c, 'incoming.' + c)}" for c in data.column_names
                       if c not in spec.keys and c not in spec.keep]
            if updates:
                incoming = data.filter(is_stored)  # noqa: F841  (the SQL below reads it by name)
                match = " AND ".join(f"{name}.{k} = incoming.{k}" for k in spec.keys)
                con.execute(f"UPDATE {name} SET {', '.join(updates)} FROM incoming WHERE {match}")
            data = data.filter(pc.invert(is_stored))
    elif spec.disposition == "replace" and scope is None:
        con.execute(f"DELETE FROM {name} WHERE ({keys}) IN (SELECT DISTINCT {keys} FROM data)")
    if data.num_rows:
        incoming = data  # noqa: F841  (the SQL below reads it by name)
        con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")


def key_values(data: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    """Return each row's key as one value (a key of several columns joined by a separator no text holds)."""
    if len(keys) == 1:
        return data[keys[0]]
    return pc.binary_join_element_wise(*(pc.cast(data[k], pa.string()) for k in keys), "\x1f")


def keep_last_rows(data: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """Return ``data`` with one row per key value, the last one (as an upsert of each row in turn would)."""
    values = key_values(data, keys)
    if pc.count_distinct(values).as_py() == data.num_rows:
        return data
    rows = pa.table({"key": values, "row": pa.array(range(data.num_rows), pa.int64())})
    last = rows.group_by("key", use_threads=False).aggregate([("row", "max")])["row_max"]
    return data.take(pc.take(last, pc.sort_indices(last)))


# ---------------------------------------------------------------- staging

FILE_STAT_SCHEMA = pa.schema([("location", pa.string()), ("source", pa.string()), ("size", pa.int64()),
                              ("mtime_ns", pa.int64()), ("ctime_ns", pa.int64()), ("read_to", pa.int64())])


def stage_batch(directory: Path, number: int, articles: list[Article], rejects: list[Reject],
                fetches: list | None = None, files: list[tuple] | None = None) -> None:
    """Write one processed batch as Parquet files for the load.

    It holds the articles, the rejects, the requests made, and the local files read as
    (location, source, size, mtime_ns, ctime_ns, read_to).
    """
    directory.mkdir(parents=True, exist_ok=True)
    fetches = fetches or []
    ids = [a.article_id for a in articles]  # digests, made once per article (not per line)
    source_ids = {a.source: a.source_id for a in articles}
    tables = {
        "local_files": pa.Table.from_pylist([dict(zip(FILE_STAT_SCHEMA.names, f)) for f in files or []],
                                            schema=FILE_STAT_SCHEMA),
        "fetches": pa.table({
            "source": pa.array([source for source, _ in fetches], pa.string()),
            **{c: pa.array([getattr(f, c) for _, f in fetches], pa.int32() if c in ("status", "attempts")
                           else pa.string()) for c in FETCH_COLUMNS},
            "bytes": pa.array([f.size for _, f in fetches], pa.int64()),
            "fetched_at": pa.array([f.fetched_at for _, f in fetches], pa.timestamp("us", "UTC")),
            "hints": pa.array([json.dumps(f.hints, ensure_ascii=False) if f.hints else None for _, f in fetches],
                              pa.string()),
        }),
        "articles": pa.table({
            "article_id": ids,
            "source": [a.source for a in articles],
            "site": [a.site or a.source for a in articles],
            "url": [a.url for a in articles],
            "title": [a.title for a in articles],
            "body": [a.body for a in articles],
            "language": [a.language for a in articles],
            "language_probability": pa.array([a.language_probability for a in articles], pa.float64()),
            "content_hash": [a.content_hash for a in articles],
            "published_at": pa.array([a.published_at for a in articles], pa.string()),
            "metadata": [json.dumps(a.metadata, ensure_ascii=False, sort_keys=True) for a in articles],
            **{column: pa.array([a.metadata.get(column) for a in articles], pa.string())
               for column in METADATA_COLUMNS},
            "authors": pa.array([a.metadata.get("authors", []) for a in articles], pa.list_(pa.string())),
            "tags": pa.array([a.metadata.get("tags", []) for a in articles], pa.list_(pa.string())),
            "minhash": pa.array([a.minhash for a in articles], pa.binary()),
            "band_keys": pa.array([a.band_keys for a in articles], pa.list_(pa.int64())),
            "passage_hashes": pa.array([list(a.passage_keys) for a in articles], pa.list_(pa.int64())),
            "languages": pa.array([list(a.languages) for a in articles], pa.list_(pa.string())),
            "terms": pa.array([list(a.terms) for a in articles], pa.list_(pa.string())),
            "term_counts": pa.array([list(a.terms.values()) for a in articles], pa.list_(pa.int32())),
            "language_shares": pa.array([list(a.languages.values()) for a in articles], pa.list_(pa.float64())),
            "passage_words": pa.array([list(a.passage_keys.values()) for a in articles], pa.list_(pa.int32())),
            "fact_keys": pa.array([list(a.fact_keys) for a in articles], pa.list_(pa.int64())),
            "skeleton_hashes": pa.array([list(a.skeleton_keys) for a in articles], pa.list_(pa.int64())),
            "skeleton_words": pa.array([[n for n, _ in a.skeleton_keys.values()] for a in articles],
                                       pa.list_(pa.int32())),
            "skeleton_sentences": pa.array([[h for _, h in a.skeleton_keys.values()] for a in articles],
                                           pa.list_(pa.int64())),
        }),
        "removed_lines": pa.table({
            "article_id": [i for i, a in zip(ids, articles) for _ in a.removed],
            "position": pa.array([r.position for a in articles for r in a.removed], pa.int32()),
            "text": [r.text for a in articles for r in a.removed],
            "rule": [r.rule for a in articles for r in a.removed],
        }),
        "article_lines": pa.table({
            "source_id": [source_ids[a.source] for a in articles for _ in a.line_hashes],
            "site": [a.site or a.source for a in articles for _ in a.line_hashes],
            "article_id": [i for i, a in zip(ids, articles) for _ in a.line_hashes],
            "line_hash": [h for a in articles for h in a.line_hashes],
            "length": pa.array([n for a in articles for n in a.line_hashes.values()], pa.int32()),
        }),
        "rejects": pa.table({
            "source": [r.source for r in rejects], "location": [r.location for r in rejects],
            "stage": [r.stage for r in rejects], "reason": [r.reason for r in rejects],
            "detail": [r.detail for r in rejects],
        }, schema=pa.schema([(c, pa.string()) for c in ("source", "location", "stage", "reason", "detail")])),
    }
    for name, table in tables.items():
        pq.write_table(table, directory / f"{number:06d}.{name}.parquet")


def fetch_state(con: duckdb.DuckDBPyConnection, urls: list[str]) -> FetchState:
    """Return what earlier runs learned of these URLs: validators, the kind fetched, the last body's hash."""
    state = FetchState()
    if not urls:
        return state
    wanted_urls = pa.table({"url": pa.array(sorted(set(urls)), pa.string())})  # noqa: F841  (read by name in the SQL)
    rows = con.execute("""
        SELECT url,
               arg_max(etag, fetched_at) FILTER (WHERE status IN (200, 304)),
               arg_max(last_modified, fetched_at) FILTER (WHERE status IN (200, 304)),
               arg_max(purpose, fetched_at) FILTER (WHERE status IN (200, 304)),
               arg_max(sha256, fetched_at) FILTER (WHERE status = 200 AND sha256 IS NOT NULL)
        FROM fetches WHERE url IN (SELECT url FROM wanted_urls) GROUP BY url""").fetchall()
    for url, etag, modified, purpose, sha256 in rows:
        if etag or modified:
            state.validators[url] = (etag, modified)
        if purpose:
            state.kinds[url] = purpose
        if sha256:
            state.bodies[url] = sha256
    return state


def file_state(con: duckdb.DuckDBPyConnection, locations: list[str]) -> dict[str, tuple[int, int, int, int | None]]:
    """Return (size, mtime_ns, ctime_ns, read_to) of the given local files as earlier runs read them."""
    if not locations:
        return {}
    wanted_files = pa.table({"location": pa.array(locations, pa.string())})  # noqa: F841  (read by name in the SQL)
    rows = con.execute("""SELECT location, size, mtime_ns, ctime_ns, read_to FROM local_files
                          WHERE location IN (SELECT location FROM wanted_files)""").fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def raw_pages(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[dict]:
    """Return the latest downloaded body of every page (web or WARC), optionally of one source."""
    rows = con.execute("""
        SELECT COALESCE(f.final_url, f.url) AS url, s.name AS source, f.sha256, f.charset, f.hints,
               strftime(f.fetched_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S+00:00') AS captured_at
        FROM fetches f JOIN sources s USING (source_id)
        WHERE f.purpose IN ('page', 'warc') AND f.status = 200 AND f.sha256 IS NOT NULL
          AND (? IS NULL OR s.name = ?)
        QUALIFY row_number() OVER (PARTITION BY COALESCE(f.final_url, f.url) ORDER BY f.fetched_at DESC, f.fetch_id) = 1
        ORDER BY url""", [source, source]).fetchall()
    return [dict(zip(("url", "source", "sha256", "charset", "hints", "captured_at"), row)) for row in rows]


def staged_batches(directory: Path) -> list[int]:
    """Return the numbers of the batches staged in a directory, in order."""
    return sorted({int(p.name.split(".")[0]) for p in directory.glob("*.articles.parquet")})


def read_staged(directory: Path, numbers: list[int], name: str) -> pa.Table:
    """Read one staged table of a group of batches, concatenated in order."""
    return pa.concat_tables([pq.read_table(directory / f"{n:06d}.{name}.parquet") for n in numbers],
                            promote_options="default")  # an empty batch's null-typed columns take the others' types


def group_batches(directory: Path, numbers: list[int], most: int) -> list[list[int]]:
    """Return the staged batches in consecutive groups of at most ``most`` articles (a bigger batch alone).

    The load deduplicates a group against the warehouse with one lookup per key table: each lookup scans the
    warehouse's key rows once, so grouping the batches of a run divides that cost by the batches per group.
    """
    groups: list[list[int]] = []
    size = 0
    for number in numbers:
        rows = pq.ParquetFile(directory / f"{number:06d}.articles.parquet").metadata.num_rows
        if groups and size + rows <= most:
            groups[-1].append(number)
            size += rows
        else:
            groups.append([number])
            size = rows
    return groups


# ---------------------------------------------------------------- history for the clean stage

def fetch_source_history(con: duckdb.DuckDBPyConnection, lines: dict[str, set[str]],
                         sample: int) -> dict[str, SourceHistory]:
    """Return, per site, the warehouse articles holding any of the given line hashes (sampled).

    A line a user marked as content (``newsflow boilerplate --keep``, recorded for a source) is kept on every
    site that holds exactly that line.
    """
    names = list(lines)
    wanted_lines = pa.table({  # noqa: F841  (read by name in the SQL)
        "site": [n for n in names for _ in lines[n]],
        "line_hash": [h for n in names for h in lines[n]],
    })
    holders = con.execute("""
        SELECT w.site, l.line_hash, l.article_id
        FROM article_lines l JOIN wanted_lines w USING (site, line_hash)
        QUALIFY row_number() OVER (PARTITION BY l.site, l.line_hash ORDER BY l.article_id) <= ?
    """, [sample]).fetchall()
    wanted_articles = pa.table({"article_id": sorted({row[2] for row in holders})})  # noqa: F841  (read by name)
    article_lines = con.execute("""
        SELECT article_id, line_hash, length FROM article_lines
        WHERE article_id IN (SELECT article_id FROM wanted_articles)""").fetchall()
    kept = con.execute("""SELECT DISTINCT w.site, o.line_hash FROM boilerplate_overrides o
                          JOIN wanted_lines w USING (line_hash) WHERE o.decision = 'content'""").fetchall()
    history = {name: SourceHistory() for name in names}
    for site, line_hash in kept:
        history[site].kept.add(line_hash)
    by_article: dict[str, dict[str, int]] = {}
    for article_id, line_hash, length in article_lines:
        by_article.setdefault(article_id, {})[line_hash] = length
    for site, line_hash, article_id in holders:
        entry = history[site]
        entry.holders.setdefault(line_hash, []).append(article_id)
        entry.articles[article_id] = by_article.get(article_id, {})
    return history


# ---------------------------------------------------------------- the load

@dataclass
class LoadCounts:
    articles: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    duplicates: int = 0
    siblings: int = 0  # articles that joined a template family
    rejects: int = 0


def write_names(con: duckdb.DuckDBPyConnection, articles: pa.Table, scope: pa.Table) -> None:
    """Write authors and tags as normalised tables: one row per name, links per article."""
    for column, table, key in (("authors", "authors", "author_id"), ("tags", "tags", "tag_id")):
        links = [(article_id, name, position) for article_id, names in
                 zip(articles["article_id"].to_pylist(), articles[column].to_pylist())
                 for position, name in enumerate(names or [])]
        ids = [hash_text(f"{column}:{name.casefold()}", size=8) for _, name, _ in links]
        names = dict(zip(ids, (name for _, name, _ in links)))  # one row per name, the first spelling wins
        write_table(con, table, pa.table({key: pa.array(list(names), pa.string()),
                                          "name": pa.array(list(names.values()), pa.string())}))
        link_table = {"article_id": pa.array([a for a, _, _ in links], pa.string()), key: pa.array(ids, pa.string())}
        if column == "authors":
            link_table["position"] = pa.array([p for _, _, p in links], pa.int32())
        write_table(con, f"article_{column}", pa.table(link_table), scope)


def capped_key_rows(con: duckdb.DuckDBPyConnection, key: str, rows_sql: str, cap: int,
                    written: pa.Table, stored_rows: pa.Table) -> pa.Table:  # noqa: ARG001
    """Return the new rows of a dedup key table (``rows_sql`` over ``written``: key, article_id, ..., content_hash),
    without those whose key already has ``cap`` rows stored.

    The lookups take the earliest ``dedup.max_bucket`` groups per key; a key that hundreds of articles share (a
    template's sentence, a market report's fixed band) would otherwise grow with every run and make each lookup
    scan all its rows: the cost per article would grow with the warehouse. Rows past the cap are never looked
    up first, so they are not stored; within a batch the lowest content hashes are kept. ``stored_rows``: the rows
    the key table holds with the new keys, as the lookup found them (``find_key_rows``: the table is not scanned again).
    (``written`` and ``stored_rows`` are read by name in the SQL.)
    """
    return con.sql(f"""
        WITH new AS ({rows_sql}),
        stored AS (SELECT {key}, count(*) AS n FROM stored_rows GROUP BY 1)
        SELECT new.* EXCLUDE (content_hash) FROM new LEFT JOIN stored USING ({key})
        QUALIFY coalesce(stored.n, 0) + row_number() OVER (PARTITION BY {key} ORDER BY content_hash, article_id)
                <= {int(cap)}""").to_arrow_table()


def find_key_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, keys: list[int]) -> pa.Table:
    """Return (key, article_id) of the rows of key table ``table`` whose ``key`` is one of ``keys``: the one scan
    of the table a load group makes for them (the lookups and the capped writes both read its result)."""
    wanted = pa.table({key: pa.array(keys, pa.int64())})  # noqa: F841  (read by name in the SQL)
    return con.sql(f"SELECT {key}, article_id FROM {table} WHERE {key} IN (SELECT {key} FROM wanted)").to_arrow_table()


def lookup_hash_roots(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> dict[str, str]:
    """Map content hashes to the original article of the group that holds them (earliest seen first)."""
    if not hashes:
        return {}
    wanted_hashes = pa.table({"content_hash": hashes})  # noqa: F841  (read by name in the SQL)
    rows = con.execute("""
        SELECT a.content_hash, COALESCE(d.duplicate_of, a.article_id) AS root
        FROM articles a LEFT JOIN duplicates d USING (article_id)
        WHERE a.content_hash IN (SELECT content_hash FROM wanted_hashes)
        QUALIFY row_number() OVER (PARTITION BY a.content_hash ORDER BY a.first_seen_at, a.url, a.title, a.body) = 1
    """).fetchall()
    return dict(rows)


def lookup_passage_matches(con: duckdb.DuckDBPyConnection, stored: pa.Table, cap: int = 32) -> list[Known]:
    """Return warehouse articles sharing a passage (a sentence's fingerprint, tasks/dedup.py read_facts) with the
    batch (``stored``: their rows of article_paragraphs, find_key_rows), with all their passages and their facts
    (at most ``cap`` per passage: one a template repeats in every article says little)."""
    if not stored.num_rows:
        return []
    rows = con.execute(f"""
        WITH hit AS (SELECT DISTINCT article_id, first_seen_at, content_hash FROM (
                         SELECT p.para_hash, p.article_id, a.first_seen_at, a.content_hash
                         FROM stored p JOIN articles a USING (article_id)
                         QUALIFY row_number() OVER (PARTITION BY p.para_hash
                                                    ORDER BY a.first_seen_at, a.content_hash) <= {int(cap)}))
        SELECT p.article_id, s.minhash, COALESCE(d.duplicate_of, p.article_id),
               list(p.para_hash ORDER BY p.position), list(p.words ORDER BY p.position), s.fact_keys, a.title,
               hit.first_seen_at, hit.content_hash
        FROM article_paragraphs p JOIN hit USING (article_id) JOIN articles a USING (article_id)
        JOIN article_signatures s USING (article_id) LEFT JOIN duplicates d USING (article_id)
        GROUP BY ALL ORDER BY hit.first_seen_at, hit.content_hash""").fetchall()
    return [Known(a, bytes(m), root, dict(zip(hashes, words)), facts, title_key=make_title_key(title))
            for a, m, root, hashes, words, facts, title, *_ in rows]


def lookup_skeleton_matches(con: duckdb.DuckDBPyConnection, stored: pa.Table, cap: int = 32) -> list[Known]:
    """Return warehouse articles sharing a paragraph skeleton with the batch (``stored``: their rows of
    article_skeletons, find_key_rows), with their skeletons, facts and family (one article per family and at most
    ``cap`` families per skeleton, earliest first)."""
    if not stored.num_rows:
        return []
    rows = con.execute(f"""
        WITH members AS (
            SELECT k.skel_hash, k.article_id, COALESCE(t.family_of, d.duplicate_of, k.article_id) AS family,
                   a.first_seen_at, a.content_hash
            FROM stored k JOIN articles a USING (article_id)
            LEFT JOIN template_siblings t USING (article_id) LEFT JOIN duplicates d USING (article_id)
            QUALIFY row_number() OVER (PARTITION BY k.skel_hash, family ORDER BY a.first_seen_at, a.content_hash) = 1),
        hit AS (SELECT DISTINCT article_id, family, first_seen_at, content_hash FROM members
                QUALIFY row_number() OVER (PARTITION BY skel_hash ORDER BY first_seen_at, content_hash) <= {int(cap)})
        SELECT k.article_id, s.minhash, COALESCE(d.duplicate_of, k.article_id), list(k.skel_hash), list(k.words),
               list(k.sentence_hash), s.fact_keys, t.family_of, hit.first_seen_at, hit.content_hash
        FROM article_skeletons k JOIN hit USING (article_id) JOIN article_signatures s USING (article_id)
        LEFT JOIN duplicates d USING (article_id) LEFT JOIN template_siblings t USING (article_id)
        GROUP BY ALL ORDER BY hit.first_seen_at, hit.content_hash""").fetchall()
    return [Known(a, bytes(m), root, None, facts, family, dict(zip(hashes, zip(words, sentences))))
            for a, m, root, hashes, words, sentences, facts, family, *_ in rows]


def lookup_band_matches(con: duckdb.DuckDBPyConnection, stored: pa.Table, cap: int = 32) -> list[tuple[int, Known]]:
    """Return (band key, article) for warehouse articles sharing a band key with the batch (``stored``: their rows
    of article_bands, find_key_rows): one article per group of copies or template family, at most ``cap`` per
    key (tasks/dedup.py Buckets), decided in the query."""
    if not stored.num_rows:
        return []
    rows = con.execute(f"""
        WITH members AS (
            SELECT b.band_key, b.article_id, COALESCE(d.duplicate_of, b.article_id) AS root, a.first_seen_at,
                   a.content_hash, COALESCE(t.family_of, d.duplicate_of, b.article_id) AS slot
            FROM stored b JOIN articles a USING (article_id)
            LEFT JOIN duplicates d USING (article_id) LEFT JOIN template_siblings t USING (article_id)
            QUALIFY row_number() OVER (PARTITION BY b.band_key, slot ORDER BY a.first_seen_at, a.content_hash) = 1),
        kept AS (SELECT * FROM members
                 QUALIFY row_number() OVER (PARTITION BY band_key ORDER BY first_seen_at, content_hash) <= {int(cap)})
        SELECT k.band_key, k.article_id, s.minhash, k.root, s.fact_keys, t.family_of
        FROM kept k JOIN article_signatures s USING (article_id) LEFT JOIN template_siblings t USING (article_id)
        ORDER BY k.first_seen_at, k.content_hash, k.article_id, k.band_key
    """).fetchall()
    known: dict[str, Known] = {}
    return [(key, known.setdefault(a, Known(a, bytes(m), root, None, facts, family)))
            for key, a, m, root, facts, family in rows]


@dataclass
class StagedArticle:
    """The fields dedup needs, read back from a staged batch."""

    article_id: str
    content_hash: str
    minhash: bytes
    band_keys: list[int]
    passage_keys: dict[int, int]
    fact_keys: list[int]
    skeleton_keys: dict[int, tuple[int, int]]
    title: str = ""


def load_run(con: duckdb.DuckDBPyConnection, staging: Path, run: dict, sources: dict[str, dict],
             dedup: DedupConfig, before_commit: Callable[[], None] | None = None,
             extra: dict[str, pa.Table] | None = None, on_batch: Callable[[int, int], None] | None = None
             ) -> LoadCounts:
    """Merge every staged batch of a run into the warehouse in one transaction, deduplicating as it goes.

    ``extra`` tables (declared in TABLES) are written in the same transaction, e.g. a backfill's progress;
    ``on_batch(merged, batches)`` is called as each group of staged batches is merged (progress).
    """
    counts = LoadCounts()
    now = datetime.now(timezone.utc)
    clock = time.perf_counter()
    run_id = run["run_id"]
    with transaction(con):
        write_table(con, "sources", pa.table({
            "source_id": [make_source_id(n) for n in sources], "name": list(sources),
            "kind": [s["kind"] for s in sources.values()], "location": [s["location"] for s in sources.values()],
            "first_seen_run": [run_id] * len(sources), "last_seen_run": [run_id] * len(sources)}))
        numbers = staged_batches(staging)
        for group in group_batches(staging, numbers, dedup.load_group):
            _load_batch(con, staging, group, run_id, now, dedup, counts)
            if on_batch is not None:
                on_batch(len(group), len(numbers))
        for name, table in (extra or {}).items():
            write_table(con, name, table)
        finished = datetime.now(timezone.utc)
        summary = run.get("summary") or {}
        summary.setdefault("stage_seconds", {})["load"] = round(time.perf_counter() - clock, 3)
        run = {**run, "summary": summary}
        write_table(con, "runs", pa.Table.from_pylist([{
            **run, "finished_at": finished, "seconds": (finished - run["started_at"]).total_seconds(),
            **_count_columns(counts, run)}]))
        if before_commit:
            before_commit()
    return counts


def start_memory(con: duckdb.DuckDBPyConnection, first: str, most: str) -> str:
    """Return the limit a load starts at: ``first``, or the one the warehouse's last load ran with when larger
    (never past ``most``)."""
    learned = learned_memory(con)
    if not learned or parse_size(learned) <= parse_size(first):
        return first
    return min(learned, most, key=parse_size)


def learned_memory(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return the memory limit the last successful load of this warehouse ran with (None: none recorded)."""
    row = con.execute("""SELECT summary->>'load_memory' FROM runs
                         WHERE status = 'succeeded' AND summary->>'load_memory' IS NOT NULL
                         ORDER BY finished_at DESC LIMIT 1""").fetchone()
    try:
        return row[0] if row and parse_size(row[0]) else None
    except ValueError:  # not a size: as if none were recorded
        return None


class LoadFailed(Exception):
    """A load that ran out of its most memory (nothing was loaded)."""


def load_within_memory(path: str, staging: Path, run: dict, sources: dict[str, dict], dedup: DedupConfig,
                       memory: tuple[str, str] | None, storage_version: str = STORAGE_VERSION,
                       notify: Callable[[str], None] = lambda message: None, **options) -> LoadCounts:
    """Load a run with DuckDB's memory capped, as ``memory`` (first, most) says.

    The first limit is the larger of ``first`` and the limit the warehouse's last load ran with: what a
    load needs can grow with the warehouse (the key indexes its commit pinned did until migration 015), and a big
    one should not fail its first step every day. A load that
    runs out is rolled back and tried again with twice as much, up to the most (then LoadFailed).
    """
    limits, index = [None], 0  # the first connection is unlimited: it reads what the last load needed
    while True:
        limit, con = limits[index], None
        try:
            con = connect(path, timeout=120, memory_limit=limit, storage_version=storage_version)
            if index == 0 and memory:
                limits = memory_steps(start_memory(con, *memory), memory[1])
                limit = limits[0]
                con.execute(f"SET memory_limit = '{parse_size(limit)}B'")  # a size parse_size accepted
            summary = {**(run.get("summary") or {}), **({"load_memory": limit} if limit else {})}
            return load_run(con, staging, {**run, "summary": summary}, sources, dedup, **options)
        except duckdb.Error as exc:
            if not is_out_of_memory(exc):
                raise
            if index + 1 >= len(limits):
                raise LoadFailed(f"the load needs more memory than load_memory_max={limit} (one transaction per "
                                 "run: it grows with the run): set NEWSFLOW_LOAD_MEMORY_MAX higher or ingest in "
                                 f"smaller runs; nothing was loaded. DuckDB: {exc}") from exc
            index += 1
            notify(f"the load ran out of its {limit} of memory; loading again with {limits[index]}")
        finally:
            if con is not None:
                con.close()


def _count_columns(counts: LoadCounts, run: dict) -> dict:
    return {"articles": counts.articles, "new_articles": counts.new_articles,
            "updated_articles": counts.updated_articles, "duplicates": counts.duplicates,
            "rejects": counts.rejects, "summary": json.dumps(run.get("summary") or {})}


def _load_batch(con, staging: Path, numbers: list[int], run_id: str, now: datetime, dedup: DedupConfig,
                counts: LoadCounts) -> None:
    """Load a group of staged batches (read together: one warehouse lookup per key table)."""
    fetches = read_staged(staging, numbers, "fetches")
    if fetches.num_rows:
        keys = zip(fetches["url"].to_pylist(), fetches["fetched_at"].to_pylist(), fetches["attempts"].to_pylist())
        write_table(con, "fetches", fetches.drop_columns(["source"]).append_column(
            "fetch_id", pa.array([hash_text(f"{run_id}|{u}|{t}|{a}") for u, t, a in keys])).append_column(
            "run_id", pa.array([run_id] * fetches.num_rows)).append_column(
            "source_id", pa.array([make_source_id(s) for s in fetches["source"].to_pylist()])))
    files = read_staged(staging, numbers, "local_files")
    if files.num_rows:
        write_table(con, "local_files", files.drop_columns(["source"]).append_column(
            "source_id", pa.array([make_source_id(s) for s in files["source"].to_pylist()])).append_column(
            "run_id", pa.array([run_id] * files.num_rows)).append_column(
            "read_at", pa.array([now] * files.num_rows, pa.timestamp("us", "UTC"))))
    articles = read_staged(staging, numbers, "articles")
    rejects = read_staged(staging, numbers, "rejects")
    counts.rejects += rejects.num_rows
    write_table(con, "rejects", pa.table({
        "reject_id": [hash_text("|".join(r)) for r in zip(*(rejects[c].to_pylist() for c in
                                                             ("source", "location", "stage", "reason")))],
        "run_id": [run_id] * rejects.num_rows, "last_run_id": [run_id] * rejects.num_rows,
        "source_id": [make_source_id(s) for s in rejects["source"].to_pylist()],
        "location": rejects["location"], "stage": rejects["stage"], "reason": rejects["reason"],
        "detail": rejects["detail"],
        "first_seen_at": pa.array([now] * rejects.num_rows, pa.timestamp("us", "UTC")),
        "last_seen_at": pa.array([now] * rejects.num_rows, pa.timestamp("us", "UTC"))}))
    if articles.num_rows == 0:
        return
    # one row per article id: a URL seen twice in a run is one article, its last version wins
    ids = articles["article_id"].to_pylist()
    last = {article_id: i for i, article_id in enumerate(ids)}
    if len(last) < len(ids):
        articles = articles.take(sorted(last.values()))
    counts.articles += articles.num_rows
    incoming_ids = articles.select(["article_id", "content_hash"])  # noqa: F841  (read by name in the SQL)
    previous = dict(con.execute("""SELECT a.article_id, a.content_hash FROM articles a
                                   JOIN incoming_ids i USING (article_id)""").fetchall())
    ids = articles["article_id"].to_pylist()
    changed_ids = {i for i, h in zip(ids, articles["content_hash"].to_pylist()) if previous.get(i) != h}
    counts.new_articles += sum(i not in previous for i in ids)
    counts.updated_articles += sum(i in previous for i in changed_ids)
    counts.unchanged_articles += len(ids) - len(changed_ids)
    # the changed ones; a batch's articles are seen at the same moment: the first of a group is the one with the
    # lowest content hash (then URL, title and body as written, for copies of one text), never the order of paths
    # or of the workers
    # (the order is taken by the signature columns only: the table's term lists and bodies stay where they are)
    written = articles.filter(pa.array([i in changed_ids for i in ids]))
    order = pc.sort_indices(written.select(["content_hash", "url", "title", "body"]), sort_keys=[
        ("content_hash", "ascending"), ("url", "ascending"), ("title", "ascending"), ("body", "ascending")])
    columns = [written[name].take(order).to_pylist() for name in (  # column by column: a third of the time of dicts
        "article_id", "content_hash", "minhash", "band_keys", "passage_hashes", "passage_words", "fact_keys",
        "skeleton_hashes", "skeleton_words", "skeleton_sentences", "title")]
    signed = [StagedArticle(article_id, content_hash, minhash, bands, dict(zip(passages, words)), facts,
                            dict(zip(skeletons, zip(skeleton_words, sentences))), title)
              for (article_id, content_hash, minhash, bands, passages, words, facts, skeletons, skeleton_words,
                   sentences, title) in zip(*columns)]
    # each key table is scanned once for the group: its rows with the group's keys serve the lookup and the
    # capped write of the new rows below
    stored: dict[str, pa.Table] = {}

    def look_up(table: str, key: str, lookup: Callable) -> Callable[[list[int]], list]:
        def run(keys: list[int]) -> list:
            stored[table] = find_key_rows(con, table, key, keys)
            return lookup(con, stored[table], dedup.max_bucket)
        return run

    matches = find_duplicates(signed, dedup, lambda hashes: lookup_hash_roots(con, hashes),
                              look_up("article_bands", "band_key", lookup_band_matches),
                              look_up("article_paragraphs", "para_hash", lookup_passage_matches),
                              look_up("article_skeletons", "skel_hash", lookup_skeleton_matches))
    siblings = [m for m in matches if m.method == "template"]
    matches = [m for m in matches if m.method != "template"]
    counts.duplicates += len(matches)
    counts.siblings += len(siblings)

    source_ids = [make_source_id(s) for s in articles["source"].to_pylist()]
    stamp = pa.array([now] * articles.num_rows, pa.timestamp("us", "UTC"))
    run_ids = [run_id] * articles.num_rows
    staged_articles = articles.drop_columns([  # noqa: F841  (read by name in the SQL)
        "minhash", "band_keys", "source", "authors", "tags", "passage_hashes", "passage_words", "languages",
        "language_shares", "terms", "term_counts", "fact_keys", "skeleton_hashes",
        "skeleton_words", "skeleton_sentences"]).append_column("source_id", pa.array(source_ids)).append_column(
        "run_id", pa.array(run_ids)).append_column("now", stamp)
    write_table(con, "articles", con.sql("""
        SELECT article_id, source_id, url, title, body, language, language_probability, content_hash,
               TRY_CAST(published_at AS TIMESTAMPTZ) AS published_at, metadata,
               run_id AS first_seen_run, run_id AS last_seen_run, now AS first_seen_at, now AS updated_at,
               TRY_CAST(modified_at AS TIMESTAMPTZ) AS modified_at, canonical_url, site_name, description,
               image_url, section, declared_language,
               CASE WHEN published_at IS NULL THEN 'none' ELSE published_at_source END AS published_at_source,
               published_at_precision, TRY_CAST(captured_at AS TIMESTAMPTZ) AS captured_at, organisation, site
        FROM staged_articles""").to_arrow_table())
    if not changed_ids:
        return
    # rows to swap exist only for articles loaded before: new ones skip the deletes (which scan big tables)
    scope = pa.table({"article_id": pa.array(sorted(changed_ids & set(previous)), pa.string())})
    write_table(con, "article_signatures", written.select(["article_id", "minhash", "fact_keys"]))
    # child rows: the staged lists unnested by DuckDB (zipped when two lists are unnested together)
    key_rows = 4 * dedup.max_bucket
    write_table(con, "article_bands", capped_key_rows(con, "band_key", """
        SELECT unnest(band_keys) AS band_key, article_id, content_hash FROM written""", key_rows, written,
        stored["article_bands"]), scope)
    write_table(con, "search_terms", con.sql(
        "SELECT unnest(terms) AS term, article_id, unnest(term_counts) AS tf FROM written").to_arrow_table(), scope)
    write_table(con, "search_docs", con.sql("""SELECT article_id, CAST(COALESCE(list_sum(term_counts), 0) AS INTEGER)
                                               AS length FROM written""").to_arrow_table())
    write_table(con, "article_languages", con.sql("""SELECT article_id, unnest(languages) AS language,
                                                     unnest(language_shares) AS share FROM written""").to_arrow_table(),
                scope)
    write_table(con, "article_paragraphs", capped_key_rows(con, "para_hash", """
        SELECT unnest(passage_hashes) AS para_hash, article_id, unnest(passage_words) AS words,
               unnest(range(len(passage_hashes))) AS position, content_hash
        FROM written""", key_rows, written, stored["article_paragraphs"]), scope)
    write_table(con, "article_skeletons", capped_key_rows(con, "skel_hash", """
        SELECT unnest(skeleton_hashes) AS skel_hash, article_id, unnest(skeleton_words) AS words,
               unnest(skeleton_sentences) AS sentence_hash, content_hash
        FROM written""", key_rows, written, stored["article_skeletons"]), scope)
    write_names(con, written, scope)
    for name in ("removed_lines", "article_lines"):
        table = read_staged(staging, numbers, name)
        write_table(con, name, table.filter(pa.array([i in changed_ids for i in table["article_id"].to_pylist()],
                                                     pa.bool_())), scope)
    write_table(con, "duplicates", pa.table({
        "article_id": pa.array([m.article_id for m in matches], pa.string()),
        "duplicate_of": pa.array([m.duplicate_of for m in matches], pa.string()),
        "method": pa.array([m.method for m in matches], pa.string()),
        "similarity": pa.array([m.similarity for m in matches], pa.float64()),
        "run_id": pa.array([run_id] * len(matches), pa.string()),
        "partial": pa.array([m.partial for m in matches], pa.string())}), scope)
    write_table(con, "template_siblings", pa.table({
        "article_id": pa.array([m.article_id for m in siblings], pa.string()),
        "family_of": pa.array([m.duplicate_of for m in siblings], pa.string()),
        "similarity": pa.array([m.similarity for m in siblings], pa.float64()),
        "run_id": pa.array([run_id] * len(siblings), pa.string())}), scope)

