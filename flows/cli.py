"""The ``newsflow`` command line: ``run`` ingests sources through the Prefect flow, ``sql`` queries read-only."""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()

# Prefect settings that make a local, server-less run dependable; the user's own values win.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "INFO",  # run logs (progress, summary) reach the server: the Logs tab of each run
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",  # while the terminal gets newsflow's own lines only
}


def iso_day(text: str) -> str:
    """Argument type of --since: a day as YYYY-MM-DD (argparse says what is wrong in one line)."""
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: write it as YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description="Batch ingestion of news into DuckDB.",
                                     epilog="Exit status: 0 done (rejected inputs are counted, not failures); 1 the "
                                            "command failed or nothing at all could be read; 2 bad arguments or a "
                                            "named input that does not exist; 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"newsflow {package_version()}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest sources into the warehouse")
    run.add_argument("sources", nargs="*", metavar="SOURCE",
                     help="a directory (searched recursively), a file, a WARC file, or the URL of a feed, "
                          "sitemap or page")
    run.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    run.add_argument("--name", help="source name (default: the directory's name, or the URL's host)")
    run.add_argument("--urls", metavar="FILE", help="a file of page URLs, one per line")
    run.add_argument("--config", help="settings and [[sources]] file (default settings: ./newsflow.toml); its "
                                      "[[sources]] are read when no SOURCE or --urls is given")
    run.add_argument("--with-config-sources", action="store_true",
                     help="read the config file's [[sources]] as well as the SOURCE arguments")
    run.add_argument("--refresh", action="store_true", help="read unchanged local files again and fetch pages loaded before again "
                                                            "(conditionally)")
    run.add_argument("--allow-network", action="append", metavar="CIDR", default=[],
                     help="let newsflow fetch from this private/loopback network (repeatable)")
    run.add_argument("--batch-size", type=int, help="documents per task call")
    run.add_argument("--runner", choices=("default", "dask"), default="default",
                     help="dask: run the per-document stages on Dask workers (the load stays one writer)")
    run.add_argument("--dask-address", help="a running Dask scheduler, e.g. tcp://host:8786 (default: a local "
                                            "cluster)")
    run.add_argument("--dask-workers", type=int, default=2, help="worker processes of the local cluster")
    reprocess = commands.add_parser("reprocess", help="rebuild web articles from the raw layer, without network")
    reprocess.add_argument("--source", help="only this source")
    reprocess.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    reprocess.add_argument("--config", help="settings file (default: ./newsflow.toml if present)")
    boilerplate = commands.add_parser("boilerplate", help="list a source's learned boilerplate; mark lines as content")
    boilerplate.add_argument("--source", required=True, help="source name")
    boilerplate.add_argument("--keep", action="append", default=[], metavar="LINE",
                             help="this line is content for the source: later runs and reprocess keep it")
    boilerplate.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    boilerplate.add_argument("--format", choices=("table", "csv", "json"), default="table")
    fill = commands.add_parser("backfill", help="ingest a date window from dated WARC files or sitemaps, resumably")
    fill.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    fill.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
    fill.add_argument("--warc-dir", help="a directory of WARC files with a date (YYYYMMDD) in their names")
    fill.add_argument("--sitemap", action="append", default=[], help="a sitemap URL (repeatable)")
    fill.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    fill.add_argument("--name", help="source name")
    fill.add_argument("--allow-network", action="append", metavar="CIDR", default=[])
    serve = commands.add_parser("serve", help="run the deployments of prefect.yaml with their schedules")
    serve.add_argument("--file", default=None, help="deployments file (default: the project's prefect.yaml)")
    serve.add_argument("--only", action="append", default=[], metavar="NAME", help="serve only these (repeatable)")
    deploy = commands.add_parser("deploy", help="register the deployments with a Prefect server (process pool)")
    deploy.add_argument("--file", default=None)
    deploy.add_argument("--work-pool", default="newsflow-process")
    trigger = commands.add_parser("trigger", help="start a run of a deployment, with parameters")
    trigger.add_argument("deployment", help="a deployment name from prefect.yaml (ingest, feeds, reprocess, "
                                            "backfill) or flow/deployment")
    trigger.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                         help="a parameter; JSON values are read as JSON (repeatable)")
    trigger.add_argument("--wait", action="store_true", help="wait for the run to finish")
    trigger.add_argument("--file", default=None)
    find = commands.add_parser("search", help="ranked full-text search over titles and bodies")
    find.add_argument("query")
    find.add_argument("--language", help="only articles in this language (ISO code, e.g. ru; zh finds zh-cn and zh-tw)")
    find.add_argument("--since", type=iso_day, help="only articles from this day on (YYYY-MM-DD)")
    find.add_argument("--source", help="only this source (where the run got the input)")
    find.add_argument("--site", help="only this publisher (a site: derstandard.at, or a name from [sites])")
    find.add_argument("--limit", type=int, default=10)
    find.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    find.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report = commands.add_parser("report", help="write a self-contained HTML report with charts")
    report.add_argument("--out", default="report.html")
    report.add_argument("--since", type=iso_day, help="only from this day on (YYYY-MM-DD)")
    report.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    export = commands.add_parser("export", help="write the warehouse's tables as Parquet")
    export.add_argument("--format", choices=("parquet",), default="parquet")
    export.add_argument("--out", required=True, help="output directory")
    export.add_argument("--overwrite", action="store_true", help="replace what an earlier export wrote there")
    export.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    server = commands.add_parser("server", help="keep one local Prefect server for repeated runs (Ctrl-C stops)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=4200)
    server.add_argument("--no-ui", action="store_true", help="serve the API only")
    sql = commands.add_parser("sql", help="run a read-only SQL query on the warehouse")
    sql.add_argument("query")
    sql.add_argument("--warehouse", help="DuckDB file (default: NEWSFLOW_WAREHOUSE or data/newsflow.duckdb)")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return parser


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsflow")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run a command; expected interruptions end in one line and a documented exit status (see --help)."""
    args = build_parser().parse_args(argv)
    # SIGTERM (a scheduler stopping the job) ends like Ctrl-C: exit handlers stop the temporary server and the pool
    signal.signal(signal.SIGTERM, lambda number, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    from tasks.config import SettingError

    try:
        return dispatch(args)
    except SettingError as exc:  # every command reads the settings (the warehouse's path at least), a file's too
        if args.debug:
            raise
        print(f"newsflow: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("newsflow: interrupted; nothing of the unfinished run was loaded", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `newsflow sql ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def dispatch(args: argparse.Namespace) -> int:
    if args.command in ("run", "reprocess", "backfill"):
        return command_run(args)
    if args.command in ("serve", "deploy", "trigger"):
        return command_deployments(args)
    if args.command == "boilerplate":
        return command_boilerplate(args)
    if args.command == "server":
        from flows.server import serve

        return serve(args.host, args.port, not args.no_ui)
    if args.command == "export":
        return command_export(args)
    if args.command == "search":
        return command_search(args)
    if args.command == "report":
        return command_report(args)
    return command_sql(args)


def command_run(args: argparse.Namespace) -> int:
    if args.command == "run" and not (args.sources or args.urls or args.config):
        print("newsflow: nothing to ingest: give SOURCE arguments, --urls FILE or --config FILE", file=sys.stderr)
        return 2
    missing = [s for s in (getattr(args, "sources", None) or []) + ([args.urls] if getattr(args, "urls", None) else [])
               if "://" not in s and not os.path.exists(s)]
    if args.command == "run" and missing:  # before any warehouse is created or server started
        print(f"newsflow: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    from flows.settings import resolve_settings

    # a setting or config file that cannot be used is said in one line (main) before a server is started for nothing
    resolve_settings(getattr(args, "config", None), {"warehouse": getattr(args, "warehouse", None),
                                                     "batch_size": getattr(args, "batch_size", None)})
    if args.command == "reprocess":  # checked before a server is started for nothing
        from warehouse.load import raw_pages

        con = open_warehouse(args.warehouse)
        if con is None:
            return 1
        try:
            unknown = unknown_filter(con, source=args.source)
            stored = 0 if unknown else len(raw_pages(con, args.source))
        finally:
            con.close()
        if unknown:
            print(f"newsflow: {unknown}", file=sys.stderr)
            return 2
        if not stored:
            print("newsflow: nothing to reprocess: the raw layer holds no downloaded page" + (
                f" of {args.source}" if args.source else "") + " (it keeps what was fetched from the web or read "
                "from WARC files; local files and JSON Lines are read again with `newsflow run --refresh`)",
                file=sys.stderr)
            return 0
    starting = use_prefect_server()
    from flows.backfill import backfill  # imports Prefect: only when a run is asked for
    from flows.ingest import ingest
    from flows.reprocess import reprocess

    if starting:
        starting.wait(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))

    try:
        if args.command == "reprocess":
            summary = reprocess(source=args.source, warehouse=args.warehouse, config_file=args.config)
        elif args.command == "backfill":
            from datetime import date

            result = backfill(start=date.fromisoformat(args.start), end=date.fromisoformat(args.end),
                              warc_dir=args.warc_dir, sitemaps=args.sitemap, warehouse=args.warehouse,
                              name=args.name, allow_networks=args.allow_network)
            print(json.dumps(result, indent=1))
            return 0
        else:
            flow, parallel = ingest, 1
            if args.runner == "dask":
                from prefect_dask import DaskTaskRunner

                # the local cluster is newsflow's own: its log stays quiet below CRITICAL. At shutdown a worker's
                # heartbeat can meet the closed scheduler and log a CommClosedError traceback after a run that
                # succeeded (dask/distributed#7105); a task that fails still fails the run, with its reason.
                cluster = {"n_workers": args.dask_workers, "threads_per_worker": 1, "processes": True,
                           "silence_logs": logging.CRITICAL}
                runner = (DaskTaskRunner(address=args.dask_address) if args.dask_address
                          else DaskTaskRunner(cluster_kwargs=cluster))
                flow, parallel = ingest.with_options(task_runner=runner), args.dask_workers
            summary = flow(sources=args.sources, warehouse=args.warehouse, name=args.name,
                           batch_size=args.batch_size, config_file=args.config, urls_file=args.urls,
                           refresh=args.refresh, allow_networks=args.allow_network, parallel=parallel,
                           config_sources=True if args.with_config_sources else None)
    except Exception as exc:  # the run failed: say why in one line, exit non-zero
        if args.debug:
            raise
        print(f"newsflow: {args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(format_summary(summary))
    wall = time.perf_counter() - STARTED
    overhead = max(0.0, wall - summary["seconds"])
    print(f"  wall time   {wall:.1f} s  (of which {overhead:.1f} s " + (
        "importing Prefect and starting its temporary server; `newsflow server` in another shell keeps one "
        "running)" if starting else "importing Prefect and setting up the flow run)"))
    if not summary["articles"] and summary["rejects"] and not summary.get("skipped"):
        print(f"newsflow: nothing could be read: every input was rejected "
              f"({', '.join(sorted(summary['rejects_by_reason']))}; see the rejects table)", file=sys.stderr)
        return 1
    return 0


def format_summary(summary: dict) -> str:
    """Render a run summary for people."""
    rejects = summary["rejects_by_reason"]
    skipped = {k: v for k, v in summary.get("skipped", {}).items() if k != "unchanged_file"}  # records not pages
    lines = [
        f"run {summary['run_id']} into {summary['warehouse']}",
        f"  read        {summary['read']} documents" + (
            f"  ({summary['unchanged_files']} unchanged files skipped; --refresh reads them)"
            if summary.get("unchanged_files") else ""),
        *(["  skipped     " + ", ".join(f"{reason}: {n}" for reason, n in skipped.items())] if skipped else []),
        f"  articles    {summary['articles']}",
        f"  new         {summary['new_articles']}" + ("  (nothing new: everything was loaded before)"
                                                      if summary["new_articles"] == 0 and (
                                                          summary["articles"] or summary.get("unchanged_files"))
                                                      else ""),
        f"  updated     {summary['updated_articles']}",
        f"  duplicates  {summary['duplicates']}" + (f"  (and {summary['siblings']} template siblings: same "
                                                    "sentences, other facts)" if summary.get("siblings") else ""),
        f"  rejects     {summary['rejects']}" + (
            "  (" + ", ".join(f"{reason}: {n}" for reason, n in rejects.items()) + ")" if rejects else ""),
        "  languages   " + (", ".join(f"{lang}: {n}" for lang, n in summary["languages"].items()) or "-"),
        f"  seconds     {summary['seconds']:.1f}  (" + ", ".join(
            f"{stage} {sec:.2f}" for stage, sec in summary["stage_seconds"].items()) + ")",
    ]
    return "\n".join(lines)


def command_sql(args: argparse.Namespace) -> int:
    import duckdb

    con = open_warehouse(args.warehouse)
    if con is None:
        return 1
    try:
        cursor = con.execute(args.query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        print(f"newsflow: query failed: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    write_rows(columns, rows, args.format, sys.stdout)
    return 0


def use_prefect_server():
    """Point Prefect at a server: PREFECT_API_URL, else the one `newsflow server` keeps, else a temporary one.

    The temporary server is started at once (returned: call its ``wait`` before a run), so that its start-up
    overlaps the imports of the flows instead of following them.
    """
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if os.environ.get("PREFECT_API_URL"):
        return None
    from flows.server import TemporaryServer, find_server

    url = find_server()
    if url:
        os.environ["PREFECT_API_URL"] = url
        print(f"newsflow: using the Prefect server at {url} (newsflow server)", file=sys.stderr)
        return None
    if os.environ.get("PREFECT_PROFILE") or _profile_names_server():
        return None  # the active Prefect profile names a server
    return TemporaryServer()


def _profile_names_server() -> bool:
    """Tell whether Prefect's profiles file sets an API URL (then Prefect uses that server, not a temporary one)."""
    from flows.server import prefect_home

    path = prefect_home() / "profiles.toml"
    try:
        return "PREFECT_API_URL" in path.read_text()
    except OSError:
        return False


def command_deployments(args: argparse.Namespace) -> int:
    """Serve, register or trigger the deployments of prefect.yaml."""
    starting = use_prefect_server()
    if starting and args.command in ("deploy", "trigger"):
        starting.stop()  # a temporary server ends with this command: a run or deployment left on it is lost
        print(f"newsflow: {args.command} needs a Prefect server that outlives this command: start `newsflow server` "
              "(and `newsflow serve` to run what is triggered) in another shell, or set PREFECT_API_URL",
              file=sys.stderr)
        return 2
    if starting:
        starting.wait(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    from flows import deployments

    path = args.file or deployments.DEFAULT_FILE
    try:
        if args.command == "serve":
            deployments.serve_all(path, args.only or None)
        elif args.command == "deploy":
            ids = deployments.deploy_all(path, args.work_pool)
            print(f"{len(ids)} deployments registered for work pool {args.work_pool}; start a worker with "
                  f"`prefect worker start --pool {args.work_pool}`")
        else:
            name = deployments.full_name(args.deployment, path)
            if not deployments.is_served(name):
                print(f"newsflow: nothing is serving {name} (no `newsflow serve` or worker has polled it lately): "
                      "the run stays Scheduled until one starts", file=sys.stderr)
            run = deployments.trigger(name, deployments.parse_params(args.param), args.wait, path)
            state = run.state.name if run.state else "scheduled"
            print(f"flow run {run.name} ({run.id}) of {name}: {state}")
            if args.wait and run.state and not run.state.is_completed():
                return 1
    except Exception as exc:
        print(f"newsflow: {args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def open_warehouse(path: str | None, read_only: bool = True):
    """Open the warehouse named by --warehouse (or the settings); on failure say why and return None."""
    from flows.settings import resolve_settings
    from tasks.errors import TerminalError, TransientError
    from warehouse.connection import connect

    import duckdb

    warehouse = resolve_settings(overrides={"warehouse": path}).warehouse
    try:
        return connect(warehouse, read_only=read_only, timeout=60)
    except (TransientError, TerminalError) as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return None
    except duckdb.Error as exc:  # a file that is not a DuckDB database, or one of a newer DuckDB
        print(f"newsflow: {warehouse} cannot be opened as a warehouse: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None


def unknown_filter(con, source: str | None = None, site: str | None = None) -> str | None:
    """Return what is wrong with a --source or --site filter that names nothing in the warehouse, or None."""
    if source and not con.execute("SELECT 1 FROM sources WHERE name = ?", [source]).fetchall():
        names = [r[0] for r in con.execute("SELECT name FROM sources ORDER BY 1 LIMIT 8").fetchall()]
        return f"no source named {source!r} in the warehouse (sources: {', '.join(names) or 'none'})"
    if site and not con.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1", [site]).fetchall():
        return f"no articles of a site named {site!r} in the warehouse (see `newsflow sql \"SELECT * FROM site_activity\"`)"
    return None


def command_search(args: argparse.Namespace) -> int:
    """Print the best matches of a query with a snippet around the match."""
    from warehouse.search import search

    con = open_warehouse(args.warehouse)
    if con is None:
        return 1
    try:
        unknown = unknown_filter(con, source=args.source, site=args.site)
        if unknown:
            print(f"newsflow: {unknown}", file=sys.stderr)
            return 2
        results = search(con, args.query, args.language, args.source, args.since, args.limit, args.site)
    finally:
        con.close()
    if args.format == "table":
        for rank, hit in enumerate(results, start=1):
            print(f"{rank:>2}. {hit['title']}  [{hit['site']}, {hit['language']}, {hit['date']}, score {hit['score']}]")
            print(f"    {hit['snippet']}")
        print(f"({len(results)} result{'s' if len(results) != 1 else ''})")
    else:
        columns = ["score", "site", "source", "language", "date", "title", "snippet", "url"]
        write_rows(columns, [tuple(hit[c] for c in columns) for hit in results], args.format, sys.stdout)
    return 0


def command_report(args: argparse.Namespace) -> int:
    """Build the HTML report, saying what it is doing."""
    from warehouse.report import render_report

    started = time.perf_counter()
    con = open_warehouse(args.warehouse)
    if con is None:
        return 1
    try:
        page = render_report(con, args.since, progress=lambda m: print(f"report: {m}", file=sys.stderr, flush=True))
    finally:
        con.close()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(page, encoding="utf-8")
    print(f"report written to {args.out} ({len(page) / 2**20:.1f} MiB, {time.perf_counter() - started:.1f} s)")
    return 0


def command_export(args: argparse.Namespace) -> int:
    """Export every table as Parquet through a read-only connection."""
    from warehouse.export import export_parquet

    con = open_warehouse(args.warehouse)
    if con is None:
        return 1
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        con.close()
        print(f"newsflow: {out} is not empty: an earlier export's files would be mixed with this one's; "
              "add --overwrite to replace them, or choose another folder", file=sys.stderr)
        return 2
    try:
        counts = export_parquet(con, args.out, replace=args.overwrite)
    finally:
        con.close()
    print(f"{len(counts)} tables written to {args.out} (articles partitioned by day; the views in views/): "
          + ", ".join(f"{table} {rows}" for table, rows in counts.items()))
    return 0


def command_boilerplate(args: argparse.Namespace) -> int:
    """List what a source learned as boilerplate, or record lines a user says are content."""
    from datetime import datetime, timezone

    import pyarrow as pa

    from tasks.article import make_source_id
    from tasks.clean import hash_line, normalize_text
    from warehouse.connection import transaction
    from warehouse.load import write_table

    source_id = make_source_id(args.source)
    con = open_warehouse(args.warehouse, read_only=not args.keep)
    if con is None:
        return 1
    try:
        if not con.execute("SELECT count(*) FROM sources WHERE source_id = ?", [source_id]).fetchall()[0][0]:
            print(f"newsflow: no source named {args.source!r} in the warehouse", file=sys.stderr)
            return 1
        if args.keep:
            lines = [normalize_text(line) for line in args.keep]
            removed = {row[0] for row in con.execute(
                """SELECT DISTINCT r.text FROM removed_lines r JOIN articles a USING (article_id)
                   WHERE a.source_id = ? AND r.rule = 'learned'""", [source_id]).fetchall()}
            unknown = [line for line in lines if line not in removed]
            if unknown:  # a typo or a cut value would be recorded and match nothing, silently
                print(f"newsflow: not a line {args.source} learned as boilerplate: {unknown[0]!r} (copy it from "
                      f"`newsflow boilerplate --source {args.source} --format csv`)", file=sys.stderr)
                return 2
            now = datetime.now(timezone.utc)
            with transaction(con):
                write_table(con, "boilerplate_overrides", pa.table({
                    "source_id": [source_id] * len(lines), "line_hash": [hash_line(line) for line in lines],
                    "text": lines, "decision": ["content"] * len(lines),
                    "decided_at": pa.array([now] * len(lines), pa.timestamp("us", "UTC"))}))
                # the source's local files are read again by the next run, which restores the lines in their articles
                con.execute("DELETE FROM local_files WHERE source_id = ?", [source_id])
            print(f"{len(lines)} line(s) marked as content for {args.source}; later runs keep them "
                  f"(the next run reads the source's files again; `newsflow reprocess --source {args.source}` "
                  "rebuilds its web pages)")
            return 0
        cursor = con.execute("""
            SELECT text, articles, 'learned' AS status FROM learned_boilerplate WHERE list_contains(sources, ?)
            UNION ALL
            SELECT text, NULL, 'kept as content' FROM boilerplate_overrides WHERE source_id = ?
            ORDER BY status, articles DESC NULLS LAST, text""", [args.source, source_id])
        columns = [d[0] for d in cursor.description]
        write_rows(columns, cursor.fetchall(), args.format, sys.stdout)
    finally:
        con.close()
    return 0


def write_rows(columns: list[str], rows: list[tuple], fmt: str, out) -> None:
    """Print query results as an aligned table, CSV or JSON."""
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], out, default=str, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        cells = [[("NULL" if v is None else str(v)).replace("\n", "⏎") for v in row] for row in rows]
        widths = [min(60, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]
        cut = lambda v, w: v if len(v) <= w else v[:w - 1] + "…"  # noqa: E731  (a cut value says so)
        line = lambda values: "  ".join(cut(v, w).ljust(w) for v, w in zip(values, widths)).rstrip()
        out.write(line(columns) + "\n" + line(["-" * w for w in widths]) + "\n")
        for row in cells:
            out.write(line(row) + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


if __name__ == "__main__":
    sys.exit(main())
