"""The job, the daily schedule, and the sensors that start a run only when something new arrived.

- `salvo_daily` runs the whole graph at 00:30 UTC for the day that has just ended (a complete day of news).
- `landing_folder_sensor` watches SALVO_LANDING_DIR (default landing/): a file it has not seen (new path, or a
  changed size or modification time) starts one run per day (partition) its items belong to.
- `feed_sensor` watches the feeds of the `feed_source` resource: an entry it has not seen starts a run for its
  day. Both keep what they have seen in their Dagster cursor.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from pipelines.defs.partitions import DAILY, today_utc
from pipelines.defs.resources import (
    ArticleSourceResource,
    FeedSourceResource,
    FetchPolicyResource,
    default_landing_dir,
)
from pipelines.ingest import raw_articles_frame
from pipelines.ingest.folder import list_files, read_entry
from pipelines.ingest.screen import partition_days

salvo_job = dg.define_asset_job(
    "salvo_all",
    selection=dg.AssetSelection.all(),
    partitions_def=DAILY,
    description="Ingest, extract, validate, load, report: one day or a range of days.",
)

MAX_CURSOR_ENTRIES = 20_000  # feed entries remembered (files are remembered while they exist)


@dg.schedule(
    name="salvo_daily",
    job=salvo_job,
    cron_schedule="30 0 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def salvo_daily(context: dg.ScheduleEvaluationContext):
    """The day that has just ended: everything published (or fetched, when undated) on it."""
    day = (context.scheduled_execution_time.date() - timedelta(days=1)).isoformat()
    return dg.RunRequest(run_key=f"daily-{day}", partition_key=day)


def _sig(*parts: object) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _load_cursor(cursor: str | None) -> list[str]:
    if not cursor:
        return []
    try:
        value = json.loads(cursor)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _run_requests(kind: str, days: set[date], new: list[str]) -> list[dg.RunRequest]:
    batch = _sig(*sorted(new))
    return [
        dg.RunRequest(
            run_key=f"{kind}-{d.isoformat()}-{batch}",
            partition_key=d.isoformat(),
            tags={"salvo/trigger": kind},
        )
        for d in sorted(days)
    ]


def landing_files(folder: Path) -> dict[str, Path]:
    """Signature (path, size, modification time) -> entry, for every entry of the landing folder that is not a
    folder (regular files, and symlinks and special files, which become quarantine rows), never followed."""
    out = {}
    for p in list_files(folder):
        try:
            st = p.lstat()
        except OSError:
            continue
        out[_sig(p, st.st_size, st.st_mtime_ns)] = p
    return out


@dg.sensor(job=salvo_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext, article_source: ArticleSourceResource):
    """Starts runs when files it has not seen land in the landing folder (SALVO_LANDING_DIR, default
    landing/): one run per day the new files' items belong to. The cursor is the set of file signatures."""
    folder = Path(default_landing_dir())
    files = landing_files(folder)
    seen = set(_load_cursor(context.cursor))
    new = sorted(s for s in files if s not in seen)
    if not new:
        return dg.SkipReason(f"nothing new in {folder}")
    items = [
        item
        for s in new
        for item in read_entry(files[s], article_source.limits())
    ]
    today = today_utc()
    days = set(partition_days(raw_articles_frame(items, check_dates=True, today=today), today))
    context.update_cursor(json.dumps(sorted(files)))
    if not days:
        return dg.SkipReason(f"{len(new)} new file(s) in {folder} without items")
    return _run_requests("landing", days, new)


@dg.sensor(job=salvo_job, minimum_interval_seconds=900, default_status=dg.DefaultSensorStatus.STOPPED)
def feed_sensor(
    context: dg.SensorEvaluationContext, feed_source: FeedSourceResource, fetch_policy: FetchPolicyResource
):
    """Starts a run for each day that has feed entries it has not seen (by feed, entry id or link, and date)."""
    from pipelines.ingest.sources import read_feeds

    if not feed_source.feeds:
        return dg.SkipReason("no feeds configured")
    today = today_utc()
    items = [
        i for i in read_feeds(feed_source.feeds, fetch_policy.policy(), today) if i.reject_reason is None
    ]
    sigs = [_sig(i.origin, (i.record or {}).get("published_at")) for i in items]
    seen = _load_cursor(context.cursor)
    seen_set = set(seen)
    fresh = [(s, i) for s, i in zip(sigs, items, strict=True) if s not in seen_set]
    if not fresh:
        return dg.SkipReason("no new feed entries")
    raw = raw_articles_frame([i for _, i in fresh], check_dates=True, today=today)
    days = set(partition_days(raw, today))
    context.update_cursor(json.dumps((seen + [s for s, _ in fresh])[-MAX_CURSOR_ENTRIES:]))
    return _run_requests("feed", days, [s for s, _ in fresh])
