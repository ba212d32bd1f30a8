"""The boilerplate of ../shared/seeds as DEVELOPERS.md lists it, and the expected clean text of each seed.

Boilerplate is named by line position or a short marker, never by copying the seeds' text.
"""
from __future__ import annotations

from pathlib import Path


def seed_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def boilerplate_line_numbers(path: Path) -> set[int]:
    """Return the 0-based numbers of the file's lines that are boilerplate."""
    lines = seed_lines(path)
    stripped = [line.strip() for line in lines]
    marked: set[int] = set()
    number = path.name[:3]
    if number in ("001", "002"):
        marked |= {i for i, s in enumerate(stripped) if s in ("Related Articles", "Back to top button")}
    if number == "002":
        marked |= {i for i, s in enumerate(stripped) if s.startswith("News7F:")}
    if number == "003":
        start = next(i for i, s in enumerate(stripped) if s.replace("’", "'") == "DON'T MISS")
        marked |= {start, start + 1, start + 2, start + 3}
        marked |= {i for i, s in enumerate(stripped) if s.lower().startswith("source:")}
    if number == "004":
        content = [i for i, s in enumerate(stripped) if s]
        marked.add(content[1])  # the video headline under the title
        marked |= {i for i, s in enumerate(stripped) if s.startswith("We use your sign-up")}
        marked |= {i for i, s in enumerate(stripped) if s.endswith(("[SPOTLIGHT]", "[REVEALED]", "[INSIGHT]"))}
        marked |= {i for i, s in enumerate(stripped) if s.startswith("Source:")}
    return marked


def expected_article(path: Path) -> tuple[str, str, list[str]]:
    """Return (title, body, removed lines) that cleaning a seed must produce."""
    lines = seed_lines(path)
    removed_numbers = boilerplate_line_numbers(path)
    title = " ".join(lines[0].split())
    paragraphs, current = [], []
    for number, line in enumerate(lines[1:], start=1):
        if not line.strip():
            if current:
                paragraphs.append(" ".join(current))
            current = []
        elif number not in removed_numbers:
            current.append(" ".join(line.split()))
    if current:
        paragraphs.append(" ".join(current))
    removed = [" ".join(lines[i].split()) for i in sorted(removed_numbers)]
    return title, "\n\n".join(paragraphs), removed
