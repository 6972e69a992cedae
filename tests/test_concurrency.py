"""Readers while runs write: a reader process querying in a loop is never refused and never sees half a run;
concurrent publishers are serialized; a failed or crashed publish leaves the published warehouse as it was."""

from __future__ import annotations

import datetime as dt
import errno
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from warehouse_reader import READ_OVER_QUIET, Reader, consistent, quiet_read_s

from pipelines.schema import AIR_ATTACKS, ARTICLES, QUARANTINE, conform
from pipelines.warehouse import connect, publish_batch, publish_batches, publish_session
from pipelines.warehouse.publish import copy_file


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return conform(pl.DataFrame(rows, schema=schema), schema)


def day_batch(day: dt.date, k: int = 4) -> dict[str, Any]:
    """k articles of `day`, each reporting the same night's drone attack with its own figures."""
    ids = [f"{day.isoformat()}-{i}" for i in range(k)]
    return {
        "articles": frame(
            [
                {
                    "article_id": a,
                    "url": f"https://o{i}.example.org/{a}",
                    "title": a,
                    "published_at": day,
                    "source": f"outlet {i}",
                    "text": "...",
                    "content_hash": a,
                    "origin": "tests",
                    "partition_date": day,
                }
                for i, a in enumerate(ids)
            ],
            ARTICLES,
        ),  # fmt: skip
        "events": {
            "air_attacks": frame(
                [
                    {
                        "event_id": f"{a}#air_attack#ru/drone",
                        "article_id": a,
                        "attacker": "RU",
                        "weapon_class": "drone",
                        "launched": 100 + i,
                        "intercepted": 90,
                        "event_date": day,
                        "evidence": f"{100 + i} drones",
                    }
                    for i, a in enumerate(ids)
                ],
                AIR_ATTACKS,
            )  # fmt: skip
        },
        "quarantine": frame([], QUARANTINE),
    }


D0 = dt.date(2025, 8, 1)


def test_reader_is_never_refused_and_never_sees_half_a_run(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    k, n = 4, 8
    publish_batch(db, **day_batch(D0, k), partitions=(D0, D0))
    reader = Reader(db, tmp_path)
    try:
        reader.wait_for_reads(3)
        for i in range(1, n):
            day = D0 + dt.timedelta(days=i)
            publish_batch(db, **day_batch(day, k), partitions=(day, day))
            # a reader may be between two connections when a publish swaps the file in: no sleep needed
        reader.wait_for_reads(len(reader.out.read_text().splitlines()) + 3)
    finally:
        reads = reader.finish()
    quiet = quiet_read_s(db, tmp_path / "quiet")  # the same reads of the last warehouse, with no writer
    errors = [r for r in reads if "error" in r]
    assert errors == []
    snapshots = [r["snapshot"] for r in reads]
    assert len(snapshots) >= 10
    assert all(consistent(s) for s in snapshots), [s for s in snapshots if not consistent(s)][:3]
    # every snapshot is a whole run: i days published, k articles and one attack event each
    assert all(s["articles"] == k * s["attack_events"] == s["air_attacks"] for s in snapshots)
    days_seen = [s["attack_events"] for s in snapshots]
    assert days_seen == sorted(days_seen)  # never back in time
    assert days_seen[0] == 1 and days_seen[-1] == n
    assert len(set(days_seen)) >= 3  # the reads really overlapped the publishes
    # each open + query took well under the "few seconds": never long enough to have waited for a publish
    slowest = max(r["s"] for r in reads)
    assert slowest < READ_OVER_QUIET * quiet, f"slowest read {slowest:.3f} s, a quiet one {quiet:.3f} s"


def test_concurrent_publishers_are_serialized(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    days = [D0 + dt.timedelta(days=i) for i in range(1, 5)]
    start = threading.Barrier(len(days))
    failures: list[BaseException] = []

    def publish(day: dt.date) -> None:
        try:
            start.wait()
            publish_batch(db, **day_batch(day), partitions=(day, day))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=publish, args=(d,)) for d in days]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    con = connect(db, read_only=True)
    try:
        published = con.sql("SELECT DISTINCT partition_date FROM articles ORDER BY 1").fetchall()
    finally:
        con.close()
    # without the writer lock, publishers that copied the same file would each drop the others' days
    assert [d for (d,) in published] == [D0, *days]


def test_a_failed_publish_leaves_the_published_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipelines.warehouse.publish as publish_mod

    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    before = db.read_bytes()

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("crash mid-load")

    monkeypatch.setattr(publish_mod, "load_batch", crash)
    with pytest.raises(RuntimeError, match="crash mid-load"):
        publish_batch(db, **day_batch(D0 + dt.timedelta(days=1)))
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salvo.duckdb.lock", "salvo.duckdb"]


def test_leftovers_of_crashed_writers_are_cleaned_up(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    # a staging file of a publish that was killed, and a WAL left by someone who wrote the file in place and died
    (tmp_path / ".salvo.duckdb.staging-999-deadbeef").write_bytes(b"half a warehouse")
    script = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute(\"UPDATE articles SET title = 'written in place' WHERE article_id = '2025-08-01-0'\"); "
        "os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True)
    assert (tmp_path / "salvo.duckdb.wal").exists()
    day = D0 + dt.timedelta(days=1)
    publish_batch(db, **day_batch(day), partitions=(day, day))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salvo.duckdb.lock", "salvo.duckdb"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        title = con.sql("SELECT title FROM articles WHERE article_id = '2025-08-01-0'").fetchall()
        n = con.sql("SELECT count(*) FROM articles").fetchall()[0][0]
    finally:
        con.close()
    assert title == [("written in place",)] and n == 8  # the WAL's change was carried into the new file


def test_readers_retry_while_someone_holds_a_write_lock(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    script = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(1.0)"
    holder = subprocess.Popen([sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, text=True)
    exited: list[float] = []  # when the holder was gone, i.e. the lock released
    watcher = threading.Thread(target=lambda: (holder.wait(timeout=30), exited.append(time.monotonic())))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        locked = time.monotonic()
        watcher.start()
        with pytest.raises(duckdb.IOException):
            connect(db, read_only=True, timeout_s=0.1)  # refused, and gives up quickly when told to
        started = time.monotonic()
        con = connect(db, read_only=True, timeout_s=10)  # retries until the writer is gone
        waited = time.monotonic() - started
        con.close()
    finally:
        holder.wait(timeout=30)
        watcher.join(timeout=30)
    held = exited[0] - locked  # ~1 s of sleep plus the holder's exit, however slow the machine
    # it got in soon after the writer left (its retries back off to at most 0.25 s), not at its 10 s timeout
    assert waited < 2 * held, f"waited {waited:.2f} s for a lock held {held:.2f} s"


def _published_days(db: Path) -> list[dt.date]:
    con = connect(db, read_only=True)
    try:
        return [d for (d,) in con.sql("SELECT DISTINCT partition_date FROM articles ORDER BY 1").fetchall()]
    finally:
        con.close()


def test_a_run_of_several_batches_is_published_once(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    days = [D0 + dt.timedelta(days=i) for i in range(1, 4)]
    with publish_session(db) as session:
        for day in days:
            session.load(**day_batch(day), partitions=(day, day))
            assert _published_days(db) == [D0]  # readers see the warehouse as it was before the run
        staging = session.path
        assert staging.exists() and staging != db
    assert _published_days(db) == [D0, *days]
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salvo.duckdb.lock", "salvo.duckdb"]


def test_a_run_that_fails_half_way_publishes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **day_batch(D0), partitions=(D0, D0))
    before = db.read_bytes()
    day = D0 + dt.timedelta(days=1)

    def batches() -> Iterator[dict[str, Any]]:
        yield {**day_batch(day), "partitions": (day, day)}
        raise RuntimeError("the second batch failed")

    with pytest.raises(RuntimeError, match="the second batch failed"):
        publish_batches(db, batches())
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".salvo.duckdb.lock", "salvo.duckdb"]


@pytest.mark.parametrize("refused", [(), ("reflink",), ("reflink", "copy_file_range")])
def test_the_staging_copy_is_exact_whichever_way_it_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: tuple[str, ...]
) -> None:
    """A reflink where the filesystem shares blocks, else copy_file_range, else a plain copy."""
    import pipelines.warehouse.publish as publish_mod

    def unsupported(*args: Any) -> None:
        raise OSError(errno.EOPNOTSUPP, "not supported here")

    if "reflink" in refused:
        monkeypatch.setattr(publish_mod.fcntl, "ioctl", unsupported)
    if "copy_file_range" in refused:
        monkeypatch.setattr(publish_mod.os, "copy_file_range", unsupported)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    how = copy_file(source, target)
    assert target.read_bytes() == source.read_bytes()
    if "copy_file_range" in refused:
        assert how == "shutil"
    elif "reflink" in refused:
        assert how == "copy_file_range"
    else:
        assert how in ("reflink", "copy_file_range")  # a reflink on btrfs or XFS
