"""The full pipeline (ingest JSONL -> extract -> validate -> load DuckDB) on one file, in bounded batches,
timing each stage. Run in a subprocess of its own per size (see `__main__`), so that its peak RSS is that
size's.

The stage functions are the pipeline's own, called as the Dagster assets call them:
  read      pipelines.ingest.read_folder -> raw_articles_frame (dates checked)
  screen    pipelines.ingest.screen.screen_batch over the batch's days (language, exact and near duplicates,
            seen-before against the warehouse's articles of other days, read by pipelines.batch.read_seen as
            the raw_articles asset reads them) -> accepted_articles
  extract   pipelines.extract.extract_events on the extractable articles (English, not a near-duplicate:
            pipelines.batch.extractable)
  validate  pipelines.validate.validate_events (GX; one ephemeral context per call)
  load      as each run of a backfill publishes: publish_batch per batch (copy the published file, load_batch:
            one transaction through Arrow replacing the batch's days, the derived rows of the keys it touched
            recomputed; views, CHECKPOINT, atomic swap). With one_publish, every batch loads into one copy
            (publish_session) published once at the end (counted in the last batch's load). The daily run
            after it publishes through publish_batch, copy included.
Articles are cut into batches of whole days (the daily partitions of a backfill): consecutive days are
gathered until a batch holds at least `batch_size` articles, so memory is bounded by the batch (and the
largest day), not the archive. Each batch is what one ranged run of the Dagster graph processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipelines.bench.memory import peak_rss_mb, reset_peak

STAGES = ("startup", "read", "screen", "extract", "validate", "load")


def _day(item: Any) -> str | None:
    record = getattr(item, "record", None) or {}
    value = record.get("published_at") or record.get("date")
    return str(value)[:10] if value else None


def day_batches(items: Iterable[Any], batch_size: int) -> Iterator[list[Any]]:
    """Consecutive items grouped into batches of whole days holding at least `batch_size` items; undated items
    are cut at `batch_size`. A day is never split: the load replaces a batch's days (as a run does)."""
    buf: list[Any] = []
    day: str | None = None
    for item in items:
        d = _day(item)
        if buf and len(buf) >= batch_size and (d is None or d != day):
            yield buf
            buf = []
        buf.append(item)
        day = d
    if buf:
        yield buf


def remove_warehouse(db_path: Path) -> None:
    """The DuckDB file, its WAL, and the publish lock and staging files beside it."""
    for p in [db_path, db_path.with_name(db_path.name + ".wal"), *db_path.parent.glob(f".{db_path.name}.*")]:
        p.unlink(missing_ok=True)


class StageClock:
    """Seconds and peak RSS per stage, accumulated over batches."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.cpu: dict[str, float] = dict.fromkeys(STAGES, 0.0)  # process CPU time (all threads)
        self.peak_mb: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self._stage: str | None = None
        self._t0 = self._c0 = 0.0

    def start(self, stage: str) -> None:
        reset_peak()
        self._stage = stage
        self._t0, self._c0 = time.perf_counter(), time.process_time()

    def stop(self) -> None:
        assert self._stage is not None
        self.seconds[self._stage] += time.perf_counter() - self._t0
        self.cpu[self._stage] += time.process_time() - self._c0
        self.peak_mb[self._stage] = max(self.peak_mb[self._stage], peak_rss_mb())
        self._stage = None


def run_pipeline(
    jsonl: Path,
    db_path: Path,
    batch_size: int = 50_000,
    log=None,
    increment: Path | None = None,
    one_publish: bool = False,
) -> dict[str, Any]:
    """Run every stage over `jsonl` into a fresh DuckDB file at `db_path`; returns the measurements.
    With `increment` (a file of the next day's articles), then time that day alone onto the warehouse built:
    the cost of the daily run once the archive is loaded."""
    wall0 = time.perf_counter()
    clock = StageClock()

    clock.start("startup")  # imports and one-off builds (GX import, gazetteer): paid once per process
    import great_expectations  # noqa: F401  - seconds; otherwise paid inside the first validate call
    import polars as pl

    from pipelines.batch import extractable, read_seen
    from pipelines.extract import extract_events
    from pipelines.ingest import accepted_articles, ingest_quarantine, raw_articles_frame, read_folder
    from pipelines.ingest.screen import NEIGHBOUR_DAYS, Window, screen_batch
    from pipelines.reference.gazetteer import load_gazetteer
    from pipelines.schema import EVENT_TABLES, LEDGER_TABLES, QUARANTINE, conform
    from pipelines.validate import validate_events
    from pipelines.warehouse import connect, publish_batch, publish_session, table_counts

    loaded_tables = [*EVENT_TABLES, *LEDGER_TABLES]
    load_gazetteer()
    clock.stop()

    db_path = Path(db_path)
    remove_warehouse(db_path)

    counts = {"items": 0, "articles": 0, "extracted": 0, "text_bytes": 0, "quarantined": 0, "batches": 0}
    counts.update({t: 0 for t in EVENT_TABLES})

    def process(chunk: list[Any], clock: StageClock, load=None, warehouse: Path = db_path) -> None:
        """One batch through every stage, as one ranged run of the graph does it. `load` (default: publish_batch
        on db_path) takes the batch; `warehouse` is the file seen-before reads (a session's copy)."""
        load = load or functools.partial(publish_batch, db_path)
        clock.start("read")
        raw = raw_articles_frame(chunk, check_dates=True)
        clock.stop()

        clock.start("screen")
        days = raw["partition_date"].drop_nulls()
        window = Window(days.min(), days.max()) if len(days) else None
        seen = read_seen(warehouse, window, text_days=NEIGHBOUR_DAYS) if window else None
        raw = screen_batch(raw, window, seen=seen, today=dt.datetime.now(dt.UTC).date())
        del seen
        articles = accepted_articles(raw)
        clock.stop()

        clock.start("extract")
        todo = extractable(articles)
        events = extract_events(todo)
        clock.stop()

        clock.start("validate")
        outcome = validate_events(events, known_article_ids=articles["article_id"].to_list())
        clock.stop()

        clock.start("load")
        quarantine = pl.concat(
            [conform(ingest_quarantine(raw), QUARANTINE), conform(outcome.quarantine, QUARANTINE)]
        )
        # as the warehouse asset does: the event and ledger tables of schema.py that validation returned
        valid = {t: outcome.valid[t] for t in loaded_tables if t in outcome.valid}
        if window is not None:
            load(articles, valid, quarantine, partitions=(window.start, window.end))
        else:
            load(articles, valid, quarantine)
        clock.stop()

        counts["batches"] += 1
        counts["items"] += raw.height
        counts["articles"] += articles.height
        counts["extracted"] += todo.height
        counts["text_bytes"] += int(articles["text"].str.len_bytes().sum() or 0)
        counts["quarantined"] += quarantine.height
        for table in EVENT_TABLES:
            counts[table] += outcome.valid[table].height

    # each batch's stage seconds: shows a stage that grows with the warehouse
    per_batch: list[dict[str, Any]] = []
    batches = day_batches(read_folder(jsonl), batch_size)
    # Each batch is one run of a backfill cut into runs of whole days (BackfillPolicy.multi_run), and each run
    # publishes its days (a copy of the warehouse each). With one_publish, the batches load into one copy
    # published once: a backfill run as a single run.
    session_cm = publish_session(db_path) if one_publish else contextlib.nullcontext()
    with session_cm as session:
        load = session.load if session is not None else None
        warehouse = session.path if session is not None else db_path
        while True:
            before, before_cpu = dict(clock.seconds), dict(clock.cpu)
            clock.start("read")  # reading the lines of the batch (JSON parsing) counts as read
            chunk = next(batches, None)
            clock.stop()
            if chunk is None:
                break
            n_before = counts["articles"]
            process(chunk, clock, load, warehouse)
            del chunk
            gc.collect()
            per_batch.append(
                {
                    "articles": counts["articles"] - n_before,
                    **{k: clock.seconds[k] - before[k] for k in STAGES if k != "startup"},
                    **{f"{k}_cpu": clock.cpu[k] - before_cpu[k] for k in STAGES if k != "startup"},
                }
            )
            if log:
                log(
                    f"  batch {counts['batches']}: {counts['articles']} articles, "
                    f"{time.perf_counter() - wall0:.1f}s, screen {clock.seconds['screen']:.1f}s, "
                    f"extract {clock.seconds['extract']:.1f}s, validate {clock.seconds['validate']:.1f}s, "
                    f"load {clock.seconds['load']:.1f}s"
                )
        # the session publishes (views, comments, CHECKPOINT, swap) as the block ends: the run's last load
        publish_before, publish_cpu_before = clock.seconds["load"], clock.cpu["load"]
        clock.start("load")
    clock.stop()
    publish_seconds = clock.seconds["load"] - publish_before
    if per_batch:
        per_batch[-1]["load"] += publish_seconds
        per_batch[-1]["load_cpu"] += clock.cpu["load"] - publish_cpu_before

    con = connect(db_path, read_only=True)
    try:
        warehouse_counts = table_counts(con)
    finally:
        con.close()
    db_bytes = sum(
        p.stat().st_size for p in (db_path, db_path.with_name(db_path.name + ".wal")) if p.exists()
    )
    process_peak = max(max(clock.peak_mb.values()), peak_rss_mb())
    archive_counts = dict(counts)  # the daily run below adds to `counts`; the archive's are reported

    # the daily run on top of the archive: one more day into the warehouse just built
    daily = None
    if increment is not None:
        day_clock = StageClock()
        day_clock.start("read")
        chunk = list(read_folder(increment))
        day_clock.stop()
        n_before = counts["articles"]
        process(chunk, day_clock)
        daily = {
            "articles": counts["articles"] - n_before,
            "input_bytes": Path(increment).stat().st_size,
            "stage_seconds": {k: v for k, v in day_clock.seconds.items() if k != "startup"},
            "stage_peak_rss_mb": {k: v for k, v in day_clock.peak_mb.items() if k != "startup"},
            "warehouse_articles_before": warehouse_counts.get("articles"),
        }
        if log:
            log(f"  daily run onto the warehouse: {sum(daily['stage_seconds'].values()):.1f}s")

    return {
        "input_bytes": jsonl.stat().st_size,
        "batch_size": batch_size,
        "stage_seconds": clock.seconds,
        "stage_cpu_seconds": clock.cpu,
        "stage_peak_rss_mb": clock.peak_mb,
        "worker_wall_seconds": time.perf_counter() - wall0,
        # resetting the peak per stage also resets what getrusage reports at exit, so the process peak is
        # the largest stage peak (stages follow each other without gaps)
        "peak_rss_mb": process_peak,
        "counts": archive_counts,
        "per_batch_seconds": per_batch,
        "publish_seconds": publish_seconds,  # the one publish of the archive's batches (in the last batch's load)
        "warehouse_counts": warehouse_counts,
        "db_bytes": db_bytes,
        "daily_run": daily,
    }
