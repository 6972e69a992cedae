"""The idempotent, transactional batch load of the per-article tables, followed by the consolidation.

Loading replaces by article: a batch first deletes everything the warehouse holds for the articles it carries,
then inserts its frames, all inside one transaction. Re-running a batch therefore leaves identical tables, and a
crash or a constraint error leaves the last committed state. The derived tables (consolidated events, their
history, the report links) are brought up to date in the same transaction, and the `weapons` reference table is
reloaded from weapons.csv, so they can never disagree with what was loaded.

The derived rows are recomputed only for the event keys the batch touches (the keys of the report rows it
deletes and inserts; for territorial claims, their places): a load costs what its batch holds, not what the
warehouse holds, and leaves the same tables as a full recomputation (`recompute`) would. `recompute` remains for
when the consolidation rules change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.schema import (
    ARTICLES,
    EVENT_REPORTS,
    EVENT_TABLES,
    LEDGER_TABLES,
    WAREHOUSE_TABLES,
    WEAPONS,
    conform,
)

from . import consolidate as consolidate_mod
from .db import ensure_schema, ident, table_counts, transaction

# Names of the Arrow objects registered during a load; prefixed so they cannot shadow a warehouse table.
_BATCH_ARTICLE_IDS = "_salvo_batch_article_ids"
_BATCH_QUARANTINE_IDS = "_salvo_batch_quarantine_ids"
_LOADED_ARTICLE_IDS = "_salvo_loaded_article_ids"
_REPLACED_ARTICLE_IDS = "_salvo_replaced_article_ids"
_DELETE_KEYS = "_salvo_delete_keys"
_GONE_REPORTS = "_salvo_gone_reports"
_MOVED_REPORTS = "_salvo_moved_reports"
_BATCH_ORIGINS = "_salvo_batch_origins"
_DAY_LOOKUP = "_salvo_day_lookup"

# The per-article tables a batch may carry besides articles and quarantine.
LOADED_EVENT_TABLES: dict[str, dict[str, pl.DataType]] = {**EVENT_TABLES, **LEDGER_TABLES}


@dataclass(frozen=True)
class LoadSummary:
    """Rows written by one `load_batch`, and every table's row count after it."""

    articles: int
    air_attacks: int
    casualties: int
    territorial_control: int
    quarantine: int
    totals: dict[str, int]
    attack_outcomes: int = 0
    # rows of `weapons` and of each derived table recomputed by this load (those of the event keys it touched)
    derived: dict[str, int] = field(default_factory=dict)
    # per event and ledger table, rows (in the whole warehouse, after the load) whose article is missing
    orphans: dict[str, int] = field(default_factory=dict)
    # on a lake, the snapshot the publish committed (set by the publisher once committed; None for a file)
    snapshot: int | None = None


def _conform_batch(
    articles: pl.DataFrame, events: Mapping[str, pl.DataFrame], quarantine: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """Every per-article table's frame of this batch, cast to its warehouse schema (a missing event table is
    empty); `partition_date` is filled in later (`_with_days`) where the frame does not carry it."""
    unknown = set(events) - set(LOADED_EVENT_TABLES)
    if unknown:
        # A misspelt key would otherwise silently load nothing for that table.
        raise ValueError(
            f"unknown event tables: {sorted(unknown)}; expected some of {sorted(LOADED_EVENT_TABLES)}"
        )
    frames = {"articles": conform(articles, ARTICLES)}
    for table in LOADED_EVENT_TABLES:
        schema = WAREHOUSE_TABLES[table]
        frame = events.get(table)
        frames[table] = conform(frame, schema) if frame is not None else pl.DataFrame(schema=schema)
    frames["quarantine"] = conform(quarantine, WAREHOUSE_TABLES["quarantine"])
    return frames


def _with_days(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every row's day: an event, ledger or validate-stage quarantine row takes its article's partition_date
    (from the batch, else from the warehouse); an ingest reject the partition_date recorded in its row_json. A
    row whose article is nowhere keeps a null day: it is an orphan (counted after the load), and null-day rows
    are deleted by the next partitioned load."""
    days = frames["articles"].select("article_id", day="partition_date")
    named = pl.concat([frames[t].select("article_id") for t in [*LOADED_EVENT_TABLES, "quarantine"]])
    elsewhere = named["article_id"].drop_nulls().unique()
    elsewhere = elsewhere.filter(~elsewhere.is_in(days["article_id"].implode()))
    if elsewhere.len():
        con.register(_DAY_LOOKUP, pl.DataFrame({"article_id": elsewhere}).to_arrow())
        known = con.sql(
            f"SELECT article_id, partition_date AS day FROM articles SEMI JOIN {ident(_DAY_LOOKUP)} USING (article_id)"
        ).pl()
        days = pl.concat([days, conform(known, {"article_id": pl.String, "day": pl.Date})])
    days = days.unique("article_id", keep="first")
    out = dict(frames)
    for table in [*LOADED_EVENT_TABLES, "quarantine"]:
        frame = frames[table].join(days, on="article_id", how="left", maintain_order="left")
        own = pl.col("day")
        if table == "quarantine":
            recorded = pl.col("row_json").str.json_path_match("$.partition_date").str.to_date(strict=False)
            own = pl.when(pl.col("stage") == "ingest").then(recorded).otherwise(pl.col("day"))
        out[table] = frame.with_columns(partition_date=pl.coalesce("partition_date", own)).drop("day")
    return out


def _id_table(column: str, values: Iterable[str | None]) -> pa.Table:
    """A one-column Arrow table of the distinct non-null ids, typed even when empty."""
    distinct = sorted({value for value in values if value is not None})
    return pa.table({column: pa.array(distinct, type=pa.string())})


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert a conformed frame through Arrow, columns named in schema order; returns the rows written."""
    if frame.height == 0:
        return 0
    columns = ", ".join(ident(name) for name in WAREHOUSE_TABLES[table])
    source = f"_salvo_load_{table}"
    # Not unregistered afterwards: unregister is a catalog change, which fails inside an aborted transaction and
    # would mask the real error; the registration dies with load_batch's own connection.
    con.register(source, frame.to_arrow())
    con.execute(f"INSERT INTO {ident(table)} ({columns}) SELECT {columns} FROM {ident(source)}")
    return frame.height


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Empty `table` and insert `frame` (conformed to the table's schema) in its place."""
    con.execute(f"DELETE FROM {ident(table)}")
    return _insert(con, table, conform(frame, WAREHOUSE_TABLES[table]))


def weapons_frame() -> pl.DataFrame:
    """weapons.csv (pipelines/reference) as the `weapons` table, one row per alias."""
    from pipelines.reference.weapons import load_weapons

    return conform(load_weapons(), WEAPONS).unique("alias", keep="first").sort("alias")


def load_batch(
    db_path: Path | str,
    articles: pl.DataFrame,
    events: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    partitions: tuple[dt.date, dt.date] | None = None,
    *,
    consolidate: bool = True,
) -> LoadSummary:
    """Replace, by article, what the warehouse holds for this batch; one transaction, so all or nothing.

    `events` maps air_attacks / casualties / territorial_control / attack_outcomes to frames (missing = empty).
    The batch's article ids are those of `articles` plus any named by its event or quarantine rows. Event and
    quarantine rows of those articles are deleted, as are quarantine rows with this batch's quarantine ids
    (ingest rejects carry no article id) and the articles of `articles`; then every frame is inserted. An
    article named only by events keeps its article row: the batch replaces its events, not the article.

    With `partitions` (first, last day), the batch is the whole content of those days and replaces them
    exactly: every row of every per-article table whose `partition_date` falls in them goes (articles, event
    and ledger rows, quarantine rows of both stages), found by that column on each table and not through the
    articles table, so an event row whose article is missing goes with its day too. Ingest rows are not
    deleted by article id, since a reject of one day may name an article of another (a duplicate id); they are
    deleted by origin instead: every input the batch holds (an article's origin, an ingest reject's row_id)
    replaces that input's ingest rejects of any day. Rows left over from items that have since disappeared
    from the sources therefore disappear too, and a line quarantined on one day and fixed since is not left in
    quarantine beside its article.

    Every row gets its day (`partition_date`): its article's (from the batch, else the warehouse), or for an
    ingest reject the day in its row_json. After the load, `orphans` counts the event and ledger rows of the
    whole warehouse whose article is missing; the warehouse asset's check fails when there is one.

    With `consolidate` (the default), `weapons` is then reloaded and the derived tables are brought up to date
    in the same transaction: the rows of every event key whose reports the batch deleted or inserted (for
    territorial claims, every key at those places) are recomputed, the rest are left as they are
    (pipelines/warehouse/consolidate.py). That relies on the derived tables agreeing with the per-article ones
    before the load; when event_reports does not hold one row per report row (a load with
    `consolidate=False` before), the derived tables are recomputed whole instead. `consolidate=False` leaves
    them stale until the next such full recomputation or `recompute`.
    """
    with transaction(db_path) as con:
        return load_into(con, articles, events, quarantine, partitions, consolidate=consolidate)


def load_into(
    con: duckdb.DuckDBPyConnection,
    articles: pl.DataFrame,
    events: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    partitions: tuple[dt.date, dt.date] | None = None,
    *,
    consolidate: bool = True,
) -> LoadSummary:
    """`load_batch` inside the caller's transaction on `con`: a DuckLake run loads all its batches in the one
    transaction it commits (publish.py), a file's publish one transaction per batch into its copy."""
    frames = _conform_batch(articles, events, quarantine)
    batch_origins = _id_table(
        "origin",
        [
            *frames["articles"]["origin"].to_list(),
            *frames["quarantine"].filter(pl.col("stage") == "ingest")["row_id"].to_list(),
        ],
    )
    batch_article_ids = _id_table(
        "article_id", [value for frame in frames.values() for value in frame["article_id"].to_list()]
    )
    loaded_article_ids = _id_table("article_id", frames["articles"]["article_id"].to_list())
    batch_quarantine_ids = _id_table("quarantine_id", frames["quarantine"]["quarantine_id"].to_list())

    ensure_schema(con)
    frames = _with_days(con, frames)
    written: dict[str, int] = {}
    # Registered for the rest of this connection's life (see _insert for why they are not unregistered).
    con.register(_BATCH_ARTICLE_IDS, batch_article_ids)
    con.register(_BATCH_QUARANTINE_IDS, batch_quarantine_ids)
    con.register(_LOADED_ARTICLE_IDS, loaded_article_ids)
    # The incremental consolidation needs the keys of the rows about to go: read them first.
    incremental = consolidate and _derived_agree(con)
    replaced = _replaced(con, batch_article_ids, partitions) if incremental else None
    if partitions is not None:
        _delete_partitions(con, *partitions)
        # the inputs this batch read replace their ingest rejects of any day: a line quarantined on
        # one day and fixed since (now an article of another day) must not stay in quarantine too
        con.register(_BATCH_ORIGINS, batch_origins)
        con.execute(
            "DELETE FROM quarantine WHERE stage = 'ingest' AND row_id IN "
            f"(SELECT origin FROM {ident(_BATCH_ORIGINS)})"
        )
    for table in [*LOADED_EVENT_TABLES, "quarantine"]:
        only_validate = (
            " AND stage <> 'ingest'" if partitions is not None and table == "quarantine" else ""
        )
        con.execute(
            f"DELETE FROM {ident(table)} WHERE article_id IN "
            f"(SELECT article_id FROM {ident(_BATCH_ARTICLE_IDS)}){only_validate}"
        )
    con.execute(
        "DELETE FROM quarantine WHERE quarantine_id IN "
        f"(SELECT quarantine_id FROM {ident(_BATCH_QUARANTINE_IDS)})"
    )
    con.execute(
        "DELETE FROM articles WHERE article_id IN "
        f"(SELECT article_id FROM {ident(_LOADED_ARTICLE_IDS)})"
    )
    for table, frame in frames.items():
        written[table] = _insert(con, table, frame)
    if replaced is not None:
        derived = _refresh_affected(con, replaced, frames)
    elif consolidate:
        derived = _refresh_derived(con)
    else:
        derived = {}
    totals = table_counts(con)
    orphans = orphan_counts(con)

    return LoadSummary(
        articles=written["articles"],
        air_attacks=written["air_attacks"],
        casualties=written["casualties"],
        territorial_control=written["territorial_control"],
        quarantine=written["quarantine"],
        totals=totals,
        attack_outcomes=written["attack_outcomes"],
        derived=derived,
        orphans=orphans,
    )


def orphan_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per event and ledger table, the rows whose article is not in `articles` (0 in a sound warehouse)."""
    return {
        table: int(
            con.sql(f"SELECT count(*) FROM {ident(table)} ANTI JOIN articles USING (article_id)").fetchall()[0][0]
        )
        for table in LOADED_EVENT_TABLES
    }


def _delete_partitions(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> None:
    """Delete everything the warehouse holds for the days first..last (see load_batch): by partition_date on
    every per-article table, so a row goes with its day whether or not its article is still there.

    Rows without a day (written before rows carried one, and not filled by ensure_schema; or orphans whose
    article was never loaded) are deleted too, by the first partitioned load that meets them."""
    params = {"first": first, "last": last}
    for table in [*LOADED_EVENT_TABLES, "quarantine", "articles"]:
        con.execute(
            f"DELETE FROM {ident(table)} WHERE partition_date BETWEEN $first AND $last OR partition_date IS NULL",
            params,
        )


def _derived_agree(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether event_reports holds one row per report row, as every consolidating load leaves it (a cheap check:
    counts). It is the index the incremental consolidation finds keys in."""
    reports = " + ".join(f"(SELECT count(*) FROM {ident(t)})" for t in EVENT_TABLES)
    [(agree,)] = con.sql(f"SELECT (SELECT count(*) FROM event_reports) = {reports}").fetchall()
    return bool(agree)


def _replaced(
    con: duckdb.DuckDBPyConnection, batch_article_ids: pa.Table, partitions: tuple[dt.date, dt.date] | None
) -> consolidate_mod.Replaced:
    """The event keys of the rows load_batch is about to delete: those of the batch's articles and, with
    `partitions`, of every article of those days (see `_delete_partitions`)."""
    ids = pl.DataFrame(pl.from_arrow(batch_article_ids)).cast(pl.String)
    if partitions is not None:
        # every row of those days goes, by its own day: the articles', and the event and ledger rows' (whose
        # article may be missing)
        in_days = " UNION ".join(
            f"SELECT article_id FROM {ident(t)} WHERE partition_date BETWEEN $first AND $last "
            "OR partition_date IS NULL"
            for t in ["articles", *LOADED_EVENT_TABLES]
        )
        found = con.sql(in_days, params={"first": partitions[0], "last": partitions[1]}).pl()
        ids = pl.concat([ids, found.select(pl.col("article_id").cast(pl.String)).drop_nulls()])
    con.register(_REPLACED_ARTICLE_IDS, ids.unique().to_arrow())
    return consolidate_mod.replaced(con, _REPLACED_ARTICLE_IDS)


def _refresh_affected(
    con: duckdb.DuckDBPyConnection, replaced: consolidate_mod.Replaced, frames: Mapping[str, pl.DataFrame]
) -> dict[str, int]:
    """Reload `weapons`; replace the derived rows of the event keys the batch touched by their recomputation
    (inside the caller's transaction, after the batch's rows are in); the rows recomputed per table."""
    keys, derived = consolidate_mod.consolidate_affected(con, replaced, frames)
    out = {"weapons": replace_table(con, "weapons", weapons_frame())}
    out["event_reports"] = _write_reports(con, keys, derived["event_reports"])
    for event_type, event_keys in keys.items():
        con.register(_DELETE_KEYS, pa.table({"event_key": event_keys.cast(pl.String).to_arrow()}))
        for table in consolidate_mod.DERIVED_OF_TYPE[event_type]:
            con.execute(
                f"DELETE FROM {ident(table)} WHERE event_key IN (SELECT event_key FROM {ident(_DELETE_KEYS)})"
            )
    for table, frame in derived.items():
        if table != "event_reports":
            out[table] = _insert(con, table, conform(frame, WAREHOUSE_TABLES[table]))
    return out


def _write_reports(
    con: duckdb.DuckDBPyConnection, keys: Mapping[str, pl.Series], reports: pl.DataFrame
) -> int:
    """Make event_reports hold `reports` for the touched keys (per event type); returns their number.

    A newer report ranks ahead of the older ones of its event, so most rows of a touched key differ from what
    the table holds in rank_in_event alone. Those are updated in place; only the rows that come, go or change
    otherwise are deleted and inserted. Deleting and inserting every row would rewrite the whole history of a
    long-lived key (a settlement claimed all year) at every load, with its primary key entries."""
    wanted = pl.concat(
        [
            pl.DataFrame({"event_key": k.cast(pl.String)}).select(
                pl.lit(t, pl.String).alias("event_type"), "event_key"
            )
            for t, k in keys.items()
        ]
    )
    con.register(_DELETE_KEYS, wanted.to_arrow())
    held = con.sql(
        f"SELECT r.* FROM event_reports r SEMI JOIN {ident(_DELETE_KEYS)} k "
        "ON r.event_type = k.event_type AND r.event_key = k.event_key"
    ).pl()
    held = conform(held, EVENT_REPORTS)
    new = conform(reports, EVENT_REPORTS)
    others = [c for c in EVENT_REPORTS if c not in ("event_id", "rank_in_event")]
    both = held.join(new, on="event_id", how="inner", suffix="_new").filter(
        pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in others])
    )
    kept = both["event_id"].implode()
    moved = both.filter(pl.col("rank_in_event").ne_missing(pl.col("rank_in_event_new"))).select(
        "event_id", rank_in_event=pl.col("rank_in_event_new")
    )
    gone = held.filter(~pl.col("event_id").is_in(kept)).select("event_id")
    con.register(_GONE_REPORTS, gone.to_arrow())
    con.execute(f"DELETE FROM event_reports WHERE event_id IN (SELECT event_id FROM {ident(_GONE_REPORTS)})")
    if moved.height:
        con.register(_MOVED_REPORTS, moved.to_arrow())
        con.execute(
            f"UPDATE event_reports SET rank_in_event = m.rank_in_event FROM {ident(_MOVED_REPORTS)} m "
            "WHERE event_reports.event_id = m.event_id"
        )
    _insert(con, "event_reports", new.filter(~pl.col("event_id").is_in(kept)))
    return new.height


def _refresh_derived(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace `weapons` and every table derived from the per-article tables, recomputed whole (inside the
    caller's transaction); their row counts."""
    out = {"weapons": replace_table(con, "weapons", weapons_frame())}
    for table, frame in consolidate_mod.consolidate(con).items():
        out[table] = replace_table(con, table, frame)
    return out


def recompute(db_path: Path | str) -> dict[str, int]:
    """Recompute `weapons` and the derived tables of an existing warehouse whole, in one transaction (after the
    consolidation rules changed, or a load with `consolidate=False`); returns their row counts. Reads every
    per-article table (not the article texts): its time and memory grow with the warehouse."""
    with transaction(db_path) as con:
        return recompute_into(con)


def recompute_into(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """`recompute` inside the caller's transaction."""
    ensure_schema(con)
    return _refresh_derived(con)
