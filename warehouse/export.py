"""Export the normalised tables as Parquet, for tools beyond DuckDB."""
from __future__ import annotations

from pathlib import Path

import duckdb


def export_parquet(con: duckdb.DuckDBPyConnection, out: str | Path, replace: bool = False) -> dict[str, int]:
    """Write every table to ``out``: one Parquet file per table, articles partitioned by day. Returns row counts.

    ``replace`` removes what an earlier export wrote there first (stale day partitions would be read back with
    the new ones).
    """
    out = Path(out)
    if replace and out.exists():
        import shutil

        for child in out.iterdir():
            if child.name in ("articles", "views") or child.suffix == ".parquet":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    tables = [row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_name <> 'schema_migrations' ORDER BY 1").fetchall()]
    counts = {}
    for table in tables:
        counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        if table == "articles":
            target = (out / "articles").as_posix().replace("'", "''")
            con.execute(f"""COPY (SELECT *, CAST(COALESCE(published_at, first_seen_at) AS DATE) AS day FROM articles)
                            TO '{target}' (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE)""")
        else:
            target = (out / f"{table}.parquet").as_posix().replace("'", "''")
            con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
    # the analysis views too, as their rows are now: a notebook without DuckDB reads them as they are
    views = [row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1").fetchall()]
    (out / "views").mkdir(exist_ok=True)
    for view in views:
        target = (out / "views" / f"{view}.parquet").as_posix().replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {view}) TO '{target}' (FORMAT parquet)")
    return counts
