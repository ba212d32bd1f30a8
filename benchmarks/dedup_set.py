"""Generate labelled near-duplicate sets: originals, their copies of every kind, and hard negatives.

    .venv/bin/python benchmarks/dedup_set.py [--originals 200] [--seed 7] [--out dedup_set.jsonl] [--news]

The generated set (build_set, below) writes its stories from benchmarks/textgen.py; the news set (build_news_set,
--news) edits real article bodies of ../shared/benchmarks/newspaper4k-dev (read there, never copied) and the
multilingual stories of benchmarks/data/news_texts.toml the ways outlets copy news (see its docstring).

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
import re
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


# ---------------------------------------------------------------------------------------------------------------
# The news set: real article texts (the dev sets' reviewed bodies, read where they lie, never copied here) and the
# multilingual stories of benchmarks/data/news_texts.toml, edited the ways outlets copy news.

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
NEWS_COPY_KINDS = ("wire", "dropped_paragraph", "added_paragraph", "edited", "teaser", "rss_teaser", "update")
NEWS_NEGATIVE_KINDS = ("lead_and_quote", "same_headline_and_quote")
SENTENCE_BREAK = re.compile(r"(?<=[.!?。])[\"”»’]?\s+(?=[\"“«„]?[^\W\d_])")
OUTLET_FURNITURE = {
    "metro-daily": {"top": ["Advertisement"], "middle": ["Story continues below advertisement"],
                    "end": ["Sign up for our daily newsletter to get the latest news straight to your inbox.",
                            "Copyright 2023 Metro Daily Media Group. All rights reserved."]},
    "coastline-news": {"top": ["By Coastline News Staff"], "middle": ["RELATED: {headline}"],
                       "end": ["Have a news tip? Email the Coastline News desk at tips@coastline.example.",
                               "Follow Coastline News on Facebook and X for updates."]},
    "valley-wire": {"top": ["VALLEY WIRE"], "middle": ["Read more: {headline}"],
                    "end": ["This material may not be published, broadcast, rewritten or redistributed without "
                            "permission from Valley Wire Services."]},
    "northgate-post": {"top": [], "middle": ["Related Articles", "{headline}"],
                       "end": ["Back to top button", "Northgate Post journalism is paid for by readers like you."]},
}
AGENCY_DATELINES = ["({agency}) —", "({agency}) -", "—", "(Reuters) -"]


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in SENTENCE_BREAK.split(paragraph) if s.strip()]


def load_real_articles(limit: int = 400) -> list[tuple[str, list[str]]]:
    """Return (title, paragraphs) of real English news from newspaper4k-dev's reviewed bodies (4+ paragraphs, 150+
    words), or [] when ../shared is absent."""
    path = SHARED / "newspaper4k-dev" / "ground-truth.json"
    if not path.exists():
        return []
    found = []
    for key, item in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
        paragraphs = [" ".join(p.split()) for p in item.get("text", "").split("\n\n") if len(p.split()) >= 8]
        if len(paragraphs) >= 4 and sum(len(p.split()) for p in paragraphs) >= 150 and item.get("title"):
            found.append((" ".join(item["title"].split()), paragraphs[:14]))
    return found[:limit]


def load_stories() -> list[tuple[str, list[str]]]:
    """Return (title, paragraphs) of the multilingual stories (benchmarks/data/news_texts.toml)."""
    import tomllib

    with open(Path(__file__).resolve().parent / "data" / "news_texts.toml", "rb") as handle:
        return [(story["title"], list(story["paragraphs"])) for story in tomllib.load(handle).values()]


def cut_words(text: str, share: float) -> str:
    words = text.split()
    return " ".join(words[:max(6, int(len(words) * share))])


def make_news_copy(rng: random.Random, kind: str, title: str, paragraphs: list[str], pool: list,
                   source: str) -> tuple[str, str, str]:
    """Return (source, title, text) of one kind of copy of a real story, run by outlet ``source``."""
    furniture = OUTLET_FURNITURE[source]
    other_title = rng.choice(pool)[0]
    body = list(paragraphs)
    if kind == "wire":  # another outlet's furniture, a dateline, its own paragraph breaks, the tail cut
        body[0] = f"{rng.choice(['LONDON', 'NEW YORK', 'WASHINGTON', 'PARIS'])} " + rng.choice(
            AGENCY_DATELINES).format(agency=rng.choice(["AP", "AFP", "Valley Wire"])) + " " + body[0]
        if len(body) > 5 and rng.random() < 0.5:
            body = body[:-1]
        if len(body) > 3:  # two paragraphs run together
            at = rng.randrange(1, len(body) - 1)
            body[at:at + 2] = [body[at] + " " + body[at + 1]]
        middle = [line.format(headline=other_title) for line in furniture["middle"]]
        body = furniture["top"] + body[:2] + middle + body[2:] + furniture["end"]
    elif kind == "dropped_paragraph":
        del body[rng.randrange(1, len(body))]
    elif kind == "added_paragraph":
        extra = rng.choice(rng.choice(pool)[1])
        body.insert(rng.randrange(1, len(body) + 1), extra)
    elif kind == "edited":  # a sub-editor's hand: tense, a weekday dropped, straight quotes, a merged paragraph
        edits = [(" said ", " says "), (" said.", " says."), (" percent", " per cent"), ("“", '"'), ("”", '"'),
                 ("’", "'"), (" on Monday", ""), (" on Tuesday", ""), (" on Wednesday", ""), (" on Thursday", ""),
                 (" on Friday", "")]
        body = [p for p in body]
        for old, new in edits:
            body = [p.replace(old, new) for p in body]
        if len(body) > 3:
            at = rng.randrange(0, len(body) - 1)
            body[at:at + 2] = [body[at] + " " + body[at + 1]]
        title = title.rstrip(".") + rng.choice(["", " - report", ": what we know"])
    elif kind == "teaser":  # the first paragraph or two, the last cut mid-sentence, and a link to the story
        count = rng.choice((1, 2))
        body = body[:count - 1] + [cut_words(body[count - 1], rng.uniform(0.4, 0.8)) + "…",
                                   rng.choice(["Read the full story", "Continue reading",
                                               f"Read more at {source.replace('-', ' ').title()}"])]
        if len(" ".join(body).split()) < 25:
            body = paragraphs[:1] + [cut_words(paragraphs[1], 0.6) + "…", "Continue reading"]
    elif kind == "rss_teaser":  # a feed's description: the first words of the story, then " […]"
        words = " ".join(paragraphs).split()
        body = [" ".join(words[:rng.randint(45, 70)]) + " […]"]
    elif kind == "update":  # a new top paragraph, the rest as it was, the last paragraph cut
        lead = rng.choice(["UPDATE: This story has been updated with comment from officials.",
                           "Editor's note: An earlier version of this story misstated a date. It has been corrected.",
                           "This is a developing story and will be updated as more information becomes available."])
        body = [lead] + body[:-1] if len(body) > 4 else [lead] + body
        title = "UPDATE " + str(rng.randint(1, 3)) + "-" + title
    return source, title, "\n\n".join(body)


def make_news_negative(rng: random.Random, kind: str, title: str, paragraphs: list[str], other: tuple
                       ) -> tuple[str, str]:
    """Return (title, text) of another story that shares the headline (a variant), the lead sentence and a quote."""
    other_title, other_paragraphs = other
    body = list(other_paragraphs)
    quote = next((p for p in paragraphs[1:] if any(q in p for q in "“\"«„")), paragraphs[-1])
    lead = split_sentences(paragraphs[0])[0]
    if kind == "lead_and_quote":
        body[0] = lead + " " + body[0]
    body.insert(min(2, len(body)), quote)
    return rng.choice(["WATCH: ", "LIVE: ", ""]) + title + rng.choice(["", " - live updates", " | Analysis"]), \
        "\n\n".join(body)


COMPANIES_EN = ["Northgate Holdings", "Harlow Energy", "Calder Foods", "Redmoor Motors", "Kelby Mining", "Tarrin Bank",
                "Oakhurst Telecom", "Bramford Pharma", "Lowen Logistics", "Stonebridge Steel", "Ashford Water",
                "Marrow Hill Media"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
STÄDTE = ["Lindau", "Passau", "Kleve", "Husum", "Goslar", "Cham", "Meppen", "Rheine", "Aurich", "Bingen", "Unna",
          "Lahr"]
WOCHENTAGE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"]
VILLES = ["Albi", "Dax", "Millau", "Vienne", "Sète", "Agen", "Auch", "Foix", "Gap", "Laval", "Niort", "Rodez"]


def short_report(rng: random.Random, template: int, number: int) -> tuple[str, str]:
    """Return (title, text) of a short machine-written report with three facts: who, a figure, a day."""
    if template == 0:  # a closing price: company, price, weekday
        company, price, day = COMPANIES_EN[number % 12], rng.uniform(5, 500), rng.choice(WEEKDAYS_EN)
        return (f"{company} shares close at {price:.2f}",
                f"Shares of {company} closed at {price:.2f} euros on {day}. The stock is part of the regional index "
                "and is covered by several analysts.\n\nThis report was generated automatically from exchange data.")
    if template == 1:  # German weather line: town, degrees, weekday
        town, high, day = STÄDTE[number % 12], rng.randint(12, 34), rng.choice(WOCHENTAGE)
        return (f"Wetter in {town}",
                f"In {town} werden am {day} bis zu {high} Grad erwartet. Der Wetterdienst rechnet mit einem "
                "trockenen Tag und schwachem Wind aus westlichen Richtungen.\n\nDiese Meldung wurde automatisch "
                "aus den Daten des Wetterdienstes erstellt.")
    town, count = VILLES[number % 12], rng.randint(2, 40)  # French road works notice: town, number, weekday
    return (f"Travaux à {town}",
            f"À {town}, {count} rues seront fermées à la circulation à partir de {rng.choice(['lundi', 'mardi', 'jeudi'])} "
            "pour des travaux de voirie. Les riverains sont invités à emprunter les itinéraires de déviation.\n\n"
            "Cet avis est publié automatiquement à partir des arrêtés municipaux.")


def build_news_set(seed: int = 11, originals: int = 300) -> list[dict]:
    """Return labelled records of real stories with their copies (NEWS_COPY_KINDS), hard negatives
    (NEWS_NEGATIVE_KINDS: another real story, never in the set otherwise, given the headline, lead and a quote), and short templated series (three facts a report: twelve reports a series, one family,
    no copies) with a repost of one report on another outlet (its copy). Shuffled (seeded)."""
    rng = random.Random(seed)
    real = load_real_articles(10_000)
    fillers = real[originals:] or real[-60:]  # the other stories of hard negatives: never originals themselves
    stories = real[:originals] + load_stories()
    records = []
    for number, (title, paragraphs) in enumerate(stories):
        cluster = f"n{number}"
        records.append({"id": cluster, "cluster": cluster, "kind": "original", "source": "origin-daily",
                        "title": title, "text": "\n\n".join(paragraphs)})
        kinds = rng.sample(NEWS_COPY_KINDS, rng.choice((1, 2, 2, 3)))
        # each copy on another outlet: three versions of one story on one site would teach the cleaner its lead
        for kind, outlet in zip(kinds, rng.sample(sorted(OUTLET_FURNITURE), len(kinds))):
            source, copy_title, text = make_news_copy(rng, kind, title, paragraphs, fillers or stories, outlet)
            records.append({"id": f"{cluster}-{kind}", "cluster": cluster, "kind": kind, "source": source,
                            "title": copy_title, "text": text})
        if number % 3 == 0 and number // 3 < len(fillers):  # each filler story serves one negative
            kind = NEWS_NEGATIVE_KINDS[(number // 3) % len(NEWS_NEGATIVE_KINDS)]
            other = fillers[number // 3]
            if other[0] != title:
                negative_title, text = make_news_negative(rng, kind, title, paragraphs, other)
                records.append({"id": f"{cluster}-neg", "cluster": f"{cluster}-neg", "kind": kind,
                                "negative_of": cluster, "source": "rival-gazette", "title": negative_title,
                                "text": text})
    for template in range(3):
        for number in range(12):
            cluster = f"s{template}-{number}"
            title, text = short_report(rng, template, number)
            records.append({"id": cluster, "cluster": cluster, "family": f"s{template}", "kind": "sibling",
                            "source": "results-service", "title": title, "text": text})
            if number == 5:  # one report reposted by an outlet with its own footer: a copy of that report
                source = rng.choice(sorted(OUTLET_FURNITURE))
                records.append({"id": f"{cluster}-repost", "cluster": cluster, "kind": "repost", "source": source,
                                "title": title, "text": text + "\n\n" + "\n\n".join(OUTLET_FURNITURE[source]["end"])})
    rng.shuffle(records)
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("dedup_set.jsonl"))
    parser.add_argument("--news", action="store_true", help="the news set (real article texts, ../shared) instead")
    args = parser.parse_args()
    records = build_news_set(args.seed) if args.news else build_set(args.originals, args.seed)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} records written to {args.out}")


if __name__ == "__main__":
    main()
