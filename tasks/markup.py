"""Readers of a parsed page that the extractor's modules share: text, class tokens, link density, JSON-LD types.

Plain lxml elements (no lxml.html element classes, whose lookup runs Python code per element proxy).
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

text_content = etree.XPath("string()", smart_strings=False)
# the text nodes after an element (a headline): its byline, dateline and first paragraphs
TEXT_AFTER = etree.XPath("following::text()[normalize-space()][position() <= 30]")
TOKEN_SPLIT = re.compile(r"[^0-9A-Za-z\u00C0-\uFFFF]+|(?<=[a-z])(?=[A-Z])")
TAXONOMY_CLASS = re.compile(r"(?:^|\s)(?:category|tag|post_tag|topic|topics|format|section|tax|term|ressort|rubrik)"
                            r"-\S+")
ARTICLE_TYPES = ("Article", "BlogPosting", "Posting", "Report", "LiveBlogPosting")


# attributes that name an element or hide it: what remove_furniture judges an element by
NAME_ATTRIBUTES = frozenset({"class", "id", "role", "itemprop", "hidden", "aria-hidden", "style"})
XML_SPACE = re.compile("[ \t\r\n]+")  # the white space XPath's normalize-space() collapses


@dataclass(frozen=True)
class PageIndex:
    """Elements of a page that several readers look for, found in one walk, each list in document order."""

    named: list  # elements with a class, id, role, itemprop, hidden, aria-hidden or style attribute
    links: list  # <a> elements with an href
    credited: list  # <a rel="author"> links and itemprop="author" elements


def index_page(root) -> PageIndex:
    """Walk a page's elements once for what the readers used to find by XPath, one full walk each.

    libxml2 tests an XPath's attribute predicate on every node of ``//*`` (0.7-0.9 ms a page for each of
    four such paths on the pages of benchmarks/pipeline.py); one walk over the elements finds all of them.
    """
    named, links, credited = [], [], []
    for element in root.iter(etree.Element):
        keys = element.keys()
        if not keys:
            continue
        is_named = not NAME_ATTRIBUTES.isdisjoint(keys)
        if is_named:
            named.append(element)
        is_link = ("href" in keys or "rel" in keys) and element.tag == "a"  # (a tag is read only when needed)
        if is_link and "href" in keys:
            links.append(element)
        if (is_named and "itemprop" in keys and element.get("itemprop") == "author"
                or is_link and "author" in XML_SPACE.split(element.get("rel") or "")):
            credited.append(element)
    return PageIndex(named, links, credited)


def tokens_of(element) -> frozenset[str]:
    """Return the lower-case tokens of an element's class, id, role and itemprop.

    Classes that label content rather than lay it out (WordPress' ``category-social-media``, ``tag-ads``) are
    skipped: they name what an article is about, not what the element is.
    """
    return split_tokens(element.get("class") or "", element.get("id") or "", element.get("role") or "",
                        element.get("itemprop") or "")


@lru_cache(maxsize=65536)
def split_tokens(classes: str, *others: str) -> frozenset[str]:
    """Return the tokens of a class attribute (content labels skipped) and of other name attributes."""
    found = set()
    for value in (TAXONOMY_CLASS.sub(" ", classes), *others):
        if value:
            found.update(t.lower() for t in TOKEN_SPLIT.split(value) if t)
    return frozenset(found)


def text_length(element) -> int:
    """Return the length of an element's text with white space collapsed."""
    return len(" ".join(text_content(element).split()))


def link_density(element, memo: dict | None = None, total: int | None = None) -> float:
    """Return the share of an element's text that sits in links (``memo`` keeps the text lengths of elements and
    links across calls on an unchanged tree; ``total``: the element's text length, when the caller has measured
    it)."""
    memo = {} if memo is None else memo
    total = measured_length(element, memo) if total is None else total
    if not total:
        return 0.0
    return min(1.0, sum(measured_length(a, memo) for a in element.iter("a")) / total)


def measured_length(element, memo: dict) -> int:
    """Return an element's ``text_length``, measured once per ``memo``."""
    length = memo.get(element)
    if length is None:
        length = memo[element] = text_length(element)
    return length


def ld_types(item: dict) -> list[str]:
    """Return the @type values of one JSON-LD object."""
    kind = item.get("@type")
    return [str(k) for k in (kind if isinstance(kind, list) else [kind]) if k]


def is_article_type(item: dict) -> bool:
    """Tell whether a JSON-LD object describes an article (NewsArticle, BlogPosting, ReportageNewsArticle...)."""
    return any(k.endswith(ARTICLE_TYPES) for k in ld_types(item))


# UTF-8 read once as Latin-1/windows-1252 or windows-1250: a lead byte's character followed by a continuation
# byte's character ("â€™" for "’"; "ďż˝" for U+FFFD and "Č™" for "ș" through cp1250)
MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2\u00c5\u00d0\u00d1\u00e3\u0102\u00c4\u0139\u010c\u010f]"
                      "[\u0080-\u00bf\u0152-\u0178\u2018-\u203a\u20ac\u2122\u02c7\u02d8\u02db\u02dd"
                      "\u0104\u0105\u013d\u013e\u0141\u0142\u015a\u015b\u015e\u015f\u0161\u0164\u0165\u0179-\u017e]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that a CMS stored as Latin-1 or cp1250 ("Investorâ€™s" -> "Investor’s"), with ftfy; other text as is."""
    if not MOJIBAKE.search(text):
        return text
    import ftfy  # only pages with the pattern pay for the import

    return ftfy.fix_encoding(text) if ftfy.badness.is_bad(text) else text


def meta_tags(root) -> list[tuple[str, str]]:
    """Return (property, name, itemprop or http-equiv in lower case; content) of the page's meta tags that have content.

    Contents are unescaped once more: CMSs often escape twice ("Full &#038; Part Time").
    """
    found = []
    for meta in root.iter("meta"):
        content = (meta.get("content") or "").strip()
        if "&" in content:
            content = html_lib.unescape(content)
        if content:
            found.append(((meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
                           or "").lower(), content))
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
