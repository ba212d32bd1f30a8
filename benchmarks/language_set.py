"""Build the labelled language set: real-looking news in 55 detectable languages and 15 it lacks, with the cases
news brings (quoted paragraphs, foreign names, mojibake of older sites, English furniture, declared languages).

    from language_set import build_items      # (benchmarks/language.py scores them)

The stories are benchmarks/data/news_texts.toml (written for newsflow). Each item is a document as newsflow reads
it: ``kind`` "txt" (first line the title) or "html" (a page with ``<html lang>``), the ``expected`` language, the
``quoted`` language that must show among the article's languages (or None), and its class:

- article: each story whole. paragraph: each paragraph alone under its headline. sentence: each story's first
  sentence alone (no headline).
- quoted: a story with one paragraph of another language (same script and another script) in its middle.
- names: a story whose quoted person is a foreigner, named in their own letters (a Polish name in Turkish).
- mojibake: the story as older sites serve it: Turkish through a Western code page (ı ş ğ -> ý þ ð), Central
  European through cp1252 or Latin-1, Cyrillic through cp1252, Romanian whose diacritics were lost to U+FFFD and
  then read through cp1250 ("ďż˝").
- furniture: a non-English story with the English site furniture a scraper keeps (menus, app and newsletter
  lines, disclaimers), each from its own site (nothing to learn); furniture+declared: the same as HTML pages with
  their ``<html lang>``.
- declared: one short sentence on an HTML page that declares its language; declared_wrong: a whole story whose
  page declares "en" (a template's default).
- cjk: each Chinese, Japanese and Korean paragraph alone; a Chinese story quoting Japanese.
- lacking: stories and paragraphs in languages the detector has no profile for: "und", except languages a script
  of their own tells (Georgian "ka", Armenian "hy").
- check: benchmarks/data/language_check.toml, 26 texts written after the rules were fixed and never tuned on.
"""
from __future__ import annotations

import html
import random
import re
import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "news_texts.toml"
CHECK = Path(__file__).resolve().parent / "data" / "language_check.toml"
LACKING = {"zu", "xh", "is", "eu", "gl", "ms", "az", "mt", "eo", "ga", "sr", "be", "kk", "ka", "hy"}
SCRIPT_LABELLED = {"ka", "hy"}  # languages the detector lacks but a script of their own names
SCRIPTS = {  # the script of each story's language (for choosing quotes and names)
    **{code: "Cyrl" for code in ("ru", "uk", "bg", "mk", "sr", "be", "kk")},
    **{code: "Arab" for code in ("ar", "fa", "ur")}, **{code: "Deva" for code in ("hi", "mr", "ne")},
    "el": "Grek", "he": "Hebr", "bn": "Beng", "pa": "Guru", "gu": "Gujr", "ta": "Taml", "te": "Telu", "kn": "Knda",
    "ml": "Mlym", "th": "Thai", "zh-cn": "Hani", "zh-tw": "Hani", "ja": "Jpan", "ko": "Kore", "ka": "Geor",
    "hy": "Armn",
}
# English lines that news sites around the world carry beside their own-language stories
FURNITURE = [
    "Follow us on Google News",
    "Download our app to get breaking news alerts and the latest updates on your phone, free of charge.",
    "Trending Now",
    "Subscribe to our YouTube channel for the latest videos and exclusive interviews from across the country.",
    "Disclaimer: The views expressed in the comments are those of the readers and do not reflect the views of "
    "this website or its editorial team.",
    "Also Read",
    "Copyright © 2025 All rights reserved. Reproduction in whole or in part without permission is prohibited.",
]
# Code pages older sites serve (written, read as): Turkish and Central European letters through Western ones
MOJIBAKE = {
    "tr": [("cp1254", "cp1252")],
    **{code: [("cp1250", "cp1252"), ("iso8859_2", "latin-1")] for code in ("pl", "cs", "sk", "hu", "hr", "sl")},
    "ro": [("cp1250", "cp1252")],
    **{code: [("cp1251", "cp1252")] for code in ("ru", "uk", "bg")},
}
NAME_DONORS = ["pl", "cs", "is", "tr", "vi", "ro", "hu", "de", "lv", "sv"]  # Latin names with letters of their own


def load_stories(path: Path = DATA) -> dict[str, dict]:
    """Return {language: {"title", "paragraphs", "names"}} of the bundled stories."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def expected_label(code: str) -> str:
    """Return what newsflow should say for a story in ``code``."""
    return code if code not in LACKING or code in SCRIPT_LABELLED else "und"


def as_text(title: str, paragraphs: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def as_page(title: str, paragraphs: list[str], lang: str, furniture: list[str] = ()) -> str:
    """Return an HTML page of a story: a site header, the article, and the site's furniture around it."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    extra = "".join(f"<p>{html.escape(line)}</p>" for line in furniture)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'</head><body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header><main><article>'
            f"<h1>{html.escape(title)}</h1>{body}{extra}</article></main><footer>Contact</footer></body></html>")


def make_mojibake(text: str, written: str, read_as: str) -> str | None:
    """Return ``text`` written in one code page and read in another, or None when it cannot be written there."""
    if written in ("cp1250", "iso8859_2"):  # old Romanian pages write ş ţ (cedilla): no comma-below letters there
        text = text.translate(str.maketrans("șțȘȚ", "şţŞŢ"))
    try:
        return text.encode(written).decode(read_as)
    except UnicodeError:  # pages of that age wrote straight quotes and hyphens where these code pages have none
        text = text.translate(str.maketrans("“”„«»‘’–—", "\"\"\"\"\"''--"))
    try:
        return text.encode(written).decode(read_as)
    except UnicodeError:
        return None


def lose_diacritics_through_cp1250(text: str) -> str:
    """Return Romanian whose diacritics became U+FFFD, then read through cp1250: "ďż˝" where they were."""
    lost = re.sub("[ăâîșțşţĂÂÎȘȚŞŢ]", "\ufffd", text)
    return lost.encode("utf-8").decode("cp1250", errors="replace")


def first_sentence(paragraph: str) -> str:
    match = re.match(r"(.+?[.!?。！？])(\s|$)", paragraph)
    return match.group(1) if match else paragraph


def build_items(seed: int = 3) -> list[dict]:
    """Return the labelled items (see the module docstring)."""
    rng = random.Random(seed)
    stories = load_stories()
    detectable = [code for code in stories if code not in LACKING]
    items: list[dict] = []

    def add(cls: str, code: str, content: str, kind: str = "txt", quoted: str | None = None,
            expected: str | None = None, title: str | None = None) -> None:
        items.append({"id": f"{cls}-{code}-{len(items)}", "class": cls, "language": code,
                      "expected": expected or expected_label(code), "quoted": quoted, "kind": kind,
                      "content": content, "title": title})

    for code, story in stories.items():
        cls = "lacking" if code in LACKING else "article"
        add(cls, code, as_text(story["title"], story["paragraphs"]))
        for paragraph in story["paragraphs"]:
            add("lacking" if code in LACKING else "paragraph", code, as_text(story["title"], [paragraph]))
        if code not in LACKING:
            add("sentence", code, first_sentence(story["paragraphs"][0]), title="")
    for code in detectable:
        story = stories[code]
        script = SCRIPTS.get(code, "Latn")
        same = [c for c in detectable if c != code and SCRIPTS.get(c, "Latn") == script
                and not {c, code} <= {"zh-cn", "zh-tw"}]
        other = [c for c in detectable if SCRIPTS.get(c, "Latn") != script]
        for donor in ([rng.choice(same)] if same else []) + rng.sample(other, 2):
            paragraphs = list(story["paragraphs"])
            paragraphs.insert(2, rng.choice(stories[donor]["paragraphs"]))
            add("quoted", code, as_text(story["title"], paragraphs), quoted=donor)
        name = story["names"][0]
        if script == "Latn":
            donors = rng.sample([c for c in NAME_DONORS if c != code], 3)
        else:
            donors = rng.sample(same, min(2, len(same))) + rng.sample(NAME_DONORS, 1)
        for donor in donors:
            foreign = rng.choice(stories[donor]["names"])
            text = as_text(story["title"], story["paragraphs"]).replace(name, foreign)
            add("names", code, text)
        for written, read_as in MOJIBAKE.get(code, []):
            broken = make_mojibake(as_text(story["title"], story["paragraphs"]), written, read_as)
            if broken:
                add("mojibake", code, broken)
        if code == "ro":
            add("mojibake", code, lose_diacritics_through_cp1250(as_text(story["title"], story["paragraphs"])))
        if code != "en":
            furniture = rng.sample(FURNITURE, 5)
            add("furniture", code, as_text(story["title"], story["paragraphs"][:2] + furniture))
            add("furniture+declared", code, as_page(story["title"], story["paragraphs"][:2], code, furniture),
                kind="html")
            add("declared", code, as_page(story["title"], [first_sentence(story["paragraphs"][1])], code),
                kind="html")
            if code not in ("ja", "ko", "zh-cn", "zh-tw"):
                add("declared_wrong", code, as_page(story["title"], story["paragraphs"], "en"), kind="html")
    for code in ("zh-cn", "zh-tw", "ja", "ko"):
        story = stories[code]
        for paragraph in story["paragraphs"]:
            add("cjk", code, paragraph, title="")
    for code in ("zh-cn", "zh-tw"):
        paragraphs = list(stories[code]["paragraphs"])
        paragraphs.insert(2, stories["ja"]["paragraphs"][2])
        add("cjk", code, as_text(stories[code]["title"], paragraphs), quoted="ja")
    with open(CHECK, "rb") as handle:  # written after the rules were fixed: never tuned on
        for number, text in enumerate(tomllib.load(handle)["text"]):
            add("check", text["expected"], text["body"], expected=text["expected"], title="")
    return items

