"""Duplicate groups are stable across runs: copies join the group of the earliest article, teasers included."""
from .conftest import query, table_snapshot
from .test_dedup import ORIGINAL, SAME_EVENT


def write(path, title, paragraphs):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def test_groups_grow_run_by_run_without_renumbering(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    warehouse = str(tmp_path / "w.duckdb")
    write(tmp_path / "courier" / "barges.txt", "Grain barges resume Danube runs", ORIGINAL)
    write(tmp_path / "rival" / "sulina.txt", "Sulina channel dredging behind schedule", SAME_EVENT)
    ingest(sources=[str(tmp_path / "courier"), str(tmp_path / "rival")], warehouse=warehouse)
    write(tmp_path / "wire" / "barges.txt", "Grain barges resume Danube runs",
          ["IZMAIL (Wire) – " + ORIGINAL[0]] + ORIGINAL[1:4] + ORIGINAL[5:] + ["Advertisement"])
    ingest(sources=[str(tmp_path / "wire")], warehouse=warehouse)
    write(tmp_path / "digest" / "barges.txt", "Barges are back on the Danube",
          ORIGINAL[:2] + ["Read the full story at the Danube Courier."])
    ingest(sources=[str(tmp_path / "digest")], warehouse=warehouse)

    sql = """SELECT s.name, c.role, c.method, o.title FROM duplicate_clusters c
             JOIN articles a USING (article_id) JOIN sources s USING (source_id)
             JOIN articles o ON o.article_id = c.cluster_id ORDER BY 1"""
    groups = query(tmp_path / "w.duckdb", sql)
    assert groups == [("courier", "original", None, "Grain barges resume Danube runs"),
                      ("digest", "partial copy", "containment", "Grain barges resume Danube runs"),
                      ("wire", "copy", "near", "Grain barges resume Danube runs")]
    before = table_snapshot(tmp_path / "w.duckdb")
    ingest(sources=[str(tmp_path / name) for name in ("digest", "wire", "rival", "courier")], warehouse=warehouse)
    after = table_snapshot(tmp_path / "w.duckdb")
    assert query(tmp_path / "w.duckdb", sql) == groups
    assert before["duplicates"] == after["duplicates"]
