"""dbt models as assets (dagster-dbt) and the serving file published after them."""

import json
import logging
from collections.abc import Mapping
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipelines.database import dbt_state, spark
from pipelines.defs.resources import Warehouse
from pipelines.defs.warehouse.project import build_args, dbt_project
from pipelines.outputs.publish import publish
from pipelines.settings import DBT_PROJECT_DIR, dbt_target

log = logging.getLogger("collabstats")


class LayerTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folder (staging, intermediate, marts; seeds → reference)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dbt tests as asset checks, described by the test's own `description` (the
        default reads only meta.description, leaving the checks list undescribed).

        Not blocking: an error-severity test that fails makes `dbt build` fail, which
        fails the dbt step, so nothing after it runs (tests/test_serving.py) - a Dagster
        blocking check would gate the same thing twice, and it warns for every test a
        build leaves out (all of them in a run with nothing new)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return spec
        description = spec.description or manifest["nodes"].get(unique_id, {}).get("description")
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=description,
            additional_deps=[dg.AssetDep(d.asset_key) for d in spec.additional_deps],
            blocking=False,
            metadata=spec.metadata,
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """dbt build: seeds, models and their tests (tests surface as asset checks; an
    error-severity test failure fails the step, so nothing downstream is published).

    A build of the whole graph recomputes the months the ingest recorded as changed,
    leaves the reference data out while the project is as last built, and is a full
    refresh when it is not (pipelines/database/dbt_state.py); once it succeeds the changed
    months are cleared; when nothing is new since that build, dbt is not run at all
    (_unchanged). A build of chosen assets builds what was chosen and clears
    nothing. dbt's unit tests run in CI (tests/test_dbt_tests.py): their inputs are
    static, so a data run gains nothing from them.

    With COLLAB_DBT_TARGET=spark the models and their tests run on Spark instead
    (pipelines/database/spark.py): the seeds load into DuckDB as always, the DuckDB
    tables go to Spark as Parquet, and the marts Spark builds come back into the build
    database, from which the serving file is published as always."""
    if dbt_target() == "spark":
        yield from _build_on_spark(context, dbt, warehouse)
        return
    whole = context.selected_asset_keys == context.assets_def.keys
    args = ["build", "--exclude-resource-type", "unit_test", *build_args(warehouse.paths.build_db)]
    with warehouse.lock():
        if whole:
            with warehouse.build_db() as conn:
                if dbt_state.up_to_date(conn, DBT_PROJECT_DIR):
                    yield from _unchanged(context)
                    return
                args += dbt_state.build_args(conn, DBT_PROJECT_DIR)
        # dbt's artifacts live with the warehouse they describe, so a build starts from
        # the previous build's partial parse of the same profile and vars (one shared
        # folder would be re-parsed whenever the warehouse path differs); a new warehouse
        # starts from the prepared parse (project.prepare)
        target = warehouse.paths.warehouse_dir / "dbt_target"
        yield from dbt.cli(args, context=context, target_path=target).stream()
        if whole:  # stream() raised if the build failed
            with warehouse.build_db() as conn:
                dbt_state.built(conn, DBT_PROJECT_DIR)


def _unchanged(context: dg.AssetExecutionContext):
    """A whole build with nothing new (dbt_state.up_to_date): dbt is not started (its
    start-up alone is ~2.5 s) and each model reports itself unchanged, so the serving
    file and the workbooks after it are still written, as a scheduled report expects.
    The dbt tests are not run again over the same rows: their last results stand."""
    log.info("dbt: the project and the raw tables are as at the last build; not run")
    deps = context.assets_def.asset_deps  # Dagster wants a multi-asset's results in order
    order = TopologicalSorter({k: deps.get(k, set()) for k in context.selected_asset_keys})
    for key in (k for k in order.static_order() if k in context.selected_asset_keys):
        yield dg.MaterializeResult(
            asset_key=key, metadata={"rebuilt": False, "why": "nothing new since the last build"}
        )


def _build_on_spark(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """The whole graph on Spark: every model rebuilt (no period-by-period increments
    there), the changed months kept for the next DuckDB build."""
    p = warehouse.paths
    target = p.warehouse_dir / "dbt_target_spark"
    duck_vars = json.dumps({"build_db": str(p.build_db)})
    with warehouse.lock():
        seed = ["seed", "--target", "dev", "--vars", duck_vars]
        yield from dbt.cli(
            seed, context=context, target_path=p.warehouse_dir / "dbt_target"
        ).stream()
        args = spark.prepare(p.build_db, p.warehouse_dir)
        yield from dbt.cli(args, context=context, target_path=target).stream()
        rows = spark.read_marts(spark.folders(p.warehouse_dir)[1], p.build_db)
    log.info("Spark built %d marts; pulled back into %s", len(rows), p.build_db)


def _mart_keys() -> list[dg.AssetKey]:
    return [
        key for key, spec in ((s.key, s) for s in dbt_models.specs) if spec.group_name == "marts"
    ]


@dg.asset(
    key="serving_file",
    group_name="serving",
    deps=_mart_keys(),
    kinds={"duckdb", "parquet"},
    description=(
        "serving.duckdb: marts, dimensions, metrics, ingestion_log and rejected_rows (masked), "
        "no person-level rows; built aside and renamed into place. Marts also as Parquet."
    ),
)
def serving_file(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    p = warehouse.paths
    with warehouse.lock():
        result = publish(p.build_db, p.serving_db, p.marts_dir)
    log.info("published %s (%d tables)", p.serving_db, len(result.tables))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(p.serving_db)),
            "parquet_dir": dg.MetadataValue.path(str(p.marts_dir)),
            **{f"rows_{t}": n for t, n in result.tables.items()},
        }
    )
