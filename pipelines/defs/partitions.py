"""The daily partitions every asset of the graph shares: an article's day is its published date, falling back
to the day it was fetched (a file's modification day)."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from pipelines.ingest import PARTITION_START
from pipelines.ingest.screen import Window

# end_offset=1: today's partition exists, so what arrives today can be loaded today
DAILY = dg.DailyPartitionsDefinition(
    start_date=PARTITION_START.isoformat(), end_offset=1, timezone="UTC", fmt="%Y-%m-%d"
)
# a backfill over a range of days is one run (one extraction pass, one warehouse transaction)
BACKFILL = dg.BackfillPolicy.single_run()


def today_utc() -> date:
    return datetime.now(UTC).date()


def run_window(context: dg.AssetExecutionContext) -> Window:
    """The run's days, first and last inclusive (a single partition or a range)."""
    tw = context.partition_time_window
    return Window(tw.start.date(), (tw.end - timedelta(days=1)).date())


def contiguous_ranges(days: list[date], max_gap: int = 7) -> list[tuple[date, date]]:
    """Sorted days -> (first, last) ranges, joining days at most `max_gap` days apart.

    Each range is one run: Dagster records one materialization per asset and day of a ranged run, so a run
    spanning 20 empty months costs minutes of bookkeeping, while a run per stretch of days costs seconds."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days <= max_gap:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out
