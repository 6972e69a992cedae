"""Extract: articles -> air_attacks, casualties, territorial_control frames (schema.py), each row with
its evidence sentence and that sentence's character offsets in the article text.

`extract_events` is the one entry point: `salvo extract` and the Dagster extraction asset both call it.
It never touches DuckDB or the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import polars as pl

from pipelines.schema import (
    AIR_ATTACKS,
    ATTACK_OUTCOMES,
    CASUALTIES,
    CONTRACT_FIELDS,
    EVENT_TYPE_OF_TABLE,
    TERRITORIAL_CONTROL,
    conform,
)

from .air import extract_air
from .casualties import extract_casualties
from .sentences import split_sentences
from .territorial_control import extract_territorial_control

__all__ = ["extract_events", "contract_rows", "sort_events", "split_sentences"]


def _with_evidence(
    rows: pl.DataFrame, sentences: pl.DataFrame, event_type: str, key: list[str]
) -> pl.DataFrame:
    """Attach the evidence sentence and offsets, and a stable event_id: the article, the type and the row's
    key (readable, and unique because rows are one per key and article)."""
    # only the cited sentences, not all of them, go into the join
    cited = sentences.join(
        rows.select("article_id", "sentence_no"), on=["article_id", "sentence_no"], how="semi"
    )
    ev = cited.select(
        "article_id", "sentence_no", evidence="sentence", evidence_start="start", evidence_end="end"
    )
    out = rows.join(ev, on=["article_id", "sentence_no"], how="left")
    key_str = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key], separator="/")
    return out.with_columns(
        event_id=pl.concat_str(pl.col("article_id"), pl.lit(f"#{event_type}#"), key_str.str.to_lowercase())
    )


def extract_events(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """articles (article_id, text, published_at, ...) -> {"air_attacks", "casualties", "territorial_control",
    "attack_outcomes"}; the last is the outcome ledger behind the air_attacks rows.

    Whole-column polars: the sentences of all articles are processed at once."""
    arts = articles.select(
        "article_id",
        "text",
        (pl.col("published_at") if "published_at" in articles.columns else pl.lit(None, pl.Date)).alias(
            "published_at"
        ),
    )
    # Every window and join below is keyed by article; a categorical key compares as an integer
    # (several times faster than a string key). Ids go back to strings at the end.
    arts = arts.with_columns(pl.col("article_id").cast(pl.Categorical))
    sentences = split_sentences(arts, events_only=True)
    air_result = extract_air(sentences)
    air = _with_evidence(air_result.rows, sentences, "air_attack", ["attacker", "weapon_class"])
    # each ledger row points at its air_attacks row (same event_id recipe) and has an id of its own
    outcome_key = [pl.col("model").fill_null("*").str.to_lowercase(), pl.col("outcome")]
    outcomes = _with_evidence(air_result.outcomes, sentences, "air_attack", ["attacker", "weapon_class"])
    outcomes = outcomes.with_columns(
        outcome_id=pl.concat_str([pl.col("event_id"), *outcome_key], separator="/")
    )
    cas = _with_evidence(extract_casualties(sentences), sentences, "casualties", ["location"])
    ter = _with_evidence(
        extract_territorial_control(sentences), sentences, "territorial_control", ["settlement"]
    )
    return sort_events(
        {
            "air_attacks": conform(air, AIR_ATTACKS),
            "casualties": conform(cas, CASUALTIES),
            "territorial_control": conform(ter, TERRITORIAL_CONTROL),
            "attack_outcomes": conform(outcomes, ATTACK_OUTCOMES),
        }
    )


# The order rows leave extraction in (and `salvo extract` writes them in), per table.
EVENT_ORDER = {
    "air_attacks": ("article_id", "attacker", "weapon_class"),
    "casualties": ("article_id", "evidence_start", "location"),
    "territorial_control": ("article_id", "evidence_start", "settlement"),
    "attack_outcomes": ("outcome_id",),
}


def sort_events(events: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Event frames in EVENT_ORDER: the order does not depend on how the articles were cut into batches."""
    return {
        table: frame.sort(*EVENT_ORDER[table]) if table in EVENT_ORDER else frame
        for table, frame in events.items()
    }


# SCHEMA.md's admin1 is the region's English short name: the oblast around Moscow is "Moscow" there, as
# annotators write it. The warehouse keeps the gazetteer's "Moscow Oblast" apart from the federal city.
CONTRACT_ADMIN1 = {"Moscow Oblast": "Moscow"}


def contract_rows(events: dict[str, pl.DataFrame], *, with_evidence: bool = False) -> Iterator[dict]:
    """Event frames -> dicts in the JSON-lines contract of ../shared/eval/SCHEMA.md (article order kept)."""
    for table, event_type in EVENT_TYPE_OF_TABLE.items():
        frame = events[table]
        fields = list(CONTRACT_FIELDS[event_type])
        extra = ["evidence", "evidence_start", "evidence_end"] if with_evidence else []
        cols = ["article_id", *fields, *extra]
        if "admin1" in cols:
            frame = frame.with_columns(pl.col("admin1").replace(CONTRACT_ADMIN1))
        for row in frame.select(cols).with_columns(pl.col(pl.Date).cast(pl.String)).iter_rows(named=True):
            yield {"article_id": row["article_id"], "event_type": event_type, **{k: row[k] for k in cols[1:]}}


def contract_jsonl(events: dict[str, pl.DataFrame], *, with_evidence: bool = False) -> Iterator[str]:
    for row in contract_rows(events, with_evidence=with_evidence):
        yield json.dumps(row, ensure_ascii=False)
