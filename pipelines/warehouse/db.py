"""DuckDB basics shared by every warehouse module: DDL derived from `pipelines.schema`, connections, counts.

duckdb 2.x notes that shape this package:
- `con.execute(<SELECT>)` leaves a streaming result open on the connection, and the next statement fails with
  ResourceInUseException until it is read out; so reads go through `con.sql(...)` relations
  (`.fetchall()` / `.pl()`), and `con.execute` is used only for statements that run to their end (DDL, DML).
- Relations have no `fetchone()`; connections have no `.arrow()`.
- After a failed statement the transaction is aborted and every later statement, `unregister` included, fails
  until ROLLBACK; so nothing runs between an error and the ROLLBACK.
- Frames enter through Arrow (`con.register(name, df.to_arrow())`), never through values formatted into SQL.
- One process caches one database instance per path: a connection opened while another connection of the same
  process is still open on that path shares the first one's instance, even if the file was replaced since.
  Connections here are therefore short-lived and always closed.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipelines import settings
from pipelines.schema import EVENT_TABLES, LEDGER_TABLES, WAREHOUSE_TABLES, conform
from pipelines.settings import DEFAULT_DB_PATH, REPO_ROOT  # noqa: F401 - where they were; one place knows them

# A table's primary key: one column, or several.
PRIMARY_KEYS: dict[str, str | tuple[str, ...]] = {
    "articles": "article_id",
    **{table: "event_id" for table in EVENT_TABLES},
    "quarantine": "quarantine_id",
    **{table: "outcome_id" for table in LEDGER_TABLES},
    "weapons": "alias",
    "event_reports": "event_id",
    "attack_events": "event_key",
    "attack_event_outcomes": "outcome_key",
    "attack_event_history": ("event_key", "valid_from"),
    "casualty_events": "event_key",
    "casualty_event_history": ("event_key", "valid_from"),
    "territorial_events": "event_key",
}
if set(PRIMARY_KEYS) != set(WAREHOUSE_TABLES):  # pragma: no cover - a table added to schema.py without a key
    raise RuntimeError(f"primary keys missing for {sorted(set(WAREHOUSE_TABLES) - set(PRIMARY_KEYS))}")

# polars dtype -> DuckDB type. A list rather than a dict because polars dtypes may come as classes
# (pl.String) or instances (pl.String()), which compare equal but do not necessarily hash alike.
_DUCKDB_TYPES: list[tuple[pl.DataType, str]] = [
    (pl.String, "VARCHAR"),
    (pl.Int64, "BIGINT"),
    (pl.Int32, "INTEGER"),
    (pl.Date, "DATE"),
    (pl.Float64, "DOUBLE"),
    (pl.Boolean, "BOOLEAN"),
]

# Table and column names are spliced into SQL; they come from schema.py, but the check keeps a typo or a
# hostile name from ever becoming SQL.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """`name` as a quoted SQL identifier, after checking it is a plain lower-case identifier."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def key_columns(table: str) -> tuple[str, ...]:
    key = PRIMARY_KEYS[table]
    return (key,) if isinstance(key, str) else key


def duckdb_type(dtype: pl.DataType) -> str:
    """The DuckDB column type for a polars dtype of schema.py."""
    for polars_type, sql_type in _DUCKDB_TYPES:
        if dtype == polars_type:
            return sql_type
    raise TypeError(f"no DuckDB type mapped for polars dtype {dtype!r}")


def create_table_sql(table: str, *, temporary: bool = False) -> str:
    """`CREATE TABLE IF NOT EXISTS` for one WAREHOUSE_TABLES entry (columns in schema order, with its primary key)."""
    schema = WAREHOUSE_TABLES[table]
    columns = [f"{ident(name)} {duckdb_type(dtype)}" for name, dtype in schema.items()]
    columns.append(f"PRIMARY KEY ({', '.join(ident(k) for k in key_columns(table))})")
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {ident(table)} (\n    " + ",\n    ".join(columns) + "\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table that does not exist yet, and add the columns a table of an older warehouse
    lacks (existing rows are kept; a per-article row's new `partition_date` is filled from its article, an
    ingest reject's from its row_json)."""
    present = existing_tables(con)
    for table in WAREHOUSE_TABLES:
        if table not in present:
            con.execute(create_table_sql(table))
            continue
        have = {
            name
            for (name,) in con.sql(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = $t",
                params={"t": table},
            ).fetchall()
        }
        for name, dtype in WAREHOUSE_TABLES[table].items():
            if name not in have:
                con.execute(f"ALTER TABLE {ident(table)} ADD COLUMN {ident(name)} {duckdb_type(dtype)}")
                if name == "partition_date":
                    _fill_days(con, table)


def _fill_days(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The day of the rows of a table that had no partition_date column: its article's, or (ingest rejects,
    which name no article) the one recorded in row_json."""
    of_article = f"(SELECT a.partition_date FROM articles a WHERE a.article_id = {ident(table)}.article_id)"
    if table == "quarantine":
        recorded = "TRY_CAST(json_extract_string(row_json, '$.partition_date') AS DATE)"
        con.execute(f"UPDATE quarantine SET partition_date = coalesce({recorded}, {of_article})")
    else:
        con.execute(f"UPDATE {ident(table)} SET partition_date = {of_article}")


def _read_timeout() -> float:
    """How long a reader keeps retrying to open the warehouse while another process holds a write lock on it
    (SALVO_READ_TIMEOUT). Runs never lock the published file (they write a staging copy and swap it in, see
    publish.py); this covers anyone else opening it read-write, e.g. an analyst's `duckdb
    warehouse/salvo.duckdb` without -readonly."""
    return settings.read_timeout_s()


def _retryable(exc: duckdb.Error) -> bool:
    """A lock held by a writing process, or a WAL left beside the file by a writer that crashed there (the
    publishing run removes it right after its swap)."""
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text or "WAL does not match" in text


def connect(
    db_path: Path | str = DEFAULT_DB_PATH, read_only: bool = False, timeout_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writer gets its parent directory created first.

    A reader (read_only) that finds the file locked by a writing process retries for `timeout_s` seconds
    (SALVO_READ_TIMEOUT, default 5) before giving up. Runs publish by swapping in a new file, so they never
    hold that lock; close connections promptly all the same.
    """
    path = Path(db_path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path))
    deadline = time.monotonic() + (_read_timeout() if timeout_s is None else timeout_s)
    delay = 0.02
    while True:
        if not path.exists():
            # duckdb would otherwise report an IO error about a missing file without saying which.
            raise FileNotFoundError(f"warehouse not found: {path}")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            if not _retryable(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables in the main schema of the connection's database (temporary tables excluded)."""
    rows = con.sql(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary"
    ).fetchall()
    return {row[0] for row in rows}


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every warehouse table; a table that does not exist yet counts 0.

    Missing tables are tolerated because a read-only caller cannot create them.
    """
    present = existing_tables(con)
    counts: dict[str, int] = {}
    for table in WAREHOUSE_TABLES:
        if table in present:
            counts[table] = int(con.sql(f"SELECT count(*) FROM {ident(table)}").fetchall()[0][0])
        else:
            counts[table] = 0
    return counts


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A whole warehouse table as a polars frame, conformed to its schema and sorted by its primary key."""
    order = ", ".join(ident(k) for k in key_columns(table))
    frame = con.sql(f"SELECT * FROM {ident(table)} ORDER BY {order}").pl()
    return conform(frame, WAREHOUSE_TABLES[table])


class NotAWarehouse(ValueError):
    """A path that cannot be this project's warehouse (a corrupt file, another program's file, another
    DuckDB database); the message is one line saying which, why, and what to do."""


@contextlib.contextmanager
def transaction(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to `db_path` inside one transaction: committed when the block ends, rolled back
    on any error (BaseException too: a KeyboardInterrupt mid-load must not leave half a batch behind), closed
    either way. Nothing runs between an error and the ROLLBACK (see the module doc)."""
    con = connect(db_path)
    try:
        # BEGIN outside the inner try: if it fails there is no transaction to roll back.
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def check_warehouse(db_path: Path | str, *, must_exist: bool) -> None:
    """Raise NotAWarehouse unless `db_path` is a salvo warehouse (or, with must_exist=False, absent or an empty
    file a run may initialise). Opened read-only: checking never takes a writer's lock."""
    path = Path(db_path)
    if not path.exists():
        if must_exist:
            raise NotAWarehouse(f"no warehouse at {path}; run `salvo run --db {path}` (or `make run`) first")
        return
    if path.stat().st_size == 0:
        if must_exist:
            raise NotAWarehouse(f"{path} is an empty file, not a warehouse yet; run `salvo run --db {path}` first")
        return
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head[8:12] != b"DUCK":  # DuckDB's magic bytes, after the 8-byte checksum of its first block
        raise NotAWarehouse(
            f"{path} is not a DuckDB file (corrupt, or another program's); point --db or SALVO_DB_PATH at the "
            "warehouse `salvo run` writes, or move this file away"
        )
    try:
        con = connect(path, read_only=True)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotAWarehouse(f"{path} cannot be opened as a DuckDB warehouse ({first}); check the path") from exc
    try:
        tables = existing_tables(con)
        columns = {
            name
            for (name,) in con.sql(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = 'articles'"
            ).fetchall()
        }
    finally:
        con.close()
    if (tables or must_exist) and not set(WAREHOUSE_TABLES["articles"]) <= columns:
        raise NotAWarehouse(
            f"{path} is a DuckDB database but not a salvo warehouse (no salvo articles table); point --db at a "
            "new file or at the warehouse `salvo run` writes"
        )
