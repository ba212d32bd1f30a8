"""Stage 5: signatures for exact and near-duplicate detection, and the decision which article copies which."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
from datasketch import MinHash

from tasks.article import Article, StageResult
from tasks.config import DedupConfig

WORD = re.compile(r"\w+")
SIGNATURE_DTYPE = np.uint32
# "KYIV (Reuters) - ", "PARIS, May 3 (AFP) — ", "BERLIN: " at the start of a body: the wire's dateline
DATELINE = re.compile(r"^\s*[A-ZÀ-ÞА-ЯІЇЄҐ][A-ZÀ-ÞА-ЯІЇЄҐ .'’-]{1,40}(?:,[^()\n]{1,30})?"
                      r"(?:\s*\([^)\n]{1,40}\))?\s*[-–—:]\s+")


def normalize_for_hash(text: str) -> str:
    """Reduce text to its words: case, accents' composition, quotes, dashes and white space do not count."""
    return " ".join(WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def strip_dateline(body: str) -> str:
    """Remove a wire dateline ("KYIV (Reuters) -") from the start of a body."""
    return DATELINE.sub("", body, count=1)


def fingerprint_paragraphs(body: str, min_words: int) -> dict[int, int]:
    """Return {hash: words} for each paragraph of at least ``min_words`` words (normalised, dateline removed)."""
    found = {}
    for paragraph in strip_dateline(body).split("\n\n"):
        words = normalize_for_hash(paragraph)
        count = words.count(" ") + 1 if words else 0
        if count >= min_words:
            digest = hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest()
            found[int.from_bytes(digest, "little", signed=True)] = count
    return found


def containment(part: dict[int, int], whole: dict[int, int]) -> float:
    """Return the share of ``part``'s words that sit in paragraphs ``whole`` also has."""
    total = sum(part.values())
    return sum(n for h, n in part.items() if h in whole) / total if total else 0.0


def compute_content_hash(text: str, normalized: str | None = None) -> str:
    """Return the exact-duplicate key of a cleaned body (dateline, case, punctuation and spacing aside).

    ``normalized`` is ``normalize_for_hash(strip_dateline(text))`` when the caller has it already.
    """
    normalized = normalize_for_hash(strip_dateline(text)) if normalized is None else normalized
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def make_shingles(text: str, size: int, normalized: str | None = None) -> set[bytes]:
    """Return the set of word ``size``-grams of a text, as bytes (``normalized``: as for the content hash)."""
    words = (normalize_for_hash(strip_dateline(text)) if normalized is None else normalized).split()
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def compute_band_keys(signature: np.ndarray, config: DedupConfig) -> list[int]:
    """Return one signed 64-bit LSH key per band of a signature."""
    rows = config.num_perm // config.bands
    keys = []
    for band in range(config.bands):
        chunk = signature[band * rows:(band + 1) * rows].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def estimate_similarity(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    """Estimate the Jaccard similarity of two texts from their MinHash signatures."""
    x = np.frombuffer(a, dtype=SIGNATURE_DTYPE) if isinstance(a, bytes) else a
    y = np.frombuffer(b, dtype=SIGNATURE_DTYPE) if isinstance(b, bytes) else b
    return float(np.mean(x == y))


def sign_articles(articles: list[Article], config: DedupConfig) -> StageResult:
    """Compute content hash, MinHash signature and band keys for a batch.

    A short body is signed together with its title (too few shingles alone). The batch's MinHashes are built
    in one call that shares the permutations (datasketch's ``MinHash.bulk``), a third cheaper than one by one.
    """
    shingles = []
    for article in articles:
        normalized = normalize_for_hash(strip_dateline(article.body))
        article.content_hash = compute_content_hash(article.body, normalized)
        if len(article.body) < 200:
            shingles.append(make_shingles(article.title + "\n\n" + article.body, config.shingle_words))
        else:
            shingles.append(make_shingles(article.body, config.shingle_words, normalized))
        article.paragraph_keys = fingerprint_paragraphs(article.body, config.paragraph_min_words)
    minhashes = MinHash.bulk([list(s) for s in shingles], num_perm=config.num_perm, seed=config.seed)
    for article, minhash in zip(articles, minhashes):
        signature = minhash.hashvalues.astype(SIGNATURE_DTYPE)
        article.minhash = signature.tobytes()
        article.band_keys = compute_band_keys(signature, config)
    return StageResult(articles)


@dataclass(frozen=True)
class Known:
    """An article already placed: its signature, paragraphs and the original of its group."""

    article_id: str
    minhash: bytes
    root: str
    paragraphs: dict | None = None  # {paragraph hash: words}, for containment


@dataclass(frozen=True)
class Match:
    article_id: str
    duplicate_of: str
    method: str  # exact | near | containment
    similarity: float
    partial: str | None = None  # for containment: the article that is the partial copy (a teaser)


def find_duplicates(articles: list, config: DedupConfig,
                    lookup_hashes: Callable[[list[str]], dict[str, str]],
                    lookup_bands: Callable[[list[int]], Iterable[tuple[int, Known]]],
                    lookup_paragraphs: Callable[[list[int]], Iterable[Known]] = lambda keys: []) -> list[Match]:
    """Decide which articles of a batch copy an earlier one (in the warehouse or earlier in the batch).

    Three tests, in order: the same normalised text (exact); an estimated Jaccard similarity of word
    shingles at or above ``near_threshold`` (near, candidates through LSH band keys); and containment: one
    text's paragraphs found in the other at or above ``containment_threshold`` (a teaser reprinting the
    first paragraphs, candidates through paragraph fingerprints). The lookups return warehouse articles
    (``lookup_bands`` as (band key, article) pairs); articles are taken in batch order, so the first seen is
    the original of its group.
    """
    known_hashes = dict(lookup_hashes([a.content_hash for a in articles]))
    band_index, paragraph_index = Buckets(config.max_bucket), Buckets(config.max_bucket)
    for key, known in lookup_bands(sorted({k for a in articles for k in a.band_keys})):
        band_index.add(key, known)
    for known in lookup_paragraphs(sorted({k for a in articles for k in a.paragraph_keys})):
        for key in known.paragraphs or {}:
            paragraph_index.add(key, known)
    matches = []
    for article in articles:
        match = (_exact_match(article, known_hashes) or _near_match(article, band_index, config)
                 or _containment_match(article, paragraph_index, config))
        if match and match.duplicate_of != article.article_id:
            matches.append(match)
            root = match.duplicate_of
        else:
            root = article.article_id
        known_hashes.setdefault(article.content_hash, root)
        me = Known(article.article_id, article.minhash, root, article.paragraph_keys)
        for key in article.band_keys:
            band_index.add(key, me)
        for key in article.paragraph_keys:
            paragraph_index.add(key, me)
    return matches


class Buckets:
    """Candidates per key (an LSH band, a paragraph fingerprint): one article per group, at most ``cap`` groups.

    A group is represented in a bucket by its first member there: a new copy is compared with the group, not with
    every copy of it, so a series of a thousand copies costs a thousand comparisons, not half a million. A key
    that more than ``cap`` groups share (a template's boilerplate, a market report's fixed sentences) keeps its
    earliest groups: such a key says little, and the article's other keys still find its copies.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.members: dict[int, list[Known]] = {}
        self.roots: dict[int, set[str]] = {}

    def add(self, key: int, known: Known) -> None:
        roots = self.roots.setdefault(key, set())
        if known.root in roots or len(roots) >= self.cap:
            return
        roots.add(known.root)
        self.members.setdefault(key, []).append(known)

    def get(self, key: int, default=()) -> list[Known]:
        return self.members.get(key, default)


def _exact_match(article, known_hashes: dict[str, str]) -> Match | None:
    root = known_hashes.get(article.content_hash)
    return Match(article.article_id, root, "exact", 1.0) if root and root != article.article_id else None


def _near_match(article, band_index: "Buckets", config: DedupConfig) -> Match | None:
    candidates: dict[str, Known] = {}
    for key in article.band_keys:
        for known in band_index.get(key):
            if known.article_id != article.article_id:
                candidates.setdefault(known.article_id, known)
    if not candidates:
        return None
    found = list(candidates.values())
    signatures = np.frombuffer(b"".join(k.minhash for k in found), dtype=SIGNATURE_DTYPE).reshape(len(found), -1)
    mine = np.frombuffer(article.minhash, dtype=SIGNATURE_DTYPE)
    similarities = (signatures == mine).mean(axis=1)  # every candidate at once
    best = int(np.argmax(similarities))  # the first of equals: candidates come in the order they were seen
    if similarities[best] < config.near_threshold:
        return None
    return Match(article.article_id, found[best].root, "near", round(float(similarities[best]), 4))


def _containment_match(article, paragraph_index: dict, config: DedupConfig) -> Match | None:
    mine = article.paragraph_keys
    best: Match | None = None
    seen = set()
    for key in mine:
        for known in paragraph_index.get(key):
            if known.article_id in seen or known.article_id == article.article_id:
                continue
            seen.add(known.article_id)
            theirs = known.paragraphs or {}
            for part, whole, partial in ((mine, theirs, article.article_id), (theirs, mine, known.article_id)):
                share = containment(part, whole)
                if (share >= config.containment_threshold and sum(part.values()) >= config.containment_min_words
                        and sum(part.values()) < sum(whole.values()) and (best is None or share > best.similarity)):
                    best = Match(article.article_id, known.root, "containment", round(share, 4), partial)
    return best

