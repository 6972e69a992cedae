"""Smoke test of the benchmark (`make bench`): tiny N, in-process, a few seconds.

The real benchmark runs outside the default suite; here: the generator is deterministic and prefix-stable,
the per-article baseline gives the same rows as the whole-column extraction on the same articles (a real
check of the baseline), the batched pipeline loads every article, and the table/JSON have their shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.bench import report, synth
from pipelines.bench.baseline import per_article_extract, per_article_re_loop
from pipelines.bench.bench import parse_sizes, print_results
from pipelines.bench.pipeline import STAGES, day_batches, run_pipeline


@pytest.fixture(scope="module")
def articles_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "articles.jsonl"
    synth.write_jsonl(path, 40, seed=7, per_day=10)  # 4 days
    return path


def test_generator_is_deterministic_and_prefix_stable(tmp_path: Path, articles_file: Path) -> None:
    again = tmp_path / "again.jsonl"
    synth.write_jsonl(again, 40, seed=7, per_day=10)
    assert again.read_bytes() == articles_file.read_bytes()
    lines = articles_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines[:5]] == list(synth.iter_articles(5, seed=7, per_day=10))
    cut = tmp_path / "cut.jsonl"
    synth.copy_prefix(articles_file, cut, 12)
    assert cut.read_text(encoding="utf-8").splitlines() == lines[:12]
    texts = [json.loads(line)["text"] for line in lines]
    assert 2500 < sum(map(len, texts)) / len(texts) < 4000  # "about 3 KB"
    other_seed = [a["text"] for a in synth.iter_articles(5, seed=8)]
    assert other_seed != texts[:5]


def test_day_batches_cut_between_days() -> None:
    class Item:
        def __init__(self, day: str | None) -> None:
            self.record = {"published_at": day}

    days = ["2024-01-01"] * 3 + ["2024-01-02"] * 3 + ["2024-01-03"] * 5 + ["2024-01-04"]
    batches = list(day_batches([Item(d) for d in days], batch_size=2))
    assert [len(b) for b in batches] == [3, 3, 5, 1]  # whole days, never split (a load replaces its days)
    assert [len(b) for b in day_batches([Item(d) for d in days], batch_size=4)] == [6, 5, 1]
    assert [len(b) for b in day_batches([Item(None) for _ in range(5)], batch_size=2)] == [2, 2, 1]


@pytest.mark.thorough  # ten whole extract_events calls
def test_per_article_baseline_gives_the_same_rows(articles_file: Path) -> None:
    from pipelines.bench.bench import _read_sample

    sample, nbytes = _read_sample(articles_file, 10)  # each article costs a whole extract_events call
    assert sample.height == 10 and nbytes > 10 * 2500
    result = per_article_extract(sample)
    assert result["rows_equal"], result["equality"]
    assert result["equality"]["air_attacks"]["rows_vectorised"] > 0
    assert result["equality"]["casualties"]["rows_vectorised"] > 0
    loop = per_article_re_loop(sample["text"].to_list())
    assert loop["patterns_not_compiled"] == [] and loop["patterns"] > 10 and loop["matches"] > 0


@pytest.mark.thorough  # every stage of the pipeline, 4 days and a daily run
def test_pipeline_batches_and_report_shape(articles_file: Path, tmp_path: Path, capsys) -> None:
    next_day = tmp_path / "next_day.jsonl"
    synth.write_jsonl(next_day, 10, seed=7, per_day=10, start=40)  # the fifth day
    result = run_pipeline(articles_file, tmp_path / "w.duckdb", batch_size=15, increment=next_day)
    assert result["counts"]["batches"] == 2  # 4 days of 10 articles, two whole days per batch
    assert result["warehouse_counts"]["articles"] == 40  # counted before the daily run
    assert result["warehouse_counts"]["air_attacks"] > 0
    assert result["daily_run"]["articles"] == 10 and result["daily_run"]["warehouse_articles_before"] == 40
    assert set(result["stage_seconds"]) == set(STAGES)
    assert len(result["per_batch_seconds"]) == 2

    size = {"n": 40, "input_bytes": result["input_bytes"], "pipeline": result,
            "pipeline_process_seconds": result["worker_wall_seconds"], "pipeline_peak_rss_mb": result["peak_rss_mb"],
            "cli_extract": {"wall_seconds": 1.0, "peak_rss_mb": 100.0, "returncode": 0}}  # fmt: skip
    results = {"sizes": [size, {**size, "n": 400}], "skipped": []}
    results["rows"] = report.build_rows(results)
    results["growth"] = report.growth(results)
    results["targets"] = report.targets(results)
    json.dumps(results)  # the JSON written to bench/results/
    assert {r["stage"] for r in results["rows"]} >= {f"pipeline: {s}" for s in STAGES}
    stage_rows = [r for r in results["rows"] if r["n"] == 40 and r["stage"].startswith("pipeline: ")]
    shares = [r["share"] for r in stage_rows if r["stage"] != "pipeline: total (process)"]
    assert sum(shares) == pytest.approx(1.0)
    assert results["growth"][0]["size_ratio"] == 10
    assert {t["pass"] for t in results["targets"]} <= {True, False, None}
    print_results(results)
    out = capsys.readouterr().out
    assert "stage" in out and "peak RSS MB" in out and "targets:" in out


def test_parse_sizes() -> None:
    assert parse_sizes("1M,10k, 100000") == [10_000, 100_000, 1_000_000]
