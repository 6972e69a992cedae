"""Extraction of one text as tests read it: the rows of each table, and compact views of them.

Each `extract_events` call costs about half a second whatever its size (hundreds of small polars queries), so a
test module extracts every text it names in one call first (`prefetch`, from a module fixture), and `run` then
reads a text's rows from that. Extraction is per article (no row depends on another article of the frame: the
benchmark's per-article baseline checks it), so the rows are those `run` would get alone. A text that was not
prefetched (one built at run time, such as an f-string) is extracted on its own when asked.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import polars as pl

from pipelines.extract import extract_events

# (text, published_at, article_id) -> {table: rows}
_EXTRACTED: dict[tuple[str, str | None, str], dict[str, list[dict]]] = {}
HELPERS = ("run", "air", "cas", "claims")
# the columns that carry the article id (event ids and outcome ids begin with it)
ID_COLUMNS = ("article_id", "event_id", "outcome_id")


def _extract(keys: list[tuple[str, str | None, str]]) -> None:
    """Extract the texts of `keys` in one call and file each one's rows under its key, as if it had been
    extracted alone under its own article id."""
    keys = [k for k in dict.fromkeys(keys) if k not in _EXTRACTED]
    if not keys:
        return
    batch_ids = [f"prefetch-{i}" for i in range(len(keys))]  # unique even when two keys share an article id
    arts = pl.DataFrame(
        {"article_id": batch_ids, "text": [k[0] for k in keys], "published_at": [k[1] for k in keys]},
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.String},
    ).with_columns(pl.col("published_at").str.to_date())
    events = extract_events(arts)
    for batch_id, key in zip(batch_ids, keys, strict=True):
        rows = {}
        for table, frame in events.items():
            mine = frame.filter(pl.col("article_id") == batch_id)
            rows[table] = mine.with_columns(
                pl.col(c).str.replace(batch_id, key[2], literal=True) for c in ID_COLUMNS if c in mine.columns
            ).to_dicts()
        _EXTRACTED[key] = rows


def prefetch(module: str) -> None:
    """Extract, in one call, every text the test module at `module` passes as a literal to run/air/cas/claims."""
    keys = []
    for node in ast.walk(ast.parse(Path(module).read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS):
            continue
        values = [*node.args, *(kw.value for kw in node.keywords)]
        if not values or not all(isinstance(v, ast.Constant) for v in values):
            continue  # built at run time: extracted when asked
        call = dict(zip(("text", "published_at", "article_id"), (a.value for a in node.args), strict=False))
        call |= {kw.arg: kw.value.value for kw in node.keywords if kw.arg}
        if isinstance(call.get("text"), str):
            keys.append((call["text"], call.get("published_at"), call.get("article_id", "a1")))
    _extract(keys)


def run(text: str, published_at: str | None = None, article_id: str = "a1") -> dict[str, list[dict]]:
    key = (text, published_at, article_id)
    _extract([key])
    return copy.deepcopy(_EXTRACTED[key])  # a test may change the rows it got; the next one gets them intact


def air(text: str) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    return {
        (r["attacker"], r["weapon_class"]): (r["launched"], r["intercepted"])
        for r in run(text)["air_attacks"]
    }


def cas(text: str) -> dict[str, tuple[int | None, int | None]]:
    return {r["admin1"]: (r["killed"], r["injured"]) for r in run(text)["casualties"]}


def claims(text: str) -> dict[str, tuple[str | None, str]]:
    return {r["settlement"]: (r["admin1"], r["actor"]) for r in run(text)["territorial_control"]}
