"""The process pool of the per-document stages: same result as one process, order kept, and a safe fallback."""
import multiprocessing
import os

import pytest

from tasks.article import Document, StageResult
from tasks.clean import mark_articles
from tasks.config import CleanConfig
from tasks.parse import parse_documents
from tasks.read import decode_bytes
from tasks.workers import WorkerPool, run_steps

from .conftest import EXAMPLES


def _documents() -> list[Document]:
    texts = [decode_bytes(p.read_bytes())[0] for p in sorted((EXAMPLES / "kyiv-ledger").glob("*.txt"))]
    return [Document("kyiv-ledger", f"file:///copy/{i}.txt", "txt", b"", texts[i % len(texts)].replace(
        "\n\n", f"\n\nCopy {i} of the story.\n\n", 1), "utf-8") for i in range(120)]


def die_in_a_worker(items: list) -> StageResult:
    """A stage that kills the worker process running it (and works in the calling process)."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return StageResult(items)


def test_the_pool_gives_the_same_articles_in_the_same_order_as_one_process():
    steps = [("parse", parse_documents, ()), ("mark", mark_articles, (CleanConfig(),))]
    pool = WorkerPool(2)
    try:
        pooled, seconds = pool.run(steps, _documents())
    finally:
        pool.close()
    alone, _ = run_steps(steps, _documents())
    assert len(pooled.items) == 120
    assert [(a.location, a.title, a.paragraphs, a.line_hashes) for a in pooled.items] == [
        (a.location, a.title, a.paragraphs, a.line_hashes) for a in alone.items]
    assert set(seconds) == {"parse", "mark"} and all(v > 0 for v in seconds.values())


def test_a_broken_pool_falls_back_to_the_calling_process():
    pool = WorkerPool(2)
    docs = _documents()
    with pytest.warns(RuntimeWarning, match="worker processes failed"):
        result, _ = pool.run([("die", die_in_a_worker, ())], docs)
    assert result.items == docs and pool.workers == 1
    again, _ = pool.run([("die", die_in_a_worker, ())], docs)  # later batches stay in this process
    assert again.items == docs
