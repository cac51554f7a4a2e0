"""When a pipeline build may leave the reference data out, and when it must rebuild
everything (pipelines/database/dbt_state.py)."""

from __future__ import annotations

import os
import shutil

import duckdb

from pipelines.database import dbt_state
from pipelines.database.ingest import ingest_kind
from pipelines.settings import DBT_PROJECT_DIR
from pipelines.synthetic import synth
from tests.conftest import TEST_KEY
from tests.test_reading import _rows

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


def test_nothing_new_only_while_project_raw_tables_and_months_are_as_built(tmp_path):
    """up_to_date: true after a whole build, false after each kind of change an ingest
    can make to what dbt reads (a file new, replaced, restamped, removed, unreadable or
    skipped), after a month marked changed, after a project edit, and for a warehouse
    built before the raw tables' state was kept."""
    project, raw = _project(tmp_path), tmp_path / "raw"
    month = raw / "placements" / "2024-10"
    month.mkdir(parents=True)
    synth.write_csv(month / "a.csv", "placements", _rows(4))
    conn = duckdb.connect(str(tmp_path / "build.duckdb"))
    key = TEST_KEY.encode()

    def ingest_and_build() -> None:
        ingest_kind(conn, raw, "placements", key)
        dbt_state.built(conn, project)
        assert dbt_state.up_to_date(conn, project)

    def after_ingest() -> bool:
        ingest_kind(conn, raw, "placements", key)
        return dbt_state.up_to_date(conn, project)

    assert not dbt_state.up_to_date(conn, project)  # nothing built yet
    ingest_and_build()
    assert after_ingest()  # the same files again: nothing new
    conn.execute("update ingest.dbt_state set inputs = null")  # built before inputs were kept
    assert not dbt_state.up_to_date(conn, project)
    ingest_and_build()

    changes = {
        "new": lambda: synth.write_csv(month / "b.csv", "placements", _rows(2, seed=5)),
        "replaced": lambda: synth.write_csv(month / "b.csv", "placements", _rows(3, seed=6)),
        "restamped": lambda: os.utime(month / "b.csv", ns=(1, 1)),
        "removed": lambda: (month / "b.csv").unlink(),
        "unreadable": lambda: (month / "c.csv").write_bytes(b"\xff\xfe\x00garbage"),
        "skipped": lambda: (raw / "placements" / "notes.txt").write_text("x", encoding="utf-8"),
    }
    for what, change in changes.items():
        change()
        assert not after_ingest(), what
        dbt_state.built(conn, project)
        assert after_ingest(), what

    conn.execute("insert into ingest.changed_periods values ('2024-10')")
    assert not dbt_state.up_to_date(conn, project)
    dbt_state.built(conn, project)
    model = project / "models" / "marts" / "metrics.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert not dbt_state.up_to_date(conn, project)
