"""WARC input: a crawler's output (a folder of .warc, .warc.gz, .arc, .arc.gz files, or one file) is one source.

Every HTML response becomes a document with its record's target URI, capture date (``captured_at``, never a
publication date) and HTTP charset, and is kept in the raw layer. Other records (requests, metadata, revisits,
robots.txt, images, HTTP errors) are skipped and counted. A corrupt record costs that record: reading goes on at
the next record boundary. A file is recorded with the offset it was read to, so a re-run skips an unchanged
file and reads a grown one from where it ended.
"""
from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tasks.article import Document, Reject
from tasks.fetch import FetchResult
from tasks.read import DecodeError, decode_bytes, discover_files, is_regular_file, location_of, printable
from tasks.sources.base import Batch, Context, chunks

ENDINGS = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
PROGRESS_EVERY = 1000  # records between progress lines
RESYNC = (b"\x1f\x8b\x08", b"WARC/1.")  # where a record can start: a gzip member, an uncompressed WARC header
SCAN_BLOCK = 1 << 20


@dataclass
class WarcPage:
    """One HTML response of a WARC file."""

    url: str
    date: str | None
    status: int
    content_type: str | None
    charset: str | None
    body: bytes


@dataclass
class Skipped:
    """A record that is not an HTML page (counted under ``reason``)."""

    url: str
    reason: str


@dataclass
class Broken:
    """A record that could not be read; reading goes on after it."""

    offset: int
    detail: str


@dataclass
class Finished:
    """The end of a file: the offset up to which every record was read (a cut last record is read next time)."""

    read_to: int


def is_archive(path: str | Path) -> bool:
    return str(path).lower().endswith(ENDINGS)


def find_record_start(path: Path, after: int) -> int | None:
    """Return the first offset past ``after`` where a record can start (a gzip member, a WARC header), or None."""
    with open(path, "rb") as handle:
        handle.seek(after + 1)
        position, tail = after + 1, b""
        while block := handle.read(SCAN_BLOCK):
            data = tail + block
            hits = [i for i in (data.find(marker) for marker in RESYNC) if i >= 0]
            if hits:
                return position - len(tail) + min(hits)
            tail = data[-8:]
            position += len(block)
    return None


class DamagedRecord(Exception):
    """A record that does not end where its length says: ``begin`` is where it starts."""

    def __init__(self, begin: int, detail: str):
        super().__init__(detail)
        self.begin = begin


def read_warc(path: Path, start: int = 0) -> Iterator[WarcPage | Skipped | Broken | Finished]:
    """Yield the HTML responses of a WARC or ARC file from ``start``; the rest as Skipped, Broken, Finished.

    A record is given out once the reader has gone past it cleanly: a record whose compressed end is damaged, or
    whose Content-Length is wrong (warcio then reads the next records out of step, as garbage), is Broken, and
    reading goes on at the next place a record can start after it. Each attempt starts past the one before, so a
    damaged spot is never read twice.
    """
    from warcio.archiveiterator import ArchiveIterator

    offset = start  # where every record before has been read to
    size = path.stat().st_size
    with open(path, "rb") as handle:
        while True:
            seek = offset
            handle.seek(seek)
            records = ArchiveIterator(handle, arc2warc=True)
            held = None  # (item, begin, end) of the last record read, given out once the reader is past it
            try:
                for record in itertools.chain(records, [None]):  # None: the end, where the last one is given out
                    if records.err_count and held:  # the record held did not end where its length said
                        raise DamagedRecord(held[1], "a record's Content-Length does not match its content")
                    if held:
                        yield held[0]
                        offset, held = held[2], None
                    if record is None:
                        break
                    item = _read_record(record)
                    begin, length = records.get_record_offset(), records.get_record_length()
                    if length <= 0:  # a gzip member damaged near its end: where the record ends is unknown
                        raise DamagedRecord(begin, "a record whose compressed data is damaged")
                    held = (item, begin, begin + length)
                if offset < size and find_record_start(path, offset - 1) is not None:
                    # the reader stopped before the end without an error: the records left are still read
                    raise DamagedRecord(offset, f"reading stopped at byte {offset} of {size}")
                yield Finished(offset)
                return
            except Exception as exc:  # a corrupt record: go on at the next place a record can start
                if isinstance(exc, DamagedRecord):
                    damage = exc.begin
                elif held and records.err_count:  # read out of step: the record held is garbage, not a record
                    damage = held[1]
                elif held:  # the record held was read cleanly; the one after it is the damaged one
                    yield held[0]
                    offset = damage = held[2]
                else:
                    damage = offset
                resume = find_record_start(path, max(damage, seek))
                if resume is None:
                    yield Finished(offset)  # a cut last record (a crawl still writing): read it next time
                    return
                yield Broken(damage, f"{type(exc).__name__}: {exc}"[:300])
                offset = resume


def _read_record(record) -> WarcPage | Skipped:
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type != "response":
        return Skipped(url, f"warc_{record.rec_type or 'unknown'}")
    http = record.http_headers
    status = int(http.get_statuscode()) if http and http.get_statuscode() else 0
    content_type = http.get_header("Content-Type") if http else None
    media = (content_type or "").split(";")[0].strip().lower()
    if status != 200:
        return Skipped(url, f"warc_http_{status}")
    if media not in HTML_TYPES:
        return Skipped(url, "warc_not_html")
    match = CHARSET.search(content_type or "")
    return WarcPage(url, record.rec_headers.get_header("WARC-Date"), status, media,
                    match.group(1) if match else None, record.content_stream().read())


def capture_time(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else datetime.now(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


def file_stat(path: Path, source: str) -> tuple | None:
    """Return (location, source, size, mtime_ns, ctime_ns) of a file, or None when it cannot be stat'ed."""
    location = os.path.abspath(path)
    try:
        info = os.stat(location)
    except OSError:
        return None
    return (printable(location), source, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class WarcFiles:
    """Sources of kind ``warc``: a WARC file, or a folder searched recursively for them."""

    kinds = ("warc",)

    def batches(self, specs: list, context: Context) -> Iterator[Batch]:
        for spec in specs:
            archives = [p for p in discover_files(spec.location) if is_archive(p)] \
                if Path(spec.location).is_dir() else [Path(spec.location)]
            if not archives:
                yield Batch(rejects=[Reject(spec.name, spec.location, "discover", "not_found",
                                            "no .warc, .warc.gz, .arc or .arc.gz file there")], inputs=1)
            for group in chunks(archives, 1000):
                stats = {path: file_stat(path, spec.name) for path in group}
                known = {} if context.refresh else context.known_files([s[0] for s in stats.values() if s])
                for path, stat in stats.items():
                    yield from self.read_file(spec.name, path, stat, known.get(stat[0]) if stat else None,
                                              context)

    def read_file(self, source: str, path: Path, stat: tuple | None, known: tuple | None,
                  context: Context) -> Iterator[Batch]:
        """Yield batches of one archive's HTML pages; an unchanged file is skipped, a grown one read on."""
        location = location_of(Path(path))
        if stat is None or not is_regular_file(Path(path)):
            yield Batch(rejects=[Reject(source, location, "read", "not_a_file" if stat else "unreadable",
                                        "not a regular file" if stat else "the file cannot be stat'ed")], inputs=1)
            return
        start = 0
        if known and not context.refresh:
            size, mtime, ctime, read_to = (tuple(known) + (None,))[:4]
            if (size, mtime, ctime) == tuple(stat[2:5]):
                yield Batch(skipped={"unchanged_file": 1})
                return
            if read_to and stat[2] > size:
                start = read_to  # a crawl that went on writing: read its new records only
        batch, records = Batch(), 0
        try:
            for item in read_warc(Path(path), start):
                if isinstance(item, Finished):
                    batch.files.append(tuple(stat) + (item.read_to,))
                    break
                records += 1
                context.tick("warc", f"reading {Path(path).name}", 1)
                if records % PROGRESS_EVERY == 0:
                    context.say(f"{Path(path).name}: {records} records read")
                self._take(batch, source, location, item, context)
                if len(batch.docs) >= context.options.batch_size:
                    yield batch
                    batch = Batch()
        except OSError as exc:  # the file went away or cannot be read: it costs its remaining records
            batch.rejects.append(Reject(source, location, "read", "unreadable", f"{type(exc).__name__}: {exc}"))
        context.say(f"{Path(path).name}: {records} records read" + (f" from offset {start}" if start else ""))
        yield batch

    @staticmethod
    def _take(batch: Batch, source: str, location: str, item, context: Context) -> None:
        """Add one record to a batch: a page becomes a document (and a raw-layer record), the rest is counted."""
        batch.inputs += 1
        if isinstance(item, Skipped):
            batch.skipped[item.reason] += 1
            return
        if isinstance(item, Broken):
            batch.rejects.append(Reject(source, f"{location}#offset={item.offset}", "read", "bad_warc_record",
                                        item.detail))
            return
        record = FetchResult(url=item.url, purpose="warc", final_url=item.url, status=item.status,
                             content_type=item.content_type, charset=item.charset, body=None,
                             size=len(item.body), attempts=0, detail=location, fetched_at=capture_time(item.date))
        if context.raw is not None:
            record.sha256 = context.raw.put(item.body)
        batch.fetches.append((source, record))
        try:
            text, encoding = decode_bytes(item.body, declared=item.charset, config=context.options.read)
        except DecodeError as exc:
            batch.rejects.append(Reject(source, item.url, "read", exc.reason, exc.detail))
            return
        batch.docs.append(Document(source, item.url, "html", b"", text, encoding, url=item.url,
                                   hints={"captured_at": item.date} if item.date else {}))
