"""Jobs, the daily schedule and the landing-folder sensor."""

from pathlib import Path

import dagster as dg

from pipelines.defs.resources import default_landing_dir

salvo_job = dg.define_asset_job(
    "salvo_all", selection=dg.AssetSelection.all(), description="Ingest, extract, validate, load, report."
)

daily_schedule = dg.ScheduleDefinition(
    name="salvo_daily", job=salvo_job, cron_schedule="0 6 * * *", execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)  # fmt: skip


def _newest_mtime(folder: Path) -> int:
    if not folder.exists():
        return 0
    return max(
        (p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")),
        default=0,
    )


@dg.sensor(job=salvo_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    """Starts a run when a file newer than the last one seen lands in the landing folder
    (SALVO_LANDING_DIR, default landing/); the cursor is the newest modification time seen."""
    folder = Path(default_landing_dir())
    newest = _newest_mtime(folder)
    last = int(context.cursor) if context.cursor else 0
    if newest <= last:
        return dg.SkipReason(f"nothing new in {folder}")
    context.update_cursor(str(newest))
    return dg.RunRequest(run_key=f"landing-{newest}")
