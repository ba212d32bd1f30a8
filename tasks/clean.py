"""Stage 3: normalise text and strip boilerplate lines, by rule and by what a source repeats."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from pathlib import Path

from tasks.article import Article, Reject, RemovedLine, StageResult, hash_text
from tasks.config import CleanConfig, read_data_file
from tasks.headline import fold

RULES_FILE = Path(__file__).parent / "data" / "boilerplate.toml"

SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f]")
QUOTES = (("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'), ("«", '"'), ("»", '"'),
          ("–", "-"), ("—", "-"))
TRAILING_PUNCT = " :.!…›»→-|•·"
SENTENCE_END = re.compile(r"[.!?…;:。]['\"’”»)\]]*$")


def normalize_text(text: str) -> str:
    """Normalise Unicode (NFC) and white space in one line of text."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip()  # nothing invisible, nothing to compose, no run of spaces (most lines of English)
    text = INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return SPACES.sub(" ", text).strip()


def straighten_quotes(text: str) -> str:
    """Replace typographic quotes and dashes by their ASCII forms.

    One replace per character present: str.translate looks every character up (10-20 µs a news line).
    """
    if text.isascii():
        return text
    for curly, straight in QUOTES:
        if curly in text:
            text = text.replace(curly, straight)
    return text


def normalize_key(line: str) -> str:
    """Return the form of a line that rules compare: case-folded, quotes straightened, no trailing punctuation."""
    return line_forms(line)[0]


def line_forms(line: str) -> tuple[str, str]:
    """Return a line's rule key (see ``normalize_key``) and its case-folded form with quotes straightened."""
    lowered = straighten_quotes(line).casefold()
    return " ".join(lowered.split()).strip(TRAILING_PUNCT), lowered.strip()


def is_headline_like(line: str, max_words: int) -> bool:
    """Tell whether a line looks like a headline or a label: short and without a sentence end."""
    return not SENTENCE_END.search(line) and len(line.split()) <= max_words


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    phrases: frozenset = frozenset()
    prefixes: tuple = ()
    patterns: tuple = ()
    keywords: tuple = ()
    max_chars: int = 10_000
    min_hits: int = 1


@dataclass(frozen=True)
class Rules:
    line: tuple[Rule, ...]
    block: tuple[Rule, ...]
    paragraph: tuple[Rule, ...]
    any_paragraph_keyword: re.Pattern  # every keyword rule's words: a paragraph with none of them is let be


def _flatten(table: dict | list | None) -> list[str]:
    if table is None:
        return []
    if isinstance(table, list):
        return list(table)
    return [item for values in table.values() for item in values]


@lru_cache(maxsize=8)
def load_rules(path: str = "") -> Rules:
    """Load boilerplate rules from a TOML file (the bundled one by default)."""
    data = read_data_file(path or RULES_FILE)
    line, block, paragraph = [], [], []
    for spec in data.get("rule", []):
        kind, name = spec["kind"], spec["name"]
        phrases = [normalize_key(p) for p in _flatten(spec.get("phrases"))]
        common = {"name": name, "kind": kind, "max_chars": int(spec.get("max_chars", 10_000))}
        if kind == "line":
            line.append(Rule(phrases=frozenset(phrases), **common))
        elif kind == "prefix":
            raw = [straighten_quotes(p).casefold() for p in _flatten(spec.get("phrases"))]
            line.append(Rule(prefixes=tuple(raw), **common))
        elif kind == "regex":
            line.append(Rule(patterns=tuple(re.compile(p) for p in spec["patterns"]), **common))
        elif kind == "block":
            block.append(Rule(phrases=frozenset(phrases), **common))
        elif kind == "keywords":
            words = tuple(k.casefold() for k in _flatten(spec.get("keywords")))
            paragraph.append(Rule(keywords=words, min_hits=int(spec.get("min_hits", 2)), **common))
        else:
            raise ValueError(f"unknown rule kind {kind!r} in rule {name!r}")
    return Rules(tuple(line), tuple(block), tuple(paragraph),
                 compile_any(sorted({k for rule in paragraph for k in rule.keywords})))


def compile_any(words) -> re.Pattern:
    """Compile a pattern that finds whether a text holds any of the words (only whether: a word that another
    word starts with stands for both).

    The words are a trie, one branch per shared prefix: the regex engine tries an alternation of fifty literals
    branch by branch at every position of a text, a trie a letter at a time (half the time on news paragraphs).
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        if "" in node:
            return ""  # a word ends here: whatever follows, the text holds it
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return re.compile(pattern(trie) if words else "(?!)")


def match_line_rule(line: str, rules: Rules, forms: tuple[str, str] | None = None) -> str | None:
    """Return the name of the first line rule that marks ``line`` as boilerplate, or None.

    ``forms`` is ``line_forms(line)`` when the caller has it already.
    """
    key, lowered = forms or line_forms(line)
    for rule in rules.line:
        if len(line) > rule.max_chars:
            continue
        if rule.phrases and key in rule.phrases:
            return rule.name
        if rule.prefixes and lowered.startswith(rule.prefixes):
            return rule.name
        if rule.patterns and any(p.search(line) for p in rule.patterns):
            return rule.name
    return None


def match_paragraph_rule(paragraph: str, rules: Rules) -> str | None:
    """Return the name of the first keyword rule that marks a whole paragraph as boilerplate."""
    if all(len(paragraph) > rule.max_chars for rule in rules.paragraph):
        return None
    lowered = straighten_quotes(paragraph).casefold()
    if not rules.any_paragraph_keyword.search(lowered):
        return None  # one scan for all the rules: most paragraphs hold none of their words
    for rule in rules.paragraph:  # (a paragraph passes here once in fifty: each rule counts its words)
        if len(paragraph) <= rule.max_chars and sum(k in lowered for k in rule.keywords) >= max(1, rule.min_hits):
            return rule.name
    return None


def match_block_marker(line: str, rules: Rules, key: str | None = None) -> str | None:
    """Return the block rule whose marker ``line`` is, or None (``key``: its ``normalize_key`` if known)."""
    key = normalize_key(line) if key is None else key
    for rule in rules.block:
        if key in rule.phrases:
            return rule.name
    return None


@dataclass
class Line:
    """One body line during cleaning."""

    position: int
    paragraph: int
    text: str
    rule: str | None = None


def mark_rule_lines(paragraphs: list[list[str]], rules: Rules, config: CleanConfig) -> list[Line]:
    """Normalise the body and mark each line a rule calls boilerplate."""
    lines: list[Line] = []
    position = 0
    for p_index, paragraph in enumerate(paragraphs):
        texts = [t for t in (normalize_text(x) for x in paragraph) if t]
        current = [Line(position + i, p_index, t) for i, t in enumerate(texts)]
        position += len(paragraph)
        paragraph_rule = match_paragraph_rule(" ".join(texts), rules) if texts else None
        in_block = None
        for line in current:
            if paragraph_rule:
                line.rule = paragraph_rule
                continue
            forms = line_forms(line.text)
            marker = match_block_marker(line.text, rules, forms[0])
            if marker:
                line.rule, in_block = marker, marker
                continue
            if in_block and is_headline_like(line.text, config.headline_max_words):
                line.rule = in_block
                continue
            in_block = None
            line.rule = match_line_rule(line.text, rules, forms)
        lines.extend(current)
    return lines


def mark_context_lines(lines: list[Line], config: CleanConfig) -> None:
    """Mark short runs of headline-like lines that sit between boilerplate (or the body's edges) as boilerplate.

    A run is at most ``context_max_lines`` long and never most of the text: a body made of short lines (a
    schedule, a list) is content even when a boilerplate line follows it.
    """
    kept_chars = sum(len(line.text) for line in lines if not line.rule) or 1
    index = 0
    while index < len(lines):
        if lines[index].rule or not is_headline_like(lines[index].text, config.headline_max_words):
            index += 1
            continue
        end = index
        while end + 1 < len(lines) and not lines[end + 1].rule and is_headline_like(
                lines[end + 1].text, config.headline_max_words):
            end += 1
        before_bad = index == 0 or lines[index - 1].rule is not None
        after_bad = end == len(lines) - 1 or lines[end + 1].rule is not None
        # a body made only of short lines has no boilerplate neighbours to judge by
        touches_rule = (index > 0 and lines[index - 1].rule) or (end < len(lines) - 1 and lines[end + 1].rule)
        run_chars = sum(len(line.text) for line in lines[index:end + 1])
        small = end - index + 1 <= config.context_max_lines and run_chars < kept_chars / 2
        if before_bad and after_bad and touches_rule and small:
            for line in lines[index:end + 1]:
                line.rule = "context"
        index = end + 1


def hash_line(text: str) -> str:
    """Return the key under which a line's recurrence within a source is counted."""
    return hash_text(text, size=8)


def weighted_overlap(a: dict[str, int], b: dict[str, int], exclude: str) -> float:
    """Return the character-weighted Jaccard overlap of two articles' lines, leaving one line out."""
    shared = sum(n for h, n in a.items() if h in b and h != exclude)
    union = sum(n for h, n in a.items() if h != exclude) + sum(n for h, n in b.items() if h != exclude) - shared
    return shared / union if union else 1.0


def count_stories(line_sets: list[dict[str, int]], exclude: str, same_story: float, enough: int) -> int:
    """Count the distinct stories among articles, grouping those whose other lines mostly match."""
    representatives: list[dict[str, int]] = []
    for lines in line_sets:
        if not any(weighted_overlap(lines, rep, exclude) >= same_story for rep in representatives):
            representatives.append(lines)
            if len(representatives) >= enough:
                break
    return len(representatives)


@dataclass
class SourceHistory:
    """What the warehouse knows of one source's lines: articles (by id) holding each candidate line."""

    articles: dict[str, dict[str, int]] = field(default_factory=dict)  # article_id -> {line hash: length}
    holders: dict[str, list[str]] = field(default_factory=dict)  # line hash -> article ids
    kept: set[str] = field(default_factory=set)  # line hashes a user marked as content


def learn_source_boilerplate(batch: dict[str, dict[str, int]], history: SourceHistory,
                             config: CleanConfig) -> set[str]:
    """Return the line hashes that recur across enough different stories of one source."""
    holders: dict[str, list[str]] = {h: list(ids) for h, ids in history.holders.items()}
    for article_id, lines in batch.items():
        for h in lines:
            ids = holders.setdefault(h, [])
            if article_id not in ids:
                ids.append(article_id)
    line_sets = {**history.articles, **batch}
    learned = set()
    for h, ids in holders.items():
        if len(ids) < config.learn_min_stories or h in history.kept:
            continue
        sample = [line_sets[i] for i in sorted(ids)[: config.learn_sample] if i in line_sets]
        if not sample or sample[0].get(h, 0) > config.learn_max_chars:
            continue
        if count_stories(sample, h, config.learn_same_story, config.learn_min_stories) >= config.learn_min_stories:
            learned.add(h)
    return learned


HistoryFetcher = Callable[[dict[str, set[str]]], dict[str, SourceHistory]]


def merge_histories(first: dict[str, SourceHistory], second: dict[str, SourceHistory]) -> dict[str, SourceHistory]:
    """Combine two histories per source (e.g. the warehouse's and this run's earlier batches)."""
    merged = {}
    for source in set(first) | set(second):
        a, b = first.get(source, SourceHistory()), second.get(source, SourceHistory())
        holders = {h: list(ids) for h, ids in a.holders.items()}
        for h, ids in b.holders.items():
            holders[h] = list(dict.fromkeys(holders.get(h, []) + ids))
        merged[source] = SourceHistory({**a.articles, **b.articles}, holders, a.kept | b.kept)
    return merged


class RunHistory:
    """The short lines of a run's latest articles per source, for learning across batches; bounded in size.

    Per source it keeps the ``learn_run_articles`` most recent articles (older ones are forgotten with their
    lines), so memory follows the batch, not the corpus; the warehouse's history serves later runs. A plain
    class on purpose: Prefect walks dicts, lists and dataclasses passed to a task looking for futures.
    """

    def __init__(self) -> None:
        self.sources: dict[str, SourceHistory] = {}

    def select(self, lines: dict[str, set[str]]) -> dict[str, SourceHistory]:
        """Return the part of the history about these lines: their holders and those articles' lines."""
        selected = {}
        for source, hashes in lines.items():
            entry = self.sources.get(source)
            if entry is None:
                continue
            holders = {h: list(entry.holders[h]) for h in hashes if h in entry.holders}
            ids = {i for held in holders.values() for i in held}
            selected[source] = SourceHistory({i: entry.articles[i] for i in ids if i in entry.articles}, holders)
        return selected

    def remember(self, articles: list[Article], config: CleanConfig) -> None:
        """Add a cleaned batch's short lines; forget each source's oldest articles beyond the bound."""
        for article in articles:
            entry = self.sources.setdefault(site_key(article), SourceHistory())
            short = {h: n for h, n in article.line_hashes.items() if n <= config.learn_max_chars}
            article_id = article.article_id  # (a digest of the URL, made at each use)
            for h in short:
                ids = entry.holders.setdefault(h, [])
                if len(ids) < config.learn_sample and article_id not in ids:
                    ids.append(article_id)
            entry.articles.pop(article_id, None)
            entry.articles[article_id] = short  # dicts keep insertion order: oldest first
            while len(entry.articles) > config.learn_run_articles:
                self._forget(entry, next(iter(entry.articles)))

    @staticmethod
    def _forget(entry: SourceHistory, article_id: str) -> None:
        for h in entry.articles.pop(article_id):
            ids = entry.holders.get(h)
            if ids and article_id in ids:
                ids.remove(article_id)
                if not ids:
                    del entry.holders[h]


def site_key(article: Article) -> str:
    """Return the key boilerplate is learned under: the article's site (publisher), else its source."""
    return article.site or article.source


def mark_articles(articles: list[Article], config: CleanConfig) -> StageResult:
    """Normalise each article and mark the lines its own text shows to be boilerplate (rules, per document).

    The first half of cleaning: it needs no other article, so it runs where the documents are parsed;
    ``clean_articles`` then learns across the batch and finishes.
    """
    rules = load_rules(config.rules_file)
    for article in articles:
        article.title = fold(INVISIBLE.sub("", article.title))  # NFC, spaces; a CJK headline keeps its 　
        article.lines = mark_rule_lines(article.paragraphs, rules, config)
        article.line_hashes = {hash_line(line.text): len(line.text) for line in article.lines if line.rule is None}
    return StageResult(articles)


def clean_articles(articles: list[Article], config: CleanConfig,
                   fetch_history: HistoryFetcher | None = None) -> StageResult:
    """Strip boilerplate from a batch; learn each site's repeated lines with its history.

    A site's template repeats its lines wherever its pages come from (its feed, a crawl of 200 outlets), so
    learning is per site (``site_key``). Articles not yet marked by ``mark_articles`` are marked first.
    ``fetch_history`` receives the short lines of the batch per site and returns what is known of them (from the warehouse and earlier
    batches); without it only the batch itself is learned from.
    """
    mark_articles([a for a in articles if a.lines is None], config)
    by_source: dict[str, dict[str, dict[str, int]]] = {}
    for article in articles:
        by_source.setdefault(site_key(article), {})[article.article_id] = article.line_hashes
    wanted = {source: {h for lines in batch.values() for h, n in lines.items() if n <= config.learn_max_chars}
              for source, batch in by_source.items()}
    history = fetch_history(wanted) if fetch_history else {}
    learned = {source: learn_source_boilerplate(batch, history.get(source, SourceHistory()), config)
               for source, batch in by_source.items()}
    kept, rejects = [], []
    for article in articles:
        lines, article.lines = article.lines, None
        source_learned = learned[site_key(article)]
        if source_learned:
            for line in lines:
                if line.rule is None and hash_line(line.text) in source_learned:
                    line.rule = "learned"
        mark_context_lines(lines, config)
        article.removed = [RemovedLine(line.position, line.text, line.rule) for line in lines if line.rule]
        article.body = join_body(lines)
        if not article.body:
            rejects.append(Reject(article.source, article.location, "clean", "empty_text",
                                  f"no text left after removing {len(article.removed)} boilerplate line(s)"))
            continue
        kept.append(article)
    return StageResult(kept, rejects)


def join_body(lines: list[Line]) -> str:
    """Join the kept lines: lines of one paragraph with a space, paragraphs with one blank line."""
    paragraphs: dict[int, list[str]] = {}
    for line in lines:
        if line.rule is None:
            paragraphs.setdefault(line.paragraph, []).append(line.text)
    return "\n\n".join(" ".join(texts) for _, texts in sorted(paragraphs.items()))
