"""Stage 2: turn decoded documents into articles (title, body paragraphs, metadata)."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit


from tasks.article import Article, Document, Reject, StageResult
from tasks.dates import DateValue, date_from_url, parse_date
from tasks.extract import extract_article
from tasks.headline import fold
from tasks.language import repair_codepage
from tasks.markup import repair_mojibake
from tasks.site import site_of
from tasks.urls import BadUrl, checked_url, is_valid_url

BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")
DOCUMENT_START = re.compile(r"^\s*(<!doctype html|<html)", re.IGNORECASE)
DOCUMENT_END = re.compile(r"</(html|body)\s*>", re.IGNORECASE)


class ParseError(Exception):
    """A document that cannot be parsed; ``reason`` is the reject reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def split_paragraphs(text: str) -> list[list[str]]:
    """Split plain text into paragraphs (blank-line separated) of non-empty lines."""
    paragraphs = []
    for block in BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            paragraphs.append(lines)
    return paragraphs


def parse_text(text: str) -> tuple[str, list[list[str]]]:
    """Parse the seed text format: first line the title, then blank-line separated paragraphs."""
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise ParseError("empty_text", "no text in the document")
    first = paragraphs[0]
    title, rest = first[0], first[1:]
    body = ([rest] if rest else []) + paragraphs[1:]
    return title, body


def is_truncated_html(html: str) -> bool:
    """Tell whether a whole HTML document stops in the middle: no closing body or html tag, and cut mid-text or
    mid-tag.

    Many real pages omit ``</body></html>`` (HTML allows it) and end with a closed ``</script>`` or ``</div>``;
    only a document whose last character is not the end of a tag was cut off.
    """
    return (bool(DOCUMENT_START.match(html)) and not html.rstrip().endswith(">")
            and not DOCUMENT_END.search(html[-65536:]))  # (the cheap test first: most pages end with a tag)


def parse_html(html: str, url: str | None = None, data: bytes = b"") -> tuple[str, list[list[str]], dict]:
    """Extract title, body paragraphs and metadata from an HTML page (``url``: where it was found, if known;
    ``data``: the page's UTF-8 bytes, when the caller has them)."""
    if is_truncated_html(html):
        raise ParseError("truncated_html", "the document ends before its closing </body> or </html> tag")
    try:
        extracted = extract_article(html, url=url, data=data)
    except Exception as exc:  # lxml rarely fails, but a run must not
        raise ParseError("parse_error", f"{type(exc).__name__}: {exc}") from None
    if extracted is None:
        raise ParseError("parse_error", "no HTML elements found")
    meta, paragraphs = extracted
    if meta.pop("page_type", "article") != "article":
        raise ParseError("not_article", f"not an article page: {meta.get('not_article_reason')}")
    meta.pop("not_article_reason", None)
    title = meta.pop("title", "")  # repaired where the headline is chosen
    meta["authors"] = [repair_mojibake(name) for name in meta.get("authors", [])]
    paragraphs = [repair_mojibake(p) for p in paragraphs]
    return title, [[p] for p in paragraphs], meta


def parse_jsonl(text: str, location: str) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Split a JSON Lines export into records; bad lines come back as (location, reason, detail)."""
    records, bad = [], []
    # records end at "\n" only: a string may hold U+2028, U+0085 or a form feed raw, which splitlines() cuts at
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{location}#L{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((where, "parse_error", f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(record, dict):
            bad.append((where, "parse_error", "a JSON Lines record must be an object"))
            continue
        problem = check_record(record)
        if problem:
            bad.append((where, "bad_field", problem))
            continue
        if not (record.get("text") or record.get("html")):
            bad.append((where, "empty_text", "record has neither text nor html"))
            continue
        record["_location"] = where
        records.append(record)
    return records, bad


RECORD_FIELDS = ("url", "title", "text", "html", "published_at", "source", "site")  # strings when present


def check_record(record: dict) -> str | None:
    """Return what is wrong with a JSON Lines record's fields (named), or None: fields are checked, never coerced."""
    for name in RECORD_FIELDS:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"field {name!r} must be a string, not {type(value).__name__} ({json.dumps(value)[:60]})"
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            return f"field {name!r} holds an unpaired surrogate escape (\\ud800-\\udfff): not text"
    url = record.get("url")
    if url and url.lower().startswith(("http:", "https:")):  # other values are the export's own ids
        try:
            checked_url(url)
        except BadUrl as exc:
            return f"field 'url': {exc.detail}"
    if record.get("published_at") and parse_date(record["published_at"], "record") is None:
        return f"field 'published_at': {record['published_at'][:60]!r} is not a date newsflow can read"
    return None


def build_article(source: str, location: str, url: str, kind: str, content: str,
                  title: str | None = None, published_at: str | None = None, data: bytes = b"") -> Article:
    """Parse one document's content into an article (raises ParseError; ``data``: see parse_html)."""
    meta: dict = {}
    if kind == "html":
        parsed_title, paragraphs, meta = parse_html(content, url if url.startswith(("http://", "https://")) else None,
                                                    data)
    else:
        if title:
            parsed_title, paragraphs = title, split_paragraphs(content)
        else:
            parsed_title, paragraphs = parse_text(content)
    if kind != "html":  # (pages are repaired line by line in parse_html)
        paragraphs = [[repair_mojibake(line) for line in paragraph] for paragraph in paragraphs]
    title = fold(title or parsed_title or "")
    if not paragraphs:
        raise ParseError("empty_text", "no body text found")
    title, paragraphs = repair_encoding(title, paragraphs)
    article = Article(source=source, location=location, url=url, title=title, paragraphs=paragraphs,
                      published_at=meta.pop("published_at", None), metadata=meta)
    if published_at:  # the record's own date wins over what its page says
        date_article(article, parse_date(published_at, "record"), replace=True)
    return article


def repair_encoding(title: str, paragraphs: list[list[str]]) -> tuple[str, list[list[str]]]:
    """Return the title and paragraphs translated back from a code page they were misread in, when that is
    certain (tasks/language.py repair_codepage: Turkish or Central European text read as Western)."""
    lines = [title] + [line for paragraph in paragraphs for line in paragraph]
    repaired = repair_codepage(lines)
    if repaired is lines:
        return title, paragraphs
    rest = iter(repaired[1:])
    return repaired[0], [[next(rest) for _ in paragraph] for paragraph in paragraphs]


def date_article(article: Article, value: DateValue | None, replace: bool = False) -> None:
    """Give an article a publication time with its source and precision (unless it has one and not ``replace``)."""
    if value is not None and (replace or not article.published_at):
        article.published_at = value.isoformat()
        article.metadata.update(published_at_source=value.source, published_at_precision=value.precision)


def choose_url(page_url: str, canonical: str | None) -> str:
    """Return the canonical URL when it is a valid web URL on the page's own host, else the page URL."""
    if not canonical or not is_valid_url(page_url):
        return page_url
    try:
        absolute = checked_url(canonical, base=page_url)
    except BadUrl:
        return page_url  # a malformed canonical link costs the link, not the page
    page, target = urlsplit(page_url), urlsplit(absolute)
    same_host = (page.hostname or "").removeprefix("www.") == (target.hostname or "").removeprefix("www.")
    return absolute if target.scheme in ("http", "https") and same_host else page_url


def apply_hints(article: Article, hints: dict) -> None:
    """Fill what the page lacks (title, date, author) from what its feed or sitemap said."""
    if not hints:
        return
    if not article.title and hints.get("title"):
        article.title = " ".join(str(hints["title"]).split())
    if hints.get("published_at"):
        date_article(article, parse_date(str(hints["published_at"]), "feed"))
    if not article.metadata.get("author") and hints.get("author"):
        article.metadata["author"] = str(hints["author"])
    if not article.metadata.get("declared_language") and hints.get("declared_language"):
        article.metadata["declared_language"] = str(hints["declared_language"])  # the server's Content-Language
    if hints.get("captured_at"):  # when a crawler or fetcher saw the page: never its publication time
        article.metadata["captured_at"] = str(hints["captured_at"])


def parse_documents(docs: list[Document], sites: dict[str, str] | None = None) -> StageResult:
    """Parse a batch of decoded documents into articles, each attributed to its site (``sites`` renames)."""
    articles, rejects = [], []
    for doc in docs:
        try:
            if doc.kind == "jsonl":
                records, bad = parse_jsonl(doc.text or "", doc.location)
                rejects.extend(Reject(doc.source, where, "parse", reason, detail) for where, reason, detail in bad)
                for record in records:
                    try:
                        kind = "html" if record.get("html") and not record.get("text") else "txt"
                        article = build_article(
                            str(record.get("source") or doc.source), record["_location"],
                            str(record.get("url") or record["_location"]), kind,
                            str(record.get("text") or record.get("html")),
                            title=str(record["title"]) if record.get("title") else None,
                            published_at=str(record["published_at"]) if record.get("published_at") else None)
                        article.url = choose_url(article.url, article.metadata.get("canonical_url"))
                        article.site = str(record.get("site") or "") or site_of(article.url, article.source, sites)
                        articles.append(article)
                    except ParseError as exc:
                        rejects.append(Reject(doc.source, record["_location"], "parse", exc.reason, exc.detail))
            else:
                page_url = doc.url or doc.location
                article = build_article(doc.source, doc.location, page_url, doc.kind, doc.text or "", data=doc.data)
                article.url = choose_url(page_url, article.metadata.get("canonical_url"))
                apply_hints(article, doc.hints)
                date_article(article, date_from_url(page_url))  # a text file named 2024-10-02-story.txt
                article.site = site_of(article.url, doc.source, sites)
                articles.append(article)
        except ParseError as exc:
            rejects.append(Reject(doc.source, doc.location, "parse", exc.reason, exc.detail))
        except Exception as exc:  # a parser bug must cost one document, not the run
            rejects.append(Reject(doc.source, doc.location, "parse", "parse_error", f"{type(exc).__name__}: {exc}"))
    return StageResult(articles, rejects)
