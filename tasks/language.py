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
    return sum(map(str.isalpha, text))


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


def split_for_detection(body: str, config: LanguageConfig) -> tuple[list[tuple[str, int]], int]:
    """Return the paragraphs long enough to judge alone (with their letters) and the letters of the rest."""
    long, short_letters = [], 0
    for paragraph in body.split("\n\n"):
        letters = count_letters(paragraph)
        if letters >= config.paragraph_min_letters:
            long.append((paragraph, letters))
        else:
            short_letters += letters
    if not long and short_letters:  # nothing long enough alone: judge the body as one text
        return [(body, short_letters)], 0
    return long, short_letters


def detect_article_languages(articles: list[Article], config: LanguageConfig) -> StageResult:
    """Set each article's languages (letter shares), language and probability, in one detector call."""
    texts, owners, rest = [], [], []
    for index, article in enumerate(articles):
        long, short_letters = split_for_detection(article.body, config)
        texts.extend(paragraph for paragraph, _ in long)
        owners.extend((index, letters) for _, letters in long)
        rest.append(short_letters)
    guesses = detect_languages(texts, config)
    judged: list[Counter] = [Counter() for _ in articles]
    weighted: list[Counter] = [Counter() for _ in articles]
    for (index, letters), (language, probability) in zip(owners, guesses):
        if language == "und" or probability < config.paragraph_min_probability:
            rest[index] += letters  # takes the article's language below
            continue
        judged[index][language] += letters
        weighted[index][language] += letters * probability
    for index, article in enumerate(articles):
        article.languages, article.language, article.language_probability = {}, "und", 0.0
        if not judged[index]:
            continue
        language = judged[index].most_common(1)[0][0]
        article.language = language
        article.language_probability = round(weighted[index][language] / judged[index][language], 6)
        shares = judged[index] + Counter({language: rest[index]})
        total = sum(shares.values())
        article.languages = {lang: round(n / total, 6) for lang, n in shares.most_common()}
    return StageResult(articles)
