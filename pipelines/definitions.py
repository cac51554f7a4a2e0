"""The one Definitions of collabstats: ingest → dbt → serving file → exports."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines import settings
from pipelines.defs.exports.assets import official_exports
from pipelines.defs.ingest.assets import INGEST_ASSETS
from pipelines.defs.resources import Warehouse
from pipelines.defs.warehouse.assets import dbt_models, dbt_project, serving_file

ALL_ASSETS = [*INGEST_ASSETS, dbt_models, serving_file, official_exports]

# Everything, for the months selected at launch (the CLI passes the range of months present).
pipeline_job = dg.define_asset_job(
    "pipeline_job", selection=dg.AssetSelection.all(), description="Ingest, dbt build, publish."
)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[pipeline_job],
    resources={
        "warehouse": Warehouse(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=settings.dbt_executable()),
    },
    # One process, steps in order: the build database has one writer at a time by design.
    executor=dg.in_process_executor,
)
