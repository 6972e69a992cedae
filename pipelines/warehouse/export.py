"""Parquet export of every warehouse table (and the ACLED-layout view) for other tools.

`export_parquet` reads the published warehouse through one read-only connection, so every file of one export
comes from the same snapshot, and writes `<out_dir>/<table>.parquet` with DuckDB's COPY, rows sorted by the
table's key. Each file is written under a temporary name and renamed into place, so a reader of the export
folder never opens a half-written file. The ACLED view is also written as CSV, the format ACLED tooling reads.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from pipelines.schema import WAREHOUSE_TABLES
from pipelines.settings import Warehouse

from .db import connect, existing_tables, files_dir, ident, key_columns

ACLED_VIEW = "acled_export"


def default_export_dir(db_path: Warehouse | str) -> Path:
    """export/ beside the warehouse file, or in a lake's files folder (db.files_dir)."""
    return files_dir(db_path) / "export"


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _copy(con, query: str, target: Path, options: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        con.execute(f"COPY ({query}) TO {_literal(tmp)} ({options})")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def export_parquet(db_path: Warehouse | str, out_dir: Path | str | None = None) -> dict[str, Path]:
    """Write every warehouse table (and acled_export, when the view exists) as Parquet; returns name -> file."""
    out = Path(out_dir) if out_dir is not None else default_export_dir(db_path)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    con = connect(db_path, read_only=True)
    try:
        present = existing_tables(con)
        for table in WAREHOUSE_TABLES:
            if table not in present:
                continue
            order = ", ".join(ident(k) for k in key_columns(table))
            target = out / f"{table}.parquet"
            _copy(con, f"SELECT * FROM {ident(table)} ORDER BY {order}", target, "FORMAT parquet")
            written[table] = target
        views = {
            r[0]
            for r in con.sql(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
            ).fetchall()
        }
        if ACLED_VIEW in views:
            query = f"SELECT * FROM {ident(ACLED_VIEW)}"
            _copy(con, query, out / f"{ACLED_VIEW}.parquet", "FORMAT parquet")
            _copy(con, query, out / f"{ACLED_VIEW}.csv", "FORMAT csv, HEADER true")
            written[ACLED_VIEW] = out / f"{ACLED_VIEW}.parquet"
            written[f"{ACLED_VIEW}_csv"] = out / f"{ACLED_VIEW}.csv"
    finally:
        con.close()
    return written
