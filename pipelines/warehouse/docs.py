"""What every warehouse table and column means: one place, published twice.

- as `COMMENT ON TABLE` / `COMMENT ON COLUMN` in DuckDB (`apply_comments`, run by every publish), so
  `SELECT table_name, column_name, comment FROM duckdb_columns()` documents the file itself;
- as the descriptions of the Dagster table-schema metadata of the warehouse assets (`column_description`).
"""

from __future__ import annotations

import duckdb

from pipelines.schema import WAREHOUSE_TABLES

from .db import ident

TABLE_DOCS: dict[str, str] = {
    "articles": "One row per accepted input article (per-article report table).",
    "air_attacks": "One row per article, attacker and weapon class: the figures that article reports (per-article report table).",
    "casualties": "One row per article and place: killed and injured as that article reports them (per-article report table).",
    "territorial_control": "One row per article and settlement: who is reported to have taken or to hold it (per-article report table).",
    "quarantine": "Every input item or extracted row that did not load, with the reason.",
    "attack_outcomes": "The outcome ledger: one row per article, attacker, weapon class, model (null = class total) and outcome, with the range the text gives (low/best/high).",
    "weapons": "Weapon reference (pipelines/reference/weapons.csv): one row per alias as news writes it, with its model, class and the side that fires it.",
    "event_reports": "Derived: every report row (air_attacks, casualties, territorial_control) linked to the consolidated event it belongs to, with its reporting date, source, official/relay kind and rank within the event.",
    "attack_events": "Derived: one row per air attack (event_date, attacker, weapon class) however many articles report it; each figure from the best-ranked report giving it, with min/max across sources.",
    "attack_event_outcomes": "Derived: the consolidated outcome ledger, one row per attack event, model (null = class total) and outcome, with the best-ranked report's low/best/high.",
    "attack_event_history": "Derived: what was believed about each attack event from valid_from (a reporting day) until valid_to; one row per change.",
    "casualty_events": "Derived: one row per casualty event (event_date, admin1, location) however many articles report it.",
    "casualty_event_history": "Derived: what was believed about each casualty event from valid_from until valid_to; one row per change.",
    "territorial_events": "Derived: one row per territorial claim (admin1, settlement, actor) however many articles report it.",
}

# Columns that mean the same wherever they appear.
COMMON: dict[str, str] = {
    "article_id": "The article (articles.article_id), stable across runs.",
    "event_id": "The report row: article id, event type and the row's key; stable across runs.",
    "event_key": "The consolidated event: attacks date/attacker/class, casualties date/admin1/location, territory admin1/settlement/actor.",
    "attacker": "The side that fired: RU or UA.",
    "weapon_class": "drone, missile or guided_bomb.",
    "event_date": "The day of the event: the row's event_date, else the article's partition_date (an overnight attack is keyed to the morning it was reported).",
    "evidence": "The sentence the figure came from.",
    "evidence_start": "Character offset where the evidence sentence starts in articles.text.",
    "evidence_end": "Character offset where the evidence sentence ends in articles.text.",
    "launched": "Weapons launched (null when not reported).",
    "intercepted": "Weapons shot down, destroyed, intercepted or neutralised (null when not reported).",
    "suppressed": "Weapons lost to electronic warfare or 'locationally lost' (not intercepted; null when not reported).",
    "impacts": "Reported hits on targets (null when not reported).",
    "killed": "People killed (null when not reported).",
    "injured": "People injured (null when not reported).",
    "admin1": "Oblast (Ukraine) or federal subject (Russia).",
    "location": "The place as written.",
    "settlement": "The settlement as written.",
    "actor": "Who took or holds the place: RU or UA.",
    "claimed_by": "Who says so (RU MoD, UA General Staff, ISW, Wagner, officials); in territorial_events every claimant, comma-separated.",
    "qualifier": "exact, approx, at_least, more_than (and at_most in the ledger).",
    "model": "Weapon model (weapons.model); null = the weapon class total.",
    "models": "Weapon models named for this class, comma-separated.",
    "outcome": "launched, intercepted, suppressed or impacts.",
    "low": "Lower bound the text gives ('more than 70' -> 71; exact figures fill low, best and high).",
    "best": "The point figure the text gives ('approximately 580' -> 580); null for a bare bound.",
    "high": "Upper bound the text gives ('up to 30' -> 30).",
    "time_precision": "How precisely the date is known: day (from the text or the publication date), week (only the day the article was fetched), month.",
    "place_precision": "How precisely the place is known: settlement, district, oblast or country (air attack figures are national totals).",
    "country": "Country of the place (UA or RU), from the gazetteer.",
    "n_reports": "Articles reporting the event (near-identical copies not counted).",
    "n_sources": "Distinct outlets reporting it (articles.source, else the URL's host, else the article).",
    "n_official": "Reports from an official body (air force, MoD, General Staff, governor, regional or military administration).",
    "disputed": "True when counted sources give different figures (territory: when another actor is reported in control of the same settlement).",
    "first_reported_at": "Earliest reporting day of the event (published_at, else partition_date).",
    "last_reported_at": "Latest reporting day of the event.",
    "chosen_event_id": "The best-ranked report (official before relay, then latest); every figure it gives is the event's.",
    "chosen_source": "The outlet of the chosen report.",
    "chosen_source_kind": "official or relay, for the chosen report.",
    "valid_from": "The reporting day from which this belief held (the day of the article that changed it).",
    "valid_to": "The next reporting day that changed the belief (exclusive); null = still believed.",
    "changed": "Columns that changed from the previous belief ('first report' for the first row).",
    "partition_date": "The day (Dagster partition) this row belongs to: its article's partition_date. Loads replace a day by this column.",
}
for _figure in ("launched", "intercepted", "suppressed", "impacts", "killed", "injured"):
    COMMON[f"{_figure}_min"] = f"Smallest {_figure} figure among counted reports."
    COMMON[f"{_figure}_max"] = f"Largest {_figure} figure among counted reports."

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "articles": {
        "url": "The article's URL.",
        "title": "Title.",
        "published_at": "Publication day (null when the item had no date).",
        "source": "The outlet or feed that published it.",
        "text": "Normalised text; evidence offsets point into it.",
        "content_hash": "Hash of the case- and whitespace-insensitive text (exact-copy detection).",
        "origin": "Where the item came from: file path (+ line), feed URL, page URL.",
        "language": "ISO 639-1 guess; only en (or null) articles are extracted.",
        "duplicate_of": "article_id of an earlier near-identical copy (wire story), else null; such articles are not extracted and do not count as sources.",
        "partition_date": "The article's day (Dagster partition): published date, else the fetch date.",
    },
    "air_attacks": {
        "launched_qualifier": "How launched is qualified: exact, approx, at_least, more_than.",
        "event_date": "The article's publication day (null when undated).",
    },
    "casualties": {"event_date": "The article's publication day (null when undated)."},
    "territorial_control": {"event_date": "The article's publication day (null when undated)."},
    "quarantine": {
        "quarantine_id": "Stable hash of the rejected item, so re-runs replace instead of adding.",
        "stage": "ingest or validate.",
        "table_name": "The table the row was meant for.",
        "row_id": "event_id for event rows, origin for input items.",
        "reason": "Machine-groupable reason, e.g. empty_text, intercepted_gt_launched.",
        "expectation": "The failed GX expectation(s); null for ingest rejects.",
        "row_json": "The rejected row as JSON.",
        "partition_date": "The day (partition) of the rejected item (ingest) or of its article (validate); loads replace a day by this column.",
    },
    "attack_outcomes": {
        "outcome_id": "The ledger row: event_id/model-or-*/outcome.",
        "event_id": "The air_attacks row this belongs to.",
    },
    "weapons": {
        "alias": "Lower-case name as news writes it (Shahed-136, Geran-2, Kh-101, ...).",
        "model": "Canonical model; null for generic nouns (drones, missiles).",
        "weapon_class": "drone, missile or guided_bomb (null: class unknown).",
        "attacker": "The side that fires it; null when either side does.",
        "note": "Free-text note.",
    },
    "event_reports": {
        "event_type": "air_attack, casualties or territorial_control.",
        "reported_at": "The reporting day: the article's published_at, else its partition_date.",
        "source": "The outlet: articles.source, else the URL's host, else the article id.",
        "source_kind": "official (air force, MoD, General Staff, governor, regional or military administration in the evidence or source) or relay.",
        "counted": "False for near-identical copies (articles.duplicate_of), which do not count.",
        "rank_in_event": "1 = the event's preferred report (official before relay, latest first, then article_id).",
    },
    "attack_events": {
        "launched_qualifier": "The qualifier of the report the launched figure came from.",
        "evidence": "The chosen report's evidence sentence.",
    },
    "attack_event_outcomes": {
        "outcome_key": "event_key/model-or-*/outcome.",
        "qualifier": "The chosen ledger row's qualifier.",
        "value_min": "Smallest value (best, else the bound) among counted reports.",
        "value_max": "Largest value among counted reports.",
        "chosen_outcome_id": "The ledger row (attack_outcomes.outcome_id) of the best-ranked report giving this outcome.",
        "disputed": "True when value_min and value_max differ.",
        "evidence": "The chosen ledger row's evidence sentence.",
    },
    "casualty_events": {
        "qualifier": "The chosen report's qualifier.",
        "location": "The place as the chosen report writes it.",
        "evidence": "The chosen report's evidence sentence.",
    },
    "territorial_events": {
        "event_date": "The first day the claim was reported.",
        "evidence": "The chosen report's evidence sentence.",
    },
}


def column_description(table: str, column: str) -> str:
    """The description of one column (KeyError when it has none: every column must be documented)."""
    return COLUMN_DOCS.get(table, {}).get(column) or COMMON[column]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection, *, only_changed: bool = False) -> None:
    """COMMENT ON every warehouse table and column (the tables must exist). With `only_changed` (a DuckLake
    publish), only the comments that differ from those held: each is a catalog change, which two concurrent
    runs' transactions would conflict on."""
    held_tables: dict[str, str | None] = {}
    held_columns: dict[tuple[str, str], str | None] = {}
    if only_changed:
        where = "WHERE database_name = current_database() AND schema_name = 'main'"
        held_tables = dict(con.sql(f"SELECT table_name, comment FROM duckdb_tables() {where}").fetchall())
        held_columns = {
            (t, c): comment
            for t, c, comment in con.sql(
                f"SELECT table_name, column_name, comment FROM duckdb_columns() {where}"
            ).fetchall()
        }
    for table, schema in WAREHOUSE_TABLES.items():
        if not only_changed or held_tables.get(table) != TABLE_DOCS[table]:
            con.execute(f"COMMENT ON TABLE {ident(table)} IS {_literal(TABLE_DOCS[table])}")
        for column in schema:
            text = column_description(table, column)
            if not only_changed or held_columns.get((table, column)) != text:
                con.execute(f"COMMENT ON COLUMN {ident(table)}.{ident(column)} IS {_literal(text)}")
