"""The `salvo` command: extract writes the JSON-lines contract; run and report work on a real warehouse."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """`salvo run` once over an article written for these tests; the report tests read its warehouse."""
    base = tmp_path_factory.mktemp("cli")
    arts = base / "in"
    arts.mkdir()
    (arts / "a.txt").write_text(
        "Russia fired 12 missiles at Kyiv overnight. Air defences destroyed ten of them."
    )
    db = base / "w.duckdb"
    run = subprocess.run(
        [SALVO, "run", "--articles", str(arts), "--db", str(db)], capture_output=True, text=True, timeout=300
    )
    return db, run


def test_run_then_report(run_output: tuple[Path, subprocess.CompletedProcess]) -> None:
    db, run = run_output
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\n  air_attacks +1 rows", run.stdout)
    assert re.search(r"checks: \d+ passed, 0 failed", run.stdout)
    rep = subprocess.run([SALVO, "report", "interception_rate_by_class", "--db", str(db), "--format", "json"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert rep.returncode == 0, rep.stderr
    row = json.loads(rep.stdout.splitlines()[0])
    assert (row["weapon_class"], row["launched"], row["intercepted"]) == ("missile", 12, 10)
    bad = subprocess.run(
        [SALVO, "report", "no_such_report", "--db", str(db)], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "unknown report" in bad.stderr


def test_report_into_a_closed_pipe_exits_quietly(
    run_output: tuple[Path, subprocess.CompletedProcess],
) -> None:
    db, run = run_output
    assert run.returncode == 0
    # every report at once is far more than a pipe buffer, so the pipe does break
    proc = subprocess.run(
        f"'{SALVO}' report --db '{db}' | head -n 1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.startswith("== ")
    assert "BrokenPipeError" not in proc.stderr and "Traceback" not in proc.stderr
