"""Search terms of articles (title and body), for the warehouse's ranked full-text search."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from tasks.article import Article, StageResult

TERM = re.compile(r"\w{2,}")
TITLE_WEIGHT = 3  # a word of the title counts as this many words of the body


def tokenize(text: str) -> list[str]:
    """Return the search terms of a text: case-folded words of two or more characters, any script."""
    return TERM.findall(unicodedata.normalize("NFKC", text).casefold())


def index_articles(articles: list[Article]) -> StageResult:
    """Count each article's search terms (title words weighted), for the load to store."""
    for article in articles:
        terms = Counter(tokenize(article.body))
        for term in tokenize(article.title):
            terms[term] += TITLE_WEIGHT
        article.terms = dict(terms)
    return StageResult(articles)


def make_snippet(body: str, terms: list[str], width: int = 90) -> str:
    """Return the passage of a body around the first query term, the term marked with « »."""
    folded = body.casefold()
    positions = [(folded.find(term), term) for term in terms if folded.find(term) >= 0]
    if not positions:
        return body[: 2 * width].replace("\n", " ") + ("…" if len(body) > 2 * width else "")
    start, term = min(positions)
    left, right = max(0, start - width), min(len(body), start + len(term) + width)
    text = body[left:start] + "«" + body[start:start + len(term)] + "»" + body[start + len(term):right]
    return ("…" if left else "") + " ".join(text.split()) + ("…" if right < len(body) else "")
