"""Extract an article's title, body and metadata from an HTML page (lxml in the hot path).

The body is found in three steps: remove what is never article text (scripts, navigation, elements whose
class or id names furniture), score containers by the paragraphs they hold (text length, commas, link
density), then walk the chosen container and its worthy siblings into paragraphs, dropping link lists.
Heuristics live in ``tasks/data/extraction.toml``.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from tasks.config import read_data_file
from tasks.dates import DateValue, choose_date, date_from_url, find_written_date, is_update_label, parse_date
from tasks.authors import read_authors
from tasks.headline import choose_headline, host_names, similarity
from tasks.markup import (TEXT_AFTER, PageIndex, find_meta, find_meta_all, index_page, is_article_type, link_density,
                          meta_tags, text_content, tokens_of)
from tasks.pagetype import classify_page

HEURISTICS_FILE = Path(__file__).parent / "data" / "extraction.toml"
COMMAS = re.compile(r"[,，、،]")
SENTENCE_END = re.compile(r"[.!?…:;。！？\"'”’»)\]]\s*$")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# React's streamed server rendering sends a page's later parts as <div hidden id="S:3">, which a script moves in
STREAMED_SEGMENT = re.compile(r"^S:\d+$")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True)
class Heuristics:
    drop: frozenset
    blocks: frozenset
    paragraphs: frozenset
    lead: frozenset
    negative: frozenset
    weak_negative: frozenset
    positive: frozenset
    layout: frozenset
    min_paragraph_chars: int
    article_paragraph_chars: int
    max_link_density: float
    short_block_chars: int
    keep_share: float
    sibling_ratio: float
    widen_ratio: float
    widen_max_link_density: float
    outweigh_ratio: float
    outweigh_min_score: float
    wrapper_slack: float
    lead_min_chars: int
    lead_max_blocks: int
    lead_max_chars: int


@lru_cache(maxsize=4)
def load_heuristics(path: str = "") -> Heuristics:
    """Load the extractor's tag lists, class tokens and thresholds."""
    data = read_data_file(path or HEURISTICS_FILE)
    tags, tokens, scoring = data["tags"], data["tokens"], data["scoring"]
    return Heuristics(frozenset(tags["drop"]), frozenset(tags["blocks"]), frozenset(tags["paragraphs"]),
                      frozenset(tokens["lead"]),
                      frozenset(tokens["negative"]), frozenset(tokens["weak_negative"]),
                      frozenset(tokens["positive"]), frozenset(tokens["layout"]), **scoring)


@dataclass
class Block:
    """A paragraph of the page: its text, how much of it is link text, and the element it came from."""

    text: str
    link_chars: int
    tag: str

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def normalize_markup(html: str, data: bytes = b"") -> str:
    """Rebuild markup as a browser would (HTML5 tree construction by lexbor) and serialise it again.

    libxml2's HTML parser predates HTML5: an end tag that a browser honours while an inner element is still
    open (``<button><div></button>``, ``<a><div></a>``) is ignored, and the rest of the page ends up inside
    that element (a header menu button holding the whole article, removed with it). The tree lexbor builds is
    the one readers see; lxml then parses its well-formed serialisation without re-nesting. ``data``: ``html``
    in UTF-8 when the caller has it (lexbor parses bytes; a str it encodes first).
    """
    tree = LexborHTMLParser(data or html)
    # what is never text nor metadata goes here, in C, before serialising (a third of a page's bytes, often)
    tree.strip_tags(["style", "svg", "template"])
    for script in tree.css('script:not([type="application/ld+json"])'):
        script.decompose()
    return tree.html or ""


def parse_document(html: str, data: bytes = b""):
    """Return (root, normalised markup): HTML rebuilt as an HTML5 tree, parsed by lxml (BeautifulSoup repairs what
    lxml still refuses); root is None when nothing parses (``data``: see normalize_markup)."""
    declared = XML_DECLARATION.match(html)
    if declared:
        html, data = html[declared.end():], b""
    if not html.strip():
        return None, ""
    html = normalize_markup(html, data)
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, recover=True)
    try:
        root = etree.fromstring(html, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or (root.find("body") is None and "<body" in html[:200_000].lower()):
        from bs4 import BeautifulSoup  # slower, but it takes markup lxml cannot

        try:
            root = etree.fromstring(str(BeautifulSoup(html, "html.parser")), parser=parser)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            return None, html
    return root, html


def drop_tree(element) -> None:
    """Remove an element and everything inside it, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def is_hidden(element) -> bool:
    """Tell whether an element is hidden from readers (hidden attribute, aria-hidden, inline style)."""
    if element.get("hidden") is not None and not STREAMED_SEGMENT.match(element.get("id") or ""):
        return True
    if element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and HIDDEN_STYLE.search(style))


WRAPPING_TAGS = ("aside", "nav", "footer", "menu", "dialog")


def unwrap_page_holders(root, rules: Heuristics) -> None:
    """Turn a dropped-by-tag element that holds the page's headline or <main> and most of its paragraphs into a <div>.

    An unclosed ``<aside class=announcement-banner>`` (or a ``<nav>`` a template never closes) holds the rest of
    the page in the tree a browser builds; removing it by its tag would remove the article with it. A footer full
    of disclaimers holds paragraphs too, but not the page's <h1> or <main>.
    """
    total = sum(1 for _ in root.iter("p"))
    if total < 3:
        return
    for element in list(root.iter(*WRAPPING_TAGS)):
        if (next(element.iter("h1", "main"), None) is not None
                and sum(1 for _ in element.iter("p")) >= max(3, rules.keep_share * total)):
            element.tag = "div"


class MeasuredUnits:
    """The paragraph units of a page measured while its furniture was removed, kept for scoring after it.

    Scoring walks the same units again; only those inside a removed element are gone, and only those around one
    changed their text (``changed``: the ancestors of removed elements). The rest are taken as measured.
    """

    def __init__(self):
        self.units: list = []  # (text, container, unit, whole, link density or None when not measured)
        self.gone: set = set()
        self.changed: set = set()

    def note_removed(self, element) -> None:
        """Record an element about to be removed: its subtree goes, its ancestors' text changes."""
        self.gone.update(element.iter())
        parent = element.getparent()
        while parent is not None and parent not in self.changed:
            self.changed.add(parent)
            parent = parent.getparent()

    def current(self, rules: "Heuristics"):
        """Yield the units as paragraph_units would on the page now, with their link density when still known."""
        for text, container, unit, whole, density in self.units:
            if unit in self.gone:
                continue
            if unit in self.changed:
                text, density = unit_text(unit, whole, rules), None
            yield text, container, unit, whole, density


def remove_furniture(root, rules: Heuristics, named: list, measured: MeasuredUnits) -> None:
    """Remove elements that are never article text: by tag, hidden, or named like furniture.

    The elements judged are the page's named or hidden ones (``named``: tasks/markup.py PageIndex.named, indexed
    before; elements removed since are passed over, as those removed here by tag are). ``measured`` receives the
    paragraph units measured here, for score_containers.
    """
    for element in list(root.iter("form")):
        if len(element.findall(".//p")) < 3:
            drop_tree(element)  # a form that holds paragraphs is a page builder's wrapper, not a form
    unwrap_page_holders(root, rules)
    etree.strip_elements(root, *(rules.drop - {"form"}), with_tail=False)
    paragraph_chars = measure_paragraph_text(root, rules, measured.units)
    total = max(paragraph_chars.get(root, 0), 1)
    live = set(root.iter())  # what is left of the page (named elements of the subtrees removed by tag are not)
    for element in named:
        if element not in live or element.tag in ("html", "body"):
            continue
        hidden = is_hidden(element)
        tokens = tokens_of(element)
        negative = tokens & rules.negative
        # "content-sidebar-wrap", "grid-toc-content-sidebar": a layout named after its columns, article included
        if negative and negative <= rules.layout and tokens & rules.positive:
            negative = frozenset()
        strong = hidden or bool(negative)
        weak = not strong and bool(tokens & (rules.weak_negative | rules.layout))
        if not (strong or weak) or paragraph_chars.get(element, 0) / total >= rules.keep_share:
            continue  # a wrapper named like furniture that holds the article (blog widgets, modals)
        if not _is_ancestor(root, element):
            continue  # already removed with an ancestor
        if not hidden and is_inline_in_sentence(element):
            continue  # a name linked to a topic page ("<a class=tag>Rafael Nadal</a> kept Spain's hopes alive")
        if weak and _holds_article_text(element, rules):
            continue
        measured.note_removed(element)
        drop_tree(element)


INLINE = frozenset({"a", "span", "strong", "em", "b", "i", "u", "abbr", "mark", "small", "sup", "sub", "time",
                    "cite", "q", "code", "font", "dfn", "var", "bdi", "bdo", "s", "del", "ins"})
TEXT_BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "figcaption"})


def is_inline_in_sentence(element) -> bool:
    """Tell whether an element is a few words of a sentence: inline, short, inside a paragraph with other text."""
    if element.tag not in INLINE:
        return False
    parent = element.getparent()
    if parent is None or parent.tag not in TEXT_BLOCKS and parent.tag not in INLINE:
        return False
    own = len(" ".join(text_content(element).split()))
    return own <= 80 and len(" ".join(text_content(parent).split())) >= own + 20


def paragraph_units(root, rules: Heuristics):
    """Yield (text, container, unit, whole) for every paragraph of text: paragraph elements and text written in
    containers; ``whole`` tells that the text is all of the unit's (a paragraph element's), not its own part."""
    for element in root.iter():
        tag = element.tag
        if tag in rules.paragraphs:
            yield unit_text(element, True, rules), element.getparent(), element, True
        elif tag in CONTAINERS:
            yield unit_text(element, False, rules), element, element, False


def unit_text(element, whole: bool, rules: Heuristics) -> str:
    """Return a paragraph unit's text: all of a paragraph element's (``whole``), a container's own."""
    return " ".join(text_content(element).split()) if whole else own_text(element, rules)


CONTAINERS = frozenset({"div", "section", "article", "span", "font", "center", "main"})


def measure_paragraph_text(root, rules: Heuristics, units: list) -> dict:
    """Return, per element, the characters of paragraph text (with few links) inside it; ``units`` receives each
    paragraph unit with its link density (see MeasuredUnits)."""
    found: dict = {}
    memo: dict = {}
    for text, container, unit, whole in paragraph_units(root, rules):
        density = unit_density(text, unit, whole, rules, memo)
        units.append((text, container, unit, whole, density))
        if density is not None and density <= 0.3:
            add_to_ancestors(found, container, len(text))
    return found


def unit_density(text: str, unit, whole: bool, rules: Heuristics, memo: dict) -> float | None:
    """Return a paragraph unit's link density, or None when its text is too short to count as a paragraph."""
    if len(text) < rules.min_paragraph_chars:
        return None
    return link_density(unit, memo, len(text) if whole else None)


def add_to_ancestors(counts: dict, element, chars: int) -> None:
    """Add a paragraph's characters to an element and to each of its ancestors."""
    while element is not None:
        counts[element] = counts.get(element, 0) + chars
        element = element.getparent()


def _holds_article_text(element, rules: Heuristics) -> bool:
    """Tell whether an element holds at least one long paragraph with few links."""
    for paragraph in element.iter("p", "div", "blockquote"):
        text = own_text(paragraph, rules)
        if len(text) >= rules.article_paragraph_chars and link_density(paragraph) < 0.3:
            return True
    return False


def own_text(element, rules: Heuristics) -> str:
    """Return the text an element holds itself: its text and inline children, not its block children."""
    text = element.text
    parts = [text] if text else []
    blocks = rules.blocks
    for child in element:
        tag = child.tag
        if tag not in blocks and isinstance(tag, str):
            parts.append(text_content(child))
        tail = child.tail
        if tail:
            parts.append(tail)
    return " ".join("".join(parts).split()) if parts else ""


def score_containers(root, rules: Heuristics, measured: MeasuredUnits, prose: dict, lengths: dict) -> dict:
    """Score elements by the paragraphs inside them (readability's method).

    ``measured``: the paragraph units remove_furniture measured; ``prose`` is filled as measure_paragraph_text
    would fill it on the page as it is now, in the same walk; ``lengths``: text lengths (link_density's memo).
    """
    scores: dict = {}

    def base_score(element) -> float:
        tag = element.tag
        score = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
                 "ol": -3, "ul": -3, "li": -3, "dl": -3, "form": -3, "th": -5}.get(tag, 0)
        tokens = tokens_of(element)
        if tokens & rules.positive:
            score += 25
        return score

    for text, ancestor, unit, whole, density in measured.current(rules):
        if len(text) < rules.min_paragraph_chars:
            continue
        if (unit_density(text, unit, whole, rules, lengths) if density is None else density) <= 0.3:
            add_to_ancestors(prose, ancestor, len(text))
        points = 1 + len(COMMAS.findall(text)) + min(len(text) // 100, 3)
        level = 0
        while ancestor is not None and level < 3:
            if ancestor not in scores:
                scores[ancestor] = base_score(ancestor)
            scores[ancestor] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            ancestor, level = ancestor.getparent(), level + 1
    for element in scores:
        scores[element] *= 1 - link_density(element, lengths)
    return scores


def choose_content(root, rules: Heuristics, measured: MeasuredUnits) -> list:
    """Return the elements that hold the article: the best container and its worthy siblings (``measured``: the
    paragraph units remove_furniture kept)."""
    prose: dict = {}
    lengths: dict = {}  # text lengths of elements and links, measured once: the tree does not change from here
    scores = score_containers(root, rules, measured, prose, lengths)
    if not scores:
        body = root.find("body")
        return [body if body is not None else root]
    ranked = sorted(scores, key=scores.get, reverse=True)
    best = ranked[0]
    # when several of the top candidates share an ancestor, the article spans them
    top = [e for e in ranked[:5] if scores[e] >= scores[best] * 0.75]
    if len(top) >= 3:
        common = best.getparent()
        while common is not None and not all(_is_ancestor(common, e) for e in top):
            common = common.getparent()
        if common is not None and common.tag not in ("html", "body"):
            best = common
    best = widen_to_prose(prefer_richer(best, ranked[:10], scores, prose, rules), prose, rules, lengths)
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, scores.get(best, 0) * rules.sibling_ratio)
    chosen = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best or scores.get(sibling, -1) >= threshold or _is_good_paragraph(sibling, lengths):
            chosen.append(sibling)
    return chosen + _same_kind_elsewhere(root, best, chosen, scores)


def prefer_richer(best, candidates: list, scores: dict, prose: dict, rules: Heuristics):
    """Return the best container, or a close runner-up elsewhere on the page that holds several times its prose.

    The bonus for a content-like class name (``wysiwyg``, ``entry``) lets a standfirst or summary box that shares
    the body's class outscore the body itself when the body is split into many short sections; a candidate with
    ``outweigh_ratio`` times the prose that scores ``outweigh_min_score`` of the best is the article.
    """
    floor = rules.outweigh_ratio * max(prose.get(best, 0), 1)
    # the common ancestor of several top candidates (too far above their paragraphs to be scored) stands for them
    reference = scores.get(best, max(scores[c] for c in candidates))
    richer = [c for c in candidates if prose.get(c, 0) >= floor and scores[c] >= rules.outweigh_min_score * reference
              and not _is_ancestor(c, best) and not _is_ancestor(best, c)]
    return max(richer, key=lambda c: prose.get(c, 0)) if richer else best


CARD_TITLE = etree.XPath("(.//h2|.//h3|.//h4|.//h5)[.//a or ancestor::a]")


def is_card_list(element) -> bool:
    """Tell whether an element is a list of teaser cards: three or more look-alike children, each titled by a link."""
    kinds: dict = {}
    for child in element:
        if isinstance(child.tag, str) and (CARD_TITLE(child) or _starts_with_link(child)):
            kind = (child.tag, child.get("class") or "")
            kinds[kind] = kinds.get(kind, 0) + 1
    return max(kinds.values(), default=0) >= 3


def _starts_with_link(element) -> bool:
    """Tell whether an element's first words are a link's (a teaser's linked title)."""
    for text in element.xpath(".//text()[normalize-space()]")[:1]:
        node = text.getparent() if not text.is_tail else text.getparent().getparent()
        while node is not None and node is not element.getparent():  # inside the card, not around the list
            if node.tag == "a":
                return True
            node = node.getparent()
    return False


def card_prose(element, prose: dict) -> int:
    """Return the prose held inside lists of look-alike cards within an element (teaser rails, post grids)."""
    total, stack = 0, [element]
    while stack:
        current = stack.pop()
        if is_card_list(current):
            total += prose.get(current, 0)
        else:
            stack.extend(child for child in current if isinstance(child.tag, str) and prose.get(child, 0))
    return total


def adds_mostly_cards(parent, child, prose: dict) -> bool:
    """Tell whether what a parent adds to its child's prose is mostly teaser cards (a related-posts list)."""
    added = prose.get(parent, 0) - prose.get(child, 0)
    return sum(card_prose(other, prose) for other in parent if other is not child and isinstance(other.tag, str)) \
        > added / 2


def widen_to_prose(best, prose: dict, rules: Heuristics, lengths: dict):
    """Return the best container, or the ancestor that holds several times its prose (recall pass).

    Readability's scoring favours the densest block; on pages where the article is split into sections, cards or
    page-builder rows, that block is one part of it (a summary box, one section). An ancestor that holds
    ``widen_ratio`` times the chosen block's prose paragraphs, with few links, holds the rest of the article.
    ``lengths``: text lengths (link_density's memo).
    """
    current = node = best
    while True:
        parent = node.getparent()
        if (parent is None or parent.tag in ("html", "body")
                or link_density(parent, lengths) > rules.widen_max_link_density):
            return current
        held = prose.get(parent, 0)
        if held >= rules.widen_ratio * max(prose.get(current, 0), 1):
            if adds_mostly_cards(parent, node, prose):
                return current
            current = parent
        elif held > prose.get(current, 0) * (1 + rules.wrapper_slack) or parent.tag in ("article", "main"):
            return current
        node = parent  # a wrapper that adds no prose is looked through, up to the page's article or main


def _is_lead_named(element, rules: Heuristics) -> bool:
    """Tell whether an element or its parent is named like a lead (standfirst, dek, intro, summary, subtitle)."""
    parent = element.getparent()
    return bool((tokens_of(element) | (tokens_of(parent) if parent is not None else set())) & rules.lead)


def _overlap(text: str, other: str) -> float:
    """Return the share of ``text``'s words that ``other`` holds."""
    words, others = text.casefold().split(), set(other.casefold().split())
    return sum(w in others for w in words) / len(words) if words else 0.0


def _following(element):
    """Yield the elements after an element in document order (not its descendants)."""
    while element is not None:
        for sibling in element.itersiblings():
            yield from sibling.iter(tag=etree.Element)
        element = element.getparent()


def find_lead(root, title: str, rules: Heuristics, description: str = "") -> list:
    """Return the lead (standfirst, dek, intro) written between the headline and the body, if any.

    Templates put the standfirst beside the headline, in a header or hero block apart from the body's container,
    so scoring never picks it, and its class ("teaser") may even name it furniture; so it is found before
    furniture is removed. After the headline's <h1>, in document order, prose (a sentence of some length, few
    links) that is named like a lead or says what the page's description says is the lead; the first prose
    paragraph not named so is the body's start and ends the search.
    """
    folded = " ".join(title.split()).casefold()
    h1s = list(root.iter("h1"))
    h1 = next((h for h in h1s if " ".join(text_content(h).split()).casefold() == folded), h1s[0] if h1s else None)
    if h1 is None:
        return []
    lead, chars = [], 0
    for element in _following(h1):
        if element.tag not in ("p", "div", "span", "section", "h2", "h3", "h4"):
            continue
        text = own_text(element, rules)
        if len(text) < rules.lead_min_chars or not SENTENCE_END.search(text):
            continue
        named = _is_lead_named(element, rules) or bool(description and _overlap(text, description) >= 0.8)
        if not named or link_density(element) > 0.2:
            break  # the body (or something that is not a lead) starts here
        if any(_is_ancestor(e, element) for e in lead) or any(own_text(e, rules) == text for e in lead):
            continue
        if (tokens_of(element) | tokens_of(element.getparent())) & rules.negative - rules.lead:
            continue  # a caption or a promotion that repeats the description
        lead.append(element)
        chars += len(text)
        if len(lead) > rules.lead_max_blocks or chars > rules.lead_max_chars:
            return []  # a whole block of text: not a lead
    return lead


def _same_kind_elsewhere(root, best, chosen: list, scores: dict) -> list:
    """Return other scored elements built like the best one (same tag and class): bodies split by ads."""
    kind = best.get("class")
    if not kind:
        return []
    found = []
    for element in root.iter(best.tag):
        if element.get("class") != kind or scores.get(element, 0) <= 0:
            continue
        if any(_is_ancestor(c, element) or _is_ancestor(element, c) for c in chosen + found):
            continue
        found.append(element)
    return found


def _is_ancestor(ancestor, element) -> bool:
    while element is not None:
        if element is ancestor:
            return True
        element = element.getparent()
    return False


def _is_good_paragraph(element, lengths: dict) -> bool:
    if element.tag != "p":
        return False
    text = " ".join(text_content(element).split())
    density = link_density(element, lengths, len(text))
    if len(text) > 80:
        return density < 0.25
    return bool(text) and density == 0 and bool(SENTENCE_END.search(text))


def collect_blocks(elements: list, rules: Heuristics) -> list[Block]:
    """Walk elements into paragraphs in document order, counting link text per paragraph."""
    blocks: list[Block] = []
    parts: list[str] = []
    state = {"links": 0, "depth": 0, "tag": "p"}
    open_blocks: list[str] = []  # the block elements the walk is inside: text after an </h2> is its parent's

    def flush(tag: str) -> None:
        text = " ".join("".join(parts).split())
        if text:
            blocks.append(Block(text, state["links"], state["tag"]))
        parts.clear()
        state["links"], state["tag"] = 0, tag

    def add(text: str | None) -> None:
        if text:
            parts.append(text)
            if state["depth"]:
                state["links"] += len(" ".join(text.split()))

    for root in elements:
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if tag in rules.blocks:
                    flush(tag)
                    open_blocks.append(tag)
                if tag == "a":
                    state["depth"] += 1
                add(element.text)
            else:
                if tag == "a":
                    state["depth"] -= 1
                if tag in rules.blocks:
                    open_blocks.pop()
                    flush(open_blocks[-1] if open_blocks else "p")
                if element is not root:
                    add(element.tail)
        flush("p")
    return blocks


def is_dateline(text: str) -> bool:
    """Tell whether a short block is only a date or time."""
    return len(text) <= 40 and any(ch.isdigit() for ch in text) and parse_date(text) is not None


def keep_blocks(blocks: list[Block], title: str, rules: Heuristics) -> list[str]:
    """Drop link lists with their headings, the repeated title, and headings without text after them."""
    kept = []
    folded_title = " ".join(title.split()).casefold()
    for index, block in enumerate(blocks):
        if block.tag == "h1" or block.text.casefold() == folded_title:
            continue
        if block.link_density > rules.max_link_density:
            continue
        if is_dateline(block.text):
            continue  # "15.03.2024", "March 3, 2025 · 10:42": the date, read as metadata
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (following is not None and following.link_density > rules.max_link_density
                and len(block.text) < rules.short_block_chars and not SENTENCE_END.search(block.text)):
            continue  # the heading of a list of links ("Most read", "Related")
        kept.append(block)
    while kept and kept[-1].tag in ("h2", "h3", "h4", "h5", "h6"):
        kept.pop()  # a heading that closes the body introduces something that was removed
    return [block.text for block in kept]


# ---------------------------------------------------------------- metadata

def read_json_ld_items(root) -> list[dict]:
    """Return every JSON-LD object of a page (graphs and lists flattened), in page order."""
    items = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                items.append(item)
                if isinstance(item.get("@graph"), list):
                    stack[:0] = item["@graph"]
                elif isinstance(item.get("mainEntity"), dict):
                    stack.insert(0, item["mainEntity"])
    return items


# meta tags (name, property or itemprop, lower case) that carry the publication time, most trusted first
PUBLISHED_META = ("article:published_time", "datepublished", "og:published_time", "article:published",
                  "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date", "publish_date",
                  "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc.date.created",
                  "dcterms.created", "citation_publication_date", "citation_date", "date", "release_date",
                  "originalpublicationdate", "article.published", "datecreated", "published", "publication_date",
                  "publication-date", "date_published", "published_date")
PUBLISHED_NAMES = frozenset(PUBLISHED_META)
MODIFIED_META = ("article:modified_time", "datemodified", "og:updated_time", "dc.date.modified", "dcterms.modified",
                 "last-modified")


def normalize_date(value) -> str | None:
    """Return an ISO 8601 timestamp (offset kept when given) from any date format parse_date reads, or None."""
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def gather_dates(root, ld_items: list[dict], metas: list[tuple[str, str]], url: str | None,
                 index: PageIndex) -> list[DateValue]:
    """Return every publication-time candidate of a page that parses, tagged with its source (``index``: the
    page's, tasks/markup.py index_page)."""
    found = []
    for item in ld_items:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            found.append(parse_date(item.get(key), "jsonld"))
    published = [(name, content) for name, content in metas if name in PUBLISHED_NAMES]  # most pages: one or none
    found += [parse_date(v, "meta") for name in PUBLISHED_META for v in find_meta_all(published, name)]
    for element in index.named:
        if element.get("itemprop") not in ("datePublished", "dateCreated") or element.tag == "meta":
            continue
        found.append(parse_date(element.get("datetime") or element.get("content") or text_content(element),
                                "itemprop"))
    times = [t for t in root.iter("time") if t.get("datetime")]
    marked = [t for t in times if t.get("pubdate") is not None or "publish" in (t.get("class") or "").lower()]
    found += [parse_date(t.get("datetime"), "time") for t in (marked or times[:1])]
    found.append(date_from_url(url))
    return [f for f in found if f is not None]


# elements whose class names a dateline ("post-date", "entry-meta", "published", "article__time")
DATELINES = etree.XPath("//*[@class][" + " or ".join(f"contains(@class, '{w}')" for w in (
    "date", "Date", "time", "Time", "posted", "publish", "Publish", "updated", "meta")) + "]")


def find_dateline(root) -> DateValue | None:
    """Return the first date written in an element named like a dateline ("Updated August 14, 2025").

    A class that three or more elements share dates the items of a list (a related-posts rail, an archive), not
    the article.
    """
    elements = [e for e in DATELINES(root) if e.tag not in ("script", "style", "meta", "html", "body")]
    repeated = {name for name, count in Counter(e.get("class") for e in elements).items() if count >= 3}
    for element in elements:
        if element.get("class") in repeated:
            continue
        for piece in element.itertext():
            value = read_byline_date(" ".join(piece.split()))
            if value:
                return value
    return None

# the text nodes nearest before a heading (a predicate on a reverse axis counts back from it; TEXT_AFTER: markup.py)
TEXT_BEFORE = etree.XPath("preceding::text()[normalize-space()][position() <= 8]")
NEAR_HEADLINE_CHARS = 1200  # a date further into the text than this is the body's, not the byline's


def find_headline_date(root, title: str) -> DateValue | None:
    """Return the date written beside the headline: the byline or kicker line a reader sees with it.

    Blogs and page builders print "April 8, 2024" in a bare <span> or <p> under the <h1>, with no class or
    markup that names it a date.
    """
    heading = next((h for h in root.iter("h1") if similarity(text_content(h), title) >= 0.5), None)
    if heading is None:
        return None
    update = None
    after, before = list(TEXT_AFTER(heading)), list(TEXT_BEFORE(heading))  # both in document order
    for pieces, order in ((after, range(len(after))), (before, range(len(before) - 1, -1, -1))):
        seen = 0
        for i in order:
            text = " ".join(str(pieces[i]).split())
            seen += len(text)
            if seen > NEAR_HEADLINE_CHARS:
                break
            value = read_byline_date(text)
            if value is None:
                continue
            # the label may be the text itself or the one before it ("<span>Updated:</span> <span>Jan 2")
            if not is_update_label(text + " " + (str(pieces[i - 1]) if i else "")):
                return value
            update = update or value
    return update


def read_byline_date(text: str) -> DateValue | None:
    """Return the date a short byline text tells ("By Ann Lee | April 8, 2024 ・ 3 min read"), if any."""
    if not 6 <= len(text) <= 100 or not any(ch.isdigit() for ch in text):
        return None
    value = find_written_date(text, "text")
    return value if value and value.moment.year >= 2000 else None


def find_text_date(root, url: str | None, markup: str = "", title: str = "") -> DateValue | None:
    """Return the publication day the visible page tells: beside the headline, in a dateline element, else
    htmldate's search (fast mode)."""
    value = find_headline_date(root, title) or find_dateline(root)
    if value is None:
        from htmldate import find_date  # imported on first need: dateparser is slow to import

        try:
            found = find_date(markup or etree.tostring(root, encoding="unicode"), url=url, original_date=True,
                              extensive_search=False)
        except Exception:  # a third-party parser must not cost the page
            return None
        value = parse_date(found, "text") if found else None
    if value and (value.moment.month, value.moment.day) == (1, 1):
        return None  # a bare year ("© 2023") read as January 1st: a guess, not a date
    url_day = date_from_url(url)
    if value and url_day and value.day == url_day.day:
        return url_day
    return value


def _text(value) -> str | None:
    """Return a JSON-LD value as text when it is one (a string, or the first string of a list), unescaped."""
    if isinstance(value, list):
        value = value[0] if value else None
    return html_lib.unescape(value) if isinstance(value, str) else None


def _keywords(value) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [k for item in value for k in _keywords(item)]
    return []


def _first_url(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return _first_url(value.get("url"))
    if isinstance(value, list) and value:
        return _first_url(value[0])
    return None


def unique(values: list[str]) -> list[str]:
    """Keep the first of values that are equal ignoring case."""
    seen, out = set(), []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


HEADING_WORDS = etree.XPath(".//text()[not(ancestor::time)]", smart_strings=False)


def heading_text(heading) -> str:
    """Return a heading's text, a line break read as a space ("WEEKEND<br>CODING<br>AGENT"), without the date a
    theme prints inside it in a <time> element ("<h1><a><time>Dec 18 2025</time> Preparing a transition</a>")."""
    for br in heading.iter("br"):
        br.tail = " " + (br.tail or "")
    words = "".join(HEADING_WORDS(heading))
    return words if words.strip() else text_content(heading)


def read_metadata(root, index: PageIndex, url: str | None = None, markup: str = "") -> dict:
    """Read what the page declares: JSON-LD, OpenGraph and meta tags, <time>, canonical link, lang.

    ``index`` is the page's (tasks/markup.py index_page); ``markup`` its normalised HTML when the caller has it
    (htmldate reads text, not our tree).
    """
    ld_items = read_json_ld_items(root)
    ld = next((item for item in ld_items if is_article_type(item)), {})
    metas = meta_tags(root)
    publisher = ld.get("publisher")
    publisher_name = publisher.get("name") if isinstance(publisher, dict) else None
    site_name = find_meta(metas, "og:site_name", "application-name") or publisher_name
    canonical = next((l.get("href") for l in root.iter("link") if (l.get("rel") or "").lower() == "canonical"),
                     None) or find_meta(metas, "og:url")
    h1s = [heading_text(h) for h in root.iter("h1")]
    title_tag = html_lib.unescape(next((text_content(t) for t in root.iter("title")), ""))
    meta_titles = [t for t in (_text(ld.get("headline")), find_meta(metas, "og:title"), find_meta(metas, "twitter:title"),
                               title_tag) if t]
    site_names = [n for n in (site_name, publisher_name) if n]
    authors, organisations = read_authors(root, ld, ld_items, metas, site_names + sorted(host_names(url)), index)
    tags = find_meta_all(metas, "article:tag") or _keywords(ld.get("keywords")) or [
        k for v in find_meta_all(metas, "news_keywords", "parsely-tags", "keywords") for k in _keywords(v)]
    section = ld.get("articleSection")
    meta = {
        "title": choose_headline(h1s, meta_titles, site_names, url),
        "site_name": site_name,
        "description": find_meta(metas, "og:description", "description", "twitter:description")
        or ld.get("description"),
        "authors": authors,
        "organisation": organisations[0] if organisations else None,
        "modified_at": next(filter(None, (normalize_date(v) for v in [ld.get("dateModified")] + [
            v for name in MODIFIED_META for v in find_meta_all(metas, name)])), None),
        "section": find_meta(metas, "article:section", "parsely-section")
        or (section[0] if isinstance(section, list) and section else section),
        "tags": unique(tags),
        "image_url": find_meta(metas, "og:image", "twitter:image") or _first_url(ld.get("image")),
        "declared_language": root.get("lang") or find_meta(metas, "og:locale", "content-language", "language"),
        "canonical_url": canonical,
    }
    candidates = gather_dates(root, [ld] + [i for i in ld_items if i is not ld], metas, url, index)
    if not any(c.source != "url" for c in candidates):
        candidates.append(find_text_date(root, url, markup, meta["title"]))
    meta["page_type"], meta["not_article_reason"] = classify_page(root, ld_items, find_meta(metas, "og:type"), url)
    published = choose_date([c for c in candidates if c is not None])
    if published:
        meta.update(published_at=published.isoformat(), published_at_source=published.source,
                    published_at_precision=published.precision)
    return {k: v for k, v in meta.items() if v}


def extract_article(html: str, rules: Heuristics | None = None, url: str | None = None,
                    data: bytes = b"") -> tuple[dict, list[str]] | None:
    """Return (metadata, body paragraphs) of an HTML page, or None when it cannot be parsed (``data``: the page's
    UTF-8 bytes, when the caller has them)."""
    rules = rules or load_heuristics()
    root, markup = parse_document(html, data)
    if root is None:
        return None
    index = index_page(root)
    meta = read_metadata(root, index, url, markup)
    leads = find_lead(root, meta.get("title", ""), rules, meta.get("description") or "")
    measured = MeasuredUnits()
    remove_furniture(root, rules, index.named, measured)
    chosen = choose_content(root, rules, measured)
    # a lead the body holds already is not repeated; one removed as furniture ("teaser") is still the lead
    leads = [lead for lead in leads if not any(_is_ancestor(c, lead) for c in chosen)]
    blocks = collect_blocks(leads + chosen, rules)
    return meta, keep_blocks(blocks, meta.get("title", ""), rules)
