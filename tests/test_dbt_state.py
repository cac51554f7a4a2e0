"""When a pipeline build may leave the reference data out, and when it must rebuild
everything (pipelines/database/dbt_state.py)."""

from __future__ import annotations

import shutil

import duckdb

from pipelines.database import dbt_state
from pipelines.settings import DBT_PROJECT_DIR

EXCLUDE_REFERENCE = ["--exclude", "tag:reference", "--indirect-selection", "buildable"]


def _project(tmp_path):
    return shutil.copytree(
        DBT_PROJECT_DIR, tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target", "logs")
    )


def test_a_new_warehouse_or_an_edited_project_is_a_full_refresh(tmp_path):
    project = _project(tmp_path)
    conn = duckdb.connect(str(tmp_path / "build.duckdb"))
    assert dbt_state.build_args(conn, project) == ["--full-refresh"]  # nothing built yet
    dbt_state.built(conn, project)
    assert dbt_state.build_args(conn, project) == EXCLUDE_REFERENCE
    model = project / "models" / "intermediate" / "by_period" / "int_workshop_stocks_summed.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert dbt_state.build_args(conn, project) == ["--full-refresh"]
    dbt_state.built(conn, project)
    seed = project / "seeds" / "indicators.csv"
    seed.write_bytes(seed.read_bytes() + b"\n")
    assert dbt_state.build_args(conn, project) == ["--full-refresh"]


def test_a_successful_build_clears_the_months_to_recompute(tmp_path):
    project = _project(tmp_path)
    conn = duckdb.connect(str(tmp_path / "build.duckdb"))
    dbt_state.build_args(conn, project)
    conn.execute("insert into ingest.changed_periods values ('2024-05'), ('2024-11')")
    dbt_state.built(conn, project)
    assert conn.execute("select count(*) from ingest.changed_periods").fetchone()[0] == 0
