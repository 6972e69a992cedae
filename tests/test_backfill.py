"""A backfill of several days launched the way the UI launches one: by asset selection, through the GraphQL
mutation `launchPartitionBackfill` the asset graph's "Materialize..." sends, against a real DagsterInstance on
disk and the code location as `dagster dev` loads it (workspace.yaml, a code server process). The backfill
daemon's own iteration then runs it; its runs go through the instance's run launcher (a process per run) and
the backfill must complete with every targeted asset partition materialized."""

from __future__ import annotations

import logging
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.execution.backfill import BulkActionStatus
from dagster._core.storage.dagster_run import DagsterRunStatus, RunsFilter
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster_graphql.client.query import LAUNCH_PARTITION_BACKFILL_MUTATION
from dagster_graphql.test.utils import execute_dagster_graphql

from pipelines.cli import load_definitions

REPO = Path(__file__).resolve().parents[1]
DAYS = [str(date(2025, 3, 2) + timedelta(days=i)) for i in range(5)]  # the seeds' days
TIMEOUT_S = 240


def test_no_multi_asset_needs_its_keys_to_agree() -> None:
    """Dagster refuses an asset-selection backfill over a non-subsettable multi-asset whenever the partition
    subsets of its keys compare unequal, which they can even when they hold the same days (their lazily
    computed partition count is part of the comparison). So no multi-asset of the graph may be non-subsettable."""
    for assets_def in load_definitions().assets or []:
        if isinstance(assets_def, dg.AssetsDefinition) and len(assets_def.keys) > 1:
            assert assets_def.can_subset, sorted(k.to_user_string() for k in assets_def.keys)


@pytest.fixture
def location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The seeds as the code location's only source, a warehouse in tmp_path, and a real instance on disk whose
    runs start as soon as they are submitted (no run queue daemon in a test)."""
    shutil.copytree(REPO / "seeds", tmp_path / "articles")
    for name, value in {
        "SALVO_DB_PATH": str(tmp_path / "warehouse" / "salvo.duckdb"),
        "SALVO_ARTICLES": str(tmp_path / "articles"),
        "SALVO_LANDING_DIR": str(tmp_path / "landing"),
        "SALVO_FEEDS": "",
        "SALVO_PAGES": "",
    }.items():
        monkeypatch.setenv(name, value)  # read by the code server process when it loads the definitions
    monkeypatch.delenv("SALVO_EXECUTOR", raising=False)
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(
        str(tmp_path / "home"),
        overrides={
            "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"}
        },
    )
    target = WorkspaceFileTarget(paths=[str(REPO / "workspace.yaml")])
    with instance, WorkspaceProcessContext(instance, target) as process_context:
        yield instance, process_context, tmp_path / "warehouse" / "salvo.duckdb"


def _run_backfill(instance: dg.DagsterInstance, process_context: WorkspaceProcessContext, backfill_id: str):
    """What the daemon does: iterate the backfill until it is no longer in progress."""
    log = logging.getLogger("test_backfill")
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        list(execute_backfill_iteration(process_context, log))
        backfill = instance.get_backfill(backfill_id)
        if backfill.status != BulkActionStatus.REQUESTED:
            return backfill
        time.sleep(1)
    raise AssertionError(f"backfill {backfill_id} still running after {TIMEOUT_S}s")


def test_a_multi_day_backfill_launched_by_asset_selection_completes(location) -> None:
    instance, process_context, db = location
    context = process_context.create_request_context()
    assert not context.code_location_errors()
    graph = context.asset_graph
    keys = [node.key for node in graph.asset_nodes if node.is_materializable]
    result = execute_dagster_graphql(
        context,
        LAUNCH_PARTITION_BACKFILL_MUTATION,
        {"backfillParams": {"assetSelection": [{"path": k.path} for k in keys], "partitionNames": DAYS}},
    )
    launched = result.data["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched

    backfill = _run_backfill(instance, process_context, launched["backfillId"])
    runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": launched["backfillId"]}))
    assert runs and all(r.status == DagsterRunStatus.SUCCESS for r in runs), [
        (r.run_id, r.status) for r in runs
    ]
    assert backfill.status == BulkActionStatus.COMPLETED_SUCCESS

    # every targeted partition of every partitioned asset, and every unpartitioned asset, is materialized
    for key in keys:
        node = graph.get(key)
        done = instance.get_materialized_partitions(key) if node.is_partitioned else None
        if node.is_partitioned:
            assert set(DAYS) <= done, key.to_user_string()
        else:
            assert instance.get_latest_materialization_event(key) is not None, key.to_user_string()
    # the five days are one ranged run (BackfillPolicy.multi_run), not a run per day
    raw = [r for r in runs if dg.AssetKey("raw_articles") in (r.asset_selection or set())]
    assert len(raw) == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        days = {d for (d,) in con.sql("SELECT DISTINCT partition_date FROM articles").fetchall()}
        attacks = con.sql("SELECT count(*) FROM attack_events").fetchall()[0][0]
    finally:
        con.close()
    assert {str(d) for d in days} <= set(DAYS) and len(days) >= 3
    assert attacks > 0
