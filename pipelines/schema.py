"""The polars schemas of every frame and warehouse table, in one place.

Every stage builds its output with `empty(...)`/`conform(...)` from here, so a frame that leaves a stage
always has exactly these columns in this order, and the DuckDB DDL is derived from the same source.
"""

from __future__ import annotations

import polars as pl

# --------------------------------------------------------------------------- enums (the contract's value sets)
ATTACKERS = ("RU", "UA")
WEAPON_CLASSES = ("drone", "missile", "guided_bomb")
LAUNCHED_QUALIFIERS = ("exact", "approx", "at_least", "more_than")
CASUALTY_QUALIFIERS = ("exact", "at_least", "approx")
ACTORS = ("RU", "UA")
EVENT_TYPES = ("air_attack", "casualties", "territorial_control")

# --------------------------------------------------------------------------- articles
# Accepted articles.
ARTICLES = {
    "article_id": pl.String,
    "url": pl.String,
    "title": pl.String,
    "published_at": pl.Date,
    "source": pl.String,
    "text": pl.String,
    "content_hash": pl.String,
    "origin": pl.String,  # where the item came from: file path (+ line), feed URL, page URL
    "language": pl.String,  # ISO 639-1 guess ("en", "uk", "ru", ...); only "en" articles are extracted
    "duplicate_of": pl.String,  # article_id of an earlier near-identical copy (wire story), else null
    "partition_date": pl.Date,  # the article's day: published date, falling back to the fetch date
}

# One row per input item that was read; `reject_reason` is null for items that became articles.
RAW_ARTICLES = {**ARTICLES, "reject_reason": pl.String}

# Sentences keep character offsets into articles.text, so evidence can be checked against the article.
SENTENCES = {
    "article_id": pl.String,
    "sentence_no": pl.Int32,
    "start": pl.Int64,
    "end": pl.Int64,
    "sentence": pl.String,
}

_EVIDENCE = {
    "evidence": pl.String,  # the sentence the row's primary figure came from
    "evidence_start": pl.Int64,  # character offsets of that sentence in articles.text
    "evidence_end": pl.Int64,
}

# --------------------------------------------------------------------------- event rows (SCHEMA.md fields + evidence)
AIR_ATTACKS = {
    "event_id": pl.String,
    "article_id": pl.String,
    "attacker": pl.String,
    "weapon_class": pl.String,
    "launched": pl.Int64,
    "intercepted": pl.Int64,  # shot down / destroyed / intercepted / neutralised
    "launched_qualifier": pl.String,
    "event_date": pl.Date,
    "suppressed": pl.Int64,  # lost to electronic warfare, "locationally lost", did not reach (not intercepted)
    "impacts": pl.Int64,  # reported hits on targets
    "models": pl.String,  # weapon models named for this class, comma-separated (weapons.csv names)
    **_EVIDENCE,
}

# The outcome ledger: one row per report (article), attacker, weapon class, model (null = the class total)
# and outcome, with the range the text gives: "more than 70" -> low 71; "approximately 580" -> best 580;
# "at least 26" -> low 26; "up to 30" -> high 30; an exact figure fills all three.
OUTCOMES = ("launched", "intercepted", "suppressed", "impacts")
ATTACK_OUTCOMES = {
    "outcome_id": pl.String,
    "event_id": pl.String,  # the air_attacks row this belongs to
    "article_id": pl.String,
    "attacker": pl.String,
    "weapon_class": pl.String,
    "model": pl.String,
    "outcome": pl.String,
    "low": pl.Int64,
    "best": pl.Int64,
    "high": pl.Int64,
    "qualifier": pl.String,
    **_EVIDENCE,
}

CASUALTIES = {
    "event_id": pl.String,
    "article_id": pl.String,
    "location": pl.String,
    "admin1": pl.String,
    "killed": pl.Int64,
    "injured": pl.Int64,
    "qualifier": pl.String,
    "event_date": pl.Date,
    **_EVIDENCE,
}

TERRITORIAL_CONTROL = {
    "event_id": pl.String,
    "article_id": pl.String,
    "settlement": pl.String,
    "admin1": pl.String,
    "actor": pl.String,
    "claimed_by": pl.String,
    "event_date": pl.Date,
    **_EVIDENCE,
}

# Every row that did not load: bad input items (stage "ingest") and rows failing validation (stage "validate").
QUARANTINE = {
    "quarantine_id": pl.String,  # stable hash, so re-runs replace instead of adding
    "stage": pl.String,  # "ingest" | "validate"
    "table_name": pl.String,  # "articles" | "air_attacks" | "casualties" | "territorial_control"
    "article_id": pl.String,
    "row_id": pl.String,  # event_id for event rows, origin for input items
    "reason": pl.String,  # short machine-groupable reason, e.g. "empty_text", "intercepted_gt_launched"
    "expectation": pl.String,  # the failed GX expectation(s), null for ingest rejects
    "row_json": pl.String,  # the rejected row as JSON
}

EVENT_TABLES: dict[str, dict[str, pl.DataType]] = {
    "air_attacks": AIR_ATTACKS,
    "casualties": CASUALTIES,
    "territorial_control": TERRITORIAL_CONTROL,
}

# event_type (the SCHEMA.md name) for each event table
EVENT_TYPE_OF_TABLE = {
    "air_attacks": "air_attack",
    "casualties": "casualties",
    "territorial_control": "territorial_control",
}

# --------------------------------------------------------------------------- the warehouse model
# Reference data: weapons.csv as a table (one row per alias; group by model or class).
WEAPONS = {
    "alias": pl.String,
    "model": pl.String,
    "weapon_class": pl.String,
    "attacker": pl.String,
    "note": pl.String,
}

# Per-article tables loaded like the event tables (replaced by article and by partition): the outcome ledger.
LEDGER_TABLES: dict[str, dict[str, pl.DataType]] = {"attack_outcomes": ATTACK_OUTCOMES}

# Derived tables: recomputed from the per-article tables after every load, in the same transaction
# (pipelines/warehouse/consolidate.py). Column meanings: pipelines/warehouse/docs.py.
EVENT_REPORTS = {
    "event_id": pl.String,  # the report row (air_attacks / casualties / territorial_control event_id)
    "event_type": pl.String,  # air_attack | casualties | territorial_control
    "event_key": pl.String,  # the consolidated event this report belongs to
    "article_id": pl.String,
    "event_date": pl.Date,
    "reported_at": pl.Date,
    "time_precision": pl.String,  # day | week | month
    "place_precision": pl.String,  # settlement | district | oblast | country
    "source": pl.String,
    "source_kind": pl.String,  # official | relay
    "counted": pl.Boolean,
    "rank_in_event": pl.Int32,
}


def _figures(*names: str) -> dict[str, pl.DataType]:
    """`<name>`, `<name>_min`, `<name>_max` for each figure (the chosen value and the range across sources)."""
    return {f"{n}{suffix}": pl.Int64 for n in names for suffix in ("", "_min", "_max")}


_CONSENSUS = {
    "n_reports": pl.Int64,
    "n_sources": pl.Int64,
    "n_official": pl.Int64,
    "disputed": pl.Boolean,
    "first_reported_at": pl.Date,
    "last_reported_at": pl.Date,
    "chosen_event_id": pl.String,
    "chosen_source": pl.String,
    "chosen_source_kind": pl.String,
    "evidence": pl.String,
}

ATTACK_EVENTS = {
    "event_key": pl.String,
    "event_date": pl.Date,
    "time_precision": pl.String,
    "place_precision": pl.String,
    "attacker": pl.String,
    "weapon_class": pl.String,
    "models": pl.String,
    **_figures("launched"),
    "launched_qualifier": pl.String,
    **_figures("intercepted", "suppressed", "impacts"),
    **_CONSENSUS,
}

ATTACK_EVENT_OUTCOMES = {
    "outcome_key": pl.String,
    "event_key": pl.String,
    "event_date": pl.Date,
    "attacker": pl.String,
    "weapon_class": pl.String,
    "model": pl.String,
    "outcome": pl.String,
    "low": pl.Int64,
    "best": pl.Int64,
    "high": pl.Int64,
    "qualifier": pl.String,
    "value_min": pl.Int64,
    "value_max": pl.Int64,
    "n_reports": pl.Int64,
    "n_sources": pl.Int64,
    "disputed": pl.Boolean,
    "chosen_outcome_id": pl.String,
    "evidence": pl.String,
}

_HISTORY = {
    "n_reports": pl.Int64,
    "n_sources": pl.Int64,
    "disputed": pl.Boolean,
    "chosen_event_id": pl.String,
    "changed": pl.String,
}

ATTACK_EVENT_HISTORY = {
    "event_key": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    **_figures("launched", "intercepted", "suppressed", "impacts"),
    **_HISTORY,
}

CASUALTY_EVENTS = {
    "event_key": pl.String,
    "event_date": pl.Date,
    "time_precision": pl.String,
    "place_precision": pl.String,
    "location": pl.String,
    "admin1": pl.String,
    "country": pl.String,
    **_figures("killed", "injured"),
    "qualifier": pl.String,
    **_CONSENSUS,
}

CASUALTY_EVENT_HISTORY = {
    "event_key": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    **_figures("killed", "injured"),
    **_HISTORY,
}

TERRITORIAL_EVENTS = {
    "event_key": pl.String,
    "event_date": pl.Date,
    "time_precision": pl.String,
    "place_precision": pl.String,
    "settlement": pl.String,
    "admin1": pl.String,
    "country": pl.String,
    "actor": pl.String,
    "claimed_by": pl.String,
    **_CONSENSUS,
}

DERIVED_TABLES: dict[str, dict[str, pl.DataType]] = {
    "event_reports": EVENT_REPORTS,
    "attack_events": ATTACK_EVENTS,
    "attack_event_outcomes": ATTACK_EVENT_OUTCOMES,
    "attack_event_history": ATTACK_EVENT_HISTORY,
    "casualty_events": CASUALTY_EVENTS,
    "casualty_event_history": CASUALTY_EVENT_HISTORY,
    "territorial_events": TERRITORIAL_EVENTS,
}

# In the warehouse every per-article row carries its day (partition): an event or ledger row its article's
# partition_date, a quarantine row its item's (ingest) or its article's (validate). A load replaces a day by
# this column on every table, never through the articles table, so no row can outlive its day's replacement
# (not even one whose article is missing). Extraction and validation frames do not carry it; the load adds it.
PARTITION_DAY: dict[str, pl.DataType] = {"partition_date": pl.Date}
DAY_TABLES = (*EVENT_TABLES, "quarantine", *LEDGER_TABLES)  # the warehouse tables that add PARTITION_DAY

WAREHOUSE_TABLES: dict[str, dict[str, pl.DataType]] = {
    "articles": ARTICLES,
    **{table: {**schema, **PARTITION_DAY} for table, schema in EVENT_TABLES.items()},
    "quarantine": {**QUARANTINE, **PARTITION_DAY},
    **{table: {**schema, **PARTITION_DAY} for table, schema in LEDGER_TABLES.items()},
    "weapons": WEAPONS,
    **DERIVED_TABLES,
}

# The fields of each event type in the JSON-lines contract of `salvo extract` (../shared/eval/SCHEMA.md).
CONTRACT_FIELDS = {
    "air_attack": ("attacker", "weapon_class", "launched", "intercepted", "launched_qualifier", "event_date"),
    "casualties": ("location", "admin1", "killed", "injured", "qualifier"),
    "territorial_control": ("settlement", "admin1", "actor", "claimed_by"),
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with exactly these columns."""
    return pl.DataFrame(schema=schema)


def conform(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast `df` to `schema`, adding missing columns as nulls (column order as in `schema`)."""
    return df.select(
        [
            (pl.col(name) if name in df.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )
