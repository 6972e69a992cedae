"""Validate the event frames with Great Expectations and split every row into valid or quarantine.

Plain functions on polars frames, so the Dagster assets and the CLI share one code path.

How it works, and why:
- GX 1.x has no polars engine and its SQL datasource over duckdb-engine reports every expectation as
  failed, so each table is validated as `df.to_pandas()` in one *ephemeral* GX context per call.
- Failing rows are identified by their **position** (GX returns the pandas index of unexpected rows, and the
  pandas frame gets a fresh 0..n-1 RangeIndex). Positions, unlike `unexpected_index_column_names=["event_id"]`,
  also identify rows whose event_id is null or duplicated, so one bad duplicate cannot drag an innocent
  twin into quarantine under the wrong reason.
- Each table is validated by GX ValidationDefinition runs: first the whole suite over every row with
  result_format BOOLEAN_ONLY (pass/fail per expectation), then, only if some failed, those expectations again
  with COMPLETE to list their unexpected rows. COMPLETE on a passing expectation still copies the whole frame
  several times (non-null rows, unexpected rows, index query), which was most of the time on clean batches.
- The article-id check is `expect_column_values_to_not_be_in_set(article_id)` against the ids the batch
  references that are not among the ingested articles (usually none). The equivalent `..._to_be_in_set`
  against the known ids cost 5-7 s per 50k-article batch whatever the result_format: GX copies an
  expectation's whole value set each time it reads its configuration, ~70-130 times per expectation.
- Dates go to GX as UTC midnights: GX compares tz-aware (and ns) datetime columns vectorised but the naive
  datetime64[ms] that polars produces one Python call per row.
- An expectation that *raised* (GX `exception_info`) is neither a pass nor a data failure: it is reported in
  `errored_expectations`, makes the suite unsuccessful and is logged as a warning; no rows are quarantined
  for it because GX cannot say which rows it would have rejected. Expectations that GX cannot even build
  (unknown type, bad kwargs, unknown $PARAMETER) count as errored too: `ExpectationSuite(...)` would silently
  drop them, which would turn a typo in a suite file into a check that never runs.
- `import great_expectations` costs seconds, so it happens lazily and only when a non-empty table is validated.
- With `docs_dir`, GX builds its Data Docs site there from the call's validation results (`build_data_docs`):
  one page per suite run, named by `run_name` (the run's days), so a re-run of the same days replaces its
  pages; the index lists the latest call's results. The pages of earlier runs of other days stay.

The modules: `suites` (the tables, the suite files and their parameters, building a GX suite), `runner` (the
GX runner and the failing rows of one table), `split` (valid / quarantine), and this entry point,
`validate_events`, which every public name is imported from.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from pipelines import settings
from pipelines.schema import QUARANTINE, empty
from pipelines.settings import Lake

from .runner import (
    _ROW,
    MISSING_EVENT_ID_LABEL,
    MISSING_EVENT_ID_REASON,
    DataDocs,
    SuiteResult,
    _validate_table,
)
from .runner import _GxRunner as _GxRunner  # private names the tests reach through pipelines.validate
from .runner import _raised_message as _raised_message
from .split import PARENT_REASON, STAGE, _orphans_follow_parents, _split
from .suites import (
    DEFAULT_SUITES_DIR,
    DERIVED,
    ENV_SUITES_DIR,
    ID_COLUMN,
    MIN_EVENT_DATE,
    TABLES,
    _runtime_parameters,
    load_suite_json,
)
from .suites import _label as _label

log = logging.getLogger(__name__)


def default_docs_dir(db_path: Path | str | Lake) -> Path:
    """Where the pipeline has GX build its Data Docs: `data_docs/` beside the warehouse file (or in a lake's
    files folder)."""
    return settings.files_dir(db_path) / "data_docs"


@dataclasses.dataclass(frozen=True)
class ValidationOutcome:
    """valid rows per table, the quarantine rows of all tables, and one SuiteResult per table."""

    valid: dict[str, pl.DataFrame]  # table -> rows that passed every expectation (same schema as input)
    quarantine: pl.DataFrame  # QUARANTINE schema: one row per rejected event row, stage="validate"
    results: dict[str, SuiteResult]
    data_docs: DataDocs | None = None  # with `docs_dir`, when some table had rows to validate


# --------------------------------------------------------------------------- entry point
def validate_events(
    tables: dict[str, pl.DataFrame],
    known_article_ids: Iterable[str],
    suites_dir: Path | None = None,
    *,
    docs_dir: Path | None = None,
    run_name: str | None = None,
) -> ValidationOutcome:
    """Validate the event tables; every input row ends up in exactly one of `valid` or `quarantine`.

    `tables` maps "air_attacks" / "casualties" / "territorial_control" to frames of the schema.py schemas
    (a missing key is an empty table). `known_article_ids` are the ingested articles' ids: events of any
    other article are quarantined as "unknown_article_id". With `docs_dir`, GX's Data Docs of this
    validation are built there (`run_name` names its result pages, e.g. the run's days).
    """
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"validate_events: unknown tables {sorted(unknown)}; expected {sorted(TABLES)}")
    known = pl.Series("known_article_ids", [str(a) for a in known_article_ids if a is not None], pl.String)
    runner = _GxRunner(
        run_name, for_docs=docs_dir is not None
    )  # the GX context is only created if some table has rows

    valid: dict[str, pl.DataFrame] = {}
    quarantines: list[pl.DataFrame] = []
    results: dict[str, SuiteResult] = {}
    for table, schema in TABLES.items():
        df = tables.get(table)
        if df is None:
            df = empty(schema)
        if df.is_empty():
            valid[table] = df
            results[table] = SuiteResult(table, 0, 100.0, [], [], [], True)
            continue
        for required in (ID_COLUMN[table], "article_id"):
            if required not in df.columns:
                raise ValueError(f"validate_events: table {table!r} has no {required!r} column")
        if known.is_empty():
            log.warning(
                "validate %s: no known article ids; every row will be quarantined as unknown_article_id",
                table,
            )

        indexed = df.with_row_index(_ROW)
        parameters = _runtime_parameters(df, known, table=table)
        suite_result, fails = _validate_table(
            runner, table, indexed, load_suite_json(table, suites_dir), parameters
        )
        table_valid, table_quarantine = _split(table, indexed, fails)
        bad_ids = table_quarantine.get_column("row_id").drop_nulls().unique().sort().to_list()
        results[table] = dataclasses.replace(suite_result, bad_row_ids=bad_ids)
        valid[table] = table_valid
        quarantines.append(table_quarantine)
        log.info(
            "validate %s: %d rows, %d valid, %d quarantined, %.1f%% expectations passed%s",
            table,
            df.height,
            table_valid.height,
            table_quarantine.height,
            suite_result.success_percent,
            f", {len(suite_result.errored_expectations)} ERRORED"
            if suite_result.errored_expectations
            else "",
        )

    _orphans_follow_parents(valid, quarantines)
    quarantine = pl.concat(quarantines, how="vertical") if quarantines else empty(QUARANTINE)
    docs = runner.build_docs(Path(docs_dir)) if docs_dir is not None else None
    return ValidationOutcome(valid=valid, quarantine=quarantine, results=results, data_docs=docs)


__all__ = [
    "DEFAULT_SUITES_DIR",
    "DERIVED",
    "ENV_SUITES_DIR",
    "ID_COLUMN",
    "MIN_EVENT_DATE",
    "MISSING_EVENT_ID_LABEL",
    "MISSING_EVENT_ID_REASON",
    "PARENT_REASON",
    "STAGE",
    "TABLES",
    "DataDocs",
    "SuiteResult",
    "ValidationOutcome",
    "default_docs_dir",
    "load_suite_json",
    "validate_events",
]
