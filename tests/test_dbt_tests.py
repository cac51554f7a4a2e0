"""dbt's own tests, run with dbt against the scenario warehouse: the unit tests (in the
models' yml; production builds leave them out, pipelines/defs/warehouse/assets.py, as
dbt recommends for static-input tests) and the data test that accounts for every row read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from pipelines.defs.warehouse.project import dbt_project
from pipelines.settings import DBT_PROJECT_DIR, dbt_executable


def _dbt(db: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    """dbt as a person runs it by hand, on a copy of a built warehouse."""
    target = db.parent / "target"
    done = subprocess.run(
        [dbt_executable(), *args, "--target-path", str(target),
         "--vars", json.dumps({"build_db": str(db)})],
        cwd=DBT_PROJECT_DIR,
        env=os.environ,
        capture_output=True,
        text=True,
    )  # fmt: skip
    results = json.loads((target / "run_results.json").read_text())
    return done, {r["unique_id"]: r for r in results["results"]}


def test_every_dbt_unit_test_passes(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, results = _dbt(db, "test", "--resource-type", "unit_test")
    assert done.returncode == 0, done.stdout[-3000:]
    defined = json.loads(dbt_project.manifest_path.read_text())["unit_tests"].keys()
    assert len(defined) >= 5
    ran = {k: r["status"] for k, r in results.items() if k.startswith("unit_test.")}
    assert ran == dict.fromkeys(defined, "pass")  # (the on-run-start hook reports too)


RECONCILIATION = "test.collabstats.assert_every_row_read_is_loaded_or_rejected_once"


def _failures(db: Path, sql: str) -> tuple[subprocess.CompletedProcess, dict[str, int]]:
    """Change the raw tables of a built warehouse behind the ingest's back, recheck the
    accounting of every period (--full-refresh: the ingest recorded no change) and run
    its test."""
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()
    done, results = _dbt(db, "build", "--select", "int_unaccounted_rows", "--full-refresh")
    return done, {k: r["failures"] for k, r in results.items() if r["status"] == "fail"}


def test_every_row_is_accounted_for_on_a_clean_build(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, results = _dbt(db, "build", "--select", "int_unaccounted_rows")
    assert done.returncode == 0, done.stdout[-3000:]
    assert results[RECONCILIATION]["status"] == "pass"


def test_a_row_loaded_twice_fails_the_reconciliation(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, failed = _failures(db, "insert into raw.placements select * from raw.placements limit 1")
    assert done.returncode == 1
    # the repeated row, and its file's count that no longer matches the log
    assert failed == {RECONCILIATION: 2}


def test_a_row_dropped_silently_fails_the_reconciliation(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, failed = _failures(
        db,
        "delete from raw.trainings where (load_id, source_row) in "
        "(select (load_id, source_row) from raw.trainings limit 1)",
    )
    assert done.returncode == 1
    assert failed == {RECONCILIATION: 1}


def test_a_row_both_loaded_and_rejected_fails_the_reconciliation(scenario_run, tmp_path):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    done, failed = _failures(
        db,
        "insert into raw.rejected_rows select load_id, source_path, 'workshops', period, "
        "source_sheet, source_row, 'x', 'x', 'duplicate', 'x' from raw.workshops limit 1",
    )
    assert done.returncode == 1
    # the row counted twice, and its file (one more rejected than the log says)
    assert failed == {RECONCILIATION: 2}
