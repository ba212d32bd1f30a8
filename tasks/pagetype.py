"""Tell an article page from a home page, a section front, a listing, a product or a profile page.

A page that declares a JSON-LD Article type is one (og:type "article" alone is weak: themes print it on archives
too). Otherwise a page is not an article when its URL is a site's home page (no path, and no query naming an
item: "/?p=123" and Joomla's "/index.php?view=article&id=12" are posts), a listing path (/tag/, /category/,
/page/2) or query (/?s=, /?cat=5), a section front (a path of one or two plain words, /world/ or
/sport/fussball/, with many headings that are links, or links and no prose), or when it declares a listing type (CollectionPage, ItemList, Product, ProfilePage...); such a page that holds several long paragraphs
with few links is a one-article page after all (a personal blog's front page). The share of a page's text in
links alone is no sign: on the dev sets it rejected real articles under large menus (6 of 974), so it only
confirms. Thresholds and type lists live in ``tasks/data/metadata.toml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tasks.config import read_data_file
from tasks.markup import is_article_type, ld_types, link_density, text_length

SECTION_WORD = re.compile(r"[^\W\d_]{2,20}")  # /world/, /sport/fussball/: words, no slug hyphens or ids

DATA_FILE = Path(__file__).parent / "data" / "metadata.toml"


@dataclass(frozen=True)
class PageTypeRules:
    article_og_types: frozenset
    not_article_ld_types: frozenset
    not_article_og_prefixes: tuple
    listing_segments: frozenset
    article_paragraphs: int
    long_paragraph_chars: int
    max_article_link_density: float
    section_teasers: int
    article_slug_words: int
    tracking_params: frozenset
    listing_params: frozenset
    front_link_share: float


@lru_cache(maxsize=2)
def load_page_type_rules(path: str = "") -> PageTypeRules:
    """Load the page-type lists and thresholds."""
    data = read_data_file(path or DATA_FILE)["page_type"]
    return PageTypeRules(frozenset(data["article_og_types"]),
                         frozenset(data["not_article_ld_types"]), tuple(data["not_article_og_prefixes"]),
                         frozenset(data["listing_segments"]), data["article_paragraphs"],
                         data["long_paragraph_chars"], data["max_article_link_density"],
                         data["section_teasers"], data["article_slug_words"],
                         frozenset(data["tracking_params"]), frozenset(data["listing_params"]),
                         data["front_link_share"])


def measure_prose(root, rules: PageTypeRules) -> tuple[int, float]:
    """Return (long paragraphs with few links, share of the body's text in links)."""
    body = root.find("body")
    if body is None:
        return 0, 0.0
    memo: dict = {}
    long_paragraphs = sum(1 for paragraph in body.iter("p") if text_length(paragraph) >= rules.long_paragraph_chars
                          and link_density(paragraph, memo) < 0.3)
    return long_paragraphs, link_density(body, memo)


def names_an_item(names: set[str], rules: PageTypeRules) -> bool:
    """Tell whether a URL's query parameters (lower-case names) name a page of the site ("p=123",
    "id=12&view=article"), not only track a visit ("utm_source=feed", "fbclid=...")."""
    return any(not name.startswith("utm_") and name not in rules.tracking_params for name in names)


SLUG_SPLIT = re.compile(r"[-_\s+.]+|%20")


def is_article_slug(segment: str, rules: PageTypeRules) -> bool:
    """Tell whether a URL's last segment reads like an article's slug ("history-of-coffee",
    "Advent_of_Code_2025_week_2.html"), not a category's name ("air-fryer", "electronics")."""
    words = [w for w in SLUG_SPLIT.split(segment.rsplit(".", 1)[0] if "." in segment else segment) if w]
    return len(words) >= rules.article_slug_words


def classify_page(root, items: list[dict], og_type: str | None, url: str | None) -> tuple[str, str]:
    """Return ("article", "") or ("not_article", why) for a parsed page."""
    rules = load_page_type_rules()
    og = (og_type or "").strip().lower()
    types = [t for item in items for t in ld_types(item)]
    if any(is_article_type(item) for item in items):
        return "article", ""
    # og:type "article" alone is weak: themes and SEO plug-ins print it on category archives and home pages too; it
    # outweighs the weakest sign (a short path with linked headings), not a listing path, type or a home page
    declared_article = og in rules.article_og_types
    reason, prose = "", None
    parts = urlsplit(url or "")
    segments = [s.lower() for s in parts.path.split("/") if s and s.lower() not in ("index.html", "index.php")]
    web = parts.scheme in ("http", "https")
    query = {name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if web and not segments and query & rules.listing_params:
        reason = f"a listing query (?{parts.query})"  # WordPress' search "/?s=", category "/?cat=5", "/?paged=2"
    elif web and not segments and not names_an_item(query, rules):
        reason = "a site's home page"
    elif (web and any(s in rules.listing_segments for s in segments[:-1] or segments)
          and not (declared_article and is_article_slug(segments[-1], rules))):
        reason = f"a listing path ({parts.path})"
    elif listed := sorted(set(types) & rules.not_article_ld_types):
        reason = f"declared as {', '.join(listed)}"
    elif og.startswith(rules.not_article_og_prefixes):
        reason = f"og:type {og}"
    elif (web and len(segments) <= 2 and all(SECTION_WORD.fullmatch(s) for s in segments)
          and not declared_article):
        teasers = sum(1 for h in root.iter("h2", "h3", "h4") if h.find(".//a") is not None)
        if teasers >= rules.section_teasers:
            reason = f"a section front ({parts.path}, {teasers} headline links)"
        else:  # a front whose teasers are not headings (BBC's cards, Hacker News' rows): links and no prose
            prose = measure_prose(root, rules)
            if prose[0] == 0 and prose[1] >= rules.front_link_share:
                reason = f"a section front ({parts.path}, links without prose)"
    if not reason:
        return "article", ""
    long_paragraphs, link_share = prose or measure_prose(root, rules)
    if long_paragraphs >= rules.article_paragraphs and link_share < rules.max_article_link_density:
        return "article", ""  # one article on a front page (a personal blog), or a listing type in an article
    return "not_article", f"{reason}, {long_paragraphs} paragraphs of prose, {link_share:.0%} of its text in links"
