"""Builders the warehouse tests share: frames in a schema, article rows, a batch to publish, the seeds'
resources, and every table of a warehouse file read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.schema import AIR_ATTACKS, ARTICLES, QUARANTINE, WAREHOUSE_TABLES, conform
from pipelines.warehouse import connect, read_table

REPO = Path(__file__).resolve().parents[1]


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=schema), schema)


def article_row(
    article_id: str,
    published: dt.date | None,
    source: str | None,
    *,
    fetched: dt.date | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """An ARTICLES row; its day is the published date, else the day it was fetched."""
    return {
        "article_id": article_id,
        "url": f"https://{article_id}.example.org/story",
        "title": article_id,
        "published_at": published,
        "source": source,
        "text": "...",
        "content_hash": article_id,
        "origin": "tests",
        "language": "en",
        "partition_date": published or fetched,
        **kw,
    }


def batch(day: dt.date, n: int = 3, text_bytes: int = 200) -> dict:
    """publish_batch's keyword arguments for n articles of `day`, each with one drone attack."""
    arts = [
        article_row(f"{day}-{i}", day, "outlet", text="Russia launched 9 drones. " + "x" * text_bytes)
        for i in range(n)
    ]
    air = [
        {"event_id": f"{day}-{i}#air_attack#ru/drone", "article_id": f"{day}-{i}", "attacker": "RU",
         "weapon_class": "drone", "launched": 9, "event_date": day}
        for i in range(n)
    ]  # fmt: skip
    return _one_day_batch(arts, air, day)


def _one_day_batch(arts: list[dict], air: list[dict], day: dt.date) -> dict:
    """publish_batch's keyword arguments for one day's articles and their air attack rows, nothing quarantined."""
    return {
        "articles": frame(arts, ARTICLES),
        "events": {"air_attacks": frame(air, AIR_ATTACKS)},
        "quarantine": frame([], QUARANTINE),
        "partitions": (day, day),
    }


def night_reports(day: dt.date, night: dt.date, n: int = 3) -> dict:
    """publish_batch's keyword arguments for n articles of `day`, each reporting the drone attack of the night
    of `night` with figures of its own: batches of two days that report the same night consolidate into one
    attack event."""
    arts = [article_row(f"{day}-{i}", day, f"outlet {i}") for i in range(n)]
    air = [
        {"event_id": f"{day}-{i}#air_attack#ru/drone", "article_id": f"{day}-{i}", "attacker": "RU",
         "weapon_class": "drone", "launched": 100 + 10 * i + day.day, "intercepted": 90, "event_date": night,
         "evidence": f"{100 + 10 * i + day.day} drones"}
        for i in range(n)
    ]  # fmt: skip
    return _one_day_batch(arts, air, day)


def publish_when_told(db: str, day: dt.date, night: dt.date, ready: str, go: str) -> None:
    """In a process of its own: say so in the file `ready`, wait for the file `go`, then publish
    night_reports(day, night) into `db`."""
    import os
    import time

    from pipelines.warehouse import publish_batch

    batch = night_reports(day, night)
    Path(ready).touch()
    while not os.path.exists(go):
        time.sleep(0.002)
    publish_batch(db, **batch)


def tables(db: Path, names: Iterable[str] = WAREHOUSE_TABLES) -> dict[str, pl.DataFrame]:
    """The named tables of a warehouse file (every table by default), read through a read-only connection."""
    con = connect(db, read_only=True)
    try:
        return {t: read_table(con, t) for t in names}
    finally:
        con.close()


def seed_resources(db: Path | str) -> dict:
    """The graph's resources over seeds/ alone (no feeds, no pages) into the warehouse file `db`."""
    from pipelines.defs.resources import (  # here: a process that only publishes need not import Dagster
        ArticleSourceResource,
        FeedSourceResource,
        PageSourceResource,
        WarehouseResource,
        default_resources,
    )

    return default_resources(
        warehouse=WarehouseResource(db_path=str(db)),
        article_source=ArticleSourceResource(paths=[str(REPO / "seeds")]),
        feed_source=FeedSourceResource(feeds=[]),
        page_source=PageSourceResource(pages=[]),
    )
