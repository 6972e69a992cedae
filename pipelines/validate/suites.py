"""The GX suites: which tables are validated (and the column that identifies their rows), the suite files in
expectations/ (the folder: pipelines/settings.py), the values of their $PARAMETER references, and the GX
ExpectationSuite built from a file one expectation at a time.

Expectations that GX cannot even build (unknown type, bad kwargs, unknown $PARAMETER) are returned as broken,
so the runner reports them as errored: `ExpectationSuite(...)` would silently drop them, which would turn a
typo in a suite file into a check that never runs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines import settings
from pipelines.schema import ATTACK_OUTCOMES, EVENT_TABLES

if TYPE_CHECKING:  # pragma: no cover - typing only; the real imports are lazy (GX import is slow)
    from great_expectations.core import ExpectationSuite

# Every table validated here, and the column that identifies its rows.
TABLES: dict[str, dict[str, pl.DataType]] = {**EVENT_TABLES, "attack_outcomes": ATTACK_OUTCOMES}
ID_COLUMN = {
    "air_attacks": "event_id",
    "casualties": "event_id",
    "territorial_control": "event_id",
    "attack_outcomes": "outcome_id",
}
# Columns computed for GX only (rules across columns that GX has no expectation for); never loaded.
DERIVED: dict[str, dict[str, pl.Expr]] = {
    "air_attacks": {"intercepted_plus_suppressed": pl.col("intercepted") + pl.col("suppressed")},
}

ENV_SUITES_DIR = settings.ENV_EXPECTATIONS_DIR
DEFAULT_SUITES_DIR = settings.DEFAULT_EXPECTATIONS_DIR


# Earliest plausible event date: the war began with the occupation of Crimea (Feb 2014); anything earlier in
# an event row is a date-parsing error, not news.
MIN_EVENT_DATE = dt.date(2014, 2, 20)


# --------------------------------------------------------------------------- suite files
def _suites_dir(suites_dir: Path | None) -> Path:
    """`suites_dir`, else SALVO_EXPECTATIONS_DIR, else DEFAULT_SUITES_DIR; a missing folder raises SettingsError."""
    return settings.expectations_dir(given=suites_dir)


def load_suite_json(table: str, suites_dir: Path | None = None) -> dict:
    """The GX ExpectationSuite JSON of `table` as a dict.

    Lookup order: `suites_dir`, env SALVO_EXPECTATIONS_DIR, <repo>/expectations. A missing or malformed file
    raises: a table validated without its suite would load unchecked rows.
    """
    path = _suites_dir(suites_dir) / f"{table}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no expectation suite for table {table!r}: {path}")
    suite = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        raise ValueError(f"{path}: not an ExpectationSuite JSON (needs an 'expectations' list)")
    return suite


def _label(config_type: str, kwargs: Mapping[str, Any]) -> str:
    """`type(column)` / `type(A,B)` / `type`: the expectation type plus the column(s) it looks at."""
    if isinstance(kwargs.get("column"), str):
        return f"{config_type}({kwargs['column']})"
    if "column_A" in kwargs and "column_B" in kwargs:
        return f"{config_type}({kwargs['column_A']},{kwargs['column_B']})"
    if isinstance(kwargs.get("column_list"), list) and not config_type.startswith("expect_table_"):
        return f"{config_type}({','.join(map(str, kwargs['column_list']))})"
    return config_type


def _parameter_names(value: Any) -> set[str]:
    """Names of the `{"$PARAMETER": name}` references inside an expectation's kwargs."""
    if isinstance(value, Mapping):
        if "$PARAMETER" in value:
            return {str(value["$PARAMETER"])}
        return set().union(*(_parameter_names(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(_parameter_names(v) for v in value)) if value else set()
    return set()


def _runtime_parameters(
    df: pl.DataFrame, known_article_ids: pl.Series, today: dt.date | None = None, table: str | None = None
) -> dict[str, Any]:
    """Values for the suites' $PARAMETER references, for the table `df`.

    unknown_article_ids are the ids `df` references that are not in `known_article_ids` (usually none):
    GX's not-in-set check over every row then rejects exactly the rows an in-set check against the known
    ids would, but GX copies an expectation's value set on each of its many internal config accesses, so a
    value set of every known id costs seconds per table (~70 ms per 1000 ids) and this one costs nothing.

    Dates go in as datetimes: GX compares the pandas datetime64 column against them, and a date *string* in
    the JSON would be parsed to a `datetime.date`, which pandas refuses to compare with a Timestamp (the
    expectation then raises).
    """
    referenced = df.get_column("article_id").drop_nulls().unique()
    today = today or dt.datetime.now(dt.UTC).date()
    tomorrow = today + dt.timedelta(days=1)  # an overnight report dated "today" in a later timezone
    columns = [*TABLES[table], *DERIVED.get(table, {})] if table else []
    return {
        # the expected columns come from schema.py, so the suites cannot drift from the schema
        "columns": columns,
        "unknown_article_ids": referenced.filter(~referenced.is_in(known_article_ids)).sort().to_list(),
        # UTC-aware, like the date columns GX compares them with (see _gx_frame)
        "min_event_date": dt.datetime.combine(MIN_EVENT_DATE, dt.time(), tzinfo=dt.UTC),
        "max_event_date": dt.datetime.combine(tomorrow, dt.time(), tzinfo=dt.UTC),
    }


def _build_suite(
    table: str, suite_json: dict, parameters: Mapping[str, Any]
) -> tuple[ExpectationSuite, dict[str, str]]:
    """Build the GX suite one expectation at a time; return it and {label: why} of those that cannot run."""
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    usable: list[dict] = []
    broken: dict[str, str] = {}
    for i, raw in enumerate(suite_json["expectations"]):
        if not isinstance(raw, dict):
            broken[f"expectation[{i}]"] = "not a JSON object"
            continue
        label = _label(str(raw.get("type")), raw.get("kwargs") or {})
        missing = _parameter_names(raw.get("kwargs") or {}) - set(parameters)
        if missing:
            broken[label] = f"unknown $PARAMETER {sorted(missing)}"
            continue
        try:
            # what ExpectationSuite() does per expectation, minus its silent drop on failure
            ExpectationConfiguration(**raw).to_domain_obj()
        except Exception as exc:  # noqa: BLE001 - any config error makes this expectation unusable
            broken[label] = f"invalid configuration: {type(exc).__name__}: {exc}".replace("\n", " ")
            continue
        usable.append(raw)
    # named after the table, not the file's "name": two suite files with one name would collide in the
    # context's suite store (the name only labels GX's own results, which never leave this module)
    return ExpectationSuite(name=table, expectations=usable), broken
