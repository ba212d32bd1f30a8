"""Stage 2: parsing the seed text format, HTML pages and JSON Lines exports."""
import json

import pytest

from tasks.article import Document
from tasks.parse import ParseError, parse_documents, parse_html, parse_text, strip_site_suffix

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
    assert parse_html(page)[2]["published_at"] == "2024-03-02T00:00:00"


@pytest.mark.parametrize("title,site,expected", [
    ("Neue Brücke eröffnet | Trierer Anzeiger", "Trierer Anzeiger", "Neue Brücke eröffnet"),
    ("Trierer Anzeiger - Neue Brücke eröffnet", "Trierer Anzeiger", "Neue Brücke eröffnet"),
    ("Putin's war: a year on – The Daily Example", None, "Putin's war: a year on"),
    ("A title without a site name", None, "A title without a site name"),
])
def test_strip_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected


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
    assert first.published_at == "2024-01-01T00:00:00Z"
    assert (second.source, second.paragraphs) == ("site", [["Para one."], ["Para two."]])
    assert sorted((r.location, r.reason) for r in result.rejects) == [
        ("file:///x.jsonl#L2", "parse_error"), ("file:///x.jsonl#L4", "parse_error"),
        ("file:///x.jsonl#L5", "empty_text")]
