"""Consolidation: the per-article report tables -> the derived tables (one row per real-world event, with its
history, and the report links), by the rule of pipelines/warehouse/rules.py.

Derived data only. `consolidate(con)` reads the per-article tables and returns the frames of every derived table
(schema.py DERIVED_TABLES), which `recompute` writes whole. A load calls `consolidate_affected` instead: the
same computation over the reports of the event keys the load touched, whose rows it replaces (see "incremental
consolidation" below). The result depends on the report tables alone, so re-running a load leaves identical
tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.schema import (
    AIR_ATTACKS,
    ARTICLES,
    ATTACK_OUTCOMES,
    CASUALTIES,
    EVENT_TYPE_OF_TABLE,
    TERRITORIAL_CONTROL,
    conform,
)

from .db import ident, key_columns
from .rules import (
    ARTICLE_COLUMNS,
    ATTACK_FIGURES,
    CASUALTY_FIGURES,
    KINDS,
    OFFICIAL_CLAIMANTS,
    OFFICIAL_PATTERN,
    assemble,
    attack_parts,
    casualty_parts,
    place_key,
    report_rows,
    territorial_parts,
)

__all__ = [  # the rule's names stay importable from here, where they were
    "ATTACK_FIGURES",
    "CASUALTY_FIGURES",
    "DERIVED_OF_TYPE",
    "EVENT_SCHEMAS",
    "OFFICIAL_CLAIMANTS",
    "OFFICIAL_PATTERN",
    "Replaced",
    "consolidate",
    "consolidate_affected",
    "replaced",
]


def _read(
    con: duckdb.DuckDBPyConnection,
    table: str,
    schema: dict[str, pl.DataType],
    where: str = "",
    columns: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Rows of `table` (all, or those of a `where` clause), sorted by its primary key, conformed to `schema`
    (columns not read are null)."""
    selected = ", ".join(ident(c) for c in columns) if columns else "*"
    order = ", ".join(ident(k) for k in key_columns(table))
    return conform(con.sql(f"SELECT {selected} FROM {ident(table)} {where} ORDER BY {order}").pl(), schema)


def consolidate(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Every derived table, computed from the per-article tables the connection sees (inside the load's
    transaction). Keys are table names of schema.DERIVED_TABLES."""
    articles = _read(con, "articles", ARTICLES, columns=ARTICLE_COLUMNS)
    attacks = attack_parts(
        _read(con, "air_attacks", AIR_ATTACKS), _read(con, "attack_outcomes", ATTACK_OUTCOMES), articles
    )
    casualties = casualty_parts(_read(con, "casualties", CASUALTIES), articles)
    territory = territorial_parts(_read(con, "territorial_control", TERRITORIAL_CONTROL), articles)
    return assemble(attacks, casualties, territory)


# --------------------------------------------------------------------------- incremental consolidation
# A derived row depends only on the reports of its own event key: its figures, ranges, counts, ranks and
# history are computed per key from those reports, their articles and (air attacks) their ledger rows. The one
# exception is a territorial event's `disputed`, which looks at the other actors' events at the same place; for
# territory the unit is therefore the place. So a load need only recompute the keys (places) whose reports it
# deleted or inserted, and the result equals the full consolidation row for row.
#
# `event_reports` is the index from report rows to keys: it holds one row per report row (event_id, event_key),
# so the keys of rows about to be deleted, and the other reports of a key, are found there without reading any
# per-article table whole. That needs the derived tables to agree with the per-article ones before the load,
# which every load (full or incremental) leaves behind; load.py falls back to the full recomputation when the
# report counts say otherwise.

# the derived tables holding rows of each event type, all with an event_key column
DERIVED_OF_TYPE = {kind.event_type: kind.derived for kind in KINDS}
# the per-article event tables and their schemas
EVENT_SCHEMAS = {kind.table: kind.schema for kind in KINDS}
# names of the Arrow tables registered by the incremental consolidation (prefixed like load.py's)
_IDS = "_salvo_consolidate_ids"
_KEYS = "_salvo_consolidate_keys"


@dataclass(frozen=True)
class Replaced:
    """What a load is about to delete, read before it does: per event type, the event keys of the report rows
    that go (their ledger rows' too), and the places of the territorial claims that go."""

    keys: dict[str, pl.Series]
    places: pl.Series


def replaced(con: duckdb.DuckDBPyConnection, article_ids: str) -> Replaced:
    """The keys of the report rows of the articles in the registered relation `article_ids` (one column,
    article_id): the load deletes every event and ledger row of those articles and nothing else."""
    of_articles = f"SELECT article_id FROM {ident(article_ids)}"
    rows = con.sql(
        "SELECT DISTINCT event_type, event_key FROM event_reports "
        f"WHERE article_id IN ({of_articles}) "
        # a ledger row names its report by event_id; that report may belong to another article
        f"OR event_id IN (SELECT event_id FROM attack_outcomes WHERE article_id IN ({of_articles}))"
    ).pl()
    keys = {
        event_type: rows.filter(pl.col("event_type") == event_type)["event_key"].cast(pl.String)
        for event_type in EVENT_TYPE_OF_TABLE.values()
    }
    claims = con.sql(
        f"SELECT admin1, settlement FROM territorial_control WHERE article_id IN ({of_articles})"
    ).pl()
    places = claims.select(_place=place_key())["_place"].cast(pl.String).unique()
    return Replaced(keys=keys, places=places)


def _register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> str:
    """`frame` (string columns; distinct rows without nulls) registered as an Arrow table; returns the name."""
    con.register(name, frame.cast(pl.String).drop_nulls().unique().to_arrow())
    return name


def _rows_of(
    con: duckdb.DuckDBPyConnection, table: str, schema: dict[str, pl.DataType], event_ids: pl.Series
) -> pl.DataFrame:
    """The rows of a per-article table (event or ledger) whose event_id is one of `event_ids`."""
    if event_ids.is_empty():
        return pl.DataFrame(schema=schema)
    name = _register(con, f"{_IDS}_{table}", pl.DataFrame({"event_id": event_ids}))
    # Matched on the one narrow column first, then fetched by rowid: a semi-join selecting every column would
    # read every column of every row (evidence sentences included) to keep a few.
    matched = f"SELECT rowid FROM {ident(table)} WHERE event_id IN (SELECT event_id FROM {ident(name)})"
    return _read(con, table, schema, f"WHERE rowid IN ({matched})")


def _articles_of(con: duckdb.DuckDBPyConnection, *frames: pl.DataFrame) -> pl.DataFrame:
    """The articles of the rows of `frames` (the columns consolidation uses)."""
    ids = pl.concat([f.select(pl.col("article_id").cast(pl.String)) for f in frames])
    name = _register(con, f"{_IDS}_articles", ids)
    where = f"WHERE article_id IN (SELECT article_id FROM {ident(name)})"
    return _read(con, "articles", ARTICLES, where, columns=ARTICLE_COLUMNS)


def _report_ids(con: duckdb.DuckDBPyConnection, keys: dict[str, pl.Series]) -> dict[str, pl.Series]:
    """Per event type, the event_ids event_reports files under these keys (one scan for every type). Rows
    deleted since are not found when read; rows re-inserted under the same event_id are read as they are now."""
    wanted = pl.concat(
        [
            pl.DataFrame({"event_key": k.cast(pl.String)}).select(
                pl.lit(t, pl.String).alias("event_type"), "event_key"
            )
            for t, k in keys.items()
        ]
    )
    name = _register(con, _KEYS, wanted)
    found = con.sql(
        f"SELECT r.event_type, r.event_id FROM event_reports r SEMI JOIN {ident(name)} k "
        "ON r.event_type = k.event_type AND r.event_key = k.event_key"
    ).pl()
    return {t: found.filter(pl.col("event_type") == t)["event_id"].cast(pl.String) for t in keys}


def _union(*series: pl.Series) -> pl.Series:
    return pl.concat([s.cast(pl.String).rename("v") for s in series]).drop_nulls().unique().sort()


def _place_keys(places: pl.Series, actors: pl.Series) -> pl.Series:
    """Every key of claims at `places`: a claim's key is its place, "/", its actor."""
    return (
        pl.DataFrame({"p": places.cast(pl.String)})
        .join(pl.DataFrame({"a": actors.cast(pl.String)}), how="cross")
        .select(pl.concat_str("p", pl.lit("/"), "a"))
        .to_series()
    )


def consolidate_affected(
    con: duckdb.DuckDBPyConnection, replaced: Replaced, inserted: Mapping[str, pl.DataFrame]
) -> tuple[dict[str, pl.Series], dict[str, pl.DataFrame]]:
    """The derived rows of the event keys a load touched, equal to what `consolidate` gives for those keys.

    `replaced` is what `replaced()` read before the load deleted anything; `inserted` holds the rows the load
    then inserted (air_attacks, casualties, territorial_control, attack_outcomes; a missing table is empty).
    Returns the touched keys per event type, and the derived rows those keys now have; the caller makes the
    rows of those keys (event_reports rows of that type and the tables of DERIVED_OF_TYPE, by event_key) equal
    to them. A key left without a counted report has no event row any more.

    The keys: those of the rows deleted, and those of the rows inserted, computed as the full consolidation
    computes them (a ledger row touches its report's key: it can make the report official). For territory,
    every key at the places of those rows (a place's events are disputed by one another). Then every report
    now filed under those keys is read, with its article and ledger rows, and consolidated.
    """

    def rows(table: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        frame = inserted.get(table)
        return pl.DataFrame(schema=schema) if frame is None else conform(frame, schema)

    new = {kind.table: rows(kind.table, kind.schema) for kind in KINDS}
    ledger_ids = rows("attack_outcomes", ATTACK_OUTCOMES)["event_id"]
    # the reports of inserted ledger rows that this load did not insert itself (rarely any)
    elsewhere = ledger_ids.filter(~ledger_ids.is_in(new["air_attacks"]["event_id"].implode()))
    new["air_attacks"] = pl.concat([new["air_attacks"], _rows_of(con, "air_attacks", AIR_ATTACKS, elsewhere)])
    articles = _articles_of(con, *new.values())
    reported = {kind.table: report_rows(new[kind.table], articles, kind.event_type) for kind in KINDS}
    keys = {
        kind.event_type: _union(
            replaced.keys[kind.event_type], reported[kind.table].select(kind.key()).to_series()
        )
        for kind in KINDS
    }
    places = _union(replaced.places, reported["territorial_control"].select(place_key()).to_series())
    actors = con.sql("SELECT DISTINCT coalesce(actor, '') AS a FROM territorial_control").pl()["a"]
    keys["territorial_control"] = _union(keys["territorial_control"], _place_keys(places, actors))

    ids = _report_ids(con, keys)
    # every report now filed under the keys, and the inserted ones
    read_ids = {kind.table: _union(ids[kind.event_type], new[kind.table]["event_id"]) for kind in KINDS}
    air, cas, ter = (_rows_of(con, kind.table, kind.schema, read_ids[kind.table]) for kind in KINDS)
    ter_ids = read_ids["territorial_control"]
    ledger = _rows_of(con, "attack_outcomes", ATTACK_OUTCOMES, air["event_id"])
    articles = _articles_of(con, air, cas, ter)
    while True:
        # Should a key of a place's form belong to a claim at another place (names containing "/"), that place's
        # claims are read too, until no claim read lies outside the places: normally none.
        seen = report_rows(ter, articles, "territorial_control").select(place_key()).to_series()
        grown = _union(places, seen)
        if grown.len() == places.len():
            break
        places = grown
        keys["territorial_control"] = _union(keys["territorial_control"], _place_keys(places, actors))
        more = _report_ids(con, {"territorial_control": keys["territorial_control"]})["territorial_control"]
        ter = _rows_of(con, "territorial_control", TERRITORIAL_CONTROL, _union(more, ter_ids))
        articles = pl.concat([articles, _articles_of(con, ter)]).unique("article_id").sort("article_id")
    parts = (
        attack_parts(air, ledger, articles),
        casualty_parts(cas, articles),
        territorial_parts(ter, articles),
    )
    return keys, assemble(*parts)
