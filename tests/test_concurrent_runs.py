"""Two `salvo run`s at once, as real processes sharing one DAGSTER_HOME (the Makefile always sets one), with
different inputs over the same days: they never mix. Each warehouse ends with exactly its own articles, events
and quarantine rows, every event row's article is there, and the checks pass; two runs on one warehouse end
as one of them run after the other.

Intermediate frames are scoped to their run (`<storage>/salvo_frames/<run id>/...`); before they were kept per
asset and day only, so one run's later steps read the other's frames."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

SALVO = str(Path(sys.executable).with_name("salvo"))
DAYS = ("2025-03-02", "2025-03-03", "2025-03-04")
CITIES = ("Kharkiv", "Odesa", "Sumy", "Dnipro", "Zaporizhzhia", "Mykolaiv")


def write_input(folder: Path, tag: str, n: int = 18) -> set[str]:
    """n articles of the same days for every tag (the same partitions), each an air attack with figures of
    its own, plus one broken line; returns the article ids."""
    folder.mkdir(parents=True)
    ids, lines = set(), []
    for i in range(n):
        launched = 10 + i + (100 if tag == "b" else 0)
        article_id = f"{tag}-{i}"
        ids.add(article_id)
        lines.append(
            json.dumps(
                {
                    "id": article_id,
                    "published_at": DAYS[i % len(DAYS)],
                    "source": f"outlet-{tag}",
                    "text": f"Russia launched {launched} drones at {CITIES[i % len(CITIES)]} overnight, the "
                    f"{tag.upper()} desk reports ({i}). Air defences shot down {launched - 3} of them.",
                }
            )
        )
    lines.insert(3, "{broken json")
    (folder / f"{tag}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALVO_", "DAGSTER_HOME"))}
    env.update(DAGSTER_HOME=str(home), SALVO_FEEDS="", SALVO_PAGES="")
    return env


def _start(folder: Path, db: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [SALVO, "run", "--articles", str(folder), "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _both(first: tuple[Path, Path], second: tuple[Path, Path], offset_s: float, env: dict[str, str]):
    p1 = _start(*first, env)
    time.sleep(offset_s)
    p2 = _start(*second, env)
    out1, out2 = p1.communicate(timeout=300), p2.communicate(timeout=300)
    return (p1.returncode, out1[0]), (p2.returncode, out2[0])


def contents(db: Path) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        q = lambda sql: con.sql(sql).fetchall()  # noqa: E731
        return {
            "articles": {r[0] for r in q("SELECT article_id FROM articles")},
            "event_articles": {
                r[0]
                for t in ("air_attacks", "casualties", "territorial_control", "attack_outcomes")
                for r in q(f"SELECT article_id FROM {t}")
            },
            "air_attacks": q("SELECT article_id, launched FROM air_attacks ORDER BY ALL"),
            "quarantine_rows": {r[0] for r in q("SELECT row_id FROM quarantine WHERE stage = 'ingest'")},
            "orphans": q(
                "SELECT count(*) FROM air_attacks a ANTI JOIN articles USING (article_id)"
            )[0][0],
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("concurrent")
    home = base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    ids = {tag: write_input(base / f"in-{tag}", tag) for tag in ("a", "b")}
    return base, home, ids


# (who starts first, seconds before the other starts). By default the one trial where both start at once: each
# step of one run then writes and reads its frames next to the same step of the other, the closest overlap, so a
# frame shared between runs is read by the wrong run there first (each trial is two real `salvo run` processes,
# 40-60 s on a busy 2-core machine). The other order and the later starts with -m slow.
TRIALS = [
    ("a", 0.0),
    pytest.param("b", 0.6, marks=pytest.mark.slow),
    pytest.param("a", 1.5, marks=pytest.mark.slow),
    pytest.param("b", 2.5, marks=pytest.mark.slow),
    pytest.param("b", 0.0, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("first,offset_s", TRIALS)
def test_two_runs_sharing_a_dagster_home_never_mix(inputs, first: str, offset_s: float) -> None:
    base, home, ids = inputs
    trial = base / f"trial-{first}-{offset_s}"
    dbs = {tag: trial / tag / "salvo.duckdb" for tag in ("a", "b")}
    order = [first, "b" if first == "a" else "a"]
    outcomes = _both(
        (base / f"in-{order[0]}", dbs[order[0]]), (base / f"in-{order[1]}", dbs[order[1]]), offset_s, _env(home)
    )
    for (code, output), tag in zip(outcomes, order, strict=True):
        assert code == 0, (tag, output)
        assert "checks: " in output and " 0 failed" in output, output
    for tag, db in dbs.items():
        got = contents(db)
        assert got["articles"] == ids[tag], tag  # exactly its own articles: none lost, none of the other's
        assert got["event_articles"] <= got["articles"] and got["orphans"] == 0, tag
        assert len(got["air_attacks"]) == len(ids[tag])
        assert all(aid.startswith(f"{tag}-") for aid, _ in got["air_attacks"])
        assert got["quarantine_rows"] == {str(base / f"in-{tag}" / f"{tag}.jsonl") + ":4"}, tag
    # every run removed its frames when it succeeded: nothing is left for another run to read
    frames = home / "storage" / "salvo_frames"
    assert not frames.exists() or not any(frames.iterdir())


@pytest.mark.slow  # two more real runs; the same guarantee in-process: test_accounting.py (orphans by day)
def test_two_runs_on_one_warehouse_end_as_one_after_the_other(inputs) -> None:
    """The same days from two inputs into one warehouse at once: the publishes are serialized, and the last
    one replaces the days whole, so the warehouse holds one input's articles with all their events and no
    row of the other (no orphans, no phantom attacks)."""
    base, home, ids = inputs
    db = base / "shared" / "salvo.duckdb"
    outcomes = _both((base / "in-a", db), (base / "in-b", db), 0.2, _env(home))
    assert all(code == 0 for code, _ in outcomes), outcomes
    got = contents(db)
    assert got["articles"] in (ids["a"], ids["b"])
    tag = "a" if got["articles"] == ids["a"] else "b"
    assert got["event_articles"] <= got["articles"] and got["orphans"] == 0
    assert len(got["air_attacks"]) == len(ids[tag])
    assert got["quarantine_rows"] == {str(base / f"in-{tag}" / f"{tag}.jsonl") + ":4"}


@pytest.mark.slow  # two more real runs; the guard itself, deterministically: tests/test_same_fact.py
def test_two_runs_at_once_never_load_one_exact_copy_twice(inputs) -> None:
    """The same story in two inputs, dated on days far apart (two runs of different days), both runs started
    at once on one warehouse: each reads the warehouse before the other publishes, so only the screen under
    the writers' lock, just before loading, can see the other's copy. One copy loads; the other is an
    `already_loaded` quarantine row naming it."""
    base, home, _ = inputs
    story = "Russia launched 61 drones at Poltava overnight; air defences shot down 55 of them, officials said."
    for tag, day in (("c1", "2025-05-02"), ("c2", "2025-05-20")):
        folder = base / f"copy-{tag}"
        folder.mkdir()
        lines = [
            {"id": f"{tag}-story", "published_at": day, "text": story},
            {"id": f"{tag}-own", "published_at": day, "text": f"Russia fired 4 missiles at Odesa ({tag})."},
        ]
        (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    db = base / "copies" / "salvo.duckdb"
    outcomes = _both((base / "copy-c1", db), (base / "copy-c2", db), 0.0, _env(home))
    assert all(code == 0 for code, _ in outcomes), outcomes
    con = duckdb.connect(str(db), read_only=True)
    try:
        loaded = {r[0] for r in con.sql("SELECT article_id FROM articles").fetchall()}
        rejects = con.sql(
            "SELECT reason, json_extract_string(row_json, '$.duplicate_of') FROM quarantine WHERE stage = 'ingest'"
        ).fetchall()
        stories = con.sql("SELECT count(*) FROM air_attacks WHERE launched = 61").fetchall()[0][0]
    finally:
        con.close()
    assert {"c1-own", "c2-own"} <= loaded
    kept = loaded & {"c1-story", "c2-story"}
    assert len(kept) == 1 and stories == 1  # one copy, one attack
    assert rejects == [("already_loaded", kept.pop())]


def test_frames_follow_the_retention_rule(tmp_path: Path) -> None:
    """Runs that salvo run did not clean up after (the UI's, the daemon's): the next run's IO manager removes
    the frames of runs the instance records as succeeded, and of folders unknown to it once older than the
    retention; a run's own frames are where its steps left them."""
    import dagster as dg
    from helpers import load_days, resources_for

    from pipelines.defs.resources import FramesIOManager

    folder, frames = tmp_path / "in", tmp_path / "frames"
    write_input(folder, "r", n=2)
    day = DAYS[0]
    resources = {**resources_for(folder, tmp_path / "w.duckdb"), "io_manager": FramesIOManager(base_dir=str(frames))}
    instance = dg.DagsterInstance.ephemeral()
    first = load_days(day, day, resources, instance=instance)
    assert first.success and (frames / first.run_id / "raw_articles").is_dir()
    fresh, old = frames / "unknown-fresh", frames / "unknown-old"
    fresh.mkdir()
    old.mkdir()
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    second = load_days(day, day, resources, instance=instance)
    assert second.success
    assert sorted(p.name for p in frames.iterdir()) == sorted([second.run_id, "unknown-fresh"])
