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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines import settings
from pipelines.quarantine import quarantine_ids
from pipelines.schema import ATTACK_OUTCOMES, EVENT_TABLES, QUARANTINE, conform, empty

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
PARENT_REASON = "parent_air_attack_quarantined"

if TYPE_CHECKING:  # pragma: no cover - typing only; the real imports are lazy (GX import is slow)
    import pandas as pd
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger(__name__)

STAGE = "validate"
ENV_SUITES_DIR = settings.ENV_EXPECTATIONS_DIR
DEFAULT_SUITES_DIR = settings.DEFAULT_EXPECTATIONS_DIR


def default_docs_dir(db_path: Path | str) -> Path:
    """Where the pipeline has GX build its Data Docs: `data_docs/` beside the warehouse file."""
    return Path(db_path).parent / "data_docs"


# Earliest plausible event date: the war began with the occupation of Crimea (Feb 2014); anything earlier in
# an event row is a date-parsing error, not news.
MIN_EVENT_DATE = dt.date(2014, 2, 20)

# The null-event_id guard below does not depend on the suite file: a row without an id can never be loaded.
MISSING_EVENT_ID_REASON = "missing_event_id"
MISSING_EVENT_ID_LABEL = "expect_column_values_to_not_be_null(event_id)"

_ROW = "__salvo_row"  # positional row id (== pandas index handed to GX); never leaves this module
# First pass: only whether each expectation passed (no per-row metrics at all).
_PASS_FORMAT: dict[str, Any] = {"result_format": "BOOLEAN_ONLY"}
# The same pass when Data Docs are built: GX's renderers need each expectation's observed value and unexpected
# count (they fail on BOOLEAN_ONLY results), which BASIC adds with a sample of at most 20 unexpected values.
_DOCS_PASS_FORMAT: dict[str, Any] = {"result_format": "BASIC"}
# Second pass, failed expectations only: COMPLETE lists every unexpected index, not a sample. The index
# query is a string repeating that list, which nothing here reads.
_ROWS_FORMAT: dict[str, Any] = {"result_format": "COMPLETE", "return_unexpected_index_query": False}


@dataclasses.dataclass(frozen=True)
class SuiteResult:
    """Outcome of one table's suite."""

    table: str
    evaluated_rows: int
    success_percent: float  # GX statistics success_percent (100.0 when the suite has no failures)
    failed_expectations: list[str]  # expectation type(column) that found bad data
    errored_expectations: list[str]  # expectations that raised or could not be built; they make success False
    bad_row_ids: list[str]  # event_ids of rows that failed at least one expectation
    success: bool


@dataclasses.dataclass(frozen=True)
class DataDocs:
    """Where GX wrote its Data Docs for one call: the site's index and each table's validation result pages."""

    index: Path
    # table -> {"suite": the whole suite's result page, "failed_rows": the failed expectations' page, listing
    # their unexpected rows (only when some failed)}
    pages: dict[str, dict[str, Path]]


@dataclasses.dataclass(frozen=True)
class ValidationOutcome:
    """valid rows per table, the quarantine rows of all tables, and one SuiteResult per table."""

    valid: dict[str, pl.DataFrame]  # table -> rows that passed every expectation (same schema as input)
    quarantine: pl.DataFrame  # QUARANTINE schema: one row per rejected event row, stage="validate"
    results: dict[str, SuiteResult]
    data_docs: DataDocs | None = None  # with `docs_dir`, when some table had rows to validate


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


# --------------------------------------------------------------------------- GX plumbing
@dataclasses.dataclass(frozen=True)
class _SuiteRun:
    """What the two GX passes over one table found."""

    statistics: dict[str, Any]  # GX's suite statistics (success_percent, ...) of the first, whole-suite pass
    # one GX ExpectationValidationResult per expectation: the failed ones from the second pass, so they carry
    # `unexpected_index_list`; the passed and the raised ones from the first
    results: list[Any]


class _GxRunner:
    """One ephemeral GX context shared by every table of a `validate_events` call.

    Not cached across calls: creating it takes ~5 ms, and a shared one would need locking and would keep
    every earlier call's suites, validation definitions and results.
    """

    def __init__(self, run_name: str | None = None, for_docs: bool = False) -> None:
        self._context: AbstractDataContext | None = None
        self._run_name = run_name
        self._pass_format = _DOCS_PASS_FORMAT if for_docs else _PASS_FORMAT

    def _ready_context(self) -> AbstractDataContext:
        if self._context is None:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            # tqdm bars on stderr would flood Dagster's compute logs
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            self._context = context
        return self._context

    def _run(
        self,
        name: str,
        batch_definition: Any,
        suite: ExpectationSuite,
        pdf: pd.DataFrame,
        result_format: Mapping[str, Any],
        parameters: Mapping[str, Any],
    ) -> Any:
        """One GX ValidationDefinition run of `suite` over the whole of `pdf` (which GX loads once per run)."""
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

        context = self._ready_context()
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=context.suites.add(suite))
        )
        return definition.run(
            batch_parameters={"dataframe": pdf},
            result_format=dict(result_format),
            expectation_parameters=dict(parameters),
            run_id=RunIdentifier(run_name=self._run_name, run_time=dt.datetime.now(dt.UTC)),
        )

    def build_docs(self, docs_dir: Path) -> DataDocs | None:
        """GX's Data Docs site in `docs_dir`, built from this runner's validation results (None: nothing was
        validated).

        The results are kept as GX JSON in `docs_dir/results` (a filesystem ValidationResultsStore), so the
        site's index lists every run's validations, not only this one's; results of an earlier run with the same
        run name are removed first, and GX removes their pages, so a re-run of the same days replaces them."""
        if self._context is None:
            return None
        context = self._context
        keys = list(context.validation_results_store.list_keys())
        docs_dir.mkdir(parents=True, exist_ok=True)
        kept = context.add_store(
            "salvo_docs_results",
            {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir / "results"),
                },
            },
        )
        if self._run_name:
            for old in kept.list_keys():
                if old.run_id.run_name == self._run_name:
                    kept.remove_key(old)
        for key in keys:
            kept.set(key, context.validation_results_store.get(key))
        site = "salvo"
        context.add_data_docs_site(
            site_name=site,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # validation results only: the suites' own pages cannot render their $PARAMETER column lists
                "site_section_builders": {
                    "expectations": "None",
                    "profiling": "None",
                    "validations": {"source_store_name": "salvo_docs_results"},
                },
            },
        )
        # only this run's pages are rendered; the index lists every result kept
        context.build_data_docs(site_names=[site], resource_identifiers=keys)
        pages: dict[str, dict[str, Path]] = {}
        for key in keys:
            suite = key.expectation_suite_identifier.name
            table, _, failed = suite.partition("__")
            [url] = [
                u["site_url"] for u in context.get_docs_sites_urls(resource_identifier=key, site_name=site)
            ]
            pages.setdefault(table, {})["failed_rows" if failed else "suite"] = Path(
                url.removeprefix("file://")
            )
        return DataDocs(index=docs_dir / "index.html", pages=pages)

    def validate(
        self, table: str, pdf: pd.DataFrame, suite: ExpectationSuite, parameters: Mapping[str, Any]
    ) -> _SuiteRun:
        """The whole suite over every row of `pdf`, then the failed expectations again for their rows."""
        context = self._ready_context()
        # A datasource per table, deleted when done: GX holds on to the last context it made (its current
        # project) until the next one, and with it every pandas frame and cached metric its datasources
        # loaded, ~90 MB per 50k-article batch that would otherwise outlive the call.
        datasource = context.data_sources.add_pandas(f"salvo_validate_{table}")
        try:
            return self._two_passes(table, datasource, pdf, suite, parameters)
        finally:
            context.data_sources.delete(datasource.name)

    def _two_passes(
        self,
        table: str,
        datasource: Any,
        pdf: pd.DataFrame,
        suite: ExpectationSuite,
        parameters: Mapping[str, Any],
    ) -> _SuiteRun:
        from great_expectations.core import ExpectationSuite

        batch_definition = datasource.add_dataframe_asset(name=table).add_batch_definition_whole_dataframe(
            f"{table}_whole"
        )
        first = self._run(table, batch_definition, suite, pdf, self._pass_format, parameters)
        kept = [r for r in first.results if r.success or _raised_message(r.exception_info) is not None]
        failed = [r for r in first.results if not r.success and _raised_message(r.exception_info) is None]
        if not failed:
            return _SuiteRun(dict(first.statistics or {}), list(first.results))
        # the configurations exactly as GX evaluated them, parameters already substituted
        rerun = ExpectationSuite(name=f"{table}__failed", expectations=[r.expectation_config for r in failed])
        second = self._run(f"{table}__failed", batch_definition, rerun, pdf, _ROWS_FORMAT, parameters)
        return _SuiteRun(dict(first.statistics or {}), [*kept, *second.results])


def _raised_message(exception_info: Any) -> str | None:
    """The exception message if this result's expectation raised, else None.

    GX puts either one {"raised_exception": ...} dict or a dict of them keyed by metric id here.
    """
    if not isinstance(exception_info, Mapping):
        return None
    if exception_info.get("raised_exception"):
        return str(exception_info.get("exception_message") or "raised")
    for value in exception_info.values():
        message = _raised_message(value)
        if message is not None:
            return message
    return None


# --------------------------------------------------------------------------- per table
_FAILS_SCHEMA = {_ROW: pl.Int64, "reason": pl.String, "expectation": pl.String}


def _fail_frame(rows: Iterable[Any], reason: str, label: str) -> pl.DataFrame:
    """(row, reason, expectation) for each row one expectation rejected."""
    row_ids = pl.Series(_ROW, list(rows)).cast(pl.Int64)  # GX hands back numpy ints
    return pl.DataFrame({_ROW: row_ids}).with_columns(reason=pl.lit(reason), expectation=pl.lit(label))


def _gx_frame(table: str, df: pl.DataFrame) -> pd.DataFrame:
    """The pandas frame GX validates: `df` without `_ROW`, plus the derived columns, with a fresh 0..n-1
    RangeIndex so that GX's unexpected index == the polars position == `_ROW`.

    Date columns become midnight UTC (datetime64[ms, UTC]; the date parameters are UTC midnights too):
    GX's between-check compares tz-aware and datetime64[ns] columns vectorised but a naive datetime64[ms]
    column, which is what polars hands pandas, one Python call per row. ns is no option: it cannot hold
    years outside 1677-2262, which a parse error can produce. Strings stay pyarrow-backed and numbers
    numpy: GX compares numpy int/float columns vectorised, but not pyarrow ones.
    """
    out = df.drop(_ROW).with_columns(**DERIVED.get(table, {}))
    dates = [name for name, dtype in out.schema.items() if dtype == pl.Date]
    if dates:
        out = out.with_columns(pl.col(dates).cast(pl.Datetime("ms", "UTC")))
    return out.to_pandas().reset_index(drop=True)


def _validate_table(
    runner: _GxRunner,
    table: str,
    df: pl.DataFrame,
    suite_json: dict,
    parameters: Mapping[str, Any],
) -> tuple[SuiteResult, pl.DataFrame]:
    """Run the table's suite on `df` (which carries `_ROW`); return its SuiteResult (bad_row_ids still empty)
    and the (row, reason, expectation) pairs of the failing rows."""
    suite, broken = _build_suite(table, suite_json, parameters)
    errored: dict[str, str] = dict(broken)
    failed: set[str] = set()
    fails: list[pl.DataFrame] = []  # one (row, reason, expectation) frame per failed expectation
    success_percent = 100.0

    pdf = _gx_frame(table, df)
    try:
        result = runner.validate(table, pdf, suite, parameters)
    except Exception as exc:  # noqa: BLE001 - a crash of the whole validation is reported, not hidden
        for exp in suite.expectations:
            errored[_label(exp.configuration.type, exp.configuration.kwargs)] = f"validation raised: {exc}"
        success_percent = 0.0
    else:
        stats = result.statistics or {}
        if stats.get("success_percent") is not None:
            success_percent = float(stats["success_percent"])
        for res in result.results:
            config = res.expectation_config
            label = _label(config.type, config.kwargs)
            message = _raised_message(res.exception_info)
            if message is not None:
                errored[label] = message
                continue
            if res.success:
                continue
            failed.add(label)
            reason = str((config.meta or {}).get("reason") or config.type)
            indexes = (res.result or {}).get("unexpected_index_list")
            if not indexes:
                # table-level expectations (schema, row count) fail without naming rows
                log.warning(
                    "validate %s: %s failed without row ids (%s); no rows quarantined for it",
                    table,
                    label,
                    reason,
                )
                continue
            fails.append(_fail_frame(indexes, reason, label))

    # Guard independent of the suite file: a row without an event_id can never be loaded or re-identified.
    id_col = ID_COLUMN[table]
    null_ids = df.filter(pl.col(id_col).is_null()).get_column(_ROW)
    if not null_ids.is_empty():
        label = f"expect_column_values_to_not_be_null({id_col})"
        failed.add(label)
        fails.append(_fail_frame(null_ids, f"missing_{id_col}", label))

    for label, message in sorted(errored.items()):
        log.warning(
            "validate %s: expectation %s ERRORED (%s); its rows are NOT checked and the suite is marked failed",
            table,
            label,
            message,
        )
    suite_result = SuiteResult(
        table=table,
        evaluated_rows=df.height,
        success_percent=success_percent,
        failed_expectations=sorted(failed),
        errored_expectations=sorted(errored),
        bad_row_ids=[],  # filled in by the caller from the quarantined rows
        success=not failed and not errored,
    )
    return suite_result, pl.concat(fails) if fails else pl.DataFrame(schema=_FAILS_SCHEMA)


def _split(table: str, indexed: pl.DataFrame, fails: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(valid rows, quarantine rows) of one table: an anti-/semi-join on the positional row id."""
    columns = [c for c in indexed.columns if c != _ROW]
    fails = fails.with_columns(pl.col(_ROW).cast(indexed.schema[_ROW]))  # row-index dtype is build-dependent
    per_row = fails.group_by(_ROW).agg(
        pl.col("reason").unique().sort().str.join(";"),
        pl.col("expectation").unique().sort().str.join(";"),
    )
    valid = indexed.join(per_row, on=_ROW, how="anti").sort(_ROW).drop(_ROW)
    id_col = ID_COLUMN[table]
    bad = (
        indexed.join(per_row, on=_ROW, how="inner")
        .sort(_ROW)
        .with_columns(row_json=pl.struct(columns).struct.json_encode())
    )
    # duplicates (same event_id) get distinct, still re-run-stable quarantine ids (pipelines/quarantine.py)
    ids = quarantine_ids(
        bad,
        [STAGE, table, pl.coalesce(pl.col(id_col), pl.lit(f"missing_{id_col}|") + pl.col("row_json"))],
        repeats_within=pl.col(id_col),
        hashed=True,
    )
    quarantine = conform(
        bad.with_columns(
            ids,
            stage=pl.lit(STAGE),
            table_name=pl.lit(table),
            row_id=pl.col(ID_COLUMN[table]),
        ),
        QUARANTINE,
    )
    if valid.height + quarantine.height != indexed.height:  # not `assert`: must also hold under python -O
        raise AssertionError(
            f"validate {table}: {indexed.height} rows in, {valid.height} valid + {quarantine.height} quarantined"
        )
    return valid, quarantine


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


def _orphans_follow_parents(valid: dict[str, pl.DataFrame], quarantines: list[pl.DataFrame]) -> None:
    """Ledger rows whose air_attacks row did not pass are quarantined too: the warehouse never holds
    outcomes of a report it rejected (in place, so every row still ends in exactly one place)."""
    ledger = valid.get("attack_outcomes")
    if ledger is None or ledger.is_empty():
        return
    parents = valid["air_attacks"].select("event_id")
    orphans = ledger.join(parents, on="event_id", how="anti")
    if orphans.is_empty():
        return
    valid["attack_outcomes"] = ledger.join(parents, on="event_id", how="semi")
    # no repeat numbering, as ever (the ids must not change): valid ledger rows have an outcome_id (the null
    # guard of _validate_table) and the suite's uniqueness check keeps them distinct
    ids = quarantine_ids(
        orphans, [STAGE, "attack_outcomes", pl.col("outcome_id"), "parent"], repeats_within=None, hashed=True
    )
    quarantines.append(
        conform(
            orphans.with_columns(
                row_json=pl.struct(orphans.columns).struct.json_encode(),
                quarantine_id=ids,
                stage=pl.lit(STAGE),
                table_name=pl.lit("attack_outcomes"),
                row_id=pl.col("outcome_id"),
                reason=pl.lit(PARENT_REASON),
                expectation=pl.lit(None, pl.String),
            ),
            QUARANTINE,
        )
    )


__all__ = [
    "DataDocs",
    "SuiteResult",
    "ValidationOutcome",
    "default_docs_dir",
    "load_suite_json",
    "validate_events",
]
