"""Builders several test modules share: article files with the day they landed, the graph's resources over a
folder, and a whole `salvo run` in process. Test modules import these from here, never from one another
(`from helpers import ...`, as with warehouse_rows and warehouse_reader)."""

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
# the seeds' own days (2025-03-02..06) nor to test_pipeline's contradiction (2025-03-09).
UNDATED_DAY = date(2025, 6, 1)


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


def materialize_all(articles: Path, db: Path) -> list[dg.ExecuteInProcessResult]:
    """What `salvo run` does: one run per stretch of days the articles belong to."""
    from pipelines.cli import materialize_days, plan_days
    from pipelines.defs.partitions import contiguous_ranges

    resources = resources_for(articles, db)
    return [
        materialize_days(first, last, resources) for first, last in contiguous_ranges(plan_days(resources))
    ]
