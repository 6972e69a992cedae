"""The two-pass GX validation (whole suite BOOLEAN_ONLY, then the failed expectations COMPLETE) still rejects
every bad row with the right reason, on frames large enough that sampling or a skipped expectation would show.

Thousands of good rows per table, each bad row hidden among them (one as the very last row), one GX run per
module; the runs GX was asked for are recorded, so the test also pins down what "fast" means here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

import pipelines.validate as validate_mod
from pipelines.schema import AIR_ATTACKS, ATTACK_OUTCOMES, CASUALTIES, TERRITORIAL_CONTROL, conform
from pipelines.validate import PARENT_REASON, ValidationOutcome, load_suite_json, validate_events

N_AIR, N_CAS, N_TC = 3000, 1200, 600
ARTICLES = [f"article-{i}" for i in range(500)]
DAY = dt.date(2025, 3, 2)


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=schema), schema)


def _air(event_id: str, i: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "event_id": event_id,
        "article_id": ARTICLES[i % len(ARTICLES)],
        "attacker": "RU",
        "weapon_class": ("drone", "missile", "guided_bomb")[i % 3],
        "launched": 40 + i % 50,
        "intercepted": 30 + i % 10,
        "launched_qualifier": "exact",
        "event_date": None if i % 7 == 0 else DAY,  # nulls are allowed and must pass
        "suppressed": 2,
        "impacts": 1,
        "evidence": f"Russia launched {40 + i % 50} drones overnight.",
        "evidence_start": 0,
        "evidence_end": 30,
    }
    return {**row, **overrides}


def _outcomes(air: dict[str, Any], **overrides: Any) -> list[dict[str, Any]]:
    """The ledger rows of one air row: its launched and intercepted figures."""
    rows = []
    for outcome in ("launched", "intercepted"):
        value = air[outcome]
        rows.append(
            {
                "outcome_id": f"{air['event_id']}|{outcome}",
                "event_id": air["event_id"],
                "article_id": air["article_id"],
                "attacker": air["attacker"],
                "weapon_class": air["weapon_class"],
                "outcome": outcome,
                "low": value,
                "best": value,
                "high": value,
                "qualifier": "exact",
                "evidence": air["evidence"],
                "evidence_start": 0,
                "evidence_end": 30,
                **overrides,
            }
        )
    return rows


# (table, row id) -> (the one reason expected, the expectation label expected)
EXPECTED: dict[tuple[str, str], tuple[str, str | None]] = {
    ("air_attacks", "air-intercepted-gt-launched"): (
        "intercepted_gt_launched",
        "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted)",
    ),
    ("air_attacks", "air-bad-enum"): ("bad_weapon_class", "expect_column_values_to_be_in_set(weapon_class)"),
    ("air_attacks", "air-negative"): (
        "launched_out_of_range",
        "expect_column_values_to_be_between(launched)",
    ),
    ("air_attacks", "air-unknown-article"): (
        "unknown_article_id",
        "expect_column_values_to_not_be_in_set(article_id)",
    ),
    # beyond what pandas' datetime64[ns] can hold: GX must still see and reject them
    ("air_attacks", "air-year-1600"): (
        "event_date_out_of_range",
        "expect_column_values_to_be_between(event_date)",
    ),
    ("air_attacks", "air-year-3000"): (
        "event_date_out_of_range",
        "expect_column_values_to_be_between(event_date)",
    ),
    ("air_attacks", "air-last-row"): ("bad_attacker", "expect_column_values_to_be_in_set(attacker)"),
    ("casualties", "cas-negative"): ("killed_out_of_range", "expect_column_values_to_be_between(killed)"),
    ("casualties", "cas-bad-enum"): ("bad_qualifier", "expect_column_values_to_be_in_set(qualifier)"),
    ("attack_outcomes", "air-5|launched"): ("bad_outcome", "expect_column_values_to_be_in_set(outcome)"),
    ("attack_outcomes", "air-6|intercepted"): (
        "low_gt_best",
        "expect_column_pair_values_a_to_be_greater_than_b(best,low)",
    ),
    # orphans: valid rows themselves, but their air_attacks row was rejected
    ("attack_outcomes", "air-intercepted-gt-launched|launched"): (PARENT_REASON, None),
    ("attack_outcomes", "air-intercepted-gt-launched|intercepted"): (PARENT_REASON, None),
}


def build_tables() -> dict[str, pl.DataFrame]:
    air = [_air(f"air-{i}", i) for i in range(N_AIR)]
    ledger = [row for a in air for row in _outcomes(a)]
    bad_parent = _air("air-intercepted-gt-launched", 1, launched=10, intercepted=25, suppressed=None)
    air[100:100] = [bad_parent]
    air[900:900] = [_air("air-bad-enum", 2, weapon_class="artillery")]
    air[1500:1500] = [_air("air-negative", 3, launched=-3, intercepted=None)]
    air[2000:2000] = [_air("air-unknown-article", 4, article_id="article-never-ingested")]
    air[2500:2500] = [_air("air-year-1600", 5, event_date=dt.date(1600, 1, 1))]
    air[2600:2600] = [_air("air-year-3000", 6, event_date=dt.date(3000, 1, 1))]
    air.append(_air("air-last-row", 7, attacker="BY"))
    ledger.extend(_outcomes(bad_parent, low=1, best=1, high=1))  # fine rows of a rejected parent
    for row in ledger:
        if row["outcome_id"] == "air-5|launched":
            row["outcome"] = "exploded"
        if row["outcome_id"] == "air-6|intercepted":
            row.update(low=9, best=5, high=10)

    cas = [
        {
            "event_id": f"cas-{i}",
            "article_id": ARTICLES[i % len(ARTICLES)],
            "location": f"Place {chr(65 + i % 26)}",
            "killed": i % 5,
            "injured": i % 11,
            "qualifier": "exact",
            "event_date": DAY,
            "evidence": "two killed",
            "evidence_start": 4,
            "evidence_end": 14,
        }
        for i in range(N_CAS)
    ]
    cas[300:300] = [{**cas[0], "event_id": "cas-negative", "killed": -1}]
    cas[800:800] = [{**cas[1], "event_id": "cas-bad-enum", "qualifier": "more_than"}]

    tc = [
        {
            "event_id": f"tc-{i}",
            "article_id": ARTICLES[i % len(ARTICLES)],
            "settlement": f"Village {chr(65 + i % 26)}",
            "actor": ("RU", "UA")[i % 2],
            "event_date": DAY,
            "evidence": "took control",
            "evidence_start": 0,
            "evidence_end": 12,
        }
        for i in range(N_TC)
    ]
    return {
        "air_attacks": _frame(air, AIR_ATTACKS),
        "casualties": _frame(cas, CASUALTIES),
        "territorial_control": _frame(tc, TERRITORIAL_CONTROL),
        "attack_outcomes": _frame(ledger, ATTACK_OUTCOMES),
    }


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, pl.DataFrame], ValidationOutcome, list[dict[str, Any]]]:
    """One validation of the big mixed frames, recording every GX run the validator asked for."""
    tables = build_tables()
    gx_runs: list[dict[str, Any]] = []
    original = validate_mod._GxRunner._run

    def recording(
        self: Any, name: str, batch_definition: Any, suite: Any, pdf: Any, result_format: Any, parameters: Any
    ) -> Any:
        gx_runs.append(
            {
                "table": name.split("__")[0],
                "result_format": result_format["result_format"],
                "rows": len(pdf),
                "labels": sorted(
                    validate_mod._label(e.configuration.type, e.configuration.kwargs)
                    for e in suite.expectations
                ),
            }
        )
        return original(self, name, batch_definition, suite, pdf, result_format, parameters)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(validate_mod._GxRunner, "_run", recording)
        outcome = validate_events(tables, ARTICLES)
    return tables, outcome, gx_runs


@pytest.mark.parametrize(("table", "row_id"), sorted(EXPECTED))
def test_each_bad_row_is_quarantined_with_its_reason_and_expectation(run, table, row_id):
    _, outcome, _ = run
    rows = outcome.quarantine.filter((pl.col("table_name") == table) & (pl.col("row_id") == row_id))
    assert rows.height == 1, f"{table}/{row_id}: {rows.height} quarantine rows"
    reason, expectation = EXPECTED[(table, row_id)]
    assert rows.item(0, "reason") == reason
    assert rows.item(0, "expectation") == expectation
    assert rows.item(0, "stage") == "validate"


def test_nothing_else_is_quarantined_and_every_row_lands_once(run):
    tables, outcome, _ = run
    got = set(outcome.quarantine.select("table_name", "row_id").iter_rows())
    assert got == set(EXPECTED)
    for table, df in tables.items():
        id_column = "outcome_id" if table == "attack_outcomes" else "event_id"
        valid = outcome.valid[table]
        bad = {row_id for t, row_id in EXPECTED if t == table}
        assert valid.height + len(bad) == df.height
        assert set(valid[id_column]) == set(df[id_column]) - bad
        assert valid.equals(df.filter(~pl.col(id_column).is_in(list(bad))))  # untouched, input order


def test_suite_results_name_the_failed_expectations(run):
    tables, outcome, _ = run
    for table, df in tables.items():
        result = outcome.results[table]
        assert result.evaluated_rows == df.height
        assert result.errored_expectations == []
        own = {label for (t, _), (_, label) in EXPECTED.items() if t == table and label is not None}
        assert set(result.failed_expectations) == own
        assert result.success is (not own)
    assert outcome.results["territorial_control"].success_percent == 100.0


def test_gx_checks_every_row_once_then_lists_rows_only_for_failed_expectations(run):
    tables, outcome, gx_runs = run
    for table, df in tables.items():
        runs = [r for r in gx_runs if r["table"] == table]
        whole_suite = sorted(
            validate_mod._label(e["type"], e["kwargs"]) for e in load_suite_json(table)["expectations"]
        )
        # the first run: every expectation of the suite file, over every row
        assert runs[0]["result_format"] == "BOOLEAN_ONLY"
        assert runs[0]["labels"] == whole_suite
        assert runs[0]["rows"] == df.height
        failed = outcome.results[table].failed_expectations
        if not failed:
            assert len(runs) == 1  # a clean table costs one cheap run
            continue
        # the second run: exactly the failed expectations, again over every row, now naming the rows
        assert len(runs) == 2
        assert runs[1]["result_format"] == "COMPLETE"
        assert runs[1]["labels"] == sorted(failed)
        assert runs[1]["rows"] == df.height


def test_no_known_articles_rejects_every_row_as_unknown():
    tables = {
        "air_attacks": _frame([_air(f"air-{i}", i) for i in range(30)], AIR_ATTACKS),
        "casualties": _frame([], CASUALTIES),
    }
    outcome = validate_events(tables, [])
    air_q = outcome.quarantine.filter(pl.col("table_name") == "air_attacks")
    assert air_q.height == 30
    assert set(air_q["reason"]) == {"unknown_article_id"}
    assert outcome.valid["air_attacks"].is_empty()


def test_no_pandas_frame_outlives_the_call():
    """GX keeps its last context alive until it makes the next one; the frames handed to it must not be."""
    import gc

    import pandas as pd

    def live_frames() -> int:
        gc.collect()
        return sum(isinstance(o, pd.DataFrame) for o in gc.get_objects())

    before = live_frames()
    outcome = validate_events(
        {"air_attacks": _frame([_air(f"air-{i}", i) for i in range(50)], AIR_ATTACKS)}, ARTICLES
    )
    assert outcome.valid["air_attacks"].height == 50
    assert live_frames() <= before
