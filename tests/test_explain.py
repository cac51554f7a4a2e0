"""A number explained back to its files (#28, part 1) on the hand-worked scenario
(tests/scenario.py): contributions worked out by hand at county, city and province
level, the children's overlap stated, the parts of a share, the CLI; and the scenario's
own 合计 rows reconciled; and what a republish changed, file by file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.outputs.explain import ExplainError, explain, summary_lines
from pipelines.run import run_pipeline
from pipelines.settings import paths
from pipelines.synthetic.generate import generate

A24_10 = "placements/2024-10/金秀县.xlsx"  # P1, P5 (origin A)
B24_10 = "placements/2024-10/忻城县.csv"  # P3
A24_11 = "placements/2024-11/金秀县.xlsx"  # P1 again, P2, P6 (rejected)
B24_11 = "placements/2024-11/忻城县.csv"  # P5 (origin B now), P7 (rejected)
C24_11 = "placements/2024-11/普定县.csv"  # P4
C24_11_AGAIN = "placements/2024-11/普定县_补报.csv"  # P4 again: 重复记录


def _shares(e) -> dict[str, int]:
    return {f.path: f.contribution for f in e.files}


@pytest.mark.parametrize(
    ("region", "period", "indicator", "value", "shares"),
    [
        # 金秀: P1 and P5 from October's file, P2 new in November (P1's second placement adds no one)
        ("451324", "2024-11", "employed_persons", 3, {A24_10: 2, A24_11: 1}),
        # 忻城: P3 in October; P5, placed from 忻城 in November, is new there
        ("451321", "2024-11", "employed_persons", 2, {B24_10: 1, B24_11: 1}),
        # 来宾市: P5 counts once, from the earlier (October, 金秀) file
        ("451300", "2024-11", "employed_persons", 4, {A24_10: 2, B24_10: 1, A24_11: 1}),
        ("450000", "2024-11", "employed_persons", 4, {A24_10: 2, B24_10: 1, A24_11: 1}),
        # P4 twice in November: the first file by path counts, the repeat was rejected
        ("520000", "2024-11", "employed_persons", 1, {C24_11: 1}),
        ("451300", "2024-10", "employed_poverty_persons", 2, {A24_10: 1, B24_10: 1}),
        ("451300", "2024-11", "employed_guangdong_persons", 3, {A24_10: 1, B24_10: 1, B24_11: 1}),
    ],
)
def test_a_figure_is_explained_back_to_its_files(
    scenario_run, region, period, indicator, value, shares
):
    e = explain(scenario_run.serving_db, region, period, indicator)
    assert e.value == value
    assert _shares(e) == shares
    assert e.contributions == value
    assert e.by_month[-1][2] == value  # the month-by-month build-up ends at the figure


def test_the_city_states_the_overlap_of_its_counties(scenario_run):
    e = explain(scenario_run.serving_db, "来宾市", "2024-11", "employed_persons")
    assert [(c, v) for c, _, v in e.children] == [("451321", 2), ("451324", 3)]
    assert e.overlap == 1
    lines = summary_lines(e)
    assert any("下级合计 5" in line and "有 1 人" in line for line in lines), lines
    assert e.by_month == [("2024-10", 3, 3), ("2024-11", 1, 4)]
    rejected = {f.path: f.rejected_by_reason for f in e.files}
    assert rejected[A24_11] == [(zh.REASONS["id_check_digit"], 1)]


def test_a_share_is_explained_by_its_parts(scenario_run):
    e = explain(scenario_run.serving_db, "451300", "2024-11", "employed_poverty_share")
    parts = {c: v for c, _, v in e.parts}
    assert parts == {"employed_poverty_persons": 2, "employed_persons": 4}
    assert e.value == 50.0 and e.files == []


@pytest.mark.parametrize(
    ("region", "indicator", "text"),
    [("不存在县", "employed_persons", "找不到地区"), ("451300", "no_such", "不认识的指标")],
)
def test_what_cannot_be_explained_says_why(scenario_run, region, indicator, text):
    with pytest.raises(ExplainError, match=text):
        explain(scenario_run.serving_db, region, "2024-11", indicator)


def test_cli_explain_prints_files_and_months(scenario_run):
    result = CliRunner().invoke(
        app,
        ["explain", "--region", "来宾市", "--period", "2024-11", "--indicator", "employed_persons",
         "--warehouse-dir", str(scenario_run.warehouse_dir)],
        env={"COLUMNS": "220"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert A24_10 in result.output and "2024-11" in result.output
    assert zh.REASONS["id_check_digit"] in result.output
    bad = CliRunner().invoke(
        app,
        ["explain", "--region", "来宾市", "--period", "2030-01", "--indicator", "employed_persons",
         "--warehouse-dir", str(scenario_run.warehouse_dir)],
    )  # fmt: skip
    assert bad.exit_code == 1


def test_lineage_holds_no_person_and_adds_up_everywhere(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = 'metric_lineage'"
        ).fetchall()
    }
    mismatched = con.execute(
        """
        select m.period, m.region_code, m.indicator
        from metrics m
        left join (select period, region_code, indicator, sum(contribution) as s
                   from metric_lineage group by all) l using (period, region_code, indicator)
        where m.indicator like 'employed%persons' and coalesce(l.s, 0) <> m.value
        """
    ).fetchall()
    con.close()
    assert not columns & {"person_key", "id_number", "name", "source_row"}
    assert mismatched == []


def test_the_scenarios_own_totals_are_reconciled(scenario_run):
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)
    rows = con.execute(
        "select file, reported, loaded_value, cause_code, message from reconciliation order by file"
    ).fetchall()
    con.close()
    # the three ledgers with a 合计 row (2 rows each; 5 in the follow-ups)
    assert [r[:4] for r in rows] == [
        ("followups/2024-11/忻城县.csv", 5.0, 3.0, "rejected"),  # a repeat, no 推介单位
        (A24_10, 2.0, 2.0, "agrees"),
        (B24_11, 2.0, 1.0, "rejected"),  # P7 has no 就业地区类别
    ]
    assert "1 行重复记录" in rows[0][4]
    b = next(r for r in rows if r[0] == B24_11)
    assert "1 行缺少必填项「就业地区类别」" in b[4]


def test_a_pairings_figure_is_explained_back_to_its_files(scenario_run):
    """茂名 → 来宾 (市际) covers 金秀 and 忻城: the city's persons, P5 once; 广东 → 贵州
    (省际) covers 普定: P4 from the first of its two files."""
    con = duckdb.connect(str(scenario_run.serving_db), read_only=True)

    def shares(helper: str, pairing_type: str) -> tuple[dict, float]:
        rows = con.execute(
            "select file, contribution from pairing_lineage where period = '2024-11' "
            "and helper_name = ? and pairing_type = ? and indicator = 'employed_persons'",
            [helper, pairing_type],
        ).fetchall()
        (value,) = con.execute(
            "select value from pairing_metrics where period = '2024-11' and helper_name = ? "
            "and pairing_type = ? and indicator = 'employed_persons'",
            [helper, pairing_type],
        ).fetchone()
        return dict(rows), value

    try:
        assert shares("茂名市", "市际") == ({A24_10: 2, B24_10: 1, A24_11: 1}, 4)
        assert shares("广东省", "省际")[0] == {A24_10: 2, B24_10: 1, A24_11: 1, C24_11: 1}
    finally:
        con.close()


# --- what changed since the previous publish ------------------------------------------


def _serving(wh: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_a_republish_says_which_files_changed_and_what_they_did(tmp_path, monkeypatch):
    """Three publishes of a generated year: the first has nothing to compare with; the
    second follows a replaced, a removed and an added file, and states the files, the
    figures that moved and each file's part in it (summing to the figure's change); the
    third, with nothing new, keeps describing the second."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    generate(raw, persons=1500, year=2024, seed=7, max_counties=2)
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))

    def run() -> None:
        assert run_pipeline(paths(raw, wh)).success

    run()
    assert _serving(wh, "select files_changed, figures_changed from publications") == [(None, None)]
    assert _serving(wh, "select count(*) from file_changes") == [(0,)]
    assert (
        explain(wh / "serving.duckdb", "450202", "2024-12", "employed_persons").changed_at is None
    )

    replaced, removed = (
        sorted((raw / "placements" / "2024-11").glob("*.csv"))[0],
        sorted((raw / "placements" / "2024-12").glob("*.csv"))[1],
    )
    rows = pl.read_csv(replaced, infer_schema=False)
    rows.head(rows.height - 10).write_csv(replaced)  # ten rows fewer
    moved = pl.read_csv(removed, infer_schema=False)
    removed.unlink()
    added = removed.with_name("补报_" + removed.name)
    moved.head(moved.height // 2).write_csv(added)  # half the rows again, under a new name
    run()

    rel = lambda p: str(p.relative_to(raw))  # noqa: E731
    assert set(_serving(wh, "select file, change from file_changes")) == {
        (rel(replaced), "replaced"),
        (rel(removed), "removed"),
        (rel(added), "added"),
    }
    moved_figures = _serving(
        wh,
        "select period, region_code, indicator, previous_value, value, delta from metric_changes",
    )
    assert moved_figures and all(d == (v or 0) - (b or 0) for *_, b, v, d in moved_figures)
    # each moved distinct-person figure is the sum of its files' changes
    mismatched = _serving(
        wh,
        """
        select m.period, m.region_code, m.indicator from metric_changes m
        left join (select period, region_code, indicator, sum(delta) as d from lineage_changes group by all) l
            using (period, region_code, indicator)
        where m.indicator in (select distinct indicator from metric_lineage) and coalesce(l.d, 0) <> m.delta
        """,
    )
    assert mismatched == []
    county = removed.stem.split("_")[-1]
    e = explain(wh / "serving.duckdb", county, "2024-12", "employed_persons")
    before, after = e.change
    assert after < before  # half of the removed file's rows were not sent again
    by_file = {f: (change, delta) for f, change, _, _, delta in e.file_changes}
    assert by_file[rel(removed)][0] == "removed" and by_file[rel(removed)][1] < 0
    assert by_file[rel(added)][0] == "added" and by_file[rel(added)][1] > 0
    assert sum(d for _, d in by_file.values()) == after - before
    line = summary_lines(e)[-1]
    assert line.startswith(zh.EXPLAIN["since"]) and f"由 {before:,.0f} 变为 {after:,.0f}" in line

    kept = _serving(wh, "select * from file_changes order by all")
    run()  # nothing new
    assert _serving(
        wh, "select files_changed, figures_changed from publications order by published_at"
    ) == [
        (None, None),
        (3, len(moved_figures)),
        (0, 0),
    ]
    assert _serving(wh, "select * from file_changes order by all") == kept
