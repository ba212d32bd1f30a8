"""Language detection on labelled news: accuracy per class, language and script, beside plain langdetect.

    .venv/bin/python benchmarks/language.py [--show 20] [--stories 150]

The labelled set is benchmarks/language_set.py (stories in 55 detectable languages and 15 the detector lacks,
with quoted paragraphs, foreign names, mojibake, English furniture and declared languages). Each document goes
the way a user's files go: parse (text or HTML), clean (each document its own site: nothing to learn), language.
Plain langdetect (1.0.9, seeded) judges the same text whole. An item is right when the article's language is the
expected one (``und`` for languages the detector lacks); for items that quote another language, "quote kept"
counts those whose quoted language also shows among the article's languages. ``und`` rate: the share of items in
a language the detector has that came out ``und``.

A second part keeps the earlier yardstick (generated stories in en, de, fr, ru and the bundled examples: a
sentence, an article, an article with a quoted paragraph) and the throughput of the language stage.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from language_set import LACKING, SCRIPTS, build_items  # noqa: E402
from textgen import LANGUAGES, make_event, make_story  # noqa: E402
from tasks.article import Article  # noqa: E402
from tasks.clean import clean_articles  # noqa: E402
from tasks.config import CleanConfig, LanguageConfig  # noqa: E402
from tasks.language import detect_article_languages, detect_languages  # noqa: E402
from tasks.parse import ParseError, build_article  # noqa: E402

CONFIG = LanguageConfig()
EXAMPLE_LANGUAGES = {"kyiv-ledger": None, "moskva-vestnik": "ru", "sud-matin": "fr", "iberia-diario": "es"}
TAG = re.compile(r"<[^>]+>")


def plain_langdetect():
    """Return langdetect's ``detect`` (seeded), or langdetect-rs's (its bit-identical port) without the dev extra."""
    try:
        import langdetect
        from langdetect import DetectorFactory
    except ImportError:
        import langdetect_rs as langdetect
        from langdetect_rs import DetectorFactory
    DetectorFactory.seed = 0

    def detect(text: str) -> str:
        try:
            return langdetect.detect(text)
        except Exception:  # no features in the text
            return "und"
    return detect


def read_items(items: list[dict]) -> list[Article | None]:
    """Turn each item into an article the way newsflow reads a file (parse, then clean); None when rejected."""
    made: list[Article | None] = []
    for number, item in enumerate(items):
        source, url = f"site{number}", f"https://site{number}.example/{item['id']}"
        if item["title"] == "":  # a text without a headline
            article = Article(source, url, url, "", [[p] for p in item["content"].split("\n\n")])
        else:
            try:
                article = build_article(source, url, url, item["kind"], item["content"])
            except ParseError:
                made.append(None)
                continue
        made.append(article)
    kept = [a for a in made if a is not None]
    cleaned = {a.url: a for a in clean_articles(kept, CleanConfig()).items}
    return [cleaned.get(a.url) if a is not None else None for a in made]


def page_text(item: dict) -> str:
    """Return the text plain langdetect is given: the document's text, tags stripped from a page."""
    return TAG.sub(" ", item["content"]) if item["kind"] == "html" else item["content"]


def rate(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "  -  "


def labelled(show: int) -> None:
    items = build_items()
    articles = read_items(items)
    detect_article_languages([a for a in articles if a is not None], CONFIG)
    detect = plain_langdetect()
    rows = []
    for item, article in zip(items, articles):
        ours = article.language if article is not None else "rejected"
        theirs = detect(page_text(item))
        rows.append({**item, "ours": ours, "theirs": theirs,
                     "languages": article.languages if article is not None else {},
                     "ok": ours == item["expected"], "base_ok": theirs == item["expected"],
                     "quote_kept": item["quoted"] is None or (article is not None and item["quoted"] in article.languages)})
    detectable = [r for r in rows if r["language"] not in LACKING and r["expected"] != "und"]
    print(f"{len(rows)} labelled items ({len(detectable)} in languages the detector has)")
    print(f"{'class':<20} {'items':>5}  {'newsflow':>8} {'quote kept':>10} {'und':>6}   {'langdetect':>10} {'und':>6}")
    by_class = defaultdict(list)
    for row in rows:
        by_class[row["class"]].append(row)
    for cls, group in list(by_class.items()) + [("all", rows)]:
        known = [r for r in group if r["language"] not in LACKING and r["expected"] != "und"]
        quoted = [r["quote_kept"] for r in group if r["quoted"]]
        print(f"{cls:<20} {len(group):>5}  {rate([r['ok'] for r in group]):>8} {rate(quoted):>10} "
              f"{rate([r['ours'] == 'und' for r in known]):>6}   {rate([r['base_ok'] for r in group]):>10} "
              f"{rate([r['theirs'] == 'und' for r in known]):>6}")
    per_language, per_script = defaultdict(list), defaultdict(list)
    for row in rows:
        per_language[row["language"]].append(row)
        per_script[SCRIPTS.get(row["language"], "Latn")].append(row)
    print("\nper script (newsflow / langdetect):")
    print("  " + ", ".join(f"{s} {rate([r['ok'] for r in g])}/{rate([r['base_ok'] for r in g])}"
                           for s, g in sorted(per_script.items())))
    print("per language (newsflow / langdetect), items:")
    parts = [f"{code} {rate([r['ok'] for r in g])}/{rate([r['base_ok'] for r in g])}"
             for code, g in sorted(per_language.items())]
    for start in range(0, len(parts), 6):
        print("  " + ", ".join(parts[start:start + 6]))
    wrong = [r for r in rows if not r["ok"] or not r["quote_kept"]]
    confusions = Counter((r["expected"], r["ours"]) for r in wrong)
    print("newsflow's mistakes (expected -> said): "
          + (", ".join(f"{e}->{o} x{n}" for (e, o), n in confusions.most_common()) or "none"))
    for row in wrong[:show]:
        print(f"  {row['id']}: expected {row['expected']}, said {row['ours']} {row['languages']}, langdetect "
              f"{row['theirs']}")


def example_bodies() -> list[tuple[str, str]]:
    """(language, body) of the bundled example articles whose language is known from their site."""
    from tasks.parse import parse_text
    from tasks.read import DecodeError, decode_bytes

    found = []
    for site, language in EXAMPLE_LANGUAGES.items():
        for path in sorted((ROOT / "examples" / site).glob("*.txt")):
            try:
                text, _ = decode_bytes(path.read_bytes())
                _, paragraphs = parse_text(text)
            except (DecodeError, Exception):
                continue
            body = "\n\n".join(" ".join(p) for p in paragraphs[:-4] or paragraphs)
            lang = language or ("uk" if any(ch in body for ch in "іїєґ") else "en")
            found.append((lang, body))
    return found


def build_generated(stories: int, seed: int = 5) -> dict[str, list]:
    rng = random.Random(seed)
    articles = [(lang, "\n\n".join(make_story(rng, make_event(rng, lang)).paragraphs))
                for lang in LANGUAGES for _ in range(stories)]
    articles += example_bodies()
    sentences = []
    for lang, body in articles:
        sentence = body.split("\n\n")[0].split(". ")[0]
        if len(sentence) >= 40:
            sentences.append((lang, sentence))
    quoted = []
    for lang, body in articles:
        other = rng.choice([l for l in LANGUAGES if l != lang])
        paragraph = make_story(rng, make_event(rng, other), paragraphs=3).paragraphs[0]
        parts = body.split("\n\n")
        parts.insert(len(parts) // 2, paragraph)
        quoted.append((lang, other, "\n\n".join(parts)))
    return {"sentence": sentences, "article": articles, "quoted": quoted}


def to_articles(bodies: list[str]) -> list[Article]:
    made = []
    for i, body in enumerate(bodies):
        article = Article("bench", str(i), str(i), "", [])
        article.body = body
        made.append(article)
    return made


def generated(stories: int) -> None:
    sets = build_generated(stories)
    results = {}
    guesses = detect_languages([s for _, s in sets["sentence"]], CONFIG)
    results["sentence"] = [(lang, g[0] == lang) for (lang, _), g in zip(sets["sentence"], guesses)]
    detected = detect_article_languages(to_articles([b for _, b in sets["article"]]), CONFIG).items
    results["article"] = [(lang, a.language == lang) for (lang, _), a in zip(sets["article"], detected)]
    detected = detect_article_languages(to_articles([b for _, _, b in sets["quoted"]]), CONFIG).items
    results["article + quoted paragraph"] = [(lang, a.language == lang and other in a.languages)
                                             for (lang, other, _), a in zip(sets["quoted"], detected)]
    print("\ngenerated stories (benchmarks/textgen.py) and the bundled examples:")
    for bucket, outcomes in results.items():
        per_language = defaultdict(list)
        for lang, ok in outcomes:
            per_language[lang].append(ok)
        overall = sum(ok for _, ok in outcomes) / len(outcomes)
        detail = ", ".join(f"{lang} {sum(v) / len(v):.3f}" for lang, v in sorted(per_language.items()))
        print(f"{bucket:<28} accuracy {overall:.4f} over {len(outcomes)} texts ({detail})")
    bodies = [b for _, b in sets["article"]] * 4
    started = time.process_time()
    detect_article_languages(to_articles(bodies), CONFIG)
    cpu = time.process_time() - started
    print(f"newsflow language stage: {len(bodies)} articles in {cpu:.2f} CPU-s = {len(bodies) / cpu:.0f} "
          f"articles per CPU-second (mean {sum(map(len, bodies)) // len(bodies)} characters)")
    detect = plain_langdetect()
    sample = bodies[:200]
    started = time.process_time()
    for body in sample:
        detect(body)
    cpu = time.process_time() - started
    print(f"plain langdetect (whole texts): {len(sample) / cpu:.0f} articles per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=150, help="generated stories per language")
    parser.add_argument("--show", type=int, default=20, help="mistakes to list")
    args = parser.parse_args()
    labelled(args.show)
    generated(args.stories)


if __name__ == "__main__":
    main()
