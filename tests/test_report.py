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
    assert "chart 6/6" in done.stderr and out.exists()
    page = out.read_text(encoding="utf-8")
    assert "<script src=" not in page and "cdn." not in page.split("</head>")[0][-2000:]  # nothing fetched at view time
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tempfile.mkdtemp()}", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=8000",
         "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    check = render_check(dom)
    assert check["errors"] == []
    assert len(check["charts"]) == 6
    assert all(c["width"] > 0 and c["height"] > 0 and c["svg"] > 0 for c in check["charts"]), check
