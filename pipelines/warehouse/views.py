"""The report views' DDL: one `sql/<name>.sql` file per view (the folder: pipelines/settings.py `sql_dir`).

Each file starts with a `-- ` comment line describing the view, followed by a single SELECT over warehouse
tables (never over another view, so the files can be created in any order). `create_views` turns every file
into `CREATE OR REPLACE VIEW <name>` with the description as its `COMMENT ON VIEW`; every publish runs it on
the staging copy before the swap (publish.py). Reading a report is pipelines.reports' (`run_report`), which
imports from here: the warehouse never imports the reports.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines import settings

from .db import ensure_schema, ident

# View names become SQL identifiers, so file stems must be plain identifiers.
_VIEW_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _sql_dir(sql_dir: Path | None) -> Path:
    """The directory to read: the argument, else SALVO_SQL_DIR as set now (tests set it late), else sql/;
    one that is missing or holds no .sql file raises SettingsError (one line), never gives zero views."""
    return settings.sql_dir(given=sql_dir)


def report_names(sql_dir: Path | None = None) -> list[str]:
    """The report names: stems of `<sql_dir>/*.sql`, sorted."""
    names = sorted(path.stem for path in _sql_dir(sql_dir).glob("*.sql"))
    bad = [name for name in names if not _VIEW_NAME.fullmatch(name)]
    if bad:
        # Fail loudly rather than skip: a report that silently never appears is harder to notice.
        raise ValueError(f"report file names must be lower-case SQL identifiers: {bad}")
    return names


def report_file(name: str, sql_dir: Path | None) -> Path:
    """The file of report `name`, which must be one of `report_names()` (so untrusted names never reach SQL)."""
    names = report_names(sql_dir)
    if name not in names:
        raise ValueError(f"unknown report {name!r}; known reports: {', '.join(names)}")
    return _sql_dir(sql_dir) / f"{name}.sql"


def read_report_file(path: Path) -> tuple[str, str]:
    """(description, query) of one report file; the query without a trailing semicolon so it nests in a view."""
    text = path.read_text(encoding="utf-8")
    first, _, _ = text.partition("\n")
    if not first.startswith("--"):
        raise ValueError(f"{path}: the first line must be a `-- ` comment describing the view")
    query = text.strip().rstrip(";").strip()
    return first[2:].strip(), query


def report_description(name: str, sql_dir: Path | None = None) -> str:
    """The one-line description of a report: its file's first line, without the `--`."""
    return read_report_file(report_file(name, sql_dir))[0]


def report_query(name: str, sql_dir: Path | None = None) -> str:
    """The SELECT of a report, as its file holds it (leading comment included)."""
    return read_report_file(report_file(name, sql_dir))[1]


def _view_sql(query: str) -> str:
    """`CREATE VIEW` for a report's query. The comment line stays part of the query; a newline after AS keeps
    it from swallowing the SELECT."""
    return f"AS\n{query}\n"


def _held_views(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """The views of the connection's warehouse: name -> (its SQL as DuckDB keeps it, its comment)."""
    rows = con.sql(
        "SELECT view_name, sql, comment FROM duckdb_views() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal"
    ).fetchall()
    return {name: (sql, comment) for name, sql, comment in rows}


def _normalized(names_queries: dict[str, str]) -> dict[str, str]:
    """Each view's SQL as DuckDB keeps it (parsed and printed again: `count(*)` becomes `count_star()`), made
    in a scratch in-memory database over empty warehouse tables, so that it can be compared with a view held."""
    from pipelines.schema import WAREHOUSE_TABLES

    from .db import create_table_sql

    scratch = duckdb.connect()
    try:
        for table in WAREHOUSE_TABLES:
            scratch.execute(create_table_sql(table))
        for name, query in names_queries.items():
            scratch.execute(f"CREATE VIEW {ident(name)} {_view_sql(query)}")
        return {name: sql for name, (sql, _) in _held_views(scratch).items()}
    finally:
        scratch.close()


def create_views(
    con: duckdb.DuckDBPyConnection, sql_dir: Path | None = None, *, only_changed: bool = False
) -> list[str]:
    """Create or replace one view per report file; returns the view names.

    The warehouse tables are created first when missing, because DuckDB binds a view's query when it is created.
    With `only_changed` (a DuckLake publish), a view whose SQL and comment are already those of its file is left
    alone: rewriting it is a catalog change that two concurrent runs' transactions would conflict on.
    """
    ensure_schema(con)
    names = report_names(sql_dir)
    queries = {name: read_report_file(_sql_dir(sql_dir) / f"{name}.sql")[1] for name in names}
    held = _held_views(con) if only_changed else {}
    wanted = _normalized(queries) if only_changed else {}
    for name in names:
        description = report_description(name, sql_dir)
        if name in held and held[name] == (wanted[name], description):
            continue
        con.execute(f"CREATE OR REPLACE VIEW {ident(name)} {_view_sql(queries[name])}")
        literal = description.replace("'", "''")
        con.execute(f"COMMENT ON VIEW {ident(name)} IS '{literal}'")
    return names
