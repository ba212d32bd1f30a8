"""Language detection: accuracy per length bucket and throughput.

    .venv/bin/python benchmarks/language.py [--stories 150]

Texts: stories from benchmarks/textgen.py in English, German, French and Russian, plus the bodies of the
bundled examples (also Spanish and Ukrainian). Buckets: a single sentence; a whole article; an article
with one paragraph quoted in another language (right when the article keeps its language and the quoted
language shows among its languages). Throughput is article-length texts per CPU-second of newsflow's
language stage (per-paragraph detection included), next to pure-Python langdetect on whole texts.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from textgen import LANGUAGES, make_event, make_story  # noqa: E402
from tasks.article import Article  # noqa: E402
from tasks.config import LanguageConfig  # noqa: E402
from tasks.language import detect_article_languages, detect_languages  # noqa: E402

CONFIG = LanguageConfig()
EXAMPLE_LANGUAGES = {"kyiv-ledger": None, "moskva-vestnik": "ru", "sud-matin": "fr", "iberia-diario": "es"}


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


def build(stories: int, seed: int = 5) -> dict[str, list]:
    rng = random.Random(seed)
    articles = [(lang, "\n\n".join(make_story(rng, make_event(rng, lang)).paragraphs))
                for lang in LANGUAGES for _ in range(stories)]
    articles += example_bodies()
    sentences = []
    for lang, body in articles:
        first = body.split("\n\n")[0]
        sentence = first.split(". ")[0]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=150, help="generated stories per language")
    args = parser.parse_args()
    sets = build(args.stories)
    results = {}
    guesses = detect_languages([s for _, s in sets["sentence"]], CONFIG)
    results["sentence"] = [(lang, g[0] == lang) for (lang, _), g in zip(sets["sentence"], guesses)]
    detected = detect_article_languages(to_articles([b for _, b in sets["article"]]), CONFIG).items
    results["article"] = [(lang, a.language == lang) for (lang, _), a in zip(sets["article"], detected)]
    detected = detect_article_languages(to_articles([b for _, _, b in sets["quoted"]]), CONFIG).items
    results["article + quoted paragraph"] = [(lang, a.language == lang and other in a.languages)
                                             for (lang, other, _), a in zip(sets["quoted"], detected)]
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
    try:
        import langdetect
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0
        sample = bodies[:200]
        started = time.process_time()
        for body in sample:
            langdetect.detect_langs(body)
        cpu = time.process_time() - started
        print(f"langdetect 1.0.9 (pure Python, whole texts): {len(sample) / cpu:.0f} articles per CPU-second")
    except ImportError:
        print("langdetect not installed (a dev dependency): no reference figure")


if __name__ == "__main__":
    main()
