"""Consolidation: several articles reporting one event become one row with a chosen figure, the range across
sources, n_sources and disputed; corrections are kept as history; precision codes; determinism."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from warehouse_rows import article_row, frame, tables

from pipelines.schema import (
    AIR_ATTACKS,
    ARTICLES,
    ATTACK_OUTCOMES,
    CASUALTIES,
    DERIVED_TABLES,
    QUARANTINE,
    TERRITORIAL_CONTROL,
)
from pipelines.warehouse import connect, load_batch, publish_batch, recompute

D = dt.date(2025, 7, 1)
NEXT = D + dt.timedelta(days=1)
LATER = D + dt.timedelta(days=2)

# "what did we believe on X" (docs/warehouse.md)
AS_OF = """
SELECT * FROM attack_event_history
WHERE event_key = $key AND valid_from <= $day
QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY valid_from DESC) = 1
"""


def article(article_id: str, published: dt.date | None, source: str | None, **kw: Any) -> dict[str, Any]:
    return article_row(article_id, published, source, fetched=kw.pop("fetched", D), **kw)


def drones(article_id: str, launched: int | None, intercepted: int | None, evidence: str, **kw: Any) -> dict:
    return {
        "event_id": f"{article_id}#air_attack#ru/drone",
        "article_id": article_id,
        "attacker": "RU",
        "weapon_class": "drone",
        "launched": launched,
        "intercepted": intercepted,
        "launched_qualifier": "exact",
        "event_date": D,
        "evidence": evidence,
        "evidence_start": 0,
        "evidence_end": len(evidence),
        **kw,
    }


def batch(arts: list[dict], air: list[dict], **events: pl.DataFrame) -> dict[str, Any]:
    return {
        "articles": frame(arts, ARTICLES),
        "events": {"air_attacks": frame(air, AIR_ATTACKS), **events},
        "quarantine": frame([], QUARANTINE),
    }


def one_night() -> dict[str, Any]:
    """Four articles on the same night's drone attack: two relays, the air force, and a wire copy of a relay."""
    return batch(
        [
            article("kyiv-post", D, "Kyiv Post"),
            article("ukrinform", D, "Ukrinform"),
            article("air-force", D, "Telegram channel"),
            article("wire-copy", D, "Regional Daily", duplicate_of="kyiv-post"),
        ],
        [
            drones("kyiv-post", 500, 450, "Russia launched 500 drones overnight, local media said."),
            drones("ukrinform", 520, 470, "Some 520 drones were launched, 470 downed, outlets reported."),
            drones(
                "air-force", 540, 500, "Ukraine's Air Force said 540 drones were launched and 500 destroyed."
            ),
            drones("wire-copy", 500, 450, "Russia launched 500 drones overnight, local media said."),
        ],
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "salvo.duckdb"


@pytest.fixture(scope="module")
def one_night_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after one load of one_night(), made once for the module: tests read it, or copy it to go on."""
    path = tmp_path_factory.mktemp("one-night") / "salvo.duckdb"
    load_batch(path, **one_night())
    assert not path.with_name(path.name + ".wal").exists()  # the load closed its file checkpointed
    return path


# --------------------------------------------------------------------------- one event, many reports
def test_several_articles_one_attack_event(one_night_db: Path) -> None:
    t = tables(one_night_db)
    events = t["attack_events"]
    assert events.height == 1
    e = events.row(0, named=True)
    assert e["event_key"] == "2025-07-01/RU/drone"
    # the official report wins over the relays; the range spans every counted report
    assert (e["launched"], e["intercepted"]) == (540, 500)
    assert (e["launched_min"], e["launched_max"], e["intercepted_min"], e["intercepted_max"]) == (
        500,
        540,
        450,
        500,
    )
    assert (e["n_reports"], e["n_sources"], e["n_official"], e["disputed"]) == (3, 3, 1, True)
    assert (e["chosen_event_id"], e["chosen_source"], e["chosen_source_kind"]) == (
        "air-force#air_attack#ru/drone",
        "Telegram channel",
        "official",
    )
    assert e["evidence"].startswith("Ukraine's Air Force said")
    # every article keeps its figures and evidence; the wire copy is there but does not count
    reports = t["event_reports"].sort("rank_in_event")
    assert reports.select("article_id", "source_kind", "counted", "rank_in_event").rows() == [
        ("air-force", "official", True, 1),
        ("kyiv-post", "relay", True, 2),  # same day as ukrinform: article_id breaks the tie
        ("ukrinform", "relay", True, 3),
        ("wire-copy", "relay", False, 4),
    ]
    assert t["air_attacks"].height == 4


def test_agreeing_sources_are_not_disputed_and_wire_copies_are_one_source(db: Path) -> None:
    b = batch(
        [article("a", D, "Outlet A"), article("b", D, "Outlet B", duplicate_of="a")],
        [drones("a", 90, 80, "90 drones, 80 down"), drones("b", 95, 80, "95 drones, 80 down")],
    )
    load_batch(db, **b)
    e = tables(db)["attack_events"].row(0, named=True)
    # the copy's different figure does not count: one source, nothing disputed
    assert (e["launched"], e["n_reports"], e["n_sources"], e["disputed"]) == (90, 1, 1, False)


def test_latest_update_wins_between_relays_and_outlets_are_counted_once(db: Path) -> None:
    b = batch(
        [
            article("early", D, "Same Outlet"),
            article("update", NEXT, "Same Outlet"),  # a later update by the same outlet
            article("other", D, None),  # no source name: the URL's host
        ],
        [
            drones("early", 100, None, "At least 100 drones were launched."),
            drones("update", 120, 110, "The count rose to 120 drones; 110 were downed."),
            drones("other", 110, None, "110 drones."),
        ],
    )
    load_batch(db, **b)
    t = tables(db)
    e = t["attack_events"].row(0, named=True)
    assert (e["launched"], e["intercepted"], e["chosen_event_id"]) == (120, 110, "update#air_attack#ru/drone")
    assert (e["n_reports"], e["n_sources"]) == (3, 2)
    assert sorted(t["event_reports"]["source"].to_list()) == [
        "Same Outlet",
        "Same Outlet",
        "other.example.org",
    ]


def test_each_figure_comes_from_the_best_report_that_gives_it(db: Path) -> None:
    b = batch(
        [article("official", D, "Air Force of Ukraine"), article("relay", NEXT, "News")],
        [
            drones("official", None, 70, "Air defences destroyed 70 drones, the air force said."),
            drones("relay", 90, 60, "Russia launched 90 drones; 60 were shot down.", suppressed=12),
        ],
    )
    load_batch(db, **b)
    e = tables(db)["attack_events"].row(0, named=True)
    assert (e["launched"], e["intercepted"], e["suppressed"]) == (90, 70, 12)
    assert e["chosen_event_id"] == "official#air_attack#ru/drone"


# --------------------------------------------------------------------------- corrections and history
def test_a_correction_shows_in_history(db: Path) -> None:
    first = batch([article("first", D, "Relay")], [drones("first", 500, 450, "500 drones, 450 down")])
    correction = batch(
        [article("correction", NEXT, "General Staff")],
        [drones("correction", 580, 552, "The General Staff corrected the count: 580 drones, 552 destroyed.")],
    )
    echo = batch([article("echo", LATER, "Echo")], [drones("echo", 580, 552, "580 drones, 552 destroyed")])
    # three runs, one per reporting day, each replacing its own day, as the daily schedule does
    publish_batch(db, **first, partitions=(D, D))
    publish_batch(db, **correction, partitions=(NEXT, NEXT))
    publish_batch(db, **echo, partitions=(LATER, LATER))
    t = tables(db)
    assert t["attack_events"].select("launched", "intercepted", "n_reports", "disputed").rows() == [
        (580, 552, 3, True)
    ]
    history = t["attack_event_history"]
    assert history.select("valid_from", "valid_to", "launched", "intercepted", "n_reports", "changed").rows() == [
        (D, NEXT, 500, 450, 1, "first report"),
        (NEXT, LATER, 580, 552, 2,
         "launched, launched_max, intercepted, intercepted_max, n_reports, n_sources, disputed, chosen_event_id"),
        (LATER, None, 580, 552, 3, "n_reports, n_sources"),
    ]  # fmt: skip
    con = connect(db, read_only=True)
    try:
        believed = {
            day: con.sql(AS_OF, params={"key": "2025-07-01/RU/drone", "day": day}).pl()
            for day in (D - dt.timedelta(days=1), D, NEXT, LATER + dt.timedelta(days=30))
        }
    finally:
        con.close()
    assert believed[D - dt.timedelta(days=1)].height == 0  # nothing was known yet
    assert believed[D]["launched"].to_list() == [500]
    assert believed[NEXT]["launched"].to_list() == [580]
    assert believed[LATER + dt.timedelta(days=30)]["n_reports"].to_list() == [3]


def test_a_report_that_changes_nothing_adds_no_history_row(db: Path) -> None:
    b = batch(
        [article("a", D, "Air Force"), article("b", NEXT, "Air Force")],  # same outlet, same figures
        [
            drones("a", 40, 30, "the air force said 40 and 30"),
            drones("b", 40, 30, "the air force said 40 and 30"),
        ],
    )
    load_batch(db, **b)
    history = tables(db)["attack_event_history"]
    # n_reports changed on NEXT (the chosen report too: the latest official one); the figures did not
    assert history.select("valid_from", "launched", "n_sources", "changed").rows() == [
        (D, 40, 1, "first report"),
        (NEXT, 40, 1, "n_reports, chosen_event_id"),
    ]


# --------------------------------------------------------------------------- ledger, casualties, territory
def test_outcome_ledger_consolidates_ranges_per_model(db: Path) -> None:
    def ledger(article_id: str, model: str | None, outcome: str, low, best, high, qualifier) -> dict:
        return {
            "outcome_id": f"{article_id}#air_attack#ru/drone/{(model or '*').lower()}/{outcome}",
            "event_id": f"{article_id}#air_attack#ru/drone",
            "article_id": article_id, "attacker": "RU", "weapon_class": "drone", "model": model,
            "outcome": outcome, "low": low, "best": best, "high": high, "qualifier": qualifier,
            "evidence": f"evidence {article_id}",
        }  # fmt: skip

    b = batch(
        [article("relay", NEXT, "News"), article("official", D, "Air Force")],
        [
            drones("relay", 71, None, "more than 70 Shaheds"),
            drones("official", 75, None, "the air force: 75"),
        ],
        attack_outcomes=frame(
            [
                ledger("relay", "Shahed-136", "launched", 71, None, None, "more_than"),  # "more than 70"
                ledger("official", "Shahed-136", "launched", 75, 75, 75, "exact"),
                ledger("official", None, "launched", 75, 75, 75, "exact"),
            ],
            ATTACK_OUTCOMES,
        ),
    )
    load_batch(db, **b)
    outcomes = tables(db)["attack_event_outcomes"]
    shahed = outcomes.filter(pl.col("model") == "Shahed-136").row(0, named=True)
    assert shahed["outcome_key"] == "2025-07-01/RU/drone/shahed-136/launched"
    assert (shahed["low"], shahed["best"], shahed["high"], shahed["qualifier"]) == (75, 75, 75, "exact")
    assert (shahed["value_min"], shahed["value_max"], shahed["n_sources"], shahed["disputed"]) == (
        71,
        75,
        2,
        True,
    )
    total = outcomes.filter(pl.col("model").is_null()).row(0, named=True)
    assert (total["best"], total["n_reports"], total["disputed"]) == (75, 1, False)


def test_casualties_consolidate_by_date_and_place_with_precision(db: Path) -> None:
    def cas(article_id: str, location: str, admin1: str | None, killed, injured, evidence: str) -> dict:
        return {
            "event_id": f"{article_id}#casualties#{location.lower()}", "article_id": article_id,
            "location": location, "admin1": admin1, "killed": killed, "injured": injured,
            "qualifier": "exact", "event_date": None, "evidence": evidence,
        }  # fmt: skip

    b = {
        "articles": frame(
            [
                article("gov", D, None),
                article("news", D, "News"),
                article("undated", None, "News 2", fetched=LATER),
            ],
            ARTICLES,
        ),
        "events": {
            "casualties": frame(
                [
                    cas(
                        "gov",
                        "Kharkiv",
                        "Kharkiv",
                        3,
                        12,
                        "Three people were killed, the regional governor said.",
                    ),
                    cas("news", "Kharkiv", "Kharkiv", 2, 12, "Two people were killed in Kharkiv."),
                    cas("news", "Chuhuiv district", "Kharkiv", 1, None, "One died in Chuhuiv district."),
                    cas("news", "Kharkiv region", "Kharkiv", None, 4, "Four injured in the Kharkiv region."),
                    cas("undated", "Belgorod", "Belgorod", 1, None, "One killed in Belgorod."),
                ],
                CASUALTIES,
            )
        },
        "quarantine": frame([], QUARANTINE),
    }
    load_batch(db, **b)
    events = {r["event_key"]: r for r in tables(db)["casualty_events"].iter_rows(named=True)}
    city = events["2025-07-01/kharkiv/kharkiv"]
    assert (city["killed"], city["killed_min"], city["killed_max"], city["injured"]) == (3, 2, 3, 12)
    assert (city["n_reports"], city["disputed"], city["chosen_source_kind"]) == (2, True, "official")
    assert (city["place_precision"], city["time_precision"], city["country"]) == ("settlement", "day", "UA")
    assert events["2025-07-01/kharkiv/chuhuiv district"]["place_precision"] == "district"
    assert events["2025-07-01/kharkiv/kharkiv region"]["place_precision"] == "oblast"
    # an undated article is dated by the day it was fetched: the precision says so
    belgorod = events["2025-07-03/belgorod/belgorod"]
    assert (belgorod["time_precision"], belgorod["country"]) == ("week", "RU")
    assert tables(db)["casualty_event_history"].height == 4


def test_territorial_control_consolidates_and_opposite_claims_are_disputed(db: Path) -> None:
    def claim(article_id: str, actor: str, claimed_by: str) -> dict:
        return {
            "event_id": f"{article_id}#territorial_control#novoselivka", "article_id": article_id,
            "settlement": "Novoselivka", "admin1": "Donetsk", "actor": actor, "claimed_by": claimed_by,
            "event_date": None, "evidence": f"{claimed_by} claims Novoselivka",
        }  # fmt: skip

    b = {
        "articles": frame(
            [article("mod", D, "TASS"), article("isw", NEXT, "ISW"), article("gs", NEXT, "UA")], ARTICLES
        ),
        "events": {
            "territorial_control": frame(
                [
                    claim("mod", "RU", "RU MoD"),
                    claim("isw", "RU", "ISW"),
                    claim("gs", "UA", "UA General Staff"),
                ],
                TERRITORIAL_CONTROL,
            )
        },
        "quarantine": frame([], QUARANTINE),
    }
    load_batch(db, **b)
    events = {r["event_key"]: r for r in tables(db)["territorial_events"].iter_rows(named=True)}
    ru = events["donetsk/novoselivka/RU"]
    assert (ru["event_date"], ru["last_reported_at"], ru["claimed_by"]) == (D, NEXT, "ISW, RU MoD")
    assert (ru["n_reports"], ru["n_official"], ru["chosen_event_id"]) == (
        2,
        1,
        "mod#territorial_control#novoselivka",
    )
    assert (ru["place_precision"], ru["country"]) == ("settlement", "UA")
    assert ru["disputed"] and events["donetsk/novoselivka/UA"]["disputed"]


# --------------------------------------------------------------------------- determinism
@pytest.mark.thorough  # nine loads: four batches in order, in reverse and a repeat
def test_derived_tables_do_not_depend_on_load_order_or_repeats(tmp_path: Path) -> None:
    night = one_night()
    parts = [
        {
            "articles": night["articles"].filter(pl.col("article_id") == a),
            "events": {"air_attacks": night["events"]["air_attacks"].filter(pl.col("article_id") == a)},
            "quarantine": night["quarantine"],
        }
        for a in ("kyiv-post", "ukrinform", "air-force", "wire-copy")
    ]
    forward, backward = tmp_path / "forward.duckdb", tmp_path / "backward.duckdb"
    for p in parts:
        load_batch(forward, **p)
    for p in reversed(parts):
        load_batch(backward, **p)
    load_batch(backward, **parts[0])  # a repeat
    left, right = tables(forward), tables(backward)
    for table in DERIVED_TABLES:
        assert_frame_equal(left[table], right[table], check_exact=True)


@pytest.mark.parametrize("step", ["consolidate_affected", "consolidate"])
def test_a_failing_consolidation_rolls_back_the_load(
    db: Path, one_night_db: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Loads consolidate the keys they touch (consolidate_affected); recompute consolidates whole."""
    import pipelines.warehouse.consolidate as consolidate_mod

    shutil.copyfile(one_night_db, db)  # the warehouse after one load of one_night()
    before = tables(db)

    def broken(*args: Any) -> dict:
        raise RuntimeError("consolidation failed")

    monkeypatch.setattr(consolidate_mod, step, broken)
    changed = batch([article("late", NEXT, "Late")], [drones("late", 1, 1, "1 and 1")])
    with pytest.raises(RuntimeError, match="consolidation failed"):
        if step == "consolidate":
            load_batch(db, **changed, consolidate=False)
            recompute(db)
        else:
            load_batch(db, **changed)
    after = tables(db)
    if step == "consolidate":
        # the load without consolidation went in; the failed recompute left the derived tables as they were
        after = {t: after[t] for t in DERIVED_TABLES}
        before = {t: before[t] for t in DERIVED_TABLES}
    for table in before:
        assert_frame_equal(after[table], before[table], check_exact=True)


def test_comments_describe_every_table_and_column(db: Path) -> None:
    publish_batch(db, **one_night())
    con = connect(db, read_only=True)
    try:
        tables_without = con.sql(
            "SELECT table_name FROM duckdb_tables() WHERE comment IS NULL AND NOT internal"
        ).fetchall()
        columns_without = con.sql(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE comment IS NULL AND NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchall()
        comment = con.sql(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'attack_events' AND column_name = 'disputed'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert tables_without == [] and columns_without == []
    assert "different figures" in comment
