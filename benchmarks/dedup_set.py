"""Generate a labelled near-duplicate set: originals, their copies of every kind, and hard negatives.

    .venv/bin/python benchmarks/dedup_set.py [--originals 200] [--seed 7] [--out dedup_set.jsonl]

Kinds of copy (each labelled with its original's cluster): syndicated (another outlet's furniture around
it), dropped_paragraph, added_paragraph, typography (quotes, dashes, spacing, casing), dateline
("CITY (Agency) –"), hard_wrapped (lines broken at 70 characters), teaser (the first one or two paragraphs
and a "read the full story" link). Hard negatives are other stories about the same event that share the
headline, the lead sentence or a quote with an original; each is its own cluster.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from textgen import make_event, make_story  # noqa: E402

COPY_KINDS = ("syndicated", "dropped_paragraph", "added_paragraph", "typography", "dateline", "hard_wrapped",
              "teaser")
NEGATIVE_KINDS = ("same_headline", "same_lead", "same_quote")
OUTLETS = {
    "harlow-courier": ["Advertisement", "Share this article",
                       "The Harlow Courier has brought independent news from the coast to your door since 1952."],
    "northgate-post": ["Follow us on Telegram for more news", "Related Articles", "Back to top button",
                       "Northgate Post journalism is paid for by readers like you. Thank you for your support."],
    "valley-wire": ["Sponsored", "Copyright 2024 Valley Wire Services. All rights reserved.",
                    "Valley Wire delivers regional news to more than 200 newspapers every morning."],
}
AGENCIES = ["Reuters", "AP", "Valley Wire", "Coast News Service"]


def original_text(story) -> tuple[str, str]:
    return story.title, "\n\n".join(story.paragraphs)


def make_copy(rng: random.Random, kind: str, story, event) -> tuple[str, str, str]:
    """Return (source, title, text) of one kind of copy of a story."""
    paragraphs = list(story.paragraphs)
    title = story.title
    source = rng.choice(sorted(OUTLETS))
    if kind == "syndicated":
        furniture = OUTLETS[source]
        paragraphs = paragraphs[:2] + [furniture[0]] + paragraphs[2:] + furniture[1:]
    elif kind == "dropped_paragraph":
        del paragraphs[rng.randrange(1, len(paragraphs) - 1)]
    elif kind == "added_paragraph":
        extra = make_story(rng, event, paragraphs=2).paragraphs[0]
        paragraphs.insert(rng.randrange(1, len(paragraphs)), extra)
    elif kind == "typography":
        paragraphs = [p.replace("“", '"').replace("”", '"').replace("«", '"').replace("»", '"')
                       .replace(", ", ",  ").replace(" – ", " - ").replace("'", "’") for p in paragraphs]
        paragraphs[0] = paragraphs[0].upper()
        title = title.upper()
    elif kind == "dateline":
        paragraphs[0] = f"{event.slots['city'].upper()} ({rng.choice(AGENCIES)}) – {paragraphs[0]}"
    elif kind == "hard_wrapped":
        paragraphs = [textwrap.fill(p, width=70) for p in paragraphs]
    elif kind == "teaser":
        paragraphs = paragraphs[: rng.choice((1, 2))] + [f"Read the full story at {source.replace('-', ' ').title()}."]
        if len(paragraphs[0].split()) < 20:
            paragraphs = story.paragraphs[:2] + paragraphs[-1:]
    return source, title, "\n\n".join(paragraphs)


def make_negative(rng: random.Random, kind: str, story, event) -> tuple[str, str]:
    """Return (title, text) of a different story about the same event that shares one element."""
    other = make_story(rng, event)
    paragraphs = list(other.paragraphs)
    title = other.title
    if kind == "same_headline":
        title = story.title
    elif kind == "same_lead":
        lead = story.paragraphs[0].split(". ")[0].rstrip(".") + "."
        paragraphs[0] = lead + " " + paragraphs[0]
    elif kind == "same_quote":
        quote = next(p for p in story.paragraphs if p.startswith(("“", "„", "«")))
        paragraphs.insert(1, quote)
    return title, "\n\n".join(paragraphs)


def build_set(originals: int = 200, seed: int = 7) -> list[dict]:
    """Return the labelled records, in a shuffled (seeded) order."""
    rng = random.Random(seed)
    records = []
    for number in range(originals):
        event = make_event(rng, "en")
        story = make_story(rng, event)
        cluster = f"o{number}"
        title, text = original_text(story)
        records.append({"id": cluster, "cluster": cluster, "kind": "original", "source": "origin-daily",
                        "title": title, "text": text})
        for index, kind in enumerate(rng.sample(COPY_KINDS, rng.choice((1, 2, 2, 3)))):
            source, title, text = make_copy(rng, kind, story, event)
            records.append({"id": f"{cluster}-{kind}", "cluster": cluster, "kind": kind, "source": source,
                            "title": title, "text": text})
        if number % 4 == 0:
            kind = NEGATIVE_KINDS[(number // 4) % len(NEGATIVE_KINDS)]
            title, text = make_negative(rng, kind, story, event)
            records.append({"id": f"{cluster}-neg", "cluster": f"{cluster}-neg", "kind": kind, "negative_of": cluster,
                            "source": "rival-gazette", "title": title, "text": text})
    rng.shuffle(records)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("dedup_set.jsonl"))
    args = parser.parse_args()
    records = build_set(args.originals, args.seed)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} records written to {args.out}")


if __name__ == "__main__":
    main()
