"""Extraction of one text as tests read it: the rows of each table, and compact views of them."""

from __future__ import annotations

import polars as pl

from pipelines.extract import extract_events


def run(text: str, published_at: str | None = None, article_id: str = "a1") -> dict[str, list[dict]]:
    arts = pl.DataFrame(
        {"article_id": [article_id], "text": [text], "published_at": [published_at]},
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.String},
    ).with_columns(pl.col("published_at").str.to_date())
    events = extract_events(arts)
    return {t: f.to_dicts() for t, f in events.items()}


def air(text: str) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    return {
        (r["attacker"], r["weapon_class"]): (r["launched"], r["intercepted"])
        for r in run(text)["air_attacks"]
    }


def cas(text: str) -> dict[str, tuple[int | None, int | None]]:
    return {r["admin1"]: (r["killed"], r["injured"]) for r in run(text)["casualties"]}


def claims(text: str) -> dict[str, tuple[str | None, str]]:
    return {r["settlement"]: (r["admin1"], r["actor"]) for r in run(text)["territorial_control"]}
