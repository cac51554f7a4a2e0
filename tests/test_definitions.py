"""The whole Definitions loads, and its graph is what the data team expects."""

from __future__ import annotations

import re

import dagster as dg

from pipelines.definitions import defs


def _keys(graph) -> set[str]:
    return {"/".join(k.path) for k in graph.get_all_asset_keys()}


def test_asset_graph():
    graph = defs.resolve_asset_graph()
    keys = _keys(graph)
    assert {
        "raw/placements",
        "raw/trainings",
        "raw/workshops",
        "raw/targets",
        "serving_file",
    } <= keys
    assert {
        "marts/metrics",
        "marts/dim_regions",
        "marts/ingestion_log",
        "marts/rejected_rows",
        "staging/stg_raw__placements",
    } <= keys
    # ingest feeds staging; marts feed the serving file
    assert (
        dg.AssetKey(["raw", "placements"])
        in graph.get(dg.AssetKey(["staging", "stg_raw__placements"])).parent_keys
    )
    assert dg.AssetKey(["marts", "metrics"]) in graph.get(dg.AssetKey("serving_file")).parent_keys


def test_partitions_and_groups():
    graph = defs.resolve_asset_graph()
    placements = graph.get(dg.AssetKey(["raw", "placements"]))
    assert isinstance(placements.partitions_def, dg.MonthlyPartitionsDefinition)
    assert placements.backfill_policy == dg.BackfillPolicy.single_run()
    assert graph.get(dg.AssetKey(["raw", "targets"])).partitions_def is None
    groups = {
        graph.get(k).group_name
        for k in graph.get_all_asset_keys()
        if graph.has(k) and graph.get(k).is_materializable
    }
    assert {"ingest", "staging", "intermediate", "marts", "reference", "serving"} <= groups


def test_checks_from_pandera_and_dbt():
    checks = {
        (("/".join(c.asset_key.path)), c.name) for c in defs.resolve_asset_graph().asset_check_keys
    }
    for kind in ("placements", "trainings", "workshops", "targets"):
        assert (f"raw/{kind}", "rows_accounted_for") in checks
        assert (f"raw/{kind}", "rejected_share_within_limit") in checks
    assert ("marts/metrics", "metrics_one_row_per_period_region_indicator") in checks
    assert (
        "intermediate/int_unaccounted_rows",
        "assert_every_row_read_is_loaded_or_rejected_once",
    ) in checks
    specs = {
        s.name: s.blocking
        for s in defs.resolve_assets_def(dg.AssetKey(["raw", "placements"])).check_specs
    }
    assert specs == {
        "rows_accounted_for": True,
        "rejected_share_within_limit": True,
        "no_rejected_rows": False,
        "files_readable": False,
        "submissions_complete": False,
    }


def test_job_and_executor():
    job = defs.resolve_job_def("pipeline_job")
    assert job.executor_def.name == "in_process"


def test_jobs_schedules_sensors():
    assert sorted(j.name for j in defs.jobs) == ["month_job", "pipeline_job", "targets_job"]
    assert sorted(s.name for s in defs.schedules) == [
        "annual_report_schedule",
        "half_year_report_schedule",
        "monthly_schedule",
    ]
    assert [s.name for s in defs.sensors] == ["raw_files_sensor"]
    assert defs.resolve_job_def("targets_job").partitions_def is None


def test_every_check_is_named_and_described_for_the_checks_list():
    """dbt's generated test names (accepted_values_metrics_unit______) and empty
    descriptions made the UI's checks list unreadable."""
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        assert spec.description, key.name
        assert "__" not in key.name.replace("stg_raw__", "").replace("stg_reference__", ""), (
            key.name
        )


def test_descriptions_render_in_the_ui():
    """Dagster renders descriptions as Markdown: `<YYYY-MM>` vanished as an HTML tag."""
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        if graph.has(key):
            text = re.sub(r"```.*?```|`[^`]*`", "", graph.get(key).description or "", flags=re.S)
            assert not re.search(r"<[A-Za-z]", text), key


def test_dbt_runs_without_dbt_version_or_an_adapter_in_process(monkeypatch, tmp_path):
    """The dbt resource skips dagster-dbt's `dbt --version` subprocess and its in-process
    adapter (pipelines/defs/warehouse/project.py: 3.9 s of a samples run). Fails if a
    dagster-dbt upgrade renames the methods overridden, or if either cost comes back."""
    import dagster_dbt.core.resource as dbt_resource
    from dagster_dbt import DbtCliResource

    from pipelines.defs.warehouse.project import DbtCli, prepare

    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))
    assert isinstance(defs.resources["dbt"], DbtCli)

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"dagster-dbt ran {args}")

    monkeypatch.setattr(dbt_resource, "check_output", no_subprocess)
    prepare()
    dbt = defs.resources["dbt"]
    invocation = dbt.cli(
        ["list", "--resource-type", "seed", "--output", "name", "--quiet"], target_path=tmp_path
    ).wait()
    assert invocation.is_successful() and invocation.adapter is None


def test_a_new_default_warehouse_builds_from_the_prepared_parse(
    tmp_path, monkeypatch, scenario_raw
):
    """prepare() parses with the target and vars of the default warehouse's build, so
    that warehouse's first build partial-parses from the prepared state (which
    dagster-dbt copies into its empty dbt_target) instead of parsing the project again.
    Fails if the dbt asset's arguments and the prepared parse's diverge."""
    import shutil

    from pipelines.defs.warehouse.project import parse
    from pipelines.run import run_pipeline
    from pipelines.settings import paths

    wh = tmp_path / "wh"
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))  # the default warehouse, here
    parse(tmp_path / "prepared")
    target = wh / "dbt_target"
    target.mkdir(parents=True)
    shutil.copy(tmp_path / "prepared" / "partial_parse.msgpack", target)  # as dagster-dbt does
    outcome = run_pipeline(paths(scenario_raw, wh))
    assert outcome.success, outcome.failed_steps
    log = (target / "dbt.log").read_text()
    assert "Partial parsing enabled" in log
    assert "Unable to do partial parsing" not in log
