"""The raw layer as input: every web page and WARC record stored, read again without network (reprocess)."""
from __future__ import annotations

import json
import zlib
from typing import Iterator

from tasks.article import Document, Reject
from tasks.read import DecodeError, decode_bytes
from tasks.sources.base import Batch, Context, chunks


class RawLayer:
    """Sources of kind ``raw``: the location names the source whose pages are read again ("" for all)."""

    kinds = ("raw",)

    def batches(self, specs: list, context: Context) -> Iterator[Batch]:
        for spec in specs:
            pages = context.raw_pages(spec.location or None)
            for group in chunks(pages, context.options.batch_size):
                batch = Batch(inputs=len(group))
                for page in group:
                    self._take(batch, page, context)
                yield batch

    @staticmethod
    def _take(batch: Batch, page: dict, context: Context) -> None:
        try:
            text, encoding = decode_bytes(context.raw.get(page["sha256"]), declared=page["charset"],
                                          config=context.options.read)
        except FileNotFoundError:
            batch.rejects.append(Reject(page["source"], page["url"], "reprocess", "raw_missing",
                                        f"no body {page['sha256']} in the raw layer"))
            return
        except (OSError, EOFError, zlib.error) as exc:  # a truncated or damaged raw-layer file costs its page
            batch.rejects.append(Reject(page["source"], page["url"], "reprocess", "raw_damaged",
                                        f"{type(exc).__name__}: {exc}"))
            return
        except DecodeError as exc:
            batch.rejects.append(Reject(page["source"], page["url"], "read", exc.reason, exc.detail))
            return
        batch.docs.append(Document(page["source"], page["url"], "html", b"", text, encoding, url=page["url"],
                                   hints={**json.loads(page["hints"] or "{}"), "captured_at": page["captured_at"]}))
