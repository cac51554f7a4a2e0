"""Statistical alarms (marts/metric_alarms, #29): a generated year with one anomaly of
each kind planted in its ledgers raises exactly those alarms, with their reasons, and
they reach the Dagster check, the run summary, the dashboard and the region's workbook.
Neither the same year unplanted, the bundled samples nor the hand-worked scenario
(test_metrics) raises any."""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.dashboard import data as dashboard_data
from pipelines.outputs.export import export
from pipelines.run import run_pipeline
from pipelines.settings import REPO_ROOT, paths
from pipelines.synthetic.generate import generate

pytestmark = pytest.mark.e2e

# 柳州市's four generated counties: 城中区 (~550 new persons a month), 鱼峰区 (~200),
# 柳南区 (~110) and 柳北区 (~20, too small for any volume rule)
BIG, MID, SMALL, TINY = "450202", "450203", "450204", "450205"


def _rewrite(path: Path, change) -> None:
    frame = pl.read_csv(path, infer_schema=False)
    change(frame).write_csv(path)


def _plant(raw: Path) -> None:
    names = {BIG: "城中区", MID: "鱼峰区", SMALL: "柳南区"}

    def ledger(kind: str, month: str, county: str) -> Path:
        return raw / kind / f"2024-{month}" / f"{names[county]}_{county}.csv"

    # a dropped sheet: September's placements of 城中区 arrive with a sixth of their rows
    _rewrite(ledger("placements", "09", BIG), lambda f: f.head(f.height // 6))
    # a misread flag column: every October placement of 鱼峰区 reads 是否脱贫劳动力 = 是
    _rewrite(
        ledger("placements", "10", MID),
        lambda f: f.with_columns(pl.lit("是").alias("是否脱贫劳动力")),
    )
    # a missing month: 柳南区 sends no placements for November
    ledger("placements", "11", SMALL).unlink()
    # a doubled stock: 鱼峰区's workshops report twice their headcount in August
    _rewrite(
        ledger("workshops", "08", MID),
        lambda f: f.with_columns((pl.col("吸纳就业人数").cast(pl.Int64) * 2).cast(pl.String)),
    )
    # a rate that never moves: every trainee of 城中区 completes, all year
    for path in (raw / "trainings").glob(f"*/城中区_{BIG}.csv"):
        _rewrite(path, lambda f: f.with_columns(pl.lit("是").alias("是否结业")))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """One generated year with the anomalies planted, run through the whole pipeline
    on an instance whose check results the tests read."""
    root = tmp_path_factory.mktemp("alarms")
    raw, wh = root / "raw", root / "wh"
    generate(raw, persons=12000, year=2024, seed=3, max_counties=4)
    _plant(raw)
    mp = pytest.MonkeyPatch()
    mp.setenv("COLLAB_RAW_DIR", str(raw))
    mp.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    instance = dg.DagsterInstance.ephemeral()
    try:
        outcome = run_pipeline(paths(raw, wh), instance=instance)
    finally:
        mp.undo()
    assert outcome.success, outcome.failed_steps
    return paths(raw, wh), outcome, instance


def _alarms(serving: Path) -> list[tuple]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(
            "select period, region_code, indicator, rule, value, baseline, history_months, reason_zh, reason_en "
            "from metric_alarms order by period, region_code, indicator"
        ).fetchall()
    finally:
        con.close()


def test_each_planted_anomaly_and_nothing_else(planted):
    p, _, _ = planted
    raised = {(a[0], a[1], a[2], a[3]) for a in _alarms(p.serving_db)}
    assert raised == {
        ("2024-09", BIG, "employed_persons", "drop"),
        ("2024-10", MID, "employed_poverty_share", "share_band"),
        ("2024-11", SMALL, "employed_persons", "silent"),
        ("2024-08", MID, "workshop_employed", "stock_rise"),
        # 100% from January: the sixth month running is June
        *{
            (f"2024-{m:02d}", BIG, "training_completion_rate", "constant_rate")
            for m in range(6, 13)
        },
    }


def test_a_drop_is_judged_on_the_months_new_persons_against_their_median(planted):
    """The value and baseline worked out again from `metrics`: September's new persons
    (cumulative less August's) against the median of March–August's."""
    p, _, _ = planted
    con = duckdb.connect(str(p.serving_db), read_only=True)
    cumulative = dict(
        con.execute(
            "select period, value from metrics where region_code = ? and indicator = 'employed_persons'",
            [BIG],
        ).fetchall()
    )
    con.close()
    months = sorted(cumulative)
    new = {
        m: cumulative[m] - (cumulative[b] if i else 0)
        for i, (b, m) in enumerate(zip([None, *months], months, strict=False))
    }
    baseline = statistics.median(new[m] for m in months[2:8])  # 2024-03 … 2024-08
    (alarm,) = [a for a in _alarms(p.serving_db) if a[3] == "drop"]
    _, _, _, _, value, median, history, reason_zh, reason_en = alarm
    assert (value, median, history) == (new["2024-09"], baseline, 6)
    change = round(100 * (baseline - value) / baseline)
    assert reason_zh == (
        f"本月新增帮助农村劳动力就业人数 {value:,.0f} 人，较近6个月中位数 {baseline:,.0f} 人下降 {change}%"
    )
    assert reason_en == (
        f"employed_persons: {value:,.0f} new this month, {change}% below the median of the previous 6 months ({baseline:,.0f})"
    )


def test_reasons_say_what_happened(planted):
    p, _, _ = planted
    by_rule = {a[3]: a for a in _alarms(p.serving_db)}
    assert re.fullmatch(
        r"本月新增人员中脱贫劳动力占比为 100%，超出合理范围 2%～98%", by_rule["share_band"][7]
    )
    assert by_rule["silent"][7] == "本月未收到转移就业台账（此前连续 3 个月均有报送）"
    assert re.fullmatch(
        r"吸纳就业人数本月为 [\d,]+ 人，较近6个月中位数 [\d,]+ 人增加 (9\d|1\d\d)%",
        by_rule["stock_rise"][7],
    )
    assert by_rule["constant_rate"][7] == "结业率已连续 6 个月为 100%"


def test_the_check_warns_and_the_summary_lists_the_latest_months_alarms(planted):
    _, outcome, instance = planted
    key = dg.AssetCheckKey(dg.AssetKey(["marts", "metrics"]), "no_statistical_alarms")
    (record,) = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
    evaluation = record.event.dagster_event.event_specific_data
    assert evaluation.passed is False
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["period"].value == "2024-12"
    assert evaluation.metadata["alarms"].value == 1  # December: 城中区's completion rate
    assert "结业率已连续 6 个月为 100%" in evaluation.metadata["top"].value
    summary = dict(outcome.summary)
    assert summary["statistical alarms 2024-12"].startswith("1 ")
    assert summary["  城中区"] == "结业率已连续 6 个月为 100%"


def test_the_dashboard_lists_them_and_plots_the_series(planted):
    p, _, _ = planted
    con = duckdb.connect(str(p.serving_db), read_only=True)
    try:
        table = dashboard_data.alarm_table(con, "2024-09", "450200")  # 柳州市: its counties
        # September: 城中区's drop, then its completion rate (no score) - largest first
        assert table.select("region_name", "rule_name").rows() == [
            ("城中区", "骤降"),
            ("城中区", "长期不变"),
        ]
        assert dashboard_data.alarm_table(con, "2024-09", MID).height == 0
        series = dashboard_data.alarm_series(con, BIG, "employed_persons", "2024-09")
        assert series["period"].to_list() == [f"2024-{m:02d}" for m in range(1, 10)]
        value, baseline = table.row(0)[5:7]
        assert series.filter(pl.col("period") == "2024-09")["value"].item() == value
        assert statistics.median(series["value"].to_list()[2:8]) == baseline
        share = dashboard_data.alarm_series(con, MID, "employed_poverty_share", "2024-10")
        assert share.filter(pl.col("period") == "2024-10")["value"].item() == 100
    finally:
        con.close()


def test_the_workbook_carries_an_alarm_block(planted, tmp_path):
    p, _, _ = planted
    xlsx, _ = export(p.serving_db, "柳州市", "2024-11", tmp_path)
    ws = openpyxl.load_workbook(xlsx)[zh.RECONCILE["report_sheet"]]
    cells = list(ws.iter_rows(values_only=True))
    (title_row,) = [i for i, r in enumerate(cells) if r[0] == zh.RECONCILE["alarms_title"]]
    filled = [[v for v in row if v is not None] for row in cells]  # merged cells: first only
    assert filled[title_row + 1] == list(zh.RECONCILE["alarms_columns"])
    assert filled[title_row + 2] == [
        "柳南区", "帮助农村劳动力就业人数", "未报送", 0, zh.REPORT["missing"],
        "本月未收到转移就业台账（此前连续 3 个月均有报送）",
    ]  # fmt: skip
    assert filled[title_row + 3][:3] == ["城中区", "结业率", "长期不变"]
    # a county's own workbook lists only its own
    xlsx, _ = export(p.serving_db, "鱼峰区", "2024-11", tmp_path / "county")
    assert zh.RECONCILE["report_sheet"] not in openpyxl.load_workbook(xlsx).sheetnames


def test_the_cli_lists_a_regions_alarms(planted):
    p, _, _ = planted
    runner = CliRunner()
    wh = ["--warehouse-dir", str(p.warehouse_dir)]
    wide = {"COLUMNS": "220"}
    out = runner.invoke(app, ["alarms", "--period", "2024-11", "--region", "柳州市", *wh], env=wide)
    assert out.exit_code == 0, out.output
    assert "2024-11 统计异常提示（2 条" in out.output
    assert "本月未收到转移就业台账（此前连续 3 个月均有报送）" in out.output
    out = runner.invoke(app, ["alarms", "--period", "2024-11", "--region", MID, *wh], env=wide)
    assert (out.exit_code, out.output.strip()) == (0, "2024-11 没有统计异常提示。")
    out = runner.invoke(app, ["alarms", *wh], env=wide)  # the latest month
    assert "2024-12 统计异常提示（1 条" in out.output


def test_the_bundled_samples_raise_none(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    shutil.copytree(REPO_ROOT / "raw", raw)
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    assert run_pipeline(paths(raw, wh)).success
    assert _alarms(wh / "serving.duckdb") == []


def test_without_the_plants_nothing_is_raised(tmp_path, monkeypatch):
    """The same generated year, untouched: no false alarm."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    generate(raw, persons=12000, year=2024, seed=3, max_counties=4)
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    assert run_pipeline(paths(raw, wh)).success
    assert _alarms(wh / "serving.duckdb") == []
