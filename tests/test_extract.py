"""Extraction: golden pages in five languages (must / must not contain) and the benchmark quality gate."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tasks.article import Article
from tasks.clean import clean_articles
from tasks.config import CleanConfig
from tasks.parse import ParseError, parse_html
from tasks.read import decode_bytes

from .conftest import SHARED

GOLDEN = Path(__file__).parent / "golden"
EXPECTATIONS = tomllib.loads((GOLDEN / "expectations.toml").read_text(encoding="utf-8"))["pages"]
BENCHMARK = SHARED / "benchmarks" / "article-extraction"
QUALITY_GATE_F1 = 0.97  # the benchmark F1 newsflow must keep (issue 4); below it the change is a regression
WCXB = SHARED / "benchmarks" / "wcxb-dev"
# wcxb-dev article pages (issue 13): the figures measured when the gate was last raised, minus noise-free
# slack (the extractor is deterministic): a change that lowers one is a regression
WCXB_GATES = {"body": 0.95, "headline": 0.875, "date_day": 0.85, "authors": 0.825, "not_article_p": 0.99,
              "not_article_r": 0.262}
WCXB_MAX_REJECTED = 2


def stored_body(html: str, url: str | None = None) -> tuple[str, str, dict]:
    """Return (title, body, metadata) as newsflow stores them: extraction, then the clean stage's rules."""
    title, paragraphs, meta = parse_html(html, url)
    cleaned = clean_articles([Article("golden", "x", "x", title, paragraphs)], CleanConfig())
    return cleaned.items[0].title, cleaned.items[0].body, meta


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_golden_page(name):
    expected = EXPECTATIONS[name]
    html, _ = decode_bytes((GOLDEN / name).read_bytes())
    if expected.get("not_article"):
        with pytest.raises(ParseError) as caught:
            parse_html(html, expected["url"])
        assert caught.value.reason == "not_article"
        return
    title, body, meta = stored_body(html, expected.get("url"))
    assert title == expected["title"]
    missing = [snippet for snippet in expected["must_contain"] if snippet not in body]
    assert not missing, f"article text lost: {missing}\n--- body ---\n{body}"
    leaked = [snippet for snippet in expected["must_not_contain"] if snippet.casefold() in body.casefold()]
    assert not leaked, f"furniture kept: {leaked}\n--- body ---\n{body}"
    for field in ("published_at", "published_at_source", "authors", "organisation"):
        if field in expected:
            assert meta.get(field) == expected[field], f"{field}: {meta.get(field)!r}"


@pytest.mark.skipif(not (BENCHMARK / "ground-truth.json").exists(),
                    reason=f"the article-extraction benchmark is not at {BENCHMARK} (../shared absent)")
def test_benchmark_quality_gate():
    from benchmarks.extraction import evaluate, extract_newsflow, load_set

    figures, _ = evaluate("article-extraction", load_set("article-extraction"), extract_newsflow)
    assert figures["body"] >= QUALITY_GATE_F1, f"extraction regressed: {figures}"


@pytest.mark.skipif(not (WCXB / "ground-truth.json").exists(),
                    reason=f"the wcxb-dev benchmark is not at {WCXB} (../shared absent)")
def test_wcxb_quality_gate():
    from benchmarks.extraction import evaluate, extract_newsflow, load_set

    figures, _ = evaluate("wcxb-dev", load_set("wcxb-dev"), extract_newsflow)
    below = {k: (figures[k], v) for k, v in WCXB_GATES.items() if figures[k] < v}
    assert not below, f"extraction regressed on wcxb-dev (measured, gate): {below}"
    assert figures["rejected"] <= WCXB_MAX_REJECTED, f"real articles rejected: {figures['rejected']}"


def test_metadata_lands_in_the_normalised_tables(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    from .conftest import query

    warehouse = tmp_path / "w.duckdb"
    summary = ingest(sources=[str(GOLDEN)], warehouse=str(warehouse))
    # (local files have no URL: the home page and the section front are read as articles here; the category
    # archive declares a CollectionPage in its markup and is rejected wherever it comes from)
    assert summary["new_articles"] == len(EXPECTATIONS) - 1
    assert summary["rejects_by_reason"]["not_article"] == 1
    row = query(warehouse, """SELECT published_at, modified_at, site_name, description, image_url, section,
                                     declared_language FROM articles WHERE title LIKE 'Neue Fähre%'""")[0]
    assert [str(v) for v in row[:2]] == ["2024-05-12 06:30:00+00:00", "2024-05-12 09:05:00+00:00"]
    assert row[2:] == ("Rheinblick", "Die elektrische Fähre soll ab Juni im Zwanzig-Minuten-Takt fahren.",
                       "https://rheinblick.example/bilder/faehre.jpg", "Region", "de")
    authors = query(warehouse, """SELECT a.title, string_agg(w.name, '; ' ORDER BY aa.position)
                                  FROM article_authors aa JOIN authors w USING (author_id)
                                  JOIN articles a USING (article_id) GROUP BY 1 ORDER BY 1""")
    assert dict(authors) == {
        "Bremen: Neue Weserbrücke – Bauarbeiten starten im Herbst": "Anna Schmidt; Jens Müller",
        "Why local councils are quitting X – and where they are going instead": "Nair, Priya",
        "日銀、追加利上げを決定\u3000物価目標の達成に自信": "山田 花子",
        "Le refuge du Lac Blanc rouvre après deux ans de travaux": "Élodie Marchand; Paul Girard",
        "Neue Fähre verbindet Königswinter und Mehlem": "Jana Feldmann",
        "Port of Halden expands night shifts as container traffic climbs": "Sam Ortega",
        "У Вінниці запустили перший електробус власного виробництва": "Оксана Ткачук",
        "Weekend Field Notes: What Three Winters Taught Us About Heat Pumps": "Tim Ardent",
        "Rheinfähre Oberwinter–Unkel: Probebetrieb beginnt im März & Anwohner hoffen auf weniger Stau":
            "Katrin Vogelsang",
        "What Is an Index Fund? How to Start Investing": "Dana Whitfield",
        "Heat and Older Adults: What the Evidence Says": "Priya Raman",
        "Las cinco rutas en tren más bonitas del norte de España": "Lucía Beltrán",
        "Advent of Code 2025, week two": "Roger Bell"}
    tags = {r[0] for r in query(warehouse, "SELECT name FROM tags")}
    assert {"Verkehr", "Rhein", "montagne", "Chamonix", "мосты", "ports"} <= tags
    assert query(warehouse, "SELECT count(*) FROM article_tags")[0][0] == 10  # 2 + 3 + 3 + 2 declared
    # where each date came from and how precise it is; an agency credited as author is kept apart; local files
    # have no capture time
    dated = query(warehouse, """SELECT title, published_at_source, published_at_precision, organisation,
                                       captured_at FROM articles WHERE title LIKE 'Bremen%' OR title LIKE 'Neue Fähre%'
                                ORDER BY title""")
    assert dated == [("Bremen: Neue Weserbrücke – Bauarbeiten starten im Herbst", "jsonld", "zoned", "dpa", None),
                     ("Neue Fähre verbindet Königswinter und Mehlem", "meta", "zoned", None, None)]


def test_canonical_url_on_the_same_host_is_the_article_key():
    from tasks.parse import choose_url

    page = "https://news.example/2024/05/story.html?utm_source=feed"
    assert choose_url(page, "/2024/05/story.html") == "https://news.example/2024/05/story.html"
    assert choose_url(page, "https://www.news.example/2024/05/story.html") == (
        "https://www.news.example/2024/05/story.html")
    assert choose_url(page, "https://original-outlet.example/story") == page  # syndication stays its own article
    assert choose_url("file:///data/page.html", "https://news.example/x") == "file:///data/page.html"


def test_a_summary_box_with_the_bodys_class_does_not_outscore_the_body():
    # a guide whose standfirst sits in the same rich-text class as the body ("c-wysiwyg": +25 for a content-like
    # name) and whose body is split into short steps full of links to further guidance: the steps hold the article
    steps = "".join(
        f'<div class="guide-step" id="step-{n}"><h2>Step {n}: {topic}</h2><div class="c-wysiwyg"><p>{text}</p><p>'
        f'Most small firms can do this in an afternoon, see <a href="/guidance/{n}">our detailed guidance for '
        f'this step</a> and <a href="/toolkit/{n}">the free toolkit</a>.</p></div></div>'
        for n, (topic, text) in enumerate([
            ("Back up your data", "Identify the files your business cannot run without and copy them somewhere "
             "that is not connected to the computer they came from."),
            ("Protect against malware", "Switch on the antivirus that ships with the operating system and keep "
             "every program updated, because most attacks use holes that were fixed months ago."),
            ("Keep phones safe", "Set a screen lock on every phone and tablet, and make sure lost devices can be "
             "found and wiped from a web browser."),
            ("Use strong passwords", "Use a password manager and turn on two-step checks for email, banking and "
             "anything that holds customer records.")], start=1))
    page = ('<html><head><title>Small business guide: cyber security</title></head><body><main>'
            '<div class="hero"><h1>Small business guide: cyber security</h1><div class="lead-text c-wysiwyg">'
            '<p>How to improve your cyber security; affordable, practical advice for businesses.</p></div></div>'
            '<div class="layout"><nav class="steps-nav"><a href="#step-1">Backing up</a></nav>'
            f'<div class="layout-main"><p class="pager">Page 1 of 5</p>{steps}</div></div></main></body></html>')
    body = stored_body(page)[1]
    assert "copy them somewhere that is not connected" in body
    assert "Use a password manager and turn on two-step checks" in body


def test_a_service_page_of_equal_sections_is_read_whole_not_a_parse_error():
    # a local-services page (a mover's city page, a Material UI accordion of questions): the best-scored boxes are
    # the questions' "-content" boxes, whose common ancestor is too far above their paragraphs to have a score of
    # its own; it stood for them without a score and the page was a parse_error
    def section(title: str, sentences: list[str]) -> str:
        paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
        return f'<section class="block"><div class="block__inner"><h2>{title}</h2><div class="rich">{paragraphs}</div></div></section>'

    page = ("<html><head><title>San Francisco Movers | Hauling Co.</title></head><body><header><a href='/'>Home</a>"
            "</header><main><h1>San Francisco Movers</h1>"
            + section("Local moves", [
                "Our crews move apartments and houses across every neighbourhood of the city from the Sunset to the "
                "Mission and the Richmond with trucks sized for narrow streets and steep hills and with drivers who "
                "know where a truck may stop and where it may not stop during the morning rush",
                "Most one-bedroom moves take three to four hours and we quote the whole job with the stairs and the "
                "parking permits included before the first box is lifted so that the price you agree to is the "
                "price you pay at the end of the day when the last box is in",
                "Larger homes get a second truck and a crew lead who walks through every room with you before the "
                "start so that nothing is left behind in a closet or a garage and nothing goes to the wrong floor "
                "of the new place when the boxes are unloaded",
                "We move offices on evenings and weekends so that your team can leave on a Friday afternoon and find "
                "every desk and screen and cable in place and working on Monday morning without losing a single "
                "day of work to the move itself"])
            + section("Packing", [
                "Packers arrive the day before with boxes, paper and wardrobe cartons, label every box by room, and "
                "wrap furniture so that nothing rubs on the way down the stairs.",
                "Fragile items such as glassware, paintings and lamps travel in crates we build on site, and we "
                "unpack them at the new home if you ask us to."])
            + section("Storage", [
                "When the new place is not ready, your things wait in our heated warehouse in Oakland, in sealed "
                "vaults that are opened only when you are there.",
                "Storage is billed by the month with no minimum term, and the first month is free when the move and "
                "the storage are booked together."])
            # the FAQ accordion: each question in a "-content" box (a content-like name: +25), the answers collapsed
            + '<div class="faq"><h2>Questions</h2>' + "".join(
                f'<div class="faq-item"><div class="faq-summary" role="button"><div class="faq-summary-content">'
                f'<p>{q}</p></div></div><div class="faq-answer" hidden><p>{q} See our pricing page.</p></div></div>'
                for q in ("How much do San Francisco movers cost per hour?", "Do you move pianos and safes too?",
                          "Can you move us on a weekend or a public holiday?", "Is my furniture insured during the move?"))
            + "</div></main><footer>© Hauling Co.</footer></body></html>")
    title, paragraphs, _ = parse_html(page, "https://hauling.example/ca/san-francisco/movers/")
    body = "\n".join(" ".join(p) for p in paragraphs)
    assert title == "San Francisco Movers"
    for words in ("trucks sized for narrow streets", "find every desk and screen", "crates we build on site",
                  "heated warehouse in Oakland"):
        assert words in body


def test_a_date_the_theme_prints_inside_the_headline_is_not_part_of_it():
    # static-site blog themes print the post's date in a <time> inside the <h1> (and a permalink around both)
    page = ('<html><head><title>Preparing a transition in Debusine | Colin\'s blog</title></head><body>'
            '<header><a href="/">Colin\'s blog</a></header><article><header><h1><a href="/blog/transitions.html" '
            'rel="bookmark"><time class="m-date" datetime="2025-12-18T13:21:19+00:00">Dec <span>18</span> 2025'
            '</time> Preparing a transition in Debusine</a></h1></header>'
            '<p>Debusine can now run the whole of a library transition in one workspace, rebuilding the reverse '
            'dependencies against the new version before anything reaches the archive.</p><p>This post walks '
            'through the workflow we used for the last transition and what we would change next time.</p>'
            '</article></body></html>')
    title, _, meta = parse_html(page, "https://blog.example.org/blog/transitions.html")
    assert title == "Preparing a transition in Debusine"
    assert meta["published_at"].startswith("2025-12-18T13:21:19")  # the date still dates the post


def test_page_index_finds_what_the_attribute_xpaths_find():
    """index_page walks the page once for what XPaths with attribute predicates found: the same elements, in order."""
    from lxml import etree

    from tasks.extract import parse_document
    from tasks.markup import index_page

    html = """<html><body><header class="site-header" role="banner"><nav id="menu"><a href="/">Home</a>
      <a href="/author/jane-roe/" rel="nofollow  author">Jane Roe</a></nav></header>
      <div hidden><span style="display:none">x</span></div>
      <article itemscope><h1 itemprop="headline">Harbour vote</h1>
        <p class="byline">By <a rel="author" itemprop="author" href="/people/ann-lee">Ann Lee</a> and
        <span itemprop="author"><span itemprop="name">Bo Kim</span></span>, <a rel="authorship">not this</a>,
        <a rel="author">no link</a> <time itemprop="datePublished" datetime="2025-03-02">March 2</time></p>
        <meta itemprop="dateCreated" content="2025-03-01"><p aria-hidden="true">hidden</p><p>Plain text.</p>
      </article><footer><a href="mailto:desk@example.org">Contact</a><a>no href</a></footer></body></html>"""
    root = parse_document(html)[0]
    index = index_page(root)
    named = etree.XPath("//*[@class or @id or @role or @itemprop or @hidden or @aria-hidden or @style]")(root)
    credited = etree.XPath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")] | '
                           '//*[@itemprop="author"]')(root)
    assert index.named == named and len(named) == 12
    assert index.credited == credited and [" ".join(e.xpath("string()").split()) for e in credited] == [
        "Jane Roe", "Ann Lee", "Bo Kim", "no link"]
    assert index.links == etree.XPath("//a[@href]")(root) and len(index.links) == 4
