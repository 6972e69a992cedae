"""The daily partitions every asset of the graph shares: an article's day is its published date, falling back
to the day it was fetched (a file's modification day)."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from pipelines import settings
from pipelines.ingest import PARTITION_START
from pipelines.ingest.screen import Window

# end_offset=1: today's partition exists, so what arrives today can be loaded today
DAILY = dg.DailyPartitionsDefinition(
    start_date=PARTITION_START.isoformat(), end_offset=1, timezone="UTC", fmt="%Y-%m-%d"
)
# A backfill is cut into runs of at most this many days. Each run is one extraction pass and one warehouse
# publish over its days, so memory is bounded by the days of a run (50 days of 1,000 articles: about 4 GB),
# not by the backfill; and the runs of one backfill can run at once, as many as the run queue allows
# (dagster.yaml `concurrency: runs: max_concurrent_runs`), while their publishes queue on the
# `salvo_warehouse` pool and the writer lock.
MAX_DAYS_PER_RUN = settings.days_per_run()
BACKFILL = dg.BackfillPolicy.multi_run(max_partitions_per_run=MAX_DAYS_PER_RUN)


def today_utc() -> date:
    return datetime.now(UTC).date()


def run_window(context: dg.AssetExecutionContext) -> Window:
    """The run's days, first and last inclusive (a single partition or a range)."""
    tw = context.partition_time_window
    return Window(tw.start.date(), (tw.end - timedelta(days=1)).date())


def window_name(window: Window) -> str:
    """The run's days as one name: `2025-03-02` for one day, `2025-03-02..2025-03-06` for a range."""
    return str(window.start) if window.start == window.end else f"{window.start}..{window.end}"


def contiguous_ranges(
    days: list[date], max_gap: int = 7, max_days: int = MAX_DAYS_PER_RUN
) -> list[tuple[date, date]]:
    """Sorted days -> (first, last) ranges, joining days at most `max_gap` days apart into ranges of at most
    `max_days` days (the backfill policy's runs: memory stays bounded by a run's days).

    Each range is one run: Dagster records one materialization per asset and day of a ranged run, so a run
    spanning 20 empty months costs minutes of bookkeeping, while a run per stretch of days costs seconds."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days <= max_gap and (d - out[-1][0]).days < max_days:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out
