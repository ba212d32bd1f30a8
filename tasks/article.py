"""The records that travel through the pipeline stages."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def hash_text(text: str, size: int = 16) -> str:
    """Return a short, stable hex digest of ``text``."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


def make_article_id(url: str) -> str:
    """Return the deterministic article key for a canonical URL (or file URI)."""
    return hash_text("url:" + url)


def make_source_id(name: str) -> str:
    """Return the deterministic source key for a source name."""
    return hash_text("source:" + name, size=8)


@dataclass
class Reject:
    """An input that did not become an article, with a short snake_case reason."""

    source: str
    location: str
    stage: str
    reason: str
    detail: str = ""


@dataclass
class Document:
    """A document read from a source: its decoded text, and what is known of it."""

    source: str
    location: str  # file:// URI (or URL later)
    kind: str  # txt | html | jsonl
    data: bytes  # the bytes read when they are ``text`` in UTF-8 as is (local HTML files), else b"": lexbor takes them
    text: str | None = None
    encoding: str | None = None
    url: str | None = None  # the page URL for web documents (the location of local files is their URI)
    hints: dict = field(default_factory=dict)  # title, published_at, author from a feed or sitemap


@dataclass
class RemovedLine:
    """One line the cleaner removed, with the rule that removed it."""

    position: int
    text: str
    rule: str


@dataclass
class Article:
    """One article as it moves from parse to load."""

    source: str
    location: str
    url: str
    title: str
    paragraphs: list[list[str]]  # parsed body: paragraphs of lines, before cleaning
    published_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    site: str = ""  # the publisher (tasks/site.py): the URL's registrable domain, or the source's name
    # filled by clean (``lines``: the body's lines marked by the per-document rules, until the batch is cleaned)
    lines: list | None = None
    body: str = ""
    removed: list[RemovedLine] = field(default_factory=list)
    line_hashes: dict[str, int] = field(default_factory=dict)  # hash -> length, rule-cleaned lines
    # filled by language
    language: str = "und"
    language_probability: float = 0.0
    languages: dict[str, float] = field(default_factory=dict)  # language -> share of the body's letters
    # filled by signatures
    content_hash: str = ""
    minhash: bytes = b""
    band_keys: list[int] = field(default_factory=list)
    passage_keys: dict[int, int] = field(default_factory=dict)  # sentence fingerprint -> words (containment)
    fact_keys: list[int] = field(default_factory=list)  # hashes of the facts (numbers, names) the text states
    skeleton_keys: dict[int, tuple[int, int]] = field(default_factory=dict)  # skeleton -> (words, sentence hash)
    terms: dict[str, int] = field(default_factory=dict)  # search term -> frequency (title weighted)

    @property
    def article_id(self) -> str:
        return make_article_id(self.url)

    @property
    def source_id(self) -> str:
        return make_source_id(self.source)


@dataclass
class StageResult:
    """What a stage returns: the items that go on and the ones it rejected."""

    items: list
    rejects: list[Reject] = field(default_factory=list)
