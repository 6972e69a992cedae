"""Tests for pipelines.warehouse: hand-built frames loaded into a DuckDB file under tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.schema import (
    AIR_ATTACKS,
    ARTICLES,
    ATTACK_OUTCOMES,
    CASUALTIES,
    QUARANTINE,
    TERRITORIAL_CONTROL,
    WAREHOUSE_TABLES,
    conform,
)
from pipelines.warehouse import (
    DEFAULT_DB_PATH,
    connect,
    duckdb_type,
    ensure_schema,
    load_batch,
    read_table,
    table_counts,
    weapons_frame,
)

DAY = dt.date(2025, 7, 1)
PER_ARTICLE = ("articles", "air_attacks", "casualties", "territorial_control", "quarantine")
HOSTILE_TITLE = '\'); DROP TABLE articles; --\x00 \U0001f680 "quoted" ; DELETE FROM events'


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows written by hand -> a frame of exactly `schema` (absent keys become nulls)."""
    return conform(pl.DataFrame(rows, schema=schema), schema)


def article(article_id: str, title: str = "title", published_at: dt.date = DAY) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "url": f"https://example.org/{article_id}",
        "title": title,
        "published_at": published_at,
        "source": "example",
        "text": f"text of {article_id}",
        "content_hash": f"hash-{article_id}",
        "origin": "tests",
    }


def air(
    event_id: str, article_id: str, launched: int | None, intercepted: int | None, **kw: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "article_id": article_id,
        "attacker": "RU",
        "weapon_class": "drone",
        "launched": launched,
        "intercepted": intercepted,
        "launched_qualifier": "exact",
        "event_date": DAY,
        "evidence": f"{launched} drones, {intercepted} down",
        "evidence_start": 0,
        "evidence_end": 20,
        **kw,
    }


def batch_a(n_air: int = 2) -> dict[str, Any]:
    """Article A with air attacks, a casualty row, a claim, a validate reject, plus an ingest reject."""
    air_rows = [
        air("air-a-1", "A", 100, 90),
        air("air-a-2", "A", 10, 7, weapon_class="missile"),
        air("air-a-3", "A", 5, None, attacker="UA"),
    ][:n_air]
    return {
        "articles": frame([article("A", title=HOSTILE_TITLE)], ARTICLES),
        "events": {
            "air_attacks": frame(air_rows, AIR_ATTACKS),
            "casualties": frame(
                [
                    {
                        "event_id": "cas-a-1",
                        "article_id": "A",
                        "location": "Dnipro",
                        "admin1": "Dnipropetrovsk",
                        "killed": 3,
                        "injured": 12,
                        "qualifier": "exact",
                        "event_date": DAY,
                    },
                ],
                CASUALTIES,
            ),
            "territorial_control": frame(
                [
                    {
                        "event_id": "ter-a-1",
                        "article_id": "A",
                        "settlement": "Berezove",
                        "admin1": "Dnipropetrovsk",
                        "actor": "RU",
                        "claimed_by": "RU MoD",
                        "event_date": None,
                    },
                ],
                TERRITORIAL_CONTROL,
            ),
        },
        "quarantine": frame(
            [
                {
                    "quarantine_id": "q-a-1",
                    "stage": "validate",
                    "table_name": "air_attacks",
                    "article_id": "A",
                    "row_id": "air-a-9",
                    "reason": "intercepted_gt_launched",
                    "expectation": "expect_x",
                    "row_json": "{}",
                },
                # ingest reject: no article id, so only its quarantine_id identifies it
                {
                    "quarantine_id": "q-ingest-1",
                    "stage": "ingest",
                    "table_name": "articles",
                    "article_id": None,
                    "row_id": "feed.jsonl:3",
                    "reason": "empty_text",
                    "expectation": None,
                    "row_json": "{}",
                },
            ],
            QUARANTINE,
        ),
    }


def batch_b() -> dict[str, Any]:
    """Article B, different from A in every id."""
    return {
        "articles": frame([article("B", published_at=dt.date(2025, 7, 2))], ARTICLES),
        "events": {"air_attacks": frame([air("air-b-1", "B", 400, 380, event_date=None)], AIR_ATTACKS)},
        "quarantine": frame([], QUARANTINE),
    }


def snapshot(db: Path) -> dict[str, pl.DataFrame]:
    """Every warehouse table, sorted by its key, read through a short-lived read-only connection."""
    con = connect(db, read_only=True)
    try:
        return {table: read_table(con, table) for table in WAREHOUSE_TABLES}
    finally:
        con.close()


def assert_same_tables(left: dict[str, pl.DataFrame], right: dict[str, pl.DataFrame]) -> None:
    assert left.keys() == right.keys()
    for table in left:
        assert_frame_equal(left[table], right[table], check_exact=True)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    # a nested, not yet existing directory: load_batch must create it
    return tmp_path / "nested" / "salvo.duckdb"


BATCHES = {"a": batch_a, "b": batch_b}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., tuple[Path, list]]:
    """`loaded("a", "b")`: a warehouse after one load of batch_a() then one of batch_b(), with the summaries of
    those loads, each sequence made once for the module. Tests only read these files; a test that goes on
    loading starts from a copy (`start_from`)."""
    made: dict[tuple[str, ...], tuple[Path, list]] = {}

    def get(*names: str) -> tuple[Path, list]:
        if names not in made:
            path = tmp_path_factory.mktemp("loaded-" + "-".join(names)) / "salvo.duckdb"
            made[names] = (path, [load_batch(path, **BATCHES[name]()) for name in names])
        return made[names]

    return get


@pytest.fixture()
def start_from(db: Path, loaded: Callable[..., tuple[Path, list]]) -> Callable[..., list]:
    """`start_from("a")`: `db` becomes a copy of the warehouse after those loads, as if the test had made them;
    returns their summaries."""

    def copy(*names: str) -> list:
        path, summaries = loaded(*names)
        assert not path.with_name(path.name + ".wal").exists()  # each load closes its file checkpointed
        db.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, db)
        return summaries

    return copy


# --------------------------------------------------------------------------- DDL
def test_duckdb_type_mapping() -> None:
    assert duckdb_type(pl.String) == "VARCHAR"
    assert duckdb_type(pl.Int64) == "BIGINT"
    assert duckdb_type(pl.Int32) == "INTEGER"
    assert duckdb_type(pl.Date) == "DATE"
    assert duckdb_type(pl.Float64) == "DOUBLE"
    assert duckdb_type(pl.Boolean) == "BOOLEAN"
    with pytest.raises(TypeError):
        duckdb_type(pl.List(pl.String))


def test_default_db_path_is_in_repo() -> None:
    assert DEFAULT_DB_PATH == Path(__file__).resolve().parents[1] / "warehouse" / "salvo.duckdb"


def test_ensure_schema_matches_schema_py_and_is_idempotent(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    try:
        ensure_schema(con)
        ensure_schema(con)  # IF NOT EXISTS: a second call is a no-op
        for table, schema in WAREHOUSE_TABLES.items():
            empty = con.sql(f'SELECT * FROM "{table}"').pl()
            assert empty.schema == pl.Schema(schema), table
        constraints = con.sql(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY' ORDER BY table_name"
        ).fetchall()
        assert dict((t, cols) for t, cols in constraints) == {
            "air_attacks": ["event_id"],
            "articles": ["article_id"],
            "casualties": ["event_id"],
            "quarantine": ["quarantine_id"],
            "territorial_control": ["event_id"],
            "attack_outcomes": ["outcome_id"],
            "weapons": ["alias"],
            "event_reports": ["event_id"],
            "attack_events": ["event_key"],
            "attack_event_outcomes": ["outcome_key"],
            "attack_event_history": ["event_key", "valid_from"],
            "casualty_events": ["event_key"],
            "casualty_event_history": ["event_key", "valid_from"],
            "territorial_events": ["event_key"],
        }
        assert table_counts(con) == dict.fromkeys(WAREHOUSE_TABLES, 0)
    finally:
        con.close()


def test_table_counts_tolerates_missing_tables(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    try:
        assert table_counts(con) == dict.fromkeys(WAREHOUSE_TABLES, 0)
    finally:
        con.close()


def test_connect_read_only_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        connect(tmp_path / "missing.duckdb", read_only=True)


# --------------------------------------------------------------------------- load_batch
def test_load_writes_every_table_and_creates_parent(db: Path) -> None:
    summary = load_batch(db, **batch_a())
    assert db.exists()
    loaded = {"articles": 1, "air_attacks": 2, "casualties": 1, "territorial_control": 1, "quarantine": 2}
    assert (summary.articles, summary.air_attacks, summary.casualties) == (1, 2, 1)
    assert (summary.territorial_control, summary.quarantine, summary.attack_outcomes) == (1, 2, 0)
    n_weapons = weapons_frame().height
    derived = {
        "weapons": n_weapons,
        "event_reports": 4,  # two air attack rows, one casualty row, one claim
        "attack_events": 2,
        "attack_event_outcomes": 0,  # no ledger rows in this batch
        "attack_event_history": 2,
        "casualty_events": 1,
        "casualty_event_history": 1,
        "territorial_events": 1,
    }
    assert summary.derived == derived
    assert summary.totals == {**dict.fromkeys(WAREHOUSE_TABLES, 0), **loaded, **derived}
    tables = snapshot(db)
    # what went in comes back, column for column
    expected = batch_a()
    assert_frame_equal(tables["articles"], expected["articles"])
    # ... plus each row's day: its article's (an ingest reject's from its row_json)
    day = expected["articles"]["partition_date"][0]
    assert tables["air_attacks"]["partition_date"].to_list() == [day] * tables["air_attacks"].height
    assert_frame_equal(
        tables["air_attacks"].drop("partition_date"), expected["events"]["air_attacks"].sort("event_id")
    )
    assert_frame_equal(tables["quarantine"].drop("partition_date"), expected["quarantine"].sort("quarantine_id"))


def test_weapons_table_is_weapons_csv(loaded: Callable[..., tuple[Path, list]]) -> None:
    db, _ = loaded("a")
    weapons = snapshot(db)["weapons"]
    assert weapons.height == weapons_frame().height > 50
    by_alias = {r["alias"]: r for r in weapons.iter_rows(named=True)}
    assert (by_alias["geran-2"]["model"], by_alias["geran-2"]["weapon_class"]) == ("Geran-2", "drone")
    assert by_alias["kh-47m2"]["model"] == "Kinzhal"
    assert by_alias["storm shadow"]["attacker"] == "UA"


def test_ledger_rows_are_replaced_with_their_article(db: Path) -> None:
    batch = batch_a(n_air=1)
    ledger = frame(
        [
            {"outcome_id": "air-a-1/*/launched", "event_id": "air-a-1", "article_id": "A", "attacker": "RU",
             "weapon_class": "drone", "model": None, "outcome": "launched", "low": 100, "best": 100, "high": 100},
            {"outcome_id": "air-a-1/shahed-136/launched", "event_id": "air-a-1", "article_id": "A", "attacker": "RU",
             "weapon_class": "drone", "model": "Shahed-136", "outcome": "launched", "low": 80, "best": 80, "high": 80},
        ],
        ATTACK_OUTCOMES,
    )  # fmt: skip
    batch["events"]["attack_outcomes"] = ledger
    assert load_batch(db, **batch).attack_outcomes == 2
    assert snapshot(db)["attack_event_outcomes"]["model"].to_list() == [None, "Shahed-136"]
    batch["events"]["attack_outcomes"] = ledger.head(1)
    load_batch(db, **batch)  # the article's ledger is replaced, not added to
    assert snapshot(db)["attack_outcomes"]["outcome_id"].to_list() == ["air-a-1/*/launched"]


def test_reload_same_batch_is_identical(db: Path, start_from: Callable[..., list]) -> None:
    [first] = start_from("a")
    before = snapshot(db)
    second = load_batch(db, **batch_a())
    after = snapshot(db)
    assert first == second
    assert_same_tables(before, after)


def test_reload_is_identical_by_except_both_ways(
    db: Path, tmp_path: Path, start_from: Callable[..., list]
) -> None:
    start_from("a", "b")
    copy = tmp_path / "first.duckdb"
    copy.write_bytes(db.read_bytes())  # the warehouse after one load of each batch
    load_batch(db, **batch_a())
    load_batch(db, **batch_b())
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"ATTACH '{copy}' AS before (READ_ONLY)")  # a test path, not data
        for table in WAREHOUSE_TABLES:
            only_now = con.sql(
                f'SELECT * FROM "{table}" EXCEPT ALL SELECT * FROM before."{table}"'
            ).fetchall()
            only_before = con.sql(
                f'SELECT * FROM before."{table}" EXCEPT ALL SELECT * FROM "{table}"'
            ).fetchall()
            assert only_now == [] and only_before == [], table
    finally:
        con.close()


def test_second_batch_adds_without_touching_first(db: Path, start_from: Callable[..., list]) -> None:
    start_from("a")
    before = snapshot(db)
    summary = load_batch(db, **batch_b())
    assert (summary.articles, summary.air_attacks, summary.casualties, summary.quarantine) == (1, 1, 0, 0)
    assert {t: summary.totals[t] for t in PER_ARTICLE} == {
        "articles": 2,
        "air_attacks": 3,
        "casualties": 1,
        "territorial_control": 1,
        "quarantine": 2,
    }
    assert summary.totals["attack_events"] == 3  # B's attack (dated by its article's day) is a new event
    after = snapshot(db)
    for table in PER_ARTICLE:
        key = after[table].columns[0]
        kept = after[table].filter(pl.col(key).is_in(before[table][key].implode()))
        assert_frame_equal(kept, before[table])
    assert after["articles"]["article_id"].to_list() == ["A", "B"]


def test_reload_with_fewer_rows_leaves_no_leftovers(db: Path) -> None:
    load_batch(db, **batch_a(n_air=3))
    load_batch(db, **batch_b())
    smaller = batch_a(n_air=1)
    smaller["events"] = {"air_attacks": smaller["events"]["air_attacks"]}  # casualties and claims gone too
    smaller["quarantine"] = frame([], QUARANTINE)
    summary = load_batch(db, **smaller)
    tables = snapshot(db)
    assert tables["air_attacks"]["event_id"].to_list() == ["air-a-1", "air-b-1"]
    assert tables["casualties"].height == 0
    assert tables["territorial_control"].height == 0
    # A's validate reject is gone with A; the ingest reject has no article id and was not in this batch
    assert tables["quarantine"]["quarantine_id"].to_list() == ["q-ingest-1"]
    assert summary.totals["air_attacks"] == 2


def test_ingest_reject_without_article_id_is_replaced_by_quarantine_id(
    db: Path, start_from: Callable[..., list]
) -> None:
    start_from("a")
    changed = batch_a()
    changed["quarantine"] = changed["quarantine"].with_columns(
        pl.when(pl.col("quarantine_id") == "q-ingest-1")
        .then(pl.lit("too_short"))
        .otherwise("reason")
        .alias("reason")
    )
    load_batch(db, **changed)
    quarantine = snapshot(db)["quarantine"]
    assert quarantine.height == 2
    assert quarantine.filter(pl.col("quarantine_id") == "q-ingest-1")["reason"].to_list() == ["too_short"]


def test_events_only_batch_replaces_events_and_keeps_article(
    db: Path, start_from: Callable[..., list]
) -> None:
    start_from("a")
    load_batch(
        db,
        articles=frame([], ARTICLES),
        events={"air_attacks": frame([air("air-a-new", "A", 50, 40)], AIR_ATTACKS)},
        quarantine=frame([], QUARANTINE),
    )
    tables = snapshot(db)
    assert tables["articles"]["article_id"].to_list() == ["A"]
    assert tables["air_attacks"]["event_id"].to_list() == ["air-a-new"]
    assert tables["casualties"].height == 0  # A's casualties belonged to the replaced extraction


def test_failed_load_rolls_back_to_previous_state(db: Path, start_from: Callable[..., list]) -> None:
    start_from("a", "b")
    before = snapshot(db)
    bad = batch_a(n_air=1)
    # replacing A would delete its rows first; the duplicate event_id then violates the primary key
    bad["events"]["air_attacks"] = frame([air("dup", "A", 1, 1), air("dup", "A", 2, 2)], AIR_ATTACKS)
    with pytest.raises(duckdb.ConstraintException):
        load_batch(db, **bad)
    assert_same_tables(snapshot(db), before)
    # the file is usable (not locked, not mid-transaction) after the failure
    assert load_batch(db, **batch_a()).totals == table_counts_of(db)


def table_counts_of(db: Path) -> dict[str, int]:
    con = connect(db, read_only=True)
    try:
        return table_counts(con)
    finally:
        con.close()


def test_hostile_text_is_stored_verbatim(db: Path, start_from: Callable[..., list]) -> None:
    start_from("a")
    load_batch(db, **batch_a())  # the hostile title also flows through the delete path
    tables = snapshot(db)
    assert tables["articles"]["title"].to_list() == [HOSTILE_TITLE]
    assert set(tables) == set(WAREHOUSE_TABLES)  # nothing was dropped
    assert "\x00" in tables["articles"]["title"][0] and "\U0001f680" in tables["articles"]["title"][0]


def test_hostile_article_id_is_data_not_sql(db: Path, start_from: Callable[..., list]) -> None:
    nasty = "x' OR '1'='1"
    start_from("b")
    load_batch(db, articles=frame([article(nasty)], ARTICLES), events={}, quarantine=frame([], QUARANTINE))
    load_batch(db, articles=frame([article(nasty)], ARTICLES), events={}, quarantine=frame([], QUARANTINE))
    assert snapshot(db)["articles"]["article_id"].to_list() == ["B", nasty]
    assert snapshot(db)["air_attacks"].height == 1  # B's row survived the replace of the nasty id


def test_frames_are_conformed_before_loading(db: Path) -> None:
    # extra column, columns out of order, Int32 where Int64 is expected: conform fixes all three
    air_rows = pl.DataFrame(
        {"launched": [5], "article_id": ["A"], "event_id": ["e1"], "extra": ["dropped"]},
        schema={"launched": pl.Int32, "article_id": pl.String, "event_id": pl.String, "extra": pl.String},
    )
    load_batch(db, frame([article("A")], ARTICLES), {"air_attacks": air_rows}, frame([], QUARANTINE))
    stored = snapshot(db)["air_attacks"]
    assert stored["launched"].to_list() == [5]
    assert stored.schema == pl.Schema(WAREHOUSE_TABLES["air_attacks"])  # the event schema + its day


def test_unknown_event_table_is_rejected(db: Path) -> None:
    with pytest.raises(ValueError, match="unknown event tables"):
        load_batch(db, frame([], ARTICLES), {"air_attack": frame([], AIR_ATTACKS)}, frame([], QUARANTINE))


def test_crash_mid_load_rolls_back(
    db: Path, monkeypatch: pytest.MonkeyPatch, start_from: Callable[..., list]
) -> None:
    import pipelines.warehouse.load as warehouse_mod

    start_from("a")
    before = snapshot(db)
    calls = {"n": 0}
    real_insert = warehouse_mod._insert

    def crash_on_second_insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
        # the deletes and the articles insert have run by now; the crash must undo them all
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash")
        return real_insert(con, table, frame)

    monkeypatch.setattr(warehouse_mod, "_insert", crash_on_second_insert)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_batch(db, **batch_a(n_air=1))
    assert_same_tables(snapshot(db), before)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_the_transaction_helper_commits_or_rolls_back(tmp_path: Path, error: type[BaseException]) -> None:
    """warehouse.db.transaction: every write of the block or none, whatever stops it (an interrupt too)."""
    from pipelines.warehouse.db import transaction

    path = tmp_path / "t.duckdb"
    with transaction(path) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(error), transaction(path) as con:
        con.execute("INSERT INTO t VALUES (2)")
        raise error()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.sql("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        con.close()
