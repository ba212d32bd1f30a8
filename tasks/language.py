"""Stage 4: detect each article's language, deterministically (langdetect semantics, seeded)."""
from __future__ import annotations

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


def detect_article_languages(articles: list[Article], config: LanguageConfig) -> StageResult:
    """Set language and probability on each article of a batch, from its cleaned body and title."""
    found = detect_languages([a.body for a in articles], config)
    for article, (language, probability) in zip(articles, found):
        article.language, article.language_probability = language, probability
    return StageResult(articles)
