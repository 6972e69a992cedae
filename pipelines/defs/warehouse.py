"""Warehouse assets: one DuckDB table per asset, all written by a single transaction per run that replaces the
run's days (partitions) exactly."""

import dagster as dg
import polars as pl

from pipelines.defs.partitions import BACKFILL, DAILY, run_window
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest import ingest_quarantine
from pipelines.schema import EVENT_TABLES, QUARANTINE, WAREHOUSE_TABLES, conform
from pipelines.warehouse import duckdb_type, load_batch


def table_schema(table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name, duckdb_type(dtype)) for name, dtype in WAREHOUSE_TABLES[table].items()]
    )


def _table_specs() -> list[dg.AssetSpec]:
    """Built in a function: the defs-folder loader collects module-level AssetSpecs as definitions."""
    return [
        dg.AssetSpec(
            key=["warehouse", table],
            group_name="warehouse",
            description=f"DuckDB table {table}",
            deps=["raw_articles", "articles", "validated_events"],
            partitions_def=DAILY,
            metadata={
                "dagster/table_name": f"salvo.main.{table}",
                "dagster/column_schema": table_schema(table),
            },
        )
        for table in WAREHOUSE_TABLES
    ]


@dg.multi_asset(
    specs=_table_specs(),
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    ins={"raw_articles": dg.AssetIn(), "articles": dg.AssetIn(), "validated_events": dg.AssetIn()},
    check_specs=[
        dg.AssetCheckSpec(
            name="conservation",
            asset=["warehouse", "quarantine"],
            description="items in = articles loaded + items quarantined; rows extracted = rows loaded + rows quarantined",
        )
    ],
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    raw_articles: pl.DataFrame,
    articles: pl.DataFrame,
    validated_events: dict[str, pl.DataFrame],
):
    events = {t: validated_events[t] for t in EVENT_TABLES}
    quarantine = pl.concat(
        [
            conform(ingest_quarantine(raw_articles), QUARANTINE),
            conform(validated_events["quarantine"], QUARANTINE),
        ]
    )
    window = run_window(context)
    # the run's days are replaced exactly: their rows go, this batch's rows come in, in one transaction
    summary = load_batch(
        warehouse.path(), articles, events, quarantine, partitions=(window.start, window.end)
    )
    written = {
        "articles": summary.articles,
        "air_attacks": summary.air_attacks,
        "casualties": summary.casualties,
        "territorial_control": summary.territorial_control,
        "quarantine": summary.quarantine,
    }
    for table in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=["warehouse", table],
            metadata={
                "rows_written": written[table],
                "dagster/row_count": summary.totals.get(table, 0),
                "db_path": str(warehouse.path()),
            },
        )
    ingest_rejects = raw_articles.filter(pl.col("reject_reason").is_not_null()).height
    validate_rejects = validated_events["quarantine"].height
    extracted = sum(validated_events[t].height for t in EVENT_TABLES) + validate_rejects
    loaded_events = summary.air_attacks + summary.casualties + summary.territorial_control
    items_ok = raw_articles.height == summary.articles + ingest_rejects
    rows_ok = extracted == loaded_events + validate_rejects
    yield dg.AssetCheckResult(
        check_name="conservation",
        asset_key=["warehouse", "quarantine"],
        passed=items_ok and rows_ok,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "items_in": raw_articles.height,
            "articles_loaded": summary.articles,
            "items_quarantined": ingest_rejects,
            "rows_extracted": extracted,
            "rows_loaded": loaded_events,
            "rows_quarantined": validate_rejects,
        },
    )
