"""The job, the daily schedule, and the sensors that start a run only when something new arrived.

- `salvo_daily` runs the whole graph at 00:30 UTC for the day that has just ended (a complete day of news): a
  partitioned schedule, each tick a run request for one partition of the job's daily partitions.
  (`build_schedule_from_partitioned_job` would ask for the partition in progress: the partitions end a day
  ahead, `end_offset=1`, so that what arrives today can be loaded today.)
- `landing_folder_sensor` watches SALVO_LANDING_DIR (default landing/): a file it has not seen (new path, or a
  changed size or modification time) starts one run per day (partition) its items belong to.
- `feed_sensor` watches the feeds of the `feed_source` resource: an entry it has not seen starts a run for its
  day. Both keep what they have seen in their Dagster cursor.
- `salvo_run_failure_sensor` logs every failed run of the code location (its job, days and failed steps) and
  appends it to `warehouse/run_failures.jsonl`, beside the warehouse.
- `salvo_reports_refresh` evaluates the automation condition of what is not per day (views, chart, export): it
  refreshes them after a backfill or a partial load from the UI (the job refreshes them in the same run).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from pipelines.days import today_utc
from pipelines.defs.partitions import DAILY
from pipelines.defs.resources import (
    ArticleSourceResource,
    FeedSourceResource,
    FetchPolicyResource,
    WarehouseResource,
    default_landing_dir,
)
from pipelines.ingest import raw_articles_frame
from pipelines.ingest.folder import list_files, read_entry
from pipelines.ingest.screen import partition_days
from pipelines.warehouse.failures import append_failure, failure_record

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
    description="Every day at 00:30 UTC, the whole graph for the day that has just ended (one daily "
    "partition): everything published on it, or fetched on it when undated.",
)
def salvo_daily(context: dg.ScheduleEvaluationContext):
    """The day that has just ended: everything published (or fetched, when undated) on it."""
    day = (context.scheduled_execution_time.date() - timedelta(days=1)).isoformat()
    # run_request_for_partition checks that the day is a partition of the job's partitions definition
    return salvo_job.run_request_for_partition(partition_key=day, run_key=f"daily-{day}")


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


@dg.sensor(
    job=salvo_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Every minute: files it has not seen in the landing folder (SALVO_LANDING_DIR, default "
    "landing/) start one run per day their items belong to.",
)
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


@dg.sensor(
    job=salvo_job,
    minimum_interval_seconds=900,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Every 15 minutes: entries it has not seen in the configured RSS/Atom feeds (SALVO_FEEDS) start "
    "a run for each day they belong to.",
)
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


def _root_error(error) -> str:
    """The innermost error of a step failure (Dagster wraps the user's exception in its own)."""
    if error is None:
        return ""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


@dg.run_failure_sensor(
    name="salvo_run_failure_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs every failed run of this code location (job, days, failed steps and their errors) and "
    "appends it to run_failures.jsonl beside the warehouse (duckdb: SELECT * FROM "
    "read_json_auto('warehouse/run_failures.jsonl')).",
)
def salvo_run_failure_sensor(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    steps = {e.step_key: _root_error(e.event_specific_data.error) for e in context.get_step_failure_events()}
    record = failure_record(
        run_id=context.dagster_run.run_id,
        job=context.dagster_run.job_name,
        tags=context.dagster_run.tags,
        message=context.failure_event.message or "",
        failed_steps=steps,
    )
    path = append_failure(warehouse.target(), record)
    context.log.error(
        f"run {record['run_id']} of {record['job']} failed (days {record['days'] or 'none'}; steps "
        f"{', '.join(steps) or 'none'}): {record['message']}; recorded in {path}"
    )


salvo_reports_refresh = dg.AutomationConditionSensorDefinition(
    "salvo_reports_refresh",
    target=dg.AssetSelection.assets("report_views", "daily_launched_intercepted_chart", "warehouse_export"),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Refreshes what is not per day (views, chart, export) once loads into the warehouse have "
    "finished, when a run loaded days without them (a backfill, a table materialized from the UI).",
)
