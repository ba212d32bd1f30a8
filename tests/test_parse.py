"""Stage 2: parsing the seed text format, HTML pages and JSON Lines exports."""
import json

import pytest

from tasks.article import Document
from tasks.headline import choose_headline, strip_site_name
from tasks.parse import ParseError, parse_documents, parse_html, parse_text

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Neue Brücke über die Mosel eröffnet | Trierer Anzeiger</title>
<meta property="og:site_name" content="Trierer Anzeiger">
<meta property="article:published_time" content="2024-05-02T08:00:00+02:00">
<script>var tracking = "Diese Zeile ist Skript und kein Text";</script><style>p { color: red }</style>
</head><body>
<header><div class="logo">Trierer Anzeiger</div><nav><a href="/">Start</a><a href="/region">Region</a></nav></header>
<div class="page"><div class="teaser-list"><p><a href="/x">Ein anderer Artikel über Weinbau</a></p></div>
<article><h1>Neue Brücke über die Mosel eröffnet</h1>
<p>Nach drei Jahren Bauzeit ist die neue Brücke zwischen Trier-Nord und Pfalzel für den Verkehr freigegeben worden.</p>
<p>Die Stadt rechnet mit täglich 14.000 Fahrzeugen, die bisher einen Umweg über die Innenstadt nehmen mussten.</p>
<!-- Werbung: Platzhalter -->
<figure><img src="b.jpg"><figcaption>Die Brücke am Abend. Foto: Archiv</figcaption></figure>
<p>Für Radfahrer gibt es einen eigenen, baulich getrennten Weg auf beiden Seiten.</p>
</article>
<aside><h3>Meistgelesen</h3><ul><li><a href="/y">Polizei sucht Zeugen</a></li></ul></aside></div>
<footer><p>Impressum</p><form><input name="q"><button>Suchen</button></form></footer>
</body></html>"""


def test_parse_text_reads_title_and_paragraphs():
    title, body = parse_text("Title line\n\nFirst paragraph\nwrapped here.\n\n\nSecond paragraph.\n")
    assert title == "Title line"
    assert body == [["First paragraph", "wrapped here."], ["Second paragraph."]]


def test_parse_text_of_only_white_space_is_empty_text():
    with pytest.raises(ParseError) as caught:
        parse_text(" \n\n \n")
    assert caught.value.reason == "empty_text"


def test_html_extraction_keeps_the_article_and_drops_page_furniture():
    title, paragraphs, meta = parse_html(PAGE)
    text = "\n".join(" ".join(p) for p in paragraphs)
    assert title == "Neue Brücke über die Mosel eröffnet"
    assert "Nach drei Jahren Bauzeit" in text and "baulich getrennten Weg" in text
    for furniture in ("Skript", "Start", "Meistgelesen", "Impressum", "Weinbau", "Werbung", "Foto: Archiv"):
        assert furniture not in text
    assert not text.startswith("Neue Brücke")  # the title is not repeated in the body
    assert meta["published_at"] == "2024-05-02T08:00:00+02:00"
    assert meta["site_name"] == "Trierer Anzeiger" and meta["declared_language"] == "de"


def test_html_json_ld_and_time_tag_give_the_date():
    page = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", '
            '"datePublished": "2024-03-01T10:00:00Z"}</script></head><body><article><p>Body text here.</p>'
            '</article></body></html>')
    assert parse_html(page)[2]["published_at"] == "2024-03-01T10:00:00+00:00"
    page = '<html><body><article><time datetime="2024-03-02">2 March</time><p>Body.</p></article></body></html>'
    meta = parse_html(page)[2]
    assert (meta["published_at"], meta["published_at_source"], meta["published_at_precision"]) == (
        "2024-03-02", "time", "day")


def _dated(head: str, body: str = "", url: str | None = None) -> dict:
    page = (f'<html><head>{head}</head><body><article><h1>Ferry</h1>{body}<p>The new ferry runs every twenty '
            'minutes from June, the city said on Monday.</p></article></body></html>')
    return parse_html(page, url)[2]


def test_every_date_candidate_is_read_and_the_most_precise_of_the_trusted_day_wins():
    # an epoch-millisecond meta value no longer hides JSON-LD; both say the same day, JSON-LD is trusted first
    meta = _dated('<meta property="article:published_time" content="1715493600000">'
                  '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-12"}</script>')
    assert (meta["published_at"], meta["published_at_source"]) == ("2024-05-12T06:00:00+00:00", "jsonld")
    # a local format with a named zone, in <meta name="date">
    meta = _dated('<meta name="date" content="13.05.2026 15:44 CEST">')
    assert (meta["published_at"], meta["published_at_precision"]) == ("2026-05-13T15:44:00+02:00", "zoned")
    # "2026-05-13 15:44" has no zone: it stays a wall-clock time, unless a candidate of that hour gives the zone
    assert _dated('<meta name="pubdate" content="2026-05-13 15:44">')["published_at"] == "2026-05-13T15:44:00"
    meta = _dated('<meta name="pubdate" content="2026-05-13 15:44">',
                  '<time datetime="2026-05-13T15:00+02:00">13 May</time>')
    assert meta["published_at"] == "2026-05-13T15:44:00+02:00"
    # an unreadable first value costs nothing; the URL is the last resort
    assert _dated('<meta property="article:published_time" content="soon">'
                  '<meta name="dc.date" content="2024-02-01">')["published_at"] == "2024-02-01"
    meta = _dated("", url="https://news.example/2025/11/03/ferry-opens")
    assert (meta["published_at"], meta["published_at_source"]) == ("2025-11-03", "url")
    # the visible dateline, read by htmldate, when nothing is declared
    meta = _dated("", '<p class="dateline">Published 4 March 2025</p>')
    assert (meta["published_at"][:10], meta["published_at_source"]) == ("2025-03-04", "text")
    # a date in the future (an event announced in the page) is not a publication date
    assert "published_at" not in _dated('<meta name="date" content="2099-01-01">')
    # WordPress: the meta tag in UTC, the theme's <time> in the site's zone; the same instant is told in the page's
    # offset, so its day is the one the page shows (9:41 pm in New York, not 02:41 the next day in UTC)
    meta = _dated('<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">',
                  '<span class="posted-on"><time class="entry-date published" datetime="2025-12-18T21:41:41-05:00">'
                  'December 18, 2025</time></span>')
    assert (meta["published_at"], meta["published_at_source"]) == ("2025-12-18T21:41:41-05:00", "meta")
    # ... and a UTC instant stays UTC when the page gives no other zone
    assert _dated('<meta property="article:published_time" content="2025-12-19T02:41:41+00:00">')[
        "published_at"] == "2025-12-19T02:41:41+00:00"


@pytest.mark.parametrize("text,expected", [
    # written dates of several languages and scripts, with the time of day that follows them
    ("Von Katrin Vogelsang · 20. Dezember 2025, 14:30 Uhr", "2025-12-20T14:30:00"),
    ("Publié le 3 janv. 2025 à 10h30", "2025-01-03T10:30:00"),
    ("Actualizado el 20 de diciembre de 2025", "2025-12-20"),
    ("20 декабря 2025 г., 09:15", "2025-12-20T09:15:00"),
    ("2025年12月20日 15:44", "2025-12-20T15:44:00"),
    ("Last updated: November 13, 2025 ・ 3 min read", "2025-11-13"),
    ("May 13, 2026 at 3:44 p.m. EDT", "2026-05-13T15:44:00-04:00"),
    ("Mi., 10.12.2025 - 10:15 Uhr", "2025-12-10T10:15:00"),
    ("23.07.2025", "2025-07-23"),  # a date with dots is day-first, and has no time of day
    # not a day: a month, a year, a reading time, a date whose day and month could be swapped (04/09 or 09/04?)
    ("March 2024", None), ("© 2023 Talblatt Verlag", None), ("6 min read", None), ("04/09/2024", None),
    ("13/09/2024", "2024-09-13"),
])
def test_written_dates_are_read_in_many_languages_and_guesses_are_refused(text, expected):
    from tasks.dates import find_written_date

    found = find_written_date(text)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize("title,site,url,expected", [
    ("Neue Brücke eröffnet | Trierer Anzeiger", "Trierer Anzeiger", None, "Neue Brücke eröffnet"),
    ("Trierer Anzeiger - Neue Brücke eröffnet", "Trierer Anzeiger", None, "Neue Brücke eröffnet"),
    # the host names the site when no site name is declared
    ("Putin's war: a year on – The Daily Example", None, "https://www.thedailyexample.com/x", "Putin's war: a year on"),
    # a kicker or a clause after a separator is part of the headline, never "the shorter part"
    ("Grève : la SNCF annonce un trafic perturbé jeudi", "Le Courrier", None,
     "Grève : la SNCF annonce un trafic perturbé jeudi"),
    ("Floods close the A9 – drivers told to avoid the valley | Highland Herald", "Highland Herald", None,
     "Floods close the A9 – drivers told to avoid the valley"),
    ("日銀、追加利上げを決定：朝日新聞デジタル", "朝日新聞デジタル", None, "日銀、追加利上げを決定"),
    ("A title without a site name", None, None, "A title without a site name"),
    # a trailing part that is the start of a longer declared name, or a host's name written as a word
    ("Website Design Portfolio | Thrive Internet Marketing", "Thrive Internet Marketing Agency", None,
     "Website Design Portfolio"),
    ("How To Get Toddlers To Sleep In Their Own Bed | JOHNSON’S®", None, "https://www.johnsonsbaby.example/x",
     "How To Get Toddlers To Sleep In Their Own Bed"),
    # but not a leading part, where a place or a kicker is written: "New York" of "New York Ledger"
    ("New York - Subway fares rise in March", "New York Ledger", None, "New York - Subway fares rise in March"),
])
def test_strip_site_name(title, site, url, expected):
    from tasks.headline import host_names

    assert strip_site_name(title, [site] if site else [], host_names(url)) == expected


def test_headline_is_the_visible_h1_that_the_metadata_confirms():
    # og:title is the social variant, <title> carries the site; the page shows the <h1>
    h1s = ["Harbor Ledger", "Port of Halden expands night shifts as container traffic climbs", "Most read"]
    metas = ["Night shifts at the port: what changes", "Port of Halden expands night shifts | Harbor Ledger"]
    assert choose_headline(h1s, metas, ["Harbor Ledger"], "https://harborledger.example/a") == h1s[1]
    # no <h1> agrees with the metadata (a logo in <h1>): the best metadata title, without the site name
    assert choose_headline(["harborledger.example"], metas[1:], [], "https://harborledger.example/a") == (
        "Port of Halden expands night shifts")


def test_headline_is_whole_and_clean_where_themes_and_cmss_mangle_it():
    # a headline set in capitals for show: the metadata gives its case
    assert choose_headline(["WEEKEND CODING"], ["Weekend Coding Agent | Focus Labs"], [],
                           "https://focuslabs.example/r") == "Weekend Coding"
    # ... or in lower case (Britannica's topic pages), but a metadata title in capitals tells no case
    assert choose_headline(["history of coffee"], ["History of coffee | Origin, Spread, Facts | Britannica"],
                           ["Encyclopedia Britannica"], "https://www.britannica.example/topic/x") == "History of coffee"
    assert choose_headline(["restaurant"], ["RESTAURANT Definition & Meaning | Dictionary.example"], [],
                           "https://www.dictionary.example/browse/restaurant") == "restaurant"
    # the site's name inside the <h1>; an entity the CMS escaped twice
    assert choose_headline(["Critics’ Choice: the year in art – Artlyst"], ["Critics’ Choice: the year in art"],
                           ["Artlyst"], None) == "Critics’ Choice: the year in art"
    assert choose_headline([], ["Tools for 2026 | Python, SQL &#x26; AI"], [], None) == "Tools for 2026 | Python, SQL & AI"
    # og:title cut mid-word by a theme: the <title> completes it (its site name removed)
    cut = "Fix It Friday: We Help 4 Readers Find Solutions (In"
    whole = "Fix It Friday: We Help 4 Readers Find Solutions (Including One Trick) - Emily Henderson"
    assert choose_headline([], [cut, whole], ["Emily Henderson"], None) == (
        "Fix It Friday: We Help 4 Readers Find Solutions (Including One Trick)")
    # a JSON-LD headline an SEO plug-in cut at a word near 110 characters: og:title completes it
    whole = ("Fix It Friday: Struggling With How To Arrange Your Living Room? We Help 4 Readers Find Solutions "
             "(Including One Universal Trick That 9/10 Works)")
    assert choose_headline([], [whole[:107], whole + " - Emily Henderson"], ["Emily Henderson"], None) == whole
    # ... but a headline that long is whole when the longer title goes on after a separator (a section)
    long = "Port of Halden expands night shifts as container traffic climbs for the third month in a row, figures show"
    assert choose_headline([], [long, long + " | Opinion | Harbor Ledger"], ["Harbor Ledger"], None) == long
    # a whole og:title is not replaced by a longer <title> that adds a clause
    assert choose_headline([], ["US News MBA Rankings", "US News MBA Rankings - Stacy Consulting - MBA Admissions"],
                           [], None) == "US News MBA Rankings"


def _doc(kind, text, location="file:///x"):
    return Document("site", location, kind, b"", text)


def test_broken_pages_become_rejects_and_good_ones_articles():
    docs = [
        _doc("html", PAGE, "file:///good.html"),
        _doc("html", PAGE[:700], "file:///truncated.html"),
        _doc("html", "<html><head><title>Loading</title><script>app()</script></head><body><nav>Menu</nav>"
                     "</body></html>", "file:///empty.html"),
        _doc("txt", "\n\n", "file:///blank.txt"),
    ]
    result = parse_documents(docs)
    assert [a.location for a in result.items] == ["file:///good.html"]
    assert sorted((r.location, r.reason) for r in result.rejects) == [
        ("file:///blank.txt", "empty_text"), ("file:///empty.html", "empty_text"),
        ("file:///truncated.html", "truncated_html")]


def test_jsonl_records_become_articles_and_bad_lines_rejects():
    lines = [
        json.dumps({"url": "https://a.example/1", "title": "One", "text": "First.\n\nSecond.", "source": "wire",
                    "published_at": "2024-01-01T00:00:00Z"}),
        "{not json",
        json.dumps({"url": "https://a.example/2", "title": "Two", "html": "<p>Para one.</p><p>Para two.</p>"}),
        json.dumps(["a", "list"]),
        json.dumps({"url": "https://a.example/3", "title": "Three"}),
    ]
    result = parse_documents([_doc("jsonl", "\n".join(lines), "file:///x.jsonl")])
    first, second = result.items
    assert (first.url, first.source, first.title, first.paragraphs) == (
        "https://a.example/1", "wire", "One", [["First."], ["Second."]])
    assert (first.published_at, first.metadata["published_at_source"], first.metadata["published_at_precision"]) == (
        "2024-01-01T00:00:00+00:00", "record", "zoned")
    assert (second.source, second.paragraphs) == ("site", [["Para one."], ["Para two."]])
    assert sorted((r.location, r.reason) for r in result.rejects) == [
        ("file:///x.jsonl#L2", "parse_error"), ("file:///x.jsonl#L4", "parse_error"),
        ("file:///x.jsonl#L5", "empty_text")]


def test_a_sites_root_with_a_query_is_a_post_a_search_or_the_home_page():
    """WordPress' plain permalinks put posts at the site's root ("/?p=4211"), as Joomla puts articles at
    "/index.php?view=article&id=12"; a search ("/?s=") is a listing, and tracking parameters leave the home page
    the home page. og:type "article", which such themes print on every page, decides none of it."""
    post = ('<html><head><meta property="og:type" content="article"><title>Night ferry returns - Harbor Notes</title>'
            '</head><body><div id="page"><h1>Night ferry returns to the islands</h1><div class="entry">'
            '<p>The night ferry to the outer islands runs again from Friday, after a winter in which the harbour '
            'authority cut the late crossings to save fuel and crews.</p>'
            '<p>Islanders had collected more than two thousand signatures for the service, which carries nurses, '
            'shift workers and students home after the last bus.</p></div></div>'
            '<div id="sidebar"><h3>Recent posts</h3><ul>'
            + "".join(f'<li><a href="/?p={n}">Harbour diary, week {n}</a></li>' for n in range(4190, 4210))
            + '</ul></div></body></html>')
    for url in ("https://harbornotes.example/?p=4211", "https://harbornotes.example/index.php?view=article&id=12"):
        assert parse_html(post, url)[0] == "Night ferry returns to the islands"
    for url, why in (("https://harbornotes.example/?s=ferry", "a listing query"),
                     ("https://harbornotes.example/?utm_source=rss&fbclid=x", "a site's home page")):
        with pytest.raises(ParseError) as caught:
            parse_html(post, url)
        assert caught.value.reason == "not_article" and why in caught.value.detail


def test_a_section_front_of_cards_without_headings_is_no_article():
    """BBC's section fronts and Hacker News' lists carry their teasers in cards and table rows, not in headings:
    at a path of plain words, links and no paragraph of prose make a front; a short article there is kept."""
    def card_list(count: int) -> str:
        return "".join(f'<div class="card"><a href="/news/articles/c{n}"><span class="headline">Chip makers race '
                       f'to build plants number {n}</span><span class="summary">Analysis</span></a><span class='
                       f'"meta">{n} hrs ago</span></div>' for n in range(1, count + 1))

    cards = card_list(24)
    front = (f'<html><head><title>Technology - Daily Wire Service</title></head><body><nav>'
             f'<a href="/">Home</a><a href="/news">News</a></nav><main><h1>Technology</h1>{cards}</main></body></html>')
    with pytest.raises(ParseError) as caught:
        parse_html(front, "https://wire.example/news/technology")
    assert caught.value.reason == "not_article" and "links without prose" in caught.value.detail
    story = front.replace(cards, '<p>The chip maker said on Tuesday it would build two plants in the north, the '
                                 'largest investment in the region in a decade, and hire four thousand people.</p>'
                                 '<p>Unions welcomed the plan but asked for guarantees on training.</p>' + card_list(2))
    assert parse_html(story, "https://wire.example/news/technology")[0] == "Technology"
