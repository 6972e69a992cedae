"""The `quarantine_id` of a quarantine row: one recipe for both stages that write them (ingest, validate).

An id is a key, then optionally hashed. The key is its parts joined by "|" (a null part is left out, with its
"|"), plus "|<n>" on the n-th repeat (n >= 1, in frame order) within a group of rows, so that repeats get
distinct ids that are still the same on every re-run of the same input: re-runs replace quarantine rows,
never add to them. Existing warehouses hold these ids, so the recipe's output must never change.

- ingest: "ingest|<origin>|<partition_date>" (origin null: empty; no day: no "|<day>"), repeats numbered
  within the key itself; kept readable.
- validate: sha1 of "validate|<table>|<row id, or missing_<id column>|<the row as JSON>>", repeats numbered
  within the row id (duplicates); sha1 of "validate|attack_outcomes|<outcome_id>|parent" for a ledger row
  whose air attack was quarantined (valid ledger rows have unique ids: no repeats).

sha1 is computed in Python over the quarantined rows only (few): polars' own hash() is stable neither across
runs nor across versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

import polars as pl

KEY = "key"  # `repeats_within=KEY`: repeats are rows with the same key


def quarantine_ids(
    frame: pl.DataFrame,
    parts: Sequence[pl.Expr | str],
    *,
    repeats_within: pl.Expr | Literal["key"] | None = KEY,
    hashed: bool,
) -> pl.Series:
    """The quarantine_id of each row of `frame` (same order), from `parts` (expressions over `frame`; a str
    is a literal part) by the recipe of the module doc. `repeats_within`: the group within which repeats are
    numbered (KEY: rows with the same key; None: none are). `hashed`: the sha1 hex digest of the key, else the
    key itself."""
    exprs = [pl.lit(p, pl.String) if isinstance(p, str) else p.cast(pl.String) for p in parts]
    key = pl.concat_str(exprs, separator="|", ignore_nulls=True)
    if repeats_within is not None:
        group = key if isinstance(repeats_within, str) else repeats_within
        n = pl.int_range(pl.len()).over(group)
        key = pl.when(n > 0).then(key + pl.lit("|") + n.cast(pl.String)).otherwise(key)
    keys = frame.select(key.alias("quarantine_id")).to_series()
    if not hashed:
        return keys
    return pl.Series("quarantine_id", [hashlib.sha1(k.encode()).hexdigest() for k in keys], pl.String)
