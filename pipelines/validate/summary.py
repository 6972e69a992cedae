"""What one validation found per table and day, in the figures a reader of a table's check needs: rows checked,
rows loaded, rows quarantined, and each failed expectation by name with the rows it rejected.

GX validates a table's rows of the whole run at once; the rows are then split by their day (the day of their
article). An expectation that failed without naming rows (a table-level one, such as the column set) or one
that errored concerns every day of the run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

import polars as pl

from pipelines.days import article_days, row_days, rows_per_day

from . import TABLES, ValidationOutcome

SAMPLE_ROWS = 50  # quarantined rows listed per check (all of them are in the quarantine table)


@dataclasses.dataclass(frozen=True)
class DayCheck:
    """One table's validation on one day."""

    table: str
    day: date
    rows_checked: int
    rows_loaded: int
    rows_quarantined: int
    failed: dict[
        str, int
    ]  # expectation (or the reason, for rows quarantined without one) -> rows of this day
    table_failures: list[str]  # expectations that failed on the run's rows without naming rows
    errored: list[str]  # expectations that raised: nothing they check can be trusted
    quarantined: list[dict[str, str | None]]  # up to SAMPLE_ROWS rows: row_id, reason, expectation

    @property
    def passed(self) -> bool:
        return not self.rows_quarantined and not self.table_failures and not self.errored

    def description(self) -> str:
        if self.passed:
            if not self.rows_checked:
                return f"no {self.table} rows to check on {self.day}"
            return f"{_rows(self.rows_checked)} checked on {self.day}, none failed the {self.table} suite"
        parts = [f"{name} ({_rows(n)})" for name, n in self.failed.items()]
        parts += [f"{name} (the run's rows as a whole)" for name in self.table_failures]
        parts += [f"{name} ERRORED" for name in self.errored]
        return (
            f"{self.rows_quarantined} of {_rows(self.rows_checked)} quarantined on {self.day}: "
            + "; ".join(parts)
        )


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def day_checks(
    outcome: ValidationOutcome, articles: pl.DataFrame, days: Iterable[date]
) -> dict[str, dict[date, DayCheck]]:
    """table -> day -> DayCheck, for every validated table and every day of `days`. Rows whose article is not
    among `articles` (quarantined as unknown_article_id) count on the first day."""
    wanted = sorted(days)
    of_articles = article_days(articles)
    out: dict[str, dict[date, DayCheck]] = {}
    for table in TABLES:
        result = outcome.results[table]
        valid = outcome.valid.get(table)
        loaded = rows_per_day(valid, of_articles, wanted, unknown=wanted[0]) if valid is not None else {}
        bad = outcome.quarantine.filter(pl.col("table_name") == table)
        bad = bad.with_columns(day=row_days(bad, of_articles).fill_null(wanted[0]))
        rejected = (
            bad.with_columns(name=pl.coalesce("expectation", "reason").str.split(";"))
            .explode("name")
            .group_by("day", "name")
            .len()
            .sort("day", "len", "name", descending=[False, True, False])
        )
        named = set(rejected["name"].to_list())
        table_failures = [e for e in result.failed_expectations if e not in named]
        out[table] = {}
        for day in wanted:
            rows = bad.filter(pl.col("day") == day)
            failed = dict(rejected.filter(pl.col("day") == day).select("name", "len").iter_rows())
            out[table][day] = DayCheck(
                table=table,
                day=day,
                rows_checked=loaded.get(day, 0) + rows.height,
                rows_loaded=loaded.get(day, 0),
                rows_quarantined=rows.height,
                failed=failed,
                table_failures=table_failures,
                errored=list(result.errored_expectations),
                quarantined=rows.select("row_id", "reason", "expectation").head(SAMPLE_ROWS).to_dicts(),
            )
    return out
