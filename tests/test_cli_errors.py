"""Errors a person can read: every mistake below (a setting, a path, an option, a file that is not a warehouse,
a run that fails) ends in one line on stderr saying what is wrong and what to do, and a non-zero exit; never a
traceback nor Dagster's stack. `salvo report` reads through a read-only connection."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SALVO = str(Path(sys.executable).with_name("salvo"))


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALVO_", "DAGSTER_HOME"))}
    env.update(SALVO_FEEDS="", SALVO_PAGES="", **extra)
    return env


def salvo(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SALVO, *args], env=env or _env(), cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cli-errors")
    corrupt = base / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database" * 100)
    foreign = base / "foreign.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("CREATE TABLE customers (id INTEGER, name VARCHAR)")
    con.close()
    empty_sql = base / "empty_sql"
    empty_sql.mkdir()
    arts = base / "articles.jsonl"
    arts.write_text(json.dumps({"id": "a", "text": "Russia launched 5 drones at Sumy overnight."}) + "\n")
    return {"base": base, "corrupt": corrupt, "foreign": foreign, "empty_sql": empty_sql, "articles": arts}


# (name, arguments, extra environment, words the one line must contain)
CASES = [
    ("report on a corrupt file", ["report", "--db", "{corrupt}"], {}, "not a DuckDB file"),
    ("report on a foreign DuckDB file", ["report", "--db", "{foreign}"], {}, "not a salvo warehouse"),
    ("report with --db a folder", ["report", "--db", "{base}"], {}, "is a folder"),
    ("run with --db a folder", ["run", "--articles", "{articles}", "--db", "{base}"], {}, "is a folder"),
    ("report with --db empty", ["report", "--db", ""], {}, "--db is empty"),
    ("run with --db empty", ["run", "--db", ""], {}, "--db is empty"),
    ("run into a foreign DuckDB file", ["run", "--articles", "{articles}", "--db", "{foreign}"], {}, "not a salvo"),
    ("extract --chunk 0", ["extract", "{articles}", "--chunk", "0"], {}, "at least 1"),
    ("extract --chunk -1", ["extract", "{articles}", "--chunk", "-1"], {}, "at least 1"),
    ("SALVO_FETCH_TIMEOUT=abc", ["run", "--articles", "{articles}"], {"SALVO_FETCH_TIMEOUT": "abc"}, "SALVO_FETCH_TIMEOUT"),
    ("SALVO_DAYS_PER_RUN=abc", ["run", "--articles", "{articles}"], {"SALVO_DAYS_PER_RUN": "abc"}, "SALVO_DAYS_PER_RUN"),
    ("SALVO_PUBLISH_LOCK_TIMEOUT=soon", ["report"], {"SALVO_PUBLISH_LOCK_TIMEOUT": "soon"}, "SALVO_PUBLISH_LOCK_TIMEOUT"),
    ("SALVO_LOG_LEVEL=LOUD", ["run", "--articles", "{articles}"], {"SALVO_LOG_LEVEL": "LOUD"}, "SALVO_LOG_LEVEL"),
    ("SALVO_DB_PATH empty", ["report"], {"SALVO_DB_PATH": ""}, "SALVO_DB_PATH is empty"),
    ("SALVO_DB_PATH=/dev/null", ["run", "--articles", "{articles}"], {"SALVO_DB_PATH": "/dev/null"}, "not a regular file"),
    ("SALVO_SQL_DIR missing", ["run", "--articles", "{articles}"], {"SALVO_SQL_DIR": "{base}/nope"}, "SALVO_SQL_DIR"),
    ("SALVO_SQL_DIR without views", ["report"], {"SALVO_SQL_DIR": "{empty_sql}"}, "no .sql files"),
    ("SALVO_EXPECTATIONS_DIR missing", ["run"], {"SALVO_EXPECTATIONS_DIR": "{base}/nope"}, "SALVO_EXPECTATIONS_DIR"),
    ("SALVO_EXECUTOR unknown", ["run"], {"SALVO_EXECUTOR": "os.system"}, "SALVO_EXECUTOR"),
    ("SALVO_ARTICLES missing", ["run"], {"SALVO_ARTICLES": "{base}/nope"}, "does not exist"),
    ("run --articles missing", ["run", "--articles", "/nonexistent", "--db", "{base}/w.duckdb"], {}, "does not exist"),
    ("extract on a missing file", ["extract", "{base}/missing.jsonl"], {}, "does not exist"),
    ("report without a warehouse", ["report", "--db", "{base}/none.duckdb"], {}, "no warehouse"),
    ("an unknown option", ["run", "--frobnicate"], {}, "unrecognized arguments"),
    ("SALVO_WAREHOUSE a lake without data", ["report"], {"SALVO_WAREHOUSE": "ducklake:postgres:dbname=x"}, "SALVO_WAREHOUSE_DATA"),
    ("report --as-of on a file", ["report", "--as-of", "3", "--db", "{base}/none.duckdb"], {}, "--as-of reads a snapshot"),
    ("report --as-of -1", ["report", "--as-of", "-1"], {}, "not a snapshot id"),
    ("report on a lake that cannot be reached", ["report", "--db", "ducklake:postgres:host={base}/nope dbname=x"],
     {"SALVO_WAREHOUSE_DATA": "{base}/data"}, "cannot attach the DuckLake"),
]


@pytest.mark.parametrize("name,args,extra,words", CASES, ids=[c[0] for c in CASES])
def test_one_line_and_a_non_zero_exit(files, name: str, args: list[str], extra: dict, words: str) -> None:
    fmt = {k: str(v) for k, v in files.items()}
    proc = salvo(*(a.format(**fmt) for a in args), env=_env(**{k: v.format(**fmt) for k, v in extra.items()}))
    assert proc.returncode != 0, (name, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, (name, proc.stderr)
    assert words in lines[0], (name, lines[0])
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (files["base"] / "w.duckdb").exists()  # nothing was written on the way to the error


def test_a_failing_run_says_which_step_and_why_in_one_line(files, tmp_path: Path) -> None:
    """A run whose step fails (here an expectation suite that is not JSON) prints one line per failed run,
    not the 80-200 lines of Dagster's stack, and exits 1."""
    suites = tmp_path / "expectations"
    shutil_copy = __import__("shutil").copytree
    shutil_copy(Path(__file__).resolve().parents[1] / "expectations", suites)
    (suites / "air_attacks.json").write_text("{broken")
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    proc = salvo(
        "run", "--articles", str(files["articles"]), "--db", str(tmp_path / "w.duckdb"),
        env=_env(SALVO_EXPECTATIONS_DIR=str(suites), DAGSTER_HOME=str(home)),
    )  # fmt: skip
    assert proc.returncode == 1
    lines = [line for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr + proc.stdout
    assert "step validated_events failed" in lines[0] and "JSONDecodeError" in lines[0]
    assert "Traceback" not in lines[0] and "SALVO_LOG_LEVEL" in lines[0]


def test_report_reads_read_only(files, tmp_path: Path) -> None:
    """Another process holds the warehouse open read-only (as `duckdb -readonly` does): a read-write open
    would be refused, `salvo report` is not."""
    from warehouse_rows import batch

    from pipelines.warehouse import publish_batch

    db = tmp_path / "w.duckdb"
    publish_batch(db, **batch(dt.date(2025, 8, 1)))  # a published warehouse, views included
    script = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        writer = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1])", str(db)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert writer.returncode != 0 and "lock" in writer.stderr.lower()  # a writer is refused meanwhile
        rep = salvo("report", "quarantine_by_reason", "--db", str(db), "--format", "csv",
                    env=_env(SALVO_READ_TIMEOUT="0"))  # fmt: skip
        assert rep.returncode == 0, rep.stderr
        assert rep.stdout.startswith("stage,")
    finally:
        holder.kill()
        holder.wait(timeout=30)
