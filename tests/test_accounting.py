"""Every input item accounted for: the folder rule (regular files only, hidden ones included; symlinks never
followed; FIFOs, sockets, dangling symlinks and loops one row each, never a hang), an empty `.jsonl` gets a
row, the `found_on_disk` check counts what is on disk rather than what was read, a rerun replaces the
quarantine rows of the inputs it reads whatever their day, and a row whose article is missing (an orphan) is
deleted with its day and fails the `no_orphans` check. The runs stop at the warehouse tables and their checks
(helpers.load_days)."""

from __future__ import annotations

import json
import os
import socket
import threading
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import load_days, resources_for, stamp

from pipelines.ingest import raw_articles_frame
from pipelines.ingest.folder import inventory, read_folder, unaccounted
from pipelines.schema import AIR_ATTACKS, ARTICLES, QUARANTINE
from pipelines.warehouse import load_batch

ATTACK = "Russia launched {n} drones at Kharkiv overnight; air defences shot down {m} of them."
PLANTED = "Russia launched 777 drones at Lutsk overnight; air defences shot down 700 of them."


def _hostile_folder(base: Path) -> tuple[Path, dict[str, str | None]]:
    """A folder of every kind of entry, and the reason each must end with (None: an article)."""
    folder, outside = base / "in", base / "outside"
    (folder / ".cache").mkdir(parents=True)
    (folder / "sub").mkdir()
    outside.mkdir()
    (outside / "planted.txt").write_text(PLANTED)
    (outside / "a.txt").write_text(ATTACK.format(n=5, m=4))
    (folder / "a.txt").write_text(ATTACK.format(n=12, m=10))
    (folder / ".hidden.txt").write_text(ATTACK.format(n=13, m=11))
    (folder / ".cache" / "x.txt").write_text(ATTACK.format(n=14, m=12))
    (folder / "sub" / "deep.json").write_text(json.dumps({"id": "deep", "text": ATTACK.format(n=15, m=13)}))
    (folder / "empty.jsonl").write_text("")
    (folder / "blank.jsonl").write_text("\n   \n\n")
    os.symlink(outside / "planted.txt", folder / "outside_link.txt")  # a file outside the folder
    os.symlink("/proc/self/status", folder / "kernel.txt")  # a kernel pseudo-file
    os.symlink(folder / "a.txt", folder / "inside_link.txt")  # a file inside it
    os.symlink(outside, folder / "linked_dir")  # a folder: everything under it would be read twice or more
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    os.symlink(folder / "loop_b.txt", folder / "loop_a.txt")
    os.symlink(folder / "loop_a.txt", folder / "loop_b.txt")
    os.mkfifo(folder / "pipe.txt")  # nobody writes: opening it for reading would block for ever
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "sock.jsonl"))
    sock.close()
    expected = {
        "a.txt": None,
        ".hidden.txt": None,
        ".cache/x.txt": None,
        "sub/deep.json": None,
        "empty.jsonl": "empty_text",
        "blank.jsonl": "empty_text",
        "outside_link.txt": "symlink_not_followed",
        "kernel.txt": "symlink_not_followed",
        "inside_link.txt": "symlink_not_followed",
        "linked_dir": "symlink_not_followed",
        "dangling.txt": "symlink_not_followed",
        "loop_a.txt": "symlink_not_followed",
        "loop_b.txt": "symlink_not_followed",
        "pipe.txt": "not_a_regular_file",
        "sock.jsonl": "not_a_regular_file",
    }
    return folder, expected


def _read_within(folder: Path, seconds: float = 20.0) -> pl.DataFrame:
    """read_folder in a thread: a reader that blocks (on a FIFO) fails the test instead of hanging it."""
    out: list[pl.DataFrame] = []
    thread = threading.Thread(target=lambda: out.append(raw_articles_frame(read_folder(folder))), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, "reading the folder hung"
    return out[0]


def test_every_entry_of_a_folder_is_one_row_with_its_reason(tmp_path: Path) -> None:
    folder, expected = _hostile_folder(tmp_path)
    raw = _read_within(folder)
    got = {
        str(Path(r["origin"]).relative_to(folder)): r["reject_reason"]
        for r in raw.select("origin", "reject_reason").iter_rows(named=True)
    }
    assert got == expected
    assert raw.height == len(expected)  # one row each: nothing skipped, nothing read twice
    texts = " ".join(raw["text"].drop_nulls().to_list())
    assert "777" not in texts and "Lutsk" not in texts  # the planted file outside was never read
    assert "VmRSS" not in texts  # nor the kernel's
    # what os.walk finds on disk is exactly what the rows name
    assert sorted(inventory([folder])) == sorted(str(folder / name) for name in expected)
    assert unaccounted(inventory([folder]), raw["origin"].to_list()) == []


def test_a_configured_path_that_is_a_fifo_or_a_dangling_link_is_one_row(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.jsonl")
    os.symlink(tmp_path / "gone", tmp_path / "gone.jsonl")
    for name, reason in (("fifo.jsonl", "not_a_regular_file"), ("gone.jsonl", "unreadable_file")):
        raw = _read_within(tmp_path / name)
        assert raw.select("origin", "reject_reason").rows() == [(str(tmp_path / name), reason)]


def test_unaccounted_names_the_entries_no_item_came_from() -> None:
    found = ["/in/a.jsonl", "/in/a", "/in/b.xml", "/in/c.txt"]
    origins = ["/in/a.jsonl:1", "/in/a.jsonl:3", "/in/b.xml#entry-1", "/in/a.txt"]
    assert unaccounted(found, origins) == ["/in/a", "/in/c.txt"]  # "/in/a.txt" is not "/in/a"


def _checks(result) -> dict[str, bool]:
    return {c.check_name: c.passed for c in result.get_asset_check_evaluations()}


def test_the_found_on_disk_check_counts_entries_not_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that silently skips an entry (as FIFOs, sockets and symlinks were skipped before) fails the
    check: it compares os.walk's listing with the items' origins."""
    import pipelines.ingest.folder as folder_mod

    folder = tmp_path / "in"
    folder.mkdir()
    day = date(2025, 4, 1)
    (folder / "a.json").write_text(json.dumps({"id": "a", "published_at": str(day), "text": ATTACK.format(n=8, m=6)}))
    os.mkfifo(folder / "pipe.txt")
    stamp(folder / "a.json", day)
    stamp(folder / "pipe.txt", day)  # an entry without a date belongs to the day it landed
    db = tmp_path / "w.duckdb"
    result = load_days(day, day, resources_for(folder, db))
    assert result.success and _checks(result)["found_on_disk"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert ("pipe.txt", "not_a_regular_file") in {
            (Path(r).name, why) for r, why in con.sql("SELECT row_id, reason FROM quarantine").fetchall()
        }
    finally:
        con.close()

    real_entries = folder_mod._entries
    monkeypatch.setattr(  # the old behaviour: anything but a regular file skipped without a word
        folder_mod, "_entries", lambda f, seen: (e for e in real_entries(f, seen) if e[1] == "file")
    )
    result = load_days(day, day, resources_for(folder, db))
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert not checks["found_on_disk"].passed and checks["found_on_disk"].severity.value == "ERROR"
    assert checks["found_on_disk"].metadata["entries_without_item"].value == 1


def _quarantined(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT row_id, reason, partition_date FROM quarantine ORDER BY ALL").fetchall()
    finally:
        con.close()


def _article_ids(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.sql("SELECT article_id FROM articles").fetchall()}
    finally:
        con.close()


def test_fixed_lines_leave_quarantine_whatever_their_day(tmp_path: Path) -> None:
    """A line that cannot be read (invalid JSON) or dated (a garbled date) is filed under its file's day (it
    has no date of its own). Fixed, it loads as an article of its published day; the rerun of that day
    replaces the old row of the file's day too, so the item is not both an article and a quarantine row."""
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    d_file, d1, d2 = date(2025, 4, 20), date(2025, 4, 1), date(2025, 4, 2)
    line = lambda i, day: json.dumps({"id": i, "published_at": day, "text": ATTACK.format(n=20 + len(i), m=18)})  # noqa: E731
    src = folder / "batch.jsonl"
    src.write_text("\n".join([line("ok", str(d1)), '{"id": "late", "text": broken', line("odd", "2025-04-02garbage")]))
    stamp(src, d_file)
    assert load_days(d1, d_file, resources_for(folder, db)).success
    assert _quarantined(db) == [
        (str(src) + ":2", "invalid_json", d_file),  # filed under the file's day
        (str(src) + ":3", "unparseable_date", d_file),
    ]

    src.write_text("\n".join([line("ok", str(d1)), line("late", str(d2)), line("odd", str(d2))]))
    stamp(src, d_file)
    assert load_days(d1, d2, resources_for(folder, db)).success  # only the days the items now have
    assert _article_ids(db) == {"ok", "late", "odd"}
    assert _quarantined(db) == []  # the old rows of 2025-04-20 went with their inputs' rerun


def test_orphan_rows_go_with_their_day_and_fail_the_check(tmp_path: Path) -> None:
    """An event row whose article is missing (what mixed runs left behind) is found by the no_orphans check,
    which reads the whole warehouse, and is deleted when its own day is replaced: by partition_date, not
    through the articles table, where it has no row."""
    folder, db = tmp_path / "in", tmp_path / "w.duckdb"
    folder.mkdir()
    d_orphan, d_other = date(2025, 4, 5), date(2025, 4, 9)
    ghost = pl.DataFrame(
        [{"event_id": "ghost#air_attack#ru/drone", "article_id": "ghost", "attacker": "RU", "weapon_class": "drone",
          "launched": 99, "intercepted": 1, "launched_qualifier": "exact", "event_date": d_orphan,
          "partition_date": d_orphan}],
        schema={**AIR_ATTACKS, "partition_date": pl.Date},
    )  # fmt: skip
    load_batch(db, pl.DataFrame(schema=ARTICLES), {"air_attacks": ghost}, pl.DataFrame(schema=QUARANTINE))

    other = load_days(d_other, d_other, resources_for(folder, db))  # another day: the orphan stays
    assert other.success and _checks(other)["no_orphans"] is False
    again = load_days(d_orphan, d_orphan, resources_for(folder, db))  # its day, now empty, is replaced
    assert again.success and _checks(again)["no_orphans"] is True
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM air_attacks").fetchall() == [(0,)]
        assert con.sql("SELECT count(*) FROM attack_events").fetchall() == [(0,)]  # no phantom attack
    finally:
        con.close()


def test_an_older_warehouse_gets_every_rows_day(tmp_path: Path) -> None:
    """A warehouse written before rows carried their day: the first load adds partition_date to every
    per-article table, filled from the row's article (an ingest reject's from its row_json), so the next
    day's replacement deletes only that day's rows."""
    from pipelines.schema import DAY_TABLES, WAREHOUSE_TABLES
    from pipelines.warehouse import connect as wconnect
    from pipelines.warehouse.db import create_table_sql

    db = tmp_path / "old.duckdb"
    d1, d2 = date(2025, 4, 1), date(2025, 4, 2)
    con = wconnect(db)
    try:
        for table in WAREHOUSE_TABLES:
            con.execute(create_table_sql(table))
        for table in DAY_TABLES:
            con.execute(f'ALTER TABLE "{table}" DROP COLUMN partition_date')
        con.execute("INSERT INTO articles (article_id, text, partition_date) VALUES ('a1', 't', $d), ('a2', 't', $e)",
                    {"d": d1, "e": d2})  # fmt: skip
        con.execute("INSERT INTO air_attacks (event_id, article_id) VALUES ('a1#x', 'a1'), ('a2#x', 'a2')")
        con.execute(
            "INSERT INTO quarantine (quarantine_id, stage, row_id, row_json) "
            "VALUES ('q', 'ingest', 'f.jsonl:2', '{\"partition_date\": \"2025-04-02\"}')"
        )
    finally:
        con.close()
    articles = pl.DataFrame([{"article_id": "a1", "text": "t", "partition_date": d1}], schema=ARTICLES)
    load_batch(db, articles, {}, pl.DataFrame(schema=QUARANTINE), partitions=(d1, d1), consolidate=False)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.sql("SELECT event_id, partition_date FROM air_attacks").fetchall() == [("a2#x", d2)]
        assert con.sql("SELECT row_id, partition_date FROM quarantine").fetchall() == [("f.jsonl:2", d2)]
    finally:
        con.close()
