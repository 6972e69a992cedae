"""Tests for pipelines.validate: real Great Expectations runs on hand-built frames.

GX is slow to import and to run, so one module-scoped fixture validates a mixed frame (good rows plus one
bad row per failure mode) once, and most tests assert on that single outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import pipelines.validate as validate_mod
from pipelines.schema import AIR_ATTACKS, CASUALTIES, EVENT_TABLES, QUARANTINE, TERRITORIAL_CONTROL, conform
from pipelines.validate import (
    DEFAULT_SUITES_DIR,
    DERIVED,
    ENV_SUITES_DIR,
    TABLES,
    SuiteResult,
    ValidationOutcome,
    _runtime_parameters,
    load_suite_json,
    validate_events,
)

KNOWN = ["art-1", "art-2", "art-3"]
DAY = dt.date(2025, 7, 1)


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows written by hand -> a frame of exactly `schema` (absent keys become nulls)."""
    return conform(pl.DataFrame(rows, schema=schema), schema)


# --------------------------------------------------------------------------- rows
AIR_OK = [
    {
        "event_id": "air-ok-1",
        "article_id": "art-1",
        "attacker": "RU",
        "weapon_class": "drone",
        "launched": 100,
        "intercepted": 90,
        "launched_qualifier": "exact",
        "event_date": DAY,
        "evidence": "Russia launched 100 drones; 90 were shot down.",
        "evidence_start": 0,
        "evidence_end": 47,
    },
    # only an intercepted count is known: allowed
    {
        "event_id": "air-ok-2",
        "article_id": "art-1",
        "attacker": "RU",
        "weapon_class": "missile",
        "intercepted": 12,
    },
    # intercepted == launched is fine ("all 50 shot down")
    {
        "event_id": "air-ok-3",
        "article_id": "art-2",
        "attacker": "UA",
        "weapon_class": "drone",
        "launched": 50,
        "intercepted": 50,
        "launched_qualifier": "more_than",
    },
]

_AIR_BASE = {
    "article_id": "art-1",
    "attacker": "RU",
    "weapon_class": "drone",
    "launched": 10,
    "intercepted": 5,
}

# event_id -> (overrides of _AIR_BASE, the exact set of reasons expected)
AIR_BAD: dict[str, tuple[dict[str, Any], set[str]]] = {
    "air-bad-ratio": ({"launched": 10, "intercepted": 20}, {"intercepted_gt_launched"}),
    "air-bad-article": ({"article_id": "art-unknown"}, {"unknown_article_id"}),
    "air-neg": ({"launched": -3, "intercepted": None}, {"launched_out_of_range"}),
    "air-absurd": (
        {"launched": 100_000, "intercepted": 90_000},
        {"launched_out_of_range", "intercepted_out_of_range"},
    ),
    "air-bad-weapon": ({"weapon_class": "artillery"}, {"bad_weapon_class"}),
    "air-bad-attacker": ({"attacker": "BY"}, {"bad_attacker"}),
    "air-bad-qualifier": ({"launched_qualifier": "about"}, {"bad_launched_qualifier"}),
    "air-no-counts": ({"launched": None, "intercepted": None}, {"no_weapon_counts"}),
    "air-no-attacker": ({"attacker": None}, {"missing_attacker"}),
    "air-future": ({"event_date": dt.date(2099, 1, 1)}, {"event_date_out_of_range"}),
    "air-prewar": ({"event_date": dt.date(2001, 9, 11)}, {"event_date_out_of_range"}),
    "air-bad-evidence": ({"evidence_start": 10, "evidence_end": 5}, {"bad_evidence_offsets"}),
}
AIR_DUPLICATE = "air-dup"  # two rows with this id: both rejected
AIR_NULL_ID_ROW = {**_AIR_BASE, "event_id": None, "article_id": "art-3"}

CAS_OK = [
    {
        "event_id": "cas-ok-1",
        "article_id": "art-1",
        "location": "Dnipro",
        "admin1": "Dnipropetrovsk",
        "killed": 3,
        "injured": 10,
        "qualifier": "exact",
        "event_date": DAY,
    },
    {"event_id": "cas-ok-2", "article_id": "art-2", "location": "Kherson region", "injured": 4},
]
_CAS_BASE = {"article_id": "art-1", "location": "Kharkiv", "killed": 1, "injured": 2}
CAS_BAD: dict[str, tuple[dict[str, Any], set[str]]] = {
    "cas-neg": ({"killed": -1}, {"killed_out_of_range"}),
    "cas-absurd": ({"injured": 50_000}, {"injured_out_of_range"}),
    "cas-no-counts": ({"killed": None, "injured": None}, {"no_casualty_counts"}),
    "cas-bad-qualifier": ({"qualifier": "more_than"}, {"bad_qualifier"}),  # only air_attacks allows it
    "cas-no-location": ({"location": None}, {"missing_location"}),
    "cas-untrimmed": ({"location": " Dnipro"}, {"untrimmed_location"}),
    "cas-bad-article": ({"article_id": "art-unknown"}, {"unknown_article_id"}),
}

TC_OK = [
    {
        "event_id": "tc-ok-1",
        "article_id": "art-1",
        "settlement": "Berezove",
        "admin1": "Dnipropetrovsk",
        "actor": "RU",
        "claimed_by": "RU MoD",
    },
    {"event_id": "tc-ok-2", "article_id": "art-3", "settlement": "Stepnohirsk", "actor": "UA"},
]
_TC_BASE = {"article_id": "art-2", "settlement": "Novopavlivka", "actor": "RU"}
TC_BAD: dict[str, tuple[dict[str, Any], set[str]]] = {
    "tc-bad-actor": ({"actor": "NATO"}, {"bad_actor"}),
    "tc-no-actor": ({"actor": None}, {"missing_actor"}),
    "tc-short": ({"settlement": "X"}, {"settlement_length_out_of_range"}),
    "tc-long": ({"settlement": "Novo" * 21}, {"settlement_length_out_of_range"}),
    "tc-no-settlement": ({"settlement": None}, {"missing_settlement"}),
    "tc-digits": ({"settlement": "12 villages"}, {"settlement_has_digits"}),
    "tc-bad-article": ({"article_id": "art-unknown"}, {"unknown_article_id"}),
}

BAD = {"air_attacks": AIR_BAD, "casualties": CAS_BAD, "territorial_control": TC_BAD}
OK_IDS = {
    "air_attacks": {r["event_id"] for r in AIR_OK},
    "casualties": {r["event_id"] for r in CAS_OK},
    "territorial_control": {r["event_id"] for r in TC_OK},
}


def _bad_rows(base: dict[str, Any], bad: dict[str, tuple[dict[str, Any], set[str]]]) -> list[dict[str, Any]]:
    return [{**base, **overrides, "event_id": event_id} for event_id, (overrides, _) in bad.items()]


def mixed_tables() -> dict[str, pl.DataFrame]:
    # bad rows interleaved with good ones, so positions (how GX names failing rows) are exercised
    air_rows = [
        AIR_OK[0],
        *_bad_rows(_AIR_BASE, AIR_BAD)[:6],
        AIR_OK[1],
        {**_AIR_BASE, "event_id": AIR_DUPLICATE},
        AIR_NULL_ID_ROW,
        *_bad_rows(_AIR_BASE, AIR_BAD)[6:],
        {**_AIR_BASE, "event_id": AIR_DUPLICATE, "weapon_class": "missile"},
        AIR_OK[2],
    ]
    return {
        "air_attacks": frame(air_rows, AIR_ATTACKS),
        "casualties": frame([CAS_OK[0], *_bad_rows(_CAS_BASE, CAS_BAD), CAS_OK[1]], CASUALTIES),
        "territorial_control": frame([*_bad_rows(_TC_BASE, TC_BAD), *TC_OK], TERRITORIAL_CONTROL),
    }


@pytest.fixture(scope="module")
def mixed() -> tuple[dict[str, pl.DataFrame], ValidationOutcome]:
    tables = mixed_tables()
    return tables, validate_events(tables, KNOWN)


def _quarantine_of(outcome: ValidationOutcome, table: str) -> pl.DataFrame:
    return outcome.quarantine.filter(pl.col("table_name") == table)


def _reasons(outcome: ValidationOutcome, table: str, event_id: str) -> set[str]:
    rows = _quarantine_of(outcome, table).filter(pl.col("row_id") == event_id)
    assert rows.height == 1, f"{event_id}: expected one quarantine row, got {rows.height}"
    return set(rows.item(0, "reason").split(";"))


# --------------------------------------------------------------------------- the mixed run
def test_valid_keeps_exactly_the_good_rows_with_the_input_schema(mixed):
    tables, outcome = mixed
    for table, df in tables.items():
        valid = outcome.valid[table]
        assert valid.schema == df.schema
        assert set(valid["event_id"]) == OK_IDS[table]
        # valid rows are untouched and keep their input order
        assert valid.equals(df.filter(pl.col("event_id").is_in(list(OK_IDS[table]))))


def test_every_row_lands_in_exactly_one_of_valid_or_quarantine(mixed):
    tables, outcome = mixed
    assert outcome.quarantine.schema == pl.Schema(QUARANTINE)
    total_q = 0
    for table, df in tables.items():
        valid, quarantine = outcome.valid[table], _quarantine_of(outcome, table)
        assert valid.height + quarantine.height == df.height
        assert not set(valid["event_id"]) & set(quarantine["row_id"].drop_nulls())
        assert set(valid["event_id"]) | set(quarantine["row_id"].drop_nulls()) == set(
            df["event_id"].drop_nulls()
        )
        total_q += quarantine.height
    assert total_q == outcome.quarantine.height


@pytest.mark.parametrize(
    ("table", "event_id", "expected"),
    [(table, event_id, reasons) for table, bad in BAD.items() for event_id, (_, reasons) in bad.items()],
)
def test_each_bad_row_is_quarantined_with_exactly_its_reasons(mixed, table, event_id, expected):
    _, outcome = mixed
    assert _reasons(outcome, table, event_id) == expected


def test_intercepted_gt_launched_row(mixed):
    _, outcome = mixed
    q = _quarantine_of(outcome, "air_attacks").filter(pl.col("row_id") == "air-bad-ratio").row(0, named=True)
    assert q["reason"] == "intercepted_gt_launched"
    assert q["expectation"] == "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted)"
    assert q["stage"] == "validate"
    assert q["article_id"] == "art-1"
    row = json.loads(q["row_json"])
    assert row["event_id"] == "air-bad-ratio"
    assert (row["launched"], row["intercepted"]) == (10, 20)
    assert list(row) == list(AIR_ATTACKS)  # the whole row, in schema order
    # stable id: re-running replaces instead of adding
    assert q["quarantine_id"] == hashlib.sha1(b"validate|air_attacks|air-bad-ratio").hexdigest()


def test_row_json_serialises_dates_as_iso_strings(mixed):
    _, outcome = mixed
    q = _quarantine_of(outcome, "air_attacks").filter(pl.col("row_id") == "air-future")
    assert json.loads(q.item(0, "row_json"))["event_date"] == "2099-01-01"


def test_multiple_failures_are_joined_sorted(mixed):
    _, outcome = mixed
    q = _quarantine_of(outcome, "air_attacks").filter(pl.col("row_id") == "air-absurd").row(0, named=True)
    assert q["reason"] == "intercepted_out_of_range;launched_out_of_range"
    assert q["expectation"] == (
        "expect_column_values_to_be_between(intercepted);expect_column_values_to_be_between(launched)"
    )


def test_null_event_id_is_quarantined_not_crashing(mixed):
    _, outcome = mixed
    q = _quarantine_of(outcome, "air_attacks").filter(pl.col("row_id").is_null())
    assert q.height == 1
    assert q.item(0, "reason") == "missing_event_id"
    assert q.item(0, "article_id") == "art-3"
    assert json.loads(q.item(0, "row_json"))["event_id"] is None
    assert re.fullmatch(r"[0-9a-f]{40}", q.item(0, "quarantine_id"))


def test_duplicate_event_ids_quarantine_both_rows_with_distinct_ids(mixed):
    _, outcome = mixed
    q = _quarantine_of(outcome, "air_attacks").filter(pl.col("row_id") == AIR_DUPLICATE)
    assert q.height == 2
    assert set(q["reason"]) == {"duplicate_event_id"}
    assert q["quarantine_id"].n_unique() == 2
    assert outcome.quarantine["quarantine_id"].n_unique() == outcome.quarantine.height


def test_suite_results(mixed):
    tables, outcome = mixed
    assert set(outcome.results) == set(EVENT_TABLES) | {"attack_outcomes"}
    assert outcome.results["attack_outcomes"].evaluated_rows == 0  # not part of this fixture
    for table, result in outcome.results.items():
        if table not in EVENT_TABLES:
            continue
        assert isinstance(result, SuiteResult)
        assert result.table == table
        assert result.evaluated_rows == tables[table].height
        assert result.success is False
        assert 0.0 < result.success_percent < 100.0
        assert result.errored_expectations == []  # the shipped suites must never raise on a conformed frame
        expected_bad = set(BAD[table]) | ({AIR_DUPLICATE} if table == "air_attacks" else set())
        assert result.bad_row_ids == sorted(expected_bad)
    air = outcome.results["air_attacks"]
    assert "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted)" in air.failed_expectations
    assert "expect_column_values_to_not_be_null(event_id)" in air.failed_expectations
    # checked as "not one of the referenced ids that are unknown" (see pipelines.validate, the cost of in-set)
    assert "expect_column_values_to_not_be_in_set(article_id)" in air.failed_expectations


# --------------------------------------------------------------------------- other runs
def test_valid_frames_pass_100_percent():
    tables = {
        "air_attacks": frame(AIR_OK, AIR_ATTACKS),
        # event_date and evidence all null: GX must treat the all-null datetime column as passing
        "casualties": frame(CAS_OK, CASUALTIES).with_columns(pl.lit(None, pl.Date).alias("event_date")),
        "territorial_control": frame(TC_OK, TERRITORIAL_CONTROL),
    }
    # a generator works as known_article_ids, and unrelated known ids do not matter
    outcome = validate_events(tables, (a for a in [*KNOWN, "art-other"]))
    assert outcome.quarantine.is_empty()
    assert outcome.quarantine.schema == pl.Schema(QUARANTINE)
    for table, df in tables.items():
        assert outcome.valid[table].equals(df)
        result = outcome.results[table]
        assert result.success, result
        assert result.success_percent == 100.0
        assert result.failed_expectations == result.errored_expectations == result.bad_row_ids == []


def test_empty_and_missing_tables_skip_gx(monkeypatch):
    def no_gx(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("GX must not run for empty tables")

    monkeypatch.setattr(validate_mod._GxRunner, "validate", no_gx)
    outcome = validate_events({"casualties": frame([], CASUALTIES)}, [])
    assert outcome.quarantine.is_empty()
    assert outcome.quarantine.schema == pl.Schema(QUARANTINE)
    for table, schema in EVENT_TABLES.items():
        assert outcome.valid[table].is_empty()
        assert outcome.valid[table].schema == pl.Schema(schema)
        assert outcome.results[table] == SuiteResult(table, 0, 100.0, [], [], [], True)


def test_unknown_table_name_is_rejected():
    with pytest.raises(ValueError, match="unknown tables"):
        validate_events({"articles": frame([], AIR_ATTACKS)}, KNOWN)


def _copy_suites(dest: Path) -> Path:
    for table in EVENT_TABLES:
        (dest / f"{table}.json").write_text(json.dumps(load_suite_json(table)), encoding="utf-8")
    return dest


def test_broken_suite_reports_errored_expectations(tmp_path, caplog):
    suites = _copy_suites(tmp_path)
    suite = load_suite_json("air_attacks", suites)
    meta = {"reason": "broken", "why": "deliberately broken for the test"}
    suite["expectations"] += [
        # raises inside GX: the column does not exist
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "no_such_column", "min_value": 0},
            "meta": meta,
        },
        # cannot even be built: GX's ExpectationSuite() would silently drop it
        {"type": "expect_column_values_to_be_betwen", "kwargs": {"column": "launched"}, "meta": meta},
        # refers to a runtime parameter nobody supplies
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "attacker", "value_set": {"$PARAMETER": "nope"}},
            "meta": meta,
        },
    ]
    (suites / "air_attacks.json").write_text(json.dumps(suite), encoding="utf-8")

    air = frame(AIR_OK, AIR_ATTACKS)
    with caplog.at_level(logging.WARNING, logger="pipelines.validate"):
        outcome = validate_events({"air_attacks": air}, KNOWN, suites_dir=suites)
    result = outcome.results["air_attacks"]
    assert result.errored_expectations == sorted(
        [
            "expect_column_values_to_be_between(no_such_column)",
            "expect_column_values_to_be_betwen(launched)",
            "expect_column_values_to_be_in_set(attacker)",
        ]
    )
    assert result.failed_expectations == []  # an error is not a data failure ...
    assert result.success is False  # ... but the suite did not succeed
    assert result.success_percent < 100.0
    # rows cannot be blamed for an expectation that raised: nothing is quarantined for it
    assert outcome.quarantine.is_empty()
    assert outcome.valid["air_attacks"].equals(air)
    assert "ERRORED" in caplog.text and "no_such_column" in caplog.text


def test_validation_crash_marks_every_expectation_errored(monkeypatch):
    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(validate_mod._GxRunner, "validate", crash)
    air = frame([*AIR_OK, AIR_NULL_ID_ROW], AIR_ATTACKS)
    outcome = validate_events({"air_attacks": air}, KNOWN)
    result = outcome.results["air_attacks"]
    assert result.success is False
    assert result.success_percent == 0.0
    assert len(result.errored_expectations) == len(load_suite_json("air_attacks")["expectations"])
    # the null-id guard does not depend on GX
    assert outcome.quarantine["reason"].to_list() == ["missing_event_id"]
    assert outcome.valid["air_attacks"].height == len(AIR_OK)


# --------------------------------------------------------------------------- suite files
@pytest.mark.parametrize("table", sorted(TABLES))
def test_suite_files_are_loadable_and_documented(table):
    from great_expectations.core import ExpectationSuite

    suite_json = load_suite_json(table)
    # GX drops unbuildable expectations with only a log line: all of ours must survive
    assert len(ExpectationSuite(**suite_json).expectations) == len(suite_json["expectations"])
    for exp in suite_json["expectations"]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", exp["meta"]["reason"]), exp
        assert exp["meta"]["why"].strip(), exp
    columns = next(
        e["kwargs"]["column_list"]
        for e in suite_json["expectations"]
        if e["type"] == "expect_table_columns_to_match_ordered_list"
    )
    # the column list comes from schema.py at run time (plus the GX-only derived columns)
    assert columns == {"$PARAMETER": "columns"}
    frame = pl.DataFrame(schema=TABLES[table])
    params = _runtime_parameters(frame, pl.Series([], dtype=pl.String), table=table)
    assert params["columns"] == [*TABLES[table], *DERIVED.get(table, {})]


def test_load_suite_json_lookup_order(tmp_path, monkeypatch):
    assert DEFAULT_SUITES_DIR == Path(__file__).resolve().parents[1] / "expectations"
    (tmp_path / "casualties.json").write_text(
        json.dumps({"name": "env", "expectations": []}), encoding="utf-8"
    )
    monkeypatch.setenv(ENV_SUITES_DIR, str(tmp_path))
    assert load_suite_json("casualties")["name"] == "env"
    assert load_suite_json("casualties", DEFAULT_SUITES_DIR)["name"] == "casualties"  # argument beats env
    with pytest.raises(FileNotFoundError):
        load_suite_json("air_attacks")  # not in the env dir


def test_raised_message_reads_both_exception_info_shapes():
    assert validate_mod._raised_message({"raised_exception": False, "exception_message": None}) is None
    nested = {
        "metric-a": {"raised_exception": False},
        "metric-b": {"raised_exception": True, "exception_message": "x"},
    }
    assert validate_mod._raised_message(nested) == "x"
    assert validate_mod._raised_message(None) is None


def test_ledger_rows_follow_their_air_attack_row():
    """A ledger row whose air_attacks row was quarantined is quarantined with it; low <= best <= high holds."""
    import polars as pl

    from pipelines.extract import extract_events

    arts = pl.DataFrame(
        {
            "article_id": ["ok", "bad"],
            "text": [
                "Russia launched 20 drones overnight; 15 were shot down and three were lost to electronic warfare.",
                "Russia launched 10 drones overnight. Air defences shot down eight drones and six were jammed.",
            ],
        }
    )
    events = extract_events(arts)
    outcome = validate_events(events, known_article_ids=["ok", "bad"])
    q = outcome.quarantine
    assert set(q.filter(pl.col("table_name") == "air_attacks")["reason"]) == {
        "intercepted_plus_suppressed_gt_launched"
    }
    assert set(q.filter(pl.col("table_name") == "attack_outcomes")["reason"]) == {
        "parent_air_attack_quarantined"
    }
    assert set(outcome.valid["attack_outcomes"]["article_id"]) == {"ok"}
    for t in ("air_attacks", "attack_outcomes"):
        assert outcome.valid[t].height + q.filter(pl.col("table_name") == t).height == events[t].height


@pytest.mark.integration  # GX's Data Docs site: four validations and three builds of the site
def test_gx_builds_its_data_docs_from_the_validation(tmp_path):
    """With docs_dir, GX's own Data Docs site is built from the call's validation results: a page for the whole
    suite and one listing the failed expectation's rows; a re-run under the same run name replaces its pages,
    another run name adds its own, and the index lists every kept result."""
    bad = {**AIR_OK[0], "event_id": "air-docs-bad", "launched": 5, "intercepted": 9}
    tables = {"air_attacks": frame([*AIR_OK, bad], AIR_ATTACKS)}
    docs_dir = tmp_path / "data_docs"
    assert validate_events(tables, KNOWN).data_docs is None  # only when asked for

    first = validate_events(tables, KNOWN, docs_dir=docs_dir, run_name="2025-07-01").data_docs
    again = validate_events(tables, KNOWN, docs_dir=docs_dir, run_name="2025-07-01").data_docs
    other = validate_events(tables, KNOWN, docs_dir=docs_dir, run_name="2025-07-02").data_docs
    for docs in (first, again, other):
        assert docs.index == docs_dir / "index.html"
        assert set(docs.pages["air_attacks"]) == {"suite", "failed_rows"}
    assert not first.pages["air_attacks"]["suite"].exists()  # replaced by the re-run
    pages = sorted(p.relative_to(docs_dir).parts[1:3] for p in docs_dir.glob("validations/*/*/*/*.html"))
    assert pages == [
        ("air_attacks", "2025-07-01"),
        ("air_attacks", "2025-07-02"),
        ("air_attacks__failed", "2025-07-01"),
        ("air_attacks__failed", "2025-07-02"),
    ]
    failed = again.pages["air_attacks"]["failed_rows"].read_text()
    assert "Great Expectations" in failed and "intercepted" in failed  # GX's rendering of the failed check
    index = docs.index.read_text()
    for page in [*again.pages["air_attacks"].values(), *other.pages["air_attacks"].values()]:
        assert str(page.relative_to(docs_dir)) in index
