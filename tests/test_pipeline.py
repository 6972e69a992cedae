"""The whole asset graph, materialized in-process by Dagster into a real DuckDB file: the seeds and items written
beside them (helpers.write_articles: a contradiction, an empty file, a broken JSON line), twice over. Those runs
are the session's `seeds_graph` (tests/conftest.py), which test_warehouse_run and test_lake read too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from helpers import CONTRADICTION_DAY

from pipelines.cli import load_definitions

REPO = Path(__file__).resolve().parents[1]
TABLES = ("articles", "air_attacks", "casualties", "territorial_control", "quarantine")


@pytest.fixture
def two_runs(seeds_graph: dict):
    g = seeds_graph
    return g["first"], g["second"], g["snap1"], g["snap2"], g["db"]


def test_every_asset_materializes(two_runs) -> None:
    first, second, *_ = two_runs
    assert all(r.success for r in first + second)
    # the seeds (2025-03-02..06) with the contradiction, and the undated files (the day write_articles set)
    assert len(first) == 2
    keys = {m.asset_key.to_user_string() for r in first for m in r.get_asset_materialization_events()}
    assert {
        "raw_articles",
        "articles",
        "air_attack_reports",
        "validated_events",
        "warehouse/air_attacks",
        "report_views",
    } <= keys


def test_seed_article_rows(two_runs) -> None:
    *_, db = two_runs
    con = duckdb.connect(str(db), read_only=True)
    air = con.sql(
        "SELECT attacker, weapon_class, launched, intercepted, launched_qualifier FROM air_attacks "
        "WHERE article_id = '000_seed_article' ORDER BY weapon_class"
    ).fetchall()
    cas = con.sql(
        "SELECT location, admin1, killed, injured, qualifier FROM casualties WHERE article_id = '000_seed_article'"
    ).fetchall()
    ter = con.sql(
        "SELECT settlement, admin1, actor FROM territorial_control WHERE article_id = '000_seed_article'"
    ).fetchall()
    con.close()
    assert air == [("RU", "drone", 580, 552, "approx"), ("RU", "missile", 40, 31, "exact")]
    assert cas == [("Dnipro", "Dnipropetrovsk", 1, 26, "at_least")]
    assert ter == [("Berezove", "Dnipropetrovsk", "RU")]


def test_contradiction_is_quarantined_not_loaded(two_runs) -> None:
    *_, db = two_runs
    con = duckdb.connect(str(db), read_only=True)
    loaded = con.sql("SELECT count(*) FROM air_attacks WHERE article_id = 'test-contradiction'").fetchall()[
        0
    ][0]
    q = con.sql(
        "SELECT stage, reason, row_json FROM quarantine "
        "WHERE article_id = 'test-contradiction' AND table_name = 'air_attacks'"
    ).fetchall()
    # the outcome ledger rows behind the rejected row follow it into quarantine
    ledger = con.sql(
        "SELECT DISTINCT reason FROM quarantine "
        "WHERE article_id = 'test-contradiction' AND table_name = 'attack_outcomes'"
    ).fetchall()
    con.close()
    assert loaded == 0
    assert len(q) == 1 and q[0][0] == "validate" and "intercepted_gt_launched" in q[0][1]
    assert json.loads(q[0][2])["intercepted"] == 9
    assert ledger == [("parent_air_attack_quarantined",)]


def test_bad_input_items_are_quarantined_with_reasons(two_runs) -> None:
    *_, db = two_runs
    con = duckdb.connect(str(db), read_only=True)
    reasons = sorted(r for (r,) in con.sql("SELECT reason FROM quarantine WHERE stage = 'ingest'").fetchall())
    ok = con.sql("SELECT count(*) FROM articles WHERE article_id = 'test-jsonl-ok'").fetchall()[0][0]
    con.close()
    assert reasons == ["empty_text", "invalid_json"]
    assert ok == 1  # the good line of the same file still loads


def test_checks_report_gx_outcome_and_conservation(two_runs) -> None:
    """The GX checks sit on the warehouse tables, one evaluation per day: the contradiction's day names the
    expectation it failed and its row, with the figures a reader needs and GX's Data Docs page (the latest run's:
    a re-run of the same days replaces its pages)."""
    _, second, *_ = two_runs
    evaluations = [c for r in second for c in r.get_asset_check_evaluations()]
    assert all(c.passed for c in evaluations if c.check_name == "conservation")
    gx = {(c.asset_key.to_user_string(), c.check_name, c.partition): c for c in evaluations}
    failed = gx[("warehouse/air_attacks", "gx_air_attacks", CONTRADICTION_DAY)]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    md = {k: v.value for k, v in failed.metadata.items()}
    assert (md["rows_checked"], md["rows_loaded"], md["rows_quarantined"]) == (1, 0, 1)
    expectation = "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted)"
    assert md["failed_expectation_names"] == [expectation]
    assert md["failed_expectations"] == f"{expectation}: 1 row"
    assert md["quarantined_row_ids"] == "test-contradiction#air_attack#ru/drone"
    assert md["quarantined_rows"] == [
        {
            "row_id": "test-contradiction#air_attack#ru/drone",
            "reason": "intercepted_gt_launched",
            "expectation": expectation,
        }
    ]
    assert failed.description == f"1 of 1 row quarantined on {CONTRADICTION_DAY}: {expectation} (1 row)"
    page = Path(md["data_docs_failed_rows"].removeprefix("file://"))
    assert page.is_file() and "intercepted" in page.read_text()  # GX's own page of the failed expectation
    # the outcome ledger rows behind the rejected row follow it, and that day's ledger check says why
    ledger = gx[("warehouse/attack_outcomes", "gx_attack_outcomes", CONTRADICTION_DAY)]
    assert not ledger.passed
    assert ledger.metadata["failed_expectation_names"].value == ["parent_air_attack_quarantined"]
    # every other day of every validated table passed, each with its own evaluation
    others = [c for k, c in gx.items() if k[1].startswith("gx_") and c not in (failed, ledger)]
    assert others and all(c.passed for c in others)
    assert {c.partition for c in others if c.check_name == "gx_air_attacks"} >= {"2025-03-02", "2025-03-05"}


def test_second_run_changes_nothing(two_runs) -> None:
    *_, snap1, snap2, _ = two_runs
    assert {t: snap1[t].height for t in TABLES} == {t: snap2[t].height for t in TABLES}
    assert all(snap1[t].equals(snap2[t]) for t in TABLES)
    assert snap1["quarantine"].height > 0  # the contradiction's row and the bad inputs, kept as they were


def test_definitions_validate() -> None:
    dagster_bin = Path(sys.executable).with_name("dagster")
    proc = subprocess.run(
        [str(dagster_bin), "definitions", "validate", "-w", str(REPO / "workspace.yaml")],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    defs = load_definitions()
    assert defs.resolve_job_def("salvo_all") is not None
    assert {s.name for s in defs.schedules} == {"salvo_daily"}
    assert {s.name for s in defs.sensors} == {
        "landing_folder_sensor",
        "feed_sensor",
        "salvo_run_failure_sensor",
        "salvo_reports_refresh",
    }
    assert all(s.description for s in [*defs.schedules, *defs.sensors])


def test_executor_is_configuration() -> None:
    """SALVO_EXECUTOR picks one of Dagster's executors by name; nothing else in the code changes."""
    import importlib.util

    from pipelines.definitions import executor_from_env

    assert executor_from_env({}) is dg.in_process_executor  # the fast default for a chain of light steps
    assert executor_from_env({"SALVO_EXECUTOR": "multiprocess"}) is dg.multiprocess_executor
    defs = load_definitions()
    # the job, and the implicit asset job that backfills and the UI's "Materialize" launch
    assert defs.resolve_job_def("salvo_all").executor_def.name == "in_process"
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    with pytest.raises(ValueError, match="not one of"):
        executor_from_env({"SALVO_EXECUTOR": "os.system"})
    if importlib.util.find_spec("dagster_k8s") is None:
        with pytest.raises(ImportError, match="pip install dagster-k8s"):
            executor_from_env({"SALVO_EXECUTOR": "k8s"})


def test_every_asset_follows_the_conventions() -> None:
    """Kinds, owners, a code version, a code reference and a description on every asset; per-day assets are
    partitioned and what is not per day is not; the publishing steps share the salvo_warehouse pool."""
    defs = load_definitions()
    graph = defs.resolve_asset_graph()
    unpartitioned = set()
    for node in graph.asset_nodes:
        name = node.key.to_user_string()
        assert node.kinds and node.owners == ["team:salvo"] and node.description, name
        assert node.code_version and len(node.code_version) == 12, name
        assert "dagster/code_references" in node.metadata, name
        if not node.is_partitioned:
            unpartitioned.add(name)
    assert unpartitioned == {
        "warehouse/weapons",
        "report_views",
        "daily_launched_intercepted_chart",
        "warehouse_export",
    }
    assert "duckdb" in graph.get(dg.AssetKey(["warehouse", "air_attacks"])).kinds
    assert "great_expectations" in graph.get(dg.AssetKey("validated_events")).kinds
    pools = {a.op.name: a.op.pool for a in defs.assets if isinstance(a, dg.AssetsDefinition)}
    assert pools["warehouse_tables"] == pools["warehouse__weapons"] == "salvo_warehouse"  # the two publishers
    # a changed source file changes the code version of the assets it decides, and only theirs
    from pipelines.defs import conventions

    versions = {n.key.to_user_string(): n.code_version for n in graph.asset_nodes}
    assert versions["air_attack_reports"] != versions["validated_events"] != versions["warehouse/air_attacks"]
    assert conventions.source_version.__wrapped__(
        "pipelines/extract/**/*.py"
    ) != conventions.source_version.__wrapped__("pipelines/ingest/**/*.py")
