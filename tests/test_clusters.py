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


def test_a_templated_series_is_one_family_across_runs_and_no_duplicates(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    from .test_dedup import match_report

    warehouse = tmp_path / "w.duckdb"
    for n in range(10):
        write(tmp_path / "results" / f"r{n:02}.txt", f"Result {n}", match_report(n))
    first = ingest(sources=[str(tmp_path / "results")], warehouse=str(warehouse))
    after_first = query(warehouse, "SELECT DISTINCT family_id FROM template_families")
    for n in range(10, 16):
        write(tmp_path / "results-late" / f"r{n:02}.txt", f"Result {n}", match_report(n))
    write(tmp_path / "mirror" / "r03.txt", "Result 3", ["BRISTOL (Sports Wire) – " + match_report(3)[0]]
          + match_report(3)[1:])
    ingest(sources=[str(tmp_path / "results-late"), str(tmp_path / "mirror")], warehouse=str(warehouse))
    families = query(warehouse, "SELECT family_id, count(*), count(*) FILTER (role = 'first') FROM template_families "
                                "GROUP BY 1 ORDER BY 2 DESC")
    # one family of the 16 reports, named in the first run and joined by the second run's reports
    assert families == [(after_first[0][0], 16, 1)]
    assert (first["siblings"], first["duplicates"]) == (9, 0)
    # the mirrored report is a copy of report 3, not another member of the family
    copies = query(warehouse, """SELECT c.title, o.title, d.method FROM duplicates d JOIN articles c USING (article_id)
                                 JOIN articles o ON o.article_id = d.duplicate_of""")
    assert copies == [("Result 3", "Result 3", "exact")]  # the same text behind a wire dateline
    mirrored = query(warehouse, """SELECT count(*) FROM template_families f JOIN articles a USING (article_id)
                                   JOIN sources s USING (source_id) WHERE s.name = 'mirror'""")
    assert mirrored == [(0,)]
