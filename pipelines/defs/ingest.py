"""Ingest assets: input items of every source -> raw_articles -> articles, one daily partition per day."""

import time
from itertools import chain

import dagster as dg
import polars as pl

from pipelines import progress
from pipelines.days import today_utc
from pipelines.defs.partitions import BACKFILL, DAILY, run_window
from pipelines.defs.resources import (
    ArticleSourceResource,
    FeedSourceResource,
    FetchPolicyResource,
    PageSourceResource,
    WarehouseResource,
)
from pipelines.ingest import accepted_articles, raw_articles_frame
from pipelines.ingest.dedup import canonical_url, canonical_urls
from pipelines.ingest.folder import inventory, unaccounted
from pipelines.ingest.screen import screen_batch


@dg.asset(
    group_name="ingest",
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Every input item of the run's days read from the article, feed and page sources; rejects "
    "carry their reason.",
    check_specs=[
        dg.AssetCheckSpec(
            name="found_on_disk",
            asset="raw_articles",
            description="every entry found under the article folders (listed by os.walk, apart from the "
            "readers) is the origin of at least one item: an article or a quarantine row, of this run's days "
            "or of its own day's run",
        )
    ],
)
def raw_articles(
    context: dg.AssetExecutionContext,
    article_source: ArticleSourceResource,
    feed_source: FeedSourceResource,
    page_source: PageSourceResource,
    fetch_policy: FetchPolicyResource,
    warehouse: WarehouseResource,
):
    window = run_window(context)
    today = today_utc()
    # what the run fetches without a date of its own belongs to the run's last day when it backfills the past
    fetch_day = max(window.start, min(today, window.end))
    seen = warehouse.seen_articles(window)
    # canonical URLs of the whole warehouse as one column operation: a daily run must not pay a Python call
    # per article ever loaded
    known = seen.select("article_id", "url").drop_nulls()
    seen_urls = dict(zip(canonical_urls(known["url"]).to_list(), known["article_id"].to_list(), strict=True))
    policy = fetch_policy.policy()
    limits = article_source.limits()
    items = chain(
        article_source.items(),
        feed_source.items(
            policy,
            fetch_day,
            in_window=window.__contains__,
            seen_url=lambda u: seen_urls.get(canonical_url(u)),
            limits=limits,
        ),
        page_source.items(
            policy, fetch_day, seen_url=lambda u: seen_urls.get(canonical_url(u)), limits=limits
        ),
    )
    items = progress.counted(items)  # the terminal's bar of `salvo run`, if one is open, counts them as read
    found = inventory(article_source.paths)  # listed before reading: what is on disk now
    started = time.perf_counter()
    everything = raw_articles_frame(items, check_dates=True, today=today)
    elapsed = time.perf_counter() - started
    context.log.info(
        f"read: {everything.height:,} items in {elapsed:.1f}s ({everything.height / max(elapsed, 1e-9):,.0f} "
        "items/s); screening them for the run's days"
    )
    progress.phase("screen")
    missing = unaccounted(found, everything["origin"].to_list())
    raw = screen_batch(everything, window, seen=seen, today=today)
    rejected = raw.filter(pl.col("reject_reason").is_not_null())
    accepted = raw.filter(pl.col("reject_reason").is_null())
    metadata = {
        "items": raw.height,
        "rejected": rejected.height,
        "items_in_sources": everything.height,
        "items_of_other_days": everything.height - raw.height,
        "reject_reasons": dg.MetadataValue.json(
            dict(sorted(rejected.group_by("reject_reason").len().iter_rows())) if rejected.height else {}
        ),
        "languages": dg.MetadataValue.json(
            {str(k): v for k, v in sorted(accepted.group_by("language").len().iter_rows(), key=str)}
        ),
        "near_duplicates": accepted.filter(pl.col("duplicate_of").is_not_null()).height,
        "days": f"{window.start}..{window.end}",
        "entries_found_on_disk": len(found),
    }
    yield dg.Output(raw, metadata=metadata)
    yield dg.AssetCheckResult(
        check_name="found_on_disk",
        passed=not missing,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "entries_found": len(found),
            "entries_without_item": len(missing),
            "examples": dg.MetadataValue.json(missing[:20]),
        },
    )


@dg.asset(
    group_name="ingest",
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Accepted articles: normalised text, stable article_id, content_hash, language, duplicate_of, "
    "partition_date.",
)
def articles(context: dg.AssetExecutionContext, raw_articles: pl.DataFrame) -> pl.DataFrame:
    arts = accepted_articles(raw_articles)
    context.add_output_metadata({"articles": arts.height})
    return arts
