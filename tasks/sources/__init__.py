"""Input kinds behind one small interface: each lists its work, yields batches, and knows what it already read.

A new input kind (an S3 prefix of WARC files, a news API export) is one module here with a class that has
``kinds`` and ``batches(specs, context)``, and one line in ``READERS``; the flow does not change.
"""
from __future__ import annotations

from tasks.sources.base import Batch, Context, Reader
from tasks.sources.files import LocalFiles
from tasks.sources.raw import RawLayer
from tasks.sources.warc import WarcFiles
from tasks.sources.web import WebPages

READERS: tuple[Reader, ...] = (LocalFiles(), WebPages(), WarcFiles(), RawLayer())


def reader_for(kind: str) -> Reader:
    """Return the reader of a source kind (directory, file, feed, sitemap, page, url-list, auto, warc, raw)."""
    for reader in READERS:
        if kind in reader.kinds:
            return reader
    raise ValueError(f"no reader for sources of kind {kind!r}")


__all__ = ["Batch", "Context", "Reader", "READERS", "reader_for"]
