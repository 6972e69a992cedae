"""Nothing lost, nothing duplicated: the conservation check catches a silent drop, and a run killed with
SIGKILL in the middle of its DuckDB load leaves the previous good warehouse readable, after which the next
run ends in the same tables as a clean run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import D1, LOADS_ONLY, article, materialize_all

import pipelines.defs.warehouse as warehouse_defs
from pipelines.bench import synth

SALVO = str(Path(sys.executable).with_name("salvo"))


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every base table's rows, sorted: two warehouses are the same when their snapshots are equal."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.sql(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


def test_conservation_check_fails_loudly_on_a_silent_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_publish = warehouse_defs.publish_run

    def lossy_publish(db_path, raw, articles, *args, **kwargs):  # loses one article on the way into DuckDB
        return real_publish(db_path, raw, articles.head(max(articles.height - 1, 0)), *args, **kwargs)

    monkeypatch.setattr(warehouse_defs, "publish_run", lossy_publish)
    folder = tmp_path / "in"
    folder.mkdir()  # two articles of one day: one run
    article(folder, "a", D1, "Russia launched 30 drones at Kharkiv overnight; air defences shot down 25.")
    article(folder, "b", D1, "Two people were killed in a strike on Odesa, the governor said.")
    results = materialize_all(folder, tmp_path / "w.duckdb", selection=LOADS_ONLY)  # up to the tables' checks
    checks = [c for r in results for c in r.get_asset_check_evaluations() if c.check_name == "conservation"]
    assert checks and not all(c.passed for c in checks)
    failed = next(c for c in checks if not c.passed)
    assert failed.severity.value == "ERROR"
    md = {k: v.value for k, v in failed.metadata.items()}
    assert md["items_in"] == md["articles_loaded"] + md["items_quarantined"] + 1


def _write_archive(folder: Path, n: int) -> None:
    """n synthetic ~3 KB articles of one day: one run (each run costs seconds of Dagster start-up), whose load
    lasts long enough to be killed in the middle."""
    folder.mkdir(parents=True)
    pool = synth._filler_pool(7)
    with (folder / "archive.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(synth.make_article(7, i, pool, per_day=n)) + "\n")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALVO_", "DAGSTER_HOME"))}
    env["SALVO_FEEDS"] = ""
    env["SALVO_PAGES"] = ""
    return env


def test_sigkill_during_load_keeps_the_last_good_state(tmp_path: Path) -> None:
    env = _env()
    first_day, archive = tmp_path / "first", tmp_path / "archive"
    _write_archive(archive, 200)
    first_day.mkdir()  # the good state: the day's first 20 articles; the killed run would replace the day
    lines = (archive / "archive.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (first_day / "first.jsonl").write_text("".join(lines[:20]), encoding="utf-8")
    db = tmp_path / "w" / "salvo.duckdb"

    # the runs around the killed one go in-process (each `salvo run` process spends ~8 s importing GX and
    # Dagster); the publish they go through is the same code
    assert all(r.success for r in materialize_all(first_day, db))
    good = snapshot(db)
    clean = tmp_path / "clean" / "salvo.duckdb"  # the reference: the same good start, never interrupted
    clean.parent.mkdir()
    shutil.copy2(db, clean)

    # the run that dies: killed the moment its staging copy exists, i.e. while it loads into DuckDB
    proc = subprocess.Popen(
        [SALVO, "run", "--articles", str(archive), "--db", str(db)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    killed_during_load = False
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(f".{db.name}.staging-") for p in db.parent.iterdir()):
            os.killpg(proc.pid, signal.SIGKILL)
            killed_during_load = True
            break
        time.sleep(0.002)
    proc.wait(timeout=30)
    assert killed_during_load, (
        "the run finished before its load could be interrupted; make the archive larger"
    )

    # the published warehouse is the last good one, readable, whole
    assert snapshot(db) == good

    # the next run completes, and ends in the same tables as a clean run over the same inputs
    assert all(r.success for r in materialize_all(archive, db))
    assert not any(p.name.startswith(f".{db.name}.staging-") for p in db.parent.iterdir())
    assert all(r.success for r in materialize_all(archive, clean))
    assert snapshot(db) == snapshot(clean)
    assert pl.DataFrame({"n": [len(v) for v in snapshot(db).values()]})["n"].sum() > len(good["articles"])
