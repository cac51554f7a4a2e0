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
from tests.scenario import B, C


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


def _changed_and_rebuilt(
    db: Path, sql: str, *build_args: str
) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    """Change the tables of a built warehouse behind the ingest's back with `sql`, then
    `dbt build` with `build_args`."""
    con = duckdb.connect(str(db))
    con.execute(sql)
    con.close()
    return _dbt(db, "build", *build_args)


def _failures(db: Path, sql: str) -> tuple[subprocess.CompletedProcess, dict[str, int]]:
    """Change the raw tables, recheck the accounting of every period (--full-refresh:
    the ingest recorded no change) and run its test."""
    done, results = _changed_and_rebuilt(
        db, sql, "--select", "int_unaccounted_rows", "--full-refresh"
    )
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


OVERDUE_LISTED = "test.collabstats.assert_overdue_list_has_each_overdue_duty_once"


def _overdue_build(db: Path, sql: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Change the overdue duties (and the trainings they are listed from), rebuild the
    overdue list and run its tests."""
    done, results = _changed_and_rebuilt(db, sql, "--select", "followup_overdue")
    return done, {k: r["status"] for k, r in results.items() if k.startswith("test.")}


def test_two_overdue_persons_of_a_class_may_share_a_masked_id(scenario_run, tmp_path):
    """A second person in P7's class, overdue in the same months, whose ID masks to the
    same 452123********1234: two rows, and the list's tests pass (a uniqueness test on
    the masked columns failed the 1M-row benchmark build over such a pair)."""
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    twin = "'twin-' || person_key"
    done, status = _overdue_build(
        db,
        f"""
        insert into raw.trainings by name
        select * replace ({twin} as person_key) from raw.trainings
        where person_key in (select person_key from intermediate.int_followup_duties
                             where status = '逾期未完成' and origin_code = '{B}');
        insert into intermediate.int_followup_duties by name
        select * replace ({twin} as person_key) from intermediate.int_followup_duties
        where status = '逾期未完成' and origin_code = '{B}';
        """,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert status[OVERDUE_LISTED] == "pass"
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute(
        "select count(*) from marts.followup_overdue where county_code = ? and period = '2024-10'",
        [B],
    ).fetchone()[0]
    con.close()
    assert n == 2


def test_an_overdue_person_reported_twice_is_listed_once_and_one_unlisted_fails(
    scenario_run, tmp_path
):
    db = shutil.copy(scenario_run.build_db, tmp_path / "build.duckdb")
    # A person's training reported again under another load: the masked row is picked
    # once, not joined once per report.
    done, status = _overdue_build(
        db,
        "insert into raw.trainings by name select * replace (load_id + 1000 as load_id) "
        "from raw.trainings where person_key in (select person_key from "
        "intermediate.int_followup_duties where status = '逾期未完成')",
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert status[OVERDUE_LISTED] == "pass"
    # An overdue duty whose trainee is nowhere in the trainings: listed without a masked
    # ID, which the test reports.
    done, status = _overdue_build(
        db,
        "update raw.trainings set person_key = 'gone' where person_key in (select person_key "
        "from intermediate.int_followup_duties where status = '逾期未完成' "
        f"and origin_code = '{C}')",
    )
    assert done.returncode == 1
    assert status[OVERDUE_LISTED] == "fail"
