"""A warehouse brought up to date month by month equals one built from scratch.

The incremental dbt models (models/intermediate/by_period, macros/changed_periods.sql)
recompute only the months from the earliest one the ingest recorded as changed. This
builds January–September, then adds October–December while replacing, removing and
re-reporting files in earlier months, checks that the ingest recorded exactly those
months, and every published figure against a fresh build of the same ledgers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.database.ingest import ingest_kind
from pipelines.run import run_pipeline
from pipelines.settings import paths
from pipelines.synthetic.generate import generate
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.e2e  # whole pipeline runs

LATE = ("2024-10", "2024-11", "2024-12")
KINDS = ("placements", "trainings", "workshops", "targets")


def _run(raw: Path, wh: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    outcome = run_pipeline(paths(raw, wh))
    assert outcome.success, outcome.failed_steps


def _published(wh: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    try:
        return {
            t: con.execute(f"select * from {t} order by all").fetchall()
            for t in (
                "metrics", "region_period_summary", "metric_lineage", "pairing_metrics",
                "pairing_lineage",
            )
        }  # fmt: skip
    finally:
        con.close()


def _changed(wh: Path) -> set[str]:
    con = duckdb.connect(str(wh / "build.duckdb"), read_only=True)
    try:
        return {p for (p,) in con.execute("select period from ingest.changed_periods").fetchall()}
    finally:
        con.close()


def _dbt_results(wh: Path) -> bytes:
    """dbt's run_results.json of the last build that ran."""
    return (wh / "dbt_target" / "run_results.json").read_bytes()


def _first(raw: Path, kind: str, period: str) -> Path:
    return sorted((raw / kind / period).glob("*.csv"))[0]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("incr") / "raw"
    generate(raw, persons=3000, year=2024, seed=11, max_counties=6)
    return raw


def test_month_by_month_equals_a_fresh_build(generated, tmp_path, monkeypatch):
    raw = shutil.copytree(generated, tmp_path / "raw")
    held = tmp_path / "held"
    for kind in ("placements", "trainings", "workshops"):
        for period in LATE:
            if (raw / kind / period).is_dir():
                shutil.move(raw / kind / period, held / kind / period)

    wh = tmp_path / "wh"
    _run(raw, wh, monkeypatch)
    assert _changed(wh) == set()  # a successful build leaves no month to recompute

    # a run with nothing new does not start dbt, and still publishes and exports
    built, before = _dbt_results(wh), _published(wh)
    served = (wh / "serving.duckdb").stat().st_mtime_ns
    shutil.rmtree(wh / "exports")
    _run(raw, wh, monkeypatch)
    assert _dbt_results(wh) == built
    assert (wh / "serving.duckdb").stat().st_mtime_ns > served and _published(wh) == before
    assert list((wh / "exports").rglob("*.xlsx"))

    # October to December arrive ...
    for month in held.glob("*/*"):
        shutil.move(month, raw / month.parent.name / month.name)
    # ... a county resends May with half its placements (persons whose first placement
    # was in May now count from a later month, or not at all) ...
    may = _first(raw, "placements", "2024-05")
    lines = may.read_bytes().splitlines(keepends=True)
    may.write_bytes(b"".join(lines[:1] + lines[1::2]))
    # ... another county of the province reports in October persons placed from a
    # first county in March (the province counts them from March, not again from
    # October; the second county from October) ...
    march = pl.read_csv(_first(raw, "placements", "2024-03"), infer_schema=False)
    first = march["户籍地行政区划代码"][0]
    second = next(
        code
        for f in (raw / "placements").rglob("*.csv")
        for code in pl.read_csv(f, infer_schema=False)["户籍地行政区划代码"].unique()
        if code[:2] == first[:2] and code != first
    )
    moved = march.filter(pl.col("户籍地行政区划代码") == first).head(5)
    moved.with_columns(pl.lit(second).alias("户籍地行政区划代码")).write_csv(
        raw / "placements" / "2024-10" / f"补报_{second}.csv"
    )
    # ... one of two August training ledgers and an August workshop ledger are
    # withdrawn ...
    _first(raw, "trainings", "2024-08").unlink()
    _first(raw, "workshops", "2024-08").unlink()
    # ... and February's class is reported again in November, now with everyone
    # employed. (No trainings are reported in December: its figures carry November's.)
    feb = _first(raw, "trainings", "2024-02")
    again = pl.read_csv(feb, infer_schema=False).with_columns(pl.lit("是").alias("培训后是否就业"))
    again.write_csv(raw / "trainings" / "2024-11" / f"补报_{feb.name}")
    assert not (raw / "trainings" / "2024-12").exists()

    # the ingest records exactly the months whose rows changed ...
    con = duckdb.connect(str(wh / "build.duckdb"))
    for kind in KINDS:
        ingest_kind(con, raw, kind, TEST_KEY.encode())
    con.close()
    assert _changed(wh) == {"2024-05", "2024-08", *LATE}
    # ... and the build recomputes them, then clears them
    _run(raw, wh, monkeypatch)
    assert _changed(wh) == set()
    fresh = tmp_path / "fresh"
    _run(raw, fresh, monkeypatch)

    ours, theirs = _published(wh), _published(fresh)
    assert len(ours["metrics"]) > 1500
    assert ours == theirs
    # the incremental person firsts (their own delete-and-recompute rule) row for row
    assert _person_firsts(wh) == _person_firsts(fresh) and len(_person_firsts(wh)) > 1000


def _person_firsts(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh / "build.duckdb"), read_only=True)
    try:
        (schema,) = con.execute(
            "select schema_name from duckdb_tables() "
            "where table_name = 'int_employment_person_firsts'"
        ).fetchone()
        return con.execute(
            f"select * from {schema}.int_employment_person_firsts order by all"
        ).fetchall()
    finally:
        con.close()
