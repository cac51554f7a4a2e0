"""A ledger's own totals (合计/小计 rows, a count in its title) read as reported figures
and reconciled with what was loaded from the same rows (#28): the cause named when they
differ, nothing said when they agree, in every dialect; the rows stay out of the data."""

from __future__ import annotations

import dataclasses
import random

import duckdb
import fastexcel
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.county.check import check_file
from pipelines.dashboard import data as dashboard_data
from pipelines.database import reconcile
from pipelines.ledgers import totals
from pipelines.outputs import safe_output
from pipelines.outputs.export import export
from pipelines.synthetic import dialects, synth

MESSAGE = zh.RECONCILE["columns"][-1]
CAUSE = zh.RECONCILE["columns"][-2]
# every dialect, each with a total row (小计 where the dialect writes one, else 合计)
WITH_TOTALS = [dataclasses.replace(d, total=d.total or "合计") for d in dialects.DIALECTS]


def _placements(n: int, seed: int = 5, period: str = "2024-10") -> list[dict]:
    rng = random.Random(seed)
    return [synth.placement_row(rng, synth.make_person(rng, "451324"), period) for _ in range(n)]


def _write(tmp_path, dialect, rows, kind="placements", title="金秀县2024年10月转移就业台账"):
    f = tmp_path / kind / "2024-10" / f"{dialect.name}.{dialect.fmt}"
    dialects.write_ledger(f, kind, synth.rows_frame(kind, rows), dialect, title=title)
    return f


def _check(tmp_path, f):
    return check_file(f, out_dir=tmp_path / "out", raw_dir=tmp_path / "raw")


# --- reading the numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("312", 312), ("312人", 312), ("1,234 人次", 1234), ("共45人", 45), ("３１２人", 312),
     ("12.5", 12.5), ("计:7", 7), ("", None), ("张三", None), ("2024-10-01", None), (None, None),
     ("13800138000", None), ("452123199001011234", None)],  # a phone or an ID: never a total
)  # fmt: skip
def test_parse_count_reads_what_a_clerk_types(text, value):
    assert totals.parse_count(text) == value


def test_title_count_is_the_rows_not_a_part():
    cells = totals.reported_cells(
        "placements",
        "",
        None,
        {},
        (),
        ["金秀县2024年10月转移就业台账", "本月新增就业 312 人，其中脱贫劳动力 150 人"],
        (4, 315),
    )
    assert [(c["label"], c["measure"], c["reported"], c["scope_first_row"], c["scope_last_row"]) for c in cells] == [
        (zh.TITLE_LABEL, totals.ROWS, 312.0, 4, 315)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("reported", "loaded", "read", "rejected", "persons", "in_month", "code"),
    [
        (10, 10, 12, 2, 9, 8, "agrees"),
        (12, 10, 12, 2, 9, 8, "rejected"),
        (11, 10, 12, 2, 9, 8, "rejected"),  # counts some of the rejected rows
        (9, 10, 10, 0, 9, 8, "persons"),
        (8, 10, 10, 0, 9, 8, "other_months"),
        (7, 10, 10, 0, 9, 8, "filtered"),
        (13, 10, 12, 2, 9, 8, "more"),
        (9, 10, 10, 0, None, None, "filtered"),  # a column's sum: no person or month causes
    ],
)
def test_cause_is_the_first_explanation_that_fits(
    reported, loaded, read, rejected, persons, in_month, code
):
    assert reconcile.cause(reported, loaded, read, rejected, persons, in_month) == code


# --- in every dialect: the clerk's check and the stored reconciliation -----------------------


@pytest.mark.parametrize("dialect", WITH_TOTALS, ids=lambda d: d.name)
def test_a_total_that_agrees_is_not_reported(tmp_path, dialect):
    rows = _placements(6)
    outcome = _check(
        tmp_path,
        _write(tmp_path, dialect, rows, title="金秀县2024年10月转移就业台账，本月新增就业6人"),
    )
    assert outcome.ok, outcome.problems
    assert outcome.totals.height == 0
    assert outcome.result.reported.height >= 1  # the 合计 row was read, and agreed
    assert outcome.report is None


@pytest.mark.parametrize("dialect", WITH_TOTALS, ids=lambda d: d.name)
def test_a_total_counting_rejected_rows_names_them(tmp_path, dialect):
    rows = _placements(6)
    rows[1]["id_number"] = synth.corrupt_check(rows[1]["id_number"])
    rows[4] = dict(rows[3])  # a repeat of row 4 (first sheet rows may split: same sheet here)
    if dialect.sheets > 1:
        dialect = dataclasses.replace(dialect, sheets=1)
    outcome = _check(tmp_path, _write(tmp_path, dialect, rows))
    assert outcome.totals.height == 1, outcome.totals
    (row,) = outcome.totals.iter_rows(named=True)
    assert row[CAUSE] == zh.RECONCILE_CAUSES["rejected"]
    assert row[zh.RECONCILE["columns"][4]] == 6 and row[zh.RECONCILE["columns"][5]] == 4
    assert "1 行身份证号码校验位错误" in row[MESSAGE] and "1 行重复记录" in row[MESSAGE]
    written = fastexcel.read_excel(str(outcome.report))
    assert zh.RECONCILE["sheet"] in written.sheet_names


@pytest.mark.parametrize("dialect", WITH_TOTALS, ids=lambda d: d.name)
@pytest.mark.parametrize(("says", "cause"), [(4, "filtered"), (9, "more")])
def test_a_stale_or_filtered_total_is_reported(tmp_path, dialect, says, cause):
    dialect = dataclasses.replace(dialect, total_says=says, sheets=1)
    outcome = _check(tmp_path, _write(tmp_path, dialect, _placements(6)))
    assert outcome.ok  # a difference never fails the check
    assert outcome.totals[CAUSE].to_list() == [zh.RECONCILE_CAUSES[cause]]
    assert f"为 {says} 条，系统计得 6 条" in outcome.totals[MESSAGE][0]


def test_a_total_of_persons_and_a_total_of_this_months_dates(tmp_path):
    rows = _placements(6)
    rows[1] = dict(rows[0], employer="另一家公司")  # one person placed twice
    by_persons = dataclasses.replace(dialects.DIALECTS[0], total_says=5)
    outcome = _check(tmp_path, _write(tmp_path, by_persons, rows))
    assert outcome.totals[CAUSE].to_list() == [zh.RECONCILE_CAUSES["persons"]]
    assert "按人数合计（5 人），表中有人不止一条记录（多出 1 条）" in outcome.totals[MESSAGE][0]

    rows = _placements(6, seed=8)
    for r in rows[:2]:
        r["employment_date"] = "2024-09-20"  # placed last month, reported this month
    this_month = dataclasses.replace(dialects.DIALECTS[-1], total_says=4)
    outcome = _check(tmp_path, _write(tmp_path, this_month, rows))
    assert outcome.totals[CAUSE].to_list() == [zh.RECONCILE_CAUSES["other_months"]]
    assert "另有 2 行日期不在本月" in outcome.totals[MESSAGE][0]


def _workshop_book(path, total_row: list) -> None:
    """A county's workshop ledger with a clerk's 合计 row of column sums, under 序号."""
    headers = [
        "序号",
        "车间编号",
        "车间名称",
        "所在地行政区划代码",
        "车间类型",
        "吸纳就业人数",
        "其中脱贫劳动力",
    ]
    data = [
        [1, "JX001", "金秀竹编车间", "451324", "就业帮扶车间", 30, 12],
        [2, "JX002", "金秀茶叶车间", "451324", "就业帮扶车间", 25, 10],
        [3, "JX003", "金秀服装车间", "451324", "就业帮扶车间", 20, 25],  # 其中 > 吸纳: rejected
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = safe_output.workbook(path)
    ws = wb.add_worksheet("车间")
    ws.write_string(0, 0, "金秀县2024年10月就业帮扶车间台账")
    ws.write_row(1, 0, headers)
    for r, row in enumerate(data, start=2):
        ws.write_row(r, 0, row)
    ws.write_row(5, 0, total_row)
    wb.close()


def test_column_sums_of_a_total_row_are_reconciled_column_by_column(tmp_path):
    f = tmp_path / "workshops" / "2024-10" / "金秀县.xlsx"
    _workshop_book(f, ["合计", "", "3个", "", "", 75, 47])
    outcome = _check(tmp_path, f)
    assert outcome.problems.height == 1  # the third workshop
    got = {r[zh.RECONCILE["columns"][3]]: r for r in outcome.totals.iter_rows(named=True)}
    # 车间名称: "3个" counts rows (3 read, 2 loaded); the sums include the rejected row
    assert set(got) == {"车间名称", "吸纳就业人数", "其中脱贫劳动力"}
    assert got["吸纳就业人数"][zh.RECONCILE["columns"][5]] == 55
    assert all(r[CAUSE] == zh.RECONCILE_CAUSES["rejected"] for r in got.values())
    assert "「其中脱贫劳动力」大于「吸纳就业人数」" in got["吸纳就业人数"][MESSAGE]

    _workshop_book(f, ["合计", "", "", "", "", 55, 22])  # the sums of what is loaded
    outcome = _check(tmp_path, f)
    assert outcome.totals.height == 0 and outcome.result.reported.height == 2


def test_a_workbook_repeating_its_title_on_every_sheet_states_the_whole_file(tmp_path):
    d = next(d for d in dialects.DIALECTS if d.sheets > 1)
    outcome = _check(
        tmp_path, _write(tmp_path, d, _placements(6), title="金秀县2024年10月新增就业6人")
    )
    reported = outcome.result.reported
    title = reported.filter(reported["source_row"] == totals.TITLE_ROW)
    assert title.height == 1 and title["source_sheet"][0] is None
    assert title["read_value"][0] == 6
    assert outcome.totals.height == 0


def test_check_prints_the_difference_and_keeps_the_exit_code(tmp_path):
    d = dataclasses.replace(dialects.DIALECTS[0], total_says=4)
    f = _write(tmp_path, d, _placements(6))
    result = CliRunner().invoke(
        app, ["check", str(f), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert zh.RECONCILE["check_head"] in result.output and "为 4 条，系统计得 6 条" in result.output


# --- end to end: the serving file, and a corrected file ---------------------------------------


@pytest.mark.e2e
def test_run_publishes_the_reconciliation_and_a_corrected_file_clears_it(tmp_path):
    from pipelines.run import run_pipeline
    from pipelines.settings import paths

    raw = tmp_path / "raw"
    f = raw / "placements" / "2024-10" / "金秀县.csv"
    stale = dataclasses.replace(dialects.DIALECTS[0], total_says=7)
    dialects.write_ledger(
        f, "placements", synth.rows_frame("placements", _placements(5)), stale, title="金秀县"
    )
    env = paths(raw, tmp_path / "wh")
    assert run_pipeline(env).success
    con = duckdb.connect(str(env.serving_db), read_only=True)
    rows = con.sql(
        "select file, region_code, reported, loaded_value, cause_code, differs from reconciliation"
    ).fetchall()
    con.close()
    assert rows == [("placements/2024-10/金秀县.csv", "451324", 7.0, 5.0, "more", True)]
    # the 数据质量 tab and the county's and its city's workbooks show it
    con = duckdb.connect(str(env.serving_db), read_only=True)
    shown = dashboard_data.reconciliation(con, "2024-10")
    con.close()
    assert shown["cause"].to_list() == [zh.RECONCILE_CAUSES["more"]]
    for region in ("金秀县", "来宾市"):
        book, _ = export(env.serving_db, region, "2024-10", tmp_path / "exports")
        sheet = fastexcel.read_excel(str(book)).load_sheet(
            zh.RECONCILE["report_sheet"], header_row=None
        )
        cells = [str(v) for row in sheet.to_polars().rows() for v in row if v is not None]
        assert "金秀县.csv" in cells and any("为 7 条，系统计得 5 条" in v for v in cells)

    dialects.write_ledger(
        f,
        "placements",
        synth.rows_frame("placements", _placements(5)),
        dialects.DIALECTS[0],
        title="金秀县",
    )
    assert run_pipeline(env).success
    con = duckdb.connect(str(env.serving_db), read_only=True)
    assert con.sql("select reported, cause_code from reconciliation").fetchall() == [
        (5.0, "agrees")
    ]
    con.close()
    book, _ = export(env.serving_db, "金秀县", "2024-10", tmp_path / "exports")
    assert zh.RECONCILE["report_sheet"] not in fastexcel.read_excel(str(book)).sheet_names
