"""Validation asset (group validate): Great Expectations suites (expectations/*.json) split event rows into valid rows and
quarantine rows, and GX builds its Data Docs from the run's validation results under warehouse/data_docs/.

The checks a reader opens are on the warehouse tables the rows go to (`warehouse/air_attacks` ...), one
evaluation per day: see defs/warehouse.py."""

import dagster as dg
import polars as pl

from pipelines import progress
from pipelines.days import window_name
from pipelines.defs.partitions import BACKFILL, DAILY, run_window
from pipelines.defs.resources import WarehouseResource
from pipelines.validate import ValidationOutcome, default_docs_dir, validate_events


@dg.asset(
    group_name="validate",
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Event rows that passed every expectation, plus the quarantine rows of those that did not; GX "
    "Data Docs of the run's validation in warehouse/data_docs/.",
)
def validated_events(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    articles: pl.DataFrame,
    air_attack_reports: pl.DataFrame,
    casualty_reports: pl.DataFrame,
    territorial_control_reports: pl.DataFrame,
    attack_outcome_reports: pl.DataFrame,
) -> ValidationOutcome:
    tables = {
        "air_attacks": air_attack_reports,
        "casualties": casualty_reports,
        "territorial_control": territorial_control_reports,
        # the ledger is validated by its own suite; rows of a quarantined air_attacks row follow it
        "attack_outcomes": attack_outcome_reports,
    }
    window = run_window(context)
    progress.phase("validate")  # the terminal's bar of `salvo run`, if one is open
    outcome = validate_events(
        tables,
        known_article_ids=articles["article_id"].to_list(),
        docs_dir=default_docs_dir(warehouse.target()),
        run_name=window_name(window),
    )
    docs = outcome.data_docs
    context.add_output_metadata(
        {
            **{f"valid_{t}": f.height for t, f in outcome.valid.items()},
            "quarantined": outcome.quarantine.height,
            "days": window_name(window),
            **({"data_docs": dg.MetadataValue.path(str(docs.index))} if docs else {}),
        }
    )
    return outcome
