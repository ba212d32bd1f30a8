"""Local files: a directory (searched recursively) or a file of .txt, .html, .htm, .xhtml, .html.gz, .jsonl.

Files are listed as the directories are walked and handed on in batches of paths, which the worker pool reads,
decodes and parses; a file unchanged since a run read it (size and times) is skipped and counted. WARC files
found in a folder are read as the WARC reader reads them.
"""
from __future__ import annotations

import itertools
from collections import Counter
from typing import Iterator

from tasks.article import Reject
from tasks.read import Notice, iter_inputs, kind_of, location_of
from tasks.sources.base import Batch, Context
from tasks.sources.warc import WarcFiles, file_stat

LIST_GROUP = 10_000  # files listed, stat'ed and checked against the warehouse per query (each query scans)


class LocalFiles:
    kinds = ("directory", "file")

    def batches(self, specs: list, context: Context) -> Iterator[Batch]:
        size, todo, skipped = context.options.batch_size, [], Counter()
        hidden = context.options.read.include_hidden
        listed = (item for spec in specs for item in iter_inputs(spec.location, spec.name, hidden))
        group_size = size  # the first group is one batch: it is read while the next group is listed
        while group := list(itertools.islice(listed, group_size)):
            group_size = max(size, LIST_GROUP)
            rejects = [item for item in group if isinstance(item, Reject)]  # files newsflow does not read
            skipped.update(item.reason for item in group if isinstance(item, Notice))
            pairs = [item for item in group if isinstance(item, tuple)]
            context.tick("list", "listing files", len(group))
            capped = 0
            stats = [file_stat(path, source) for source, path in pairs]
            known = {} if context.refresh else context.known_files([s[0] for s in stats if s])
            for pair, stat in zip(pairs, stats):
                if kind_of(pair[1]) == "warc":  # a crawl's archive among the pages
                    yield from WarcFiles().read_file(pair[0], pair[1], stat, known.get(stat[0]) if stat else None,
                                                     context)
                elif stat and stat[2] > context.options.read.max_file_bytes:
                    # not recorded as read: raising the cap reads it on the next run, no --refresh needed
                    rejects.append(Reject(pair[0], location_of(pair[1]), "read", "too_large",
                                          f"{stat[2]} bytes, over read.max_file_bytes = "
                                          f"{context.options.read.max_file_bytes} (NEWSFLOW_READ__MAX_FILE_BYTES)"))
                    capped += 1
                elif stat and known.get(stat[0], (None,))[:3] == tuple(stat[2:5]):
                    skipped["unchanged_file"] += 1
                else:
                    todo.append((pair, stat))  # no stat: the read stage rejects it with the reason
            if rejects:  # one batch of the group's rejects; a capped file counts as read, an unknown kind does not
                yield Batch(rejects=rejects, inputs=capped)
            while len(todo) >= size:
                yield self._batch(todo[:size], skipped)
                del todo[:size]
        if todo or skipped:
            yield self._batch(todo, skipped)

    @staticmethod
    def _batch(todo: list[tuple], skipped: Counter) -> Batch:
        """Return a batch of files to read, carrying the skips counted since the last one."""
        batch = Batch(paths=[pair for pair, _ in todo], files=[stat + (None,) for _, stat in todo if stat],
                      inputs=len(todo), skipped=Counter(skipped))
        skipped.clear()
        return batch
