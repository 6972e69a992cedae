"""The `salvo` command: extract writes the JSON-lines contract; run and report work on a real warehouse."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
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


def test_extract_in_chunks_gives_the_same_rows(tmp_path: Path) -> None:
    """Chunks bound memory; they change neither the rows, nor their order, nor the rule that a repeated id is a
    duplicate, even when its first copy was in an earlier chunk."""
    texts = [
        "Russia launched 12 drones at Sumy overnight; air defences destroyed nine of them.",
        "Two people were killed and five injured in Kherson after shelling, the governor said.",
        "Ukraine's General Staff said its forces had liberated the village of Stepove.",
        "The council approved a new school budget on Tuesday.",
    ]
    lines = [
        json.dumps({"id": f"k{i}", "published_at": "2025-02-03", "text": texts[i % 4]}) for i in range(9)
    ]
    lines.append(json.dumps({"id": "k1", "published_at": "2025-02-03", "text": "Russia fired 3 missiles."}))
    src = tmp_path / "articles.jsonl"
    src.write_text("\n".join(lines) + "\n")
    outs = []
    for chunk in ("20000", "2"):
        proc = subprocess.run(
            [SALVO, "extract", str(src), "--evidence", "--chunk", chunk],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert "duplicate_article_id" in proc.stderr  # the second k1 (in the last chunk) is reported
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    rows = [json.loads(line) for line in outs[0].splitlines()]
    assert {r["event_type"] for r in rows} == {"air_attack", "casualties", "territorial_control"}
    assert not any(r["article_id"] == "k1" and r.get("launched") == 3 for r in rows)


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
    # an instance of its own with the project's settings, as `make run` gives one: not the DAGSTER_HOME of
    # whoever runs the tests (`make test` exports the checkout's .dagster), nor their SALVO_* settings
    home = base / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster-instance.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALVO_", "DAGSTER_HOME"))}
    env["DAGSTER_HOME"] = str(home)
    run = subprocess.run(
        [SALVO, "run", "--articles", str(arts), "--db", str(db)], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
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


def test_the_cli_imports_no_dagster_to_report_or_extract(tmp_path: Path) -> None:
    """`salvo report` and `salvo extract` are plain code: importing the CLI, printing every report and
    extracting a file never import Dagster (about 1.2 s), which only `salvo run` needs."""
    import polars as pl

    from pipelines.schema import ARTICLES, QUARANTINE
    from pipelines.warehouse import publish_batch

    db = tmp_path / "w.duckdb"
    publish_batch(db, pl.DataFrame(schema=ARTICLES), {}, pl.DataFrame(schema=QUARANTINE))
    src = tmp_path / "articles.jsonl"
    src.write_text(json.dumps({"id": "d1", "published_at": "2025-01-02", "text": "Russia launched 5 drones."}))
    code = f"""
import contextlib, io, sys
import pipelines.cli as cli
def dagster():
    return sorted(m for m in sys.modules if m == "dagster" or m.startswith("dagster."))
assert not dagster(), ("import pipelines.cli", dagster()[:3])
with contextlib.redirect_stdout(io.StringIO()):
    assert cli.main(["report", "--db", {str(db)!r}, "--format", "csv"]) == 0
    assert cli.main(["extract", {str(src)!r}]) == 0
assert not dagster(), ("salvo report / extract", dagster()[:3])
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
