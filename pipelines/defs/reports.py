"""Report assets: the views in sql/, created in the warehouse after every load."""

import dagster as dg

from pipelines.defs.partitions import BACKFILL, DAILY
from pipelines.defs.resources import WarehouseResource
from pipelines.reports import create_views, report_description
from pipelines.warehouse import connect

WAREHOUSE_KEYS = [
    dg.AssetKey(["warehouse", t])
    for t in ("articles", "air_attacks", "casualties", "territorial_control", "quarantine")
]


@dg.asset(
    group_name="reports",
    deps=WAREHOUSE_KEYS,
    partitions_def=DAILY,
    backfill_policy=BACKFILL,
    description="Reporting views from sql/*.sql",
)
def report_views(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    con = connect(warehouse.path())
    try:
        names = create_views(con)
        counts = {n: con.sql(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
    finally:
        con.close()
    return dg.MaterializeResult(
        metadata={
            "views": dg.MetadataValue.md(
                "\n".join(f"- `{n}` ({counts[n]} rows): {report_description(n)}" for n in names)
            ),
            **{f"rows_{n}": counts[n] for n in names},
        }
    )
