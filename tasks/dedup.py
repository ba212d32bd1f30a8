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


def normalize_for_hash(text: str) -> str:
    """Reduce text to its words: case, accents' composition, quotes, dashes and white space do not count."""
    return " ".join(WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def compute_content_hash(text: str) -> str:
    """Return the exact-duplicate key of a cleaned body."""
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


def make_shingles(text: str, size: int) -> set[bytes]:
    """Return the set of word ``size``-grams of a text, as bytes."""
    words = normalize_for_hash(text).split()
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def compute_minhash(text: str, config: DedupConfig) -> np.ndarray:
    """Return the MinHash signature of a text's word shingles."""
    minhash = MinHash(num_perm=config.num_perm, seed=config.seed)
    minhash.update_batch(list(make_shingles(text, config.shingle_words)))
    return minhash.hashvalues.astype(SIGNATURE_DTYPE)


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
    """Compute content hash, MinHash signature and band keys for a batch."""
    for article in articles:
        text = article.title + "\n\n" + article.body if len(article.body) < 200 else article.body
        article.content_hash = compute_content_hash(article.body)
        signature = compute_minhash(text, config)
        article.minhash = signature.tobytes()
        article.band_keys = compute_band_keys(signature, config)
    return StageResult(articles)


@dataclass(frozen=True)
class Known:
    """An article already placed: its signature and the original of its group."""

    article_id: str
    minhash: bytes
    root: str


@dataclass(frozen=True)
class Match:
    article_id: str
    duplicate_of: str
    method: str
    similarity: float


def find_duplicates(articles: list[Article], config: DedupConfig,
                    lookup_hashes: Callable[[list[str]], dict[str, str]],
                    lookup_bands: Callable[[list[int]], Iterable[Known]]) -> list[Match]:
    """Decide which articles of a batch copy an earlier one (in the warehouse or earlier in the batch).

    ``lookup_hashes`` maps content hashes to the original article holding them; ``lookup_bands`` returns
    the warehouse articles sharing any band key. Articles are taken in batch order, so the first seen is
    the original of its group.
    """
    batch_ids = {a.article_id for a in articles}
    known_hashes = {h: root for h, root in lookup_hashes([a.content_hash for a in articles]).items()}
    band_index: dict[int, list[Known]] = {}
    for known in lookup_bands(sorted({k for a in articles for k in a.band_keys})):
        if known.article_id in batch_ids:
            continue  # an article re-ingested is not a copy of itself
        for key in _keys_of(known, config):
            band_index.setdefault(key, []).append(known)
    matches = []
    for article in articles:
        root = known_hashes.get(article.content_hash)
        if root and root != article.article_id:
            matches.append(Match(article.article_id, root, "exact", 1.0))
            continue
        best: tuple[float, str] | None = None
        seen = set()
        for key in article.band_keys:
            for known in band_index.get(key, ()):
                if known.article_id in seen:
                    continue
                seen.add(known.article_id)
                similarity = estimate_similarity(article.minhash, known.minhash)
                if similarity >= config.near_threshold and (best is None or similarity > best[0]):
                    best = (similarity, known.root)
        if best and best[1] != article.article_id:
            matches.append(Match(article.article_id, best[1], "near", round(best[0], 4)))
            root = best[1]
        else:
            root = article.article_id
        known_hashes.setdefault(article.content_hash, root)
        me = Known(article.article_id, article.minhash, root)
        for key in article.band_keys:
            band_index.setdefault(key, []).append(me)
    return matches


def _keys_of(known: Known, config: DedupConfig) -> list[int]:
    return compute_band_keys(np.frombuffer(known.minhash, dtype=SIGNATURE_DTYPE), config)
