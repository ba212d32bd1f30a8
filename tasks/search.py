"""Search terms of articles (title and body), for the warehouse's ranked full-text search."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball project's stemmers, compiled

from tasks.article import Article, StageResult
from tasks.read import CJK

# Chinese, Japanese and Korean, written without spaces: a run of their characters is indexed as character bigrams
UNSPACED = re.compile(f"[{CJK}]+")
TERM = re.compile(f"\\w{{2,}}|[{CJK}]")
TITLE_WEIGHT = 3  # a word of the title counts as this many words of the body
# the Snowball stemmer of each language the detector names (ISO 639-1); other languages are indexed as written
SNOWBALL = {"ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
            "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
            "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
            "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
            "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
            "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil",
            "tr": "turkish", "yi": "yiddish"}


def tokenize(text: str) -> list[str]:
    """Return the search terms of a text: case-folded words of two or more characters, any script; Chinese,
    Japanese and Korean runs as character bigrams ("大津波警報" -> 大津 津波 波警 警報), so "津波" finds it."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = TERM.findall(folded)
    if not UNSPACED.search(folded):
        return words  # no Chinese, Japanese or Korean in the text: every word is a term as it is
    terms = []
    for word in words:
        if not UNSPACED.search(word):
            terms.append(word)
            continue
        for piece in re.split(f"({UNSPACED.pattern})", word):
            if not piece:
                continue
            if UNSPACED.fullmatch(piece):
                terms += [piece[i:i + 2] for i in range(len(piece) - 1)] if len(piece) > 1 else [piece]
            elif len(piece) >= 2:
                terms.append(piece)
    return terms


@lru_cache(maxsize=64)
def get_stemmer(language: str | None):
    """Return the Snowball stemmer of a language code ("de", "pt-BR"), or None when Snowball has none."""
    name = SNOWBALL.get((language or "").split("-")[0].lower())
    return Stemmer.Stemmer(name) if name else None


def stem_terms(terms: list[str], language: str | None) -> list[str]:
    """Return the terms reduced to their stems in a language ("klimawandels" -> "klimawandel"); CJK bigrams and
    terms of languages without a stemmer stay as they are."""
    stemmer = get_stemmer(language)
    return stemmer.stemWords(terms) if stemmer else terms


def index_articles(articles: list[Article]) -> StageResult:
    """Count each article's search terms, stemmed in its language (title words weighted), for the load to store."""
    for article in articles:
        terms = Counter(stem_terms(tokenize(article.body), article.language))
        for term in stem_terms(tokenize(article.title), article.language):
            terms[term] += TITLE_WEIGHT
        article.terms = dict(terms)
    return StageResult(articles)


def query_variants(query: str, languages: list[str]) -> list[tuple[int, str]]:
    """Return (word number, term) pairs of a query: each word as written and as each language stems it.

    A query has no language of its own: a word matches an article when any of its forms is one of the article's
    (stemmed) terms, and counts once however many of its forms match.
    """
    pairs = set()
    for number, word in enumerate(tokenize(query)):
        pairs.add((number, word))
        pairs.update((number, stem_terms([word], language)[0]) for language in languages)
    return sorted(pairs)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return the text folded as terms are (NFKC, case-folded) and, per folded character, its offset in ``text``.

    Folding changes lengths ("ß" -> "ss", "ﬁ" -> "fi"): offsets found in the folded text are mapped back, so a
    highlight marks the word itself, not a shifted one.
    """
    folded, offsets = [], []
    for offset, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).casefold()
        folded.append(piece)
        offsets += [offset] * len(piece)
    return "".join(folded), offsets


def make_snippet(body: str, terms: list[str], width: int = 90) -> str:
    """Return the passage of a body around the first query term, the word that holds it marked with « »
    (a stem "klimawandel" marks "Klimawandels")."""
    folded, offsets = fold_with_offsets(body)
    positions = []
    for term in filter(None, terms):  # a word or stem starts a word ("elect" marks "elections", not "selected")
        found = re.search(("" if UNSPACED.match(term) else r"(?<!\w)") + re.escape(term), folded)
        if found:
            positions.append((found.start(), -len(term), term))
    if not positions:
        return body[: 2 * width].replace("\n", " ") + ("…" if len(body) > 2 * width else "")
    found, _, term = min(positions)
    start, end = offsets[found], offsets[found + len(term) - 1] + 1
    if not UNSPACED.match(term):  # a stem ends inside its word: mark the whole word
        while end < len(body) and (body[end].isalnum() or body[end] == "_") and not UNSPACED.match(body[end]):
            end += 1
    left, right = max(0, start - width), min(len(body), end + width)
    text = body[left:start] + "«" + body[start:end] + "»" + body[end:right]
    return ("…" if left else "") + " ".join(text.split()) + ("…" if right < len(body) else "")
