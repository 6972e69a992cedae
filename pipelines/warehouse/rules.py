"""The consolidation rule: report rows (with their articles and ledger rows) -> one row per real-world event,
with its history, and the report links.

Plain polars over frames, no database: pipelines/warehouse/consolidate.py reads the frames and runs the rule
over the whole warehouse (`consolidate`) or over the event keys a load touched (`consolidate_affected`). The
result depends on the report rows alone (every sort has a total order), so re-running a load leaves identical
tables.

The rule (docs/warehouse.md, "The consolidation rule"):
- Reports of one event share an event key:
  air attacks   (event_date, attacker, weapon_class)   "2025-03-02/RU/drone"
  casualties    (event_date, admin1, location)           "2025-03-03/kharkiv/kharkiv"
  territorial   (admin1, settlement, actor)              "donetsk/novoselivka/RU"
  event_date is the row's event_date, else the article's partition_date. The extractor dates an air attack by
  the article's publication date, so an overnight attack is keyed to the morning it was reported.
- Near-identical copies (articles.duplicate_of set) stay in event_reports with counted = false and do not count.
- Reports are ranked within their event: official before relay, then the latest reported_at (the article's
  published_at, else its partition_date), then article_id and event_id (a fixed tie-break). A report is
  official when its evidence sentences or its article's source name an official body (air force, defence
  ministry / MoD, General Staff, governor, regional or military administration), or, for territorial claims,
  when claimed_by is a General Staff, MoD or officials.
- Each figure (launched, intercepted, suppressed, impacts; killed, injured) is taken from the best-ranked
  report that gives it, so figures of one event may come from different reports when the best one is silent
  on some; `<figure>_min` / `<figure>_max` span every counted report, and `disputed` is true when any
  figure's min and max differ (for territory: when another actor is reported in control of the same place).
- n_reports counts articles, n_sources distinct outlets (articles.source, else the URL's host, else the
  article itself), n_official the official reports.
- History: the belief on day D is this same consolidation over the reports with reported_at <= D. A history
  row is written for each day on which the belief changed (valid_from; valid_to is the next change), so
  `WHERE valid_from <= X QUALIFY row_number() OVER (PARTITION BY event_key ORDER BY valid_from DESC) = 1`
  answers "what did we believe on X".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipelines.schema import (
    AIR_ATTACKS,
    ATTACK_EVENT_HISTORY,
    ATTACK_EVENT_OUTCOMES,
    ATTACK_EVENTS,
    CASUALTIES,
    CASUALTY_EVENT_HISTORY,
    CASUALTY_EVENTS,
    EVENT_REPORTS,
    EVENT_TYPE_OF_TABLE,
    TERRITORIAL_CONTROL,
    TERRITORIAL_EVENTS,
    WAREHOUSE_TABLES,
    conform,
)

# An official body in an evidence sentence or a source name (case-insensitive, whole words).
OFFICIAL_PATTERN = (
    r"(?i)\b(?:air\s+force|air\s+command|defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|mod|general\s+staff|"
    r"governors?|(?:regional|oblast|city|district)\s+(?:state\s+)?(?:military\s+)?administration|"
    r"military\s+administration)\b"
)
# claimed_by values of territorial rows (pipelines/extract/territorial_control.py CLAIMANTS) that are official bodies.
OFFICIAL_CLAIMANTS = r"General Staff|MoD|officials"

ATTACK_FIGURES = ("launched", "intercepted", "suppressed", "impacts")
CASUALTY_FIGURES = ("killed", "injured")
_PRECISION_ORDER = {"day": 0, "week": 1, "month": 2}
# gazetteer place_kind -> place precision code
_PLACE_PRECISION = {
    "city": "settlement",
    "settlement": "settlement",
    "district": "district",
    "admin1": "oblast",
}
_COUNTRY_NAMES = {"ukraine": "UA", "russia": "RU", "russian federation": "RU"}

# the ranking of reports within an event (see the module docstring); `_uncounted` and `_relay` sort False first
_ORDER = ["_uncounted", "_relay", "reported_at", "article_id", "event_id"]
_DESCENDING = [False, False, True, False, False]


# The columns of `articles` the consolidation uses: reading the text too (the largest column by far) would put
# every article's text in memory.
ARTICLE_COLUMNS = ("article_id", "url", "published_at", "source", "duplicate_of", "partition_date")


def _nonempty(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def _article_attributes(articles: pl.DataFrame) -> pl.DataFrame:
    host = pl.col("url").str.extract(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:www\.)?([^/:?#]+)", 1).str.to_lowercase()
    return articles.select(
        "article_id",
        "published_at",
        "partition_date",
        "duplicate_of",
        source_text=pl.col("source"),
        outlet=pl.coalesce(_nonempty(pl.col("source")), host),
    )


def report_rows(rows: pl.DataFrame, articles: pl.DataFrame, event_type: str) -> pl.DataFrame:
    """Report rows with the attributes every consolidation needs: event_date, reported_at, time_precision,
    source (the outlet), counted, and `_official_text` (the source name, matched with the evidence later)."""
    out = rows.join(_article_attributes(articles), on="article_id", how="left")
    event_date = pl.coalesce("event_date", "partition_date", "published_at")
    return out.with_columns(
        event_type=pl.lit(event_type),
        time_precision=pl.when(pl.col("event_date").is_not_null() | pl.col("published_at").is_not_null())
        .then(pl.lit("day"))
        # dated only by the day it was fetched: the event happened then or in the days before
        .otherwise(pl.lit("week")),
        event_date=event_date,
        reported_at=pl.coalesce("published_at", "partition_date", event_date),
        source=pl.coalesce("outlet", "article_id"),
        counted=pl.col("duplicate_of").is_null(),
    )


def _rank(reports: pl.DataFrame, official: pl.Expr) -> pl.DataFrame:
    """source_kind, then rank_in_event (1 = the preferred report) after sorting each event's reports."""
    return (
        reports.with_columns(
            source_kind=pl.when(official.fill_null(False)).then(pl.lit("official")).otherwise(pl.lit("relay"))
        )
        .with_columns(_uncounted=~pl.col("counted"), _relay=pl.col("source_kind") != "official")
        .sort(["event_key", *_ORDER], descending=[False, *_DESCENDING], nulls_last=True)
        .with_columns(rank_in_event=pl.int_range(1, pl.len() + 1).over("event_key").cast(pl.Int32))
    )


def _consensus(
    ranked: pl.DataFrame, by: list[str], figures: tuple[str, ...], extra: list[pl.Expr]
) -> pl.DataFrame:
    """One row per `by` group of counted reports, which must arrive sorted by the ranking: each figure from the
    first report giving it, its min and max, counts, the chosen (first) report, `disputed` on figures."""
    counted = ranked.filter(pl.col("counted")).sort(
        [*by, *_ORDER], descending=[False] * len(by) + _DESCENDING, nulls_last=True
    )
    aggs: list[pl.Expr] = []
    for f in figures:
        aggs += [
            pl.col(f).drop_nulls().first().alias(f),
            pl.col(f).min().alias(f"{f}_min"),
            pl.col(f).max().alias(f"{f}_max"),
        ]
    aggs += [
        pl.col("article_id").n_unique().cast(pl.Int64).alias("n_reports"),
        pl.col("source").n_unique().cast(pl.Int64).alias("n_sources"),
        pl.col("article_id")
        .filter(pl.col("source_kind") == "official")
        .n_unique()
        .cast(pl.Int64)
        .alias("n_official"),
        pl.col("reported_at").min().alias("first_reported_at"),
        pl.col("reported_at").max().alias("last_reported_at"),
        pl.col("event_id").first().alias("chosen_event_id"),
        pl.col("source").first().alias("chosen_source"),
        pl.col("source_kind").first().alias("chosen_source_kind"),
        pl.col("evidence").first().alias("evidence"),
        pl.col("time_precision")
        .sort_by(pl.col("time_precision").replace_strict(_PRECISION_ORDER, default=9, return_dtype=pl.Int32))
        .first()
        .alias("time_precision"),
        *extra,
    ]
    out = counted.group_by(by, maintain_order=True).agg(aggs)
    disputed = (
        pl.any_horizontal([pl.col(f"{f}_min") != pl.col(f"{f}_max") for f in figures])
        if figures
        else pl.lit(False)
    )
    return out.with_columns(disputed=disputed.fill_null(False))


def _history(ranked: pl.DataFrame, figures: tuple[str, ...], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The belief after each reporting day: the consolidation over the reports published up to that day, kept
    where it differs from the day before."""
    counted = ranked.filter(pl.col("counted") & pl.col("reported_at").is_not_null())
    days = counted.select("event_key", valid_from=pl.col("reported_at")).unique()
    as_of = counted.join(days, on="event_key").filter(pl.col("reported_at") <= pl.col("valid_from"))
    beliefs = _consensus(as_of, ["event_key", "valid_from"], figures, []).sort("event_key", "valid_from")
    tracked = [c for c in schema if c not in ("event_key", "valid_from", "valid_to", "changed")]
    changes = [
        pl.when(pl.col(c).ne_missing(pl.col(c).shift(1).over("event_key"))).then(pl.lit(c)) for c in tracked
    ]
    first = pl.col("valid_from") == pl.col("valid_from").min().over("event_key")
    beliefs = beliefs.with_columns(
        changed=pl.when(first)
        .then(pl.lit("first report"))
        .otherwise(pl.concat_str(changes, separator=", ", ignore_nulls=True))
    ).filter(first | (pl.col("changed").str.len_chars() > 0))
    beliefs = beliefs.with_columns(valid_to=pl.col("valid_from").shift(-1).over("event_key"))
    return conform(beliefs, schema).sort("event_key", "valid_from")


def _official_text() -> pl.Expr:
    """The article's source or the report's evidence sentence names an official body."""
    return pl.col("source_text").str.contains(OFFICIAL_PATTERN) | pl.col("evidence").str.contains(
        OFFICIAL_PATTERN
    )


def _ranked_events(
    reports: pl.DataFrame,
    figures: tuple[str, ...],
    extra: list[pl.Expr],
    also_official: pl.Expr | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The recipe of every kind: its reports (after `report_rows`, with an event_key) ranked within their event,
    official first (an official body named by the source or the evidence, or the kind's own sign,
    `also_official`), then one row per event key (`_consensus`: `figures`, plus the `extra` aggregations).
    Returns (ranked reports, events)."""
    official = _official_text() if also_official is None else _official_text() | also_official
    ranked = _rank(reports, official.fill_null(False))
    return ranked, _consensus(ranked, ["event_key"], figures, extra)


def _places(names: pl.Series) -> pl.DataFrame:
    """name -> (place_kind, country) through the gazetteer (pipelines/reference); unknown names get nulls."""
    from pipelines.reference.gazetteer import resolve_places

    distinct = pl.DataFrame({"name": names.drop_nulls().unique().sort()}, schema={"name": pl.String})
    if distinct.is_empty():
        return pl.DataFrame(schema={"name": pl.String, "place_kind": pl.String, "country": pl.String})
    return resolve_places(distinct, "name").select("name", "place_kind", "country")


def _with_place(frame: pl.DataFrame, location: str) -> pl.DataFrame:
    """place_precision (settlement/district/oblast/country) of `location`, and the country of the place (its
    admin1 looked up first)."""
    places = _places(pl.concat([frame[location].rename("name"), frame["admin1"].rename("name")]))
    kinds = places.select(
        pl.col("name").alias(location), _kind=pl.col("place_kind"), _loc_country=pl.col("country")
    )
    countries = places.select(pl.col("name").alias("admin1"), _admin1_country=pl.col("country"))
    out = frame.join(kinds, on=location, how="left").join(countries, on="admin1", how="left")
    loc = pl.col(location).str.to_lowercase().str.strip_chars()
    fallback = (
        pl.when(loc.is_in(list(_COUNTRY_NAMES)))
        .then(pl.lit("country"))
        .when(loc.str.contains(r"\b(?:region|oblast)$") | (loc == pl.col("admin1").str.to_lowercase()))
        .then(pl.lit("oblast"))
        .when(loc.str.contains(r"\b(?:district|raion|hromada|community)$"))
        .then(pl.lit("district"))
        .when(pl.col(location).is_null() & pl.col("admin1").is_not_null())
        .then(pl.lit("oblast"))
        .when(pl.col(location).is_null())
        .then(pl.lit("country"))
        .otherwise(pl.lit("settlement"))
    )
    return out.with_columns(
        place_precision=pl.coalesce(
            pl.col("_kind").replace_strict(_PLACE_PRECISION, default=None, return_dtype=pl.String), fallback
        ),
        country=pl.coalesce(
            "_admin1_country",
            "_loc_country",
            loc.replace_strict(_COUNTRY_NAMES, default=None, return_dtype=pl.String),
        ),
    ).drop("_kind", "_loc_country", "_admin1_country")


def _key(*parts: pl.Expr) -> pl.Expr:
    return pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator="/")


# Event keys, over report rows after `report_rows` (event_date there is the row's, else its article's day). One
# definition each: the incremental consolidation must key rows exactly as the full one does.
def attack_key() -> pl.Expr:
    return _key(pl.col("event_date"), pl.col("attacker"), pl.col("weapon_class"))


def casualty_key() -> pl.Expr:
    return _key(
        pl.col("event_date"), pl.col("admin1").str.to_lowercase(), pl.col("location").str.to_lowercase()
    )


def place_key() -> pl.Expr:
    """A claim's place; its event key is the place, "/", the actor."""
    return _key(pl.col("admin1").str.to_lowercase(), pl.col("settlement").str.to_lowercase())


def territorial_key() -> pl.Expr:
    return _key(pl.col("admin1").str.to_lowercase(), pl.col("settlement").str.to_lowercase(), pl.col("actor"))


# --------------------------------------------------------------------------- air attacks
def attack_parts(air: pl.DataFrame, ledger: pl.DataFrame, articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """air_attacks rows (with their ledger rows and articles) -> the ranked reports, attack_events,
    attack_event_outcomes and attack_event_history."""
    reports = report_rows(air, articles, "air_attack").with_columns(
        event_key=attack_key(),
        place_precision=pl.lit("country"),  # figures of an air attack are national totals
    )
    # official when the article's source or any evidence sentence of the report (its ledger rows too) says so
    ledger_official = ledger.group_by("event_id").agg(
        _ledger_official=pl.col("evidence").str.contains(OFFICIAL_PATTERN).any()
    )
    reports = reports.join(ledger_official, on="event_id", how="left")
    ranked, events = _ranked_events(
        reports,
        ATTACK_FIGURES,
        [
            pl.col("event_date").first(),
            pl.col("attacker").first(),
            pl.col("weapon_class").first(),
            pl.col("place_precision").first(),
            pl.col("launched_qualifier").filter(pl.col("launched").is_not_null()).first(),
            _nonempty(
                pl.col("models")
                .str.split(",")
                .explode()
                .str.strip_chars()
                .drop_nulls()
                .unique()
                .sort()
                .str.join(", ")
            ).alias("models"),
        ],
        also_official=pl.col("_ledger_official"),
    )
    outcomes = _attack_outcomes(ledger, ranked)
    return {
        "reports": ranked,
        "attack_events": conform(events, ATTACK_EVENTS).sort("event_key"),
        "attack_event_outcomes": outcomes,
        "attack_event_history": _history(ranked, ATTACK_FIGURES, ATTACK_EVENT_HISTORY),
    }


def _attack_outcomes(ledger: pl.DataFrame, ranked: pl.DataFrame) -> pl.DataFrame:
    """The consolidated ledger: per event, model (null = the class total) and outcome, the range the best-ranked
    report gives (low/best/high), and the span of values (best, else the bound) across counted reports."""
    parents = ranked.select(
        "event_id", "event_key", "event_date", "reported_at", "source", "source_kind", "counted", *_ORDER[:2]
    )
    rows = ledger.join(parents, on="event_id", how="inner").filter(pl.col("counted"))
    rows = rows.with_columns(
        outcome_key=_key(
            pl.col("event_key"), pl.col("model").fill_null("*").str.to_lowercase(), pl.col("outcome")
        ),
        _value=pl.coalesce("best", "low", "high"),
    )
    rows = rows.sort(
        ["outcome_key", "_uncounted", "_relay", "reported_at", "article_id", "outcome_id"],
        descending=[False, False, False, True, False, False],
        nulls_last=True,
    )
    out = rows.group_by("outcome_key", maintain_order=True).agg(
        pl.col("event_key").first(),
        pl.col("event_date").first(),
        pl.col("attacker").first(),
        pl.col("weapon_class").first(),
        pl.col("model").first(),
        pl.col("outcome").first(),
        pl.col("low").first(),
        pl.col("best").first(),
        pl.col("high").first(),
        pl.col("qualifier").first(),
        value_min=pl.col("_value").min(),
        value_max=pl.col("_value").max(),
        n_reports=pl.col("article_id").n_unique().cast(pl.Int64),
        n_sources=pl.col("source").n_unique().cast(pl.Int64),
        chosen_outcome_id=pl.col("outcome_id").first(),
        evidence=pl.col("evidence").first(),
    )
    out = out.with_columns(disputed=(pl.col("value_min") != pl.col("value_max")).fill_null(False))
    return conform(out, ATTACK_EVENT_OUTCOMES).sort("outcome_key")


# --------------------------------------------------------------------------- casualties
def casualty_parts(cas: pl.DataFrame, articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """casualties rows (with their articles) -> the ranked reports, casualty_events and casualty_event_history."""
    reports = report_rows(cas, articles, "casualties")
    reports = _with_place(reports, "location").with_columns(event_key=casualty_key())
    ranked, events = _ranked_events(
        reports,
        CASUALTY_FIGURES,
        [
            pl.col("event_date").first(),
            pl.col("place_precision").first(),
            pl.col("location").first(),
            pl.col("admin1").first(),
            pl.col("country").first(),
            pl.col("qualifier").first(),
        ],
    )
    return {
        "reports": ranked,
        "casualty_events": conform(events, CASUALTY_EVENTS).sort("event_key"),
        "casualty_event_history": _history(ranked, CASUALTY_FIGURES, CASUALTY_EVENT_HISTORY),
    }


# --------------------------------------------------------------------------- territorial claims
def territorial_parts(ter: pl.DataFrame, articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """territorial_control rows (with their articles) -> the ranked reports and territorial_events."""
    reports = report_rows(ter, articles, "territorial_control")
    reports = _with_place(reports, "settlement").with_columns(
        place_precision=pl.lit("settlement"),
        event_key=territorial_key(),
        _place=place_key(),
    )
    ranked, events = _ranked_events(
        reports,
        (),
        [
            pl.col("event_date").min(),
            pl.col("place_precision").first(),
            pl.col("settlement").first(),
            pl.col("admin1").first(),
            pl.col("country").first(),
            pl.col("actor").first(),
            pl.col("_place").first(),
            _nonempty(pl.col("claimed_by").drop_nulls().unique().sort().str.join(", ")).alias("claimed_by"),
        ],
        also_official=pl.col("claimed_by").str.contains(OFFICIAL_CLAIMANTS),  # Kleene or: order is immaterial
    )
    # disputed: another actor is reported in control of the same settlement
    events = events.with_columns(disputed=pl.col("actor").n_unique().over("_place") > 1)
    return {"reports": ranked, "territorial_events": conform(events, TERRITORIAL_EVENTS).sort("event_key")}


# --------------------------------------------------------------------------- all kinds
@dataclass(frozen=True)
class Kind:
    """One kind of event: its per-article report table and schema, its event_type, its event key (over report
    rows after `report_rows`) and the derived tables holding its events, each with an event_key column."""

    table: str
    schema: dict[str, pl.DataType]
    key: Callable[[], pl.Expr]
    derived: tuple[str, ...]

    @property
    def event_type(self) -> str:
        return EVENT_TYPE_OF_TABLE[self.table]


KINDS = (
    Kind(
        "air_attacks",
        AIR_ATTACKS,
        attack_key,
        ("attack_events", "attack_event_outcomes", "attack_event_history"),
    ),
    Kind("casualties", CASUALTIES, casualty_key, ("casualty_events", "casualty_event_history")),
    Kind("territorial_control", TERRITORIAL_CONTROL, territorial_key, ("territorial_events",)),
)


def assemble(*parts: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The derived tables from the attack, casualty and territory parts (event_reports from their reports)."""
    reports = pl.concat([conform(part["reports"], EVENT_REPORTS) for part in parts], how="vertical").sort(
        "event_id"
    )
    out = {"event_reports": reports, **{k: v for part in parts for k, v in part.items() if k != "reports"}}
    if not set(out) <= set(WAREHOUSE_TABLES):  # pragma: no cover - a derived table missing from schema.py
        raise AssertionError(f"not warehouse tables: {sorted(set(out) - set(WAREHOUSE_TABLES))}")
    return out
