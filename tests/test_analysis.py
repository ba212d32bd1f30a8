"""Analysis views and the Parquet export, on the bundled examples."""
import duckdb

from .conftest import EXAMPLES, query

SOURCES = sorted(str(p) for p in EXAMPLES.iterdir() if p.is_dir())


def test_views_answer_the_analysts_questions_and_export_writes_parquet(prefect_api_url, newsflow, tmp_path):
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    ingest(sources=SOURCES, warehouse=str(warehouse))
    # outlets are sites: a local text folder's site is its name, the JSONL export's records are rhein-post.example's
    assert query(warehouse, "SELECT title, members, outlets, sites, sources, hours_first_to_last "
                            "FROM duplicate_groups") == [
        ("Grain barges resume Danube runs as insurance costs fall", 2, 2, ["kyiv-ledger", "rhein-post.example"],
         ["kyiv-ledger", "rhein-post"], 12.0)]
    assert query(warehouse, "SELECT original_site, copying_site, copies FROM syndication") == [
        ("kyiv-ledger", "rhein-post.example", 1)]
    for view, column in (("boilerplate_by_source", "source"), ("boilerplate_by_site", "site")):
        learned = query(warehouse, f"SELECT {column}, lines_removed, share_of_text FROM {view} "
                                   "WHERE rule = 'learned' ORDER BY 1")
        assert [row[:2] for row in learned] == [("kyiv-ledger", 6), ("moskva-vestnik", 5)]
        assert all(0 < row[2] < 0.5 for row in learned)
    assert query(warehouse, "SELECT site, articles, sources FROM site_activity ORDER BY site") == [
        ("iberia-diario", 3, ["iberia-diario"]), ("kyiv-ledger", 6, ["kyiv-ledger"]),
        ("moskva-vestnik", 5, ["moskva-vestnik"]), ("rhein-post.example", 5, ["rhein-post"]),
        ("sud-matin", 3, ["sud-matin"])]
    assert query(warehouse, "SELECT sum(articles) FROM daily_by_language") == [(22,)]
    assert query(warehouse, "SELECT sum(articles) FROM source_activity") == [(22,)]
    assert query(warehouse, "SELECT sum(rejects) FROM rejects_daily") == [(8,)]
    history = query(warehouse, "SELECT status, articles, parse_s IS NOT NULL, load_s IS NOT NULL FROM run_history")
    assert history == [("succeeded", 22, True, True)]

    out = tmp_path / "export"
    done = newsflow("export", "--format", "parquet", "--out", str(out), "--warehouse", str(warehouse))
    assert "articles 22" in done.stdout
    exported = duckdb.sql(f"SELECT count(*), count(DISTINCT day) FROM read_parquet('{out}/articles/**/*.parquet', "
                          "hive_partitioning = true)").fetchall()
    assert exported[0][0] == 22 and exported[0][1] >= 10
    assert duckdb.sql(f"SELECT count(*) FROM '{out}/duplicates.parquet'").fetchall() == [(1,)]


def test_search_ranks_matches_in_any_script_with_filters_and_snippets(prefect_api_url, newsflow, tmp_path):
    import json

    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    ingest(sources=SOURCES, warehouse=str(warehouse))
    hits = json.loads(newsflow("search", "пешеходный мост", "--warehouse", str(warehouse), "--format", "json").stdout)
    assert hits[0]["title"] == "На Яузе открыли пешеходный мост к парку" and hits[0]["language"] == "ru"
    assert "«пешеходный»" in hits[0]["snippet"] or "«мост»" in hits[0]["snippet"]
    both = json.loads(newsflow("search", "grain barges Danube insurance", "--warehouse", str(warehouse),
                               "--format", "json").stdout)
    assert {h["source"] for h in both[:2]} == {"kyiv-ledger", "rhein-post"}
    only = json.loads(newsflow("search", "grain barges", "--source", "rhein-post", "--warehouse", str(warehouse),
                               "--format", "json").stdout)
    assert [h["source"] for h in only] == ["rhein-post"]
    by_site = json.loads(newsflow("search", "grain barges", "--site", "rhein-post.example", "--warehouse",
                                  str(warehouse), "--format", "json").stdout)
    assert [(h["site"], h["source"]) for h in by_site] == [("rhein-post.example", "rhein-post")]
    assert json.loads(newsflow("search", "grain barges", "--language", "ru", "--warehouse", str(warehouse),
                               "--format", "json").stdout) == []
    recent = json.loads(newsflow("search", "мост", "--since", "2024-10-11", "--warehouse", str(warehouse),
                                 "--format", "json").stdout)
    assert all(h["date"] >= "2024-10-11" for h in recent)
    # words are matched by stem in the article's language: a plural the text never uses finds the bridge story
    inflected = json.loads(newsflow("search", "пешеходные мосты", "--warehouse", str(warehouse),
                                    "--format", "json").stdout)
    assert inflected[0]["title"] == "На Яузе открыли пешеходный мост к парку"
    assert "«пешеходный»" in inflected[0]["snippet"] or "«мост»" in inflected[0]["snippet"]
    table = newsflow("search", "Одеська опера", "--warehouse", str(warehouse))
    assert table.stdout.startswith(" 1. Одеська опера відновлює прем'єри") and "(1 result" in table.stdout


def test_search_terms_split_unspaced_scripts_into_bigrams_and_highlights_stay_on_the_word():
    from tasks.search import make_snippet, tokenize

    body = "気象庁は大津波警報を発表した。"
    assert "津波" in tokenize(body) and tokenize("津波") == ["津波"]  # a word inside a run of characters is found
    assert set(tokenize("津波警報")) <= set(tokenize(body))
    assert tokenize("서울 지하철") == ["서울", "지하", "하철"]
    assert make_snippet(body, tokenize("津波")) == "気象庁は大«津波»警報を発表した。"
    # folding changes lengths ("ß" -> "ss"): the highlight still marks the word itself
    text = "Die große Straße in Köln war wegen der Flut gesperrt, sagte die Polizei am Morgen."
    assert "«Flut»" in make_snippet(text, tokenize("flut")) and "«Straße»" in make_snippet(text, tokenize("STRASSE"))


def test_search_terms_are_stemmed_in_the_articles_language_and_a_query_word_counts_once():
    from tasks.article import Article
    from tasks.search import index_articles, make_snippet, query_variants

    german = Article(source="s", location="a", url="a", title="Folgen des Klimawandels",
                     paragraphs=[], body="Die Folgen des Klimawandels treffen die Häfen am Rhein.", language="de")
    english = Article(source="s", location="b", url="b", title="Elections in the north",
                      paragraphs=[], body="Officials said the elections were held in a selected district.", language="en")
    unknown = Article(source="s", location="c", url="c", title="Ulwandle",
                      paragraphs=[], body="Abantu abaningi bahlala ngasolwandle.", language="zu")
    index_articles([german, english, unknown])
    assert "klimawandel" in german.terms and "klimawandels" not in german.terms
    assert "elect" in english.terms and "elections" not in english.terms
    assert "abaningi" in unknown.terms  # no Snowball stemmer for Zulu: indexed as written
    # the query "Klimawandel" (no language of its own) reaches the German stem; each word is one numbered word
    variants = query_variants("Klimawandel Wahlen", ["de", "en"])
    assert (0, "klimawandel") in variants and {word for word, _ in variants} == {0, 1}
    # a stem marks its whole word, and only where a word starts with it ("elect" is not "selected")
    snippet = make_snippet(english.body, [term for _, term in query_variants("election", ["en"])])
    assert "«elections»" in snippet and "«selected»" not in snippet
