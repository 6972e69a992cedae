"""The benchmark's event density (pipelines/bench/density.py) and its realistic corpus (realistic.py): the
measurement counts each pre-filter's sentences and the rows, and the corpus at a small n lands within ±20% of
the figures of a fixed sample of reporting written for the tests (density_fixture.py); against the dev set
too where it is present (skipped where it is absent: tests never depend on it)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from density_fixture import ARTICLES

from pipelines.bench import density, realistic, synth
from pipelines.bench.bench import DEFAULT_DEV_SET, format_density, measure_density


def _frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"article_id": [f"t{i}" for i in range(len(texts))], "text": texts}).with_columns(
        published_at=pl.lit(None, pl.Date)
    )


def _corpus(n: int, seed: int = 0) -> pl.DataFrame:
    arts = pl.DataFrame(list(realistic.iter_articles(n, seed=seed)))
    return arts.rename({"id": "article_id"}).with_columns(pl.col("published_at").str.to_date())


def test_density_counts_each_prefilter_and_the_rows() -> None:
    text = (
        "Russia launched 40 drones at Ukraine overnight. "  # air
        "A missile strike on Kharkiv killed two people. "  # air (missile) and casualties
        "Russian forces captured the village of Berezove, the defence ministry said. "  # territorial
        "The shelling damaged a school. "  # an event word of no kind's pre-filter
        "Ministers discussed a new budget."  # none
    )
    m = density.measure(_frame([text]))
    assert m["articles"] == 1 and m["sentences"] == 5 and m["chars"] == len(text)
    assert m["event_words_share"] == pytest.approx(4 / 5)
    assert m["air_share"] == pytest.approx(2 / 5)
    assert m["casualty_share"] == pytest.approx(1 / 5)
    assert m["territory_share"] == pytest.approx(1 / 5)
    assert m["rows_by_table"] == {"air_attacks": 1, "casualties": 1, "territorial_control": 1}
    assert m["rows_per_kb"] == pytest.approx(3 / (len(text) / 1000))
    sentence_chars = len(text) - 4  # the four spaces between sentences
    assert m["mean_sentence_chars"] == pytest.approx(sentence_chars / 5)
    rows = density.compare(m, {**m, "air_share": m["air_share"] * 2})
    assert [r["figure"] for r in rows] == list(density.FIGURES)
    assert {r["figure"] for r in rows if not r["within"]} == {"air_share"}


@pytest.fixture(scope="module")
def fixture_density() -> dict:
    return density.measure(_frame(ARTICLES))


def test_realistic_corpus_lands_within_20_percent_of_the_fixture(fixture_density) -> None:
    corpus = density.measure(_corpus(150))
    rows = density.compare(corpus, fixture_density)
    assert all(r["within"] for r in rows), density.format_comparison(rows, "realistic", "fixture")
    assert 800 < corpus["chars"] / corpus["articles"] < 1700  # short articles, as reporting is
    # synth.py's mostly-filler articles are far from it: the measurement tells the two apart
    filler = pl.DataFrame(list(synth.iter_articles(20, seed=0))).rename({"id": "article_id"})
    synth_rows = density.compare(density.measure(filler.drop("published_at")), fixture_density)
    assert not any(r["within"] for r in synth_rows if r["figure"].endswith("_share"))


@pytest.mark.thorough  # the whole dev set through extraction
def test_realistic_corpus_lands_within_20_percent_of_the_dev_set() -> None:
    if not DEFAULT_DEV_SET.is_file():
        pytest.skip(f"the dev set is not at {DEFAULT_DEV_SET}")
    dev = density.measure_jsonl(DEFAULT_DEV_SET)
    rows = density.compare(density.measure(_corpus(400)), dev)
    assert all(r["within"] for r in rows), density.format_comparison(rows, "realistic", "dev")


def test_realistic_generator_is_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    realistic.write_jsonl(a, 60, seed=3, per_day=20)
    realistic.write_jsonl(b, 60, seed=3, per_day=20)
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines[:10]] == list(realistic.iter_articles(10, seed=3, per_day=20))
    assert [x["text"] for x in realistic.iter_articles(10, seed=4)] != [json.loads(x)["text"] for x in lines[:10]]
    big = realistic.ensure_dataset(tmp_path, 30, seed=3)
    small = realistic.ensure_dataset(tmp_path, 12, seed=3)  # cut from the larger file
    assert small.read_text(encoding="utf-8").splitlines() == big.read_text(encoding="utf-8").splitlines()[:12]
    assert len({json.loads(x)["id"] for x in lines}) == 60


def test_the_bench_measures_the_corpus_and_says_when_the_dev_set_is_absent(tmp_path: Path) -> None:
    path = realistic.ensure_dataset(tmp_path, 40, seed=0)
    d = measure_density(path, tmp_path / "no-dev.jsonl", sample=40)
    assert d["corpus"]["articles"] == 40 and d["dev"] is None
    text = format_density(d, "realistic")
    assert "dev set skipped: dev set not found at" in text and "air_share" in text
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(ARTICLES)))
    d = measure_density(path, dev, sample=40)
    assert d["dev"]["articles"] == len(ARTICLES) and len(d["comparison"]) == len(density.FIGURES)
    assert "within ±20%" in format_density(d, "realistic")
