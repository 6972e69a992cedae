"""Validation asset: Great Expectations suites (expectations/*.json) split event rows into valid rows and
quarantine rows; one asset check per suite carries the GX outcome."""

import dagster as dg
import polars as pl

from pipelines.defs.partitions import BACKFILL, DAILY
from pipelines.validate import TABLES as VALIDATED_TABLES
from pipelines.validate import validate_events

CHECKS = [
    dg.AssetCheckSpec(
        name=f"gx_{table}", asset="validated_events", description=f"GX suite expectations/{table}.json"
    )
    for table in VALIDATED_TABLES
]


@dg.asset(
    group_name="quality",
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    check_specs=CHECKS,
    description="Event rows that passed every expectation, plus the quarantine rows of those that did not.",
)
def validated_events(
    context: dg.AssetExecutionContext,
    articles: pl.DataFrame,
    air_attack_reports: pl.DataFrame,
    casualty_reports: pl.DataFrame,
    territorial_claims: pl.DataFrame,
    attack_outcome_reports: pl.DataFrame,
):
    tables = {
        "air_attacks": air_attack_reports,
        "casualties": casualty_reports,
        "territorial_control": territorial_claims,
        # the ledger is validated by its own suite; rows of a quarantined air_attacks row follow it
        "attack_outcomes": attack_outcome_reports,
    }
    outcome = validate_events(tables, known_article_ids=articles["article_id"].to_list())
    value = {**outcome.valid, "quarantine": outcome.quarantine}
    yield dg.Output(
        value,
        metadata={
            **{f"valid_{t}": f.height for t, f in outcome.valid.items()},
            "quarantined": outcome.quarantine.height,
        },
    )
    for table, res in outcome.results.items():
        yield dg.AssetCheckResult(
            check_name=f"gx_{table}",
            passed=res.success,
            # rows that fail are quarantined, so a data failure warns; an expectation that errored
            # means nothing about those rows can be trusted, so it is an error
            severity=dg.AssetCheckSeverity.ERROR if res.errored_expectations else dg.AssetCheckSeverity.WARN,
            metadata={
                "evaluated_rows": res.evaluated_rows,
                "success_percent": float(res.success_percent),
                "failed_expectations": dg.MetadataValue.json(list(res.failed_expectations)),
                "errored_expectations": dg.MetadataValue.json(list(res.errored_expectations)),
                "bad_row_ids": dg.MetadataValue.json(list(res.bad_row_ids)[:200]),
            },
        )
