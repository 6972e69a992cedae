"""Loads recompute only the derived rows of the event keys they touch; after any sequence of loads every derived
table must equal, row for row, what the full consolidation (`recompute`) gives on the same per-article tables."""

from __future__ import annotations

import datetime as dt
import random
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
    WAREHOUSE_TABLES,
)
from pipelines.warehouse import load_batch, publish_batches, recompute

D = dt.date(2025, 9, 1)


def day(i: int) -> dt.date:
    return D + dt.timedelta(days=i)


def assert_equals_full_recompute(db: Path, scratch: Path) -> dict[str, pl.DataFrame]:
    """Copy the warehouse, recompute the copy's derived tables whole, and compare every derived table."""
    full = scratch / "full.duckdb"
    for leftover in (full, full.with_name(full.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(db, full)
    recompute(full)
    incremental, expected = tables(db, DERIVED_TABLES), tables(full, DERIVED_TABLES)
    for table in DERIVED_TABLES:
        assert_same(table, incremental[table], expected[table])
    return incremental


def assert_same(table: str, left: pl.DataFrame, right: pl.DataFrame) -> None:
    try:
        assert_frame_equal(left, right, check_exact=True)
    except AssertionError as exc:
        raise AssertionError(f"{table}: {exc}") from None


# --------------------------------------------------------------------------- builders
def art(article_id: str, published: dt.date, source: str | None, **kw: Any) -> dict[str, Any]:
    return article_row(article_id, published, source, **kw)


def air(article_id: str, launched: int | None, intercepted: int | None, **kw: Any) -> dict[str, Any]:
    attacker, weapon_class = kw.pop("attacker", "RU"), kw.pop("weapon_class", "drone")
    return {
        "event_id": f"{article_id}#air_attack#{attacker.lower()}/{weapon_class}",
        "article_id": article_id,
        "attacker": attacker,
        "weapon_class": weapon_class,
        "launched": launched,
        "intercepted": intercepted,
        "launched_qualifier": "exact",
        "event_date": None,  # the article's day
        "evidence": f"{launched} launched, {intercepted} down",
        **kw,
    }


def ledger(event: dict[str, Any], model: str | None, outcome: str, value: int, evidence: str = "") -> dict:
    return {
        "outcome_id": f"{event['event_id']}/{(model or '*').lower()}/{outcome}",
        "event_id": event["event_id"],
        "article_id": event["article_id"],
        "attacker": event["attacker"],
        "weapon_class": event["weapon_class"],
        "model": model,
        "outcome": outcome,
        "low": value,
        "best": value,
        "high": value,
        "qualifier": "exact",
        "evidence": evidence or f"{value} {model or 'total'} {outcome}",
    }


def cas(
    article_id: str, location: str, admin1: str, killed: int | None, injured: int | None, **kw: Any
) -> dict:
    return {
        "event_id": f"{article_id}#casualties#{location.lower()}",
        "article_id": article_id,
        "location": location,
        "admin1": admin1,
        "killed": killed,
        "injured": injured,
        "qualifier": "exact",
        "event_date": None,
        "evidence": f"{killed} killed and {injured} injured in {location}",
        **kw,
    }


def claim(article_id: str, settlement: str, actor: str | None, claimed_by: str, **kw: Any) -> dict:
    return {
        "event_id": f"{article_id}#territorial_control#{settlement.lower()}",
        "article_id": article_id,
        "settlement": settlement,
        "admin1": kw.pop("admin1", "Donetsk"),
        "actor": actor,
        "claimed_by": claimed_by,
        "event_date": None,
        "evidence": f"{claimed_by} says {actor} holds {settlement}",
        **kw,
    }


def batch(
    articles: list[dict],
    air_rows: list[dict] = (),  # type: ignore[assignment]
    ledger_rows: list[dict] = (),  # type: ignore[assignment]
    cas_rows: list[dict] = (),  # type: ignore[assignment]
    claims: list[dict] = (),  # type: ignore[assignment]
    partitions: tuple[dt.date, dt.date] | None = None,
) -> dict[str, Any]:
    return {
        "articles": frame(articles, ARTICLES),
        "events": {
            "air_attacks": frame(list(air_rows), AIR_ATTACKS),
            "attack_outcomes": frame(list(ledger_rows), ATTACK_OUTCOMES),
            "casualties": frame(list(cas_rows), CASUALTIES),
            "territorial_control": frame(list(claims), TERRITORIAL_CONTROL),
        },
        "quarantine": frame([], QUARANTINE),
        "partitions": partitions,
    }


# --------------------------------------------------------------------------- a scripted sequence
def scripted_sequence() -> list[tuple[str, dict[str, Any]]]:
    official = air("af-0", 500, 450, evidence="The Air Force said 500 drones were launched, 450 destroyed.")
    relay = air("relay-0", 480, 430)
    late = air("late-2", 520, 470, event_date=day(0))  # a report two days later about day 0's attack
    return [
        (
            "days 0-1: one attack reported by the air force, a relay and a wire copy; claims and casualties",
            batch(
                [
                    art("af-0", day(0), "Telegram"),
                    art("relay-0", day(0), "Kyiv Post"),
                    art("copy-0", day(0), "Regional Daily", duplicate_of="relay-0"),
                    art("next-1", day(1), "Ukrinform"),
                ],
                [official, relay, air("copy-0", 480, 430), air("next-1", 300, 280, weapon_class="missile")],
                [ledger(official, "Shahed-136", "launched", 400), ledger(relay, None, "launched", 480)],
                [
                    cas("af-0", "Kharkiv", "Kharkiv", 3, 10),
                    cas("relay-0", "KHARKIV", "Kharkiv", 2, 12),  # same place, other spelling: one event
                    cas("next-1", "Odesa", "Odesa", 1, None),
                ],
                [
                    claim("af-0", "Novoselivka", "RU", "RU MoD"),
                    claim("next-1", "Novoselivka", "UA", "UA General Staff"),  # the place is disputed
                    claim("relay-0", "Pokrovsk", "RU", "ISW"),
                ],
                partitions=(day(0), day(1)),
            ),
        ),
        (
            "days 1-2, overlapping day 1: day 1 re-loaded with other rows; a late report of day 0's attack",
            batch(
                [art("next-1", day(1), "Ukrinform"), art("late-2", day(2), "General Staff")],
                [air("next-1", 310, 290, weapon_class="missile"), late],
                [ledger(late, None, "launched", 520), ledger(late, "Shahed-136", "launched", 410)],
                [cas("late-2", "Kharkiv", "Kharkiv", 4, 12, event_date=day(0))],
                [claim("late-2", "Pokrovsk", "UA", "officials")],
            )
            | {"partitions": (day(1), day(2))},
        ),
        (
            "day 0 re-loaded: the relay is gone, the copy is no longer a copy, the air force changed its figures",
            batch(
                [art("af-0", day(0), "Telegram"), art("copy-0", day(0), "Regional Daily")],
                [air("af-0", 505, 455, evidence="The Air Force: 505 launched."), air("copy-0", 480, 430)],
                [],
                [cas("af-0", "Kharkiv", "Kharkiv", 3, 11)],
                [claim("af-0", "Novoselivka", "RU", "RU MoD")],
                partitions=(day(0), day(0)),
            ),
        ),
        (
            "an article moves between events: its attack re-dated, its claim moved to another place",
            batch(
                [art("late-2", day(2), "General Staff")],
                [air("late-2", 520, 470, event_date=day(1))],
                [],
                [],
                [claim("late-2", "Kurakhove", "UA", "officials")],  # Pokrovsk is no longer disputed
                partitions=(day(2), day(2)),
            ),
        ),
        (
            "events only, no article row: the ledger of day 0's attack names the air force (now official)",
            batch(
                [],
                [air("copy-0", 480, 430)],
                [ledger(air("copy-0", 480, 430), None, "launched", 480, "the air force said 480")],
            ),
        ),
        (
            "day 1 replaced by an empty day: every report of it goes",
            batch([], partitions=(day(1), day(1))),
        ),
        (
            "a near-duplicate arrives after its original; the original's day is reloaded unchanged",
            batch(
                [art("wire-3", day(3), "Wire", duplicate_of="af-0"), art("own-3", day(3), None)],
                [air("wire-3", 505, 455, event_date=day(0)), air("own-3", 10, 9, attacker="UA")],
                [],
                [cas("wire-3", "Kharkiv", "Kharkiv", 30, 110, event_date=day(0))],
                [claim("wire-3", "Novoselivka", "UA", "ISW"), claim("own-3", "Kurakhove", "RU", "RU MoD")],
                partitions=(day(3), day(3)),
            ),
        ),
    ]


# thorough: a full recompute after every load of a sequence; `make test-fast` keeps the two cheaper checks at the end
@pytest.mark.thorough
def test_every_load_leaves_what_the_full_recompute_gives(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    for what, b in scripted_sequence():
        load_batch(db, **b)
        derived = assert_equals_full_recompute(db, tmp_path)
        assert derived["event_reports"].height > 0, what
    # the sequence did reach the cases it names
    events = derived["attack_events"]
    assert events.filter(pl.col("event_key") == "2025-09-01/RU/drone")["n_reports"].to_list() == [2]
    assert events.filter(pl.col("event_key") == "2025-09-02/RU/drone")["n_reports"].to_list() == [1]
    territory = {r["event_key"]: r["disputed"] for r in derived["territorial_events"].iter_rows(named=True)}
    # Pokrovsk's claims went with the relay and the moved claim; Novoselivka's UA claim went with day 1 (the
    # wire copy's does not count), so Novoselivka is no longer disputed; Kurakhove is
    assert territory == {
        "donetsk/kurakhove/RU": True,
        "donetsk/kurakhove/UA": True,
        "donetsk/novoselivka/RU": False,
    }
    assert not tables(db, ["articles"])["articles"]["partition_date"].is_in([day(1)]).any()


@pytest.mark.thorough
def test_a_run_of_several_batches_publishes_what_batch_by_batch_loads_give(tmp_path: Path) -> None:
    one_by_one, together = tmp_path / "one.duckdb", tmp_path / "together.duckdb"
    sequence = [b for _, b in scripted_sequence()]
    for b in sequence:
        load_batch(one_by_one, **b)
    summaries = publish_batches(together, sequence)
    assert len(summaries) == len(sequence)
    left, right = tables(one_by_one), tables(together)
    for table in WAREHOUSE_TABLES:
        assert_same(table, left[table], right[table])


# --------------------------------------------------------------------------- random sequences
OUTLETS = ["Air Force", "Kyiv Post", "Ukrinform", None, "General Staff", "Telegram"]
PLACES = [("Kharkiv", "Kharkiv"), ("KHARKIV", "Kharkiv"), ("Chuhuiv district", "Kharkiv"), ("Odesa", "Odesa")]
SETTLEMENTS = ["Novoselivka", "novoselivka", "Pokrovsk", "Kurakhove", "Novo/ru"]


def random_batch(rng: random.Random, first: int, last: int, with_partitions: bool) -> dict[str, Any]:
    """Articles of days first..last (ids from a small pool, so articles come back, move days and events),
    with random attacks, ledger rows, casualties and claims."""
    arts, airs, ledgers, cass, claims = [], [], [], [], []
    ids = rng.sample(range(12), rng.randint(0, 6))
    for i in ids:
        aid = f"a{i}"
        published = day(rng.randint(first, last))
        duplicate = f"a{rng.randrange(12)}" if rng.random() < 0.2 else None
        arts.append(art(aid, published, rng.choice(OUTLETS), duplicate_of=duplicate))
        for attacker, weapon_class in rng.sample([("RU", "drone"), ("RU", "missile"), ("UA", "drone")], 2):
            if rng.random() < 0.6:
                event_date = rng.choice([None, published, published - dt.timedelta(days=1)])
                launched = rng.choice([None, 50, 60, 70])
                row = air(
                    aid,
                    launched,
                    rng.choice([None, 40, 45]),
                    attacker=attacker,
                    weapon_class=weapon_class,
                    event_date=event_date,
                    suppressed=rng.choice([None, 5]),
                )
                airs.append(row)
                for model in rng.sample([None, "Shahed-136", "Kh-101"], rng.randint(0, 2)):
                    evidence = rng.choice(["", "the air force said so"])
                    ledgers.append(ledger(row, model, "launched", rng.choice([30, 40]), evidence))
        # event ids numbered: two spellings of one place are two rows of the article
        for n, (location, admin1) in enumerate(rng.sample(PLACES, rng.randint(0, 2))):
            killed, injured = rng.choice([None, 1, 2]), rng.choice([None, 3])
            cass.append(cas(aid, location, admin1, killed, injured, event_id=f"{aid}#casualties#{n}"))
        for n, settlement in enumerate(rng.sample(SETTLEMENTS, rng.randint(0, 2))):
            actor, by = rng.choice(["RU", "UA", "UA", None]), rng.choice(["RU MoD", "ISW", "officials"])
            claims.append(claim(aid, settlement, actor, by, event_id=f"{aid}#territorial_control#{n}"))
    b = batch(arts, airs, ledgers, cass, claims)
    if with_partitions:
        b["partitions"] = (day(first), day(last))
    elif rng.random() < 0.3:
        b["articles"] = b["articles"].head(0)  # events only: the articles' rows stay as they are
    return b


# one sequence by default; the other two with -m slow
@pytest.mark.thorough
@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)])
def test_random_sequences_of_loads_equal_the_full_recompute(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    db = tmp_path / "salvo.duckdb"
    for _ in range(8):
        first = rng.randint(0, 4)
        last = first + rng.randint(0, 2)
        load_batch(db, **random_batch(rng, first, last, with_partitions=rng.random() < 0.7))
        assert_equals_full_recompute(db, tmp_path)


def test_a_warehouse_with_stale_derived_tables_is_recomputed_whole(tmp_path: Path) -> None:
    """A load without consolidation leaves the derived tables behind; the next load cannot trust them as an
    index and recomputes them whole."""
    db = tmp_path / "salvo.duckdb"
    sequence = [b for _, b in scripted_sequence()]
    load_batch(db, **sequence[0], consolidate=False)
    assert tables(db, ["event_reports"])["event_reports"].height == 0
    load_batch(db, **sequence[1])
    assert_equals_full_recompute(db, tmp_path)


def test_keys_of_one_form_at_two_places_are_consolidated_as_the_full_recompute_does(tmp_path: Path) -> None:
    """A claim's key is place + "/" + actor; with "/" inside names, a key of a place's form can belong to a claim
    at another place. The incremental load then widens its places until it has read every claim that decides
    them."""
    db = tmp_path / "salvo.duckdb"
    first = batch(
        [art("x", day(0), "X"), art("y", day(0), "Y"), art("z", day(0), "Z")],
        claims=[
            claim("x", "Novo", "x/UA", "ISW"),  # place donetsk/novo, key donetsk/novo/x/UA
            claim("y", "Novo/x", "UA", "ISW"),  # place donetsk/novo/x, the same key
            claim("z", "Novo", "RU", "RU MoD"),  # donetsk/novo, disputed by x's actor
        ],
        partitions=(day(0), day(0)),
    )
    load_batch(db, **first)
    assert_equals_full_recompute(db, tmp_path)
    later = batch(
        [art("w", day(1), "W")],
        claims=[claim("w", "Novo/x", "RU", "officials")],  # touches donetsk/novo/x only
        partitions=(day(1), day(1)),
    )
    load_batch(db, **later)
    assert_equals_full_recompute(db, tmp_path)
    load_batch(db, **batch([], partitions=(day(0), day(0))))  # day 0 goes
    assert_equals_full_recompute(db, tmp_path)
