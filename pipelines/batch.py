"""A run's batch steps as plain code, called by the Dagster assets and the benchmark alike: which articles
are extracted (`extractable`), what the warehouse already holds (`read_seen`), and one run's publish
(`publish_run`): the screened items, the validated events and the quarantine rows of a run's days go into
the warehouse in one staging copy, swapped in whole.

Under the writers' lock, just before loading, the run's accepted articles are screened once more against the
warehouse as it is now (`recheck_seen`): another run may have published the same story (same id, canonical URL
or text) under another day since this run read the warehouse. Such an article becomes an `already_loaded`
reject, and its event rows and validation rejects are dropped with it, so two runs at once never load an
exact copy twice (the second to publish rejects its copy, as it would had it started after the first).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl

from pipelines import progress
from pipelines.extract import extract_events, sort_events
from pipelines.ingest import ingest_quarantine
from pipelines.ingest.screen import NEIGHBOUR_DAYS, SEEN_SCHEMA, Window, recheck_seen
from pipelines.schema import EVENT_TABLES, QUARANTINE, conform
from pipelines.settings import Warehouse
from pipelines.warehouse import LoadSummary, connect, existing_tables, publish_session
from pipelines.warehouse.db import LakeUnavailable, as_warehouse
from pipelines.warehouse.publish import retrying


def extractable(articles: pl.DataFrame) -> pl.DataFrame:
    """The articles extraction runs on: English (or undetermined) articles that are not copies of another. An
    article in another language is kept (with its language) but the English patterns are not run on it, and a
    near-identical copy of an earlier article (duplicate_of) is not independent evidence: its events would only
    double-count the earlier copy's."""
    language = pl.col("language") if "language" in articles.columns else pl.lit(None, pl.String)
    copy = pl.col("duplicate_of") if "duplicate_of" in articles.columns else pl.lit(None, pl.String)
    return articles.filter((language.is_null() | (language == "en")) & copy.is_null())


def extract_in_batches(
    articles: pl.DataFrame, batch_size: int, *, what: str = "extract", log=None
) -> dict[str, pl.DataFrame]:
    """`extract_events` over `articles` in batches of `batch_size` articles, with one progress line per batch
    (batch i/n, articles, rows, rate, ETA: pipelines/progress.py `Batches`) to `log` and the terminal's bar,
    if one is open. The rows equal one pass's, in the same order: an article's extraction does not depend on
    the others, and `sort_events` orders the rows whatever the cut."""
    n = max(1, -(-articles.height // batch_size))
    tracker = progress.Batches(what, articles=articles.height, batches=n, log=log)
    parts: list[dict[str, pl.DataFrame]] = []
    for k in range(n):
        batch = articles.slice(k * batch_size, batch_size)
        events = extract_events(batch)
        tracker.done(batch.height, sum(events[t].height for t in EVENT_TABLES))
        parts.append(events)
    if len(parts) == 1:
        return parts[0]
    return sort_events({table: pl.concat([p[table] for p in parts]) for table in parts[0]})


def read_seen(db_path: Warehouse | str, window: Window, text_days: int | None = NEIGHBOUR_DAYS) -> pl.DataFrame:
    """The warehouse's articles outside `window` (SEEN_SCHEMA): what earlier runs loaded. Texts only for the
    `text_days` around the window, where near-duplicates are looked for (None: no texts)."""
    target = as_warehouse(db_path)
    if isinstance(target, Path) and (not target.exists() or target.stat().st_size == 0):
        return pl.DataFrame(schema=SEEN_SCHEMA)
    try:
        con = connect(target, read_only=True)
    except LakeUnavailable as exc:
        if "creating a new DuckLake is explicitly disabled" in str(exc):
            return pl.DataFrame(schema=SEEN_SCHEMA)  # a lake not created yet holds nothing
        raise
    try:
        return seen_in(con, window, text_days)
    finally:
        con.close()


def seen_in(con: duckdb.DuckDBPyConnection, window: Window, text_days: int | None) -> pl.DataFrame:
    """`read_seen` through an open connection (a lake publish reads inside its own transaction)."""
    if "articles" not in existing_tables(con):
        return pl.DataFrame(schema=SEEN_SCHEMA)
    span = text_days if text_days is not None else -1  # an empty range: no texts
    lo, hi = window.start - timedelta(days=span), window.end + timedelta(days=span)
    frame = con.sql(
        "SELECT article_id, url, content_hash, "
        "CASE WHEN partition_date BETWEEN $lo AND $hi THEN text END AS text, duplicate_of, partition_date "
        "FROM articles WHERE partition_date NOT BETWEEN $s AND $e",  # rows without a day are replaced
        params={"lo": lo, "hi": hi, "s": window.start, "e": window.end},
    ).pl()
    return frame.cast(SEEN_SCHEMA)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Published:
    """What one run published: the load's summary, the run's items as finally screened, what the last screen
    rejected (articles) and dropped with them (their event rows and validation rejects), and the frames loaded
    (accepted articles, event and ledger rows, quarantine rows of both stages)."""

    summary: LoadSummary
    raw: pl.DataFrame
    rejected_at_publish: int
    rows_dropped: int
    frames: dict[str, pl.DataFrame]


def publish_run(
    db_path: Path | str,
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    events: dict[str, pl.DataFrame],
    validate_quarantine: pl.DataFrame,
    window: Window,
    *,
    sql_dir: Path | None = None,
) -> Published:
    """Load a run's days (`raw` = its screened items, `articles` = the accepted ones, `events` = the validated
    event and ledger frames, `validate_quarantine` = validation rejects) into the warehouse and publish it,
    after screening the accepted articles once more against what the warehouse holds now (module doc). On a
    lake the whole of it is one transaction, run again, screen included, when it loses its commit to another
    run's (publish.py `retrying`)."""
    return retrying(
        db_path, lambda: _publish_run_once(db_path, raw, articles, events, validate_quarantine, window, sql_dir)
    )


def _publish_run_once(
    db_path: Warehouse | str,
    raw: pl.DataFrame,
    articles: pl.DataFrame,
    events: dict[str, pl.DataFrame],
    validate_quarantine: pl.DataFrame,
    window: Window,
    sql_dir: Path | None,
) -> Published:
    with publish_session(db_path, sql_dir) as session:
        accepted_before = raw.filter(pl.col("reject_reason").is_null())["article_id"]
        # a lake's publish reads inside its own transaction; a file's, the staging copy (absent before the
        # first publish)
        if session.con is not None:
            seen = seen_in(session.con, window, text_days=None)
        else:
            seen = read_seen(session.path, window, text_days=None)
        raw = recheck_seen(raw, seen)
        kept = raw.filter(pl.col("reject_reason").is_null())["article_id"]
        newly = accepted_before.filter(~accepted_before.is_in(kept.implode()))
        dropped = 0
        if newly.len():
            keep = ~pl.col("article_id").is_in(newly.implode()).fill_null(False)
            articles = articles.filter(keep)
            trimmed = {table: frame.filter(keep) for table, frame in events.items()}
            kept_rejects = validate_quarantine.filter(keep)
            dropped = sum(events[t].height - trimmed[t].height for t in events)
            dropped += validate_quarantine.height - kept_rejects.height
            events, validate_quarantine = trimmed, kept_rejects
        quarantine = pl.concat(
            [conform(ingest_quarantine(raw), QUARANTINE), conform(validate_quarantine, QUARANTINE)]
        )
        summary = session.load(articles, events, quarantine, partitions=(window.start, window.end))
    if session.committed:  # a lake: the snapshot this run committed
        summary = dataclasses.replace(summary, snapshot=session.committed[-1])
    frames = {"articles": articles, **events, "quarantine": quarantine}
    return Published(summary, raw, newly.len(), dropped, frames)
