"""Tests for pipelines.reports and sql/*.sql: every view on an empty and on a loaded warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipelines.reports import (
    ENV_SQL_DIR,
    SQL_DIR,
    create_views,
    report_description,
    report_names,
    run_report,
)
from pipelines.schema import AIR_ATTACKS, ARTICLES, CASUALTIES, QUARANTINE, TERRITORIAL_CONTROL, conform
from pipelines.warehouse import connect, ensure_schema, load_batch

EXPECTED_REPORTS = [
    "casualties_by_oblast",
    "daily_air_attacks",
    "interception_rate_by_class",
    "largest_attacks",
    "quarantine_by_reason",
    "territorial_claims",
]
D1 = dt.date(2025, 7, 1)
D2 = dt.date(2025, 7, 2)


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=schema), schema)


def article(article_id: str, published_at: dt.date) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "url": f"https://example.org/{article_id}",
        "title": f"Title {article_id}",
        "published_at": published_at,
        "source": "example",
        "text": "...",
        "content_hash": article_id,
        "origin": "tests",
    }


def air(
    event_id: str,
    article_id: str,
    attacker: str,
    weapon_class: str,
    launched: int | None,
    intercepted: int | None,
    event_date: dt.date | None = D1,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "article_id": article_id,
        "attacker": attacker,
        "weapon_class": weapon_class,
        "launched": launched,
        "intercepted": intercepted,
        "launched_qualifier": "exact",
        "event_date": event_date,
        "evidence": f"evidence {event_id}",
        "evidence_start": 0,
        "evidence_end": 10,
    }


def load_sample(db: Path) -> None:
    """Two articles reporting the same D1 drone attack differently, one D2 attack (dated by publication), and
    casualties, claims and quarantine rows."""
    load_batch(
        db,
        articles=frame([article("A", D1), article("B", D1), article("C", D2)], ARTICLES),
        events={
            "air_attacks": frame(
                [
                    air("a1", "A", "RU", "drone", 100, 90),
                    air("b1", "B", "RU", "drone", 120, 80),
                    air("a2", "A", "RU", "missile", 10, None),
                    air("c1", "C", "RU", "drone", 50, 45, event_date=None),
                    air("c2", "C", "UA", "drone", None, 30, event_date=None),
                ],
                AIR_ATTACKS,
            ),
            "casualties": frame(
                [
                    {
                        "event_id": "k1",
                        "article_id": "A",
                        "location": "Dnipro",
                        "admin1": "Dnipropetrovsk",
                        "killed": 2,
                        "injured": 5,
                    },
                    {
                        "event_id": "k2",
                        "article_id": "B",
                        "location": "Dnipro",
                        "admin1": "Dnipropetrovsk",
                        "killed": 3,
                        "injured": None,
                    },
                    {
                        "event_id": "k3",
                        "article_id": "C",
                        "location": "somewhere",
                        "admin1": None,
                        "killed": None,
                        "injured": 1,
                    },
                ],
                CASUALTIES,
            ),
            "territorial_control": frame(
                [
                    {
                        "event_id": "t1",
                        "article_id": "A",
                        "settlement": "Berezove",
                        "admin1": "Dnipropetrovsk",
                        "actor": "RU",
                        "claimed_by": "RU MoD",
                    },
                    {
                        "event_id": "t2",
                        "article_id": "C",
                        "settlement": "Berezove",
                        "admin1": "Dnipropetrovsk",
                        "actor": "RU",
                        "claimed_by": "RU MoD",
                    },
                ],
                TERRITORIAL_CONTROL,
            ),
        },
        quarantine=frame(
            [
                {"quarantine_id": "q1", "stage": "ingest", "table_name": "articles", "reason": "empty_text"},
                {"quarantine_id": "q2", "stage": "ingest", "table_name": "articles", "reason": "empty_text"},
                {
                    "quarantine_id": "q3",
                    "stage": "validate",
                    "table_name": "air_attacks",
                    "article_id": "A",
                    "reason": "intercepted_gt_launched",
                },
            ],
            QUARANTINE,
        ),
    )


@pytest.fixture()
def empty_db(tmp_path: Path) -> Path:
    """A warehouse with the tables and views but no rows."""
    db = tmp_path / "empty.duckdb"
    con = connect(db)
    try:
        create_views(con)
    finally:
        con.close()
    return db


@pytest.fixture()
def loaded_db(tmp_path: Path) -> Path:
    db = tmp_path / "loaded.duckdb"
    load_sample(db)
    con = connect(db)
    try:
        create_views(con)
    finally:
        con.close()
    return db


def rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.to_dicts()


# --------------------------------------------------------------------------- files
def test_report_names_lists_the_sql_files() -> None:
    assert report_names() == EXPECTED_REPORTS
    assert SQL_DIR == Path(__file__).resolve().parents[1] / "sql"


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_every_file_has_a_description_and_one_select(name: str) -> None:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("-- ")
    assert report_description(name) == first[3:].strip()
    assert report_description(name)  # not empty
    # one statement, and a query (a view body), not DDL or DML
    statements = duckdb.extract_statements(text)
    assert len(statements) == 1
    assert statements[0].type == duckdb.StatementType.SELECT


def test_daily_description_documents_max_choice() -> None:
    assert "MAX" in report_description("daily_air_attacks")


def test_unknown_names_are_rejected(loaded_db: Path) -> None:
    for bad in ["nope", "articles", "daily_air_attacks; DROP TABLE articles", "../sql/daily_air_attacks"]:
        with pytest.raises(ValueError, match="unknown report"):
            run_report(loaded_db, bad)
        with pytest.raises(ValueError, match="unknown report"):
            report_description(bad)


def test_sql_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "only_one.sql").write_text("-- Just one.\nSELECT 1 AS one\n", encoding="utf-8")
    monkeypatch.setenv(ENV_SQL_DIR, str(tmp_path))
    assert report_names() == ["only_one"]
    assert report_description("only_one") == "Just one."
    db = tmp_path / "w.duckdb"
    con = connect(db)
    try:
        assert create_views(con) == ["only_one"]
    finally:
        con.close()
    assert run_report(db, "only_one").to_dicts() == [{"one": 1}]


def test_bad_file_names_fail_loudly(tmp_path: Path) -> None:
    (tmp_path / "Bad-Name.sql").write_text("-- x\nSELECT 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="identifiers"):
        report_names(tmp_path)


# --------------------------------------------------------------------------- views
def test_create_views_creates_every_view(empty_db: Path) -> None:
    con = connect(empty_db, read_only=True)
    try:
        views = {r[0] for r in con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    finally:
        con.close()
    assert views == set(EXPECTED_REPORTS)


def test_create_views_is_repeatable(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        ensure_schema(con)
        assert create_views(con) == EXPECTED_REPORTS
        assert create_views(con) == EXPECTED_REPORTS  # CREATE OR REPLACE
    finally:
        con.close()


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_views_work_on_an_empty_warehouse(empty_db: Path, name: str) -> None:
    df = run_report(empty_db, name)
    assert isinstance(df, pl.DataFrame)
    assert df.height == 0
    assert df.width > 0


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_views_return_rows_after_loading(loaded_db: Path, name: str) -> None:
    df = run_report(loaded_db, name)
    assert df.height > 0


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_report_without_views_runs_the_file(tmp_path: Path, name: str) -> None:
    db = tmp_path / "noviews.duckdb"
    load_sample(db)  # tables, no views
    assert run_report(db, name).height > 0


def test_report_on_a_file_without_tables(tmp_path: Path) -> None:
    db = tmp_path / "bare.duckdb"
    duckdb.connect(str(db)).close()
    assert run_report(db, "largest_attacks").height == 0


def test_report_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_report(tmp_path / "missing.duckdb", "largest_attacks")


# --------------------------------------------------------------------------- view contents
def test_daily_air_attacks_takes_max_across_articles(loaded_db: Path) -> None:
    df = run_report(loaded_db, "daily_air_attacks")
    assert rows(df) == [
        # A says 100/90, B says 120/80 for the same attack: MAX of each, not 220/170
        {
            "day": D1,
            "attacker": "RU",
            "weapon_class": "drone",
            "reports": 2,
            "launched": 120,
            "intercepted": 90,
            "interception_rate": 0.75,
        },
        {
            "day": D1,
            "attacker": "RU",
            "weapon_class": "missile",
            "reports": 1,
            "launched": 10,
            "intercepted": None,
            "interception_rate": None,
        },
        # no event_date: the article's published_at
        {
            "day": D2,
            "attacker": "RU",
            "weapon_class": "drone",
            "reports": 1,
            "launched": 50,
            "intercepted": 45,
            "interception_rate": 0.9,
        },
        {
            "day": D2,
            "attacker": "UA",
            "weapon_class": "drone",
            "reports": 1,
            "launched": None,
            "intercepted": 30,
            "interception_rate": None,
        },
    ]


def test_interception_rate_by_class(loaded_db: Path) -> None:
    df = run_report(loaded_db, "interception_rate_by_class")
    assert df.schema["launched"] == pl.Int64  # sums cast back from HUGEINT
    assert rows(df) == [
        {
            "attacker": "RU",
            "weapon_class": "drone",
            "attacks": 3,
            "launched": 270,
            "intercepted": 215,
            "interception_rate": round(215 / 270, 3),
        },
        {
            "attacker": "RU",
            "weapon_class": "missile",
            "attacks": 1,
            "launched": 10,
            "intercepted": None,
            "interception_rate": None,
        },
        {
            "attacker": "UA",
            "weapon_class": "drone",
            "attacks": 1,
            "launched": None,
            "intercepted": 30,
            "interception_rate": None,
        },
    ]


def test_casualties_by_oblast(loaded_db: Path) -> None:
    assert rows(run_report(loaded_db, "casualties_by_oblast")) == [
        {"admin1": "Dnipropetrovsk", "reports": 2, "killed": 5, "injured": 5},
        {"admin1": "unknown", "reports": 1, "killed": None, "injured": 1},
    ]


def test_territorial_claims(loaded_db: Path) -> None:
    assert rows(run_report(loaded_db, "territorial_claims")) == [
        {
            "settlement": "Berezove",
            "admin1": "Dnipropetrovsk",
            "actor": "RU",
            "claimed_by": "RU MoD",
            "first_reported": D1,
            "articles": 2,
        },
    ]


def test_quarantine_by_reason(loaded_db: Path) -> None:
    assert rows(run_report(loaded_db, "quarantine_by_reason")) == [
        {"stage": "ingest", "table_name": "articles", "reason": "empty_text", "rows": 2},
        {"stage": "validate", "table_name": "air_attacks", "reason": "intercepted_gt_launched", "rows": 1},
    ]


def test_largest_attacks(loaded_db: Path) -> None:
    df = run_report(loaded_db, "largest_attacks")
    assert df["event_id"].to_list() == ["b1", "a1", "c1", "a2"]  # launched desc; unknown launched left out
    top = df.row(0, named=True)
    assert (top["title"], top["url"], top["evidence"]) == ("Title B", "https://example.org/B", "evidence b1")


def test_largest_attacks_caps_at_20(tmp_path: Path) -> None:
    db = tmp_path / "many.duckdb"
    load_batch(
        db,
        articles=frame([article("A", D1)], ARTICLES),
        events={
            "air_attacks": frame(
                [air(f"e{i:02d}", "A", "RU", "drone", i, None) for i in range(25)], AIR_ATTACKS
            )
        },
        quarantine=frame([], QUARANTINE),
    )
    df = run_report(db, "largest_attacks")
    assert df.height == 20
    assert df["launched"].to_list() == list(range(24, 4, -1))
