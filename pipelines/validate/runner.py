"""The GX runner: one table's suite over its rows, in one ephemeral GX context per `validate_events` call, and
the failing rows it finds, by position.

- Each table is validated as `df.to_pandas()` (GX 1.x has no polars engine), with a fresh 0..n-1 RangeIndex,
  so GX's unexpected index == the polars position == `_ROW`.
- Two GX ValidationDefinition runs per table: the whole suite with BOOLEAN_ONLY (BASIC when Data Docs are
  built), then, only if some failed, those expectations again with COMPLETE to list their unexpected rows.
- An expectation that *raised* (GX `exception_info`) is neither a pass nor a data failure: it is reported in
  `errored_expectations`, makes the suite unsuccessful and is logged as a warning; no rows are quarantined
  for it. A row without an id is rejected whatever the suite says.
- `import great_expectations` costs seconds: it happens lazily, when a non-empty table is validated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from .suites import DERIVED, ID_COLUMN, _build_suite, _label

if TYPE_CHECKING:  # pragma: no cover - typing only; the real imports are lazy (GX import is slow)
    import pandas as pd
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext

log = logging.getLogger("pipelines.validate")  # one logger for the package, as before it was split

# The null-event_id guard below does not depend on the suite file: a row without an id can never be loaded.
MISSING_EVENT_ID_REASON = "missing_event_id"
MISSING_EVENT_ID_LABEL = "expect_column_values_to_not_be_null(event_id)"

_ROW = "__salvo_row"  # positional row id (== pandas index handed to GX); never leaves this package
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
