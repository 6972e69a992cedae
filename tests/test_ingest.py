"""Ingest: files of every supported kind -> raw_articles, with a reason for every item that fails."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines.ingest import accepted_articles, content_hash, ingest_quarantine, read_articles
from pipelines.schema import ARTICLES, QUARANTINE


def test_every_kind_of_file(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("Russia launched 10 drones.\r\nAll were shot down.")
    (tmp_path / "front.md").write_text(
        "---\ntitle: A title\npublished_at: 2025-02-03\nurl: https://example.org/a\n---\nBody text here."
    )
    (tmp_path / "one.json").write_text(
        json.dumps({"id": "j1", "text": "JSON body", "published_at": "2025-02-04T08:00:00Z"})
    )
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"id": "l1", "text": "line one"})
        + "\n\n"
        + json.dumps({"id": "l2", "text": "line two"})
        + "\n"
    )
    raw = read_articles(tmp_path)
    arts = accepted_articles(raw)
    assert raw["reject_reason"].null_count() == raw.height == 5
    assert set(arts["article_id"]) == {"plain", "front", "j1", "l1", "l2"}
    front = arts.filter(pl.col("article_id") == "front").row(0, named=True)
    assert (
        front["title"] == "A title"
        and str(front["published_at"]) == "2025-02-03"
        and front["text"] == "Body text here."
    )
    assert (
        arts.filter(pl.col("article_id") == "plain")["text"].item()
        == "Russia launched 10 drones.\nAll were shot down."
    )
    assert str(arts.filter(pl.col("article_id") == "j1")["published_at"].item()) == "2025-02-04"
    assert list(arts.schema) == list(ARTICLES)


def test_bad_items_get_reasons_and_good_ones_load(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.md").write_text(" \n\t\n")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 attack in Kyiv".encode("latin-1"))  # decodes via cp1252
    (tmp_path / "broken.json").write_text("{oops")
    (tmp_path / "mixed.jsonl").write_text(
        json.dumps({"id": "ok1", "text": "fine"})
        + "\n[1, 2]\n{bad json\n"
        + json.dumps({"id": "ok1", "text": "again"})
        + "\n"
        + json.dumps({"id": "nt"})
        + "\n"
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    raw = read_articles(tmp_path)
    reasons = dict(zip(raw["origin"].str.replace(str(tmp_path) + "/", ""), raw["reject_reason"], strict=True))
    assert reasons == {
        "blank.md": "empty_text",
        "broken.json": "invalid_json",
        "empty.txt": "empty_text",
        "image.png": "unsupported_file_type",
        "latin1.txt": None,
        "mixed.jsonl:1": None,
        "mixed.jsonl:2": "not_an_object",
        "mixed.jsonl:3": "invalid_json",
        "mixed.jsonl:4": "duplicate_article_id",
        "mixed.jsonl:5": "missing_text",
    }
    q = ingest_quarantine(raw)
    assert q.height == 8 and list(q.schema) == list(QUARANTINE)
    assert q["quarantine_id"].n_unique() == 8  # stable, distinct ids: re-runs replace, never add
    assert accepted_articles(raw).height + q.height == raw.height


def test_ids_are_stable_and_hash_ignores_layout(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": "Same   story\ntext"}) + "\n")
    first = read_articles(tmp_path)["article_id"].item()
    second = read_articles(tmp_path)["article_id"].item()
    assert first == second and first.startswith("sha-")
    assert content_hash("Same story text") == content_hash("same   STORY\ntext")
