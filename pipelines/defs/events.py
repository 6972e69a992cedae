"""Extraction asset: articles -> air attack, casualty and territorial claim rows (unvalidated)."""

import dagster as dg
import polars as pl

from pipelines.extract import extract_events

EVENT_OUTPUTS = {
    "air_attack_reports": "air_attacks",
    "casualty_reports": "casualties",
    "territorial_claims": "territorial_control",
}


@dg.multi_asset(
    group_name="events",
    outs={
        name: dg.AssetOut(description=f"Extracted {table} rows with evidence, before validation.")
        for name, table in EVENT_OUTPUTS.items()
    },
)
def extracted_events(articles: pl.DataFrame):
    """One extraction pass over all articles (the same code as `salvo extract`)."""
    events = extract_events(articles)
    for name, table in EVENT_OUTPUTS.items():
        frame = events[table]
        yield dg.Output(frame, output_name=name, metadata={"rows": frame.height})
