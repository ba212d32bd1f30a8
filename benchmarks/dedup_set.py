"""Generate a labelled near-duplicate set: originals, their copies of every kind, and hard negatives.

    .venv/bin/python benchmarks/dedup_set.py [--originals 200] [--seed 7] [--out dedup_set.jsonl]

Kinds of copy (each labelled with its original's cluster): syndicated (another outlet's furniture around
it), dropped_paragraph, added_paragraph, typography (quotes, dashes, spacing, casing), dateline
("CITY (Agency) –"), hard_wrapped (lines broken at 70 characters), teaser (the first one or two paragraphs
and a "read the full story" link). Hard negatives are other stories about the same event that share the
headline, the lead sentence or a quote with an original, or all three; each is its own cluster. Template
families are series written from one template (market closes, match results, weather lines): each sibling is
its own story (cluster) and a member of its family; a few siblings have a syndicated copy (kind sibling_copy).
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
NEGATIVE_KINDS = ("same_headline", "same_lead", "same_quote", "lead_and_quote")
FAMILY_SIZE = 24  # siblings per template family
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
    elif kind == "lead_and_quote":  # the headline, the lead sentence and one quote shared, the rest its own
        title = story.title
        paragraphs[0] = story.paragraphs[0].split(". ")[0].rstrip(".") + ". " + paragraphs[0]
        paragraphs.insert(1, next(p for p in story.paragraphs if p.startswith(("“", "„", "«"))))
    return title, "\n\n".join(paragraphs)


PLACES = ["Aldermoor", "Brackwater", "Caldew", "Dunholm", "Eskdale", "Fernhill", "Glenrock", "Hallowmere"]
FIRMS = ["Northgate Holdings", "Harlow Energy", "Calder Foods", "Redmoor Motors", "Kelby Mining", "Tarrin Bank"]
TEAMS = ["Harbour Rovers", "Millbrook Athletic", "Kestrel Town", "Ashford Wanderers", "Dunmore United"]


def templated_text(rng: random.Random, template: int) -> tuple[str, str]:
    """Return (title, text) of one machine-written report: a market close, a match result or a weather line."""
    if template == 0:
        firm, price, change = rng.choice(FIRMS), rng.uniform(5, 500), rng.uniform(-9, 9)
        return (f"{firm} closes at {price:.2f}",
                f"Shares of {firm} closed at {price:.2f} euros on {rng.choice(('Monday', 'Tuesday', 'Friday'))}, a "
                f"change of {change:+.2f} percent from the previous session. Trading volume reached "
                f"{rng.randint(10_000, 9_000_000):,} shares, against a thirty-day average of "
                f"{rng.randint(10_000, 9_000_000):,}.\n\nThe stock has moved {rng.uniform(0, 20):.1f} percent "
                f"over the week and {rng.uniform(0, 60):.1f} percent since January. Analysts covering {firm} kept "
                "their ratings unchanged.\n\nThis report was generated automatically from exchange data.")
    if template == 1:
        home, away = rng.sample(TEAMS, 2)
        goals, against, crowd = rng.randint(1, 5), rng.randint(0, 3), rng.randint(3000, 30000)
        return (f"{home} {goals}-{against} {away}",
                f"{home} beat {away} {goals}-{against} at home on Saturday in front of a crowd of {crowd:,}, moving "
                f"up to {rng.randint(1, 20)}th place with {rng.randint(10, 70)} points.\n\n{away} stay on "
                f"{rng.randint(10, 70)} points after {rng.randint(10, 38)} games and host "
                f"{rng.choice(TEAMS)} next weekend, when {home} travel to {rng.choice(PLACES)}.\n\n"
                "This report was produced automatically from the league's official match data.")
    place, high, low = rng.choice(PLACES), rng.randint(12, 34), rng.randint(-2, 11)
    return (f"Weather for {place}",
            f"{place} can expect a high of {high} degrees and a low of {low} overnight, with a {rng.randint(0, 90)} "
            f"percent chance of rain and winds of up to {rng.randint(5, 60)} kilometres an hour from the "
            f"{rng.choice(('north', 'south', 'west', 'east'))}.\n\nSunrise is at {rng.randint(5, 7)}:"
            f"{rng.randint(10, 59)} and sunset at {rng.randint(17, 21)}:{rng.randint(10, 59)}; the pollen count is "
            f"{rng.choice(('low', 'moderate', 'high'))} and the UV index {rng.randint(1, 9)}.\n\n"
            "Forecasts are generated automatically from national weather service data.")


def template_families(rng: random.Random, families: int) -> list[dict]:
    """Return records of ``families`` (up to 3) templated series: siblings (each its own story) and a few copies."""
    records = []
    for family in range(min(families, 3)):
        for number in range(FAMILY_SIZE):
            cluster = f"t{family}-{number}"
            title, text = templated_text(rng, family)
            records.append({"id": cluster, "cluster": cluster, "family": f"t{family}", "kind": "sibling",
                            "source": "results-service", "title": title, "text": text})
            if number % 4 == 1:
                source = rng.choice(sorted(OUTLETS))
                paragraphs = text.split("\n\n")
                text = "\n\n".join(paragraphs + OUTLETS[source][1:])
                records.append({"id": f"{cluster}-copy", "cluster": cluster, "kind": "sibling_copy",
                                "source": source, "title": title, "text": text})
    return records


def build_set(originals: int = 200, seed: int = 7, families: int = 3) -> list[dict]:
    """Return the labelled records, in a shuffled (seeded) order: stories with copies and hard negatives, then
    ``families`` templated series (siblings labelled with their ``family``, each sibling its own cluster)."""
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
    records += template_families(rng, families)
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
