"""Daily partitions: a partition re-run replaces exactly that day's rows, a backfill over a range equals the
days run one by one, articles seen in an earlier run are not processed twice, and the schedule and the
landing-folder sensor ask for the right days (the sensor only when something new arrived). The runs stop at the
warehouse tables and their checks (helpers.load_days): the views, the chart and the export after them only read
what was published."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from helpers import D1, D2, D3, article, load_days, resources_for, stamp

from pipelines.defs.automation import landing_folder_sensor, salvo_daily
from pipelines.defs.resources import ArticleSourceResource, WarehouseResource

WIRE = (
    "Russia launched 48 Shahed drones and three Iskander-M ballistic missiles at Ukraine overnight, the Ukrainian "
    "air force said on Sunday. Air defences shot down 40 drones and two missiles over the Kyiv, Chernihiv and "
    "Sumy regions, it said in a statement. Debris fell on a residential district of Kyiv, where emergency crews "
    "worked through the night, the city military administration said. Power was cut to several thousand homes "
    "on the left bank of the Dnipro river, and repair crews were restoring supply by the morning."
)
TABLES = ("articles", "air_attacks", "casualties", "territorial_control", "quarantine")


def write_days(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    article(folder, "a1", D1, "Russia launched 30 drones at Kharkiv overnight; air defences shot down 25.")
    article(folder, "b1", D1, "A Russian missile strike on Odesa killed three people and injured 12.")
    empty = folder / "empty_d1.txt"
    empty.write_text("   ")
    stamp(empty, D1)  # undated: belongs to the day it landed
    article(folder, "a2", D2, "Russia fired 9 missiles at Lviv; seven were intercepted, the air force said.")
    (folder / "broken_d2.jsonl").write_text("{broken\n")
    stamp(folder / "broken_d2.jsonl", D2)
    article(
        folder, "a3", D3, "Russia's defence ministry said its troops had taken the village of Novoselivka."
    )


def snapshot(db: Path, where: str = "") -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def day_of_rows(db: Path) -> dict[str, set]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": set(con.sql("SELECT article_id, partition_date FROM articles").fetchall()),
            "quarantine": set(
                con.sql(
                    "SELECT reason, json_extract_string(row_json, '$.partition_date') FROM quarantine "
                    "WHERE stage = 'ingest'"
                ).fetchall()
            ),
        }
    finally:
        con.close()


def test_partition_rerun_replaces_exactly(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    write_days(folder)
    res = resources_for(folder, db)

    ranged = load_days(D1, D3, res)  # a backfill over the range: one run
    assert ranged.success
    full = snapshot(db)
    assert [r[0] for r in full["articles"]] == ["a1", "a2", "a3", "b1"]
    rows = day_of_rows(db)
    assert rows["quarantine"] == {("empty_text", str(D1)), ("invalid_json", str(D2))}
    assert len(full["air_attacks"]) == 2 and len(full["casualties"]) == 1

    assert load_days(D1, D1, res).success  # re-running a day changes nothing
    assert snapshot(db) == full

    # items gone from the sources: a re-run of their day removes their rows, and only theirs
    (folder / "b1.json").unlink()
    (folder / "empty_d1.txt").unlink()
    assert load_days(D1, D1, res).success
    after = snapshot(db)
    assert [r[0] for r in after["articles"]] == ["a1", "a2", "a3"]
    assert after["casualties"] == []  # b1's event went with it
    assert day_of_rows(db)["quarantine"] == {("invalid_json", str(D2))}
    assert (
        after["air_attacks"] == full["air_attacks"]
        and after["territorial_control"] == full["territorial_control"]
    )

    write_days(folder)  # back as they were: the day is as before
    assert load_days(D1, D1, res).success
    assert snapshot(db) == full

    # the same days one by one into a fresh warehouse: the same tables as the one-run backfill
    db2 = tmp_path / "w2.duckdb"
    res2 = resources_for(folder, db2)
    for day in (D3, D1, D2):
        assert load_days(day, day, res2).success
    assert snapshot(db2) == full


def test_seen_before_is_not_processed_twice(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    text = "Russia launched 30 drones at Kharkiv overnight; air defences shot down 25."
    article(folder, "first", D1, text, url="https://ex.org/story")
    article(
        folder, "other", D1, "Ministers met in Brussels to discuss sanctions.", url="https://ex.org/other"
    )
    article(folder, "wire", D1, WIRE + " The ministry said more details would follow.")
    res = resources_for(folder, db)
    assert load_days(D1, D1, res).success
    # the landing folder is emptied after the run; a day later the same story comes back under other ids:
    # the same text, and a rewrite at the same (differently spelt) URL
    (folder / "first.json").unlink()
    (folder / "other.json").unlink()
    (folder / "wire.json").unlink()
    article(folder, "again", D2, "  " + text.upper())
    article(
        folder,
        "rewrite",
        D2,
        "Kharkiv was attacked by 30 drones.",
        url="http://www.ex.org/story/?utm_source=a",
    )
    article(folder, "new", D2, "Russia fired 4 missiles at Dnipro, the air force said.")
    article(folder, "wire-copy", D2, WIRE + " Reporting by the wire service; editing by the desk.")
    assert load_days(D2, D2, res).success
    con = duckdb.connect(str(db), read_only=True)
    try:
        arts = con.sql("SELECT article_id FROM articles ORDER BY 1").fetchall()
        q = con.sql(
            "SELECT reason, row_json FROM quarantine WHERE stage = 'ingest' ORDER BY row_id"
        ).fetchall()
        air = con.sql("SELECT article_id FROM air_attacks ORDER BY 1").fetchall()
    finally:
        con.close()
    assert arts == [("first",), ("new",), ("other",), ("wire",), ("wire-copy",)]
    assert [(r, json.loads(j)["duplicate_of"]) for r, j in q] == [
        ("already_loaded", "first"),
        ("already_loaded", "first"),
    ]
    assert air[:2] == [("first",), ("new",)] and ("wire-copy",) not in air  # not extracted twice
    con = duckdb.connect(str(db), read_only=True)
    try:  # the next day's copy of a wire story loaded the day before is linked to it
        links = con.sql(
            "SELECT article_id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    assert links == [("wire-copy", "wire")]


def test_schedule_runs_the_day_that_ended() -> None:
    ctx = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 6, 2, 0, 30, tzinfo=UTC))
    req = salvo_daily(ctx)
    assert req.partition_key == "2025-06-01"


def test_sensor_fires_only_on_new_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("SALVO_LANDING_DIR", str(landing))
    resources = {"article_source": ArticleSourceResource(paths=[str(landing)])}

    ctx = dg.build_sensor_context(cursor=None, resources=resources)
    assert isinstance(landing_folder_sensor(ctx), dg.SkipReason)  # empty folder

    article(landing, "x1", D1, "Russia launched 5 drones.")
    article(landing, "x2", D2, "Russia launched 6 drones.")
    ctx = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    reqs = landing_folder_sensor(ctx)
    assert sorted(r.partition_key for r in reqs) == [str(D1), str(D2)]

    ctx = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    assert isinstance(landing_folder_sensor(ctx), dg.SkipReason)  # nothing new: no run

    article(landing, "x3", D3, "Russia launched 7 drones.")
    undated = landing / "note.txt"
    undated.write_text("Russia launched 8 drones.")
    stamp(undated, D2)
    ctx = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    reqs = landing_folder_sensor(ctx)
    assert sorted(r.partition_key for r in reqs) == [str(D2), str(D3)]  # only the new files' days
    assert len({r.run_key for r in reqs}) == 2

    ctx = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    assert isinstance(landing_folder_sensor(ctx), dg.SkipReason)


def test_rows_from_before_partitions_are_replaced(tmp_path: Path) -> None:
    """A warehouse loaded before loads were partitioned (rows without a day) does not block or duplicate."""
    import polars as pl

    from pipelines.ingest import ingest_quarantine, read_articles
    from pipelines.ingest.items import accepted_articles
    from pipelines.warehouse import load_batch

    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    write_days(folder)
    legacy = read_articles(folder).with_columns(partition_date=pl.lit(None, pl.Date))
    load_batch(db, accepted_articles(legacy), {}, ingest_quarantine(legacy))
    assert load_days(D1, D3, resources_for(folder, db)).success
    rows = day_of_rows(db)
    assert rows["articles"] == {("a1", D1), ("b1", D1), ("a2", D2), ("a3", D3)}
    assert rows["quarantine"] == {("empty_text", str(D1)), ("invalid_json", str(D2))}


def test_backfills_are_cut_into_bounded_runs() -> None:
    """A long range becomes runs of at most MAX_DAYS_PER_RUN days (memory per run is bounded, and the runs of a
    backfill can be queued in parallel); stretches of days far apart stay separate runs."""
    from datetime import timedelta

    from pipelines.cli import load_definitions
    from pipelines.defs.partitions import MAX_DAYS_PER_RUN, contiguous_ranges

    start = date(2024, 1, 1)
    days = [start + timedelta(days=i) for i in range(120)] + [date(2024, 9, 1)]
    ranges = contiguous_ranges(days, max_days=50)
    assert ranges == [
        (date(2024, 1, 1), date(2024, 2, 19)),
        (date(2024, 2, 20), date(2024, 4, 9)),
        (date(2024, 4, 10), date(2024, 4, 29)),
        (date(2024, 9, 1), date(2024, 9, 1)),
    ]
    assert all((b - a).days < 50 for a, b in ranges)
    raw = load_definitions().resolve_assets_def("raw_articles")
    policy = raw.backfill_policy
    assert policy is not None and policy.max_partitions_per_run == MAX_DAYS_PER_RUN


def _rows_of_day(db: Path, table: str, day: date) -> int:
    """A table's rows of one day in the warehouse, by the day the load stored on each row (`partition_date`:
    an event row's article's, a quarantine row's item's or article's)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = f"SELECT count(*) FROM {table} WHERE partition_date = $d"
        return con.sql(sql, params={"d": day}).fetchall()[0][0]
    finally:
        con.close()


def test_a_ranged_run_records_each_days_own_figures(tmp_path: Path) -> None:
    """A run over three days records, on each day's materialization, that day's rows (not the run's), says
    plainly where a figure is the run's, and evaluates each table's GX check once per day: only the day with
    the bad row fails, naming its expectation and row, and the instance keeps each day's result apart."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    write_days(folder)
    article(folder, "bad2", D2, "Russia launched five drones at Sumy. Air defences destroyed nine drones.")
    instance = dg.DagsterInstance.ephemeral()
    result = load_days(D1, D3, resources_for(folder, db), instance=instance)
    assert result.success
    mats = {
        (m.asset_key.to_user_string(), m.partition): {k: v.value for k, v in m.metadata.items()}
        for m in (e.event_specific_data.materialization for e in result.get_asset_materialization_events())
    }
    counts = {}
    for table in (
        "articles",
        "air_attacks",
        "casualties",
        "territorial_control",
        "quarantine",
        "attack_outcomes",
    ):
        for day in (D1, D2, D3):
            md = mats[(f"warehouse/{table}", str(day))]
            counts[(table, day)] = md["dagster/row_count"]
            assert md["dagster/row_count"] == _rows_of_day(db, table, day), (table, day)
            assert md["run_days"] == f"{D1}..{D3}"
    assert [counts[("articles", d)] for d in (D1, D2, D3)] == [2, 2, 1]
    assert [counts[("air_attacks", d)] for d in (D1, D2, D3)] == [1, 1, 0]  # bad2's row is quarantined
    assert len({counts[("quarantine", d)] for d in (D1, D2, D3)}) > 1  # per day, not the run's total
    derived = mats[("warehouse/attack_events", str(D2))]
    assert "dagster/row_count" not in derived and derived["figures"].startswith("the whole run's")

    checks = {
        (c.check_name, c.partition): c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "gx_air_attacks"
    }
    assert set(checks) == {("gx_air_attacks", str(d)) for d in (D1, D2, D3)}
    bad = checks[("gx_air_attacks", str(D2))]
    assert (
        not bad.passed
        and checks[("gx_air_attacks", str(D1))].passed
        and checks[("gx_air_attacks", str(D3))].passed
    )
    md = {k: v.value for k, v in bad.metadata.items()}
    assert (md["rows_checked"], md["rows_loaded"], md["rows_quarantined"]) == (2, 1, 1)
    assert [r["row_id"] for r in md["quarantined_rows"]] == ["bad2#air_attack#ru/drone"]
    assert "expect_column_pair_values_a_to_be_greater_than_b(launched,intercepted) (1 row)" in bad.description
    history = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey(["warehouse", "air_attacks"]), "gx_air_attacks"), limit=10
    )
    assert {(r.partition, r.status) for r in history} == {
        (str(D1), AssetCheckExecutionRecordStatus.SUCCEEDED),
        (str(D2), AssetCheckExecutionRecordStatus.FAILED),
        (str(D3), AssetCheckExecutionRecordStatus.SUCCEEDED),
    }


def test_a_failed_run_is_logged_and_recorded_beside_the_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.defs.warehouse as warehouse_defs
    from pipelines.defs.automation import salvo_run_failure_sensor

    def broken_publish(*_args, **_kwargs):
        raise OSError("disk full (raised by the test)")

    monkeypatch.setattr(warehouse_defs, "publish_run", broken_publish)
    folder, db = tmp_path / "in", tmp_path / "w" / "salvo.duckdb"
    write_days(folder)
    instance = dg.DagsterInstance.ephemeral()
    result = load_days(D1, D2, resources_for(folder, db), instance=instance)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(
        e for e in instance.all_logs(run.run_id) if e.dagster_event and e.dagster_event.is_run_failure
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="salvo_run_failure_sensor",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure.dagster_event,
        resources={"warehouse": WarehouseResource(db_path=str(db))},
    ).for_run_failure()
    salvo_run_failure_sensor(context)
    [line] = (db.parent / "run_failures.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert (record["run_id"], record["days"]) == (run.run_id, f"{D1}..{D2}")
    assert list(record["failed_steps"]) == ["warehouse_tables"]
    assert "disk full (raised by the test)" in record["failed_steps"]["warehouse_tables"]
