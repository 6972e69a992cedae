"""Tests for pipelines.reports and sql/*.sql: every view on an empty and on a loaded warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipelines import settings
from pipelines.reports import (
    ENV_SQL_DIR,
    SQL_DIR,
    create_views,
    report_description,
    report_names,
    run_report,
)
from pipelines.schema import (
    AIR_ATTACKS,
    ARTICLES,
    ATTACK_OUTCOMES,
    CASUALTIES,
    QUARANTINE,
    TERRITORIAL_CONTROL,
    conform,
)
from pipelines.settings import SettingsError
from pipelines.warehouse import connect, ensure_schema, load_batch, publish_batch

EXPECTED_REPORTS = [
    "acled_export",
    "attack_reports",
    "casualties_by_oblast",
    "casualties_by_oblast_month",
    "daily_air_attacks",
    "daily_air_attacks_by_model",
    "data_quality",
    "interception_rate_by_class",
    "largest_attacks",
    "quarantine_by_reason",
    "source_disagreements",
    "territorial_control_by_settlement",
    "territorial_control_by_week",
    "weekly_air_attacks",
    "weekly_air_attacks_by_model",
]
# views that describe the warehouse itself and so have rows even when it holds nothing
ALWAYS_ROWS = {"quarantine_by_reason"}
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
        "source": f"outlet {article_id}",
        "text": "...",
        "content_hash": article_id,
        "origin": "tests",
        "partition_date": published_at,
    }


def air(
    event_id: str,
    article_id: str,
    attacker: str,
    weapon_class: str,
    launched: int | None,
    intercepted: int | None,
    event_date: dt.date | None = D1,
    evidence: str | None = None,
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
        "evidence": evidence or f"evidence {event_id}",
        "evidence_start": 0,
        "evidence_end": 10,
    }


def ledger(event_id: str, article_id: str, model: str | None, outcome: str, best: int) -> dict[str, Any]:
    return {
        "outcome_id": f"{event_id}/{model or '*'}/{outcome}",
        "event_id": event_id,
        "article_id": article_id,
        "attacker": "RU",
        "weapon_class": "drone",
        "model": model,
        "outcome": outcome,
        "low": best,
        "best": best,
        "high": best,
        "qualifier": "exact",
    }


def load_sample(db: Path) -> None:
    """Two articles reporting the same D1 drone attack differently (B official), one D2 attack (dated by
    publication), the ledger behind A's and B's drone rows, and casualties, claims and quarantine rows."""
    load_batch(
        db,
        articles=frame([article("A", D1), article("B", D1), article("C", D2)], ARTICLES),
        events={
            "air_attacks": frame(
                [
                    air("a1", "A", "RU", "drone", 100, 90),
                    air(
                        "b1", "B", "RU", "drone", 120, 80, evidence="The air force said 120 drones, 80 down."
                    ),
                    air("a2", "A", "RU", "missile", 10, None),
                    air("c1", "C", "RU", "drone", 50, 45, event_date=None),
                    air("c2", "C", "UA", "drone", None, 30, event_date=None),
                ],
                AIR_ATTACKS,
            ),
            "attack_outcomes": frame(
                [
                    ledger("a1", "A", None, "launched", 100),
                    ledger("a1", "A", "Shahed-136", "launched", 70),
                    ledger("b1", "B", None, "launched", 120),
                    ledger("b1", "B", "Shahed-136", "launched", 90),
                    ledger("b1", "B", "Shahed-136", "intercepted", 60),
                ],
                ATTACK_OUTCOMES,
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
                        "claimed_by": "ISW",
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


def _empty_db(db: Path) -> Path:
    con = connect(db)
    try:
        create_views(con)
    finally:
        con.close()
    return db


@pytest.fixture()
def empty_db(tmp_path: Path) -> Path:
    """A warehouse with the tables and views but no rows."""
    return _empty_db(tmp_path / "empty.duckdb")


@pytest.fixture(scope="module")
def empty_db_read_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, made once for the module's tests that only read it (run_report opens it read-only)."""
    return _empty_db(tmp_path_factory.mktemp("reports-empty") / "empty.duckdb")


@pytest.fixture(scope="module")
def noviews_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's tables without views, made once for the module's tests that only read it."""
    db = tmp_path_factory.mktemp("reports-noviews") / "noviews.duckdb"
    load_sample(db)  # tables, no views
    return db


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Loaded once for the module: the tests only read it."""
    db = tmp_path_factory.mktemp("reports") / "loaded.duckdb"
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


def test_descriptions_become_view_comments(empty_db: Path) -> None:
    con = connect(empty_db, read_only=True)
    try:
        comments = dict(
            con.sql("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
        )
    finally:
        con.close()
    assert comments == {name: report_description(name) for name in EXPECTED_REPORTS}


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


@pytest.mark.parametrize("given_by", ["SALVO_SQL_DIR", "argument", "default"])
def test_a_missing_sql_folder_fails_loudly_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given_by: str
) -> None:
    """No views is never a success: a views folder that is not there stops the publish (the published file
    untouched) and every report lookup with one line naming the folder, however the folder was chosen."""
    missing = tmp_path / "nonexistent"
    sql_dir = None
    if given_by == "SALVO_SQL_DIR":
        monkeypatch.setenv(ENV_SQL_DIR, str(missing))
    elif given_by == "argument":
        sql_dir = missing
    else:  # e.g. an install without the checkout's sql/ folder
        monkeypatch.delenv(ENV_SQL_DIR, raising=False)
        monkeypatch.setattr(settings, "DEFAULT_SQL_DIR", missing)
    db = tmp_path / "w.duckdb"
    with pytest.raises(SettingsError) as err:
        publish_batch(db, pl.DataFrame(schema=ARTICLES), {}, pl.DataFrame(schema=QUARANTINE), sql_dir=sql_dir)
    message = str(err.value)
    assert str(missing) in message and "does not exist" in message and "\n" not in message
    assert not db.exists()
    for lookup in (report_names, lambda d: create_views(duckdb.connect(), d)):
        with pytest.raises(SettingsError, match="does not exist"):
            lookup(sql_dir)


def test_a_sql_folder_without_views_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"holds no \.sql files") as err:
        report_names(tmp_path)
    assert "\n" not in str(err.value)


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
def test_views_work_on_an_empty_warehouse(empty_db_read_only: Path, name: str) -> None:
    df = run_report(empty_db_read_only, name)
    assert isinstance(df, pl.DataFrame)
    assert df.height == (2 if name in ALWAYS_ROWS else 0)
    assert df.width > 0


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_views_return_rows_after_loading(loaded_db: Path, name: str) -> None:
    df = run_report(loaded_db, name)
    assert df.height > 0


@pytest.mark.parametrize("name", EXPECTED_REPORTS)
def test_report_without_views_runs_the_file(noviews_db: Path, name: str) -> None:
    assert run_report(noviews_db, name).height > 0


def test_report_on_a_file_without_tables(tmp_path: Path) -> None:
    db = tmp_path / "bare.duckdb"
    duckdb.connect(str(db)).close()
    assert run_report(db, "largest_attacks").height == 0


def test_report_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_report(tmp_path / "missing.duckdb", "largest_attacks")


# --------------------------------------------------------------------------- view contents
def test_daily_air_attacks_one_row_per_attack_with_chosen_figures(loaded_db: Path) -> None:
    df = run_report(loaded_db, "daily_air_attacks")
    keep = ["day", "attacker", "weapon_class", "launched", "intercepted", "interception_rate",
            "launched_min", "launched_max", "n_sources", "disputed"]  # fmt: skip
    assert rows(df.select(keep)) == [
        # A (relay) says 100/90, B (the air force) 120/80 for the same attack: one row, B's figures
        {"day": D1, "attacker": "RU", "weapon_class": "drone", "launched": 120, "intercepted": 80,
         "interception_rate": 0.667, "launched_min": 100, "launched_max": 120, "n_sources": 2, "disputed": True},
        {"day": D1, "attacker": "RU", "weapon_class": "missile", "launched": 10, "intercepted": None,
         "interception_rate": None, "launched_min": 10, "launched_max": 10, "n_sources": 1, "disputed": False},
        # no event_date: the article's day
        {"day": D2, "attacker": "RU", "weapon_class": "drone", "launched": 50, "intercepted": 45,
         "interception_rate": 0.9, "launched_min": 50, "launched_max": 50, "n_sources": 1, "disputed": False},
        {"day": D2, "attacker": "UA", "weapon_class": "drone", "launched": None, "intercepted": 30,
         "interception_rate": None, "launched_min": None, "launched_max": None, "n_sources": 1, "disputed": False},
    ]  # fmt: skip


def test_weekly_air_attacks(loaded_db: Path) -> None:
    df = run_report(loaded_db, "weekly_air_attacks")
    assert df.schema["launched"] == pl.Int64  # sums cast back from HUGEINT
    assert rows(df)[0] == {
        "week": dt.date(2025, 6, 30),  # the Monday of D1 and D2
        "attacker": "RU",
        "weapon_class": "drone",
        "attack_days": 2,
        "launched": 170,
        "intercepted": 125,
        "suppressed": None,
        "interception_rate": round(125 / 170, 3),
        "disputed_events": 1,
    }


def test_air_attacks_by_model(loaded_db: Path) -> None:
    daily = rows(run_report(loaded_db, "daily_air_attacks_by_model"))
    assert [(r["model"], r["launched"], r["intercepted"], r["n_sources"], r["disputed"]) for r in daily] == [
        ("Shahed-136", 90, 60, 2, True)  # B (official) says 90 Shaheds, A 70
    ]
    weekly = rows(run_report(loaded_db, "weekly_air_attacks_by_model"))
    assert [(r["model"], r["days"], r["launched"], r["interception_rate"]) for r in weekly] == [
        ("Shahed-136", 1, 90, round(60 / 90, 3))
    ]


def test_interception_rate_by_class(loaded_db: Path) -> None:
    df = run_report(loaded_db, "interception_rate_by_class")
    assert df.schema["launched"] == pl.Int64  # sums cast back from HUGEINT
    assert rows(df) == [
        # consolidated: the D1 attack counts once (120/80), not per article
        {"attacker": "RU", "weapon_class": "drone", "attacks": 2, "launched": 170, "intercepted": 125,
         "interception_rate": round(125 / 170, 3)},
        {"attacker": "RU", "weapon_class": "missile", "attacks": 1, "launched": 10, "intercepted": None,
         "interception_rate": None},
        {"attacker": "UA", "weapon_class": "drone", "attacks": 1, "launched": None, "intercepted": 30,
         "interception_rate": None},
    ]  # fmt: skip


def test_casualties_by_oblast_and_month(loaded_db: Path) -> None:
    # A says 2 killed 5 injured in Dnipro, B 3 killed: one event, both relay, so the tie-break (article_id) picks A
    assert rows(run_report(loaded_db, "casualties_by_oblast")) == [
        {"admin1": "Dnipropetrovsk", "events": 1, "killed": 2, "injured": 5, "disputed_events": 1},
        {"admin1": "unknown", "events": 1, "killed": None, "injured": 1, "disputed_events": 0},
    ]
    month = rows(run_report(loaded_db, "casualties_by_oblast_month"))
    assert month[0] == {"month": dt.date(2025, 7, 1), "admin1": "Dnipropetrovsk", "events": 1, "killed": 2,
                        "injured": 5, "killed_max": 3, "places": "Dnipro"}  # fmt: skip


def test_territorial_control_views(loaded_db: Path) -> None:
    assert rows(run_report(loaded_db, "territorial_control_by_settlement")) == [
        {
            "settlement": "Berezove",
            "admin1": "Dnipropetrovsk",
            "actor": "RU",
            "claimed_by": "ISW, RU MoD",
            "first_reported": D1,
            "last_reported": D2,
            "n_reports": 2,
            "n_sources": 2,
            "n_official": 1,  # the RU MoD claim
            "disputed": False,
        },
    ]
    assert rows(run_report(loaded_db, "territorial_control_by_week")) == [
        {"week": dt.date(2025, 6, 30), "admin1": "Dnipropetrovsk", "actor": "RU", "settlements_claimed": 1,
         "disputed": 0, "settlements": "Berezove"}
    ]  # fmt: skip


def test_source_disagreements_side_by_side(loaded_db: Path) -> None:
    df = run_report(loaded_db, "source_disagreements")
    got = [(r["event_type"], r["rank_in_event"], r["source"], r["source_kind"], r["launched"], r["event_launched"],
            r["killed"], r["event_killed"]) for r in rows(df)]  # fmt: skip
    assert got == [
        ("air_attack", 1, "outlet B", "official", 120, 120, None, None),
        ("air_attack", 2, "outlet A", "relay", 100, 120, None, None),
        ("casualties", 1, "outlet A", "relay", None, None, 2, 2),
        ("casualties", 2, "outlet B", "relay", None, None, 3, 2),
    ]


def test_quarantine_by_reason(loaded_db: Path, empty_db: Path) -> None:
    assert rows(run_report(loaded_db, "quarantine_by_reason")) == [
        {"stage": "ingest", "table_name": "articles", "reason": "empty_text", "rows": 2},
        {"stage": "validate", "table_name": "air_attacks", "reason": "intercepted_gt_launched", "rows": 1},
    ]
    # nothing quarantined: one row per stage saying so
    assert rows(run_report(empty_db, "quarantine_by_reason")) == [
        {"stage": "ingest", "table_name": None, "reason": None, "rows": 0},
        {"stage": "validate", "table_name": None, "reason": None, "rows": 0},
    ]


def test_data_quality(loaded_db: Path) -> None:
    assert rows(run_report(loaded_db, "data_quality"))[:2] == [
        {"day": D1, "articles": 2, "extracted": 2, "with_events": 2, "share_with_events": 1.0,
         "quarantined_ingest": 0, "quarantined_validate": 1},
        {"day": D2, "articles": 1, "extracted": 1, "with_events": 1, "share_with_events": 1.0,
         "quarantined_ingest": 0, "quarantined_validate": 0},
    ]  # fmt: skip


def test_largest_attacks(loaded_db: Path) -> None:
    df = run_report(loaded_db, "largest_attacks")
    # one row per attack, launched desc; the UA attack without launched is left out
    assert df["event_key"].to_list() == [
        "2025-07-01/RU/drone",
        "2025-07-02/RU/drone",
        "2025-07-01/RU/missile",
    ]
    top = df.row(0, named=True)
    assert (top["launched"], top["launched_min"], top["n_sources"], top["disputed"]) == (120, 100, 2, True)
    assert (top["title"], top["url"], top["evidence"]) == (
        "Title B",
        "https://example.org/B",
        "The air force said 120 drones, 80 down.",
    )


def test_largest_attacks_caps_at_20(tmp_path: Path) -> None:
    db = tmp_path / "many.duckdb"
    load_batch(
        db,
        articles=frame([article("A", D1)], ARTICLES),
        events={
            "air_attacks": frame(
                [
                    air(f"e{i:02d}", "A", "RU", "drone", i, None, event_date=D1 + dt.timedelta(days=i))
                    for i in range(25)
                ],
                AIR_ATTACKS,
            )
        },
        quarantine=frame([], QUARANTINE),
    )
    df = run_report(db, "largest_attacks")
    assert df.height == 20
    assert df["launched"].to_list() == list(range(24, 4, -1))


def test_attack_reports_keep_every_article(loaded_db: Path) -> None:
    df = run_report(loaded_db, "attack_reports")
    assert df.height == 5  # every air_attacks row, none merged away
    d1 = df.filter(pl.col("event_key") == "2025-07-01/RU/drone")
    assert d1.select("rank_in_event", "article_id", "launched", "evidence").rows() == [
        (1, "B", 120, "The air force said 120 drones, 80 down."),
        (2, "A", 100, "evidence a1"),
    ]


def test_acled_export_layout_and_mapping(loaded_db: Path) -> None:
    df = run_report(loaded_db, "acled_export")
    assert df.columns == ["event_date", "event_type", "sub_event_type", "actor1", "admin1", "location",
                          "fatalities", "notes", "source"]  # fmt: skip
    by_note = {r["notes"].split("; salvo ")[-1]: r for r in rows(df)}
    drone = by_note["2025-07-01/RU/drone"]
    assert (drone["event_type"], drone["sub_event_type"], drone["actor1"], drone["location"]) == (
        "Explosions/Remote violence", "Air/drone strike", "Military Forces of Russia (2000-)", "Ukraine"
    )  # fmt: skip
    assert "launched 120" in drone["notes"] and "disputed: launched 100-120" in drone["notes"]
    assert drone["source"] == "outlet A; outlet B"
    assert by_note["2025-07-01/RU/missile"]["sub_event_type"] == "Shelling/artillery/missile attack"
    assert by_note["2025-07-02/UA/drone"]["actor1"] == "Military Forces of Ukraine (2019-)"
    dnipro = by_note["2025-07-01/dnipropetrovsk/dnipro"]
    assert (dnipro["admin1"], dnipro["location"], dnipro["fatalities"]) == ("Dnipropetrovsk", "Dnipro", 2)
    assert dnipro["actor1"] == "Military Forces of Russia (2000-)"  # a place in Ukraine
    claim = by_note["dnipropetrovsk/berezove/RU"]
    assert (claim["event_type"], claim["sub_event_type"]) == (
        "Battles",
        "Non-state actor overtakes territory",
    )
