"""The DuckDB warehouse: DDL derived from `pipelines.schema`, and an idempotent, transactional batch load.

Plain functions only (no Dagster, no text parsing), so the assets, the CLI and the tests share one code path.

Loading replaces by article: a batch first deletes everything the warehouse holds for the articles it carries,
then inserts its frames, all inside one transaction. Re-running a batch therefore leaves identical tables, and a
crash or a constraint error leaves the last committed state.

duckdb 2.x notes that shape this module:
- `con.execute(<SELECT>)` leaves a streaming result open on the connection, and the next statement fails with
  ResourceInUseException until it is read out; so reads go through `con.sql(...)` relations
  (`.fetchall()` / `.pl()`), and `con.execute` is used only for statements that run to their end (DDL, DML).
- Relations have no `fetchone()`; connections have no `.arrow()`.
- After a failed statement the transaction is aborted and every later statement, `unregister` included, fails
  until ROLLBACK; so nothing runs between an error and the ROLLBACK.
- Frames enter through Arrow (`con.register(name, df.to_arrow())`), never through values formatted into SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.schema import ARTICLES, EVENT_TABLES, QUARANTINE, WAREHOUSE_TABLES, conform

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH: Path = REPO_ROOT / "warehouse" / "salvo.duckdb"

PRIMARY_KEYS: dict[str, str] = {
    "articles": "article_id",
    **{table: "event_id" for table in EVENT_TABLES},
    "quarantine": "quarantine_id",
}

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

# Names of the Arrow objects registered during a load; prefixed so they cannot shadow a warehouse table.
_BATCH_ARTICLE_IDS = "_salvo_batch_article_ids"
_BATCH_QUARANTINE_IDS = "_salvo_batch_quarantine_ids"
_LOADED_ARTICLE_IDS = "_salvo_loaded_article_ids"


def ident(name: str) -> str:
    """`name` as a quoted SQL identifier, after checking it is a plain lower-case identifier."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


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
    columns.append(f"PRIMARY KEY ({ident(PRIMARY_KEYS[table])})")
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {ident(table)} (\n    " + ",\n    ".join(columns) + "\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table that does not exist yet (existing tables are left as they are)."""
    for table in WAREHOUSE_TABLES:
        con.execute(create_table_sql(table))


def connect(db_path: Path | str = DEFAULT_DB_PATH, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writer gets its parent directory created first.

    DuckDB allows one writing process, and while it writes no other process can open the file, not even
    read-only; so keep connections short-lived and close them.
    """
    path = Path(db_path)
    if read_only:
        if not path.exists():
            # duckdb would otherwise report an IO error about a missing file without saying which.
            raise FileNotFoundError(f"warehouse not found: {path}")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


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


@dataclass(frozen=True)
class LoadSummary:
    """Rows written by one `load_batch`, and every table's row count after it."""

    articles: int
    air_attacks: int
    casualties: int
    territorial_control: int
    quarantine: int
    totals: dict[str, int]


def _conform_batch(
    articles: pl.DataFrame, events: Mapping[str, pl.DataFrame], quarantine: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """Every warehouse table's frame of this batch, cast to its schema (a missing event table is empty)."""
    unknown = set(events) - set(EVENT_TABLES)
    if unknown:
        # A misspelt key would otherwise silently load nothing for that table.
        raise ValueError(f"unknown event tables: {sorted(unknown)}; expected some of {sorted(EVENT_TABLES)}")
    frames = {"articles": conform(articles, ARTICLES)}
    for table, schema in EVENT_TABLES.items():
        frame = events.get(table)
        frames[table] = conform(frame, schema) if frame is not None else pl.DataFrame(schema=schema)
    frames["quarantine"] = conform(quarantine, QUARANTINE)
    return frames


def _id_table(column: str, values: Iterable[str | None]) -> pa.Table:
    """A one-column Arrow table of the distinct non-null ids, typed even when empty."""
    distinct = sorted({value for value in values if value is not None})
    return pa.table({column: pa.array(distinct, type=pa.string())})


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert a conformed frame through Arrow, columns named in schema order; returns the rows written."""
    if frame.height == 0:
        return 0
    columns = ", ".join(ident(name) for name in WAREHOUSE_TABLES[table])
    source = f"_salvo_load_{table}"
    # Not unregistered afterwards: unregister is a catalog change, which fails inside an aborted transaction and
    # would mask the real error; the registration dies with load_batch's own connection.
    con.register(source, frame.to_arrow())
    con.execute(f"INSERT INTO {ident(table)} ({columns}) SELECT {columns} FROM {ident(source)}")
    return frame.height


def load_batch(
    db_path: Path | str,
    articles: pl.DataFrame,
    events: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    partitions: tuple[dt.date, dt.date] | None = None,
) -> LoadSummary:
    """Replace, by article, what the warehouse holds for this batch; one transaction, so all or nothing.

    The batch's article ids are those of `articles` plus any named by its event or quarantine rows. Event and
    quarantine rows of those articles are deleted, as are quarantine rows with this batch's quarantine ids
    (ingest rejects carry no article id) and the articles of `articles`; then every frame is inserted. An
    article named only by events keeps its article row: the batch replaces its events, not the article.

    With `partitions` (first, last day), the batch is the whole content of those days and replaces them
    exactly: every article whose partition_date falls in them goes, with its event rows and validate-stage
    quarantine rows, and so does every ingest-stage quarantine row of those days (its day is the
    `partition_date` in its row_json). Ingest rows are then not deleted by article id, since a reject of
    one day may name an article of another (a duplicate id). Rows left over from items that have since
    disappeared from the sources therefore disappear too.
    """
    frames = _conform_batch(articles, events, quarantine)
    batch_article_ids = _id_table(
        "article_id", [value for frame in frames.values() for value in frame["article_id"].to_list()]
    )
    loaded_article_ids = _id_table("article_id", frames["articles"]["article_id"].to_list())
    batch_quarantine_ids = _id_table("quarantine_id", frames["quarantine"]["quarantine_id"].to_list())

    con = connect(db_path)
    try:
        # BEGIN outside the inner try: if it fails there is no transaction to roll back.
        con.execute("BEGIN TRANSACTION")
        try:
            ensure_schema(con)
            written: dict[str, int] = {}
            # Registered for the rest of this connection's life (see _insert for why they are not unregistered).
            con.register(_BATCH_ARTICLE_IDS, batch_article_ids)
            con.register(_BATCH_QUARANTINE_IDS, batch_quarantine_ids)
            con.register(_LOADED_ARTICLE_IDS, loaded_article_ids)
            if partitions is not None:
                _delete_partitions(con, *partitions)
            for table in [*EVENT_TABLES, "quarantine"]:
                only_validate = (
                    " AND stage <> 'ingest'" if partitions is not None and table == "quarantine" else ""
                )
                con.execute(
                    f"DELETE FROM {ident(table)} WHERE article_id IN "
                    f"(SELECT article_id FROM {ident(_BATCH_ARTICLE_IDS)}){only_validate}"
                )
            con.execute(
                "DELETE FROM quarantine WHERE quarantine_id IN "
                f"(SELECT quarantine_id FROM {ident(_BATCH_QUARANTINE_IDS)})"
            )
            con.execute(
                "DELETE FROM articles WHERE article_id IN "
                f"(SELECT article_id FROM {ident(_LOADED_ARTICLE_IDS)})"
            )
            for table, frame in frames.items():
                written[table] = _insert(con, table, frame)
            totals = table_counts(con)
            con.execute("COMMIT")
        except BaseException:
            # BaseException too: a KeyboardInterrupt mid-load must not leave a half-applied batch behind.
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()

    return LoadSummary(
        articles=written["articles"],
        air_attacks=written["air_attacks"],
        casualties=written["casualties"],
        territorial_control=written["territorial_control"],
        quarantine=written["quarantine"],
        totals=totals,
    )


def _delete_partitions(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> None:
    """Delete everything the warehouse holds for the days first..last (see load_batch).

    Rows written before loads were partitioned have no day; they are deleted too, by the first partitioned
    load that meets them (a run over every day, `salvo run`, loads them again with their day)."""
    in_days = (
        "SELECT article_id FROM articles "
        "WHERE partition_date BETWEEN $first AND $last OR partition_date IS NULL"
    )
    params = {"first": first, "last": last}
    for table in EVENT_TABLES:
        con.execute(f"DELETE FROM {ident(table)} WHERE article_id IN ({in_days})", params)
    con.execute(f"DELETE FROM quarantine WHERE stage <> 'ingest' AND article_id IN ({in_days})", params)
    day = "TRY_CAST(json_extract_string(row_json, '$.partition_date') AS DATE)"
    con.execute(
        f"DELETE FROM quarantine WHERE stage = 'ingest' AND ({day} BETWEEN $first AND $last OR {day} IS NULL)",
        params,
    )
    con.execute(
        "DELETE FROM articles WHERE partition_date BETWEEN $first AND $last OR partition_date IS NULL", params
    )


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A whole warehouse table as a polars frame, conformed to its schema and sorted by its primary key."""
    frame = con.sql(f"SELECT * FROM {ident(table)} ORDER BY {ident(PRIMARY_KEYS[table])}").pl()
    return conform(frame, WAREHOUSE_TABLES[table])
