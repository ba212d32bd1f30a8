"""End to end: the Prefect flow and the ``newsflow`` command on the examples, the seeds and bad input."""
import json
import re
import shutil
import signal

from .conftest import EXAMPLES, SEEDS, query, requires_seeds, table_snapshot
from .seedcases import expected_article

EXAMPLE_SOURCES = sorted(str(p) for p in EXAMPLES.iterdir() if p.is_dir())


def test_flow_ingests_the_examples_under_the_prefect_harness(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    summary = ingest(sources=EXAMPLE_SOURCES, warehouse=str(warehouse))
    assert summary["articles"] == summary["new_articles"] == 22
    assert summary["rejects_by_reason"] == {"binary": 1, "empty_file": 1, "empty_text": 2, "parse_error": 1,
                                            "truncated_html": 1, "undecodable": 1, "unsupported_type": 1}
    assert set(summary["languages"]) == {"en", "uk", "ru", "de", "fr", "es"}
    # the Danube story syndicated by rhein-post points at the kyiv-ledger original, seen first
    rows = query(warehouse, """
        SELECT sa.name, so.name, d.method FROM duplicates d
        JOIN articles a USING (article_id) JOIN sources sa ON sa.source_id = a.source_id
        JOIN articles o ON o.article_id = d.duplicate_of JOIN sources so ON so.source_id = o.source_id""")
    assert rows == [("rhein-post", "kyiv-ledger", "near")]
    assert query(warehouse, "SELECT count(*) FROM unique_articles")[0][0] == 21
    # encodings came out right: cp1251, koi8-r, utf-16, latin-1 and cp1252 files
    titles = {r[0] for r in query(warehouse, "SELECT title FROM articles")}
    assert {"Библиотека на Покровке будет работать круглосуточно", "Даниловский рынок закроют на реконструкцию",
            "Одеська опера відновлює прем'єри попри повітряні тривоги",
            "Nîmes lance la restauration de la façade des arènes",
            "Bilbao abre al baño un tramo de la ría por primera vez en un siglo"} <= titles
    # every removed line is recorded with its rule; the site's repeated plea was learned
    rules = dict(query(warehouse, "SELECT rule, count(*) FROM removed_lines GROUP BY 1"))
    assert rules["learned"] >= 6 and rules["advertisement"] >= 5
    body = query(warehouse, "SELECT body FROM articles WHERE title LIKE 'Night train%'")[0][0]
    assert "funded by its readers" not in body and "Back in 2022, the route" in body
    assert query(warehouse, "SELECT sum(articles) FROM daily_articles")[0][0] == 22


def test_small_batches_stream_the_files_and_load_the_same_run(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    whole, small = tmp_path / "whole.duckdb", tmp_path / "small.duckdb"
    one = ingest(sources=EXAMPLE_SOURCES, warehouse=str(whole))
    many = ingest(sources=EXAMPLE_SOURCES, warehouse=str(small), batch_size=4)  # 23 files over 6 batches, 5 sources
    for key in ("read", "articles", "new_articles", "duplicates", "rejects", "rejects_by_reason", "languages"):
        assert many[key] == one[key], key
    for sql in ("SELECT location, size FROM local_files ORDER BY 1",  # each file read once
                "SELECT article_id, title, language FROM articles ORDER BY 1",  # (learned lines can differ)
                "SELECT article_id, duplicate_of, method FROM duplicates ORDER BY 1",
                "SELECT location, reason FROM rejects ORDER BY 1"):
        assert query(small, sql) == query(whole, sql), sql
    assert query(small, "SELECT count(*) FROM local_files")[0][0] == 23


def test_a_load_that_runs_out_of_memory_is_done_again_with_more(prefect_api_url, tmp_path, capsys):
    from flows.ingest import ingest
    from tasks.errors import TerminalError
    from warehouse.connection import parse_size

    warehouse = tmp_path / "w.duckdb"
    summary = ingest(sources=EXAMPLE_SOURCES, warehouse=str(warehouse),
                     settings={"load_memory": "1MB", "load_memory_max": "256MB"})
    assert summary["articles"] == summary["new_articles"] == 22
    assert "the load ran out of its 1MB of memory; loading again with 2MB" in capsys.readouterr().err
    # the attempts that ran out left nothing behind: one run, every article once
    assert query(warehouse, "SELECT count(*), count(DISTINCT article_id) FROM articles") == [(22, 22)]
    assert query(warehouse, "SELECT count(*), count(DISTINCT run_id) FROM local_files") == [(23, 1)]
    assert query(warehouse, "SELECT status FROM runs") == [("succeeded",)]
    learned = query(warehouse, "SELECT summary->>'load_memory' FROM runs")[0][0]
    assert learned not in ("1MB", None)  # the limit the load succeeded with is recorded with the run
    # the next load of this warehouse starts where the last one succeeded, instead of running out again
    again = ingest(sources=EXAMPLE_SOURCES, warehouse=str(warehouse), refresh=True,
                   settings={"load_memory": "1MB", "load_memory_max": "256MB"})
    # (DuckDB's use near a limit varies from run to run: the second load may still need one step more, but it
    # never starts below what the first one succeeded with)
    err = capsys.readouterr().err
    ran_out = re.findall(r"ran out of its (\S+) of memory", err)
    assert again["articles"] == 22 and ran_out in ([], [learned]), ran_out
    second = query(warehouse, "SELECT summary->>'load_memory' FROM runs ORDER BY finished_at")[1][0]
    assert parse_size(second) >= parse_size(learned)

    small = tmp_path / "small.duckdb"
    try:
        ingest(sources=EXAMPLE_SOURCES, warehouse=str(small), settings={"load_memory": "1MB", "load_memory_max": "2MB"})
    except TerminalError as exc:
        assert "load_memory_max=2MB" in str(exc) and "nothing was loaded" in str(exc)
    else:
        raise AssertionError("a load beyond load_memory_max should fail")
    assert query(small, "SELECT count(*) FROM articles") == [(0,)]
    assert query(small, "SELECT status FROM runs") == [("failed",)]

    unreadable = tmp_path / "unreadable.duckdb"  # a size that is no size fails before any work
    try:
        ingest(sources=EXAMPLE_SOURCES, warehouse=str(unreadable), settings={"load_memory": "lots"})
    except TerminalError as exc:
        assert "bad configuration: setting load_memory must be a size such as 256MB, not 'lots'" in str(exc)
    else:
        raise AssertionError("load_memory='lots' should be refused")
    assert not unreadable.exists()


@requires_seeds
def test_seeds_come_out_exactly(newsflow, tmp_path):
    warehouse = tmp_path / "seeds.duckdb"
    newsflow("run", str(SEEDS), "--warehouse", str(warehouse))
    for seed in sorted(SEEDS.glob("*.txt")):
        title, body, removed = expected_article(seed)
        rows = query(warehouse, "SELECT article_id, title, body FROM articles WHERE url = ?", [seed.resolve().as_uri()])
        assert len(rows) == 1, seed.name
        article_id, got_title, got_body = rows[0]
        assert got_title == title, seed.name
        assert got_body == body, seed.name
        lines = [r[0] for r in query(warehouse, "SELECT text FROM removed_lines WHERE article_id = ? ORDER BY position",
                                     [article_id])]
        assert sorted(lines) == sorted(removed), seed.name
    assert query(warehouse, "SELECT DISTINCT s.name FROM articles JOIN sources s USING (source_id)") == [("seeds",)]


def test_a_second_run_skips_unchanged_files_and_refresh_reads_them_again(newsflow, tmp_path):
    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples)
    sources = sorted(str(p) for p in examples.iterdir() if p.is_dir())
    warehouse = tmp_path / "w.duckdb"
    first = newsflow("run", *sources, "--warehouse", str(warehouse))
    before = table_snapshot(warehouse)
    second = newsflow("run", *sources, "--warehouse", str(warehouse))
    after = table_snapshot(warehouse)
    assert "new         22" in first.stdout
    # every readable file was read before and is unchanged: none is read again (one .pdf is never read)
    assert "read        0 documents  (23 unchanged files skipped" in second.stdout
    assert "new         0  (nothing new" in second.stdout
    assert len(after.pop("runs")) == len(before.pop("runs")) + 1
    # only bookkeeping moves: which run last saw a source, and the unsupported file's reject
    assert {t for t in before if before[t] != after[t]} <= {"sources", "rejects"}
    assert before["articles"] == after["articles"] and before["local_files"] == after["local_files"]

    # an edited file is read again, alone; --refresh reads every file and changes no article
    story = examples / "sud-matin" / "2024-10-09-avignon-velo.txt"
    story.write_bytes(story.read_bytes() + b"\n\nLe trajet complet dure environ quarante minutes en semaine.\n")
    third = newsflow("run", *sources, "--warehouse", str(warehouse))
    assert "read        1 documents  (22 unchanged files skipped" in third.stdout
    assert "updated     1" in third.stdout
    refreshed = newsflow("run", *sources, "--warehouse", str(warehouse), "--refresh")
    assert "read        23 documents\n" in refreshed.stdout and "rejects     8" in refreshed.stdout
    assert "new         0  (nothing new" in refreshed.stdout and "updated     0" in refreshed.stdout
    assert query(warehouse, "SELECT count(*) FROM articles")[0][0] == 22
    assert query(warehouse, "SELECT count(DISTINCT run_id) FROM local_files")[0][0] == 1  # all read by --refresh


def test_a_run_killed_during_its_load_leaves_the_warehouse_as_before(newsflow, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    newsflow("run", EXAMPLE_SOURCES[0], "--warehouse", str(warehouse))
    before = table_snapshot(warehouse)
    killed = newsflow("run", *EXAMPLE_SOURCES, "--warehouse", str(warehouse),
                      env={"NEWSFLOW_TEST_KILL_BEFORE_COMMIT": "1"}, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert table_snapshot(warehouse) == before
    newsflow("run", *EXAMPLE_SOURCES, "--warehouse", str(warehouse))
    fresh = tmp_path / "fresh.duckdb"
    newsflow("run", *EXAMPLE_SOURCES, "--warehouse", str(fresh))
    sql = "SELECT article_id, body, language FROM articles ORDER BY 1"
    assert query(warehouse, sql) == query(fresh, sql)
    assert query(warehouse, "SELECT count(*) FROM duplicates") == query(fresh, "SELECT count(*) FROM duplicates")
    assert not any((tmp_path / ".w-staging").glob("*")), "the killed run's staging was not cleaned up"


def test_bad_input_is_rejected_with_reasons_while_the_rest_loads(newsflow, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_text("A good article\n\nThe harbour reopened on Monday after repairs to the "
                                    "breakwater, the port authority said.", encoding="utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (inbox / "garbage.txt").write_bytes(bytes((i * 97 + 131) % 128 + 128 for i in range(4096)))
    with open(inbox / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (inbox / "nothing.html").write_text("<html><body><nav>Home</nav><script>x()</script></body></html>")
    (inbox / "cut.html").write_text("<!DOCTYPE html><html><body><article><p>The harbour reop")
    done = newsflow("run", str(inbox), "--warehouse", str(tmp_path / "w.duckdb"))
    assert "rejects     6" in done.stdout
    reasons = dict(query(tmp_path / "w.duckdb", "SELECT regexp_extract(location, '[^/]+$'), reason FROM rejects"))
    assert reasons == {"empty.txt": "empty_file", "image.html": "binary", "garbage.txt": "undecodable",
                       "huge.txt": "too_large", "nothing.html": "empty_text", "cut.html": "truncated_html"}
    assert query(tmp_path / "w.duckdb", "SELECT title FROM articles") == [("A good article",)]


def test_sql_is_read_only_and_formats_its_answer(newsflow, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    newsflow("run", str(EXAMPLES / "kyiv-ledger"), "--warehouse", str(warehouse))
    as_json = newsflow("sql", "SELECT language, count(*) AS n FROM articles GROUP BY 1 ORDER BY 1",
                       "--warehouse", str(warehouse), "--format", "json")
    assert json.loads(as_json.stdout) == [{"language": "en", "n": 3}, {"language": "uk", "n": 3}]
    as_csv = newsflow("sql", "SELECT count(*) AS n FROM articles", "--warehouse", str(warehouse), "--format", "csv")
    assert as_csv.stdout.splitlines() == ["n", "6"]
    table = newsflow("sql", "SELECT name FROM sources", "--warehouse", str(warehouse))
    assert "kyiv-ledger" in table.stdout and "(1 row)" in table.stdout
    refused = newsflow("sql", "DELETE FROM articles", "--warehouse", str(warehouse), check=False)
    assert refused.returncode == 1 and "read-only" in refused.stderr and "Traceback" not in refused.stderr
    assert query(warehouse, "SELECT count(*) FROM articles") == [(6,)]
    missing = newsflow("sql", "SELECT 1", "--warehouse", str(tmp_path / "none.duckdb"), check=False)
    assert missing.returncode == 1 and "newsflow run" in missing.stderr
