"""Warehouse assets: one DuckDB table per asset; the per-day tables are published by a single step per run.

The step (`publish_run`, pipelines/batch.py) screens the run's articles once more against the warehouse as
it is now, copies the published warehouse, replaces the run's days (partitions) in the copy in
one transaction, recomputes the consolidated tables from the per-article ones, creates the report views and
the column comments, and swaps the copy in atomically: readers (analysts, `salvo report`, the other assets)
never wait and never see half a run.

Metadata per day (partition) of a run over several days: the per-article tables record each day's own rows
(`dagster/row_count`); the derived tables are recomputed per event key, not per day, so their figures are the
run's and say so. Each validated table carries its GX check, one evaluation per day, with the rows checked,
loaded and quarantined, every failed expectation by name with its rows, and links to GX's Data Docs.

The `weapons` reference table is not per day: an unpartitioned asset of
its own (every load rewrites it from weapons.csv too). Publishing steps are serialized by a file lock and by the
`salvo_warehouse` concurrency pool (set its limit to 1 with `dagster instance concurrency set salvo_warehouse 1`
or `concurrency: pools: default_limit` in dagster.yaml to queue them in Dagster instead of on the lock).
"""

import warnings
from collections.abc import Iterator
from datetime import date

import dagster as dg
import polars as pl

from pipelines import progress
from pipelines.batch import Published, publish_run
from pipelines.days import article_days, rows_per_day, window_name
from pipelines.defs.partitions import BACKFILL, DAILY, run_window
from pipelines.defs.resources import WarehouseResource
from pipelines.schema import DERIVED_TABLES, EVENT_TABLES, LEDGER_TABLES, WAREHOUSE_TABLES
from pipelines.settings import Lake
from pipelines.validate import TABLES as VALIDATED_TABLES
from pipelines.validate import ValidationOutcome
from pipelines.validate.summary import DayCheck, day_checks
from pipelines.warehouse import LoadSummary, duckdb_type, publish_weapons
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
# the tables the publish step writes per day: every table but the weapons reference
DAY_TABLES = [t for t in WAREHOUSE_TABLES if t != "weapons"]


def table_schema(table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, duckdb_type(dtype), description=column_description(table, name))
            for name, dtype in WAREHOUSE_TABLES[table].items()
        ]
    )


def warehouse_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(["warehouse", t]) for t in WAREHOUSE_TABLES]


def _table_metadata(table: str) -> dict:
    return {"dagster/table_name": f"salvo.main.{table}", "dagster/column_schema": table_schema(table)}


def _table_specs() -> list[dg.AssetSpec]:
    """Built in a function: the defs-folder loader collects module-level AssetSpecs as definitions."""
    specs = []
    for table in DAY_TABLES:
        if table in DERIVED_TABLES:
            deps = [dg.AssetKey(["warehouse", t]) for t in _DERIVED_FROM[table]]
        else:
            deps = ["raw_articles", "articles", "validated_events"]
        specs.append(
            dg.AssetSpec(
                key=["warehouse", table],
                group_name="warehouse",
                description=f"DuckDB table {table}: {TABLE_DOCS[table]}",
                deps=deps,
                partitions_def=DAILY,
                metadata=_table_metadata(table),
            )
        )
    return specs


@dg.asset(
    key=["warehouse", "weapons"],
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    description=f"DuckDB table weapons: {TABLE_DOCS['weapons']} Not per day: pipelines/reference/weapons.csv "
    "as a table (every load rewrites it from the CSV as well).",
    metadata=_table_metadata("weapons"),
)
def weapons(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    rows, published = publish_weapons(warehouse.target())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "published": published,  # False: the warehouse already held exactly weapons.csv
            **_where(warehouse),
        }
    )


def _where(warehouse: WarehouseResource) -> dict:
    """The warehouse a step wrote: the file (`db_path`, as before), or the lake's URI and data path."""
    target = warehouse.target()
    if isinstance(target, Lake):
        return {"warehouse": target.uri, "data_path": target.data_path}
    return {"db_path": dg.MetadataValue.path(str(target))}


def _check_specs() -> list[dg.AssetCheckSpec]:
    """One GX check per validated table, on the table's own page, evaluated per day; conservation on quarantine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # partitioned asset checks are a preview feature
        gx = [
            dg.AssetCheckSpec(
                name=f"gx_{table}",
                asset=["warehouse", table],
                partitions_def=DAILY,
                description=f"GX suite expectations/{table}.json over the day's extracted {table} rows: rows "
                "checked, loaded and quarantined, each failed expectation with its rows, GX Data Docs.",
            )
            for table in VALIDATED_TABLES
        ]
    return [
        *gx,
        dg.AssetCheckSpec(
            name="conservation",
            asset=["warehouse", "quarantine"],
            description="items in = articles loaded + items quarantined; rows extracted = rows loaded + rows "
            "quarantined + rows of articles rejected at publish (a copy another run published meanwhile), "
            "over the run's days",
        ),
        dg.AssetCheckSpec(
            name="no_orphans",
            asset=["warehouse", "articles"],
            description="every event and ledger row of the warehouse names an article the warehouse holds",
        ),
    ]


# Subsettable: with a non-subsettable multi-asset, Dagster 1.13 refuses a backfill launched by asset selection
# ("Targeted subset must match between every key"): it compares the keys' partition subsets as tuples that
# carry a lazily computed partition count, which some keys have computed and others not. The publish is still
# one transaction over every table of the run (see the function body).
@dg.multi_asset(
    specs=_table_specs(),
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    can_subset=True,
    pool=WAREHOUSE_POOL,
    ins={"raw_articles": dg.AssetIn(), "articles": dg.AssetIn(), "validated_events": dg.AssetIn()},
    check_specs=_check_specs(),
)
def warehouse_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    raw_articles: pl.DataFrame,
    articles: pl.DataFrame,
    validated_events: ValidationOutcome,
):
    """Publishes every table of the run's days in one transaction, whatever subset of them was selected (a
    load cannot be cut by table); materializations are recorded for the selected tables, and a warning names
    the others the publish rewrote too. Backfills, the job and the UI's "Materialize all" select them all."""
    selected = {key.path[-1] for key in context.selected_asset_keys}
    unselected = [t for t in DAY_TABLES if t not in selected]
    if unselected:
        context.log.warning(
            "warehouse tables are loaded together: this run also rewrites "
            f"{', '.join(unselected)} for its days, without recording their materializations"
        )
    outcome = validated_events
    events = {t: outcome.valid[t] for t in [*EVENT_TABLES, *LEDGER_TABLES] if t in outcome.valid}
    window = run_window(context)
    # the run's days are replaced exactly (their rows go, this batch's rows come in), in a copy swapped in
    # whole, after a last seen-before screen against the warehouse as it is now
    progress.phase("publish")  # the terminal's bar of `salvo run`, if one is open
    published = publish_run(warehouse.target(), raw_articles, articles, events, outcome.quarantine, window)
    summary, frames = published.summary, published.frames
    of_articles = article_days(frames["articles"])
    for table in (t for t in DAY_TABLES if t in selected):
        if table in frames:  # the day holds exactly this batch's rows of the day after the load
            for day, rows in rows_per_day(frames[table], of_articles, window.days).items():
                context.add_asset_metadata(
                    {"dagster/row_count": rows}, asset_key=["warehouse", table], partition_key=str(day)
                )
        yield dg.MaterializeResult(
            asset_key=["warehouse", table], metadata=_run_metadata(table, summary, window_name(window))
        )
    checks = day_checks(outcome, articles, window.days)
    for table in VALIDATED_TABLES:
        yield from _gx_evaluations(context, table, checks[table], outcome)
    key = dg.AssetCheckKey(dg.AssetKey(["warehouse", "quarantine"]), "conservation")
    if key in context.selected_asset_check_keys:
        yield _conservation(outcome, published, window_name(window))
    if dg.AssetCheckKey(dg.AssetKey(["warehouse", "articles"]), "no_orphans") in context.selected_asset_check_keys:
        orphans = {t: n for t, n in summary.orphans.items() if n}
        yield dg.AssetCheckResult(
            check_name="no_orphans",
            asset_key=["warehouse", "articles"],
            passed=not orphans,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"orphan_rows": dg.MetadataValue.json(orphans)},
        )


def _run_metadata(table: str, summary: LoadSummary, days: str) -> dict:
    """Figures of the whole run, named as such (a run over several days records them on every day)."""
    written = {
        "articles": summary.articles,
        "air_attacks": summary.air_attacks,
        "casualties": summary.casualties,
        "territorial_control": summary.territorial_control,
        "quarantine": summary.quarantine,
        "attack_outcomes": summary.attack_outcomes,
        **summary.derived,  # the rows of the event keys the run touched, recomputed
    }
    figures = (
        "dagster/row_count: this day's rows of the table; run_*: the whole run's"
        if table not in DERIVED_TABLES
        else "the whole run's, not this day's: derived rows are recomputed per event key, not per day"
    )
    return {
        "figures": figures,
        "run_days": days,
        # the lake's snapshot this run committed: `AT (VERSION => n)` or `salvo report --as-of n` reads it
        **({"ducklake_snapshot": summary.snapshot} if summary.snapshot is not None else {}),
        "run_rows_written" if table not in DERIVED_TABLES else "run_rows_recomputed": written.get(table, 0),
        "table_rows_after_run": summary.totals.get(table, 0),
    }


def _gx_evaluations(
    context: dg.AssetExecutionContext, table: str, checks: dict[date, DayCheck], outcome: ValidationOutcome
) -> Iterator:
    """One evaluation of gx_<table> per day of the run (partitioned check); the check's own output once."""
    key = dg.AssetCheckKey(dg.AssetKey(["warehouse", table]), f"gx_{table}")
    if key not in context.selected_asset_check_keys:
        return
    yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_check_key(key))
    pages = outcome.data_docs.pages.get(table, {}) if outcome.data_docs else {}
    for day, check in checks.items():
        yield dg.AssetCheckEvaluation(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=check.passed,
            # rows that fail are quarantined, so a data failure warns; an expectation that errored means
            # nothing about those rows can be trusted, so it is an error
            severity=dg.AssetCheckSeverity.ERROR if check.errored else dg.AssetCheckSeverity.WARN,
            description=check.description(),
            partition=str(day),
            metadata=_check_metadata(check, outcome, pages),
        )


def _check_metadata(check: DayCheck, outcome: ValidationOutcome, pages: dict) -> dict:
    """Text where the check page can show it inline (JSON and Markdown open in a dialog)."""
    failed = [f"{name}: {n} row{'s' if n != 1 else ''}" for name, n in check.failed.items()]
    failed += [f"{name}: the run's rows as a whole" for name in check.table_failures]
    failed += [f"{name}: ERRORED, not checked" for name in check.errored]
    ids = [str(r["row_id"]) for r in check.quarantined]
    result = outcome.results[check.table]
    metadata: dict = {
        "rows_checked": check.rows_checked,
        "rows_loaded": check.rows_loaded,
        "rows_quarantined": check.rows_quarantined,
        "failed_expectations": "; ".join(failed) or "none",
        "failed_expectation_names": dg.MetadataValue.json(
            [*check.failed, *check.table_failures, *check.errored]
        ),
        "quarantined_row_ids": ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
        or "none",
        "quarantined_rows": dg.MetadataValue.json(
            check.quarantined
        ),  # with each row's reason and expectation
        # GX's own figure, over the run's rows of every day: the share of expectations without a failure
        "run_expectations_success_percent": float(result.success_percent),
        "day": str(check.day),
    }
    for name, path in sorted(pages.items()):
        metadata[f"data_docs_{name}"] = dg.MetadataValue.url(path.as_uri())
    if outcome.data_docs:
        metadata["data_docs_index"] = dg.MetadataValue.path(str(outcome.data_docs.index))
    return metadata


def _conservation(outcome: ValidationOutcome, published: Published, days: str) -> dg.AssetCheckResult:
    """Counted from the published summary, not from the frames handed to the load: a load that loses rows
    on the way into DuckDB fails the check."""
    summary, raw_articles = published.summary, published.raw  # the items as finally screened at publish
    loaded_events = [*EVENT_TABLES, *LEDGER_TABLES]
    ingest_rejects = raw_articles.filter(pl.col("reject_reason").is_not_null()).height
    extracted = sum(outcome.valid[t].height for t in loaded_events if t in outcome.valid)
    extracted += outcome.quarantine.height
    validate_rejects = summary.quarantine - ingest_rejects
    written = {
        "air_attacks": summary.air_attacks,
        "casualties": summary.casualties,
        "territorial_control": summary.territorial_control,
        "attack_outcomes": summary.attack_outcomes,
    }
    loaded_rows = sum(written[t] for t in loaded_events)
    items_ok = raw_articles.height == summary.articles + ingest_rejects
    rows_ok = extracted == loaded_rows + validate_rejects + published.rows_dropped
    return dg.AssetCheckResult(
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
            "run_days": days,
        },
    )
