"""The DuckDB warehouse: DDL derived from `pipelines.schema`, idempotent transactional loads, consolidation of
per-article reports into events, and atomic publishing.

Plain functions only (no Dagster, no text parsing), so the assets, the CLI and the tests share one code path.

- `db`: identifiers, DDL, connections (readers retry briefly on a lock), counts;
- `load`: `load_batch`, one transaction that replaces a batch by article (and by partition) and recomputes
  the derived rows of the event keys it touched (`consolidate`) and the `weapons` reference table;
  `recompute` recomputes every derived table whole;
- `consolidate`: report tables -> attack_events, casualty_events, territorial_events, their history, the
  consolidated outcome ledger and the report links, whole or for the event keys a load touched;
- `rules`: the consolidation rule itself, plain polars over frames (in its docstring and in docs/warehouse.md);
- `docs`: the description of every table and column (COMMENT ON, Dagster column schema);
- `views`: the report views' DDL, one sql/<name>.sql file per view (pipelines.reports reads them);
- `publish`: `publish_batch` loads into a copy and swaps it in atomically, so readers are never refused and
  never see a half-written run; `publish_batches` / `publish_session` load several batches into one copy;
- `export`: Parquet export of every table.
"""

from __future__ import annotations

from .db import (
    DEFAULT_DB_PATH,
    PRIMARY_KEYS,
    REPO_ROOT,
    connect,
    create_table_sql,
    duckdb_type,
    ensure_schema,
    existing_tables,
    ident,
    key_columns,
    read_table,
    table_counts,
)
from .load import LOADED_EVENT_TABLES, LoadSummary, load_batch, recompute, weapons_frame
from .publish import (
    PublishSession,
    publish_batch,
    publish_batches,
    publish_session,
    publish_views,
    publish_weapons,
    writer_lock,
)

__all__ = [
    "DEFAULT_DB_PATH",
    "LOADED_EVENT_TABLES",
    "PRIMARY_KEYS",
    "PublishSession",
    "REPO_ROOT",
    "LoadSummary",
    "connect",
    "create_table_sql",
    "duckdb_type",
    "ensure_schema",
    "existing_tables",
    "ident",
    "key_columns",
    "load_batch",
    "publish_batch",
    "publish_batches",
    "publish_session",
    "publish_views",
    "publish_weapons",
    "read_table",
    "recompute",
    "table_counts",
    "weapons_frame",
    "writer_lock",
]
