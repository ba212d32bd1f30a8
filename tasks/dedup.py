"""Stage 5: signatures for exact and near-duplicate detection, and the decision which article copies which."""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np
from datasketch import MinHash

from tasks.article import Article, StageResult
from tasks.config import DATA_DIR, DedupConfig, read_data_file

# a word: a run of letters and digits, or one character of a script written without spaces between words (Chinese,
# Japanese, Thai, Lao, Khmer, Burmese: a clause would be one "word"; characters make the shingles character bigrams)
UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(f"[{UNSPACED}]|[^\\W{UNSPACED}]+")
PLAIN_WORD = re.compile(r"\w+")  # the same words in a text without such characters (most text), found faster
HAS_UNSPACED = re.compile(f"[{UNSPACED}]")


def word_finder(text: str):
    """Return the function that splits ``text`` (and its parts) into words: WORD's findall, or the faster plain one
    when the text holds no character of an unspaced script."""
    return WORD.findall if HAS_UNSPACED.search(text) else PLAIN_WORD.findall
SIGNATURE_DTYPE = np.uint32
# "KYIV (Reuters) - ", "PARIS, May 3 (AFP) — ", "BERLIN: " at the start of a body: the wire's dateline
DATELINE = re.compile(r"^\s*[A-ZÀ-ÞА-ЯІЇЄҐ][A-ZÀ-ÞА-ЯІЇЄҐ .'’-]{1,40}(?:,[^()\n]{1,30})?"
                      r"(?:\s*\([^)\n]{1,40}\))?\s*[-–—:]\s+")


def fold_for_hash(text: str) -> str:
    """Fold text for comparison: compatibility forms and accents composed (NFKC), case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def normalize_for_hash(text: str) -> str:
    """Reduce text to its words: case, accents' composition, quotes, dashes and white space do not count."""
    folded = fold_for_hash(text)
    return " ".join(word_finder(folded)(folded))


def make_title_key(title: str) -> int:
    """Return the key of a headline's words (case, accents' composition and punctuation aside); 0 for none."""
    words = normalize_for_hash(title or "")
    return hash64(b"title " + words.encode("utf-8")) if words else 0


def strip_dateline(body: str) -> str:
    """Remove a wire dateline ("KYIV (Reuters) -") from the start of a body."""
    return DATELINE.sub("", body, count=1)


def hash64(data: bytes) -> int:
    """Return a signed 64-bit key of some bytes (DuckDB BIGINT): fingerprints, band keys, facts."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


def containment(part: dict[int, int], whole: dict[int, int]) -> float:
    """Return the share of ``part``'s words that sit in passages ``whole`` also has."""
    total = sum(part.values())
    return sum(n for h, n in part.items() if h in whole) / total if total else 0.0


# a number ("4.20", "1,000", "2025") or a capitalised word that does not start a sentence ("... of Northgate Bank")
FACT = re.compile(r"\d[\d.,]*\d|\d|[^\W\d_a-z][\w'’-]*")
# paragraphs, and sentences inside them (Chinese and Japanese sentences end in 。！？ with no space after them)
SENTENCE_SPLIT = re.compile(r"\n\n|(?<=[.!?;])\s+(?=[\"“«„‘']?[^\W\d_])|(?<=[。！？])(?![」』”’）\s])")
REPEATED_MASK = re.compile(r"\b(nfname|nfnumber)(?: \1\b)+")
SENTENCE_END = frozenset(".!?:\n\"“«»")
MAX_FACTS = 128
NEAR_TRIES = 8  # candidates above the near threshold checked for their facts, most similar first
PART_PASSAGES = 6  # passages a partial copy shares with the whole to be one wherever they sit in it
FACTS_FILE = DATA_DIR / "facts.toml"

SENTENCE_MARK = "\x1e"  # stands for the break between two sentences while a body is masked as a whole
NAME_BREAK = "\x1d"  # a break after which a capitalised word is still a name in the body as written ("...; Kelby")
FACT_MARK = "\x1f"  # follows the mask of a token that states a fact (a sentence with one gets a skeleton)
MARKS = SENTENCE_MARK + NAME_BREAK + FACT_MARK
BREAK = re.compile(f"[{SENTENCE_MARK}{NAME_BREAK}]")


@lru_cache(maxsize=1)
def load_calendar_words() -> frozenset:
    """Return the weekdays and months that languages write in lower case, as words: the weekdays of
    tasks/data/facts.toml and the month words of the dates table (tasks/dates.py), but for its ``not_facts``."""
    from tasks.dates import load_month_words

    data = read_data_file(FACTS_FILE)
    names = [*data["weekdays"], *set(load_month_words()[0]) - set(data["not_facts"])]
    return frozenset(word for name in names for word in WORD.findall(name.casefold()) if len(word) >= 3)


def is_name_after(before: str) -> bool:
    """Tell whether a capitalised word after ``before`` (up to 4 characters) names something: a sentence's first word
    is capitalised whatever it is."""
    before = before.rstrip(" \t\u00a0")
    return bool(before) and before[-1] not in SENTENCE_END


def mark_sentence_break(match) -> str:
    """Mark a break between sentences; NAME_BREAK when the word after it counts as a name in the text as written
    (after "; " the text reads on, while the sentence alone starts there)."""
    text, end = match.string, match.end()
    return NAME_BREAK if is_name_after(text[max(0, end - 4):end]) else SENTENCE_MARK


def read_facts(text: str, min_words: int, names: bool = True
               ) -> tuple[list[int], dict[int, tuple[int, int]], dict[int, int]]:
    """Return a body's fact keys, its sentence skeletons and its passages, from one scan of its facts.

    Facts are the numbers (separators aside) and the names inside sentences, as hashes: a copy of a story keeps its
    facts while its furniture and punctuation change; a sibling written from the same template (a market report, a
    sports result, a weather line) keeps the sentences and changes the facts. At most ``MAX_FACTS`` (the lowest
    hashes: a bottom-k sample, so two long texts are compared on one sample). A capitalised word is a name when it
    does not start a sentence of the text as written.

    Skeletons: {skeleton hash: (words, sentence hash)} of each sentence that states a fact (a number, or a name
    inside that sentence alone), its words with the facts masked ("Harbour Rovers beat Kestrel Town 3-1" and
    "Dunmore United beat Ashford Wanderers 2-0" share one); the sentence hash is that of the sentence as written,
    facts included. Texts written from one template share most skeletons (a slot filled with an ordinary word,
    "rose" or "fell", costs one sentence); sentences without facts (a fixed disclaimer) get none. Two texts that
    share a sentence as written, facts and all, are parts of one story (a teaser and a cut copy), not siblings.

    Passages: {head hash: words} of every sentence of at least ``min_words`` words, keyed by its first ``min_words``
    words (its head), how a part of a story is found in the whole (a teaser, a cut copy) whatever paragraph breaks
    either has. A teaser's or a feed's last sentence, cut short ("…", "[…]"), keeps its head: it tells the story it
    was cut from from another that shares only the lead sentence.

    ``names`` False (German capitalises every noun: "Grad", "Wetterdienst" would be names every sibling of a weather
    series shares): a capitalised word is a fact only in a sentence that states a number, where a template's slots
    are ("In Lindau werden am Dienstag bis zu 24 Grad erwartet"); skeletons mask them all the same.

    ``text`` is a body without its dateline (``strip_dateline``). The body is masked and folded whole, its
    sentences split at marks (a cleaned body holds no control characters; any there are read as spaces).
    """
    facts = set()  # hashes; the lowest bit tells numbers (1) from names (0)
    held, numbered = [], []  # names=False: (offset, name) until their sentence is known; offsets of numbers

    def mask(match) -> str:
        token = match.group()
        if token[0].isdigit():
            facts.add(hash64(token.replace(".", "").replace(",", "").casefold().encode("utf-8")) | 1)
            numbered.append(match.start())
            return " nfnumber " + FACT_MARK
        if not token[0].isupper():
            return token
        if not token.isupper():  # "NEWS", lower-case scripts: no capital tells a name
            marked, start = match.string, match.start()
            before = marked[max(0, start - 4):start]
            in_sentence = is_name_after(before.rpartition(SENTENCE_MARK)[2].rpartition(NAME_BREAK)[2])
            if in_sentence or before.endswith(NAME_BREAK):  # (right after a NAME_BREAK: a name of the text only)
                name = hash64(token.casefold().encode("utf-8")) & ~1
                facts.add(name) if names else held.append((start, name))
            if in_sentence and names:  # (names=False: a sentence with a number has its mark from the number)
                return " nfname " + FACT_MARK
        return " nfname "

    for mark in MARKS:
        text = text.replace(mark, " ")
    marked = SENTENCE_SPLIT.sub(mark_sentence_break, text)
    skeletons = fold_for_hash(FACT.sub(mask, marked)).replace(NAME_BREAK, SENTENCE_MARK)
    if held and numbered:
        breaks = [m.start() for m in BREAK.finditer(marked)]
        with_numbers = {bisect.bisect(breaks, offset) for offset in numbered}
        facts.update(name for offset, name in held if bisect.bisect(breaks, offset) in with_numbers)
    sentences = fold_for_hash(marked).replace(NAME_BREAK, SENTENCE_MARK).split(SENTENCE_MARK)
    found, passages = {}, {}
    calendar = load_calendar_words()
    find_words = word_finder(text)
    for skeleton, sentence in zip(skeletons.split(SENTENCE_MARK), sentences):
        written = find_words(sentence)
        if len(written) >= min_words:
            head = hash64(b"head " + " ".join(written[:min_words]).encode("utf-8"))
            passages[head] = passages.get(head, 0) + len(written)
        days = calendar.intersection(written)
        if days:  # a day or month written in lower case ("jusqu'à lundi"): a fact, masked like a name
            facts.update(hash64(day.encode("utf-8")) & ~1 for day in days)
            skeleton = " ".join("nfname" if word in days else word for word in find_words(skeleton)) + FACT_MARK
        elif FACT_MARK not in skeleton:
            continue  # no number and no name inside the sentence: a fixed line ("This report was generated ...")
        words = " ".join(find_words(skeleton))
        if "nfname nfname" in words or "nfnumber nfnumber" in words:
            words = REPEATED_MASK.sub(r"\1", words)  # "Northgate Bank" and "Kelby Mining Group" are one name
        count = words.count(" ") + 1
        if count >= min_words:
            found[hash64(b"skeleton " + words.encode("utf-8"))] = (count, hash64(" ".join(written).encode("utf-8")))
    return sorted(facts)[:MAX_FACTS], found, passages


def sample_facts(mine, theirs) -> tuple[set, set]:
    """Return two fact lists as sets, each kept below their common horizon when either is a full bottom-k sample
    (``MAX_FACTS``): two long texts are compared on the hashes both samples cover."""
    mine, theirs = set(mine), set(theirs)
    if mine and theirs and max(len(mine), len(theirs)) >= MAX_FACTS:
        horizon = min(max(mine), max(theirs))
        mine, theirs = {h for h in mine if h <= horizon}, {h for h in theirs if h <= horizon}
    return mine, theirs


def kept_share(kept: int, stated: int, config: DedupConfig) -> float:
    """Return the share of ``stated`` facts kept; 0 when fewer than ``all_facts_below`` were stated and one is
    missing (a short report's copy keeps its every fact: another price or day is another report)."""
    return 0.0 if stated < config.all_facts_below and kept < stated else kept / stated


def fact_share(mine, theirs, config: DedupConfig) -> float | None:
    """Return the share of the facts kept between two texts, or None when either states none (or is not known).

    The share is that of the smaller fact set found in the other (a copy that drops a paragraph keeps its
    share), and of the numbers alone when both state a few: a weather line or a return fixture names the same
    city or teams with other figures. Two texts that state other names, figures or days are no copies however
    few facts they state: a short templated report of three facts is judged by its three (``kept_share``).
    """
    if not mine or not theirs:
        return None
    mine, theirs = sample_facts(mine, theirs)
    smaller = min(len(mine), len(theirs))
    if not smaller:
        return None
    share = kept_share(len(mine & theirs), smaller, config)
    numbers, their_numbers = {h for h in mine if h & 1}, {h for h in theirs if h & 1}
    fewer = min(len(numbers), len(their_numbers))
    if fewer >= config.min_facts - 1:
        share = min(share, len(numbers & their_numbers) / fewer)
    return share


def compute_content_hash(text: str, normalized: str | None = None) -> str:
    """Return the exact-duplicate key of a cleaned body (dateline, case, punctuation and spacing aside).

    ``normalized`` is ``normalize_for_hash(strip_dateline(text))`` when the caller has it already.
    """
    normalized = normalize_for_hash(strip_dateline(text)) if normalized is None else normalized
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def make_shingles(text: str, size: int) -> set[bytes]:
    """Return the set of word ``size``-grams of a text (dateline removed, normalised), as bytes."""
    return shingle_words(normalize_for_hash(strip_dateline(text)).split(), size)


def shingle_words(words: list[str], size: int) -> set[bytes]:
    """Return the set of word ``size``-grams of a list of words, as bytes."""
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(gram).encode("utf-8") for gram in zip(*(words[i:] for i in range(size)))}


SHA1_DIGEST = type(hashlib.sha1()).digest


def hash_shingles(shingles) -> list[int]:
    """Return datasketch's default 32-bit hash of each shingle (the first 4 bytes of its SHA-1, little-endian),
    computed without a Python call per shingle; MinHash takes them with ``hashfunc=int``."""
    digests = b"".join(map(SHA1_DIGEST, map(hashlib.sha1, shingles)))
    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, 20)[:, :4].copy().view("<u4").ravel().tolist()


def compute_band_keys(signature: np.ndarray, config: DedupConfig) -> list[int]:
    """Return one signed 64-bit LSH key per band of a signature."""
    rows = config.num_perm // config.bands
    keys = []
    for band in range(config.bands):
        keys.append(hash64(band.to_bytes(2, "little") + signature[band * rows:(band + 1) * rows].tobytes()))
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
    hashes = []
    noun_capitalising = frozenset(read_data_file(FACTS_FILE)["noun_capitalising"])
    for article in articles:
        text = strip_dateline(article.body)
        folded = fold_for_hash(text)
        words = word_finder(folded)(folded)  # (as normalize_for_hash splits them)
        article.content_hash = compute_content_hash(text, " ".join(words))
        if len(article.body) < 200:
            shingles = make_shingles(article.title + "\n\n" + article.body, config.shingle_words)
        else:
            shingles = shingle_words(words, config.shingle_words)
        hashes.append(hash_shingles(shingles))
        names = article.language.partition("-")[0] not in noun_capitalising
        article.fact_keys, article.skeleton_keys, article.passage_keys = read_facts(text, config.paragraph_min_words,
                                                                                    names)
    minhashes = MinHash.bulk(hashes, num_perm=config.num_perm, seed=config.seed, hashfunc=int)
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
    passages: dict | None = None  # {sentence head hash: words} in text order (read_facts), for containment
    facts: list | None = None  # fact hashes (read_facts); None: not known (a warehouse row from before)
    family: str | None = None  # the first article of its template family, when it has siblings
    skeletons: dict | None = None  # {sentence skeleton hash: (words, sentence hash)}, for template families
    title_key: int = 0  # make_title_key of its headline: a one-sentence part names the story it belongs to


@dataclass(frozen=True)
class Match:
    article_id: str
    duplicate_of: str
    method: str  # exact | near | containment; template: a sibling of one template family, not a copy
    similarity: float
    partial: str | None = None  # for containment: the article that is the partial copy (a teaser)


def find_duplicates(articles: list, config: DedupConfig,
                    lookup_hashes: Callable[[list[str]], dict[str, str]],
                    lookup_bands: Callable[[list[int]], Iterable[tuple[int, Known]]],
                    lookup_passages: Callable[[list[int]], Iterable[Known]] = lambda keys: [],
                    lookup_skeletons: Callable[[list[int]], Iterable[Known]] = lambda keys: []) -> list[Match]:
    """Decide which articles of a batch copy an earlier one (in the warehouse or earlier in the batch).

    Three tests, in order: the same normalised text (exact); an estimated Jaccard similarity of word
    shingles at or above ``near_threshold`` (near, candidates through LSH band keys) with the facts kept; and
    containment: one text's passages (sentences) found in the other at or above ``containment_threshold`` with
    the facts kept (a teaser reprinting the first paragraphs, its last sentence cut; candidates through passage
    fingerprints). A text that shares another's
    sentences but not its facts (numbers and names, below ``min_fact_share``) is no copy: it is a template
    sibling (method "template", ``duplicate_of`` its family's first article), returned only when no copy was
    found. Siblings are found through sentence skeletons (each sentence with its facts masked: at least
    ``family_min_share`` of the skeleton words shared). The lookups return warehouse articles (``lookup_bands``
    as (band key, article) pairs); articles are taken in batch order, so the first seen is the original of its
    group.
    """
    known_hashes = dict(lookup_hashes([a.content_hash for a in articles]))
    # siblings of a template family share band keys and skeletons: one slot per family, not one per sibling
    band_index, passage_index = Buckets(config.max_bucket, family=True), Buckets(config.max_bucket, per_group=2)
    skeleton_index = Buckets(config.max_bucket, family=True)
    for key, known in lookup_bands(sorted({k for a in articles for k in a.band_keys})):
        band_index.add(key, known)
    for known in lookup_passages(sorted({k for a in articles for k in a.passage_keys})):
        for key in known.passages or {}:
            passage_index.add(key, known)
    for known in lookup_skeletons(sorted({k for a in articles for k in a.skeleton_keys})):
        for key in known.skeletons or {}:
            skeleton_index.add(key, known)
    matches = []
    title_keys = {article.article_id: make_title_key(article.title) for article in articles}
    for article in articles:
        match = (_exact_match(article, known_hashes) or _near_match(article, band_index, config)
                 or _containment_match(article, title_keys[article.article_id], passage_index, config))
        sibling = None if match else _family_match(article, skeleton_index, config)
        root, family = article.article_id, None
        if match and match.duplicate_of != article.article_id:
            matches.append(match)
            root = match.duplicate_of
        elif sibling:
            matches.append(sibling)
            family = sibling.duplicate_of
        known_hashes.setdefault(article.content_hash, root)
        me = Known(article.article_id, article.minhash, root, article.passage_keys, article.fact_keys, family,
                   article.skeleton_keys, title_keys[article.article_id])
        for key in article.band_keys:
            band_index.add(key, me)
        for key in article.passage_keys:
            passage_index.add(key, me)
        for key in article.skeleton_keys:
            skeleton_index.add(key, me)
    return join_late_parts(articles, title_keys, matches, passage_index, config)


def join_late_parts(articles: list, title_keys: dict[str, int], matches: list[Match], passage_index: "Buckets",
                    config: DedupConfig) -> list[Match]:
    """Return the matches with the parts seen before their whole: once the batch is indexed, an article of the
    batch that copies nothing but is part of a later one (a teaser run before its story) joins that one's group;
    the copies of the part (another teaser of the story) follow it."""
    moved: dict[str, str] = {}

    def resolve(root: str) -> str:
        while root in moved:
            root = moved[root]
        return root

    matched = {m.article_id for m in matches}
    for article in articles:
        if article.article_id in matched:
            continue
        late = _containment_match(article, title_keys[article.article_id], passage_index, config, part_only=True)
        if late and resolve(late.duplicate_of) != article.article_id:
            moved[article.article_id] = resolve(late.duplicate_of)
            matches.append(late)
    if not moved:
        return matches
    return [m if m.method == "template" else dataclasses.replace(m, duplicate_of=resolve(m.duplicate_of))
            for m in matches]


class Buckets:
    """Candidates per key (an LSH band, a passage fingerprint): ``per_group`` articles (one) per group, at most
    ``cap`` groups.

    A group is represented in a bucket by its first member there: a new copy is compared with the group, not with
    every copy of it, so a series of a thousand copies costs a thousand comparisons, not half a million. A key
    that more than ``cap`` groups share (a template's boilerplate, a market report's fixed sentences) keeps its
    earliest groups: such a key says little, and the article's other keys still find its copies.
    """

    def __init__(self, cap: int, family: bool = False, per_group: int = 1):
        self.cap, self.family = cap, family  # family: one article per template family, not per group of copies
        self.per_group = per_group  # articles a group keeps in a bucket (passages: a teaser of the story, not of the
        # first copy seen, which may have run a paragraph of its own between the teaser's sentences)
        # most keys hold one article: it is stored bare, and a list and a count per group are made for a second
        # (a run adds tens of keys per article; a list and a dict for each cost ten times the lookups)
        self.members: dict[int, Known | list[Known]] = {}
        self.groups: dict[int, dict[str, int]] = {}

    def group_of(self, known: Known) -> str:
        return (known.family or known.root) if self.family else known.root

    def add(self, key: int, known: Known) -> None:
        current = self.members.get(key)
        if current is None:
            self.members[key] = known
            return
        group = self.group_of(known)
        if isinstance(current, Known):
            first = self.group_of(current)
            if group != first and self.cap > 1:
                self.members[key], self.groups[key] = [current, known], {first: 1, group: 1}
            elif group == first and self.per_group > 1:
                self.members[key], self.groups[key] = [current, known], {first: 2}
            return
        groups = self.groups[key]
        held = groups.get(group, 0)
        if held < self.per_group and (held or len(groups) < self.cap):
            groups[group] = held + 1
            current.append(known)

    def get(self, key: int, default=()) -> "list[Known] | tuple[Known]":
        current = self.members.get(key)
        if current is None:
            return default
        return (current,) if isinstance(current, Known) else current


def _exact_match(article, known_hashes: dict[str, str]) -> Match | None:
    root = known_hashes.get(article.content_hash)
    return Match(article.article_id, root, "exact", 1.0) if root and root != article.article_id else None


def _near_match(article, band_index: "Buckets", config: DedupConfig) -> Match | None:
    """Return the most similar LSH candidate at or above ``near_threshold`` that keeps the article's facts.

    Only the ``NEAR_TRIES`` most similar are checked for their facts: a copy is among the closest texts, and a
    templated series offers hundreds of candidates above the threshold, all siblings.
    """
    found = list(_candidates(article.article_id, article.band_keys, band_index))
    if not found:
        return None
    signatures = np.frombuffer(b"".join(k.minhash for k in found), dtype=SIGNATURE_DTYPE).reshape(len(found), -1)
    mine = np.frombuffer(article.minhash, dtype=SIGNATURE_DTYPE)
    similarities = (signatures == mine).mean(axis=1)  # every candidate at once
    # best first; the first of equals: candidates come in the order they were seen
    for index in np.argsort(-similarities, kind="stable")[:NEAR_TRIES]:
        similarity = float(similarities[index])
        if similarity < config.near_threshold:
            break
        share = fact_share(article.fact_keys, found[index].facts, config)
        if share is None or share >= config.min_fact_share:
            return Match(article.article_id, found[index].root, "near", round(similarity, 4))
    return None


def _family_match(article, skeleton_index: "Buckets", config: DedupConfig) -> Match | None:
    """Return the template family an article belongs to: a text with its sentence skeletons and other facts."""
    mine = article.skeleton_keys
    total = sum(n for n, _ in mine.values())
    best: Match | None = None
    for known in _candidates(article.article_id, mine, skeleton_index):
        theirs = known.skeletons or {}
        shared = [h for h in mine if h in theirs]
        if any(mine[h][1] == theirs[h][1] for h in shared):
            continue  # a sentence shared as written, facts and all: parts of one story, not siblings
        share = sum(mine[h][0] for h in shared) / max(1, min(total, sum(n for n, _ in theirs.values())))
        if share < config.family_min_share or (best is not None and share <= best.similarity):
            continue
        facts = fact_share(article.fact_keys, known.facts, config)
        if facts is not None and facts < config.min_fact_share:
            best = Match(article.article_id, known.family or known.root, "template", round(share, 4))
    return best


def keeps_numbers(part, whole, config: DedupConfig) -> bool:
    """Tell whether the whole states the part's numbers, by ``kept_share``; True when either states none or is not
    known.

    A part's sentences are found in the whole already, so its names are too (a teaser's last words, run into the
    next paragraph, can read as a name the whole does not have: "... authority Whether you ..."); its figures tell
    a templated report's fixed sentences from a copy of them.
    """
    part, whole = sample_facts(part or (), whole or ())
    numbers, theirs = {h for h in part if h & 1}, {h for h in whole if h & 1}
    if not numbers or not theirs:
        return True
    return kept_share(len(numbers & theirs), len(numbers), config) >= config.min_fact_share


def is_run_of(part: dict, whole: dict) -> bool:
    """Tell whether a part's passages are a run of the whole: ``PART_PASSAGES`` or more of them found there, or two or
    more that follow each other in the whole's order (a teaser: the first sentences of its story). A passage of the
    part longer than the whole's with its head ran two of the whole's sentences together (a feed's excerpt joins a
    standfirst to the next paragraph) and covers the ones it swallowed. Passage dicts are in text order."""
    found = [key for key in part if key in whole]
    if len(found) >= PART_PASSAGES:
        return True
    if len(found) < 2:
        return False
    keys, sizes = list(whole), list(whole.values())
    where = {key: index for index, key in enumerate(keys)}
    for before, after in zip(found, found[1:]):
        first, then = where[before], where[after]
        swallowed = part[before] - min(part[before], sizes[first])  # the words it has beyond the whole's sentence
        if then <= first or sum(sizes[first + 1:then]) > swallowed:
            return False  # out of order, or sentences of the whole between them that the part does not hold
    return True


def _candidates(article_id: str, keys, index: "Buckets"):
    """Yield each article that shares one of ``keys`` in ``index`` once, in the order the buckets hold them."""
    seen = {article_id}
    for key in keys:
        for known in index.get(key):
            if known.article_id not in seen:
                seen.add(known.article_id)
                yield known


def _containment_match(article, title_key: int, passage_index: "Buckets", config: DedupConfig,
                       part_only: bool = False) -> Match | None:
    """Return the candidate whose passages hold ``containment_threshold`` of the other's words (the smaller is the
    partial copy: a teaser, a cut copy; ``part_only``: the article as the part; ``title_key``: the article's
    headline, make_title_key) and whose facts agree with the
    article's. A part of less than half the whole's words and fewer than ``PART_PASSAGES`` passages must be a run
    of the whole (``is_run_of``: a story's lead and a quote are what a different story on the same event shares
    with it; a short story copied with a paragraph added in its middle is half its copy or more), or one passage
    under the same headline."""
    mine = article.passage_keys
    best, best_rank = None, None
    for known in _candidates(article.article_id, mine, passage_index):
        theirs = known.passages or {}
        sides = ((mine, theirs, article.article_id),) if part_only else (
            (mine, theirs, article.article_id), (theirs, mine, known.article_id))
        for part, whole, partial in sides:
            if partial == known.article_id and known.root != known.article_id:
                continue  # a part already placed in a group says nothing of the whole: the lead of two stories
            share = containment(part, whole)
            if (share < config.containment_threshold or sum(part.values()) < config.containment_min_words
                    or sum(part.values()) >= sum(whole.values())):
                continue
            if (2 * sum(part.values()) < sum(whole.values()) and not is_run_of(part, whole)
                    and not (len(part) == 1 and title_key == known.title_key != 0)):
                continue  # a lead and a quote another story shares too: a small part must be a run of the whole
            if not keeps_numbers(article.fact_keys if partial == article.article_id else known.facts,
                                 known.facts if partial == article.article_id else article.fact_keys, config):
                continue  # the fixed sentences of a template, other figures: no copy
            rank = (share, estimate_similarity(article.minhash, known.minhash) if known.minhash else 0.0)
            if best_rank is None or rank > best_rank:  # a teaser held whole by two stories: the closer text
                best, best_rank = Match(article.article_id, known.root, "containment", round(share, 4), partial), rank
    return best

