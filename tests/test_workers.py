"""The process pool of the per-document stages: same result as one process, order kept, and a safe fallback."""
import multiprocessing
import os
from pathlib import Path

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


def survivors(pids: list[int]) -> list[int]:
    """Return the processes still running (zombies aside) after up to 30 s: the kernel signals them at once, a very
    busy machine may take that long to reap them."""
    import time

    alive = pids
    for _ in range(300):
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
                 and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
        if not alive:
            break
        time.sleep(0.1)
    return alive


def test_workers_end_when_the_run_that_started_them_is_killed(tmp_path):
    """kill -9 of the main process leaves no worker behind (each asked the kernel to end with its parent)."""
    import signal
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from tasks.workers import get_pool\n"
        "from tasks.article import StageResult\n"
        "def pids(items):\n"
        "    return StageResult([os.getpid() for _ in items])\n"
        "if __name__ == '__main__':\n"
        "    result, _ = get_pool(2).run([('pids', pids, ())], list(range(64)))\n"
        "    print(' '.join(map(str, sorted(set(result.items)))), flush=True)\n"
        "    time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers and parent.pid not in workers
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    alive = survivors(workers)
    assert not alive, f"workers outlived the killed run: {alive}"


def test_a_bare_run_killed_with_minus_9_leaves_no_prefect_server_behind(tmp_path):
    """The temporary Prefect server of a bare `newsflow run` ends with the run, however the run ends."""
    import signal
    import subprocess
    import sys
    import time

    from .conftest import EXAMPLES

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "PREFECT_PROFILE"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    run = subprocess.Popen([str(Path(sys.executable).with_name("newsflow")), "run", str(EXAMPLES / "kyiv-ledger"),
                            "--warehouse", str(tmp_path / "w.duckdb")], env=env, cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        found = []
        for task in Path(f"/proc/{run.pid}/task").glob("*"):
            found += [int(pid) for pid in (task / "children").read_text().split()]
        return found

    server = []
    for _ in range(600):  # the CLI starts the server first thing; allow a very busy machine a minute
        server = children()
        if server or run.poll() is not None:
            break
        time.sleep(0.1)
    assert server, "the bare run started no temporary server"
    run.send_signal(signal.SIGKILL)
    run.wait()
    alive = survivors(server)
    assert not alive, f"the temporary Prefect server outlived the killed run: {alive}"
