"""The seeds through the whole Dagster graph, twice, with a reader process querying all along: the warehouse
model, every view, `salvo report`, the chart and the Parquet export as `make run` leaves them. Those runs are
the session's `seeds_graph` (tests/conftest.py), shared with test_pipeline and test_lake: the seeds with the
items helpers.write_articles puts beside them (a contradiction, an empty file, a broken JSON line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from helpers import CONTRADICTION_DAY, UNDATED_DAY
from warehouse_reader import READ_OVER_QUIET, consistent
from warehouse_rows import seed_resources

from pipelines.cli import load_definitions
from pipelines.reports import report_names, run_report
from pipelines.schema import WAREHOUSE_TABLES
from pipelines.warehouse import key_columns

REPO = Path(__file__).resolve().parents[1]
SALVO = str(Path(sys.executable).with_name("salvo"))


@pytest.fixture
def seeded(seeds_graph: dict) -> dict:
    return seeds_graph


def test_runs_succeed_and_every_check_passes_but_the_contradictions(seeded) -> None:
    results = seeded["first"] + seeded["second"]
    assert all(r.success for r in results)
    checks = [c for r in results for c in r.get_asset_check_evaluations()]
    assert {c.check_name for c in checks} >= {"conservation", "found_on_disk", "no_orphans", "gx_attack_outcomes"}
    # the one report whose figures contradict each other fails its day's check and the ledger check behind it
    # (test_pipeline.py reads them); every other check of every day passes, in both passes
    failed = {(c.check_name, c.partition) for c in checks if not c.passed}
    assert failed == {("gx_air_attacks", CONTRADICTION_DAY), ("gx_attack_outcomes", CONTRADICTION_DAY)}


def test_reader_during_the_runs_never_failed_nor_saw_half_a_run(seeded) -> None:
    reads = seeded["reads"]
    assert [r for r in reads if "error" in r] == []
    snapshots = [r["snapshot"] for r in reads]
    assert snapshots and all(consistent(s) for s in snapshots)
    slowest, quiet = max(r["s"] for r in reads), seeded["quiet"]
    assert slowest < READ_OVER_QUIET * quiet, f"slowest read {slowest:.3f} s, a quiet one {quiet:.3f} s"
    # the whole first pass: the seeds' 7 articles, the contradiction's and the good JSON line's
    assert snapshots[-1]["articles"] == seeded["snap1"]["articles"].height == 9


def test_second_run_leaves_every_table_identical(seeded) -> None:
    snap1, snap2 = seeded["snap1"], seeded["snap2"]
    assert set(snap1) == set(WAREHOUSE_TABLES)
    for table in WAREHOUSE_TABLES:
        assert snap1[table].equals(snap2[table]), table
        assert snap1[table].height > 0 or table == "quarantine", table


def test_the_seeds_relay_and_official_reports_become_one_disputed_event(seeded) -> None:
    events = seeded["snap2"]["attack_events"].filter(pl.col("event_key") == "2025-03-02/RU/drone")
    e = events.row(0, named=True)
    assert (e["launched"], e["intercepted"], e["launched_min"], e["launched_max"]) == (96, 71, 90, 96)
    assert (e["n_sources"], e["disputed"], e["chosen_source_kind"]) == (2, True, "official")
    assert e["chosen_event_id"] == "sample-001-overnight-attack#air_attack#ru/drone"


@pytest.mark.parametrize("name", report_names())
def test_every_view_returns_rows_on_the_seeds(seeded, name: str) -> None:
    assert run_report(seeded["db"], name).height > 0


def test_salvo_report_prints_every_view(seeded) -> None:
    db = str(seeded["db"])
    table = subprocess.run([SALVO, "report", "--db", db], capture_output=True, text=True, timeout=120)
    assert table.returncode == 0, table.stderr
    for name in report_names():
        assert f"== {name}: " in table.stdout
    csv = subprocess.run(
        [SALVO, "report", "acled_export", "--db", db, "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert csv.returncode == 0 and csv.stdout.startswith(
        "event_date,event_type,sub_event_type,actor1,admin1,location,fatalities,notes,source\n"
    )
    js = subprocess.run(
        [SALVO, "report", "source_disagreements", "--db", db, "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert js.returncode == 0, js.stderr
    # two reports of each disputed event: the seeds' of 2 March, and the missiles of the day the undated files
    # landed (the seed article's 40 and the good JSON line's 3)
    keys = [json.loads(line)["event_key"] for line in js.stdout.splitlines()]
    assert sorted(keys) == ["2025-03-02/RU/drone"] * 2 + [f"{UNDATED_DAY}/RU/missile"] * 2


def test_chart_is_written_and_linked_from_the_asset_metadata(seeded) -> None:
    reports = seeded["db"].parent / "reports"
    png, html = reports / "daily_launched_intercepted.png", reports / "daily_launched_intercepted.html"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    assert "data:image/png;base64," in html.read_text()
    materializations = [
        m
        for r in seeded["second"]
        for m in r.get_asset_materialization_events()
        if m.asset_key.path == ["daily_launched_intercepted_chart"]
    ]
    assert materializations and all(m.partition is None for m in materializations)  # not per day
    metadata = materializations[-1].event_specific_data.materialization.metadata
    assert metadata["png"].value == str(png) and metadata["html"].value == str(html)
    assert metadata["chart_embedded"].value.startswith("![launched vs intercepted](data:image/png;base64,")
    assert "chart" not in metadata  # an ephemeral instance has no compute log folder to serve it from
    # the seeds' undated article is dated by its file's day: not drawn, and it does not stretch the axis
    assert metadata["days"].value == "2025-03-02..2025-03-05" and metadata["events_not_drawn"].value > 0


def test_the_chart_is_served_inline_by_the_webserver(seeded, tmp_path: Path) -> None:
    """With a real instance, the chart's Markdown is an image URL short enough for the UI to show inline, and the
    webserver (its ASGI app, in process) answers that URL with the PNG."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import EmptyWorkspaceTarget
    from dagster_webserver.webserver import DagsterWebserver
    from starlette.testclient import TestClient

    from pipelines.defs.reports import INLINE_KEY, daily_launched_intercepted_chart

    (tmp_path / "home").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        result = dg.materialize(
            [daily_launched_intercepted_chart],
            resources={"warehouse": seed_resources(seeded["db"])["warehouse"]},
            instance=instance,
        )
        md = result.get_asset_materialization_events()[0].event_specific_data.materialization.metadata
        chart = md["chart"].value
        assert len(chart) < 1000  # the UI expands Markdown under 1,000 characters in place
        url = chart.removeprefix("![launched vs intercepted](").removesuffix(")")
        assert url.startswith("/logs/salvo/reports/daily_launched_intercepted/png?v=")
        with WorkspaceProcessContext(instance, EmptyWorkspaceTarget()) as context:
            client = TestClient(DagsterWebserver(context).create_asgi_app())
            response = client.get(url)
        served = Path(instance.compute_log_manager.get_captured_local_path(INLINE_KEY, "png"))
        assert response.status_code == 200 and response.content == served.read_bytes()
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(response.content[16:20], "big") == 600  # narrower than the file: the page's column


def test_every_table_is_exported_as_parquet(seeded) -> None:
    export = seeded["db"].parent / "export"
    snap = seeded["snap2"]
    for table in WAREHOUSE_TABLES:
        frame = pl.read_parquet(export / f"{table}.parquet")
        assert frame.height == snap[table].height, table
        assert frame.columns == list(WAREHOUSE_TABLES[table]), table
        assert frame.equals(snap[table].sort(list(key_columns(table)))), table
    acled = pl.read_csv(export / "acled_export.csv")
    assert acled.height == pl.read_parquet(export / "acled_export.parquet").height > 0


def test_dagster_table_metadata_documents_every_column() -> None:
    defs = load_definitions()
    specs = {s.key: s for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition) for s in a.specs}
    for table, schema in WAREHOUSE_TABLES.items():
        spec = specs[dg.AssetKey(["warehouse", table])]
        columns = spec.metadata["dagster/column_schema"].columns
        assert [c.name for c in columns] == list(schema), table
        assert all(c.description for c in columns), table
    assert specs[dg.AssetKey(["warehouse", "attack_events"])].deps  # lineage: derived from the report tables


def test_published_file_has_no_leftovers(seeded) -> None:
    names = sorted(p.name for p in seeded["db"].parent.iterdir())
    assert names == [".salvo.duckdb.lock", "data_docs", "export", "reports", "salvo.duckdb"]
    duckdb.connect(str(seeded["db"]), read_only=True).close()
