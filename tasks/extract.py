"""Extract an article's title, body and metadata from an HTML page (lxml in the hot path).

The body is found in three steps: remove what is never article text (scripts, navigation, elements whose
class or id names furniture), score containers by the paragraphs they hold (text length, commas, link
density), then walk the chosen container and its worthy siblings into paragraphs, dropping link lists.
Heuristics live in ``tasks/data/extraction.toml``.
"""
from __future__ import annotations

import email.utils
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

HEURISTICS_FILE = Path(__file__).parent / "data" / "extraction.toml"
TOKEN_SPLIT = re.compile(r"[^0-9A-Za-z\u00C0-\uFFFF]+|(?<=[a-z])(?=[A-Z])")
COMMAS = re.compile(r"[,，、،]")
SENTENCE_END = re.compile(r"[.!?…:;。！？\"'”’»)\]]\s*$")
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
ARTICLE_TYPES = ("Article", "BlogPosting", "Posting", "Report", "LiveBlogPosting")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Plain lxml elements (no lxml.html element classes, whose lookup runs Python code per element proxy): the two
# methods used from them are one XPath call and a few lines here.
text_content = etree.XPath("string()", smart_strings=False)
ITEMPROP_AUTHORS = etree.XPath('//*[@itemprop="author"][not(*)]')
NAMED = etree.XPath("//*[@class or @id or @role or @itemprop]")  # elements tokens_of may find tokens in


@dataclass(frozen=True)
class Heuristics:
    drop: frozenset
    blocks: frozenset
    paragraphs: frozenset
    negative: frozenset
    weak_negative: frozenset
    positive: frozenset
    min_paragraph_chars: int
    article_paragraph_chars: int
    max_link_density: float
    short_block_chars: int
    keep_share: float
    sibling_ratio: float


@lru_cache(maxsize=4)
def load_heuristics(path: str = "") -> Heuristics:
    """Load the extractor's tag lists, class tokens and thresholds."""
    with open(path or HEURISTICS_FILE, "rb") as handle:
        data = tomllib.load(handle)
    tags, tokens, scoring = data["tags"], data["tokens"], data["scoring"]
    return Heuristics(frozenset(tags["drop"]), frozenset(tags["blocks"]), frozenset(tags["paragraphs"]),
                      frozenset(tokens["negative"]), frozenset(tokens["weak_negative"]),
                      frozenset(tokens["positive"]), **scoring)


@dataclass
class Block:
    """A paragraph of the page: its text, how much of it is link text, and the element it came from."""

    text: str
    link_chars: int
    tag: str

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def parse_document(html: str):
    """Parse HTML with lxml; when lxml gives up, BeautifulSoup's own parser repairs the markup first."""
    html = XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
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
            return None
    return root


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


def tokens_of(element) -> set[str]:
    """Return the lower-case tokens of an element's class, id, role and itemprop."""
    found = set()
    for attribute in ("class", "id", "role", "itemprop"):
        value = element.get(attribute)
        if value:
            found.update(t.lower() for t in TOKEN_SPLIT.split(value) if t)
    return found


def text_length(element) -> int:
    """Return the length of an element's text with white space collapsed."""
    return len(" ".join(text_content(element).split()))


def is_hidden(element) -> bool:
    """Tell whether an element is hidden from readers (hidden attribute, aria-hidden, inline style)."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and HIDDEN_STYLE.search(style))


def remove_furniture(root, rules: Heuristics) -> None:
    """Remove elements that are never article text: by tag, hidden, or named like furniture."""
    for element in list(root.iter(*rules.drop)):
        if element.tag == "form" and len(element.findall(".//p")) >= 3:
            continue
        drop_tree(element)
    paragraph_chars = measure_paragraph_text(root, rules)
    total = max(paragraph_chars.get(root, 0), 1)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        if not _is_ancestor(root, element):
            continue  # already removed with an ancestor
        tokens = tokens_of(element)
        strong = is_hidden(element) or bool(tokens & rules.negative)
        weak = not strong and bool(tokens & rules.weak_negative)
        if not (strong or weak) or paragraph_chars.get(element, 0) / total >= rules.keep_share:
            continue  # a wrapper named like furniture that holds the article (blog widgets, modals)
        if weak and _holds_article_text(element, rules):
            continue
        drop_tree(element)


def paragraph_units(root, rules: Heuristics):
    """Yield (text, container) for every paragraph of text: paragraph elements and text written in containers."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in rules.paragraphs:
            yield " ".join(text_content(element).split()), element.getparent(), element
        elif element.tag in ("div", "section", "article", "span", "font", "center", "main"):
            yield own_text(element, rules), element, element


def measure_paragraph_text(root, rules: Heuristics) -> dict:
    """Return, per element, the characters of paragraph text (with few links) inside it."""
    found: dict = {}
    for text, container, unit in paragraph_units(root, rules):
        if len(text) < rules.min_paragraph_chars or link_density(unit) > 0.3:
            continue
        ancestor = container
        while ancestor is not None:
            found[ancestor] = found.get(ancestor, 0) + len(text)
            ancestor = ancestor.getparent()
    return found


def _holds_article_text(element, rules: Heuristics) -> bool:
    """Tell whether an element holds at least one long paragraph with few links."""
    for paragraph in element.iter("p", "div", "blockquote"):
        text = own_text(paragraph, rules)
        if len(text) >= rules.article_paragraph_chars and link_density(paragraph) < 0.3:
            return True
    return False


def own_text(element, rules: Heuristics) -> str:
    """Return the text an element holds itself: its text and inline children, not its block children."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in rules.blocks:
            parts.append(text_content(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def score_containers(root, rules: Heuristics) -> dict:
    """Score elements by the paragraphs inside them (readability's method)."""
    scores: dict = {}

    def base_score(element) -> float:
        tag = element.tag
        score = {"div": 5, "article": 10, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
                 "ol": -3, "ul": -3, "li": -3, "dl": -3, "form": -3, "th": -5}.get(tag, 0)
        tokens = tokens_of(element)
        if tokens & rules.positive:
            score += 25
        return score

    for text, ancestor, _ in paragraph_units(root, rules):
        if len(text) < rules.min_paragraph_chars:
            continue
        points = 1 + len(COMMAS.findall(text)) + min(len(text) // 100, 3)
        level = 0
        while ancestor is not None and level < 3:
            if ancestor not in scores:
                scores[ancestor] = base_score(ancestor)
            scores[ancestor] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
            ancestor, level = ancestor.getparent(), level + 1
    for element in scores:
        scores[element] *= 1 - link_density(element)
    return scores


def link_density(element) -> float:
    """Return the share of an element's text that sits in links."""
    total = text_length(element)
    if not total:
        return 0.0
    links = sum(text_length(a) for a in element.iter("a"))
    return min(1.0, links / total)


def choose_content(root, rules: Heuristics) -> list:
    """Return the elements that hold the article: the best container and its worthy siblings."""
    scores = score_containers(root, rules)
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
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, scores.get(best, 0) * rules.sibling_ratio)
    chosen = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best or scores.get(sibling, -1) >= threshold or _is_good_paragraph(sibling, rules):
            chosen.append(sibling)
    return chosen + _same_kind_elsewhere(root, best, chosen, scores)


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


def _is_good_paragraph(element, rules: Heuristics) -> bool:
    if element.tag != "p":
        return False
    text = " ".join(text_content(element).split())
    density = link_density(element)
    if len(text) > 80:
        return density < 0.25
    return bool(text) and density == 0 and bool(SENTENCE_END.search(text))


def collect_blocks(elements: list, rules: Heuristics) -> list[Block]:
    """Walk elements into paragraphs in document order, counting link text per paragraph."""
    blocks: list[Block] = []
    parts: list[str] = []
    state = {"links": 0, "depth": 0, "tag": "p"}

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
                if tag == "a":
                    state["depth"] += 1
                add(element.text)
            else:
                if tag == "a":
                    state["depth"] -= 1
                if tag in rules.blocks:
                    flush(state["tag"])
                if element is not root:
                    add(element.tail)
        flush("p")
    return blocks


def keep_blocks(blocks: list[Block], title: str, rules: Heuristics) -> list[str]:
    """Drop link lists with their headings, the repeated title, and headings without text after them."""
    kept = []
    folded_title = " ".join(title.split()).casefold()
    for index, block in enumerate(blocks):
        if block.tag == "h1" or block.text.casefold() == folded_title:
            continue
        if block.link_density > rules.max_link_density:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (following is not None and following.link_density > rules.max_link_density
                and len(block.text) < rules.short_block_chars and not SENTENCE_END.search(block.text)):
            continue  # the heading of a list of links ("Most read", "Related")
        kept.append(block)
    while kept and kept[-1].tag in ("h2", "h3", "h4", "h5", "h6"):
        kept.pop()  # a heading that closes the body introduces something that was removed
    return [block.text for block in kept]


# ---------------------------------------------------------------- metadata

def read_json_ld(root) -> dict:
    """Return the first JSON-LD object describing an article, or an empty dict."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(k and str(k).endswith(ARTICLE_TYPES) for k in kinds):
                    return item
                stack.extend(v for k, v in item.items() if k == "@graph")
    return {}


def meta_tags(root) -> list[tuple[str, str]]:
    """Return (property, name or itemprop in lower case; content) of the page's meta tags that have content."""
    found = []
    for meta in root.iter("meta"):
        content = (meta.get("content") or "").strip()
        if content:
            found.append(((meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower(), content))
    return found


def find_meta_all(metas: list[tuple[str, str]], *names: str) -> list[str]:
    """Return the contents of every meta tag named one of ``names`` (see meta_tags), in page order."""
    wanted = {n.lower() for n in names}
    return [content for name, content in metas if name in wanted]


def find_meta(metas: list[tuple[str, str]], *names: str) -> str | None:
    """Return the content of the first meta tag (in the order of ``names``) that is present."""
    for name in names:
        found = find_meta_all(metas, name)
        if found:
            return found[0]
    return None


URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")
BYLINE_PREFIX = re.compile(r"^(by|von|par|por|di|автор|автор:)\s+", re.IGNORECASE)
NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bі\b)\s*", re.IGNORECASE)


def normalize_date(value) -> str | None:
    """Return an ISO 8601 timestamp (offset kept when given) from ISO or RFC 2822 text, or None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def date_from_url(url: str | None) -> str | None:
    """Return the date a URL path carries (/2024/05/12/), if any."""
    match = URL_DATE.search(url or "")
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def split_names(value: str) -> list[str]:
    """Split a byline or author field into names ("By A and B" -> [A, B]); URLs are not names."""
    value = BYLINE_PREFIX.sub("", " ".join(value.split()))
    if value.startswith(("http://", "https://")):
        return []
    return [name.strip(" .") for name in NAME_SPLIT.split(value) if name.strip(" .") and len(name) < 80]


def _names(value) -> list[str]:
    if isinstance(value, str):
        return split_names(value)
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


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


def is_byline(element) -> bool:
    """Tell whether an element's class, id, role or itemprop names it a byline or author."""
    names = " ".join(filter(None, (element.get(a) for a in ("class", "id", "role", "itemprop")))).lower()
    return ("author" in names or "byline" in names) and bool({"byline", "author"} & tokens_of(element))


def byline_authors(root) -> list[str]:
    """Return author names from the page's byline: rel=author links, itemprop=author, or links in a byline."""
    names = [" ".join(text_content(a).split()) for a in root.iter("a") if "author" in (a.get("rel") or "").split()]
    names += [" ".join(text_content(e).split()) for e in ITEMPROP_AUTHORS(root)]
    if not names:
        byline = next((e for e in NAMED(root) if is_byline(e)), None)
        if byline is not None:
            names = [" ".join(text_content(a).split()) for a in byline.iter("a")]
    return [n for name in names for n in split_names(name)]


def read_metadata(root) -> dict:
    """Read what the page declares: JSON-LD, OpenGraph and meta tags, <time>, canonical link, lang."""
    ld = read_json_ld(root)
    metas = meta_tags(root)
    publisher = ld.get("publisher")
    canonical = next((l.get("href") for l in root.iter("link") if (l.get("rel") or "").lower() == "canonical"),
                     None) or find_meta(metas, "og:url")
    time_tag = next((t.get("datetime") for t in root.iter("time") if t.get("datetime")), None)
    h1 = next((" ".join(text_content(h).split()) for h in root.iter("h1")), None)
    title_tag = next((" ".join(text_content(t).split()) for t in root.iter("title")), "")
    authors = _names(ld.get("author")) or [n for v in find_meta_all(metas, "author", "article:author",
                                                                        "parsely-author", "dc.creator")
                                           for n in split_names(v)] or byline_authors(root)
    tags = find_meta_all(metas, "article:tag") or _keywords(ld.get("keywords")) or [
        k for v in find_meta_all(metas, "news_keywords", "parsely-tags", "keywords") for k in _keywords(v)]
    section = ld.get("articleSection")
    meta = {
        "title": find_meta(metas, "og:title", "twitter:title") or ld.get("headline") or h1 or title_tag,
        "site_name": find_meta(metas, "og:site_name", "application-name")
        or (publisher.get("name") if isinstance(publisher, dict) else None),
        "description": find_meta(metas, "og:description", "description", "twitter:description")
        or ld.get("description"),
        "authors": unique(authors),
        "published_at": normalize_date(find_meta(metas, "article:published_time", "datePublished", "pubdate",
                                                 "parsely-pub-date", "dc.date")
                                       or ld.get("datePublished") or time_tag),
        "modified_at": normalize_date(find_meta(metas, "article:modified_time", "dateModified", "og:updated_time")
                                      or ld.get("dateModified")),
        "section": find_meta(metas, "article:section", "parsely-section")
        or (section[0] if isinstance(section, list) and section else section),
        "tags": unique(tags),
        "image_url": find_meta(metas, "og:image", "twitter:image") or _first_url(ld.get("image")),
        "declared_language": root.get("lang") or find_meta(metas, "og:locale", "content-language", "language"),
        "canonical_url": canonical,
    }
    return {k: v for k, v in meta.items() if v}


def extract_article(html: str, rules: Heuristics | None = None) -> tuple[dict, list[str]] | None:
    """Return (metadata, body paragraphs) of an HTML page, or None when it cannot be parsed."""
    rules = rules or load_heuristics()
    root = parse_document(html)
    if root is None:
        return None
    meta = read_metadata(root)
    remove_furniture(root, rules)
    blocks = collect_blocks(choose_content(root, rules), rules)
    return meta, keep_blocks(blocks, meta.get("title", ""), rules)
