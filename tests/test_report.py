"""The HTML report: one self-contained file whose every chart draws in headless Chromium, offline."""
import shutil
import subprocess
import tempfile

import pytest

from warehouse.report import render_check

from .conftest import EXAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it for CI)")
def test_every_chart_draws_without_errors_and_without_network(prefect_api_url, newsflow, tmp_path):
    from flows.ingest import ingest

    warehouse = tmp_path / "w.duckdb"
    ingest(sources=sorted(str(p) for p in EXAMPLES.iterdir() if p.is_dir()), warehouse=str(warehouse))
    out = tmp_path / "report.html"
    done = newsflow("report", "--out", str(out), "--warehouse", str(warehouse))
    assert "chart 8/8" in done.stderr and out.exists()
    page = out.read_text(encoding="utf-8")
    assert "<script src=" not in page and "cdn." not in page.split("</head>")[0][-2000:]  # nothing fetched at view time
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tempfile.mkdtemp()}", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=8000",
         "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    check = render_check(dom)
    assert check["errors"] == []
    assert len(check["charts"]) == 8
    assert all(c["width"] > 0 and c["height"] > 0 and c["svg"] > 0 for c in check["charts"]), check


def test_report_charts_name_their_axes_keep_the_top_labels_and_count_long_spans_per_week():
    """A year and a half of articles in 11 languages from 20 publishers: readable charts, not every label."""
    import duckdb

    from warehouse.report import build_charts

    con = duckdb.connect()
    languages = ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr"]
    con.execute("CREATE TABLE articles AS SELECT i AS article_id, 'site' || (i % 20) AS site, "
                "DATE '2024-01-01' + CAST(i * 3 AS INTEGER) AS published_at, CAST(NULL AS TIMESTAMP) AS first_seen_at, "
                "CASE WHEN i % 7 = 0 THEN 'none' ELSE 'jsonld' END AS published_at_source, "
                "repeat('x', 100) AS body, ? [1 + i % 11] AS language FROM range(200) t(i)", [languages])
    con.execute("CREATE VIEW daily_articles AS SELECT CAST(published_at AS DATE) AS day, count(*) AS articles, "
                "published_at_source <> 'none' AS dated FROM articles GROUP BY ALL")
    con.execute("CREATE VIEW daily_by_language AS SELECT CAST(published_at AS DATE) AS day, language, "
                "count(*) AS articles FROM articles GROUP BY ALL")
    con.execute("CREATE VIEW daily_by_site AS SELECT CAST(published_at AS DATE) AS day, site, count(*) AS articles "
                "FROM articles GROUP BY ALL")
    con.execute("CREATE TABLE duplicate_groups (first_at TIMESTAMP, members INTEGER)")
    con.execute("CREATE TABLE duplicates (article_id INTEGER, duplicate_of INTEGER)")
    con.execute("CREATE VIEW article_times AS SELECT article_id, site, published_at AS happened_at FROM articles")
    con.execute("CREATE TABLE rejects_daily (day DATE, reason VARCHAR, rejects INTEGER)")
    con.execute("CREATE TABLE removed_lines (article_id INTEGER, text VARCHAR)")
    con.execute("CREATE TABLE template_family_groups AS SELECT 'Weather for town ' || i AS title, 30 - i AS members, "
                "TIMESTAMP '2024-06-01 00:00:00' AS last_at FROM range(20) t(i)")
    charts = dict(build_charts(con, None))

    per_language = charts["Articles per week by language"]  # 597 days: weeks, not 597 points per line
    names = [trace.name for trace in per_language.data]
    # stacked bars of the busiest languages (ties by name), the four least frequent summed, undated articles apart
    assert per_language.layout.barmode == "stack"
    assert names == ["de", "en", "es", "fr", "it", "nl", "pl", "other (4)", "undated (first seen)"]
    weeks = list(per_language.data[0].x)
    assert len(weeks) == len(set(weeks)) and 80 <= len(weeks) <= 90  # every week, empty ones as zeros
    assert sum(sum(trace.y) for trace in per_language.data if trace.name != "undated (first seen)") == 200

    publishers = charts["Top publishers (sites)"]
    labels = list(publishers.data[0].y)
    assert len(labels) == 12 and "other (9)" in labels and sum(publishers.data[0].x) == 200
    assert publishers.layout.yaxis.dtick == 1 and publishers.layout.height > 380  # a bar per label, none skipped

    families = charts["Template families: the largest machine-written series (each member its own story)"]
    assert list(families.data[0].x)[-1] == 30 and len(families.data[0].y) == 12  # the largest on top, the top 12

    for title, figure in charts.items():
        if figure.layout.annotations:  # "No data yet": the empty charts have no axes to name
            assert "No data" in figure.layout.annotations[0].text, title
            continue
        assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text, title
    dated = charts["Where publication dates came from ('none': undated)"].data[0]
    assert dict(zip(dated.x, dated.y)) == {"jsonld": 171, "none": 29}
