"""Batch rules that need more than one item: partitions, language, duplicates, and what the warehouse already has.

`screen_batch` takes the RAW_ARTICLES frame of everything the sources hold and returns the rows of the run's
partitions (its window), with `partition_date`, `language` and `duplicate_of` filled in and these rejects:

- "duplicate_article": the same canonical URL or the same text as an earlier item of the sources (earlier =
  earlier partition_date, then source order); `duplicate_of` names the copy that is kept;
- "already_loaded": an item of the window whose id, canonical URL or text the warehouse already holds in a
  partition outside the window (seen in an earlier run); `duplicate_of` names that article.

Near-identical copies (not rejected) get `duplicate_of` = the earliest copy, searched among the items of the
sources and the warehouse's articles of the days around the window (NEIGHBOUR_DAYS either side).

The rules run as polars joins and expressions over whole columns; the cost follows the batch, not the
warehouse (only warehouse URLs that can match a batch URL are canonicalised), and the texts are split into
words once, for the near-duplicate search and the language guess together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from pipelines.ingest.dedup import canonical_urls, near_duplicate_clusters, url_keys
from pipelines.ingest.items import PARTITION_START
from pipelines.ingest.language import detect_languages
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
    df = df.with_columns(_curl=canonical_urls(df["url"]))
    # exact copies among everything the sources hold: same canonical URL, or same text
    df = _exact_copies(_earliest_first(df))

    in_window = (
        pl.col("partition_date").is_between(pl.lit(window.start), pl.lit(window.end))
        if window is not None
        else pl.lit(True)
    )
    df = df.with_columns(_in=in_window)
    # seen in an earlier run: the warehouse has it in a partition outside the window
    if seen.height:
        df = _seen_before(df, seen)

    df, languages = _link_near_duplicates(df, seen, window)
    df = df.filter(pl.col("_in")).sort("_pos")
    # the near-duplicate search guessed the language of the texts it split into words; the rest here
    df = df.drop("language").join(languages, on="_pos", how="left", maintain_order="left")
    rest = df.select((ok & pl.col("language").is_null() & pl.col("_known").is_null()).arg_true()).to_series()
    if rest.len():
        df = df.with_columns(
            language=df["language"].clone().scatter(rest, detect_languages(df["text"].gather(rest)))
        )
    df = df.with_columns(language=pl.when(ok).then(pl.col("language")).otherwise(pl.lit(None, pl.String)))
    return conform(df, RAW_ARTICLES)


def recheck_seen(raw: pl.DataFrame, seen: pl.DataFrame) -> pl.DataFrame:
    """A screened batch (RAW_ARTICLES of the window) screened again for what the warehouse holds now, by the
    seen-before rule of `screen_batch`: an accepted item whose id, canonical URL or text `seen` (SEEN_SCHEMA;
    texts not needed) has becomes "already_loaded". Run just before publishing, under the writers' lock, it
    catches what another run published since this one read the warehouse."""
    if raw.height == 0 or seen.height == 0:
        return raw
    df = raw.with_columns(_curl=canonical_urls(raw["url"]), _in=pl.lit(True))
    return conform(_seen_before(df, conform(seen, SEEN_SCHEMA)), RAW_ARTICLES)


def _exact_copies(df: pl.DataFrame) -> pl.DataFrame:
    """reject_reason "duplicate_article" and duplicate_of for copies among the items (df earliest first).

    The rule is sequential: an item is a copy when an earlier *kept* item has its canonical URL (else its
    text), and only kept items register theirs, so whether an item is kept depends on the items before it
    (A; B with A's text and another URL is a copy; C with B's URL and a new text is kept, as B registered
    nothing). An item whose URL and text no other candidate shares cannot be a copy nor make one, so it is
    decided here without the rule; the rule runs over the few items that share a URL or a text."""
    eligible = pl.col("reject_reason").is_null() | (pl.col("reject_reason") == "duplicate_article_id")
    url = pl.when(eligible & (pl.col("_curl") != "")).then(pl.col("_curl"))
    text = pl.when(eligible & (pl.col("content_hash") != "")).then(pl.col("content_hash"))
    shares = (url.is_not_null() & (pl.len().over(url) > 1)) | (text.is_not_null() & (pl.len().over(text) > 1))
    df = df.with_columns(duplicate_of=pl.lit(None, pl.String))
    rows = df.select(
        pl.int_range(pl.len()).alias("i"), "article_id", "_curl", "content_hash", "reject_reason"
    )
    rows = rows.filter(df.select(shares.fill_null(False)).to_series())
    if rows.height == 0:
        return df
    first_by_url: dict[str, str] = {}
    first_by_hash: dict[str, str] = {}
    at, reasons, dup_of = [], [], []
    for r in rows.iter_rows(named=True):
        reason = r["reject_reason"]
        kept = (r["_curl"] and first_by_url.get(r["_curl"])) or (
            r["content_hash"] and first_by_hash.get(r["content_hash"])
        )
        if kept and (kept != r["article_id"] or reason is not None):
            # a second copy; a repeated id whose URL or text is also the same is a copy, not a clash
            at.append(r["i"])
            reasons.append("duplicate_article")
            dup_of.append(kept)
        elif reason is None:
            if r["_curl"]:
                first_by_url.setdefault(r["_curl"], r["article_id"])
            if r["content_hash"]:
                first_by_hash.setdefault(r["content_hash"], r["article_id"])
    if not at:
        return df
    return df.with_columns(
        reject_reason=df["reject_reason"].clone().scatter(at, reasons),
        duplicate_of=df["duplicate_of"].clone().scatter(at, dup_of),
    )


def _seen_before(df: pl.DataFrame, seen: pl.DataFrame) -> pl.DataFrame:
    """reject_reason "already_loaded" and duplicate_of for items of the window whose id, canonical URL or
    text (in that order) the warehouse has; a URL or text the warehouse has twice names its last article.

    Only warehouse URLs with a batch URL's url_keys are canonicalised: the cost follows the batch, not the
    warehouse."""
    candidate = pl.col("reject_reason").is_null() & pl.col("_in")
    batch_keys = url_keys(df.filter(candidate & pl.col("url").is_not_null())["url"]).drop_nulls().unique()
    seen_urls = seen.filter(url_keys(seen["url"]).is_in(batch_keys.implode()).fill_null(False))
    by_url = (
        seen_urls.select(k=canonical_urls(seen_urls["url"]), v=pl.col("article_id"))
        .drop_nulls()
        .unique(subset="k", keep="last", maintain_order=True)
    )
    batch = df.filter(candidate)
    by_hash = (
        seen.filter(pl.col("content_hash").is_in(batch["content_hash"].fill_null("").implode()))
        .select(k="content_hash", v="article_id")
        .drop_nulls()
        .unique(subset="k", keep="last", maintain_order=True)
    )
    ids = (
        batch["article_id"]
        .filter(batch["article_id"].is_in(seen["article_id"].drop_nulls().implode()))
        .implode()
    )
    truthy = lambda c: pl.when(pl.col(c) != "").then(pl.col(c))  # noqa: E731 - the loop's `or` chain
    match = (
        df.select("article_id", _u=pl.col("_curl").fill_null(""), _h=pl.col("content_hash").fill_null(""))
        .join(by_url.rename({"v": "_by_url"}), left_on="_u", right_on="k", how="left", maintain_order="left")
        .join(
            by_hash.rename({"v": "_by_hash"}), left_on="_h", right_on="k", how="left", maintain_order="left"
        )
        .select(
            pl.coalesce(
                pl.when(pl.col("article_id").is_in(ids)).then(truthy("article_id")),
                truthy("_by_url"),
                truthy("_by_hash"),
            )
        )
        .to_series()
    )
    hit = candidate & match.is_not_null()
    return df.with_columns(
        reject_reason=pl.when(hit).then(pl.lit("already_loaded")).otherwise(pl.col("reject_reason")),
        duplicate_of=pl.when(hit).then(match).otherwise(pl.col("duplicate_of")),
    )


def _link_near_duplicates(
    df: pl.DataFrame, seen: pl.DataFrame, window: Window | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """duplicate_of for accepted items that are near-identical to an earlier accepted item or warehouse
    article; and (_pos, language, _known) for the accepted items whose words the search found, guessed
    from those words (detect_languages) so that no text is split into words twice."""
    languages = pl.DataFrame(schema={"_pos": pl.UInt32, "language": pl.String, "_known": pl.Boolean})
    accepted = df.filter(pl.col("reject_reason").is_null()).select(
        "article_id",
        "text",
        "partition_date",
        "_pos",
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
            pl.lit(None, pl.UInt32).alias("_pos"),
            pl.col("duplicate_of").alias("_root"),
            pl.lit(0).alias("_src"),
        )
        nodes = pl.concat([neighbours, accepted])
    else:
        nodes = accepted
    if nodes.height < 2:
        return df, languages
    # earliest first; on the same day a warehouse article (already loaded) precedes a new one
    nodes = nodes.with_row_index("_k").sort(["partition_date", "_src", "_k"], nulls_last=True)
    texts, items = nodes["text"], nodes["_pos"]
    guessed: list[pl.DataFrame] = []

    def guess(offset: int, hashes: pl.Series) -> None:  # the items' languages (not the warehouse's)
        mine = items.slice(offset, hashes.len()).is_not_null()
        guessed.append(
            pl.DataFrame(
                {
                    "_pos": items.slice(offset, hashes.len()).filter(mine),
                    "language": detect_languages(
                        texts.slice(offset, hashes.len()).filter(mine),
                        word_hashes_of_texts=hashes.filter(mine),
                    ),
                }
            )
        )

    firsts = near_duplicate_clusters(texts, on_words=guess)
    languages = pl.concat([languages.drop("_known"), *guessed]).with_columns(_known=pl.lit(True))
    ids = nodes["article_id"].to_list()
    roots = nodes["_root"].to_list()
    link = {
        ids[i]: (roots[f] or ids[f])
        for i, f in enumerate(firsts)
        if f != i and (roots[f] or ids[f]) != ids[i]
    }
    if not link:
        return df, languages
    return df.with_columns(
        duplicate_of=pl.when(pl.col("reject_reason").is_null())
        .then(pl.col("article_id").replace_strict(link, default=None, return_dtype=pl.String))
        .otherwise(pl.col("duplicate_of"))
    ), languages
