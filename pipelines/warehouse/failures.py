"""Failed runs, recorded beside the warehouse: one JSON line per failure in `run_failures.jsonl` (the run, its job,
its days, the failed steps and their errors), appended by the run-failure sensor. A separate file, not a table:
a failed run has no warehouse write to join, and a publish would copy the whole warehouse for one line.
Query it with DuckDB: `SELECT * FROM read_json_auto('warehouse/run_failures.jsonl')`."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelines.settings import Lake

FAILURES_FILE = "run_failures.jsonl"
_RANGE = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def failures_path(db_path: Path | str | Lake) -> Path:
    """run_failures.jsonl beside the warehouse file, or in a lake's files folder."""
    from .db import files_dir

    return files_dir(db_path) / FAILURES_FILE


def failure_record(
    run_id: str, job: str, tags: Mapping[str, str], message: str, failed_steps: Mapping[str, str]
) -> dict[str, Any]:
    """One failure as a flat record: `days` is the run's partition or range ("" when it has none)."""
    if all(t in tags for t in _RANGE):
        days = f"{tags[_RANGE[0]]}..{tags[_RANGE[1]]}"
    else:
        days = tags.get("dagster/partition", "")
    return {
        "failed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "job": job,
        "days": days,
        "backfill": tags.get("dagster/backfill"),
        "trigger": tags.get("dagster/schedule_name")
        or tags.get("dagster/sensor_name")
        or tags.get("salvo/trigger"),
        "message": message,
        "failed_steps": dict(failed_steps),
    }


def append_failure(db_path: Path | str | Lake, record: Mapping[str, Any]) -> Path:
    """Append `record` to the failures file beside the warehouse, as one line written at once; returns the path."""
    path = failures_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)  # O_APPEND: concurrent appenders never interleave within a line this short
    finally:
        os.close(fd)
    return path
