"""A reader process for the concurrency tests: it opens the warehouse read-only in a loop (plain duckdb.connect,
no retry, so a refusal is recorded as an error) and records one snapshot per connection."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipelines.reports import report_names

# One snapshot per connection: per-article counts, derived counts, and the views. In any published state the
# derived tables agree with the per-article ones; a half-written run (tables loaded, not yet consolidated, or
# views missing) would break one of the equalities checked by `consistent`.
SNAPSHOT_SQL = """
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM air_attacks) AS air_attacks,
    (SELECT count(*) FROM air_attacks) + (SELECT count(*) FROM casualties)
        + (SELECT count(*) FROM territorial_control) AS report_rows,
    (SELECT count(*) FROM event_reports) AS event_reports,
    (SELECT count(*) FROM attack_events) AS attack_events,
    (SELECT count(DISTINCT event_key) FROM event_reports WHERE event_type = 'air_attack' AND counted) AS attack_keys,
    (SELECT coalesce(sum(n_reports), 0)::BIGINT FROM attack_events) AS attack_reports_counted,
    (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views
"""

READER = r"""
import duckdb, json, os, sys, time
db, stop, out, sql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(out, "w") as fh:
    while not os.path.exists(stop):
        if not os.path.exists(db):  # before the first publish
            time.sleep(0.002)
            continue
        started = time.monotonic()
        try:
            con = duckdb.connect(db, read_only=True)  # no retry: a refusal is recorded as an error
            try:
                names = [d[0] for d in con.sql(sql).description]
                row = con.sql(sql).fetchall()[0]
            finally:
                con.close()
            fh.write(json.dumps({"snapshot": dict(zip(names, row)), "s": time.monotonic() - started}) + "\n")
        except Exception as exc:
            fh.write(json.dumps({"error": repr(exc), "s": time.monotonic() - started}) + "\n")
        fh.flush()
        time.sleep(0.003)  # leave the writer some CPU on a 2-core machine
"""


class Reader:
    """A separate process reading the warehouse in a loop until stopped."""

    def __init__(self, db: Path, workdir: Path):
        self.stop_file, self.out = workdir / "stop", workdir / "reads.jsonl"
        script = workdir / "reader.py"
        script.write_text(READER)
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(db), str(self.stop_file), str(self.out), SNAPSHOT_SQL]
        )

    def wait_for_reads(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.out.exists() and len(self.out.read_text().splitlines()) >= n:
                return
            time.sleep(0.01)
        raise TimeoutError("the reader made no reads")

    def finish(self) -> list[dict[str, Any]]:
        self.stop_file.touch()
        self.proc.wait(timeout=30)
        return [json.loads(line) for line in self.out.read_text().splitlines()]


# A read while runs publish may cost this many times a quiet read of the same warehouse by the same reader,
# measured in the same test (`quiet_read_s`): the publishes swap a new file in and never make a reader wait for
# them. About 5x here on a busy 2-core machine; a slow machine slows both sides alike.
READ_OVER_QUIET = 25


def quiet_read_s(db: Path, workdir: Path, n: int = 20) -> float:
    """The median seconds of one open + query of `db` by a reader process with no writer about."""
    workdir.mkdir(parents=True, exist_ok=True)
    reader = Reader(db, workdir)
    try:
        reader.wait_for_reads(n)
    finally:
        reads = reader.finish()
    assert [r for r in reads if "error" in r] == []
    return statistics.median(r["s"] for r in reads)


def consistent(s: dict[str, int]) -> bool:
    return (
        s["event_reports"] == s["report_rows"]
        and s["attack_events"] == s["attack_keys"]
        and s["attack_reports_counted"] == s["air_attacks"]
        and s["views"] == len(report_names())
    )
