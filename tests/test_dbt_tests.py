"""dbt's own tests, run with dbt against the scenario warehouse: the unit tests (in the
models' yml; production builds leave them out, pipelines/defs/warehouse/assets.py, as
dbt recommends for static-input tests) and a data test that must catch a bad row."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from pipelines.defs.warehouse.assets import BUILD_TARGET, dbt_project
from pipelines.settings import DBT_PROJECT_DIR, dbt_executable


def _dbt(db: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    done = subprocess.run(
        [dbt_executable(), *args, "--target-path", str(BUILD_TARGET)],
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"COLLAB_BUILD_DB": str(db)},
        capture_output=True,
        text=True,
    )
    results = json.loads((DBT_PROJECT_DIR / BUILD_TARGET / "run_results.json").read_text())
    return done, {r["unique_id"]: r for r in results["results"]}


def test_every_dbt_unit_test_passes(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, results = _dbt(db, "test", "--resource-type", "unit_test")
    assert done.returncode == 0, done.stdout[-3000:]
    defined = json.loads(dbt_project.manifest_path.read_text())["unit_tests"].keys()
    assert len(defined) >= 5
    assert {k: r["status"] for k, r in results.items()} == dict.fromkeys(defined, "pass")


def test_a_row_loaded_twice_fails_the_uniqueness_test(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    con = duckdb.connect(str(db))
    con.execute("insert into raw.placements select * from raw.placements limit 1")
    con.close()
    done, results = _dbt(db, "test", "--select", "stg_raw__placements,test_type:data")
    assert done.returncode == 1
    failed = {
        k.rsplit(".", 1)[0]: r["failures"] for k, r in results.items() if r["status"] == "fail"
    }
    assert failed == {
        "test.collabstats.unique_combination_stg_raw__placements_source_path__source_row": 1
    }
