"""`salvo`: extract | run | report.

salvo extract ARTICLES.jsonl [--evidence]   event rows as JSON lines on stdout (../shared/eval/SCHEMA.md)
salvo run [--articles PATH ...] [--db PATH]  materialize every asset into the DuckDB warehouse
salvo report [NAME] [--db PATH] [--format table|csv|json]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import polars as pl

EXTRACT_CHUNK = 20_000  # articles per extraction pass: memory holds one chunk's text, not the file's


def cmd_extract(args: argparse.Namespace) -> int:
    """Read the input in chunks of articles, extract each, and write every row once all are done, in the order
    one pass over the whole input gives (extraction of an article does not depend on the others)."""
    import itertools

    import polars as pl

    from pipelines.extract import contract_jsonl, extract_events, sort_events
    from pipelines.ingest import accepted_articles, raw_articles_frame, read_folder
    from pipelines.schema import EVENT_TABLES, EVENT_TYPE_OF_TABLE, empty

    items = read_folder(args.articles)
    seen_ids: set[str] = set()
    parts: dict[str, list[pl.DataFrame]] = {table: [] for table in EVENT_TYPE_OF_TABLE}
    while chunk := list(itertools.islice(items, args.chunk)):
        raw = raw_articles_frame(chunk, seen_ids=seen_ids)
        del chunk
        for row in raw.filter(pl.col("reject_reason").is_not_null()).iter_rows(named=True):
            print(f"salvo: skipped {row['origin']}: {row['reject_reason']}", file=sys.stderr)
        events = extract_events(accepted_articles(raw))
        del raw
        for table in parts:  # the contract's tables; the outcome ledger is not part of it
            parts[table].append(events[table])
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


def load_definitions():
    from pipelines.definitions import defs

    return defs() if callable(defs) else defs


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def plan_days(resources: dict) -> list:
    """The days (partitions) the configured sources have items for: every day of the folders' items and of the
    feeds' entries, and today when feeds or pages are configured (undated web items belong to their fetch day).
    Pages are not fetched to plan: one dated on another day is counted in raw_articles' `items_of_other_days`."""
    from pipelines.defs.partitions import today_utc
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
    return sorted(days)


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
    import dagster as dg

    from pipelines.defs.partitions import contiguous_ranges
    from pipelines.defs.resources import (
        ArticleSourceResource,
        WarehouseResource,
        default_db_path,
        default_resources,
    )

    db_path = args.db or default_db_path()
    overrides = {"warehouse": WarehouseResource(db_path=str(db_path))}
    if args.articles:
        overrides["article_source"] = ArticleSourceResource(paths=args.articles)
    resources = default_resources(**overrides)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    ranges = contiguous_ranges(plan_days(resources))
    results = [
        materialize_days(
            first,
            last,
            resources,
            instance=instance,
            # step-by-step DEBUG lines are for the UI's run log; the terminal gets warnings and the summary
            run_config={
                "loggers": {
                    "console": {"config": {"log_level": os.environ.get("SALVO_LOG_LEVEL", "WARNING")}}
                }
            },
        )
        for first, last in ranges
    ]
    elapsed = time.perf_counter() - started
    print(run_summary(results, db_path, elapsed, ranges))
    return 0 if all(r.success for r in results) else 1


def run_summary(results, db_path: str | Path, elapsed: float, ranges=None) -> str:
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
    if Path(db_path).exists():
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
    from pipelines.defs.resources import default_db_path
    from pipelines.reports import report_description, report_names, run_report

    db_path = args.db or default_db_path()
    names = [args.name] if args.name else report_names()
    if args.name and args.name not in report_names():
        print(f"salvo: unknown report {args.name!r}; known: {', '.join(report_names())}", file=sys.stderr)
        return 2
    if not Path(db_path).exists():
        print(f"salvo: no warehouse at {db_path}; run `make run` first", file=sys.stderr)
        return 2
    for name in names:
        frame = run_report(db_path, name)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="salvo", description="War news -> validated DuckDB warehouse.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="event rows as JSON lines")
    ex.add_argument("articles", help="JSON-lines file of articles (or a folder of article files)")
    ex.add_argument("--evidence", action="store_true", help="include evidence sentence and offsets")
    ex.add_argument(
        "--chunk",
        type=int,
        default=EXTRACT_CHUNK,
        help=f"articles per extraction pass (default {EXTRACT_CHUNK})",
    )
    ex.set_defaults(func=cmd_extract)
    run = sub.add_parser("run", help="materialize every asset into the warehouse")
    run.add_argument(
        "--articles",
        action="append",
        help="folder or file of articles (repeatable); default seeds/ and landing/",
    )
    run.add_argument("--db", help="DuckDB file; default warehouse/salvo.duckdb (or SALVO_DB_PATH)")
    run.set_defaults(func=cmd_run)
    rep = sub.add_parser("report", help="print the reports from sql/")
    rep.add_argument("name", nargs="?")
    rep.add_argument("--db")
    rep.add_argument("--format", choices=("table", "csv", "json"), default="table")
    rep.set_defaults(func=cmd_report)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # `salvo report | head`: the reader has gone; stop quietly (and keep Python from reporting it at exit)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
