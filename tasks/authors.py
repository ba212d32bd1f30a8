"""Read an article's authors: people only, in byline order; organisations apart.

Sources, most trusted first: JSON-LD ``author`` (with ``@id`` references into the page's graph resolved; a
``Person`` is a person, an ``Organization`` an organisation), meta tags (author, article:author, parsely,
sailthru, dc.creator), ``rel=author`` links and ``itemprop=author`` elements, and the visible byline (an element
named like one, or a "Written by" label). Every name is checked: e-mails, URLs, slugs, numeric ids, IP
addresses, share labels, photo credits and names that are the site's own go; names with an organisation's
word ("Staff", "GmbH", "Redaktion") become the ``organisation``. "Last, First" stays one person.
Word lists live in ``tasks/data/metadata.toml``.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from tasks.config import read_data_file
from tasks.dates import find_written_date
from tasks.markup import TEXT_AFTER, PageIndex, find_meta_all, text_content, tokens_of

DATA_FILE = Path(__file__).parent / "data" / "metadata.toml"
NAME_SPLIT = re.compile(r"\s*(?:;|&amp;|&|\||\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bі\b|、|，)\s*", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
EMAIL = re.compile(r"\S+@\S+\.\w+")
IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
DOMAIN = re.compile(r"\b[\w-]+\.(com|org|net|de|at|ch|fr|it|es|ru|ua|pl|nl|co|io|uk|hu|cz|info|news)\b", re.I)
INITIAL_END = re.compile(r"(?:^|[\s.])\w\.$")  # "Jeff T.", "A. J."
# an unrendered template value: "page.head.extra.author", "{{ author }}", "${author}", "%AUTHOR%"
PLACEHOLDER = re.compile(r"^(?=[a-z_.]*(?:author|name|byline|creator))[a-z_]+(?:\.[a-z_]+)+$|\{\{|\}\}|\$\{|^%\w+%$")
GLUED_WORD = re.compile(r"(?<=[a-z])[A-Z][a-z]+")  # "McIntyreAuthor": a capitalised word glued to the one before
PARENS = re.compile(r"\s*\([^)]*\)\s*")
# a class that may name a byline (checked as whole tokens afterwards)
BYLINE_CLASS = re.compile("uthor|yline|riter|utor|uteur|UTHOR|YLINE")


def find_named(index: PageIndex) -> list:
    """Return the elements whose class may name a byline, in document order."""
    search = BYLINE_CLASS.search
    return [element for element in index.named if (name := element.get("class")) and search(name)]


AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator", "byl",
               "citation_author")  # meta tags that name authors
# a link to an author's page: /author/jane-roe/, /autoren/jane-roe, /people/jane-roe
AUTHOR_PAGE = re.compile(r"/(?:author|authors|autor|autoren|autorin|auteur|auteurs|autore|autori|people|profile|"
                         r"profiles|contributor|contributors|writer|writers|journalist|journalists|redakteur|"
                         r"reporter|reporters|columnist|columnists|staff|byline)/[^/?#]+/?(?:[?#].*)?$", re.I)


@dataclass(frozen=True)
class AuthorRules:
    prefixes: tuple
    not_person: frozenset
    byline_tokens: frozenset
    not_byline_tokens: frozenset
    max_name_words: int
    max_name_chars: int
    roles: frozenset
    role_modifiers: frozenset
    labels: frozenset
    byline_labels: frozenset
    secondary_labels: frozenset
    byline_start: re.Pattern  # text that starts with one of byline_labels ("Written by", "Von", "Автор")
    elsewhere_tokens: frozenset  # class or id tokens of the readers' comments and of site menus
    calendar_words: frozenset  # day and month names ("Sat" of "Sat, 20 Dec, 2025" is no one's name)


@lru_cache(maxsize=2)
def load_author_rules(path: str = "") -> AuthorRules:
    """Load the author heuristics (prefixes, non-person words, byline class tokens, limits)."""
    data = read_data_file(path or DATA_FILE)["authors"]
    prefixes = tuple(sorted((p.lower() for p in data["prefixes"]), key=len, reverse=True))
    return AuthorRules(prefixes, frozenset(data["not_person"]), frozenset(data["byline_tokens"]),
                       frozenset(data["not_byline_tokens"]), data["max_name_words"], data["max_name_chars"],
                       frozenset(data["roles"]), frozenset(data["role_modifiers"]), frozenset(data["labels"]),
                       frozenset(data["byline_labels"]), frozenset(data["secondary_labels"]),
                       re.compile(r"\s*(?:" + "|".join(re.escape(label) for label in sorted(
                           data["byline_labels"], key=len, reverse=True)) + r")\b", re.IGNORECASE),
                       frozenset(data["elsewhere_tokens"]), frozenset(data["calendar_words"]))


def strip_prefix(text: str, rules: AuthorRules) -> str:
    """Remove a byline prefix ("By", "Written by", "Von") and the colon after it."""
    text = " ".join(text.split()).strip(" :|-–—·,")
    lowered = text.lower()
    for prefix in rules.prefixes:
        if lowered.startswith(prefix) and (len(text) == len(prefix) or not text[len(prefix)].isalnum()):
            return text[len(prefix):].strip(" :|-–—·,")
    return text


def split_names(value: str, rules: AuthorRules | None = None) -> list[str]:
    """Split a byline into names ("By A, B and C" -> [A, B, C]); "Last, First" and "Name, MD" stay one name."""
    rules = rules or load_author_rules()
    value = strip_prefix(value, rules)
    # a byline in capitals (wires: "By LISA MASCARO, MARY CLARE JALONICK and ERIC TUCKER") has no credentials to
    # tell apart by their case
    parts = NAME_SPLIT.split(value)
    capitals = not any(ch.islower() for part in parts for ch in part)
    names = []
    for part in parts:
        pieces = [_strip_piece(p) for p in part.split(",") if _strip_piece(p)]
        if len(pieces) == 2 and len(pieces[0].split()) == 1 and 1 <= len(pieces[1].split()) <= 2 and \
                (capitals or not _is_credential(pieces[1])):
            names.append(", ".join(pieces))  # "Kaufman, Jeff T." is one person
            continue
        for piece in pieces:
            if names and not capitals and _is_credential(piece):
                names[-1] = f"{names[-1]}, {piece}"  # "Jane Roe, MD" keeps her credential
            else:
                names.append(piece)
    return [n for n in names if n]


def _strip_piece(piece: str) -> str:
    """Strip spaces and commas, and a sentence's full stop, but not an initial's ("Jeff T.")."""
    piece = piece.strip(" ,")
    return piece[:-1].rstrip() if piece.endswith(".") and not INITIAL_END.search(piece) else piece


def _is_credential(piece: str) -> bool:
    """Tell whether a comma-separated piece is a title or credential (MD, PhD, RD, E-RYT 200), not a name."""
    words = piece.replace(".", "").split()
    return bool(words) and all(w.isupper() or w.isdigit() or w.lower() in ("phd", "jr", "sr") for w in words)


def drop_role(name: str, rules: AuthorRules) -> str:
    """Cut a job title glued to a name: "Keith Barry Senior Autos Reporter" -> "Keith Barry"."""
    # "RabinowitzTech Reporter" (the text of two elements) is split, "MacFarlane" and "McNally" are not
    split = GLUED_WORD.sub(lambda m: " " + m.group() if m.group().lower() in rules.roles | rules.role_modifiers
                           else m.group(), name)
    words = split.split()
    lowered = [w.lower().strip(",.:;") for w in words]
    if not any(w in rules.roles for w in lowered):
        return name
    for index, word in enumerate(lowered):
        if index >= 2 and (word in rules.roles or word in rules.role_modifiers):
            return " ".join(words[:index]).rstrip(",;:-–—|")
    return name


def classify_name(name: str, site_names: list[str], rules: AuthorRules) -> str | None:
    """Return "person", "organisation" or None (not a name at all: a URL, e-mail, id, label, role or credit)."""
    name = name.strip()
    if not name or len(name) > rules.max_name_chars or EMAIL.search(name) or IP.match(name):
        return None
    if name.startswith(("http://", "https://", "www.", "/", "@")) or not WORD.search(name) or PLACEHOLDER.search(name):
        return None
    head = name.split(",")[0]
    if re.search(r"\d", head) or (" " not in head and re.search(r"[-_/]", head)):
        return None  # a date, a numeric id or a slug: "May 3, 2025", "user_123", "john-smith"
    if len(name.split()) > rules.max_name_words or name.casefold().strip(" .,") in rules.calendar_words:
        return None
    if name.split()[-1].casefold().strip(":") in rules.prefixes:
        return None  # a label that ends where the name would begin: "Recipe by", "Government Websites by"
    folded = name.casefold()
    words = set(re.findall(r"[\w.]+", folded))
    # a job title on its own line: "Senior Editor", "Head of Marketing", "Sr. Director of Operations", "AI Writer",
    acronyms = {w.strip(".").casefold() for w in name.split() if w.strip(".").isupper() and len(w.strip(".")) <= 4}
    plain = {w.strip(".") for w in words}
    titled = rules.roles | rules.role_modifiers
    if plain & titled and plain - {"of", "and", "&", "the", "for", "at"} <= titled | acronyms:
        return None  # ... or a desk on its own: "Digital Security"
    bare = PARENS.sub(" ", folded).strip()
    if any(bare == s.casefold() or folded == s.casefold() for s in site_names if s) and not is_person_shaped(name):
        return "organisation"  # the site's own name; a personal site may be named after its author
    if DOMAIN.search(name):
        return "organisation"
    if words & rules.not_person or any(" " in w and w in folded for w in rules.not_person):
        return "organisation" if not words & rules.labels else None
    return "person"


def is_person_shaped(name: str) -> bool:
    """Tell whether a name is written like a person's: two to four capitalised words ("Rick Steves")."""
    words = name.split(",")[0].split()  # "Angela Holliday-Bell, MD"
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and not w.isupper() for w in words if len(w) > 2)


def resolve_ld_authors(value, graph: dict) -> list[tuple[str, str]]:
    """Return (name, type) pairs of a JSON-LD author value, following @id references into the page's graph."""
    if isinstance(value, list):
        return [pair for item in value for pair in resolve_ld_authors(item, graph)]
    if isinstance(value, str):
        return [(value, "")]
    if not isinstance(value, dict):
        return []
    if "name" not in value and value.get("@id") in graph:
        value = graph[value["@id"]]
    name = value.get("name")
    if isinstance(name, list):
        name = name[0] if name else None
    kind = value.get("@type")
    kind = " ".join(kind) if isinstance(kind, list) else str(kind or "")
    return [(name, kind)] if isinstance(name, str) else []


def byline_texts(root, rules: AuthorRules, index: PageIndex):
    """Yield (kind, candidate texts) from the visible page, most reliable finder first.

    rel=author links and itemprop=author; elements named like a byline (class or id "author", "byline"), whose
    several texts (kind "piece": a name with its job title, desk or share count) each count only when written
    like a person's or an organisation's name; then the weak signs, whose names count only when written like a
    person's: links to an author page (/author/jane-roe/) and text that starts with a byline prefix ("Written by",
    "By:"). ``index``: the page's (tasks/markup.py index_page).
    """
    found = []
    for element in index.credited:
        if is_secondary_credit(element, rules):
            continue
        if element.tag == "a" and element.get("itemprop") != "author":
            found.append(text_content(element))
        else:
            named = element.xpath('.//*[@itemprop="name"]')
            found.append(named[0].get("content") or text_content(named[0]) if named else
                         element.get("content") or text_content(element))
    yield "", found
    tried, named = 0, find_named(index)
    for element in named:
        tokens = tokens_of(element)
        if not tokens & rules.byline_tokens or tokens & rules.not_byline_tokens or element.tag in ("img", "meta"):
            continue
        texts = [" ".join(t.split()) for t in element.itertext()]
        if sum(map(len, texts)) > 160:
            continue  # a box with a biography (author_box_names) or a block of text, not a byline
        pieces = [" ".join(t.split()) for t in byline_element_texts(element, rules)]
        pieces = [p for p in pieces if p and p not in ("/", "|", "•", "·", ",")]
        if not pieces:
            continue
        tried += 1
        links = [(" ".join(text_content(a).split()), a) for a in element.iter("a")]
        links = [(text, a) for text, a in links if text]
        if links and len(" ".join(text for text, _ in links)) >= 0.5 * len(strip_prefix(" ".join(pieces), rules)):
            yield "", [text for text, a in links if not is_secondary_credit(a, rules)]
        else:
            # a byline element's several texts are a name and what goes with it (a job title, a desk, "Shares"):
            # each must look like a person's name, but the one a label introduces ("Posted by", "BeauHD", "on ...")
            labelled = [after for label, after in zip(pieces, pieces[1:]) if not strip_prefix(label, rules)]
            if labelled:
                yield "", labelled[:1]
            parts = [part for piece in pieces for part in re.split(r"\s+[/|•·]\s+|[•·|]", piece) if part.strip()]
            yield "piece" if len(parts) > 1 else "", parts
        if tried >= 3:
            break
    yield "weak", [text_content(a) for a in index.links if AUTHOR_PAGE.search(a.get("href"))
                   and not is_secondary_credit(a, rules) and not is_in_comments_or_menu(a, rules)][:4]
    for element in root.iter("p", "span", "div", "strong", "em", "b", "address", "h2", "h3", "h4", "h5", "h6"):
        if not element.text or not rules.byline_start.match(element.text) or is_in_comments_or_menu(element, rules):
            continue  # (a reader's comment is signed "by" its writer too)
        own = " ".join(element.text.split())
        if element.tag.startswith("h") and own.lower().startswith("by "):
            continue  # a menu's heading: "By Event Type", "By Region"
        if own.lower().rstrip(": ") in rules.byline_labels:
            if len(element):  # "Written by <a>Jane Roe</a>"
                yield "weak", [text_content(element[0])]
            elif (element.tail or "").strip():  # <strong>Contributors:</strong> Jane Roe
                yield "weak", [" ".join(element.tail.split())]
            elif element.getnext() is not None:  # <p>Written by</p><p>Jane Roe</p>, <h3>Author</h3><p>Jane Roe</p>
                yield "weak", [text_content(element.getnext())]
        elif len(own) <= 80 and all(child.tag == "br" for child in element):
            yield "weak", [own]  # "Written by Jane Roe", "by: Jane Roe, Dec 17, 2025", "Von Jane Roe<br>20. Dezember"
    yield "weak", list(author_box_names(named, rules))
    yield "weak", list(dated_headline_bylines(root, rules))


BYLINE_TEXTS = etree.XPath(".//text()")


def is_within_named(element, tokens: frozenset, until=None, tags: tuple = ()) -> bool:
    """Tell whether an element or one of its ancestors below ``until`` (or below <body>, whose classes describe page
    state: "menu-open") has a class or id token of ``tokens`` or a tag of ``tags``."""
    while element is not None and element is not until and element.tag not in ("body", "html"):
        if element.tag in tags or tokens_of(element) & tokens:
            return True
        element = element.getparent()
    return False


def is_in_comments_or_menu(element, rules: AuthorRules) -> bool:
    """Tell whether an element sits in the readers' comments or a site menu (an ancestor named "comments",
    "discussion", "navbar", or a <nav>): a comment is signed "by" its reader, a menu links "Our Faculty" to /people/."""
    return is_within_named(element, rules.elsewhere_tokens, tags=("nav", "menu"))


def byline_element_texts(element, rules: AuthorRules) -> list[str]:
    """Return the texts of a byline element but those of its parts named as a job title or a bio ("<span
    class=author__position>Founder at Oakywood</span>", "<div class=author-box__bio><p>Former McKinsey
    Consultant</p>"): beside the name, they are no name."""
    return [str(text) for text in BYLINE_TEXTS(element) if not is_within_named(
        text.getparent().getparent() if text.is_tail else text.getparent(), rules.not_byline_tokens, until=element)]


BYLINE_PARTS = re.compile(r"\s+[|•·–—-]\s+|\s*[|•·]\s*")


def dated_headline_bylines(root, rules: AuthorRules):
    """Yield the name that starts a short dated line between the headline and the text: "Aaron Ricadela | Senior
    Writer | July 2, 2025", "Jane Roe · 12 March 2024" (corporate blogs and magazines print the byline as one plain
    line)."""
    heading = next((h for h in root.iter("h1") if text_content(h).strip()), None)
    if heading is None:
        return
    for piece in TEXT_AFTER(heading)[:12]:
        text = " ".join(str(piece).split())
        if len(text) > 100:
            return  # the article's text has begun: a dated line further down (a footer, a card) is not the byline
        if find_written_date(text) is None:
            continue
        parts = [part for part in BYLINE_PARTS.split(strip_prefix(text, rules)) if part]
        if len(parts) >= 2 and find_written_date(parts[0]) is None:
            yield parts[0]
        return  # the first dated line under the headline is the byline or none is


def is_secondary_credit(element, rules: AuthorRules) -> bool:
    """Tell whether a name is credited for other work than writing: "Reviewed by", "Contributions From:", "Edited by"."""
    before = ""
    while element is not None and len(before) < 60:
        previous = element.getprevious()
        if previous is not None:
            before = text_content(previous) + (previous.tail or "") + before
            element = previous
        else:
            element = element.getparent()
            before = (element.text or "" if element is not None else "") + before
            if element is not None and element.tag in ("p", "li", "div", "header", "section", "article", "body"):
                break
    lead = " ".join(before.split())[-60:].lower()
    last = max((lead.rfind(label) for label in rules.secondary_labels), default=-1)
    return last >= 0 and not any(lead.rfind(label) > last for label in rules.byline_labels if " " in label)


def author_box_names(named: list, rules: AuthorRules):
    """Yield the name heading an author box: the first short text of an element named like one that holds a bio.

    An "about the author" box (class ``author-card``, ``blog_author-wrapper``) prints the name, then a job title and
    a paragraph of biography; it is the only credit on many blogs and company pages. Only the first box counts.
    """
    for element in named:
        tokens = tokens_of(element)
        if not tokens & rules.byline_tokens or tokens & rules.not_byline_tokens - {"bio", "about", "description"}:
            continue
        texts = [" ".join(t.split()) for t in element.itertext()]
        texts = [t for t in texts if t]
        if sum(map(len, texts)) <= 160:
            continue  # a byline, read above
        for text in texts[:3]:
            if len(text) <= 40 and strip_prefix(text, rules).lower() not in rules.byline_labels:
                yield text
                return
        return


def labelled_values(metas: list[tuple[str, str]], rules: AuthorRules) -> list[str]:
    """Return the values of twitter:dataN meta tags whose twitter:labelN names a byline ("Written by")."""
    labels = {name.removeprefix("twitter:label"): content for name, content in metas
              if name.startswith("twitter:label")}
    return [content for name, content in metas if name.startswith("twitter:data")
            and labels.get(name.removeprefix("twitter:data"), "").lower().strip(": ") in rules.byline_labels]


def read_authors(root, ld: dict, ld_items: list[dict], metas: list[tuple[str, str]],
                 site_names: list[str], index: PageIndex) -> tuple[list[str], list[str]]:
    """Return (people, organisations) credited for an article, in byline order, from the first source that names any.

    ``metas`` are the page's meta tags (tasks/markup.py meta_tags): the author tags come second, after JSON-LD; the
    byline label pair SEO plug-ins write (twitter:label1 "Written by", twitter:data1 the display name) is the last
    source, as it is often an account name.
    """
    rules = load_author_rules()
    graph = {item["@id"]: item for item in ld_items if isinstance(item.get("@id"), str)}
    ld_authors = [author for item in [ld] + [i for i in ld_items if i is not ld and "author" in i]
                  for author in [item.get("author")] if author][:1]
    sources = itertools.chain(
        [[(n, kind) for raw, kind in resolve_ld_authors(ld_authors[0] if ld_authors else None, graph)
          for n in split_names(raw, rules)]],
        [[(n, "") for value in find_meta_all(metas, *AUTHOR_META) for n in split_names(value, rules)]],
        ([(n, kind) for text in texts for n in split_names(text, rules)] for kind, texts in byline_texts(root, rules, index)),
        [[(n, "") for value in labelled_values(metas, rules) for n in split_names(value, rules)]])
    people: list[str] = []
    organisations: list[str] = []
    for pairs in sources:
        for name, kind in pairs:
            name = drop_role(name, rules) if kind in ("", "piece", "weak") else name
            verdict = "organisation" if "Organization" in kind else classify_name(name, site_names, rules)
            if kind == "weak" and (verdict != "person" or not is_person_shaped(name)):
                verdict = None  # found by a weak sign (an author-page link, "by ..." text): a person's name only
            if kind == "piece" and verdict == "person" and not is_person_shaped(name):
                verdict = None  # "Privacy", "Personal finance" beside the name in a byline
            if verdict == "person" and name.casefold() not in {p.casefold() for p in people}:
                people.append(name)
            elif verdict == "organisation" and name.casefold() not in {o.casefold() for o in organisations}:
                organisations.append(name)
        if people:
            break
    return people, organisations
