"""Officials' workbooks, written after each successful publish."""

import dagster as dg

from pipelines.defs.resources import Warehouse
from pipelines.outputs.export import export_all

# Set by the half-year / annual schedules to report a given month (YYYY-MM); otherwise
# the latest period with data.
REPORT_PERIOD_TAG = "collabstats/report_period"


@dg.asset(
    key="official_exports",
    group_name="exports",
    deps=["serving_file"],
    kinds={"excel"},
    description="东西部劳务协作统计表 (.xlsx + CSV) for every province and city with data, under `warehouse/exports/YYYY-MM/`.",
)
def official_exports(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    p = warehouse.paths
    period = context.run.tags.get(REPORT_PERIOD_TAG)
    written = export_all(p.serving_db, p.exports_dir, period)
    return dg.MaterializeResult(
        metadata={
            "workbooks": len(written),
            "files": dg.MetadataValue.md("\n".join(f"- {w.name}" for w in written) or "none"),
        }
    )
