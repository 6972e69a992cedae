"""The warehouse as a DuckLake: its catalog in a real PostgreSQL server started for these tests
(tests/postgres.py: initdb into a temporary folder, pg_ctl on a Unix socket in it), its data in a local folder.

- the whole graph runs against the lake, and every table and view equals the same runs on a DuckDB file
  (same SQL, same results);
- a publish that loses its commit to another run's is retried whole and ends as the same publishes in
  sequence; two processes publishing at once end as in sequence (the whole runs of a backfill in parallel:
  -m slow);
- a reader querying the lake in a loop while runs commit is never refused and never sees half a run (-m slow);
- a writer killed with SIGKILL during its commit leaves the last committed snapshot (at once; later kills,
  which may land after the commit, with -m slow);
- `salvo report` reads the lake, as of any snapshot too.

Skipped, with the reason, only where no PostgreSQL server can be started."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import resources_for
from postgres import Postgres, Unavailable, running
from warehouse_reader import SNAPSHOT_SQL, consistent
from warehouse_rows import batch, night_reports, publish_when_told, tables

from pipelines.defs.resources import WarehouseResource
from pipelines.reports import report_names, run_report
from pipelines.schema import WAREHOUSE_TABLES
from pipelines.settings import Lake
from pipelines.warehouse import connect, publish_batch, publish_session
from pipelines.warehouse.db import lake_snapshot
from pipelines.warehouse.publish import retrying

SALVO = str(Path(sys.executable).with_name("salvo"))


@pytest.fixture(scope="module")
def pg() -> Iterator[Postgres]:
    try:
        with running() as server:
            yield server
    except Unavailable as exc:
        pytest.skip(f"the DuckLake tests need a PostgreSQL server, and none can be started here: {exc}")


@pytest.fixture
def lake(pg: Postgres, tmp_path: Path) -> Lake:
    """A new lake: an empty database of its own, its data under the test's folder."""
    return pg.lake(f"lake_{uuid.uuid4().hex[:10]}", tmp_path / "lake-data")


def _run_graph(folder: Path, target: Path | Lake) -> list:
    """What `salvo run` does (one run per stretch of days), into `target`."""
    from pipelines.cli import materialize_days, plan_days
    from pipelines.days import contiguous_ranges

    resources = resources_for(folder, Path("unused.duckdb"))
    resources["warehouse"] = WarehouseResource.of(target)
    return [
        materialize_days(first, last, resources) for first, last in contiguous_ranges(plan_days(resources))
    ]


@pytest.fixture(scope="module")
def graph(pg: Postgres, seeds_graph: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The seeds (with the items helpers.write_articles puts beside them) through the whole graph: into a lake
    here, and into a DuckDB file by the session's `seeds_graph` (tests/conftest.py), whose second pass over the
    same items leaves every table as the first (test_warehouse_run.py)."""
    lake = pg.lake("graph", tmp_path_factory.mktemp("graph") / "lake-data")
    runs = {"file": seeds_graph["first"], "lake": _run_graph(seeds_graph["articles"], lake)}
    return {"file": seeds_graph["db"], "lake": lake, "runs": runs}


def _views(target: Path | Lake) -> dict[str, pl.DataFrame]:
    """Every report view's rows, in one order, through one read-only connection."""
    con = connect(target, read_only=True)
    try:
        return {name: con.sql(f'SELECT * FROM "{name}" ORDER BY ALL').pl() for name in report_names()}
    finally:
        con.close()


def _comments(target: Path | Lake) -> list[tuple]:
    con = connect(target, read_only=True)
    try:
        return con.sql(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_the_whole_graph_runs_against_a_lake(graph: dict) -> None:
    lake: Lake = graph["lake"]
    for result in graph["runs"]["lake"]:
        assert result.success
        failed = [c for c in result.get_asset_check_evaluations() if not c.passed and c.severity.value == "ERROR"]
        assert failed == []
    got = tables(lake)
    assert got["articles"].height > 0 and got["air_attacks"].height > 0 and got["attack_events"].height > 0
    # the files beside the warehouse go to the lake's data folder; no DuckDB file anywhere
    files = Path(lake.data_path)
    assert (files / "export" / "air_attacks.parquet").is_file() and (files / "export" / "acled_export.csv").is_file()
    assert (files / "reports" / "daily_launched_intercepted.png").is_file()
    assert (files / "data_docs" / "index.html").is_file()
    assert not list(files.rglob("*.duckdb"))
    # every run's publish is a snapshot of its own, and the run records which
    snapshots = [
        m.event_specific_data.materialization.metadata["ducklake_snapshot"].value
        for r in graph["runs"]["lake"]
        for m in r.get_asset_materialization_events()
        if m.asset_key.path == ["warehouse", "articles"]
    ]
    assert snapshots and all(isinstance(s, int) for s in snapshots)
    assert max(snapshots) <= lake_snapshot(lake)


def test_a_lake_holds_the_same_tables_and_views_as_a_file_after_the_same_runs(graph: dict) -> None:
    file_db, lake = graph["file"], graph["lake"]
    assert all(r.success for r in graph["runs"]["file"])
    want, got = tables(file_db), tables(lake)
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table
    want_views, got_views = _views(file_db), _views(lake)
    for name in report_names():
        assert got_views[name].equals(want_views[name]), name
    assert _comments(lake) == _comments(file_db)


def test_salvo_report_reads_a_lake_and_any_snapshot_of_it(lake: Lake, tmp_path: Path) -> None:
    d1, d2 = dt.date(2025, 8, 1), dt.date(2025, 8, 2)
    publish_batch(lake, **batch(d1))
    first = lake_snapshot(lake)
    publish_batch(lake, **batch(d2))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALVO_")}
    env.update(SALVO_WAREHOUSE=lake.uri, SALVO_WAREHOUSE_DATA=lake.data_path)

    def report(*args: str) -> list[dict]:
        done = subprocess.run(
            [SALVO, "report", "daily_air_attacks", "--format", "json", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    assert [r["day"] for r in report()] == [str(d1), str(d2)]
    assert [r["day"] for r in report("--as-of", str(first))] == [str(d1)]
    assert run_report(lake, "daily_air_attacks", as_of=first).height == 1
    # the query an analyst types, in any DuckDB session with the lake attached
    con = connect(lake, read_only=True)
    try:
        [(n,)] = con.sql(f"SELECT count(*) FROM articles AT (VERSION => {int(first)})").fetchall()
    finally:
        con.close()
    assert n == 3
    done = subprocess.run([SALVO, "report", "--as-of", "1", "--db", str(tmp_path / "w.duckdb")], env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "--as-of" in done.stderr and "Traceback" not in done.stderr


def test_a_publish_that_loses_its_commit_is_retried_whole(lake: Lake, pg: Postgres, tmp_path: Path) -> None:
    """Deterministic: while the first attempt's transaction is open, another run commits the next day's
    reports of the same night; the first attempt's commit conflicts, nothing of it is written, and the
    second attempt loads against the new snapshot. The end equals the same publishes in sequence."""
    base, night = dt.date(2025, 8, 1), dt.date(2025, 8, 2)
    d1, d2 = night, night + dt.timedelta(days=1)
    publish_batch(lake, **night_reports(base, base))
    attempts: list[int] = []

    def attempt() -> None:
        with publish_session(lake) as session:
            session.load(**night_reports(d1, night))
            if not attempts:
                publish_batch(lake, **night_reports(d2, night))  # another run commits meanwhile
            attempts.append(lake_snapshot(lake))

    retrying(lake, attempt)
    assert len(attempts) == 2

    sequential = tmp_path / "sequential.duckdb"
    for day in (base, d2, d1):
        publish_batch(sequential, **night_reports(day, night if day != base else base))
    want, got = tables(sequential), tables(lake)
    assert got["attack_events"]["n_reports"].to_list() == [3, 6]
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table

    with pytest.raises(duckdb.TransactionException, match="conflict"):  # without `retrying`, the conflict shows
        with publish_session(lake) as session:
            session.load(**night_reports(d1, night))
            publish_batch(lake, **night_reports(d2, night))


# about 40 s of process start-up on 2 cores; the default suite's lake concurrency guard is the deterministic
# conflict test above (a commit that loses is retried whole)
@pytest.mark.slow
def test_two_processes_publishing_at_once_on_a_lake_equal_the_same_publishes_in_sequence(
    pg: Postgres, tmp_path: Path
) -> None:
    """The parallel-runs test of tests/test_parallel_runs.py on a lake: the two publishes are not serialized
    by any lock; one of them conflicts at commit and is retried."""
    base, night = dt.date(2025, 8, 1), dt.date(2025, 8, 2)
    days = [night, night + dt.timedelta(days=1)]
    sequential = pg.lake(f"seq_{uuid.uuid4().hex[:8]}", tmp_path / "seq-data")
    parallel = pg.lake(f"par_{uuid.uuid4().hex[:8]}", tmp_path / "par-data")
    for target in (sequential, parallel):
        publish_batch(target, **night_reports(base, base))
    for day in days:
        publish_batch(sequential, **night_reports(day, night))

    go, ready = tmp_path / "go", [tmp_path / f"ready-{d}" for d in days]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = [
            pool.apply_async(publish_when_told, (parallel, d, night, str(r), str(go)))
            for d, r in zip(days, ready, strict=True)
        ]
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        for r in started:
            r.get(timeout=300)

    want, got = tables(sequential), tables(parallel)
    assert got["attack_events"]["n_reports"].to_list() == [3, 6]
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table


def _run_range(lake: Lake, first: dt.date, last: dt.date) -> bool:
    from warehouse_rows import seed_resources

    from pipelines.cli import materialize_days

    resources = seed_resources(":unused:")
    resources["warehouse"] = WarehouseResource.of(lake)
    return materialize_days(first, last, resources).success


@pytest.mark.slow  # two cold `materialize` processes on a lake; the publishing part above is in the default suite
def test_runs_of_a_backfill_in_parallel_on_a_lake_equal_the_same_runs_in_sequence(
    pg: Postgres, tmp_path: Path
) -> None:
    from warehouse_rows import seed_resources

    from pipelines.cli import plan_days
    from pipelines.days import contiguous_ranges

    ranges = contiguous_ranges(plan_days(seed_resources(":unused:")))
    first, last = max(ranges, key=lambda r: (r[1] - r[0]).days)
    middle = first + dt.timedelta(days=(last - first).days // 2)
    halves = [(first, middle), (middle + dt.timedelta(days=1), last)]
    sequential = pg.lake(f"seq_{uuid.uuid4().hex[:8]}", tmp_path / "seq-data")
    parallel = pg.lake(f"par_{uuid.uuid4().hex[:8]}", tmp_path / "par-data")
    assert all(_run_range(sequential, a, b) for a, b in halves)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert all(pool.starmap(_run_range, [(parallel, a, b) for a, b in halves]))
    want, got = tables(sequential), tables(parallel)
    assert want["articles"].height > 0
    for table in WAREHOUSE_TABLES:
        assert got[table].equals(want[table]), table


# A reader process: salvo's own read-only connection (the lake attached READ_ONLY), one snapshot per connection,
# no retry: a refusal would be recorded as an error.
LAKE_READER = r"""
import json, os, sys, time
from pipelines.settings import Lake
from pipelines.warehouse import connect
catalog, data, stop, out, sql = sys.argv[1:6]
lake = Lake(catalog, data)
with open(out, "w") as fh:
    while not os.path.exists(stop):
        started = time.monotonic()
        try:
            con = connect(lake, read_only=True)
            try:
                rel = con.sql(sql)
                names = [d[0] for d in rel.description]
                row = rel.fetchall()[0]
            finally:
                con.close()
            fh.write(json.dumps({"snapshot": dict(zip(names, row)), "s": time.monotonic() - started}) + "\n")
        except Exception as exc:
            fh.write(json.dumps({"error": repr(exc), "s": time.monotonic() - started}) + "\n")
        fh.flush()
        time.sleep(0.02)  # leave the writer some CPU on a 2-core machine
"""
# the views of the lake's own catalog only
LAKE_SNAPSHOT_SQL = SNAPSHOT_SQL.replace(
    "WHERE NOT internal", "WHERE NOT internal AND database_name = current_database()"
)


def _reads(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.slow  # a reader attaching in a loop beside five publishes: about a minute on a busy 2-core machine
def test_a_reader_of_a_lake_is_never_refused_and_never_sees_half_a_run(lake: Lake, tmp_path: Path) -> None:
    d0, k, n = dt.date(2025, 8, 1), 4, 6  # k articles a day, each reporting that day's one attack
    publish_batch(lake, **batch(d0, n=k))
    script, stop, out = tmp_path / "reader.py", tmp_path / "stop", tmp_path / "reads.jsonl"
    script.write_text(LAKE_READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), lake.catalog, lake.data_path, str(stop), str(out), LAKE_SNAPSHOT_SQL]
    )
    try:
        deadline = time.monotonic() + 60
        while _reads(out) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        for i in range(1, n):
            day = d0 + dt.timedelta(days=i)
            publish_batch(lake, **batch(day, n=k))
        seen = _reads(out)
        while _reads(out) < seen + 2 and time.monotonic() < deadline + 60:
            time.sleep(0.02)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    reads = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r for r in reads if "error" in r] == []
    snapshots = [r["snapshot"] for r in reads]
    assert all(consistent(s) for s in snapshots), [s for s in snapshots if not consistent(s)][:3]
    assert all(s["articles"] == k * s["attack_events"] == s["air_attacks"] for s in snapshots)
    days_seen = [s["attack_events"] for s in snapshots]
    assert days_seen == sorted(days_seen) and days_seen[0] >= 1 and days_seen[-1] == n
    assert len(set(days_seen)) >= 2  # the reads overlapped the commits


KILLED_WRITER = r"""
import sys, datetime as dt
sys.path.insert(0, sys.argv[3])
from warehouse_rows import batch
from pipelines.settings import Lake
from pipelines.warehouse import publish_session
lake = Lake(sys.argv[1], sys.argv[2])
day = dt.date(2025, 8, 2)
with publish_session(lake) as session:
    session.load(**batch(day, n=400, text_bytes=3000))
    print("committing", flush=True)  # the block's end: views and comments (unchanged), then COMMIT
"""


@pytest.mark.parametrize(
    "delay_s", [0.0, pytest.param(0.1, marks=pytest.mark.slow), pytest.param(0.25, marks=pytest.mark.slow)]
)
def test_a_writer_killed_during_its_commit_leaves_the_last_committed_snapshot(
    lake: Lake, tmp_path: Path, delay_s: float
) -> None:
    """A writer loads 400 articles in its transaction, says so, and ends its block (views and comments
    compared, then COMMIT: about 0.3 s here), and is killed with SIGKILL `delay_s` into that. The lake is then
    as before, or (a later kill, after the commit landed) holds the whole batch in one more snapshot; and the
    next publish works. Killed at once, the commit has not landed."""
    day = dt.date(2025, 8, 2)
    publish_batch(lake, **batch(dt.date(2025, 8, 1)))
    before, snapshot = tables(lake), lake_snapshot(lake)
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER)
    tests = str(Path(__file__).resolve().parent)
    writer = subprocess.Popen(
        [sys.executable, str(script), lake.catalog, lake.data_path, tests], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "committing"
    time.sleep(delay_s)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    after = tables(lake)
    if delay_s == 0 or lake_snapshot(lake) == snapshot:
        assert lake_snapshot(lake) == snapshot  # nothing of it is there
        assert all(after[t].equals(before[t]) for t in WAREHOUSE_TABLES)
    else:  # the commit landed before the kill: one snapshot, the whole batch
        assert lake_snapshot(lake) == snapshot + 1
        assert after["articles"].filter(pl.col("partition_date") == day).height == 400
    d3 = dt.date(2025, 8, 3)
    publish_batch(lake, **batch(d3))  # and the lake takes the next publish
    assert d3 in set(tables(lake)["articles"]["partition_date"].to_list())


def test_a_missing_extension_wheel_is_one_sentence_naming_it() -> None:
    """An s3:// data path needs the httpfs and aws extensions, which are not salvo's dependencies: without
    their wheels, the error names the one to install (nothing is downloaded, and no server is needed to say so)."""
    from pipelines.warehouse.db import LakeUnavailable, extension_file

    if extension_file("httpfs", "duckdb-extension-httpfs") is not None:  # pragma: no cover - installed here
        pytest.skip("the httpfs wheel is installed here")
    with pytest.raises(LakeUnavailable, match=r"pip install duckdb-extension-httpfs==1\.5\.5") as raised:
        connect(Lake(catalog="host=/nonexistent dbname=salvo", data_path="s3://bucket/salvo/"), read_only=True)
    assert "\n" not in str(raised.value)
