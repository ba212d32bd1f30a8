"""Stage 4: detect languages per paragraph and per article, deterministically (langdetect semantics, seeded).

News quotes other languages, so each paragraph long enough to judge is detected on its own; an article's
languages are the shares of its characters, its language the largest share. Short paragraphs (and guesses
below a confidence bar) take the article's language rather than a noisy guess of their own.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import langdetect_rs
from langdetect_rs import DetectorFactory

from tasks.article import Article, StageResult
from tasks.config import LanguageConfig, read_data_file

DetectorFactory.seed = 0  # langdetect is random without a seed: the same text could change language
CHECKS_FILE = Path(__file__).parent / "data" / "languages.toml"
WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
BASIC_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class LanguageCheck:
    words: frozenset
    letters: frozenset


@dataclass(frozen=True)
class LanguageChecks:
    languages: dict
    min_coverage: float
    max_foreign: float


@lru_cache(maxsize=2)
def load_language_checks(path: str = "") -> LanguageChecks:
    """Load the function words and letters that confirm a detected language."""
    data = read_data_file(path or CHECKS_FILE)
    languages = {code: LanguageCheck(frozenset(w.casefold() for w in spec["words"]),
                                     frozenset(spec["letters"].casefold()) | BASIC_LETTERS)
                 for code, spec in data["lang"].items()}
    return LanguageChecks(languages, data["min_coverage"], data["max_foreign"])


def is_plausible(text: str, language: str, checks: LanguageChecks | None = None) -> bool:
    """Tell whether a text looks like the language the detector named (its function words, its letters).

    Languages the detector has no profile for come out as their nearest neighbour with p ~1.0 (Zulu and Xhosa
    as Swahili, Icelandic as Norwegian); their text has almost none of that neighbour's commonest words, or
    letters it never writes. Languages without a check are taken as detected.
    """
    checks = checks or load_language_checks()
    check = checks.languages.get(language)
    if check is None:
        return True
    sample = text[:20000].casefold()
    words = WORDS.findall(sample)
    if len(words) < 20:
        return True  # too little text to judge either way
    if sum(map(check.words.__contains__, words)) / len(words) < checks.min_coverage:
        return False
    # letters of the same (Latin) script that the language never writes; other scripts are quotations
    foreign = sum(sample.count(ch) for ch in set(sample) - check.letters
                  if not ch.isascii() and ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"))
    return foreign <= checks.max_foreign * count_letters(sample)


def count_letters(text: str) -> int:
    """Count alphabetic characters, the evidence a language guess rests on."""
    return sum(map(str.isalpha, text))


def detect_languages(texts: list[str], config: LanguageConfig, letters: list[int] | None = None
                     ) -> list[tuple[str, float]]:
    """Return (language code, probability) per text; ``und`` when too short or undetectable (``letters``: each
    text's ``count_letters``, when the caller has counted them)."""
    results: list[tuple[str, float]] = [("und", 0.0)] * len(texts)
    letters = letters or [count_letters(text) for text in texts]
    judged = [i for i, count in enumerate(letters) if count >= config.min_letters]
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
    guesses = detect_languages(texts, config, [letters for _, letters in owners])
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
        if config.verify and not is_plausible(article.body, language):
            continue  # a language the detector has no profile for: "und", never confidently wrong
        article.language = language
        article.language_probability = round(weighted[index][language] / judged[index][language], 6)
        shares = judged[index] + Counter({language: rest[index]})
        total = sum(shares.values())
        article.languages = {lang: round(n / total, 6) for lang, n in shares.most_common()}
    return StageResult(articles)
