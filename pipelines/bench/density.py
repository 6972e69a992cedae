"""How much of a corpus the extractor has to work on: the event density of a set of articles.

Figures (all from the extractor's own code, so they move when it does):
- `sentences_per_kb`, `mean_sentence_chars`: the sentences `split_sentences` cuts (KB = 1,000 characters of
  article text);
- `event_words_share`: the share of sentences with any event word (the splitter's `has_event_words`, the gate
  every kind starts from);
- `air_share`, `casualty_share`, `territory_share`: the share of sentences that pass each kind's literal
  pre-filter, as each extractor applies it (event words, not a bullet link or a timeline, then the kind's
  PREFILTER_WORDS on the matching copy the kind reads: `norm`, or the casualty working copy `cnorm`);
- `rows_per_kb`: event rows (air attacks, casualties, territorial claims; not the outcome ledger) per KB;
- `articles`, `sentences`, `chars`, `rows`: the counts behind them.

`measure` takes an articles frame (article_id, text, published_at); `measure_jsonl` reads a JSON-lines file
through the real ingest. `compare` puts two measurements side by side with each ratio.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

# the figures a realistic corpus is held to (within TOLERANCE of the reference's)
FIGURES = (
    "event_words_share",
    "air_share",
    "casualty_share",
    "territory_share",
    "rows_per_kb",
    "mean_sentence_chars",
)
TOLERANCE = 0.20
ROW_TABLES = ("air_attacks", "casualties", "territorial_control")


def measure(articles: pl.DataFrame) -> dict[str, Any]:
    """The density figures of `articles` (module doc)."""
    from pipelines.extract import extract_events, split_sentences
    from pipelines.extract.air import PREFILTER_WORDS as AIR
    from pipelines.extract.casualties import PREFILTER_WORDS as CASUALTY
    from pipelines.extract.casualties import _working_copy
    from pipelines.extract.territorial_control import PREFILTER_WORDS as TERRITORY
    from pipelines.extract.tokens import contains_any_word

    if "published_at" not in articles.columns:
        articles = articles.with_columns(published_at=pl.lit(None, pl.Date))
    chars = int(articles.select(pl.col("text").fill_null("").str.len_chars().sum()).item() or 0)
    sentences = split_sentences(articles.select("article_id", "text", "published_at"))
    gate = pl.col("has_event_words") & ~pl.col("bullet") & ~pl.col("timeline")
    counts = sentences.select(
        sentences=pl.len(),
        sentence_chars=pl.col("sentence").str.len_chars().sum(),
        event_words=pl.col("has_event_words").sum(),
        air=(gate & contains_any_word(pl.col("norm"), AIR)).sum(),
        casualty=(gate & contains_any_word(_working_copy(pl.col("norm")), CASUALTY)).sum(),
        territory=(gate & contains_any_word(pl.col("norm"), TERRITORY)).sum(),
    ).row(0, named=True)
    events = extract_events(articles)
    rows = sum(events[t].height for t in ROW_TABLES)
    n = counts["sentences"] or 1
    kb = chars / 1000 or 1.0
    return {
        "articles": articles.height,
        "chars": chars,
        "sentences": counts["sentences"],
        "rows": rows,
        "rows_by_table": {t: events[t].height for t in ROW_TABLES},
        "sentences_per_kb": counts["sentences"] / kb,
        "mean_sentence_chars": (counts["sentence_chars"] or 0) / n,
        "event_words_share": counts["event_words"] / n,
        "air_share": counts["air"] / n,
        "casualty_share": counts["casualty"] / n,
        "territory_share": counts["territory"] / n,
        "rows_per_kb": rows / kb,
    }


def read_articles(jsonl: Path | str, limit: int | None = None) -> pl.DataFrame:
    """The accepted articles of a JSON-lines file (or folder), through the real ingest, at most `limit`."""
    from pipelines.ingest import accepted_articles, raw_articles_frame, read_folder

    items = read_folder(jsonl)
    return accepted_articles(raw_articles_frame(list(islice(items, limit) if limit else items)))


def measure_jsonl(jsonl: Path | str, limit: int | None = None) -> dict[str, Any]:
    return measure(read_articles(jsonl, limit))


def compare(corpus: dict[str, Any], reference: dict[str, Any], tolerance: float = TOLERANCE) -> list[dict]:
    """Per figure: the corpus's value, the reference's, their ratio and whether it is within `tolerance`."""
    out = []
    for name in FIGURES:
        ref, got = reference[name], corpus[name]
        ratio = got / ref if ref else None
        out.append(
            {
                "figure": name,
                "corpus": got,
                "reference": ref,
                "ratio": ratio,
                "within": ratio is not None and abs(ratio - 1) <= tolerance,
            }
        )
    return out


def format_comparison(rows: list[dict], corpus_name: str, reference_name: str) -> str:
    lines = [f"  {'figure':<22} {corpus_name:>14} {reference_name:>14} {'ratio':>7}  within ±20%"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        fmt = "{:>14.1f}" if r["figure"] == "mean_sentence_chars" else "{:>14.4f}"
        lines.append(
            f"  {r['figure']:<22} {fmt.format(r['corpus'])} {fmt.format(r['reference'])} {ratio:>7}  "
            f"{'yes' if r['within'] else 'NO'}"
        )
    return "\n".join(lines)
