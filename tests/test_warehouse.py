"""The warehouse: migrations, declared load semantics, lock handling and all-or-nothing loads."""
import subprocess
import sys
import time
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from tasks.article import Article, Reject
from tasks.config import DedupConfig
from tasks.dedup import sign_articles
from warehouse.connection import WarehouseBusy, WarehouseMissing, connect, list_migrations, memory_steps
from warehouse.load import load_run, stage_batch, write_table


def test_migrations_are_applied_once_and_recorded(tmp_path):
    path = tmp_path / "w.duckdb"
    con = connect(path)
    versions = [v for v, _, _ in list_migrations()]
    assert [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == versions
    con.close()
    con = connect(path)
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"sources", "runs", "articles", "duplicates", "removed_lines", "rejects", "unique_articles",
            "daily_articles"} <= names
    con.close()


def test_a_load_gets_twice_the_memory_each_time_up_to_the_most():
    assert memory_steps("128MB", "1GB") == ["128MB", "256MB", "512MB", "1GB"]
    assert memory_steps("100MB", "300MB") == ["100MB", "200MB", "300MB"]
    assert memory_steps("1GB", "512MB") == ["1GB"]  # the first limit is always tried
    with pytest.raises(ValueError, match="not a size"):
        memory_steps("lots", "1GB")


def test_reading_a_missing_warehouse_says_so(tmp_path):
    with pytest.raises(WarehouseMissing, match="newsflow run"):
        connect(tmp_path / "nothing.duckdb", read_only=True)


def test_merge_keeps_declared_columns_and_replace_swaps_child_rows(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    now = datetime.now(timezone.utc)
    rejects = lambda run, detail: pa.table({
        "reject_id": ["r1"], "run_id": [run], "last_run_id": [run], "source_id": ["s"], "location": ["file:///x"],
        "stage": ["read"], "reason": ["binary"], "detail": [detail], "first_seen_at": [now], "last_seen_at": [now]})
    write_table(con, "rejects", rejects("run-1", "first"))
    write_table(con, "rejects", rejects("run-2", "second"))
    assert con.execute("SELECT run_id, last_run_id, detail FROM rejects").fetchall() == [("run-1", "run-2", "second")]
    # a key given twice in one write is one row, the last given (rejects has no primary key to refuse it: 015)
    write_table(con, "rejects", pa.concat_tables([rejects("run-3", "third"), rejects("run-3", "fourth")]))
    write_table(con, "rejects", pa.concat_tables([rejects("run-4", "new-a"), rejects("run-4", "new-b")]).set_column(
        0, "reject_id", pa.array(["r2", "r2"])))
    assert con.execute("SELECT reject_id, run_id, last_run_id, detail FROM rejects ORDER BY 1").fetchall() == [
        ("r1", "run-1", "run-3", "fourth"), ("r2", "run-4", "run-4", "new-b")]
    # a key of two columns: rows differing in either are two rows; the same pair is updated in place
    overrides = lambda pairs: pa.table({"source_id": [p[0] for p in pairs], "line_hash": [p[1] for p in pairs],
                                        "text": [p[2] for p in pairs], "decision": ["content"] * len(pairs),
                                        "decided_at": [now] * len(pairs)})
    write_table(con, "boilerplate_overrides", overrides([("s", "h1", "one"), ("s", "h2", "two"), ("t", "h1", "x")]))
    write_table(con, "boilerplate_overrides", overrides([("s", "h1", "ONE"), ("t", "h2", "y")]))
    assert con.execute("SELECT source_id, line_hash, text FROM boilerplate_overrides ORDER BY 1, 2").fetchall() == [
        ("s", "h1", "ONE"), ("s", "h2", "two"), ("t", "h1", "x"), ("t", "h2", "y")]
    lines = lambda ids: pa.table({"article_id": ids, "position": [1] * len(ids), "text": ["t"] * len(ids),
                                  "rule": ["x"] * len(ids)})
    write_table(con, "removed_lines", lines(["a", "a", "b"]))
    write_table(con, "removed_lines", lines(["a"]))
    assert con.execute("SELECT article_id, count(*) FROM removed_lines GROUP BY 1 ORDER BY 1").fetchall() == [
        ("a", 1), ("b", 1)]
    write_table(con, "removed_lines", lines([])[:0], scope=pa.table({"article_id": ["b"]}))
    assert con.execute("SELECT DISTINCT article_id FROM removed_lines").fetchall() == [("a",)]
    con.close()


def test_a_held_warehouse_is_reported_busy_not_as_a_traceback(tmp_path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); "
                               "time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        told = []
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="busy"):
            connect(path, read_only=True, timeout=1.5, notify=told.append)
        assert time.monotonic() - started >= 1.0
        assert told and "retrying" in told[0]
    finally:
        holder.kill()
        holder.wait()
    connect(path, read_only=True).close()  # free again once the holder is gone


def _staged(tmp_path, texts):
    articles = []
    for i, text in enumerate(texts):
        a = Article("site", f"https://x/{i}", f"https://x/{i}", f"T{i}", [])
        a.body, a.language = text, "en"
        articles.append(a)
    sign_articles(articles, DedupConfig())
    staging = tmp_path / "staging"
    stage_batch(staging, 1, articles, [Reject("site", "file:///bad", "read", "binary", "png")])
    return staging


def _run(run_id):
    return {"run_id": run_id, "name": None, "started_at": datetime.now(timezone.utc), "status": "succeeded",
            "inputs": ["x"], "documents_read": 3, "summary": {}, "error": None}


def test_a_load_that_fails_before_commit_leaves_nothing(tmp_path):
    staging = _staged(tmp_path, ["one text about a bridge", "another text about a market", "a third text"])
    con = connect(tmp_path / "w.duckdb")

    def fail():
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        load_run(con, staging, _run("r1"), {"site": {"kind": "directory", "location": "/x"}}, DedupConfig(), fail)
    for table in ("articles", "runs", "rejects", "sources", "article_bands", "duplicates"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    counts = load_run(con, staging, _run("r2"), {"site": {"kind": "directory", "location": "/x"}}, DedupConfig())
    assert (counts.new_articles, counts.rejects) == (3, 1)
    again = load_run(con, staging, _run("r3"), {"site": {"kind": "directory", "location": "/x"}}, DedupConfig())
    assert (again.new_articles, again.unchanged_articles) == (0, 3)
    assert con.execute("SELECT count(*), min(first_seen_run), max(last_seen_run) FROM articles").fetchone() == (
        3, "r2", "r3")
    con.close()


def test_the_same_url_with_new_text_is_updated_in_place(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    sources = {"site": {"kind": "directory", "location": "/x"}}
    texts = ["the harbour reopened after repairs to the breakwater", "a market closes for renovation",
             "the tram returns to the boulevard in spring"]
    load_run(con, _staged(tmp_path / "a", texts), _run("r1"), sources, DedupConfig())
    before = con.execute("SELECT count(*) FROM article_bands").fetchone()[0]
    texts[1] = "a market closes for renovation until next summer, the management said"
    counts = load_run(con, _staged(tmp_path / "b", texts), _run("r2"), sources, DedupConfig())
    assert (counts.new_articles, counts.updated_articles, counts.unchanged_articles) == (0, 1, 2)
    assert con.execute("SELECT body, first_seen_run, last_seen_run FROM articles WHERE url = 'https://x/1'"
                       ).fetchone() == (texts[1], "r1", "r2")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM article_bands").fetchone()[0] == before
    con.close()


def test_a_warehouse_of_before_sites_is_moved_over_with_every_row_and_a_site_for_each(tmp_path):
    """Migrations 012-013 and 015 on a warehouse written before them: articles get their site, nothing is lost."""
    path = tmp_path / "w.duckdb"
    web = Article("crawl", "https://www.bbc.co.uk/news/a", "https://www.bbc.co.uk/news/a", "Flood barriers hold",
                  [["Flood barriers along the river held overnight, officials said."]], body="Flood barriers held.",
                  line_hashes={"aa": 20})
    local = Article("oderbote", "file:///data/oderbote/a.txt", "file:///data/oderbote/a.txt", "Buslinie",
                    [["Ab Montag fährt die Linie 450."]], body="Ab Montag fährt die Linie 450.", line_hashes={"bb": 30})
    signed = sign_articles([web, local], DedupConfig()).items
    staging = tmp_path / "staging"
    stage_batch(staging, 1, signed, [])
    con = connect(path)
    load_run(con, staging, {"run_id": "r1", "name": None, "started_at": datetime.now(timezone.utc),
                            "status": "succeeded", "inputs": [], "documents_read": 2, "summary": {}, "error": None},
             {"crawl": {"kind": "warc", "location": "/data/crawl"}, "oderbote": {"kind": "directory",
                                                                                 "location": "/data/oderbote"}},
             DedupConfig())
    # as a warehouse of the version before: no site, no read_to, migrations 12 and 13 not applied
    con.execute("ALTER TABLE articles DROP COLUMN site")
    con.execute("ALTER TABLE article_lines DROP COLUMN site")
    con.execute("ALTER TABLE local_files DROP COLUMN read_to")
    con.execute("DELETE FROM schema_migrations WHERE version IN (12, 13, 15)")  # 15 rebuilds the keyed tables
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (
        "articles", "article_lines", "article_signatures", "search_docs", "local_files", "authors")}
    con.close()
    con = connect(path)  # a writer applies what is missing
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before} == before
    assert con.execute("SELECT url, site FROM articles ORDER BY url").fetchall() == [
        ("file:///data/oderbote/a.txt", "oderbote"), ("https://www.bbc.co.uk/news/a", "bbc.co.uk")]
    assert con.execute("SELECT count(*) FROM article_lines WHERE site IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT site, articles FROM site_activity ORDER BY site").fetchall() == [
        ("bbc.co.uk", 1), ("oderbote", 1)]
    con.close()


def test_a_duckdb_1x_client_reads_the_warehouse(tmp_path_factory, tmp_path):
    """Notebooks, R and JDBC tools that still ship DuckDB 1.x open the warehouse (storage_version v1.0.0)."""
    import venv

    client = tmp_path_factory.mktemp("duckdb1x")
    venv.create(client, with_pip=True)
    python = client / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "duckdb==1.1.3"], capture_output=True, text=True, timeout=600)
    if installed.returncode != 0:
        pytest.skip(f"the package index cannot be reached to install DuckDB 1.1.3: {installed.stderr[-300:]}")
    path = tmp_path / "w.duckdb"
    con = connect(path)  # creates and migrates: every table and view of the schema
    con.execute("INSERT INTO sources (source_id, name, kind, location, first_seen_run) "
                "VALUES ('s1', 'oderbote', 'directory', '/data', 'r1')")
    con.close()
    read = subprocess.run([str(python), "-c", "import duckdb; c = duckdb.connect(%r, read_only=True); "
                           "print(duckdb.__version__, c.execute('SELECT name FROM sources').fetchall(), "
                           "c.execute('SELECT count(*) FROM site_activity').fetchall())" % str(path)],
                          capture_output=True, text=True, timeout=300)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "1.1.3 [('oderbote',)] [(0,)]"


def _load(con, tmp_path, run_id, articles, language="en"):
    """Sign, index and stage ``articles`` (each its own site) and load them as run ``run_id``."""
    from tasks.search import index_articles

    for a in articles:
        a.language = a.language if a.language != "und" else language
    sign_articles(articles, DedupConfig())
    index_articles(articles)
    staging = tmp_path / f"staging-{run_id}"
    stage_batch(staging, 1, articles, [])
    return load_run(con, staging, _run(run_id), {a.source: {"kind": "directory", "location": "/x"} for a in articles},
                    DedupConfig())


def test_passages_find_a_later_runs_teaser_in_the_warehouse_and_not_a_rival_sharing_its_lead(tmp_path):
    """Story and rival in run 1; the story's teaser (last sentence cut) in run 2 joins the story through the stored
    passages; in run 3 a digest made of the lead and the quote that the rival shares joins neither: in both stories
    those two passages are apart, not a run of the story, and its headline is its own."""
    from .test_dedup import ORIGINAL, SAME_EVENT

    def make(source, url, title, paragraphs):
        a = Article(source, url, url, title, [])
        a.body = "\n\n".join(paragraphs)
        return a

    con = connect(tmp_path / "w.duckdb")
    story = make("courier", "https://courier.example/1", "Grain barges resume Danube runs", ORIGINAL)
    rival = make("rival", "https://rival.example/1", "LIVE: Grain barges resume Danube runs",
                 [ORIGINAL[0] + " " + SAME_EVENT[2], ORIGINAL[2]] + SAME_EVENT[3:])
    _load(con, tmp_path, "r1", [story, rival])
    positions = con.execute("SELECT list(position ORDER BY position) FROM article_paragraphs WHERE article_id = ?",
                            [story.article_id]).fetchone()[0]
    # seven sentences of 8+ words (the quote paragraph two; "Traders caution that the recovery remains fragile." has
    # seven words), each stored with its rank in the story
    assert positions == list(range(7))
    teaser = make("digest", "https://digest.example/1", "Grain barges resume Danube runs",
                  [ORIGINAL[0], " ".join(ORIGINAL[1].split()[:15]) + "…"])
    counts = _load(con, tmp_path, "r2", [teaser])
    assert counts.duplicates == 1
    lead_and_quote = make("digest2", "https://digest2.example/1", "Barges are back on the Danube",
                          [ORIGINAL[0], ORIGINAL[2]])
    _load(con, tmp_path, "r3", [lead_and_quote])
    rows = dict(con.execute("SELECT article_id, duplicate_of FROM duplicates").fetchall())
    assert rows == {teaser.article_id: story.article_id}  # the lead and quote alone: neither story's part
    con.close()


def test_search_by_language_zh_finds_traditional_and_simplified_chinese(tmp_path):
    from warehouse.search import search

    con = connect(tmp_path / "w.duckdb")
    taipei = Article("tw", "https://tw.example/1", "https://tw.example/1", "捷運環狀線北段明年動工", [],
                     body="台北市政府昨天宣布，捷運環狀線北段工程將在明年底動工。", language="zh-tw")
    chengdu = Article("cn", "https://cn.example/1", "https://cn.example/1", "成都地铁十三号线明年通车", [],
                      body="成都市政府昨天宣布，地铁十三号线将于明年年底全线通车。", language="zh-cn")
    tokyo = Article("jp", "https://jp.example/1", "https://jp.example/1", "東京の地下鉄が延伸", [],
                    body="東京都は地下鉄の延伸計画を明年に始めると発表した。", language="ja")
    _load(con, tmp_path, "r1", [taipei, chengdu, tokyo])
    assert {hit["language"] for hit in search(con, "市政府", "zh")} == {"zh-tw", "zh-cn"}
    assert [hit["language"] for hit in search(con, "市政府", "zh-tw")] == ["zh-tw"]
    assert search(con, "市政府", "z") == []  # a prefix of a code is not a language
    con.close()
