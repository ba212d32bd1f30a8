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


def test_the_original_of_a_group_does_not_depend_on_paths_or_names(prefect_api_url, tmp_path):
    """The same texts under other folders and file names (other article ids, another listing order) group alike."""
    from flows.ingest import ingest

    versions = [("Grain barges resume Danube runs", ORIGINAL),
                ("Grain barges resume Danube runs", ["IZMAIL (Wire) – " + ORIGINAL[0]] + ORIGINAL[1:]),
                ("Barges back on the Danube", ORIGINAL[:-1] + ["Advertisement"]),
                ("Grain barges resume Danube runs", ORIGINAL + ["Read more at the Danube Courier."])]
    sql = """SELECT c.content_hash, o.content_hash, d.method FROM duplicates d
             JOIN articles c USING (article_id) JOIN articles o ON o.article_id = d.duplicate_of ORDER BY ALL"""
    found = []
    for folder, names in (("north", ["a", "b", "c", "d"]), ("south-desk", ["z", "y", "x", "w"])):
        for name, (title, paragraphs) in zip(names, versions):
            write(tmp_path / folder / f"{name}.txt", title, paragraphs)
        warehouse = tmp_path / f"{folder}.duckdb"
        ingest(sources=[str(tmp_path / folder)], warehouse=str(warehouse))
        found.append(query(warehouse, sql))
    assert len(found[0]) == 3 and len({original for _, original, _ in found[0]}) == 1  # one group of four
    assert found[0] == found[1]
