"""Two runs of one backfill at once, as Dagster's run queue executes a backfill's runs side by side
(BackfillPolicy.multi_run + `max_concurrent_runs`): each run is a real in-process materialization in its own
process, their publishes queue on the writer lock, and the warehouse ends exactly as after the same runs one
after the other.

The two runs share nothing but the warehouse file and its writer lock (each has its own instance and frames), so
the default suite checks that part on its own: two processes publishing the batches of two days at once, both
days reporting the same night (one attack event consolidated across them), end with every table as the same
publishes one after the other. The whole runs (two cold processes, ~40 s) run with -m slow."""

from __future__ import annotations

import multiprocessing
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from warehouse_rows import night_reports, publish_when_told, seed_resources, tables

from pipelines.cli import materialize_days, plan_days
from pipelines.defs.partitions import contiguous_ranges
from pipelines.schema import WAREHOUSE_TABLES
from pipelines.warehouse import publish_batch


def _run(db: str, first: date, last: date) -> bool:
    return materialize_days(first, last, seed_resources(db)).success


def _ranges() -> list[tuple[date, date]]:
    """The seeds' longest stretch of days cut in two at a day boundary: two runs of one backfill."""
    ranges = contiguous_ranges(plan_days(seed_resources(":unused:")))
    first, last = max(ranges, key=lambda r: (r[1] - r[0]).days)
    assert last > first, "the seeds span several days"
    middle = first + timedelta(days=(last - first).days // 2)
    return [(first, middle), (middle + timedelta(days=1), last)]


def test_two_processes_publishing_at_once_equal_the_same_publishes_in_sequence(tmp_path: Path) -> None:
    base, night = date(2025, 8, 1), date(2025, 8, 2)
    days = [night, night + timedelta(days=1)]  # the night's own day, and the next day's reports of it
    sequential, parallel = tmp_path / "sequential" / "salvo.duckdb", tmp_path / "parallel" / "salvo.duckdb"
    for db in (sequential, parallel):
        publish_batch(db, **night_reports(base, base))
    for day in days:
        publish_batch(sequential, **night_reports(day, night))

    go, ready = tmp_path / "go", [tmp_path / f"ready-{d}" for d in days]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = [
            pool.apply_async(publish_when_told, (str(parallel), d, night, str(r), str(go)))
            for d, r in zip(days, ready, strict=True)
        ]
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()  # both processes are imported, their batches built: they publish at once
        for r in started:
            r.get(timeout=120)

    want, got = tables(sequential), tables(parallel)
    events = want["attack_events"]
    assert events.height == 2 and events["n_reports"].to_list() == [3, 6]  # the night's event has both days
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table


@pytest.mark.slow  # two cold `materialize` processes; the publishing part above is in the default suite
def test_runs_of_a_backfill_in_parallel_equal_the_same_runs_in_sequence(tmp_path: Path) -> None:
    ranges = _ranges()
    sequential = tmp_path / "sequential" / "salvo.duckdb"
    assert all(_run(str(sequential), a, b) for a, b in ranges)

    parallel = tmp_path / "parallel" / "salvo.duckdb"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_run, [(str(parallel), a, b) for a, b in ranges])
    assert all(results)

    want, got = tables(sequential), tables(parallel)
    assert want["articles"].height > 0 and want["air_attacks"].height > 0
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table
