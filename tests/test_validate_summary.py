"""Tests for pipelines.validate.summary: a real GX validation's rows split by their article's day, with each
failed expectation named and counted per day."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.schema import AIR_ATTACKS, ARTICLES, conform
from pipelines.validate import validate_events
from pipelines.validate.summary import day_checks

D1, D2, D3 = dt.date(2025, 7, 1), dt.date(2025, 7, 2), dt.date(2025, 7, 3)


def air(event_id: str, article_id: str, launched: int, intercepted: int) -> dict:
    return {
        "event_id": event_id,
        "article_id": article_id,
        "attacker": "RU",
        "weapon_class": "drone",
        "launched": launched,
        "intercepted": intercepted,
        "launched_qualifier": "exact",
        "evidence": "...",
        "evidence_start": 0,
        "evidence_end": 3,
    }


def test_day_checks_split_the_validation_by_day() -> None:
    articles = conform(
        pl.DataFrame({"article_id": ["a1", "a2"], "partition_date": [D1, D2]}, schema_overrides={}), ARTICLES
    )
    rows = [
        air("ok-1", "a1", 10, 9),
        air("bad-1", "a1", 5, 9),  # intercepted > launched, on D1
        air("ok-2", "a2", 20, 10),
        air("orphan", "nobody", 3, 1),  # an article the run does not have: counted on the first day
    ]
    outcome = validate_events({"air_attacks": conform(pl.DataFrame(rows), AIR_ATTACKS)}, ["a1", "a2"])
    checks = day_checks(outcome, articles, [D1, D2, D3])["air_attacks"]
    d1, d2, d3 = checks[D1], checks[D2], checks[D3]
    assert (d1.rows_checked, d1.rows_loaded, d1.rows_quarantined) == (3, 1, 2)
    assert d1.failed == {
        "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted)": 1,
        "expect_column_values_to_not_be_in_set(article_id)": 1,
    }
    assert sorted(r["row_id"] for r in d1.quarantined) == ["bad-1", "orphan"]
    assert not d1.passed and d1.description().startswith("2 of 3 rows quarantined on 2025-07-01: ")
    assert (d2.rows_checked, d2.rows_quarantined, d2.passed) == (1, 0, True)
    assert d2.description() == "1 row checked on 2025-07-02, none failed the air_attacks suite"
    assert (d3.rows_checked, d3.passed, d3.description()) == (
        0,
        True,
        "no air_attacks rows to check on 2025-07-03",
    )
    empty = day_checks(outcome, articles, [D1])["casualties"][D1]  # a table without rows passes, checked 0
    assert (empty.rows_checked, empty.passed) == (0, True)
