"""Run per-document stages over a batch on all cores: one process pool, chunks of the batch, order kept.

Only stages whose output for a document depends on that document alone go to the pool (read, parse,
language, signatures); clean learns across the batch and runs where the batch is whole.
"""
from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import time
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from tasks.article import StageResult

Step = tuple[str, Callable[..., StageResult], tuple]  # (stage name, stage function, its extra arguments)


def run_steps(steps: list[Step], items: list) -> tuple[StageResult, dict[str, float]]:
    """Run stages one after another on a list of items; return the result and the seconds of each stage."""
    rejects, seconds = [], {}
    for name, stage, args in steps:
        clock = time.perf_counter()
        result = stage(items, *args)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - clock
        items = result.items
        rejects += result.rejects
    if multiprocessing.parent_process() is not None:
        trim_memory()  # a worker: what this chunk's pages took goes back before the next chunk
    return StageResult(items, rejects), seconds


def trim_memory() -> None:
    """Give the heap memory freed so far back to the OS (glibc's malloc_trim, as Dask workers do); else nothing.

    Without it a long run's processes keep the high-water mark of their largest batch or page for good.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def resolve_workers(workers: int) -> int:
    """Return the number of worker processes: ``workers``, or every core when it is 0."""
    return workers if workers > 0 else (os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Make a worker end when the process that started it ends, however it ends (kill -9 included; Linux).

    Without it, workers of a killed run live on, each holding its memory.
    """
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: workers end when their pipe to the parent closes, at their next task
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


class WorkerPool:
    """A process pool started on first use (spawned workers import only ``tasks``), reused across batches and runs."""

    MIN_CHUNK = 16  # documents per chunk at least: smaller batches run in the calling process

    def __init__(self, workers: int):
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, steps: list[Step], items: list) -> "Future | None":
        """Start the steps on a batch in the pool; None when the batch is too small to split (run it locally)."""
        if self.workers <= 1 or len(items) < 2 * self.MIN_CHUNK:
            return None
        if self._executor is None:
            # (no max_tasks_per_child: with it, CPython 3.11's pool hung for good once a worker was replaced)
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=die_with_parent, initargs=(os.getpid(),))
            atexit.register(self.close)
        chunks = max(1, min(self.workers * 4, len(items) // self.MIN_CHUNK))
        size = -(-len(items) // chunks)
        parts = [self._executor.submit(run_steps, steps, items[i:i + size]) for i in range(0, len(items), size)]
        return _Joined(parts)

    def run(self, steps: list[Step], items: list) -> tuple[StageResult, dict[str, float]]:
        """Run the steps on a batch, in the pool when it is worth splitting; keep the items' order.

        A pool that breaks (a worker killed, or a script without ``if __name__ == "__main__":`` that the
        spawned workers re-run) costs speed, not the run: the batch and later ones run in this process.
        """
        try:
            future = self.submit(steps, items)
            if future is not None:
                return future.result()
        except BrokenProcessPool as exc:
            warnings.warn(f"newsflow: worker processes failed ({exc}); running the stages in this process",
                          RuntimeWarning, stacklevel=2)
            self.close()
            self.workers = 1
        return run_steps(steps, items)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


class _Joined:
    """The chunks of one batch in flight; ``result`` puts them back together in order."""

    def __init__(self, parts: list[Future]):
        self.parts = parts

    def result(self) -> tuple[StageResult, dict[str, float]]:
        items, rejects, seconds = [], [], {}
        for part in self.parts:
            result, spent = part.result()
            items += result.items
            rejects += result.rejects
            for name, value in spent.items():
                seconds[name] = seconds.get(name, 0.0) + value
        return StageResult(items, rejects), seconds


_POOLS: dict[int, WorkerPool] = {}


def get_pool(workers: int) -> WorkerPool:
    """Return the process's pool of ``workers`` processes (0: one per core), shared by all its runs."""
    count = resolve_workers(workers)
    if count not in _POOLS:
        _POOLS[count] = WorkerPool(count)
    return _POOLS[count]
