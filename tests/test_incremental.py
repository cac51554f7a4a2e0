"""A warehouse brought up to date month by month equals one built from scratch.

The period-incremental dbt models (macros/period_incremental.sql) recompute only the
months from the earliest changed one on. This builds January–September, then adds
October–December while replacing, removing and re-reporting files in earlier months, and
checks every published figure against a fresh build of the same ledgers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lib.generate import generate
from pipelines.lib.pipeline_run import run_pipeline
from pipelines.settings import paths

LATE = ("2024-10", "2024-11", "2024-12")
MODELS = {  # incremental model: the months whose fingerprints the changes below move
    "int_employment_firsts_counted": {"2024-05", *LATE},
    "int_training_cumulated": {"2024-08", *LATE},
    "int_workshop_stocks_summed": {"2024-08", *LATE},
    "int_unaccounted_rows": {"2024-05", "2024-08", *LATE},
}


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
            for t in ("metrics", "region_period_summary")
        }
    finally:
        con.close()


def _state(wh: Path, model: str) -> dict[tuple[str, str], str]:
    con = duckdb.connect(str(wh / "build.duckdb"), read_only=True)
    try:
        rows = con.execute(f"select * from intermediate.{model}__state").fetchall()
    finally:
        con.close()
    return {(source, period): fp for source, period, fp in rows}


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
    before = {m: _state(wh, m) for m in MODELS}

    # October to December arrive ...
    for month in held.glob("*/*"):
        shutil.move(month, raw / month.parent.name / month.name)
    # ... a county resends May with half its placements (persons whose first placement
    # was in May now count from a later month, or not at all) ...
    may = _first(raw, "placements", "2024-05")
    lines = may.read_bytes().splitlines(keepends=True)
    may.write_bytes(b"".join(lines[:1] + lines[1::2]))
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

    _run(raw, wh, monkeypatch)
    fresh = tmp_path / "fresh"
    _run(raw, fresh, monkeypatch)

    # the fingerprints saw exactly the months that changed, per model
    for model, months in MODELS.items():
        after = _state(wh, model)
        changed = {
            k[1]
            for k in before[model].keys() | after.keys()
            if before[model].get(k) != after.get(k)
        }
        assert changed == months, model

    ours, theirs = _published(wh), _published(fresh)
    assert len(ours["metrics"]) > 1500
    assert ours == theirs
