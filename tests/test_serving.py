"""The serving file: never locked by a run, never half-built, untouched by a failed run."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from pipelines.run import run_pipeline
from pipelines.settings import paths
from pipelines.synthetic import synth
from tests.conftest import copy_tree

pytestmark = pytest.mark.e2e  # whole pipeline runs

READER = textwrap.dedent(
    """
    import duckdb, json, sys, time
    path, stop = sys.argv[1], sys.argv[2]
    held = duckdb.connect(path, read_only=True)   # what a dashboard keeps open
    seen, errors = set(), []
    import os
    while not os.path.exists(stop):
        try:
            seen.add(held.execute("select count(*) from metrics").fetchone()[0])
            fresh = duckdb.connect(path, read_only=True)   # a new dashboard query
            seen.add(fresh.execute("select count(*) from metrics").fetchone()[0])
            fresh.close()
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    print(json.dumps({"seen": sorted(seen), "errors": errors}))
    """
)


@pytest.fixture
def env(tmp_path, scenario_raw, monkeypatch):
    raw = copy_tree(scenario_raw, tmp_path / "raw")
    wh = tmp_path / "wh"
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    return paths(raw, wh)


def _metric_rows(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select count(*) from metrics").fetchone()[0]
    finally:
        con.close()


def test_dashboard_reading_during_a_rebuild_never_fails_or_sees_empty(env, tmp_path):
    assert run_pipeline(env).success
    first = _metric_rows(env.serving_db)
    # New data so the second run publishes something different: a new county in December.
    rng = random.Random(1)
    rows = [synth.placement_row(rng, synth.make_person(rng, "520424"), "2024-12") for _ in range(5)]
    synth.write_csv(env.raw_dir / "placements" / "2024-12" / "关岭县.csv", "placements", rows)

    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(env.serving_db), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)
        assert run_pipeline(env).success
        time.sleep(0.5)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    report = json.loads(out)
    assert report["errors"] == []
    assert 0 not in report["seen"]
    assert first in report["seen"]
    second = _metric_rows(env.serving_db)
    assert second > first  # a new connection sees the new data


def test_failed_blocking_check_leaves_serving_file_byte_for_byte(env, monkeypatch):
    assert run_pipeline(env).success
    before = env.serving_db.read_bytes()
    parquet_before = {p.name: p.read_bytes() for p in env.marts_dir.iterdir()}
    # Any rejected row now breaks the blocking rejected-share check of the ingest assets.
    monkeypatch.setenv("COLLAB_MAX_REJECTED_SHARE", "0")
    rng = random.Random(2)
    rows = [synth.placement_row(rng, synth.make_person(rng, "520424"), "2024-12") for _ in range(3)]
    rows[0]["employer"] = None
    synth.write_csv(env.raw_dir / "placements" / "2024-12" / "关岭县.csv", "placements", rows)
    outcome = run_pipeline(env)
    assert not outcome.success
    assert "serving_file" not in outcome.timings  # never started
    assert env.serving_db.read_bytes() == before
    assert {p.name: p.read_bytes() for p in env.marts_dir.iterdir()} == parquet_before


def test_a_failed_dbt_test_leaves_serving_file_byte_for_byte(env):
    """An error-severity dbt test that fails stops the run before publishing (the dbt
    step fails; the checks are not Dagster-blocking, dbt's own exit code gates)."""
    assert run_pipeline(env).success
    before = env.serving_db.read_bytes()
    con = duckdb.connect(str(env.build_db))
    # more poverty than all employed in one workshop row (validation never lets this
    # in; the staging test exists for it), in a month the next build recomputes
    period = con.execute("select max(period) from raw.workshops").fetchone()[0]
    con.execute(
        "update raw.workshops set poverty_employed = employed + 1 where period = ?", [period]
    )
    con.execute("insert into ingest.changed_periods values (?)", [period])
    con.close()
    outcome = run_pipeline(env)
    assert not outcome.success and outcome.failed_steps == ["dbt_models"]
    assert "serving_file" not in outcome.timings  # never started
    assert env.serving_db.read_bytes() == before


def test_serving_file_has_marts_only(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    tables = {
        r[0]
        for r in con.execute("select table_name from duckdb_tables() where not internal").fetchall()
    }
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where not internal"
        ).fetchall()
    }
    con.close()
    assert {
        "metrics",
        "ingestion_log",
        "rejected_rows",
        "dim_regions",
        "dim_indicators",
        "region_period_summary",
    } <= tables
    assert not any(t.startswith(("stg_", "int_")) for t in tables)
    assert not columns & {"person_key", "id_number", "name", "birth_year"}
    assert {p.stem for p in scenario_run.marts_dir.glob("*.parquet")} == tables


def _zh_and_en(text: str | None) -> bool:
    return (
        bool(text)
        and any("\u4e00" <= ch <= "\u9fff" for ch in text)
        and any(ch.isascii() and ch.isalpha() for ch in text)
    )


def test_serving_file_explains_itself(scenario_run):
    """DESIGN, "The warehouse": every table and column carries a Chinese and English
    description as a DuckDB comment; metrics has period_date; the wide marts hold counts
    as integers; dim_regions holds the regions in the data and their ancestors only."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where not internal"
    ).fetchall()
    assert tables and all(_zh_and_en(c) for _, c in tables), tables
    columns = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where not internal"
    ).fetchall()
    undocumented = [(t, c) for t, c, text in columns if not _zh_and_en(text)]
    assert not undocumented

    bad_dates = con.execute(
        "select count(*) from metrics where period_date <> strptime(period || '-01', '%Y-%m-%d')::date"
    ).fetchone()[0]
    assert bad_dates == 0
    assert (
        dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = 'metrics'"
            ).fetchall()
        )["period_date"]
        == "DATE"
    )

    units = dict(con.execute("select indicator, unit from dim_indicators").fetchall())
    wide = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'region_period_summary'"
        ).fetchall()
    )
    for column, data_type in wide.items():
        if column in units:
            assert data_type == ("DOUBLE" if units[column] == "%" else "BIGINT"), column

    # The Chinese wide mart: the same rows and values under Chinese names.
    en = con.execute(
        "select * exclude (region_level) from region_period_summary order by period, region_code"
    ).fetchall()
    zh_rows = con.execute(
        'select * exclude ("地区级别") from region_period_summary_zh order by 1, 3'
    ).fetchall()
    assert en == zh_rows and len(en) > 0

    in_data = {r[0] for r in con.execute("select distinct region_code from metrics").fetchall()}
    regions = con.execute(
        "select region_code, city_code, province_code from dim_regions"
    ).fetchall()
    codes = {r[0] for r in regions}
    parents = {p for _, city, prov in regions for p in (city, prov) if p}
    assert in_data <= codes and parents <= codes
    assert codes == in_data | parents  # nothing else: not every division of the country
    con.close()


SQLALCHEMY_DASHBOARD = textwrap.dedent(
    """
    import json, os, sys, time
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool
    path, mode, go, done = sys.argv[1:5]
    pool = {"poolclass": NullPool} if mode == "nullpool" else {}
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True}, **pool)
    count = sa.text("select count(*) from metrics")
    def read():
        with engine.connect() as c:
            return c.execute(count).scalar()
    before = read()
    reflected = "metrics" in sa.inspect(engine).get_table_names()
    open(go, "w").close()
    while not os.path.exists(done):
        time.sleep(0.05)
    print(json.dumps({"before": before, "after": read(), "reflected": reflected}))
    """
)


def test_sqlalchemy_without_a_pool_sees_a_republished_file(scenario_run, tmp_path):
    """docs/serving.md's advice for dashboards on SQLAlchemy (duckdb-engine), each dashboard a
    process of its own: read-only with NullPool sees a republished file; the default
    pool keeps its connection, and with it the replaced file."""
    from pipelines.outputs.publish import publish

    wh = copy_tree(scenario_run.warehouse_dir, tmp_path / "wh")
    p = paths(scenario_run.raw_dir, wh)
    done = tmp_path / "done"
    dashboards = {}
    for mode in ("nullpool", "pooled"):
        go = tmp_path / f"go-{mode}"
        dashboards[mode] = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SQLALCHEMY_DASHBOARD,
                str(p.serving_db),
                mode,
                str(go),
                str(done),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(600):
            if go.exists() or dashboards[mode].poll() is not None:
                break
            time.sleep(0.05)
    build = duckdb.connect(str(p.build_db))
    build.execute(
        "delete from marts.metrics where period = (select min(period) from marts.metrics)"
    )
    build.close()
    publish(p.build_db, p.serving_db, p.marts_dir)
    done.touch()
    seen = {}
    for mode, process in dashboards.items():
        out, _ = process.communicate(timeout=120)
        seen[mode] = json.loads(out.strip().splitlines()[-1])
    assert seen["nullpool"]["reflected"] and seen["pooled"]["reflected"]
    assert 0 < seen["nullpool"]["after"] < seen["nullpool"]["before"]  # the new file
    assert seen["pooled"]["after"] == seen["pooled"]["before"]  # still the replaced one
