"""Report assets: the views of sql/ (created by every warehouse publish) and the daily launched-vs-intercepted
chart, rendered from the published warehouse through read-only connections."""

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from pipelines.defs.conventions import REFRESH_AFTER_LOADS
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.warehouse import warehouse_keys
from pipelines.reports import report_description, report_names
from pipelines.reports.chart import CHART_NAME, png_bytes, render_daily_chart
from pipelines.warehouse import connect, ident, publish_views


def _view_counts(db_path) -> dict[str, int | None]:
    """Rows of every sql/ view in the published warehouse; None for a view it does not have."""
    names = report_names()
    con = connect(db_path, read_only=True)
    try:
        present = {
            r[0]
            for r in con.sql(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
            ).fetchall()
        }
        return {
            n: (int(con.sql(f"SELECT count(*) FROM {ident(n)}").fetchall()[0][0]) if n in present else None)
            for n in names
        }
    finally:
        con.close()


@dg.asset(
    group_name="reports",
    automation_condition=REFRESH_AFTER_LOADS,
    deps=warehouse_keys(),
    description="Reporting views from sql/*.sql (created by the warehouse publish; `salvo report NAME`)",
)
def report_views(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    counts = _view_counts(warehouse.target())
    if any(v is None for v in counts.values()):
        # a file added to sql/ since the last publish: republish with every view (a copy swapped in)
        publish_views(warehouse.target())
        counts = _view_counts(warehouse.target())
    names = list(counts)
    return dg.MaterializeResult(
        metadata={
            "views": dg.MetadataValue.md(
                "\n".join(f"- `{n}` ({counts[n]} rows): {report_description(n)}" for n in names)
            ),
            **{f"rows_{n}": counts[n] for n in names},
        }
    )


# The UI shows a Markdown metadata value inline only when it is under 1,000 characters (longer ones open in a
# "[Show Markdown]" dialog), so the inline chart is an image URL, not the PNG itself: the webserver's /logs/ route
# serves files from the local compute log manager's folder, where the chart is copied under a key of its own.
INLINE_KEY = ["salvo", "reports", CHART_NAME]
INLINE_WIDTH_IN = 7.5  # x 80 dpi: 600 pixels


def _serve_inline(instance: dg.DagsterInstance, render: Callable[[], bytes]) -> str | None:
    """Write the PNG `render` draws where the webserver serves it and return its URL path; None where it cannot
    (an instance whose compute logs are not local files: then the chart is only in the embedded copy, and the
    inline copy is not drawn)."""
    from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager

    manager = instance.compute_log_manager
    if not isinstance(manager, LocalComputeLogManager):
        return None
    png = render()
    target = Path(manager.get_captured_local_path(INLINE_KEY, "png"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_bytes(png)
    os.replace(tmp, target)
    version = hashlib.sha1(png).hexdigest()[:12]  # a new URL for a new chart: no stale cache
    return f"/logs/{'/'.join(INLINE_KEY)}/png?v={version}"


@dg.asset(
    group_name="reports",
    automation_condition=REFRESH_AFTER_LOADS,
    deps=[report_views],
    description="Chart: launched vs intercepted per day (weekly over long spans), one panel per attacker and "
    "weapon class, with suppressed (EW) beside intercepted, the range across sources as whiskers and the "
    "interception rate; drawn inline on this page, written to warehouse/reports/daily_launched_intercepted.png "
    "and .html. Not per day: it is drawn from the whole warehouse.",
)
def daily_launched_intercepted_chart(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    chart = render_daily_chart(warehouse.target())
    # narrower for the page's metadata column (about 600 pixels beside the definition panel)
    url = _serve_inline(context.instance, lambda: png_bytes(chart.data, width=INLINE_WIDTH_IN, dpi=80))
    embedded = f"![launched vs intercepted](data:image/png;base64,{chart.png_base64()})"
    bars = chart.data.bars
    return dg.MaterializeResult(
        metadata={
            **({"chart": dg.MetadataValue.md(f"![launched vs intercepted]({url})")} if url else {}),
            "chart_embedded": dg.MetadataValue.md(embedded),
            "png": dg.MetadataValue.path(str(chart.png)),
            "html": dg.MetadataValue.path(str(chart.html)),
            "period": chart.data.period,
            "days": f"{bars['period'].min()}..{bars['period'].max()}" if bars.height else "none",
            "bar_groups": bars.height,
            "events_not_drawn": chart.data.left_out.height,
        }
    )
