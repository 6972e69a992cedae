"""`salvo`: extract | run | report.

salvo extract ARTICLES.jsonl [--evidence]   event rows as JSON lines on stdout (../shared/eval/SCHEMA.md)
salvo run [--articles PATH ...] [--db PATH|URI]  materialize every asset into the warehouse
salvo report [NAME] [--db PATH|URI] [--format table|csv|json] [--as-of SNAPSHOT]

The warehouse is SALVO_WAREHOUSE (or --db): a DuckDB file, or ducklake:postgres:<libpq string> with
SALVO_WAREHOUSE_DATA (pipelines/settings.py).

What a person gets wrong (a setting, a path, an option, a warehouse file that is not one) ends in one line on
stderr that says what is wrong and what to do, and a non-zero exit: never a Python or Dagster traceback. A run
that fails prints one line per failed run (the step and its error); the whole log is in the Dagster UI, or on
the terminal with SALVO_LOG_LEVEL=ERROR (or DEBUG).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pipelines import settings
from pipelines.settings import SettingsError

if TYPE_CHECKING:  # Dagster is imported only by the commands that run it
    import dagster as dg

EXTRACT_CHUNK = settings.DEFAULT_EXTRACT_BATCH  # articles per extraction pass: one chunk's text, not the file's
# Dagster's console log in `salvo run` unless SALVO_LOG_LEVEL says otherwise: a failed step is reported in one
# line by the CLI itself, not as Dagster's 80-200 lines of stack
QUIET_LOG_LEVEL = "CRITICAL"


class UsageError(Exception):
    """A mistake in how salvo was called (a path that does not exist, a file that is not a warehouse); its
    message is the one line printed."""


def cmd_extract(args: argparse.Namespace) -> int:
    """Read the input in chunks of articles, extract each, and write every row once all are done, in the order
    one pass over the whole input gives (extraction of an article does not depend on the others). On a terminal
    (or with --progress / SALVO_PROGRESS=1) a bar on stderr counts the articles read, the chunks done, the rows,
    the rate and the time left (pipelines/progress.py)."""
    import itertools

    import polars as pl

    from pipelines import progress
    from pipelines.extract import contract_jsonl, extract_events, sort_events
    from pipelines.ingest import accepted_articles, raw_articles_frame, read_folder
    from pipelines.schema import EVENT_TABLES, EVENT_TYPE_OF_TABLE, empty

    if not os.path.lexists(args.articles):
        raise UsageError(
            f"salvo extract: {args.articles} does not exist; give a JSON-lines file or a folder of articles"
        )
    chunk_size = args.chunk or settings.extract_batch()
    show = progress.wanted(args.progress)
    items = read_folder(args.articles)
    seen_ids: set[str] = set()
    parts: dict[str, list[pl.DataFrame]] = {table: [] for table in EVENT_TYPE_OF_TABLE}
    with progress.terminal(show) as bar:
        total = _count_lines(args.articles) if show else None
        tracker = progress.Batches(
            "salvo extract", articles=total, batches=-(-total // chunk_size) if total else None
        )
        while chunk := list(itertools.islice(items, chunk_size)):
            raw = raw_articles_frame(chunk, seen_ids=seen_ids)
            del chunk
            for row in raw.filter(pl.col("reject_reason").is_not_null()).iter_rows(named=True):
                line = f"salvo: skipped {row['origin']}: {row['reject_reason']}"
                if bar is not None:
                    bar.write(line)  # above the bar
                else:
                    print(line, file=sys.stderr)
            events = extract_events(accepted_articles(raw))
            for table in parts:  # the contract's tables; the outcome ledger is not part of it
                parts[table].append(events[table])
            tracker.done(raw.height, sum(events[t].height for t in parts))
            del raw
    events = sort_events(
        {
            table: pl.concat(frames) if frames else empty(EVENT_TABLES[table])
            for table, frames in parts.items()
        }
    )
    out = sys.stdout
    for line in contract_jsonl(events, with_evidence=args.evidence):
        out.write(line + "\n")
    return 0


def _count_lines(path: str | os.PathLike[str]) -> int | None:
    """The lines of a JSON-lines file (the articles a bar expects), counted in blocks; None for a folder."""
    if not os.path.isfile(path):
        return None
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def load_definitions():
    from pipelines.definitions import defs

    return defs() if callable(defs) else defs


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def plan_days(resources: dict) -> list:
    return plan(resources)[0]


def plan(resources: dict) -> tuple[list, int]:
    """The days (partitions) the configured sources have items for, and how many items they hold: every day of the folders' items and of the
    feeds' entries, and today when feeds or pages are configured (undated web items belong to their fetch day).
    Pages are not fetched to plan: one dated on another day is counted in raw_articles' `items_of_other_days`."""
    from pipelines.days import today_utc
    from pipelines.ingest import raw_articles_frame
    from pipelines.ingest.screen import partition_days
    from pipelines.ingest.sources import read_feeds

    today = today_utc()
    feeds, pages = resources["feed_source"].feeds, resources["page_source"].pages
    items = list(resources["article_source"].items())
    if feeds:
        items += read_feeds(feeds, resources["fetch_policy"].policy(), today)
    days = set(partition_days(raw_articles_frame(items, check_dates=True, today=today), today))
    if feeds or pages or not days:
        days.add(today)  # with nothing at all, today's run still creates the tables and views
    return sorted(days), len(items)


def materialize_days(first, last, resources: dict, instance=None, raise_on_error: bool = False, **kwargs):
    """One in-process run of the whole graph over the days first..last (a single partition or a range)."""
    import dagster as dg

    first, last = str(first), str(last)
    tags = {RANGE_START_TAG: first, RANGE_END_TAG: last} if first != last else None
    return dg.materialize(
        list(load_definitions().assets or []),
        instance=instance,
        resources=resources,
        partition_key=first if first == last else None,
        tags=tags,
        raise_on_error=raise_on_error,
        **kwargs,
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Materialize the graph for every day the sources have items for: one run per stretch of days (days at most
    a week apart share a run), e.g. the seeds' five days of March 2025 in one run and today's in another."""
    from pipelines import progress
    from pipelines.days import contiguous_ranges
    from pipelines.defs.resources import (  # the run is Dagster's: its resources
        ArticleSourceResource,
        WarehouseResource,
        default_resources,
        frames_base,
        remove_run_frames,
    )
    from pipelines.warehouse.db import NotAWarehouse, check_warehouse

    db_path = settings.warehouse_from(args.db)
    try:
        check_warehouse(db_path, must_exist=False)
    except NotAWarehouse as exc:
        raise UsageError(f"salvo run: {exc}") from exc
    overrides = {"warehouse": WarehouseResource.of(db_path)}
    if args.articles:
        missing = [p for p in args.articles if not os.path.lexists(p)]
        if missing:
            raise UsageError(
                f"salvo run: --articles {missing[0]} does not exist; give a folder or a file of articles"
            )
        overrides["article_source"] = ArticleSourceResource(paths=args.articles)
    resources = default_resources(**overrides)
    instance = _instance()
    started = time.perf_counter()
    days, items = plan(resources)
    ranges = contiguous_ranges(days)
    log_level = settings.log_level() or QUIET_LOG_LEVEL
    results = []
    # on a terminal (or --progress / SALVO_PROGRESS=1) a bar on stderr follows each run: the items read, then
    # the articles extracted per batch (the extraction asset reports into it), validation and the publish
    with progress.terminal(progress.wanted(args.progress)) as bar:
        for k, (first, last) in enumerate(ranges, 1):
            span = str(first) if first == last else f"{first}..{last}"
            if bar is not None:
                bar.prefix = f"salvo run {k}/{len(ranges)} ({span})"
                bar.phase("read", items)  # every run reads every item of the sources, and keeps its days'
            run_started = time.perf_counter()
            result = materialize_days(
                first,
                last,
                resources,
                instance=instance,
                # step-by-step lines are for the UI's run log; the terminal gets the summary (or one line per
                # failure)
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
            if result.success:  # a failed run keeps its frames for a re-execution (see sweep_frames)
                remove_run_frames(frames_base(instance), result.run_id)
            results.append(result)
            if bar is not None:
                took = time.perf_counter() - run_started
                bar.write(f"salvo run: run {k}/{len(ranges)} ({span}) {'done' if result.success else 'FAILED'} in {took:.1f}s")
    elapsed = time.perf_counter() - started
    failed = [(r, rng) for r, rng in zip(results, ranges, strict=True) if not r.success]
    for result, (first, last) in failed:
        print(failure_line(result, first, last), file=sys.stderr)
    if failed:
        return 1
    print(run_summary(results, db_path, elapsed, ranges))
    # a check of severity ERROR that failed (conservation, found_on_disk, no_orphans) fails the command too
    broken = [
        c for r in results for c in r.get_asset_check_evaluations() if not c.passed and c.severity.value == "ERROR"
    ]
    return 1 if broken else 0


def _instance() -> dg.DagsterInstance:
    """The Dagster instance of DAGSTER_HOME (ephemeral without one). Two `salvo run`s starting at once on a new
    home would both create its SQLite storage and one would fail: the first use is serialized by a lock file."""
    import fcntl

    import dagster as dg

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    with open(Path(home) / ".salvo-instance.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            instance = dg.DagsterInstance.get()
            instance.get_runs(limit=1)  # creates the run storage's tables now, under the lock
            instance.fetch_materializations(dg.AssetKey("raw_articles"), limit=1)  # and the event index
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return instance


def failure_line(result: dg.ExecuteInProcessResult, first: object, last: object) -> str:
    """One line for a failed run: the days, the step that failed, its error's first line, where the log is."""
    days = str(first) if first == last else f"{first}..{last}"
    failures = result.get_step_failure_events() if hasattr(result, "get_step_failure_events") else []
    if failures:
        event = failures[0]
        error = getattr(event.step_failure_data, "error", None)
        cause = error
        while cause is not None and getattr(cause, "cause", None) is not None:
            cause = cause.cause  # Dagster wraps the asset's own exception: say what went wrong in it
        message = (getattr(cause, "message", "") or "").strip().splitlines()
        what = f"step {event.step_key} failed: {message[0] if message else 'see the log'}"
    else:
        what = "the run did not succeed"
    return (
        f"salvo run: the run of {days} failed, {what}; the warehouse keeps its last good state. Fix the cause "
        f"and run again (full log: SALVO_LOG_LEVEL=ERROR salvo run ..., or run {result.run_id} in `make dev`)"
    )


def run_summary(results, db_path: str | Path | settings.Lake, elapsed: float, ranges=None) -> str:
    """Articles read, rows per table, quarantined rows, checks passed/failed (over one run or several)."""
    from pipelines.warehouse import connect, table_counts

    results = results if isinstance(results, list) else [results]
    ok = all(r.success for r in results)
    lines = [f"salvo run: {'succeeded' if ok else 'FAILED'} in {elapsed:.1f}s -> {db_path}"]
    if ranges:
        spans = ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in ranges)
        lines.append(f"  days: {spans} ({len(ranges)} run{'s' if len(ranges) != 1 else ''})")
    items = rejected = 0
    found = False
    for result in results:
        # a ranged run records one materialization per day, each with the whole run's metadata: take one
        raw = next(
            (m for m in result.get_asset_materialization_events() if m.asset_key.path == ["raw_articles"]),
            None,
        )
        if raw is not None:
            md = raw.event_specific_data.materialization.metadata
            items += md["items"].value
            rejected += md["rejected"].value
            found = True
    if found:
        lines.append(f"  articles read: {items} items, {rejected} rejected at ingest")
    if isinstance(db_path, settings.Lake) or Path(db_path).exists():
        con = connect(db_path, read_only=True)
        try:
            for table, n in table_counts(con).items():
                lines.append(f"  {table:<24} {n:>6} rows")
        finally:
            con.close()
    checks = [c for r in results for c in r.get_asset_check_evaluations()]
    passed = [c for c in checks if c.passed]
    failed = [c for c in checks if not c.passed]
    lines.append(f"  checks: {len(passed)} passed, {len(failed)} failed")
    for c in failed:
        lines.append(f"    failed: {c.asset_key.to_user_string()} {c.check_name}")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.reports import report_description, report_names, run_report
    from pipelines.warehouse.db import LakeUnavailable, NotAWarehouse, check_warehouse

    db_path = settings.warehouse_from(args.db)
    if args.as_of is not None and not isinstance(db_path, settings.Lake):
        raise UsageError(
            f"salvo report: --as-of reads a snapshot of a DuckLake, and {db_path} is a DuckDB file (point "
            "SALVO_WAREHOUSE or --db at ducklake:postgres:...); a file's history is in attack_event_history"
        )
    names = [args.name] if args.name else report_names()
    if args.name and args.name not in report_names():
        raise UsageError(f"salvo: unknown report {args.name!r}; known: {', '.join(report_names())}")
    try:
        check_warehouse(db_path, must_exist=True)
    except NotAWarehouse as exc:
        raise UsageError(f"salvo report: {exc}") from exc
    for name in names:
        try:
            frame = run_report(db_path, name, as_of=args.as_of)  # read-only, like every reader
        except LakeUnavailable as exc:  # e.g. --as-of a snapshot the lake does not have
            raise UsageError(f"salvo report: {exc}") from exc
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UsageError(
                f"salvo report: {name} failed on {db_path} ({first}); rerun `salvo run` to republish the views"
            ) from exc
        if args.format == "csv":
            sys.stdout.write(frame.write_csv())
        elif args.format == "json":
            sys.stdout.write(frame.write_ndjson())
        else:
            print(f"== {name}: {report_description(name)}")
            with pl.Config(tbl_rows=50, tbl_cols=20, tbl_width_chars=160, fmt_str_lengths=60):
                print(frame)
            print()
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake reported in one line (what is wrong, where to look) instead of the usage
    block plus the error."""

    def error(self, message: str):  # noqa: D401 - argparse hook
        self.exit(2, f"{self.prog}: {message}; see `{self.prog} --help`\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1 (e.g. --chunk 20000)")
    return value


def _snapshot(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a snapshot id (a whole number, 0 or more)")
    return value


def _progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (articles, batches, rows, rate, time left); default: on a terminal "
        "only, or as SALVO_PROGRESS=1/0 says",
    )


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(prog="salvo", description="War news -> validated DuckDB warehouse.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="event rows as JSON lines")
    ex.add_argument("articles", help="JSON-lines file of articles (or a folder of article files)")
    ex.add_argument("--evidence", action="store_true", help="include evidence sentence and offsets")
    ex.add_argument(
        "--chunk",
        type=_positive_int,
        default=None,
        help=f"articles per extraction pass (default SALVO_EXTRACT_BATCH, else {settings.DEFAULT_EXTRACT_BATCH})",
    )
    _progress_option(ex)
    ex.set_defaults(func=cmd_extract)
    run = sub.add_parser("run", help="materialize every asset into the warehouse")
    run.add_argument(
        "--articles",
        action="append",
        help="folder or file of articles (repeatable); default seeds/ and landing/",
    )
    run.add_argument(
        "--db",
        help="DuckDB file or ducklake:postgres:<libpq string> (data path: SALVO_WAREHOUSE_DATA); default "
        "SALVO_WAREHOUSE, else warehouse/salvo.duckdb",
    )
    _progress_option(run)
    run.set_defaults(func=cmd_run)
    rep = sub.add_parser("report", help="print the reports from sql/")
    rep.add_argument("name", nargs="?")
    rep.add_argument("--db", help="as for run")
    rep.add_argument(
        "--as-of",
        type=_snapshot,
        metavar="SNAPSHOT",
        help="a DuckLake warehouse as of that snapshot (a run's ducklake_snapshot in its metadata)",
    )
    rep.add_argument("--format", choices=("table", "csv", "json"), default="table")
    rep.set_defaults(func=cmd_report)
    args = ap.parse_args(argv)
    try:
        settings.load()  # every SALVO_* setting checked once, before anything runs
        return args.func(args)
    except SettingsError as exc:
        print(f"salvo: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `salvo report | head`: the reader has gone; stop quietly (and keep Python from reporting it at exit)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
