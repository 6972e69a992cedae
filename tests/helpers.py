"""Builders several test modules share: article files with the day they landed, the graph's resources over a
folder, a whole `salvo run` in process, and the seeds (with items written beside them) through the whole graph
twice, which tests/conftest.py's session fixture `seeds_graph` runs once for test_pipeline, test_warehouse_run
and test_lake. Test modules import these from here, never from one another (`from helpers import ...`, as with
warehouse_rows and warehouse_reader)."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.defs.resources import (
    ArticleSourceResource,
    FeedSourceResource,
    PageSourceResource,
    WarehouseResource,
    default_resources,
)

REPO = Path(__file__).resolve().parents[1]
D1, D2, D3 = date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3)

# The day the seeds' undated article (and any undated file a test writes beside it) landed, when a test copies
# the seeds: set, so that the runs a test plans do not depend on when the repository was checked out. Not next to
# the seeds' own days (2025-03-02..06) nor to the contradiction's (below).
UNDATED_DAY = date(2025, 6, 1)
# The day of write_articles' report whose figures contradict each other: three days after the seeds' last, so a
# day of the seeds' run, not a run of its own (each run costs seconds). Its checks fail, the seeds' days' pass,
# each day evaluated apart.
CONTRADICTION_DAY = "2025-03-09"


def stamp(path: Path, day: date) -> None:
    """Set a file's modification time to noon of `day`: an undated file belongs to the day it landed."""
    t = time.mktime(day.timetuple()) + 12 * 3600
    os.utime(path, (t, t))


def article(folder: Path, name: str, day: date | None, text: str, **extra) -> Path:
    """One JSON article file; `day` is its published_at (none when None)."""
    rec = {"id": name, "text": text, **extra}
    if day is not None:
        rec["published_at"] = str(day)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(rec))
    return path


def copy_seeds(folder: Path, undated_day: date = UNDATED_DAY) -> Path:
    """The project's seeds copied to `folder`, every file stamped `undated_day` (only the undated one's day comes
    from it; the others carry their published_at)."""
    shutil.copytree(REPO / "seeds", folder)
    for path in folder.iterdir():
        stamp(path, undated_day)
    return folder


def resources_for(folder: Path, db: Path) -> dict:
    """The graph's resources over the article folder `folder` alone (no feeds, no pages) into the file `db`."""
    return default_resources(
        warehouse=WarehouseResource(db_path=str(db)),
        article_source=ArticleSourceResource(paths=[str(folder)]),
        feed_source=FeedSourceResource(feeds=[]),
        page_source=PageSourceResource(pages=[]),
    )


# Every asset of the graph but those after the warehouse tables, which only read the published warehouse: the
# views' row counts, the chart and the Parquet export (about a quarter of a small run: 5.4 s instead of 7.4 s
# here). For the tests of what a run loads (its days, its quarantine rows, its checks); the seeds' runs
# (seeds_graph), the backfill and every `salvo run` of the tests run them all.
LOADS_ONLY = dg.AssetSelection.all() - dg.AssetSelection.assets(
    "report_views", "daily_launched_intercepted_chart", "warehouse_export"
)


def load_days(first, last, resources: dict, **kwargs) -> dg.ExecuteInProcessResult:
    """`materialize_days` (one in-process run over the days first..last) of LOADS_ONLY: the run up to the
    warehouse tables and their checks."""
    from pipelines.cli import materialize_days

    return materialize_days(first, last, resources, selection=LOADS_ONLY, **kwargs)


def materialize_all(articles: Path, db: Path, **kwargs) -> list[dg.ExecuteInProcessResult]:
    """What `salvo run` does: one run per stretch of days the articles belong to (keyword arguments go to each
    `materialize_days`, e.g. selection=LOADS_ONLY)."""
    from pipelines.cli import materialize_days, plan_days
    from pipelines.defs.partitions import contiguous_ranges

    resources = resources_for(articles, db)
    return [
        materialize_days(first, last, resources, **kwargs)
        for first, last in contiguous_ranges(plan_days(resources))
    ]


def write_articles(folder: Path) -> Path:
    """The project's seeds plus items written for the tests: a report whose figures contradict each other
    (intercepted > launched, must be quarantined by GX), an empty file and a broken JSON line beside a good one.
    The undated files (the seeds' article, the empty file, the JSON-lines file) all landed on UNDATED_DAY: their
    day is set, not the checkout's or today's."""
    copy_seeds(folder)
    (folder / "contradiction.json").write_text(
        json.dumps(
            {
                "id": "test-contradiction",
                "published_at": CONTRADICTION_DAY,
                "text": "Russia launched five drones at Sumy overnight. Air defences destroyed nine drones, officials said.",
            }
        )
    )
    (folder / "empty.txt").write_text("   \n")
    (folder / "batch.jsonl").write_text(
        json.dumps(
            {"id": "test-jsonl-ok", "text": "Russia fired three missiles at Odesa; two were shot down."}
        )
        + "\n{not json\n"
    )
    for undated in ("empty.txt", "batch.jsonl"):
        stamp(folder / undated, UNDATED_DAY)
    return folder


def seeds_through_the_graph_twice(base: Path) -> dict:
    """write_articles' folder through the whole graph (materialize_all: a run per stretch of days, as `salvo run`)
    into a new warehouse file, with a reader process querying it throughout; the same reads with no run about
    (the baseline of their time); then the same runs again. Every table is read after each pass."""
    from warehouse_reader import Reader, quiet_read_s
    from warehouse_rows import tables

    articles, db = write_articles(base / "articles"), base / "warehouse" / "salvo.duckdb"
    reader = Reader(db, base)
    try:
        first = materialize_all(articles, db)  # a new warehouse: the reader waits for its first publish
        reader.wait_for_reads(3)
    finally:
        reads = reader.finish()
    quiet = quiet_read_s(db, base / "quiet")
    snap1 = tables(db)
    second = materialize_all(articles, db)
    snap2 = tables(db)
    return {
        "articles": articles, "db": db, "first": first, "second": second, "snap1": snap1, "snap2": snap2,
        "reads": reads, "quiet": quiet,
    }  # fmt: skip
