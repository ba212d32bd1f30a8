"""A source's learned boilerplate is visible and correctable with `newsflow boilerplate`."""
import subprocess

from .conftest import EXAMPLES, NEWSFLOW, query

PLEA_START = "The Kyiv Ledger is funded by its readers."


def test_learned_lines_are_listed_and_a_line_marked_as_content_comes_back(prefect_api_url, tmp_path):
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    ingest(sources=[str(EXAMPLES / "kyiv-ledger")], warehouse=str(warehouse))
    listed = subprocess.run([str(NEWSFLOW), "boilerplate", "--source", "kyiv-ledger", "--warehouse", str(warehouse),
                             "--format", "csv"], capture_output=True, text=True, check=True)
    rows = [line.split(",") for line in listed.stdout.splitlines()[1:]]
    plea = next(row for row in rows if row[0].startswith(PLEA_START))
    assert plea[-2:] == ["6", "learned"]
    full_line = query(warehouse, "SELECT DISTINCT text FROM removed_lines WHERE rule = 'learned'")[0][0]
    assert query(warehouse, "SELECT count(*) FROM articles WHERE body LIKE ?", [f"%{PLEA_START}%"]) == [(0,)]

    subprocess.run([str(NEWSFLOW), "boilerplate", "--source", "kyiv-ledger", "--keep", full_line,
                    "--warehouse", str(warehouse)], capture_output=True, text=True, check=True)
    summary = ingest(sources=[str(EXAMPLES / "kyiv-ledger")], warehouse=str(warehouse))
    assert summary["updated_articles"] == 6 and summary["new_articles"] == 0
    assert query(warehouse, "SELECT count(*) FROM articles WHERE body LIKE ?", [f"%{PLEA_START}%"]) == [(6,)]
    listed = subprocess.run([str(NEWSFLOW), "boilerplate", "--source", "kyiv-ledger", "--warehouse", str(warehouse),
                             "--format", "csv"], capture_output=True, text=True, check=True)
    assert listed.stdout.splitlines()[1:] == [f"{full_line},,kept as content"]
    missing = subprocess.run([str(NEWSFLOW), "boilerplate", "--source", "nope", "--warehouse", str(warehouse)],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no source named 'nope'" in missing.stderr
