"""Boilerplate removal on a labelled set: content lines kept and furniture lines removed.

    .venv/bin/python benchmarks/boilerplate.py [--per-site 12] [--show-errors]

The set (built here, seeded): six invented sites in English, German, French and Russian, each with its own
recurring furniture (some lines any rule knows, some only a site repeats), articles written by
benchmarks/textgen.py, content sentences that start like furniture ("Share prices...", "Реклама на
билбордах..."), and stories a site posts again as updates (repeated paragraphs that are content). Each
site's articles are cleaned as one source, as a run would; every line is labelled content or boilerplate.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from textgen import make_event, make_story  # noqa: E402
from tasks.article import Article  # noqa: E402
from tasks.clean import clean_articles, normalize_text  # noqa: E402
from tasks.config import CleanConfig  # noqa: E402

# site -> (language, furniture at the top, furniture at the bottom, furniture in the middle); {h} is a headline
SITES = {
    "westmere-herald": ("en", ["Advertisement"],
                        ["Share this article", "Westmere Herald is an independent newsroom owned by its readers.",
                         "Sign up for the Morning Brief: our newsletter lands at 7 a.m. Unsubscribe at any time.",
                         "Related Articles"], ["Read more: {h}"]),
    "harbour-times": ("en", ["The Harbour Times, trusted on the waterfront since 1891"],
                      ["Follow us on X and Facebook for updates", "Copyright © 2024 Harbour Times Ltd."],
                      ["Advertisement", "READ MORE: {h}"]),
    "rhein-kurier": ("de", ["Anzeige"],
                     ["Der Rhein-Kurier ist unabhängig und werbefinanziert. Danke für Ihre Unterstützung.",
                      "Folgen Sie uns auf Instagram", "Artikel teilen"], ["Lesen Sie auch: {h}"]),
    "alpen-bote": ("de", ["Alpen-Bote – Nachrichten aus den Bergen seit 1902"],
                   ["Mehr zum Thema", "Teilen", "© Alpen-Bote Verlag"], ["Anzeige"]),
    "journal-du-sud": ("fr", ["Publicité"],
                       ["Le Journal du Sud est édité par une coopérative de lecteurs depuis 1946.", "Partager",
                        "Inscrivez-vous à notre newsletter : désabonnement possible à tout moment, vos données "
                        "ne sont jamais transmises à des tiers (consentement, cookies)."],
                       ["À lire aussi : {h}"]),
    "severnaya-pravda": ("ru", ["«Северная правда» — новости Северогорска и области с 1924 года."],
                         ["Подписывайтесь на наш канал в Telegram", "Поделиться", "Все права защищены"],
                         ["Реклама", "Читайте также: {h}"]),
}
LOOKALIKES = {
    "en": ["Related talks in Vienna ended without agreement, the ministry said on Friday.",
           "Share prices in the harbour district fell 3 percent after the announcement.",
           "Advertisement revenue at the local broadcaster dropped by a third last year.",
           "Sources close to the council said a deal was likely before the summer break.",
           "Back in 2014, the same bridge was closed for six months of repairs.",
           "Read more carefully, the contract shows a penalty clause for late delivery."],
    "de": ["Anzeigen gegen den Bürgermeister wurden inzwischen von der Staatsanwaltschaft eingestellt.",
           "Teilen sich Bund und Land die Kosten, wird der Bau deutlich billiger, sagte die Ministerin.",
           "Mehr zum Thema Verkehr wollen die Grünen in der nächsten Sitzung beantragen.",
           "Lesen Sie auch die Stellungnahme des Landkreises, forderte der Abgeordnete im Rat."],
    "fr": ["Publicité mensongère : l'entreprise a été condamnée à une amende de 20 000 euros.",
           "Partager les coûts entre les communes reste la priorité, a expliqué la maire.",
           "Source de tensions depuis des années, le projet divise toujours le conseil.",
           "À lire aussi entre les lignes du rapport, une hausse des impôts locaux se prépare."],
    "ru": ["Реклама на билбордах в центре города будет запрещена с января, решили депутаты.",
           "Поделиться мнением о проекте жители смогут на публичных слушаниях в марте.",
           "Читайте также внимательно условия договора, советуют юристы городской администрации.",
           "Источник в мэрии сообщил, что решение примут до конца месяца."],
}


def build_site(rng: random.Random, site: str, per_site: int) -> list[tuple[str, list[tuple[str, bool]]]]:
    """Return the site's articles as (title, [(line, is_boilerplate)])."""
    language, top, bottom, middle = SITES[site]
    articles, stories = [], []
    lookalikes = rng.sample(LOOKALIKES[language], len(LOOKALIKES[language]))  # each used once: content is not repeated
    for number in range(per_site):
        if number >= 3 and number % 5 == 0:  # an update of an earlier story: its paragraphs recur, as content
            title, paragraphs = rng.choice(stories)
            paragraphs = paragraphs[:-1] + [make_story(rng, make_event(rng, language), 2).paragraphs[0]]
        else:
            story = make_story(rng, make_event(rng, language))
            title, paragraphs = story.title, list(story.paragraphs)
            stories.append((title, paragraphs))
        lines = [(line, True) for line in top]
        content = [(p, False) for p in paragraphs]
        if lookalikes and rng.random() < 0.5:
            content.insert(rng.randrange(1, len(content)), (lookalikes.pop(), False))
        position = rng.randrange(2, len(content))
        headline = make_story(rng, make_event(rng, language), 1).title
        content[position:position] = [(m.format(h=headline), True) for m in middle]
        lines += content + [(line, True) for line in bottom]
        articles.append((title, lines))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-site", type=int, default=12)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals = {"content": 0, "content_kept": 0, "boilerplate": 0, "boilerplate_removed": 0}
    errors = []
    count = 0
    for site in SITES:
        labelled = build_site(rng, site, args.per_site)
        articles = [Article(site, f"https://{site}.example/{i}", f"https://{site}.example/{i}", title,
                            [[line] for line, _ in lines]) for i, (title, lines) in enumerate(labelled)]
        cleaned = {a.article_id: a for a in clean_articles(articles, CleanConfig()).items}
        for article, (_, lines) in zip(articles, labelled):
            count += 1
            result = cleaned.get(article.article_id)
            removed = {r.position for r in result.removed} if result else set(range(len(lines)))
            for position, (line, is_boilerplate) in enumerate(lines):
                gone = position in removed
                key = "boilerplate" if is_boilerplate else "content"
                totals[key] += 1
                if is_boilerplate and gone:
                    totals["boilerplate_removed"] += 1
                elif not is_boilerplate and not gone:
                    totals["content_kept"] += 1
                else:
                    errors.append((site, key, normalize_text(line)))
    languages = sorted({language for language, *_ in SITES.values()})
    print(f"{count} articles from {len(SITES)} sites in {len(languages)} languages ({', '.join(languages)}): "
          f"{totals['content']} content lines, {totals['boilerplate']} boilerplate lines")
    print(f"content kept        {totals['content_kept'] / totals['content']:.4f}  "
          f"({totals['content_kept']}/{totals['content']})")
    print(f"boilerplate removed {totals['boilerplate_removed'] / totals['boilerplate']:.4f}  "
          f"({totals['boilerplate_removed']}/{totals['boilerplate']})")
    if args.show_errors:
        for site, kind, line in errors:
            print(f"  {site}: {kind} line {'removed' if kind == 'content' else 'kept'}: {line[:100]}")


if __name__ == "__main__":
    main()
