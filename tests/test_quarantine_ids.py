"""quarantine_id: one recipe (pipelines/quarantine.py) for the ingest and the validate stage, whose output
never changes: existing warehouses hold these ids, and a re-run replaces a quarantine row by its id. The
expected ids below were produced by the three recipes this one replaced (ingest/items.py, validate's split
and its orphaned ledger rows), on the same input."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest

from pipelines.ingest import ingest_quarantine
from pipelines.quarantine import quarantine_ids
from pipelines.schema import AIR_ATTACKS, ATTACK_OUTCOMES, CASUALTIES, RAW_ARTICLES, conform

D = dt.date(2025, 7, 1)


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=schema, strict=False), schema)


RAW = _frame(
    [
        {"origin": "a.jsonl:1", "partition_date": D, "reject_reason": "empty_text"},
        {"origin": "a.jsonl:1", "partition_date": D, "reject_reason": "empty_text"},
        {"origin": "a.jsonl:1", "partition_date": D, "reject_reason": "invalid_json"},
        {"origin": "a.jsonl:1", "partition_date": dt.date(2025, 7, 2), "reject_reason": "empty_text"},
        {"origin": "b.txt", "partition_date": None, "reject_reason": "missing_text"},
        {"origin": "b.txt", "partition_date": None, "reject_reason": "missing_text"},
        {"origin": None, "partition_date": D, "reject_reason": "x"},
        {"origin": None, "partition_date": None, "reject_reason": "y"},
        {"article_id": "ok", "origin": "c", "partition_date": D, "text": "fine", "reject_reason": None},
    ],
    RAW_ARTICLES,
)
INGEST_IDS = [
    ("a.jsonl:1", "empty_text", "ingest|a.jsonl:1|2025-07-01"),
    ("a.jsonl:1", "empty_text", "ingest|a.jsonl:1|2025-07-01|1"),
    ("a.jsonl:1", "invalid_json", "ingest|a.jsonl:1|2025-07-01|2"),
    ("a.jsonl:1", "empty_text", "ingest|a.jsonl:1|2025-07-02"),
    ("b.txt", "missing_text", "ingest|b.txt"),
    ("b.txt", "missing_text", "ingest|b.txt|1"),
    (None, "x", "ingest||2025-07-01"),
    (None, "y", "ingest|"),
]

_AIR = {"article_id": "art-1", "attacker": "RU", "weapon_class": "drone", "launched": 10, "intercepted": 5}
_LEDGER = {
    "article_id": "art-1",
    "attacker": "RU",
    "weapon_class": "drone",
    "outcome": "launched",
    "best": 10,
}
TABLES = {
    "air_attacks": _frame(
        [
            {**_AIR, "event_id": "ok-1"},
            {**_AIR, "event_id": "bad-1", "intercepted": 20},
            {**_AIR, "event_id": "dup", "intercepted": 30},
            {**_AIR, "event_id": "dup", "intercepted": 40},
            {**_AIR, "event_id": "dup", "launched": None, "intercepted": None},
            {**_AIR, "event_id": None},
            {**_AIR, "event_id": None},
            {**_AIR, "event_id": None, "launched": 7},
            {**_AIR, "event_id": "unk", "article_id": "art-x"},
        ],
        AIR_ATTACKS,
    ),
    "attack_outcomes": _frame(
        [
            {**_LEDGER, "outcome_id": "o1", "event_id": "ok-1"},
            {**_LEDGER, "outcome_id": "o2", "event_id": "bad-1"},
            {**_LEDGER, "outcome_id": "o3", "event_id": "dup", "outcome": "intercepted", "best": 30},
            {**_LEDGER, "outcome_id": None, "event_id": "ok-1", "best": 1},
        ],
        ATTACK_OUTCOMES,
    ),
    "casualties": _frame(
        [
            {"event_id": "c1", "article_id": "art-1", "location": "Kharkiv", "killed": -1},
            {"event_id": None, "article_id": "art-1", "location": "Kharkiv", "killed": 1},
        ],
        CASUALTIES,
    ),
}
# (table, row_id, reason, quarantine_id): repeated event ids, rows without an id (the same row twice too),
# ledger rows without an id or whose air attack was quarantined
VALIDATE_IDS = [
    ("air_attacks", None, "missing_event_id", "68af2d2a0666bb4ae3ee7c61804ff4ef5f9ef384"),
    ("air_attacks", None, "missing_event_id", "b73e4cbb6acb2a4afc248d2a3df3ccc2633e0c50"),
    ("air_attacks", None, "missing_event_id", "db6922ce82178a72226a1157620e73e0860a47d8"),
    ("air_attacks", "bad-1", "intercepted_gt_launched", "5034dc1e9cea588a1d4b2678cfe472af2f08722d"),
    ("air_attacks", "dup", "duplicate_event_id;no_weapon_counts", "26f4f1424fbf648bfd3ccbdc24c58dd3b671eb0c"),
    (
        "air_attacks",
        "dup",
        "duplicate_event_id;intercepted_gt_launched",
        "6fceac06863db4a81b1a24e56cc463431327353e",
    ),
    (
        "air_attacks",
        "dup",
        "duplicate_event_id;intercepted_gt_launched",
        "e4fd58bf22136659727f3994801e8cd1cfc87d50",
    ),
    ("air_attacks", "unk", "unknown_article_id", "6c8c87cad71f2879d5477d1c22a742dcc1580711"),
    ("attack_outcomes", None, "missing_outcome_id", "40e1df5a914940e5b7825beb25949a97d7454d93"),
    ("attack_outcomes", "o2", "parent_air_attack_quarantined", "5bcfd89d751aa3764f769fecd83a0fea87a1cbfa"),
    ("attack_outcomes", "o3", "parent_air_attack_quarantined", "43497db7fe1f2912f97fec10b1277df0a64429ea"),
    ("casualties", None, "missing_event_id", "fd6c1992374131fee05b6b218aabec6a85dbedd5"),
    ("casualties", "c1", "killed_out_of_range", "6ba071dd9ac871ee5e91dea0bd08ee7a5c19c7c7"),
]


def _sha1(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()


def test_ingest_ids_are_unchanged() -> None:
    q = ingest_quarantine(RAW)
    assert list(q.select("row_id", "reason", "quarantine_id").iter_rows()) == INGEST_IDS


def test_validate_ids_are_unchanged() -> None:
    from pipelines.validate import validate_events

    q = validate_events(TABLES, ["art-1"]).quarantine
    got = sorted(
        q.select("table_name", "row_id", "reason", "quarantine_id").iter_rows(),
        key=lambda r: (r[0], str(r[1]), r[3]),
    )
    assert got == VALIDATE_IDS
    # the keys behind them, as the module doc writes them
    ids = set(q["quarantine_id"])
    assert {_sha1("validate|air_attacks|dup"), _sha1("validate|air_attacks|dup|1")} <= ids
    assert _sha1("validate|air_attacks|dup|2") in ids
    assert _sha1("validate|attack_outcomes|o2|parent") in ids


@pytest.mark.parametrize(
    "parts,within,hashed,expected",
    [
        (["ingest", pl.col("o"), pl.col("d")], "key", False, ["ingest|x|1", "ingest|x|1|1", "ingest|x"]),
        (["v", "t", pl.col("o")], pl.col("o"), True, [_sha1("v|t|x"), _sha1("v|t|x|1"), _sha1("v|t|x|2")]),
        (["v", pl.col("o"), "parent"], None, False, ["v|x|parent"] * 3),
    ],
)
def test_the_recipe(parts, within, hashed, expected) -> None:
    frame = pl.DataFrame({"o": ["x", "x", "x"], "d": ["1", "1", None]})
    assert quarantine_ids(frame, parts, repeats_within=within, hashed=hashed).to_list() == expected
