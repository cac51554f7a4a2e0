"""dbt models as assets (dagster-dbt) and the serving file published after them."""

import functools
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from pipelines import settings
from pipelines.defs.resources import Dbt, Warehouse
from pipelines.defs.warehouse import dbt_in_process
from pipelines.lib import dbt_reference
from pipelines.lib.publish import publish
from pipelines.settings import DBT_PROJECT_DIR

log = logging.getLogger("collabstats")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
BUILD_TARGET = dbt_project.target_path / "build"


def ensure_manifest(project: DbtProject = dbt_project) -> None:
    """Parse the dbt project when the manifest is missing or older than a model, macro,
    seed or the project file (`dagster dev` does this through prepare_if_dev; the CLI and
    tests load definitions without it)."""
    manifest = project.manifest_path
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    if manifest.exists() and manifest.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return
    DbtCliResource(project_dir=project, dbt_executable=settings.dbt_executable()).cli(
        ["parse", "--quiet"], target_path=project.target_path
    ).wait()


ensure_manifest()


def parse_dbt_ahead(build_db: Path) -> None:
    """Start parsing the dbt project for a build over `build_db`, so the build later in
    this run starts from the parsed manifest (dbt_in_process.parse_ahead)."""
    os.environ["COLLAB_BUILD_DB"] = str(build_db)  # read by profiles.yml
    dbt_in_process.parse_ahead(DBT_PROJECT_DIR, DBT_PROJECT_DIR, BUILD_TARGET)


class LayerTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folder (staging, intermediate, marts; seeds → reference)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "warehouse"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: Dbt, warehouse: Warehouse):
    """dbt build: seeds, models and their tests (tests surface as asset checks; an
    error-severity test failure fails the step, so nothing downstream is published)."""
    os.environ["COLLAB_BUILD_DB"] = str(warehouse.paths.build_db)  # read by profiles.yml
    manifest = _manifest()
    # A run of the whole dbt graph leaves out the reference subgraph when it stands as
    # last built (pipelines/lib/dbt_reference.py); a run of chosen dbt assets builds
    # what was chosen. "buildable" keeps the tests joining ledger data to reference
    # tables (relationships to int_regions_resolved), which dbt's default would drop
    # with the excluded models.
    whole = context.selected_asset_keys == context.assets_def.keys
    with warehouse.build_db() as conn:
        skip = dbt_reference.unchanged(conn, manifest) if whole else []
        if not skip:
            dbt_reference.forget(conn)
    if skip:
        context.log.info(f"reference data unchanged: {len(skip)} dbt nodes left out")
    # One target folder for every build, not dagster-dbt's fresh folder per run: dbt
    # keeps partial_parse.msgpack there and skips re-parsing the project (runs are
    # serialised by the warehouse lock, so two builds never share it at once).
    # Unit tests run in CI (tests/test_dbt_unit_tests.py), not in production builds: as
    # dbt's documentation recommends, their inputs are static, so a data run gains
    # nothing from them; they cost ~3.5 s a run.
    args = ["build", "--exclude-resource-type", "unit_test"]
    if skip:
        args += ["--exclude", " ".join(skip), "--indirect-selection", "buildable"]
    with warehouse.lock():
        yield from dbt.in_process(args, context, BUILD_TARGET)
    if whole and not skip:  # in_process raised if the build failed
        with warehouse.build_db() as conn:
            dbt_reference.record(conn, manifest)


@functools.cache
def _manifest() -> dict[str, Any]:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


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
