"""What every asset carries besides its computation, in one place: kinds (the icons of the asset graph), owners,
tags, a code version computed from the files that decide its output, so the UI marks an asset whose code
changed since its last materialization, and a freshness policy on what analysts read. `pipelines/definitions.py` applies it to every asset, with the code
references (the asset's source file and line)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import cache

import dagster as dg

from pipelines.settings import REPO_ROOT as REPO

OWNERS = ["team:salvo"]
_SCHEMA = "pipelines/schema.py"
_REFERENCE = "pipelines/reference/*"  # weapons.csv, places.csv and their readers: extraction and consolidation read them

# group (or asset key) -> (kinds, the files whose content decides what it writes)
BY_GROUP: dict[str, tuple[set[str], list[str]]] = {
    "ingest": ({"python", "polars"}, ["pipelines/ingest/**/*.py", "pipelines/quarantine.py", _SCHEMA]),
    "extract": ({"python", "polars"}, ["pipelines/extract/**/*.py", _REFERENCE, _SCHEMA]),
    "validate": (
        {"great_expectations", "polars"},
        ["pipelines/validate/**/*.py", "pipelines/quarantine.py", "expectations/*.json", _SCHEMA],
    ),
    "warehouse": ({"duckdb", "table"}, ["pipelines/warehouse/**/*.py", "pipelines/days.py", _REFERENCE, _SCHEMA]),
    "reports": ({"duckdb", "sql"}, ["sql/*.sql", "pipelines/reports/__init__.py", "pipelines/warehouse/views.py"]),
    "export": ({"duckdb", "parquet"}, ["pipelines/warehouse/export.py", "sql/acled_export.sql"]),
}
BY_KEY: dict[str, tuple[set[str], list[str]]] = {
    "warehouse/weapons": ({"duckdb", "csv"}, ["pipelines/reference/weapons.*", "pipelines/warehouse/*.py"]),
    "daily_launched_intercepted_chart": ({"python", "matplotlib"}, ["pipelines/reports/chart.py"]),
}


# What analysts read is expected to be at most a day old once the daily schedule runs (00:30 UTC): warn after 26
# hours without a materialization, fail after two days. Not on the reference table or the intermediate frames.
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)
FRESH_GROUPS = {"warehouse", "reports", "export"}
NOT_FRESHNESS_CHECKED = {"warehouse/weapons"}


@cache
def source_version(*patterns: str) -> str:
    """A short hash of the files matching `patterns` (paths relative to the repository): their names and bytes."""
    digest = hashlib.sha1()
    files = sorted({p for pattern in patterns for p in REPO.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def with_conventions(spec: dg.AssetSpec) -> dg.AssetSpec:
    """`spec` with its kinds, owners, tags and code version."""
    group = spec.group_name or "default"
    kinds, patterns = BY_KEY.get(spec.key.to_user_string()) or BY_GROUP[group]
    fresh = group in FRESH_GROUPS and spec.key.to_user_string() not in NOT_FRESHNESS_CHECKED
    return spec.replace_attributes(
        kinds=kinds,
        owners=OWNERS,
        tags={**spec.tags, "domain": "air_war", "stage": group},
        code_version=source_version(*patterns),
        **({"freshness_policy": DAILY_FRESHNESS} if fresh else {}),
    )


# What is not per day (views, chart, export) follows the warehouse: a run of the job refreshes it in the same run;
# after a backfill or a load of some tables from the UI, this condition (evaluated by `salvo_reports_refresh`)
# requests it once the loads are done. Dagster's `eager()` would never fire here: it waits while any upstream
# partition is missing, and most days of the archive always are.
REFRESH_AFTER_LOADS = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("after any warehouse load")
