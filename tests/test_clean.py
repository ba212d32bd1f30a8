"""Stage 3: normalisation and boilerplate removal by rule, by context and by what a source repeats."""
from pathlib import Path

import pytest

from tasks.article import Article
from tasks.clean import RunHistory, SourceHistory, clean_articles, normalize_text
from tasks.config import CleanConfig
from tasks.headline import fold
from tasks.parse import parse_text

from .conftest import SEEDS, requires_seeds
from .seedcases import expected_article

CONFIG = CleanConfig()
STORY = ["The council approved the new budget on Tuesday after a four-hour debate.",
         "Opposition members said the plan cuts too deeply into public transport."]


def clean_one(paragraphs, title="A title"):
    article = Article("site", "file:///a", "file:///a", title, [[p] if isinstance(p, str) else p for p in paragraphs])
    result = clean_articles([article], CONFIG)
    return result.items[0] if result.items else None, result


def removed_rules(article):
    return {r.text: r.rule for r in article.removed}


@requires_seeds
@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [], ids=lambda p: p.name[:3])
def test_seed_cleaning_removes_exactly_the_listed_boilerplate(seed: Path):
    title, body = parse_text(seed.read_text(encoding="utf-8"))
    result = clean_articles([Article("seeds", seed.as_uri(), seed.as_uri(), title, body)], CONFIG)
    article = result.items[0]
    want_title, want_body, want_removed = expected_article(seed)
    assert article.title == want_title
    assert article.body == want_body
    assert sorted(r.text for r in article.removed) == sorted(want_removed)


@pytest.mark.parametrize("line,rule", [
    ("Related Articles", "cross_links"), ("Читайте также", "cross_link_block"), ("Читайте також", "cross_link_block"),
    ("Lesen Sie auch", "cross_link_block"), ("À lire aussi", "cross_link_block"), ("Lee también", "cross_link_block"),
    ("Back to top button", "navigation"), ("Наверх", "navigation"),
    ("Advertisement", "advertisement"), ("Реклама", "advertisement"), ("Anzeige", "advertisement"),
    ("Publicité", "advertisement"), ("Publicidad", "advertisement"),
    ("Read more: Ukraine's grain exports climb", "read_more"), ("Читайте также: В Москве открыли мост", "read_more"),
    ("Lesen Sie auch: Rheinbrücke gesperrt", "read_more"), ("À lire aussi : Le marché de Noël", "read_more"),
    ("Share this article", "share_follow"), ("Поделиться", "share_follow"), ("Teilen", "share_follow"),
    ("Follow us on Twitter for the latest updates", "share_follow_prefix"),
    ("Подписывайтесь на наш канал в Telegram", "share_follow_prefix"),
    ("Source: Reuters", "source_trailer"), ("Джерело: Укрінформ", "source_trailer"), ("Quelle: dpa", "source_trailer"),
    ("© 2024 Example Media. All rights reserved.", "copyright"), ("Все права защищены", "copyright"),
    ("Britons told to flee as talks stall [SPOTLIGHT]", "tagged_headline"),
])
def test_multilingual_rules_remove_furniture_lines(line, rule):
    article, _ = clean_one(STORY + [line])
    assert removed_rules(article) == {line: rule}
    assert article.body == "\n\n".join(STORY)


@pytest.mark.parametrize("sentence", [
    "Related talks in Vienna ended without agreement, the ministry said.",
    "Share prices in Frankfurt fell 2% after the announcement.",
    "Advertisement revenue at the broadcaster dropped by a third last year.",
    "Sources close to the negotiations said a deal was likely.",
    "Source material for the report came from leaked ministry documents.",
    "Back in 2014, the same bridge was closed for repairs.",
    "Реклама на билбордах в центре города будет запрещена с января.",
    "Anzeigen gegen den Bürgermeister wurden inzwischen eingestellt.",
    "Read more carefully, the contract shows a penalty clause for late delivery.",
])
def test_content_sentences_that_start_like_furniture_stay(sentence):
    article, _ = clean_one(STORY + [sentence])
    assert article.removed == []
    assert sentence in article.body


def test_dont_miss_block_takes_its_headline_lines_but_not_the_next_paragraph():
    article, _ = clean_one([STORY[0], ["DON'T MISS", "Headline one here", "Another headline about Putin"], STORY[1]])
    assert set(removed_rules(article).values()) == {"cross_link_block"}
    assert article.body == "\n\n".join(STORY)


def test_short_line_between_boilerplate_goes_with_it_but_a_subheading_stays():
    article, _ = clean_one(["A video headline about talks", "Advertisement", STORY[0], "What happens next",
                            STORY[1]])
    assert removed_rules(article) == {"A video headline about talks": "context", "Advertisement": "advertisement"}
    assert "What happens next" in article.body


def test_unicode_and_white_space_are_normalised():
    assert normalize_text("Cafe\u0301\u00a0 au\u200b lait \t ") == "Café au lait"
    # plain ASCII lines too: runs of spaces, tabs, a stray control character from a CMS export
    assert normalize_text("  Shares of  Northgate\tBank rose\x07 4%  ") == "Shares of Northgate Bank rose 4%"
    assert normalize_text(" Shares of Northgate Bank rose 4% ") == "Shares of Northgate Bank rose 4%"
    # a headline keeps its ideographic spaces; other white space runs become one space
    assert fold(" 日銀、利上げ\u3000物価目標 \n") == "日銀、利上げ\u3000物価目標"
    assert fold("Nadal keeps\u00a0Spain \n alive &amp; well") == "Nadal keeps Spain alive & well"


def test_a_body_of_only_boilerplate_is_rejected_as_empty():
    article, result = clean_one(["Related Articles", "Back to top button"])
    assert article is None and [r.reason for r in result.rejects] == ["empty_text"]


def _site_article(number: int, paragraphs: list[str], source="site") -> Article:
    url = f"https://site.example/{number}"
    return Article(source, url, url, f"Story {number}", [[p] for p in paragraphs])


STORIES = [
    ["The mayor opened a new tram line to the airport on Monday, cutting the journey to twenty minutes.",
     "Tickets cost the same as on any other line, the transport company said."],
    ["Farmers in the south expect a record apricot harvest after a mild spring without frost.",
     "Exporters hope to sell a third of the crop to Poland and the Baltic states."],
    ["The city library will stay open around the clock during the exam season from next week.",
     "Students had complained that reading rooms were full by ten in the morning."],
    ["A heatwave pushed temperatures above 38 degrees in the capital for the fourth day running.",
     "Doctors advised older people to stay indoors during the afternoon hours."],
]
PLEA = "Our newsroom depends on readers like you: become a member for the price of a coffee."


def test_a_line_repeated_across_different_stories_is_learned_as_boilerplate():
    articles = [_site_article(i, story + [PLEA]) for i, story in enumerate(STORIES)]
    result = clean_articles(articles, CONFIG)
    for article in result.items:
        assert {r.text: r.rule for r in article.removed} == {PLEA: "learned"}
        assert PLEA not in article.body


def test_copies_of_one_story_repeat_paragraphs_but_they_stay_content():
    # one story posted four times (an update, a repost, a shortened copy): its paragraphs recur, yet are content
    story = STORIES[0] + ["The line will run every ten minutes at peak times and every half hour at night."]
    articles = [_site_article(i, story if i % 2 else story[:2] + ["An updated paragraph number %d." % i])
                for i in range(4)]
    result = clean_articles(articles, CONFIG)
    assert all(a.removed == [] for a in result.items)


def test_history_from_the_warehouse_cleans_a_sources_next_article():
    earlier = [_site_article(i, story + [PLEA]) for i, story in enumerate(STORIES[:3])]
    history = SourceHistory()
    for article in earlier:
        clean_articles([article], CONFIG)  # fills line_hashes
        history.articles[article.article_id] = article.line_hashes
        for h in article.line_hashes:
            history.holders.setdefault(h, []).append(article.article_id)
    asked = {}

    def fetch(lines):
        asked.update(lines)
        return {"site": history}

    newest = _site_article(99, STORIES[3] + [PLEA])
    alone = clean_articles([_site_article(99, STORIES[3] + [PLEA])], CONFIG)
    assert alone.items[0].removed == []  # on its own, one article teaches nothing
    result = clean_articles([newest], CONFIG, fetch)
    assert {r.text: r.rule for r in result.items[0].removed} == {PLEA: "learned"}
    assert set(asked) == {"site"}


def test_learning_is_per_source():
    articles = [_site_article(i, story + [PLEA], source=f"site-{i}") for i, story in enumerate(STORIES)]
    result = clean_articles(articles, CONFIG)
    assert all(a.removed == [] for a in result.items)


def test_a_runs_history_teaches_its_later_batches_and_keeps_only_the_latest_articles():
    config = CleanConfig(learn_run_articles=6)
    history = RunHistory()
    # batch 1: three stories with the plea, then unrelated news pushing the oldest out of the bound
    first = [_site_article(i, story + [PLEA]) for i, story in enumerate(STORIES[:3])]
    clean_articles(first, config)
    history.remember(first, config)
    newest = _site_article(99, STORIES[3] + [PLEA])
    result = clean_articles([newest], config, history.select)
    assert {r.text: r.rule for r in result.items[0].removed} == {PLEA: "learned"}

    fillers = [_site_article(100 + i, [f"Council minutes, item {i}: the {i}th budget line was approved unanimously."])
               for i in range(5)]
    clean_articles(fillers, config)
    history.remember(fillers, config)
    entry = history.sources["site"]
    kept = [a.article_id for a in first[2:] + fillers]
    assert list(entry.articles) == kept  # the 6 latest, oldest first
    assert {i for ids in entry.holders.values() for i in ids} == set(kept)
    assert set(entry.holders) == {h for a in first[2:] + fillers for h in a.line_hashes}
    # one story left with the plea: no longer enough to learn it from this run alone
    again = clean_articles([_site_article(98, STORIES[3] + [PLEA])], config, history.select)
    assert again.items[0].removed == []
