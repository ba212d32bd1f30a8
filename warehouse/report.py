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


TOP_LABELS = 12  # bars or lines a chart names; the rest are summed as "other (N)"
LANGUAGE_LINES = 8  # languages drawn as their own line in the per-day chart
DAYS_PER_DAY_CHART = 92  # a longer span is counted per week (up to three years), then per month


def keep_top(rows: list[tuple[str, float]], limit: int = TOP_LABELS) -> list[tuple[str, float]]:
    """Return the ``limit`` largest (label, value) rows, the rest summed as one "other (N)" row."""
    rows = sorted(rows, key=lambda r: (-r[1], r[0]))
    if len(rows) <= limit:
        return rows
    rest = rows[limit - 1:]
    return rows[:limit - 1] + [(f"other ({len(rest)})", sum(r[1] for r in rest))]


def shorten(title: str | None, limit: int = 60) -> str:
    """Return a title short enough for an axis label ("…" where it was cut)."""
    title = " ".join((title or "(untitled)").split())
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def choose_period(first, last) -> str:
    """Return the period a time chart counts in, so that it keeps about a hundred points: day, week or month."""
    span = (last - first).days if first and last else 0
    return "day" if span <= DAYS_PER_DAY_CHART else "week" if span <= 3 * 365 else "month"


def label_axes(figure, x: str, y: str):
    """Name a chart's axes (what is counted, in what unit)."""
    figure.update_xaxes(title_text=x)
    figure.update_yaxes(title_text=y)
    return figure


def build_charts(con: duckdb.DuckDBPyConnection, since: str | None) -> list[tuple[str, object]]:
    """Return (title, plotly figure) for each chart of the report."""
    import plotly.graph_objects as go

    since_filter = "(?::DATE IS NULL OR day >= ?::DATE)"
    charts = []

    first, last = _rows(con, f"SELECT min(day), max(day) FROM daily_articles WHERE {since_filter}", [since, since])[0]
    period = choose_period(first, last)
    rows = _rows(con, f"SELECT CAST(date_trunc('{period}', day) AS DATE), language, sum(articles) FROM daily_by_language "
                      f"WHERE {since_filter} GROUP BY ALL", [since, since])
    undated = dict(_rows(con, f"SELECT CAST(date_trunc('{period}', day) AS DATE), sum(articles) FROM daily_articles "
                              f"WHERE NOT dated AND {since_filter} GROUP BY ALL", [since, since]))
    lines = [label for label, _ in keep_top(
        [(lang, sum(r[2] for r in rows if r[1] == lang)) for lang in {r[1] for r in rows}], LANGUAGE_LINES)]
    named = set(lines)
    counts: dict[str, dict] = {label: {} for label in lines}
    for start, language, count in rows:
        label = language if language in named else lines[-1]
        counts[label][start] = counts[label].get(start, 0) + count
    periods = [r[0] for r in _rows(  # every period, so a period without articles is a gap, not a joined line
        con, f"SELECT CAST(unnest(generate_series(CAST(date_trunc('{period}', ?::DATE) AS TIMESTAMP), "
             f"CAST(?::DATE AS TIMESTAMP), INTERVAL 1 {period})) AS DATE)", [first, last])] if rows else []
    # stacked bars: a period's height is its articles, a quiet period a gap rather than a line across it
    figure = go.Figure([go.Bar(x=[str(p) for p in periods], y=[counts[label].get(p, 0) for p in periods],
                               name=label) for label in lines])
    if undated:  # articles without a publication date, counted on the day first seen: shown apart, not as dated
        figure.add_trace(go.Bar(x=[str(p) for p in periods], y=[undated.get(p, 0) for p in periods],
                                name="undated (first seen)", marker={"color": "#bbbbbb", "pattern": {"shape": "/"}}))
    figure.update_layout(barmode="stack")
    charts.append((f"Articles per {period} by language", label_axes(figure, f"{period} published (or first seen)",
                                                                     "articles")))

    rows = keep_top(_rows(con, f"SELECT site, sum(articles) FROM daily_by_site WHERE {since_filter} GROUP BY site",
                          [since, since]))
    bars = go.Figure([go.Bar(x=[r[1] for r in rows][::-1], y=[r[0] for r in rows][::-1], orientation="h")])
    bars.update_yaxes(type="category", dtick=1, automargin=True)  # every publisher named, none skipped
    charts.append(("Top publishers (sites)", label_axes(bars, "articles", "publisher")))

    rows = _rows(con, "SELECT CAST(first_at AS DATE) AS day, count(*), sum(members) FROM duplicate_groups "
                      f"WHERE {since_filter.replace('day', 'CAST(first_at AS DATE)')} GROUP BY 1 ORDER BY 1",
                 [since, since])
    groups = go.Figure([go.Bar(x=[str(r[0]) for r in rows], y=[r[1] for r in rows], name="new groups"),
                        go.Scatter(x=[str(r[0]) for r in rows], y=[r[2] for r in rows], name="articles in them")])
    groups.update_xaxes(type="category")
    charts.append(("Duplicate groups over time", label_axes(groups, "day the group's first article appeared",
                                                            "groups / articles")))

    rows = _rows(con, f"""SELECT title, members FROM template_family_groups
                          WHERE {since_filter.replace('day', 'CAST(last_at AS DATE)')}
                          ORDER BY members DESC, title LIMIT ?""", [since, since, TOP_LABELS])
    families = go.Figure([go.Bar(x=[r[1] for r in rows][::-1], y=[shorten(r[0]) for r in rows][::-1], orientation="h")])
    families.update_yaxes(type="category", dtick=1, automargin=True)
    charts.append(("Template families: the largest machine-written series (each member its own story)",
                   label_axes(families, "articles in the family", "family (its first article's title)")))

    rows = _rows(con, """SELECT orig.site, copy.site, count(*) AS copies FROM duplicates d
                         JOIN article_times copy ON copy.article_id = d.article_id
                         JOIN article_times orig ON orig.article_id = d.duplicate_of
                         WHERE copy.site <> orig.site AND (?::DATE IS NULL OR copy.happened_at >= ?::DATE)
                         GROUP BY ALL""", [since, since])  # the syndication view, for copies since the day
    def merge(index: int) -> dict:  # the busiest publishers on one side of the matrix, the rest as "other (N)"
        top = keep_top([(name, sum(r[2] for r in rows if r[index] == name)) for name in {r[index] for r in rows}])
        kept = {name for name, _ in top}
        return {r[index]: (r[index] if r[index] in kept else top[-1][0]) for r in rows}
    as_original, as_copier = merge(0), merge(1)
    originals, copiers = sorted(set(as_original.values())), sorted(set(as_copier.values()))
    matrix = [[sum(r[2] for r in rows if as_original[r[0]] == o and as_copier[r[1]] == c) for c in copiers]
              for o in originals]
    heat = go.Figure([go.Heatmap(z=matrix or [[0]], x=copiers or ["-"], y=originals or ["-"], colorscale="Blues",
                                 colorbar={"title": {"text": "copies"}})])
    heat.update_xaxes(type="category", automargin=True)
    heat.update_yaxes(type="category", automargin=True)
    charts.append(("Syndication: which publisher copies which (copies)",
                   label_axes(heat, "copying publisher", "original publisher")))

    rows = _rows(con, "SELECT reason, sum(rejects) AS n FROM rejects_daily "
                      f"WHERE {since_filter} GROUP BY reason ORDER BY n DESC", [since, since])
    charts.append(("Rejects by reason", label_axes(go.Figure([go.Bar(x=[r[0] for r in rows], y=[r[1] for r in rows])]),
                                                   "reason", "documents rejected")))

    rows = _rows(con, """SELECT published_at_source, count(*) FROM articles
                         WHERE ?::DATE IS NULL OR COALESCE(published_at, first_seen_at) >= ?::DATE
                         GROUP BY ALL ORDER BY 2 DESC""", [since, since])
    sources = go.Figure([go.Bar(x=[r[0] or "unknown" for r in rows], y=[r[1] for r in rows])])
    charts.append(("Where publication dates came from ('none': undated)",
                   label_axes(sources, "date source (jsonld, meta, itemprop, time, url, text, feed, record, none)",
                              "articles")))

    rows = _rows(con, """WITH dated AS (SELECT article_id, site, length(body) AS kept FROM articles
                                        WHERE ?::DATE IS NULL OR COALESCE(published_at, first_seen_at) >= ?::DATE),
                              removed AS (SELECT d.site, sum(length(r.text)) AS chars FROM removed_lines r
                                          JOIN dated d USING (article_id) GROUP BY ALL),
                              kept AS (SELECT site, sum(kept) AS chars FROM dated GROUP BY ALL)
                         SELECT removed.site, removed.chars / (kept.chars + removed.chars) AS share
                         FROM removed JOIN kept USING (site) ORDER BY share DESC, removed.site
                         LIMIT ?""", [since, since, TOP_LABELS])
    charts.append(("Share of text removed as boilerplate, per publisher (highest)", label_axes(go.Figure([go.Bar(
        x=[r[0] for r in rows], y=[round(100 * float(r[1]), 2) for r in rows])]), "publisher", "% of text removed")))
    for title, figure in charts:
        named = max((len(trace.y) for trace in figure.data if trace.type == "bar" and trace.orientation == "h"),
                    default=0)
        figure.update_layout(title=title, height=max(380, 110 + 24 * named),
                             margin={"l": 60, "r": 20, "t": 50, "b": 60}, template="plotly_white")
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
    copies = _rows(con, "SELECT count(*), count(DISTINCT d.duplicate_of) FROM duplicates d JOIN article_times t "
                        "USING (article_id) WHERE ?::DATE IS NULL OR t.happened_at >= ?::DATE", [since, since])[0]
    series = _rows(con, "SELECT count(*), count(DISTINCT s.family_of) FROM template_siblings s JOIN article_times t "
                        "USING (article_id) WHERE ?::DATE IS NULL OR t.happened_at >= ?::DATE", [since, since])[0]
    charts = build_charts(con, since)
    parts = []
    for number, (title, figure) in enumerate(charts, start=1):
        progress(f"chart {number}/{len(charts)}: {title}")
        parts.append(f'<section class="chart">{figure.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{number}")}</section>')
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    heading = (f"{totals[0]} articles from {totals[1]} publishers" + (f", since {html.escape(since)}" if since else "")
               + f"; {copies[0]} copies in {copies[1]} duplicate groups, {series[0]} template siblings in {series[1]} "
                 "template families")
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
