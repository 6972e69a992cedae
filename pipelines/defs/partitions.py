"""The daily partitions every asset of the graph shares: an article's day is its published date, falling back
to the day it was fetched (a file's modification day)."""

from datetime import timedelta

import dagster as dg

from pipelines import settings
from pipelines.days import contiguous_ranges, today_utc, window_name  # noqa: F401 - plain code, re-exported
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


def run_window(context: dg.AssetExecutionContext) -> Window:
    """The run's days, first and last inclusive (a single partition or a range)."""
    tw = context.partition_time_window
    return Window(tw.start.date(), (tw.end - timedelta(days=1)).date())

