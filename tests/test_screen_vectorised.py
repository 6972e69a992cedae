"""screen_batch's exact-copy and seen-before rules as polars joins give what the per-item loops gave
(`_reference_exact_and_seen`, kept here as the specification); the language and near-duplicate columns
are filled for every accepted item."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from pipelines.ingest import dedup, screen
from pipelines.ingest.dedup import canonical_url, canonical_urls
from pipelines.ingest.screen import Window, screen_batch

SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
STORY = (
    "Russian forces shelled the southern city of Kherson overnight, killing two people and wounding five, the "
    "regional governor said on Monday. A residential building and a school were damaged, and emergency crews "
    "worked through the night to put out fires. Power was cut to several districts on the right bank of the "
    "Dnipro river, the regional energy company said, and repairs were expected to take two days. The city has "
    "been shelled almost daily since Ukrainian forces retook it, officials said."
)
UKRAINIAN = (
    "Мер сказав, що старий міст закрили після шторму і його відкриють навесні, повідомили в міській раді."
)


def _reference_exact_and_seen(df: pl.DataFrame, seen: pl.DataFrame) -> pl.DataFrame:
    """screen_batch's exact-copy and seen-before loops before vectorising, over df earliest first."""
    first_by_url: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    reasons, dup_of = [], []
    for r in df.iter_rows(named=True):
        reason, of = r["reject_reason"], None
        if reason in (None, "duplicate_article_id"):
            kept = (r["_curl"] and first_by_url.get(r["_curl"])) or (
                r["content_hash"] and first_by_hash.get(r["content_hash"])
            )
            if kept and (kept != r["article_id"] or reason is not None):
                reason, of = "duplicate_article", kept
            elif reason is None:
                if r["_curl"]:
                    first_by_url.setdefault(r["_curl"], r["article_id"])
                if r["content_hash"]:
                    first_by_hash.setdefault(r["content_hash"], r["article_id"])
        reasons.append(reason)
        dup_of.append(of)
    if seen.height:
        seen_c = seen.with_columns(_curl=pl.col("url").map_elements(canonical_url, return_dtype=pl.String))
        by_id = dict.fromkeys(seen_c["article_id"].drop_nulls().to_list())
        by_url = dict(seen_c.select("_curl", "article_id").drop_nulls().iter_rows())
        by_hash = dict(seen_c.select("content_hash", "article_id").drop_nulls().iter_rows())
        for i, r in enumerate(df.iter_rows(named=True)):
            if reasons[i] is not None or not r["_in"]:
                continue
            match = (
                (r["article_id"] if r["article_id"] in by_id else None)
                or by_url.get(r["_curl"] or "")
                or by_hash.get(r["content_hash"] or "")
            )
            if match:
                reasons[i], dup_of[i] = "already_loaded", match
    return pl.DataFrame(
        {"reject_reason": reasons, "duplicate_of": dup_of},
        schema={"reject_reason": pl.String, "duplicate_of": pl.String},
    )


# --------------------------------------------------------------------------- exact copies, seen before
IDS = st.sampled_from(["a", "b", "c", "d", "", None])
CURLS = st.sampled_from(["https://x.org/1", "https://x.org/2", "https://x.org/3", "", None])
HASHES = st.sampled_from(["h1", "h2", "h3", "", None])
REASONS = st.sampled_from([None, None, None, "duplicate_article_id", "empty_text"])


@SETTINGS
@given(
    st.lists(st.tuples(IDS, CURLS, HASHES, REASONS, st.booleans()), min_size=1, max_size=14),
    st.lists(st.tuples(IDS, CURLS, HASHES), max_size=8),
)
def test_exact_copies_and_seen_before_follow_the_per_item_rules(rows, seen_rows) -> None:
    df = pl.DataFrame(
        [(i, u, h, r, w, u) for i, u, h, r, w in rows],
        schema={
            "article_id": pl.String,
            "_curl": pl.String,
            "content_hash": pl.String,
            "reject_reason": pl.String,
            "_in": pl.Boolean,
            "url": pl.String,
        },
        orient="row",
    )
    seen = pl.DataFrame(
        seen_rows, schema={"article_id": pl.String, "url": pl.String, "content_hash": pl.String}, orient="row"
    )
    expected = _reference_exact_and_seen(df, seen)
    got = screen._exact_copies(df)
    if seen.height:
        got = screen._seen_before(got, seen)
    assert got.select("reject_reason", "duplicate_of").to_dicts() == expected.to_dicts()


def test_seen_before_canonicalises_only_warehouse_urls_that_can_match(monkeypatch) -> None:
    calls = []
    real = dedup.canonical_url
    monkeypatch.setattr(dedup, "canonical_url", lambda u: calls.append(u) or real(u))
    # URLs with queries are not canonicalised by polars expressions: each is a Python call
    seen = pl.DataFrame(
        {
            "article_id": [f"w{i}" for i in range(20_000)],
            "url": [f"https://example.org/story-{i}?page={i % 3}" for i in range(20_000)],
            "content_hash": [f"h{i}" for i in range(20_000)],
        }
    )
    df = pl.DataFrame(
        {
            "article_id": ["new"],
            "url": ["https://www.example.org/story-7/?utm_source=feed&page=1"],
            "content_hash": ["other"],
            "reject_reason": [None],
            "_in": [True],
        },
        schema_overrides={"reject_reason": pl.String},
    )
    df = df.with_columns(_curl=canonical_urls(df["url"]), duplicate_of=pl.lit(None, pl.String))
    calls.clear()
    out = screen._seen_before(df, seen)
    assert out.row(0, named=True)["reject_reason"] == "already_loaded" and out["duplicate_of"].item() == "w7"
    assert len(calls) < 10  # story-7 (and no other of the 20,000)


# --------------------------------------------------------------------------- screen_batch
def _raw(rows: list[dict]) -> pl.DataFrame:
    from pipelines.ingest import raw_articles_frame
    from pipelines.ingest.items import RawItem

    return raw_articles_frame(
        [RawItem(r["id"], r, None, date(2025, 6, 1)) for r in rows], check_dates=True, today=date(2025, 6, 2)
    )


def test_screen_batch_guesses_every_accepted_language_with_and_without_near_duplicate_search() -> None:
    day = date(2025, 6, 1)
    one = _raw([{"id": "a", "text": STORY, "published_at": "2025-06-01"}])
    out = screen_batch(one, Window(day, day), today=day)
    assert out["language"].to_list() == ["en"]
    rows = [
        {"id": "a", "text": STORY, "published_at": "2025-06-01", "url": "https://a.org/1"},
        {
            "id": "b",
            "text": "Kherson shelled\n" + STORY,
            "published_at": "2025-06-01",
            "url": "https://b.org/1",
        },
        {"id": "c", "text": UKRAINIAN, "published_at": "2025-06-01"},
        {"id": "d", "text": STORY, "published_at": "2025-06-01", "url": "https://c.org/1"},  # exact copy
    ]
    out = screen_batch(_raw(rows), Window(day, day), today=day)
    assert out.select("article_id", "language", "duplicate_of", "reject_reason").rows() == [
        ("a", "en", None, None),
        ("b", "en", "a", None),
        ("c", "uk", None, None),
        ("d", None, "a", "duplicate_article"),
    ]
    unwindowed = screen_batch(_raw(rows), None, today=day)
    assert unwindowed["language"].to_list() == ["en", "en", "uk", None]


def test_near_copies_of_warehouse_articles_name_the_cluster_root() -> None:
    day = date(2025, 6, 3)
    seen = pl.DataFrame(
        {
            "article_id": ["old", "older-copy"],
            "url": ["https://a.org/old", "https://b.org/old"],
            "content_hash": ["x", "y"],
            "text": [STORY + " Updated.", STORY + " Reporting by the wire."],
            "duplicate_of": [None, "old"],
            "partition_date": [date(2025, 6, 1), date(2025, 6, 2)],
        }
    )
    raw = _raw([{"id": "new", "text": "Two killed in Kherson\n" + STORY, "published_at": "2025-06-03"}])
    out = screen_batch(raw, Window(day, day), seen=seen, today=day)
    assert out.select("article_id", "duplicate_of", "language").rows() == [("new", "old", "en")]
