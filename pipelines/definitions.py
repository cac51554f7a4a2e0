"""The one Definitions of collabstats: ingest → dbt → serving file → exports, with the
sensor on raw/ and the monthly, half-year and annual schedules."""

import dagster as dg

from pipelines import settings
from pipelines.defs.automation import (
    annual_report_schedule,
    half_year_report_schedule,
    month_job,
    monthly_schedule,
    pipeline_job,
    raw_files_sensor,
    targets_job,
)
from pipelines.defs.exports.assets import official_exports
from pipelines.defs.ingest.assets import INGEST_ASSETS, LOG_TABLES
from pipelines.defs.resources import Warehouse
from pipelines.defs.warehouse.assets import dbt_models, serving_file
from pipelines.defs.warehouse.checks import no_statistical_alarms
from pipelines.defs.warehouse.project import DbtCli, dbt_project

defs = dg.Definitions(
    assets=[*INGEST_ASSETS, *LOG_TABLES, dbt_models, serving_file, official_exports],
    asset_checks=[no_statistical_alarms],
    jobs=[pipeline_job, month_job, targets_job],
    schedules=[monthly_schedule, half_year_report_schedule, annual_report_schedule],
    sensors=[raw_files_sensor],
    resources={
        "warehouse": Warehouse(),
        "dbt": DbtCli(project_dir=dbt_project, dbt_executable=settings.dbt_executable()),
    },
    # One process, steps in order: the build database has one writer at a time by design.
    # Across processes, every writer holds the warehouse's flock (pipelines/database/
    # lock.py) and runs queue one at a time (max_concurrent_runs in dagster.yaml).
    executor=dg.in_process_executor,
)
