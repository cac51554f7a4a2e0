"""Generated ledgers are valid and deterministic, and the pipeline's employment metrics
equal the DuckDB floor's and the pandas peer's on them, so the benchmark compares like
for like."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from typer.testing import CliRunner

from bench.floor import run_floor
from bench.peer_pandas import compute as peer_compute
from pipelines.cli import app
from pipelines.ledgers import spec
from pipelines.ledgers.process import discover
from pipelines.run import run_pipeline
from pipelines.settings import paths
from pipelines.synthetic.generate import generate

# the employment indicators the floor and the peer compute too
EMPLOYMENT = "indicator like 'employed_%' and indicator not in ('employed_poverty_share', 'employed_target', 'employed_target_rate', 'employed_monitored_persons')"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    raw = tmp_path_factory.mktemp("gen") / "raw"
    stats = generate(raw, persons=3000, year=2024, seed=5, max_counties=6)
    return raw, stats


def test_generation_is_deterministic_and_shaped(generated, tmp_path):
    raw, stats = generated
    again = generate(tmp_path / "raw", persons=3000, year=2024, seed=5, max_counties=6)
    assert again == stats
    a = {s.rel: s.path.read_bytes() for s in discover(raw)}
    b = {s.rel: s.path.read_bytes() for s in discover(tmp_path / "raw")}
    assert a == b
    assert 3000 * 1.1 < stats.placement_rows < 3000 * 1.3
    assert {s.kind for s in discover(raw)} == set(spec.KINDS)


@pytest.mark.e2e
def test_pipeline_equals_floor_and_peer(generated, tmp_path, monkeypatch):
    raw, _ = generated
    wh = tmp_path / "wh"
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    p = paths(raw, wh)
    assert run_pipeline(p).success
    con = duckdb.connect(str(p.serving_db), read_only=True)
    ours = {
        (a, b, c): v
        for a, b, c, v in con.execute(
            f"select period, region_code, indicator, value from metrics where {EMPLOYMENT}"
        ).fetchall()
    }
    assert (
        con.execute("select sum(rows_rejected) from ingestion_log").fetchone()[0] == 0
    )  # clean data is all valid
    con.close()
    run_floor(raw, tmp_path / "floor.duckdb")
    con = duckdb.connect(str(tmp_path / "floor.duckdb"), read_only=True)
    floor = {
        (a, b, c): v
        for a, b, c, v in con.execute(
            "select period, region_code, indicator, value from floor_metrics"
        ).fetchall()
    }
    con.close()
    peer = {
        (r.period, r.region_code, r.indicator): float(r.value)
        for r in peer_compute(raw).itertuples()
    }
    assert len(ours) > 500
    assert ours == floor == peer


def test_messy_generation_is_rejected_at_about_the_rate(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--persons",
            "2000",
            "--year",
            "2024",
            "--out",
            str(raw),
            "--messy",
            "0.1",
            "--counties",
            "3",
            "--seed",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    import duckdb as ddb

    from pipelines.database.ingest import ingest_kind

    con = ddb.connect(str(tmp_path / "b.duckdb"))
    s = ingest_kind(con, raw, "placements", b"k" * 16)
    read = sum(r.rows_read for r in s.results)
    rejected = sum(r.rows_rejected for r in s.results)
    assert not s.failed
    assert 0.07 < rejected / read < 0.13


def test_benchmark_report_shows_each_repetitions_incremental_ratio(tmp_path, monkeypatch):
    """BENCHMARKS.md gives the medians and, beside them, each repetition's December ÷
    full-year pair (the machine's speed can drift between repetitions)."""
    import bench.run_bench as rb

    monkeypatch.setattr(rb, "ROOT", tmp_path)
    full = [rb.Measure(160.0, 2900.0, {"dbt": 22.0}), rb.Measure(180.0, 2950.0, {"dbt": 23.0})]
    dec = [rb.Measure(30.0, 1600.0, {"dbt": 8.0}), rb.Measure(40.0, 1650.0, {"dbt": 9.0})]
    rb.write_report(
        {
            "rows": {},
            "incremental": {
                "n": 1000,
                "full": rb.median(full),
                "inc": rb.median(dec),
                "inc_all": None,
                "pairs": [(d.seconds, f.seconds) for d, f in zip(dec, full, strict=True)],
                "run": "--incremental; median of 2 run(s); 2026-12-02",
            },
        }
    )
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "full-year run 170.0 s" in text and "35.0 s = 20.6% of the full run" in text
    assert "30.0/160.0 = 18.8%, 40.0/180.0 = 22.2%." in text


def test_benchmark_headline_is_the_independent_floor_and_notes_are_kept(tmp_path, monkeypatch):
    """A row shows wall and CPU ratios to the independent floor; the hand-written part
    of BENCHMARKS.md survives a rewrite of the tables."""
    import bench.run_bench as rb

    monkeypatch.setattr(rb, "ROOT", tmp_path)
    (tmp_path / "BENCHMARKS.md").write_text(f"old table\n\n{rb.KEPT}\n\n## Findings\nkept\n")
    p = rb.Measure(150.0, 2900.0, {"ingest": 90.0, "dbt": 50.0}, cpu_seconds=240.0)
    i = rb.Measure(60.0, 1200.0, {}, cpu_seconds=100.0)
    row = {"n": 10, "pipeline": p, "floor": None, "peer": None, "independent": i,
           "figures_equal": 270, "run": "--sizes 10; median of 3 run(s); 2026-12-03"}  # fmt: skip
    for _ in range(2):
        rb.write_report({"rows": {"CSV, 10 placement rows": row}, "incremental": None})
    text = (tmp_path / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert (
        "| CSV, 10 placement rows | 150.0 | 240.0 | 60.0 | 100.0 | **2.50** | 2.40 | 270 |" in text
    )
    assert "old table" not in text and text.count("## Findings\nkept") == 1


def test_benchmark_stops_when_the_figures_differ(tmp_path, monkeypatch):
    import duckdb

    import bench.run_bench as rb

    monkeypatch.setattr(rb, "OUT", tmp_path)
    (tmp_path / "wh_t").mkdir()
    for db, value in (
        (tmp_path / "wh_t" / "serving.duckdb", 5),
        (tmp_path / "independent_t.duckdb", 6),
    ):
        con = duckdb.connect(str(db))
        con.execute(
            "create table metrics as select '2024-10' as period, '451324' as region_code, "
            f"'county' as region_level, 'employed_persons' as indicator, {value} as value"
        )
        con.close()
    with pytest.raises(SystemExit, match="differ"):
        rb.assert_same_figures("t")


def test_followups_of_a_county_where_nobody_was_served():
    """A county with one trainee owed a follow-up and no service drawn for them: no
    rows, not a crash (a 10M-row year stopped on such a county: the empty dates had no
    type)."""
    import numpy as np
    import polars as pl

    from pipelines.synthetic.generate import _followups

    seed = next(s for s in range(100) if np.random.default_rng(s).integers(0, 5, 1)[0] == 0)
    trainee = pl.DataFrame(
        {"completed": ["是"], "is_poverty": ["是"], "employed_after": ["否"],
         "id_number": ["452123199001011234"], "name": ["张三"], "origin_code": ["452123"],
         "class_id": ["452123-2024-001"], "end_date": [date(2024, 5, 31)]},
    )  # fmt: skip
    assert _followups(np.random.default_rng(seed), trainee, 2024).height == 0
