"""Choose an article's headline: the one the page shows its readers, whole, without the site's name.

Pages carry several titles: the visible ``<h1>``, JSON-LD ``headline``, ``og:title`` / ``twitter:title`` (often a
social variant) and ``<title>`` (often with the site's name, sometimes an SEO variant). The visible headline is
the publisher's; the metadata titles say which ``<h1>`` of a page is the headline (a page may also have a logo or
a sidebar heading in ``<h1>``). A site name is removed only where it is the site's name: og:site_name, the
JSON-LD publisher, application-name or the host, never by keeping the longest part of a title.
"""
from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

from tasks.markup import repair_mojibake

# " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", and the full-width forms CJK sites use (no spaces)
SEPARATORS = re.compile(r"\s+(?:[|–—·•»/]|-{1,2}|::?)\s+|\s*[｜：︱]\s*|\s+:\s+")
WORD = re.compile(r"\w+", re.UNICODE)
SPACE_RUN = re.compile(r"\s+")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")  # left escaped by a CMS that escaped twice
MAX_HEADLINE_CHARS = 400
CUT_CHARS = (90, 110)  # a headline this long that a longer title continues was cut by a length limit
MIN_SIMILARITY = 0.3  # Dice similarity of words an <h1> must reach with a metadata title to be the headline


def fold(text: str) -> str:
    """Return text with white space collapsed, Unicode composed (NFC), entities and mojibake a CMS left repaired.

    A lone ideographic space is kept: CJK headlines separate their clauses with it ("日銀、利上げ　物価目標").
    """
    text = unicodedata.normalize("NFC", repair_mojibake(text or ""))
    if "&" in text and ENTITY.search(text):
        text = html.unescape(text)
    if "\u3000" not in text:
        return " ".join(text.split())  # (what the substitution below does, without a Python call per space)
    return SPACE_RUN.sub(lambda m: m.group() if m.group() == "\u3000" else " ", text).strip()


def words_of(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def letters_of(text: str) -> str:
    """Return the lower-case letters and digits of a text: "Deutsche-Welle.com" -> "deutschewellecom"."""
    return "".join(WORD.findall(text.casefold())).replace("_", "")


def host_names(url: str | None) -> set[str]:
    """Return the forms under which a host names its site: example.co.uk -> {"examplecouk", "example"}."""
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    if not host or "." not in host:
        return set()
    labels = host.split(".")
    names = {letters_of(host)}
    # the registrable label: the longest label that is not a generic second-level one
    names.update(letters_of(label) for label in labels[:-1] if len(label) > 3 or label == labels[0])
    return {n for n in names if n}


def is_site_name(part: str, site_names: list[str], hosts: set[str], trailing: bool = False) -> bool:
    """Tell whether one part of a title is the site's name (a declared site name or the host's).

    A trailing part (" | Rust Blog" on blog.rust-lang.org) also is when each of its words is part of the host.
    """
    letters = letters_of(part)
    if not letters:
        return True
    if letters in hosts or any(letters == letters_of(name) for name in site_names if name):
        return True
    if not trailing:
        return False
    words = words_of(part)
    # a trailing part that is the leading words of a longer declared name: "Thrive Internet Marketing" (Agency)
    if len(words) >= 2 and any(words_of(name)[:len(words)] == words for name in site_names):
        return True
    # or is made of the host's words: " | Rust Blog" on blog.rust-lang.org, " | Johnson's" on johnsonsbaby.com
    host = max(hosts, key=len, default="")
    return bool(host) and len(words) <= 3 and (all(len(w) > 1 and w in host for w in words)
                                               or (len(letters) >= 4 and letters in host))


def strip_site_name(title: str, site_names: list[str], hosts: set[str]) -> str:
    """Remove the parts of a title (split at " | ", " - ", "：" ...) that are the site's name; keep the rest whole."""
    title = fold(title)
    parts = SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    # only a leading or trailing run of site-name parts goes: "Site | Headline" or "Headline - Section - Site"
    start, end = 0, len(parts)
    while start < end - 1 and is_site_name(parts[start], site_names, hosts):
        start += 1
    while end - 1 > start and is_site_name(parts[end - 1], site_names, hosts, trailing=True):
        end -= 1
    if (start, end) == (0, len(parts)):
        return title
    # cut the original text (keeps each separator inside the headline as written)
    kept = parts[start:end]
    first = title.find(kept[0])
    last = title.rfind(kept[-1])
    return title[first:last + len(kept[-1])].strip() if first >= 0 <= last else " - ".join(kept)


def complete_title(title: str, titles: list[str]) -> str:
    """Return the title another one completes: an og:title a theme cut mid-word or with an ellipsis, or a JSON-LD
    headline an SEO plug-in cut at a word near its length limit (Yoast: 110 characters, Google's old limit)."""
    stem = title.rstrip(".… ")
    cut = stem != title
    limited = CUT_CHARS[0] <= len(stem) <= CUT_CHARS[1]
    # (a longer title that goes on after a separator adds a section or a clause: " | Opinion")
    return next((t for t in titles if len(t) > len(stem) and t.startswith(stem)
                 and (cut or t[len(stem)].isalnum() or limited and not SEPARATORS.match(t, len(stem)))), title)


def similarity(first: str, second: str) -> float:
    """Return the Dice coefficient of two texts' word sets (1.0: the same words)."""
    a, b = set(words_of(first)), set(words_of(second))
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def choose_headline(h1s: list[str], meta_titles: list[str], site_names: list[str], url: str | None) -> str:
    """Return the page's headline: the visible <h1> that the metadata titles confirm, else the best metadata title.

    ``meta_titles`` come in order of trust (JSON-LD headline, og:title, twitter:title, <title>).
    """
    hosts = host_names(url)
    # a declared name with a tagline: "Fermyon • Experience the next wave of cloud computing."
    site_names = site_names + [SEPARATORS.split(fold(name))[0] for name in site_names if name]
    titles = [strip_site_name(t, site_names, hosts) for t in meta_titles if fold(t)]
    titles = [t for t in titles if t and not is_site_name(t, site_names, hosts)]
    titles = [complete_title(t, titles) for t in titles]
    candidates = [strip_site_name(h, site_names, hosts) for h in h1s if fold(h) and len(fold(h)) <= MAX_HEADLINE_CHARS]
    candidates = [h for h in candidates if h and not is_site_name(h, site_names, hosts)]
    if candidates and titles:
        scored = [(max(similarity(h, t) for t in titles), -i, h) for i, h in enumerate(candidates)]
        best, _, headline = max(scored)
        if best >= MIN_SIMILARITY:
            if headline.isupper() or headline.islower():  # capitals or lower case for show: the metadata has its case
                folded = headline.casefold()
                same = next((t[:len(headline)] for t in titles if t.casefold().startswith(folded)), "")
                # (only a title in mixed case tells the case: "RESTAURANT Definition" does not)
                mixed = not same.isupper() and not same.islower()
                return same if mixed and same.casefold() == folded else headline
            return headline
    if titles:
        return titles[0]
    if candidates:
        return candidates[0]
    return fold(meta_titles[0]) if meta_titles else ""
