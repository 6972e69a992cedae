"""The `salvo` command: extract writes the JSON-lines contract; run and report work on a real warehouse."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

SALVO = str(Path(sys.executable).with_name("salvo"))


def test_extract_writes_contract_rows(tmp_path: Path) -> None:
    src = tmp_path / "articles.jsonl"
    src.write_text(
        json.dumps({"id": "c1", "url": None, "title": None, "published_at": "2025-01-02", "source": None,
                    "text": "Russia launched 44 drones overnight and air defences shot down 40 of them."}) + "\n"
        + json.dumps({"id": "c2", "text": "Ministers met to discuss a trade agreement worth 3 billion euros."}) + "\n"
        + "not json\n"
    )  # fmt: skip
    proc = subprocess.run([SALVO, "extract", str(src)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows == [
        {"article_id": "c1", "event_type": "air_attack", "attacker": "RU", "weapon_class": "drone", "launched": 44,
         "intercepted": 40, "launched_qualifier": "exact", "event_date": "2025-01-02"}
    ]  # fmt: skip
    assert "invalid_json" in proc.stderr  # the bad line is reported, not silently dropped


def test_run_then_report(tmp_path: Path) -> None:
    arts = tmp_path / "in"
    arts.mkdir()
    (arts / "a.txt").write_text(
        "Russia fired 12 missiles at Kyiv overnight. Air defences destroyed ten of them."
    )
    db = tmp_path / "w.duckdb"
    run = subprocess.run(
        [SALVO, "run", "--articles", str(arts), "--db", str(db)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\n  air_attacks +1 rows", run.stdout) and re.search(
        r"checks: \d+ passed, 0 failed", run.stdout
    )
    rep = subprocess.run([SALVO, "report", "interception_rate_by_class", "--db", str(db), "--format", "json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert rep.returncode == 0, rep.stderr
    row = json.loads(rep.stdout.splitlines()[0])
    assert (row["weapon_class"], row["launched"], row["intercepted"]) == ("missile", 12, 10)
    bad = subprocess.run(
        [SALVO, "report", "no_such_report", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "unknown report" in bad.stderr


def test_report_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    arts = tmp_path / "in"
    arts.mkdir()
    (arts / "a.txt").write_text(
        "Russia fired 12 missiles at Kyiv overnight. Air defences destroyed ten of them."
    )
    db = tmp_path / "w.duckdb"
    assert (
        subprocess.run(
            [SALVO, "run", "--articles", str(arts), "--db", str(db)], capture_output=True, timeout=300
        ).returncode
        == 0
    )
    proc = subprocess.run(
        f"'{SALVO}' report --db '{db}' | head -n 1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert "BrokenPipeError" not in proc.stderr and "Traceback" not in proc.stderr
