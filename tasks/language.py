"""Stage 4: detect languages per paragraph and per article, deterministically (langdetect semantics, seeded).

News quotes other languages, so each paragraph long enough to judge is detected on its own; an article's
languages are the shares of its characters, its language the largest share. Short paragraphs (and guesses
below a confidence bar) take the article's language rather than a noisy guess of their own.
"""
from __future__ import annotations

from collections import Counter

import langdetect_rs
from langdetect_rs import DetectorFactory

from tasks.article import Article, StageResult
from tasks.config import LanguageConfig

DetectorFactory.seed = 0  # langdetect is random without a seed: the same text could change language


def count_letters(text: str) -> int:
    """Count alphabetic characters, the evidence a language guess rests on."""
    return sum(ch.isalpha() for ch in text)


def detect_languages(texts: list[str], config: LanguageConfig) -> list[tuple[str, float]]:
    """Return (language code, probability) per text; ``und`` when too short or undetectable."""
    results: list[tuple[str, float]] = [("und", 0.0)] * len(texts)
    judged = [i for i, text in enumerate(texts) if count_letters(text) >= config.min_letters]
    guesses = langdetect_rs.detect_langs_batch([texts[i] for i in judged]) if judged else []
    for i, guess in zip(judged, guesses):
        if guess:
            best = guess[0]
            if best.prob >= config.min_probability:
                results[i] = (best.lang, round(float(best.prob), 6))
    return results


def split_for_detection(body: str, config: LanguageConfig) -> tuple[list[str], list[str]]:
    """Split a body into paragraphs long enough to judge alone and the short rest."""
    long, short = [], []
    for paragraph in body.split("\n\n"):
        (long if count_letters(paragraph) >= config.paragraph_min_letters else short).append(paragraph)
    return long, short


def detect_article_languages(articles: list[Article], config: LanguageConfig) -> StageResult:
    """Set each article's languages (character shares), language and probability, in one detector call."""
    texts, owners = [], []
    for index, article in enumerate(articles):
        long, short = split_for_detection(article.body, config)
        if not long:  # nothing long enough alone: judge the body as one text
            long, short = [article.body], []
        texts.extend(long)
        owners.extend((index, paragraph) for paragraph in long)
        article.languages = {}
        article.language, article.language_probability = "und", 0.0
        article._short = short  # type: ignore[attr-defined]
    guesses = detect_languages(texts, config)
    chars: list[Counter] = [Counter() for _ in articles]
    weighted: list[Counter] = [Counter() for _ in articles]
    unsure: list[int] = [0] * len(articles)
    for (index, paragraph), (language, probability) in zip(owners, guesses):
        size = count_letters(paragraph)
        if language == "und" or probability < config.paragraph_min_probability:
            unsure[index] += size  # takes the article's language below
            continue
        chars[index][language] += size
        weighted[index][language] += size * probability
    for index, article in enumerate(articles):
        short = article.__dict__.pop("_short")
        judged = chars[index]
        if not judged:
            continue
        language = judged.most_common(1)[0][0]
        article.language = language
        article.language_probability = round(weighted[index][language] / judged[language], 6)
        shares = judged + Counter({language: unsure[index] + sum(count_letters(p) for p in short)})
        total = sum(shares.values())
        article.languages = {lang: round(n / total, 6) for lang, n in shares.most_common()}
    return StageResult(articles)
