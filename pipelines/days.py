"""Days: today's (UTC), the runs a set of days is cut into, and the day (partition) of each row of a batch.

The day of a row is an article's `partition_date`, and for every other row the day of the article it names.
Ingest quarantine rows name no loaded article; their day is the `partition_date` in their `row_json` (the
rejected item as read). A run of several days reports its figures per day with these.

Plain code (polars, no Dagster), shared by the CLI, the Dagster partitions (pipelines/defs/partitions.py),
the warehouse metadata and the validation checks: `salvo report` and `salvo extract` never import Dagster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import polars as pl

from pipelines import settings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pipelines.ingest.screen import Window


def today_utc() -> date:
    return datetime.now(UTC).date()


def window_name(window: Window) -> str:
    """The run's days as one name: `2025-03-02` for one day, `2025-03-02..2025-03-06` for a range."""
    return str(window.start) if window.start == window.end else f"{window.start}..{window.end}"


def contiguous_ranges(
    days: Iterable[date], max_gap: int = 7, max_days: int | None = None
) -> list[tuple[date, date]]:
    """Sorted days -> (first, last) ranges, joining days at most `max_gap` days apart into ranges of at most
    `max_days` days (default SALVO_DAYS_PER_RUN: the backfill policy's runs, so memory stays bounded by a run's
    days).

    Each range is one run: Dagster records one materialization per asset and day of a ranged run, so a run
    spanning 20 empty months costs minutes of bookkeeping, while a run per stretch of days costs seconds."""
    if max_days is None:
        max_days = settings.days_per_run()
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days <= max_gap and (d - out[-1][0]).days < max_days:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def article_days(articles: pl.DataFrame) -> pl.DataFrame:
    """article_id -> day, one row per article."""
    return articles.select("article_id", day=pl.col("partition_date")).unique("article_id", keep="first")


def row_days(frame: pl.DataFrame, days_of_articles: pl.DataFrame) -> pl.Series:
    """The day of each row of `frame` (same order; null when the row's article is unknown). Quarantine rows of
    the ingest stage take the partition_date of their row_json."""
    if "partition_date" in frame.columns:
        return frame.get_column("partition_date").alias("day")
    joined = frame.select(pl.col("article_id").cast(pl.String)).join(
        days_of_articles, on="article_id", how="left", maintain_order="left"
    )
    day = joined.get_column("day")
    if "row_json" in frame.columns and "stage" in frame.columns:
        own = frame.select(
            pl.when(pl.col("stage") == "ingest").then(
                pl.col("row_json").str.json_path_match("$.partition_date").str.to_date(strict=False)
            )
        ).to_series()
        day = own.fill_null(day)
    return day.alias("day")


def rows_per_day(
    frame: pl.DataFrame, days_of_articles: pl.DataFrame, days: Iterable[date], unknown: date | None = None
) -> dict[date, int]:
    """Rows of `frame` per day of `days` (0 for a day without rows). Rows whose day is unknown count on `unknown`
    (the run's first day, say) when it is given, else nowhere."""
    wanted = list(days)
    counts = {d: 0 for d in wanted}
    if frame.height:
        day = row_days(frame, days_of_articles)
        if unknown is not None:
            day = day.fill_null(unknown)
        for d, n in day.value_counts().iter_rows():
            if d in counts:
                counts[d] += n
    return counts
