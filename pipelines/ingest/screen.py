"""Batch rules that need more than one item: partitions, language, duplicates, and what the warehouse already has.

`screen_batch` takes the RAW_ARTICLES frame of everything the sources hold and returns the rows of the run's
partitions (its window), with `partition_date`, `language` and `duplicate_of` filled in and these rejects:

- "duplicate_article": the same canonical URL or the same text as an earlier item of the sources (earlier =
  earlier partition_date, then source order); `duplicate_of` names the copy that is kept;
- "already_loaded": an item of the window whose id, canonical URL or text the warehouse already holds in a
  partition outside the window (seen in an earlier run); `duplicate_of` names that article.

Near-identical copies (not rejected) get `duplicate_of` = the earliest copy, searched among the items of the
sources and the warehouse's articles of the days around the window (NEIGHBOUR_DAYS either side).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from pipelines.ingest.dedup import canonical_url, near_duplicate_clusters
from pipelines.ingest.items import PARTITION_START
from pipelines.ingest.language import detect_language
from pipelines.schema import RAW_ARTICLES, conform

NEIGHBOUR_DAYS = 3  # near-duplicates are looked for this many days either side of the window


@dataclass(frozen=True)
class Window:
    """The run's partitions, first and last day inclusive."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


SEEN_SCHEMA = {
    "article_id": pl.String,
    "url": pl.String,
    "content_hash": pl.String,
    "text": pl.String,
    "duplicate_of": pl.String,
    "partition_date": pl.Date,
}


def _partition_date(today: date, start: date) -> pl.Expr:
    """An item with neither a date nor a fetch day (an in-memory item) belongs to today; fallback days outside
    [start, today] (a file last modified in 2019) are clamped in."""
    return pl.col("partition_date").fill_null(today).clip(pl.lit(start), pl.lit(max(today, start)))


def partition_days(raw: pl.DataFrame, today: date, start: date = PARTITION_START) -> list[date]:
    """The distinct days (partitions) the items of a RAW_ARTICLES frame belong to."""
    if raw.height == 0:
        return []
    return sorted(raw.select(_partition_date(today, start).unique())["partition_date"].to_list())


def _earliest_first(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_row_index("_pos").sort(["partition_date", "_pos"], nulls_last=True)


def screen_batch(
    raw: pl.DataFrame,
    window: Window | None,
    *,
    seen: pl.DataFrame | None = None,
    today: date | None = None,
    start: date = PARTITION_START,
) -> pl.DataFrame:
    """RAW_ARTICLES of all items -> RAW_ARTICLES of the window's items, screened (see the module doc).

    `seen` holds the warehouse's articles outside the window (SEEN_SCHEMA; `text` may be null for those
    outside the neighbour days). `window=None` keeps every item (no partitions)."""
    today = today or date.today()
    if raw.height == 0:
        return conform(raw, RAW_ARTICLES)
    seen = conform(seen, SEEN_SCHEMA) if seen is not None else pl.DataFrame(schema=SEEN_SCHEMA)
    ok = pl.col("reject_reason").is_null()
    df = raw.with_columns(partition_date=_partition_date(today, start))
    df = df.with_columns(_curl=pl.col("url").map_elements(canonical_url, return_dtype=pl.String))
    df = _earliest_first(df)

    # exact copies among everything the sources hold: same canonical URL, or same text
    rows = df.select("article_id", "_curl", "content_hash", "reject_reason").to_dicts()
    first_by_url: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    reasons, dup_of = [], []
    for r in rows:
        reason, of = r["reject_reason"], None
        if reason in (None, "duplicate_article_id"):
            kept = (r["_curl"] and first_by_url.get(r["_curl"])) or (
                r["content_hash"] and first_by_hash.get(r["content_hash"])
            )
            if kept and (kept != r["article_id"] or reason is not None):
                # a second copy; a repeated id whose URL or text is also the same is a copy, not a clash
                reason, of = "duplicate_article", kept
            elif reason is None:
                if r["_curl"]:
                    first_by_url.setdefault(r["_curl"], r["article_id"])
                if r["content_hash"]:
                    first_by_hash.setdefault(r["content_hash"], r["article_id"])
        reasons.append(reason)
        dup_of.append(of)
    df = df.with_columns(
        reject_reason=pl.Series(reasons, dtype=pl.String), duplicate_of=pl.Series(dup_of, dtype=pl.String)
    )

    in_window = (
        pl.col("partition_date").is_between(pl.lit(window.start), pl.lit(window.end))
        if window is not None
        else pl.lit(True)
    )
    df = df.with_columns(_in=in_window)

    # seen in an earlier run: the warehouse has it in a partition outside the window
    if seen.height:
        seen_c = seen.with_columns(_curl=pl.col("url").map_elements(canonical_url, return_dtype=pl.String))
        by_id = dict.fromkeys(seen_c["article_id"].drop_nulls().to_list())
        by_url = dict(seen_c.select("_curl", "article_id").drop_nulls().iter_rows())
        by_hash = dict(seen_c.select("content_hash", "article_id").drop_nulls().iter_rows())
        reasons, dup_of = df["reject_reason"].to_list(), df["duplicate_of"].to_list()
        for i, r in enumerate(df.select("article_id", "_curl", "content_hash", "_in").iter_rows(named=True)):
            if reasons[i] is not None or not r["_in"]:
                continue
            match = (
                (r["article_id"] if r["article_id"] in by_id else None)
                or by_url.get(r["_curl"] or "")
                or by_hash.get(r["content_hash"] or "")
            )
            if match:
                reasons[i], dup_of[i] = "already_loaded", match
        df = df.with_columns(
            reject_reason=pl.Series(reasons, dtype=pl.String), duplicate_of=pl.Series(dup_of, dtype=pl.String)
        )

    df = _link_near_duplicates(df, seen, window)
    df = df.filter(pl.col("_in")).sort("_pos")
    df = df.with_columns(
        language=pl.when(ok)
        .then(pl.col("text").map_elements(detect_language, return_dtype=pl.String))
        .otherwise(pl.lit(None, pl.String))
    )
    return conform(df, RAW_ARTICLES)


def _link_near_duplicates(df: pl.DataFrame, seen: pl.DataFrame, window: Window | None) -> pl.DataFrame:
    """duplicate_of for accepted items that are near-identical to an earlier accepted item or warehouse article."""
    accepted = df.filter(pl.col("reject_reason").is_null()).select(
        "article_id",
        "text",
        "partition_date",
        pl.lit(None, pl.String).alias("_root"),
        pl.lit(1).alias("_src"),
    )
    if window is not None:
        # copies are looked for among the items and the warehouse articles of the days around the window
        lo, hi = window.start - timedelta(days=NEIGHBOUR_DAYS), window.end + timedelta(days=NEIGHBOUR_DAYS)
        accepted = accepted.filter(pl.col("partition_date").is_between(pl.lit(lo), pl.lit(hi)))
    if window is not None and seen.height:
        neighbours = seen.filter(
            pl.col("partition_date").is_between(pl.lit(lo), pl.lit(hi))
            & pl.col("text").is_not_null()
            & ~pl.col("article_id").is_in(accepted["article_id"].implode())
        ).select(
            "article_id",
            "text",
            "partition_date",
            pl.col("duplicate_of").alias("_root"),
            pl.lit(0).alias("_src"),
        )
        nodes = pl.concat([neighbours, accepted])
    else:
        nodes = accepted
    if nodes.height < 2:
        return df
    # earliest first; on the same day a warehouse article (already loaded) precedes a new one
    nodes = nodes.with_row_index("_k").sort(["partition_date", "_src", "_k"], nulls_last=True)
    ids = nodes["article_id"].to_list()
    roots = nodes["_root"].to_list()
    firsts = near_duplicate_clusters(nodes["text"].to_list())
    link = {
        ids[i]: (roots[f] or ids[f])
        for i, f in enumerate(firsts)
        if f != i and (roots[f] or ids[f]) != ids[i]
    }
    if not link:
        return df
    return df.with_columns(
        duplicate_of=pl.when(pl.col("reject_reason").is_null())
        .then(pl.col("article_id").replace_strict(link, default=None, return_dtype=pl.String))
        .otherwise(pl.col("duplicate_of"))
    )
