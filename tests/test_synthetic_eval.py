"""The synthetic evaluation sets (tests/synthetic/README.md) stay above a floor of strict F1: a rule written for one
phrasing must not quietly break the others. Scored with ../shared/eval/score.py (skipped when it is absent)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.extract import contract_jsonl, extract_events

pytestmark = pytest.mark.thorough  # 32 extractions and scorings, ~90 s: outside `make test-fast`

SYNTHETIC = Path(__file__).resolve().parent / "synthetic"
SCORE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"
# strict F1 floors, a few points under what the extractor scores at the time of writing (0.84-0.99)
FLOORS = {
    "wire": 0.92, "ukr": 0.91, "rus": 0.85, "blog": 0.90, "hold1": 0.86, "hold2": 0.86, "hold3": 0.87,
    "hold4": 0.91, "hold5": 0.88, "hold6": 0.84, "hold7": 0.95, "hold8": 0.94, "hold9": 0.82, "hold10": 0.88,
    "hold11": 0.88, "hold12": 0.91, "hold13": 0.89, "hold14": 0.94, "hold15": 0.86, "hold16": 0.84,
    "hold17": 0.79, "hold18": 0.89, "hold19": 0.89, "hold20": 0.83, "hold21": 0.83, "hold22": 0.92,
    "hold23": 0.89, "hold24": 0.82, "hold25": 0.87, "hold26": 0.90, "hold27": 0.89, "hold28": 0.86,
}  # fmt: skip


def _articles(name: str) -> pl.DataFrame:
    rows = [json.loads(line) for line in (SYNTHETIC / f"{name}_articles.jsonl").read_text().splitlines() if line]
    return pl.DataFrame(
        {
            "article_id": [r["id"] for r in rows],
            "text": [r["text"] for r in rows],
            "published_at": [r.get("published_at") for r in rows],
        },
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.String},
    ).with_columns(pl.col("published_at").str.to_date(strict=False))


@pytest.mark.skipif(not SCORE.is_file(), reason="../shared/eval/score.py not found beside the checkout")
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_synthetic_set_stays_above_its_floor(name: str, tmp_path: Path) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(contract_jsonl(extract_events(_articles(name)))) + "\n")
    out = subprocess.run(
        [sys.executable, str(SCORE), "--gold", str(SYNTHETIC / f"{name}_gold.jsonl"), "--pred", str(pred),
         "--articles", str(SYNTHETIC / f"{name}_articles.jsonl"), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    strict = float(out.strip().splitlines()[-1].split()[0].split("=")[1])
    assert strict >= FLOORS[name], f"{name}: strict F1 {strict:.3f} under its floor {FLOORS[name]}"
