"""Extraction asset (group extract): articles -> air attack, casualty and territorial control rows, and the outcome
ledger behind the air attack rows (attack_outcome_reports), all unvalidated.

Only independent English articles are extracted: an article in another language is kept (with its language)
but the English patterns are not run on it, and a near-identical copy of an earlier article (duplicate_of) is
not independent evidence, so its events would only double-count the earlier copy's."""

import dagster as dg
import polars as pl

from pipelines import settings
from pipelines.batch import extract_in_batches, extractable
from pipelines.defs.partitions import BACKFILL, DAILY

EVENT_OUTPUTS = {
    "air_attack_reports": "air_attacks",
    "casualty_reports": "casualties",
    "territorial_control_reports": "territorial_control",
    "attack_outcome_reports": "attack_outcomes",
}

__all__ = ["EVENT_OUTPUTS", "extractable", "extracted_events"]  # extractable: plain code, pipelines/batch.py


@dg.multi_asset(
    group_name="extract",
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    # subsettable so that backfills launched by asset selection are accepted (see defs/warehouse.py); the
    # extraction is one pass whatever is selected, and only the selected outputs are stored
    can_subset=True,
    outs={
        name: dg.AssetOut(description=f"Extracted {table} rows with evidence, before validation.")
        for name, table in EVENT_OUTPUTS.items()
    },
)
def extracted_events(context: dg.AssetExecutionContext, articles: pl.DataFrame):
    """The run's extractable articles through the same code as `salvo extract`, in batches of
    SALVO_EXTRACT_BATCH articles, each batch logged (batch i/n, articles, rows, rate, ETA) to the run's log."""
    todo = extractable(articles)
    events = extract_in_batches(todo, settings.extract_batch(), log=context.log.info)
    skipped = articles.height - todo.height
    for name, table in EVENT_OUTPUTS.items():
        if name not in context.selected_output_names:
            continue
        frame = events[table]
        yield dg.Output(
            frame,
            output_name=name,
            metadata={"rows": frame.height, "articles_extracted": todo.height, "articles_skipped": skipped},
        )
