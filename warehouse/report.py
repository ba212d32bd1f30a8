"""A self-contained HTML report of the warehouse: charts drawn with plotly, its JavaScript inlined."""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from typing import Callable

import duckdb

CHECK_SCRIPT = """<script>
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message)); });
(function () { var original = console.error; console.error = function () {
  window.__reportErrors.push(Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); }; })();
</script>"""
REPORT_CHECK = """<script>
window.addEventListener('load', function () { setTimeout(function () {
  var charts = Array.prototype.map.call(document.querySelectorAll('.chart .plotly-graph-div'), function (d) {
    return {id: d.id, width: d.offsetWidth, height: d.offsetHeight, svg: d.querySelectorAll('svg').length}; });
  document.getElementById('render-check').textContent = JSON.stringify({errors: window.__reportErrors, charts: charts});
}, 300); });
</script>"""


def _rows(con, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def is_empty(figure) -> bool:
    """Tell whether a chart has nothing to show (no points, or only the placeholder of an empty heat map)."""
    for trace in figure.data:
        x = list(trace.x) if getattr(trace, "x", None) is not None else []
        if x and x != ["-"]:
            return False
    return True


def build_charts(con: duckdb.DuckDBPyConnection, since: str | None) -> list[tuple[str, object]]:
    """Return (title, plotly figure) for each chart of the report."""
    import plotly.graph_objects as go

    since_filter = "(?::DATE IS NULL OR day >= ?::DATE)"
    charts = []

    per_language: dict[str, tuple[list, list]] = {}
    for day, language, count in _rows(con, f"SELECT day, language, articles FROM daily_by_language "
                                           f"WHERE {since_filter} ORDER BY day", [since, since]):
        days, counts = per_language.setdefault(language, ([], []))
        days.append(str(day))
        counts.append(count)
    figure = go.Figure([go.Scatter(x=d, y=c, name=lang, mode="lines+markers") for lang, (d, c) in
                        sorted(per_language.items())])
    undated = _rows(con, f"SELECT day, sum(articles) FROM daily_articles WHERE NOT dated AND {since_filter} "
                         "GROUP BY day ORDER BY day", [since, since])
    if undated:  # articles without a publication date, counted on the day first seen: shown apart, not as dated
        figure.add_trace(go.Scatter(x=[str(r[0]) for r in undated], y=[r[1] for r in undated],
                                    name="undated (day first seen)", mode="lines+markers",
                                    line={"dash": "dot", "color": "#888888"}))
    charts.append(("Articles per day by language", figure))

    rows = _rows(con, f"SELECT site, sum(articles) AS n FROM daily_by_site WHERE {since_filter} "
                      "GROUP BY site ORDER BY n DESC LIMIT 20", [since, since])
    charts.append(("Top publishers (sites)", go.Figure([go.Bar(x=[r[1] for r in rows][::-1], y=[r[0] for r in rows][::-1],
                                                    orientation="h")])))

    rows = _rows(con, "SELECT CAST(first_at AS DATE) AS day, count(*), sum(members) FROM duplicate_groups "
                      f"WHERE {since_filter.replace('day', 'CAST(first_at AS DATE)')} GROUP BY 1 ORDER BY 1",
                 [since, since])
    groups = go.Figure([go.Bar(x=[str(r[0]) for r in rows], y=[r[1] for r in rows], name="new groups"),
                        go.Scatter(x=[str(r[0]) for r in rows], y=[r[2] for r in rows], name="articles in them")])
    groups.update_xaxes(type="category")
    charts.append(("Duplicate groups over time", groups))

    rows = _rows(con, """SELECT orig.site, copy.site, count(*) AS copies FROM duplicates d
                         JOIN article_times copy ON copy.article_id = d.article_id
                         JOIN article_times orig ON orig.article_id = d.duplicate_of
                         WHERE copy.site <> orig.site AND (?::DATE IS NULL OR copy.happened_at >= ?::DATE)
                         GROUP BY ALL""", [since, since])  # the syndication view, for copies since the day
    originals = sorted({r[0] for r in rows})
    copiers = sorted({r[1] for r in rows})
    matrix = [[next((r[2] for r in rows if r[0] == o and r[1] == c), 0) for c in copiers] for o in originals]
    charts.append(("Syndication: which publisher copies which (copies)", go.Figure([go.Heatmap(
        z=matrix or [[0]], x=copiers or ["-"], y=originals or ["-"], colorscale="Blues")])))

    rows = _rows(con, "SELECT reason, sum(rejects) AS n FROM rejects_daily "
                      f"WHERE {since_filter} GROUP BY reason ORDER BY n DESC", [since, since])
    charts.append(("Rejects by reason", go.Figure([go.Bar(x=[r[0] for r in rows], y=[r[1] for r in rows])])))

    rows = _rows(con, """WITH dated AS (SELECT article_id, site, length(body) AS kept FROM articles
                                        WHERE ?::DATE IS NULL OR COALESCE(published_at, first_seen_at) >= ?::DATE),
                              removed AS (SELECT d.site, sum(length(r.text)) AS chars FROM removed_lines r
                                          JOIN dated d USING (article_id) GROUP BY ALL),
                              kept AS (SELECT site, sum(kept) AS chars FROM dated GROUP BY ALL)
                         SELECT removed.site, removed.chars / (kept.chars + removed.chars) AS share
                         FROM removed JOIN kept USING (site) ORDER BY share DESC""", [since, since])
    charts.append(("Share of text removed as boilerplate, per publisher", go.Figure([go.Bar(
        x=[r[0] for r in rows], y=[round(100 * float(r[1]), 2) for r in rows])])))
    for title, figure in charts:
        figure.update_layout(title=title, height=380, margin={"l": 60, "r": 20, "t": 50, "b": 60},
                             template="plotly_white")
        if is_empty(figure):  # say so, instead of an empty axis or a solid placeholder heat map that looks like data
            figure.data = []
            figure.add_annotation(text="No data" + (f" since {since}" if since else " yet"), showarrow=False,
                                  xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16, "color": "#777777"})
            figure.update_xaxes(visible=False)
            figure.update_yaxes(visible=False)
    return charts


def render_report(con: duckdb.DuckDBPyConnection, since: str | None = None,
                  progress: Callable[[str], None] = lambda message: None) -> str:
    """Return the report as one HTML document that needs no network to show."""
    from plotly.offline import get_plotlyjs

    progress("querying the warehouse")
    totals = _rows(con, "SELECT count(*), count(DISTINCT site) FROM articles "
                        "WHERE ?::DATE IS NULL OR COALESCE(published_at, first_seen_at) >= ?::DATE", [since, since])[0]
    charts = build_charts(con, since)
    parts = []
    for number, (title, figure) in enumerate(charts, start=1):
        progress(f"chart {number}/{len(charts)}: {title}")
        parts.append(f'<section class="chart">{figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{number}")}</section>')
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    heading = (f"{totals[0]} articles from {totals[1]} publishers" + (f", since {html.escape(since)}" if since else ""))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>newsflow report</title>"
            "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}section.chart{margin:1.5em 0}"
            "#render-check{display:none}</style>" + CHECK_SCRIPT +
            f"<script>{get_plotlyjs()}</script></head><body><h1>newsflow report</h1><p>{heading}; made {made}.</p>"
            + "".join(parts) + "<pre id='render-check'></pre>" + REPORT_CHECK + "</body></html>")


def render_check(dom: str) -> dict:
    """Read the render check a browser wrote into the report's DOM (errors and each chart's size)."""
    start = dom.find("id=\"render-check\">")
    if start < 0:
        start = dom.find("id='render-check'>")
    end = dom.find("</pre>", start)
    text = html.unescape(dom[start:end].split(">", 1)[1]) if start >= 0 else ""
    return json.loads(text) if text.strip() else {}
