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

Two kinds of warehouse, one `connect` (pipelines/settings.py `warehouse`, SALVO_WAREHOUSE):
- a DuckDB file (the default, warehouse/salvo.duckdb): opened directly; runs publish it by copy and swap
  (publish.py);
- a DuckLake (`ducklake:postgres:<libpq string>` with SALVO_WAREHOUSE_DATA): an in-memory DuckDB that loads
  the ducklake and postgres extensions by path from their PyPI wheels (never downloaded at run time), attaches
  the lake as `salvo` (read-only for readers) and makes it the default catalog, so every query of this package
  runs unchanged on either. DuckLake has no PRIMARY KEY or UNIQUE constraints: its tables are created without
  them (the loads replace by key, and the parity test compares both backends row for row).
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from pipelines import settings
from pipelines.schema import EVENT_TABLES, LEDGER_TABLES, WAREHOUSE_TABLES, conform
from pipelines.settings import (  # noqa: F401 - where they were; one place knows them
    DEFAULT_DB_PATH,
    REPO_ROOT,
    Lake,
    Warehouse,
    as_warehouse,
    files_dir,
)

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


def create_table_sql(table: str, *, temporary: bool = False, primary_key: bool = True) -> str:
    """`CREATE TABLE IF NOT EXISTS` for one WAREHOUSE_TABLES entry (columns in schema order, with its primary key
    unless `primary_key` is False: DuckLake has none)."""
    schema = WAREHOUSE_TABLES[table]
    columns = [f"{ident(name)} {duckdb_type(dtype)}" for name, dtype in schema.items()]
    if primary_key:
        columns.append(f"PRIMARY KEY ({', '.join(ident(k) for k in key_columns(table))})")
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    return f"CREATE {kind} IF NOT EXISTS {ident(table)} (\n    " + ",\n    ".join(columns) + "\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table that does not exist yet, and add the columns a table of an older warehouse
    lacks (existing rows are kept; a per-article row's new `partition_date` is filled from its article, an
    ingest reject's from its row_json)."""
    present = existing_tables(con)
    lake = is_lake(con)
    for table in WAREHOUSE_TABLES:
        if table not in present:
            con.execute(create_table_sql(table, primary_key=not lake))
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


# --------------------------------------------------------------------------- DuckLake
# The catalog name a lake is attached as: every query of this package names tables unqualified, and `USE`
# makes this catalog the default, so they resolve here (`dagster/table_name` says salvo.main.<table>).
LAKE_ALIAS = "salvo"
# extension -> the PyPI package shipping it as `<package>/extensions/v<duckdb version>/<name>.duckdb_extension`
LAKE_EXTENSIONS = {
    "ducklake": "duckdb-extension-ducklake",
    "postgres_scanner": "duckdb-extension-postgres-scanner",
}
# for a data path on S3-compatible storage (s3://, r2://, gs://...): not dependencies of salvo, installed where used
REMOTE_EXTENSIONS = {"httpfs": "duckdb-extension-httpfs", "aws": "duckdb-extension-aws"}


class LakeUnavailable(RuntimeError):
    """A DuckLake warehouse that cannot be reached from here: an extension wheel missing, or the catalog
    database refusing the connection. The message is one line saying which, and what to do."""


def extension_file(name: str, package: str) -> Path | None:
    """The extension file `package` ships for this DuckDB version; None when the package is not installed."""
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
        if path.is_file():
            return path
    return None


def _literal(text: str) -> str:
    """A SQL string literal: ATTACH and LOAD take no prepared parameters, so the URI and paths are quoted."""
    return "'" + text.replace("'", "''") + "'"


def _load_extensions(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    # never fetch an extension from the network behind our back: a missing wheel is an error naming it
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    wanted = dict(LAKE_EXTENSIONS)
    if lake.is_remote:
        wanted.update(REMOTE_EXTENSIONS)
    for name, package in wanted.items():
        path = extension_file(name, package)
        if path is None:
            raise LakeUnavailable(
                f"the DuckDB extension {name} for DuckDB {duckdb.__version__} is not installed; "
                f"pip install {package}=={duckdb.__version__} (salvo's DuckLake warehouse loads it from that wheel)"
            )
        con.execute(f"LOAD {_literal(str(path))}")


def _connect_lake(lake: Lake, read_only: bool, snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `salvo` and in use. A reader attaches read-only and never
    creates a lake; a writer passes the data path (DuckLake records it when it creates the lake). With
    `snapshot`, the lake as that snapshot left it (read-only)."""
    con = duckdb.connect()
    try:
        _load_extensions(con, lake)
        if lake.is_remote:
            # the credential chain of the environment (AWS_* variables, an instance role, ~/.aws)
            con.execute("CREATE OR REPLACE SECRET salvo_data (TYPE s3, PROVIDER credential_chain)")
        else:
            if not read_only:
                Path(lake.data_path).mkdir(parents=True, exist_ok=True)
        # DuckLake reserves the column name row_id (quarantine has one) while it inlines small inserts into the
        # catalog; salvo's writers therefore write every insert to Parquet (a setting of the attach, not the lake)
        options = (
            ["READ_ONLY"] if read_only else [f"DATA_PATH {_literal(lake.data_path)}", "DATA_INLINING_ROW_LIMIT 0"]
        )
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        con.execute(f"ATTACH {_literal(lake.uri)} AS {LAKE_ALIAS} ({', '.join(options)})")
        con.execute(f"USE {LAKE_ALIAS}")
    except duckdb.Error as exc:
        con.close()
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise LakeUnavailable(f"cannot attach the DuckLake {lake.uri}: {first}") from exc
    except BaseException:
        con.close()
        raise
    return con


def committed_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The snapshot this connection's last commit to the lake made (not a later one of another writer)."""
    [(snapshot,)] = con.sql(f"SELECT id FROM ducklake_last_committed_snapshot({_literal(LAKE_ALIAS)})").fetchall()
    return int(snapshot)


def lake_snapshot(db_path: Lake | str) -> int:
    """The lake's current snapshot: the warehouse as the last committed publish left it."""
    con = connect(db_path, read_only=True)
    try:
        [(snapshot,)] = con.sql(f"SELECT id FROM ducklake_current_snapshot({_literal(LAKE_ALIAS)})").fetchall()
    finally:
        con.close()
    return int(snapshot)


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's default catalog is a DuckLake."""
    [(kind,)] = con.sql(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return kind == "ducklake"


def connect(
    db_path: Warehouse | str = DEFAULT_DB_PATH,
    read_only: bool = False,
    timeout_s: float | None = None,
    *,
    snapshot: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse: a file (a writer gets its parent directory created first), or a DuckLake attached
    as the default catalog (`_connect_lake`).

    A reader (read_only) that finds the file locked by a writing process retries for `timeout_s` seconds
    (SALVO_READ_TIMEOUT, default 5) before giving up. Runs publish by swapping in a new file, so they never
    hold that lock; close connections promptly all the same. A lake's readers are never locked out: they read
    the last committed snapshot, or the one `snapshot` names (read-only; a file has no snapshots).
    """
    target = as_warehouse(db_path)
    if isinstance(target, Lake):
        return _connect_lake(target, read_only or snapshot is not None, snapshot)
    if snapshot is not None:
        raise ValueError(f"{target} is a DuckDB file: it has no snapshots to read as of")
    path = target
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
def transaction(db_path: Warehouse | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to `db_path` inside one transaction (`in_transaction`), closed either way."""
    con = connect(db_path)
    try:
        with in_transaction(con):
            yield con
    finally:
        con.close()


@contextlib.contextmanager
def in_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on `con`: committed when the block ends, rolled back on any error (BaseException too: a
    KeyboardInterrupt mid-load must not leave half a batch behind). Nothing runs between an error and the
    ROLLBACK (see the module doc). The one place that writes BEGIN/COMMIT/ROLLBACK; the connection stays open
    (a lake's publisher reads the committed snapshot on it afterwards)."""
    # BEGIN outside the try: if it fails there is no transaction to roll back.
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    # Outside the try: a COMMIT that fails has ended the transaction (DuckLake's conflict error does), and
    # a ROLLBACK then would only replace that error with "no transaction is active".
    con.execute("COMMIT")


def is_conflict(exc: BaseException) -> bool:
    """A DuckLake commit that lost to another transaction's (snapshot isolation): retried whole by the
    publisher (publish.py `retrying`)."""
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def _tables_and_article_columns(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str]]:
    """The tables of the warehouse's main schema and the columns of its `articles` table; closes `con`."""
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
    return tables, columns


def _check_lake(lake: Lake, *, must_exist: bool) -> None:
    """check_warehouse of a lake: reachable, and holding salvo's articles table (or, with must_exist=False,
    not created yet or empty)."""
    try:
        con = connect(lake, read_only=True)
    except LakeUnavailable as exc:
        if not must_exist and "does not exist" in str(exc) and "creating a new DuckLake" in str(exc):
            return  # a database without a lake yet: the first run creates it
        if "does not exist" in str(exc) and "creating a new DuckLake" in str(exc):
            raise NotAWarehouse(f"no warehouse in {lake.uri} yet; run `salvo run` with it first") from exc
        raise NotAWarehouse(str(exc)) from exc
    tables, columns = _tables_and_article_columns(con)
    if (tables or must_exist) and not set(WAREHOUSE_TABLES["articles"]) <= columns:
        raise NotAWarehouse(
            f"{lake.uri} is a DuckLake but not a salvo warehouse (no salvo articles table); point SALVO_WAREHOUSE "
            "at a new catalog database or at the one `salvo run` writes"
        )


def check_warehouse(db_path: Warehouse | str, *, must_exist: bool) -> None:
    """Raise NotAWarehouse unless `db_path` is a salvo warehouse (or, with must_exist=False, absent or an empty
    file a run may initialise). Opened read-only: checking never takes a writer's lock."""
    target = as_warehouse(db_path)
    if isinstance(target, Lake):
        return _check_lake(target, must_exist=must_exist)
    path = target
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
    tables, columns = _tables_and_article_columns(con)
    if (tables or must_exist) and not set(WAREHOUSE_TABLES["articles"]) <= columns:
        raise NotAWarehouse(
            f"{path} is a DuckDB database but not a salvo warehouse (no salvo articles table); point --db at a "
            "new file or at the warehouse `salvo run` writes"
        )
