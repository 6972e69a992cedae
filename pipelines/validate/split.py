"""The split: every row of a validated table ends in exactly one of valid or quarantine, the quarantine rows
with their reasons, the failed expectations and a stable quarantine_id (pipelines/quarantine.py); ledger rows
of a quarantined air attack follow it into quarantine."""

from __future__ import annotations

import polars as pl

from pipelines.quarantine import quarantine_ids
from pipelines.schema import QUARANTINE, conform

from .runner import _ROW
from .suites import ID_COLUMN

PARENT_REASON = "parent_air_attack_quarantined"
STAGE = "validate"


def _split(table: str, indexed: pl.DataFrame, fails: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(valid rows, quarantine rows) of one table: an anti-/semi-join on the positional row id."""
    columns = [c for c in indexed.columns if c != _ROW]
    fails = fails.with_columns(pl.col(_ROW).cast(indexed.schema[_ROW]))  # row-index dtype is build-dependent
    per_row = fails.group_by(_ROW).agg(
        pl.col("reason").unique().sort().str.join(";"),
        pl.col("expectation").unique().sort().str.join(";"),
    )
    valid = indexed.join(per_row, on=_ROW, how="anti").sort(_ROW).drop(_ROW)
    id_col = ID_COLUMN[table]
    bad = (
        indexed.join(per_row, on=_ROW, how="inner")
        .sort(_ROW)
        .with_columns(row_json=pl.struct(columns).struct.json_encode())
    )
    # duplicates (same event_id) get distinct, still re-run-stable quarantine ids (pipelines/quarantine.py)
    ids = quarantine_ids(
        bad,
        [STAGE, table, pl.coalesce(pl.col(id_col), pl.lit(f"missing_{id_col}|") + pl.col("row_json"))],
        repeats_within=pl.col(id_col),
        hashed=True,
    )
    quarantine = conform(
        bad.with_columns(
            ids,
            stage=pl.lit(STAGE),
            table_name=pl.lit(table),
            row_id=pl.col(ID_COLUMN[table]),
        ),
        QUARANTINE,
    )
    if valid.height + quarantine.height != indexed.height:  # not `assert`: must also hold under python -O
        raise AssertionError(
            f"validate {table}: {indexed.height} rows in, {valid.height} valid + {quarantine.height} quarantined"
        )
    return valid, quarantine


def _orphans_follow_parents(valid: dict[str, pl.DataFrame], quarantines: list[pl.DataFrame]) -> None:
    """Ledger rows whose air_attacks row did not pass are quarantined too: the warehouse never holds
    outcomes of a report it rejected (in place, so every row still ends in exactly one place)."""
    ledger = valid.get("attack_outcomes")
    if ledger is None or ledger.is_empty():
        return
    parents = valid["air_attacks"].select("event_id")
    orphans = ledger.join(parents, on="event_id", how="anti")
    if orphans.is_empty():
        return
    valid["attack_outcomes"] = ledger.join(parents, on="event_id", how="semi")
    # no repeat numbering, as ever (the ids must not change): valid ledger rows have an outcome_id (the null
    # guard of _validate_table) and the suite's uniqueness check keeps them distinct
    ids = quarantine_ids(
        orphans, [STAGE, "attack_outcomes", pl.col("outcome_id"), "parent"], repeats_within=None, hashed=True
    )
    quarantines.append(
        conform(
            orphans.with_columns(
                row_json=pl.struct(orphans.columns).struct.json_encode(),
                quarantine_id=ids,
                stage=pl.lit(STAGE),
                table_name=pl.lit("attack_outcomes"),
                row_id=pl.col("outcome_id"),
                reason=pl.lit(PARENT_REASON),
                expectation=pl.lit(None, pl.String),
            ),
            QUARANTINE,
        )
    )
