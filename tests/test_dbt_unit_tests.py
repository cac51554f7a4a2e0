"""dbt unit tests (in the models' yml) run here, in CI: production builds leave them
out (pipelines/defs/warehouse/assets.py), as dbt recommends for static-input tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from pipelines.defs.warehouse.assets import BUILD_TARGET, dbt_project
from pipelines.settings import DBT_PROJECT_DIR, dbt_executable


def test_every_dbt_unit_test_passes(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done = subprocess.run(
        [
            dbt_executable(),
            "test",
            "--resource-type",
            "unit_test",
            "--target-path",
            str(BUILD_TARGET),
        ],
        cwd=DBT_PROJECT_DIR,
        env=os.environ | {"COLLAB_BUILD_DB": str(db)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    defined = json.loads(dbt_project.manifest_path.read_text())["unit_tests"].keys()
    results = json.loads((DBT_PROJECT_DIR / BUILD_TARGET / "run_results.json").read_text())[
        "results"
    ]
    assert len(defined) >= 5
    assert {r["unique_id"]: r["status"] for r in results} == dict.fromkeys(defined, "pass")
