"""Live progress on a terminal (rich): listing, reading, fetching per host and loading, with counts and rates.

Nothing is drawn when stderr is not a terminal (a log file, a pipe, a Prefect worker): there the run writes its
batch lines and summary only, and the Prefect run log holds the same lines.
"""
from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn
from rich.progress import TimeElapsedColumn
from rich.text import Text

from tasks.fetch import server_of
from tasks.sources.base import say_on_stderr

HOST_BARS = 6  # hosts fetched with a bar of their own (the most links first); the rest share "other hosts"


class RateColumn(ProgressColumn):
    """Items per second of a bar (its average once finished)."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


ACTIVE: list["RunProgress"] = []  # the bars of the run under way in this process (say() prints above them)


def say(message: str) -> None:
    """Show a line of progress on stderr, above the bars when a run draws them."""
    (ACTIVE[-1].say if ACTIVE else say_on_stderr)(message)


class RunProgress:
    """The bars of one run; every method does nothing when stderr is not a terminal."""

    def __init__(self, console: Console | None = None):
        console = console or Console(stderr=True)
        self.bars = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             RateColumn(), TimeElapsedColumn(), console=console, transient=True,
                             redirect_stdout=False, redirect_stderr=False) if console.is_terminal else None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "RunProgress":
        if self.bars is not None:
            self.bars.start()
        ACTIVE.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if self in ACTIVE:
            ACTIVE.remove(self)
        if self.bars is not None:  # off the screen before the summary is printed
            self.bars.stop()

    def advance(self, key: str, label: str, done: int = 1, total: int | None = None) -> None:
        """Move bar ``key`` on by ``done`` (made on first use); ``label`` and a known ``total`` update it."""
        if self.bars is None:
            return
        task = self.tasks.get(key)
        if task is None:
            task = self.tasks[key] = self.bars.add_task(label, total=total)
        else:
            self.bars.update(task, description=label, **({"total": total} if total is not None else {}))
        self.bars.advance(task, done)

    def say(self, message: str) -> None:
        """Print a line above the bars (or on stderr when there are none)."""
        if self.bars is not None:
            self.bars.console.print(message, markup=False, highlight=False)
        else:
            say_on_stderr(message)

    def watch_fetch(self, links: list):
        """Return the callback a fetch calls per page (or None without bars)."""
        return fetch_progress(self, links) if self.bars is not None else None


def fetch_progress(progress: RunProgress, links: list):
    """Return the callback a fetch calls per page: the fetch bar, and a bar per busy host (the rest shared)."""

    def host_of(url: str) -> str:
        return server_of(url) or "?"

    per_host = Counter(host_of(link.url) for _, link in links)
    named = {host for host, _ in per_host.most_common(HOST_BARS)}
    others = sum(n for host, n in per_host.items() if host not in named)
    failed: Counter = Counter()

    def on_page(url: str, result) -> None:
        host = host_of(url)
        failed[host if host in named else "other"] += bool(result.error)
        progress.advance("fetch", "fetching pages", 1, len(links))
        if host in named:
            note = f" ({failed[host]} failed)" if failed[host] else ""
            progress.advance(f"fetch:{host}", f"  {host}{note}", 1, per_host[host])
        else:
            note = f" ({failed['other']} failed)" if failed["other"] else ""
            progress.advance("fetch:other", f"  {len(per_host) - len(named)} other hosts{note}", 1, others)

    return on_page
