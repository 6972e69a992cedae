"""Two runs of one backfill at once, as Dagster's run queue executes a backfill's runs side by side
(BackfillPolicy.multi_run + `max_concurrent_runs`): each run is a real in-process materialization in its own
process, their publishes queue on the writer lock, and the warehouse ends exactly as after the same runs one
after the other."""

from __future__ import annotations

import multiprocessing
from datetime import date, timedelta
from pathlib import Path

from warehouse_rows import seed_resources, tables

from pipelines.cli import materialize_days, plan_days
from pipelines.defs.partitions import contiguous_ranges
from pipelines.schema import WAREHOUSE_TABLES


def _run(db: str, first: date, last: date) -> bool:
    return materialize_days(first, last, seed_resources(db)).success


def _ranges() -> list[tuple[date, date]]:
    """The seeds' longest stretch of days cut in two at a day boundary: two runs of one backfill."""
    ranges = contiguous_ranges(plan_days(seed_resources(":unused:")))
    first, last = max(ranges, key=lambda r: (r[1] - r[0]).days)
    assert last > first, "the seeds span several days"
    middle = first + timedelta(days=(last - first).days // 2)
    return [(first, middle), (middle + timedelta(days=1), last)]


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
