"""Search terms of articles (title and body), for the warehouse's ranked full-text search."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from tasks.article import Article, StageResult
from tasks.read import CJK

# Chinese, Japanese and Korean, written without spaces: a run of their characters is indexed as character bigrams
UNSPACED = re.compile(f"[{CJK}]+")
TERM = re.compile(f"\\w{{2,}}|[{CJK}]")
TITLE_WEIGHT = 3  # a word of the title counts as this many words of the body


def tokenize(text: str) -> list[str]:
    """Return the search terms of a text: case-folded words of two or more characters, any script; Chinese,
    Japanese and Korean runs as character bigrams ("大津波警報" -> 大津 津波 波警 警報), so "津波" finds it."""
    terms = []
    for word in TERM.findall(unicodedata.normalize("NFKC", text).casefold()):
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


def index_articles(articles: list[Article]) -> StageResult:
    """Count each article's search terms (title words weighted), for the load to store."""
    for article in articles:
        terms = Counter(tokenize(article.body))
        for term in tokenize(article.title):
            terms[term] += TITLE_WEIGHT
        article.terms = dict(terms)
    return StageResult(articles)


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
    """Return the passage of a body around the first query term, the term marked with « »."""
    folded, offsets = fold_with_offsets(body)
    positions = [(folded.find(term), term) for term in terms if folded.find(term) >= 0]
    if not positions:
        return body[: 2 * width].replace("\n", " ") + ("…" if len(body) > 2 * width else "")
    found, term = min(positions)
    start, end = offsets[found], offsets[found + len(term) - 1] + 1
    left, right = max(0, start - width), min(len(body), end + width)
    text = body[left:start] + "«" + body[start:end] + "»" + body[end:right]
    return ("…" if left else "") + " ".join(text.split()) + ("…" if right < len(body) else "")
