"""dbt runs inside the pipeline's process (pipelines/defs/warehouse/dbt_in_process.py):
no dbt subprocess, the project parsed once and ahead of the build, assets chosen in the
UI build what was chosen, a failed dbt test still fails the step, and the build database
is closed afterwards either way."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
from dbt.parser.manifest import ManifestLoader

from pipelines.defs.resources import Dbt, Warehouse
from pipelines.defs.warehouse.assets import dbt_models, dbt_project
from pipelines.lib.pipeline_run import run_pipeline
from pipelines.settings import dbt_executable, paths
from tests.conftest import copy_tree


def _opens_for_writing_elsewhere(db) -> bool:
    """Another process can open the file for writing: nothing in this one holds it."""
    out = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).execute('checkpoint')"],
        capture_output=True,
        text=True,
    )
    return out.returncode == 0


def test_dbt_builds_in_this_process_chosen_assets_and_a_failed_test_fails_the_step(
    scenario_raw, tmp_path, monkeypatch
):
    popen = subprocess.Popen

    def no_dbt_subprocess(args, *rest, **kwargs):
        if Path(str(list(args)[0])).name == "dbt":
            raise AssertionError(f"dbt was started as a subprocess: {args}")
        return popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", no_dbt_subprocess)
    parses: list[str] = []  # the thread of each manifest dbt loads
    load = ManifestLoader.get_full_manifest.__func__

    def counted(cls, *args, **kwargs):
        parses.append(threading.current_thread().name)
        return load(cls, *args, **kwargs)

    monkeypatch.setattr(ManifestLoader, "get_full_manifest", classmethod(counted))
    raw = copy_tree(scenario_raw, tmp_path / "raw")
    p = paths(raw, tmp_path / "wh")
    monkeypatch.setenv("COLLAB_RAW_DIR", str(p.raw_dir))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(p.warehouse_dir))

    outcome = run_pipeline(p)
    assert outcome.success, outcome.failed_steps
    assert outcome.timings["dbt"] > 0
    # parsed once, ahead, while the ingest ran; the build started from that manifest
    assert parses == ["dbt-parse"]
    # dbt-duckdb would keep its DuckDB instance open until the process exits: a
    # connection with other settings in this process, or a writer in another, would fail
    duckdb.connect(str(p.build_db), config={"threads": "1"}).close()
    assert _opens_for_writing_elsewhere(p.build_db)
    published = p.serving_db.read_bytes()

    # Assets chosen in the UI: dagster-dbt's selection reaches the in-process dbt.
    metrics = dg.AssetKey(["marts", "metrics"])
    chosen = dg.materialize(
        [dbt_models],
        selection=[metrics],
        resources={
            "dbt": Dbt(project_dir=dbt_project, dbt_executable=dbt_executable()),
            "warehouse": Warehouse(),
        },
    )
    assert chosen.success
    assert parses == ["dbt-parse", "dbt"]  # no parse ahead here: the build parses
    assert {e.asset_key for e in chosen.get_asset_materialization_events()} == {metrics}
    checks = chosen.get_asset_check_evaluations()
    assert checks and {c.asset_key for c in checks} == {metrics}
    assert all(c.passed for c in checks)

    # A person key lost in the raw table breaks not_null_stg_raw__placements_person_key,
    # an error-severity test on a model the marts are built from.
    con = duckdb.connect(str(p.build_db))
    con.execute(
        "update raw.placements set person_key = null where rowid = (select min(rowid) from raw.placements)"
    )
    con.close()
    instance = dg.DagsterInstance.ephemeral()
    outcome = run_pipeline(p, instance=instance)
    assert not outcome.success
    assert outcome.failed_steps == ["dbt_models"]
    failure = next(
        e
        for e in instance.all_logs(instance.get_runs()[0].run_id)
        if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE
    )
    error = failure.dagster_event.step_failure_data.error.to_string()
    assert "not_null_stg_raw__placements_person_key" in error
    assert "dbt.log" in error
    assert p.serving_db.read_bytes() == published  # never published
    duckdb.connect(str(p.build_db), config={"threads": "1"}).close()
    assert _opens_for_writing_elsewhere(p.build_db)
