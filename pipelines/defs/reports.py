"""Report assets: the views of sql/ (created by every warehouse publish) and the daily launched-vs-intercepted
chart, rendered from the published warehouse through read-only connections."""

import dagster as dg

from pipelines.defs.partitions import BACKFILL, DAILY
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.warehouse import warehouse_keys
from pipelines.reports import report_description, report_names
from pipelines.reports.chart import render_daily_chart
from pipelines.warehouse import connect, ident, publish_views


def _view_counts(db_path) -> dict[str, int | None]:
    """Rows of every sql/ view in the published warehouse; None for a view it does not have."""
    names = report_names()
    con = connect(db_path, read_only=True)
    try:
        present = {
            r[0] for r in con.sql("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
        return {
            n: (int(con.sql(f"SELECT count(*) FROM {ident(n)}").fetchall()[0][0]) if n in present else None)
            for n in names
        }
    finally:
        con.close()


@dg.asset(
    group_name="reports",
    deps=warehouse_keys(),
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Reporting views from sql/*.sql (created by the warehouse publish; `salvo report NAME`)",
)
def report_views(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    counts = _view_counts(warehouse.path())
    if any(v is None for v in counts.values()):
        # a file added to sql/ since the last publish: republish with every view (a copy swapped in)
        publish_views(warehouse.path())
        counts = _view_counts(warehouse.path())
    names = list(counts)
    return dg.MaterializeResult(
        metadata={
            "views": dg.MetadataValue.md(
                "\n".join(f"- `{n}` ({counts[n]} rows): {report_description(n)}" for n in names)
            ),
            **{f"rows_{n}": counts[n] for n in names},
        }
    )


@dg.asset(
    group_name="reports",
    deps=[report_views],
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Chart: daily launched vs intercepted per attacker and weapon class (consolidated attack events), "
    "written to warehouse/reports/daily_launched_intercepted.png and .html and shown in this asset's metadata.",
)
def daily_launched_intercepted_chart(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    chart = render_daily_chart(warehouse.path())
    return dg.MaterializeResult(
        metadata={
            "chart": dg.MetadataValue.md(
                f"![daily launched vs intercepted](data:image/png;base64,{chart.png_base64()})"
            ),
            "png": dg.MetadataValue.path(str(chart.png)),
            "html": dg.MetadataValue.path(str(chart.html)),
            "points": chart.data.height,
        }
    )
