"""Export asset: every warehouse table as Parquet (and the ACLED-layout view as Parquet and CSV) under
warehouse/export/, read from the published warehouse through one read-only connection."""

import dagster as dg

from pipelines.defs.conventions import REFRESH_AFTER_LOADS
from pipelines.defs.resources import WarehouseResource
from pipelines.warehouse.export import default_export_dir, export_parquet


@dg.asset(
    group_name="export",
    automation_condition=REFRESH_AFTER_LOADS,
    deps=["report_views"],  # by key: an imported asset object would be collected twice by the defs loader
    description="Parquet files of every warehouse table and of acled_export (also CSV) in warehouse/export/.",
)
def warehouse_export(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    files = export_parquet(warehouse.target())
    return dg.MaterializeResult(
        metadata={
            "export_dir": dg.MetadataValue.path(str(default_export_dir(warehouse.target()))),
            "files": dg.MetadataValue.json({name: str(path) for name, path in files.items()}),
            "n_files": len(files),
        }
    )
