"""Warehouse assets: one DuckDB table per asset, all published by a single step per run.

The step (`publish_batch`) copies the published warehouse, replaces the run's days (partitions) in the copy in
one transaction, recomputes the consolidated tables from the per-article ones, creates the report views and
the column comments, and swaps the copy in atomically: readers (analysts, `salvo report`, the other assets)
never wait and never see half a run. Publishing steps are serialized by a file lock and by the
`salvo_warehouse` concurrency pool (set its limit to 1 with `dagster instance concurrency set salvo_warehouse 1`
or `concurrency: pools: default_limit` in dagster.yaml to queue them in Dagster instead of on the lock).
"""

import dagster as dg
import polars as pl

from pipelines.batch import publish_run
from pipelines.defs.partitions import BACKFILL, DAILY, run_window
from pipelines.defs.resources import WarehouseResource
from pipelines.schema import DERIVED_TABLES, EVENT_TABLES, LEDGER_TABLES, WAREHOUSE_TABLES
from pipelines.warehouse import duckdb_type
from pipelines.warehouse.docs import TABLE_DOCS, column_description

WAREHOUSE_POOL = "salvo_warehouse"
# the per-article tables each derived table is computed from (lineage in the UI)
_DERIVED_FROM = {
    "event_reports": ["articles", *EVENT_TABLES],
    "attack_events": ["articles", "air_attacks"],
    "attack_event_outcomes": ["articles", "air_attacks", "attack_outcomes"],
    "attack_event_history": ["articles", "air_attacks"],
    "casualty_events": ["articles", "casualties"],
    "casualty_event_history": ["articles", "casualties"],
    "territorial_events": ["articles", "territorial_control"],
}
LOADED = ["articles", *EVENT_TABLES, "quarantine", *LEDGER_TABLES]


def table_schema(table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, duckdb_type(dtype), description=column_description(table, name))
            for name, dtype in WAREHOUSE_TABLES[table].items()
        ]
    )


def warehouse_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(["warehouse", t]) for t in WAREHOUSE_TABLES]


def _table_specs() -> list[dg.AssetSpec]:
    """Built in a function: the defs-folder loader collects module-level AssetSpecs as definitions."""
    specs = []
    for table in WAREHOUSE_TABLES:
        if table in DERIVED_TABLES:
            deps = [dg.AssetKey(["warehouse", t]) for t in _DERIVED_FROM[table]]
        elif table == "weapons":
            deps = []  # pipelines/extract/weapons.csv
        else:
            deps = ["raw_articles", "articles", "validated_events"]
        specs.append(
            dg.AssetSpec(
                key=["warehouse", table],
                group_name="warehouse",
                description=f"DuckDB table {table}: {TABLE_DOCS[table]}",
                deps=deps,
                partitions_def=DAILY,
                metadata={
                    "dagster/table_name": f"salvo.main.{table}",
                    "dagster/column_schema": table_schema(table),
                },
            )
        )
    return specs


@dg.multi_asset(
    specs=_table_specs(),
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    pool=WAREHOUSE_POOL,
    ins={"raw_articles": dg.AssetIn(), "articles": dg.AssetIn(), "validated_events": dg.AssetIn()},
    check_specs=[
        dg.AssetCheckSpec(
            name="conservation",
            asset=["warehouse", "quarantine"],
            description="items in = articles loaded + items quarantined; rows extracted = rows loaded + rows "
            "quarantined + rows of articles rejected at publish (a copy another run published meanwhile)",
        ),
        dg.AssetCheckSpec(
            name="no_orphans",
            asset=["warehouse", "articles"],
            description="every event and ledger row of the warehouse names an article the warehouse holds",
        ),
    ],
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    raw_articles: pl.DataFrame,
    articles: pl.DataFrame,
    validated_events: dict[str, pl.DataFrame],
):
    loaded_events = [*EVENT_TABLES, *LEDGER_TABLES]
    events = {t: validated_events[t] for t in loaded_events if t in validated_events}
    window = run_window(context)
    # the run's days are replaced exactly (their rows go, this batch's rows come in), in a copy swapped in
    # whole, after a last seen-before screen against the warehouse as it is now
    published = publish_run(
        warehouse.path(), raw_articles, articles, events, validated_events["quarantine"], window
    )
    summary, raw_articles = published.summary, published.raw
    written = {
        "articles": summary.articles,
        "air_attacks": summary.air_attacks,
        "casualties": summary.casualties,
        "territorial_control": summary.territorial_control,
        "quarantine": summary.quarantine,
        "attack_outcomes": summary.attack_outcomes,
        **summary.derived,  # the rows of the event keys the run touched, recomputed
    }
    for table in WAREHOUSE_TABLES:
        yield dg.MaterializeResult(
            asset_key=["warehouse", table],
            metadata={
                "rows_written": written.get(table, 0),
                "dagster/row_count": summary.totals.get(table, 0),
                "db_path": dg.MetadataValue.path(str(warehouse.path())),
            },
        )
    ingest_rejects = raw_articles.filter(pl.col("reject_reason").is_not_null()).height
    extracted = sum(events[t].height for t in events) + validated_events["quarantine"].height
    validate_rejects = summary.quarantine - ingest_rejects
    loaded_rows = sum(written[t] for t in loaded_events)
    items_ok = raw_articles.height == summary.articles + ingest_rejects
    rows_ok = extracted == loaded_rows + validate_rejects + published.rows_dropped
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
            "rows_loaded": loaded_rows,
            "rows_quarantined": validate_rejects,
            "articles_rejected_at_publish": published.rejected_at_publish,
            "rows_dropped_with_them": published.rows_dropped,
        },
    )
    orphans = {t: n for t, n in summary.orphans.items() if n}
    yield dg.AssetCheckResult(
        check_name="no_orphans",
        asset_key=["warehouse", "articles"],
        passed=not orphans,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"orphan_rows": dg.MetadataValue.json(orphans)},
    )
