"""Report views over the warehouse: one `sql/<name>.sql` file per view.

Each file starts with a `-- ` comment line describing the view, followed by a single SELECT over warehouse
tables (never over another view, so the files can be created in any order). The files and their DDL
(`report_names`, `create_views`, ...) live beside the warehouse code that creates the views at every publish
(pipelines/warehouse/views.py) and are re-exported here. `run_report` reads one view through a read-only
connection, which runs never lock (they publish by swapping in a new file).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines import settings
from pipelines.schema import WAREHOUSE_TABLES
from pipelines.settings import Warehouse
from pipelines.warehouse import connect, create_table_sql, existing_tables, ident
from pipelines.warehouse.views import (
    create_views,
    read_report_file,
    report_description,
    report_file,
    report_names,
    report_query,
)

ENV_SQL_DIR = settings.ENV_SQL_DIR
SQL_DIR: Path = settings.DEFAULT_SQL_DIR  # the default; SALVO_SQL_DIR is read when a report is looked up

__all__ = [
    "ENV_SQL_DIR",
    "SQL_DIR",
    "create_views",
    "read_report_file",
    "report_description",
    "report_file",
    "report_names",
    "report_query",
    "run_report",
]


def _view_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.sql(
        "SELECT count(*) FROM duckdb_views() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND view_name = $name",
        params={"name": name},
    ).fetchall()
    return rows[0][0] > 0


def run_report(
    db_path: Warehouse | str, name: str, sql_dir: Path | None = None, *, as_of: int | None = None
) -> pl.DataFrame:
    """One report as a polars frame, read through a read-only connection (of a lake: as of the snapshot
    `as_of`, when given; by default the last committed one).

    Reads the view when `create_views` made it; otherwise runs the file's query directly, over empty temporary
    tables standing in for any warehouse table the file lacks (a read-only connection cannot create real ones).
    """
    path = report_file(name, sql_dir)
    con = connect(db_path, read_only=True, snapshot=as_of)
    try:
        if _view_exists(con, name):
            return con.sql(f"SELECT * FROM {ident(name)}").pl()
        present = existing_tables(con)
        for table in WAREHOUSE_TABLES:
            if table not in present:
                con.execute(create_table_sql(table, temporary=True))
        return con.sql(read_report_file(path)[1]).pl()
    finally:
        con.close()
