"""The officials' workbook read back: sheets, title and 截至 lines, every number against
`metrics`, the 合计 row, number formats, charts, the CSV's BOM, and the no-data case."""

from __future__ import annotations

import zipfile

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.outputs.export import ExportError, export


@pytest.fixture(scope="module")
def laibin(scenario_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    xlsx, csvs = export(scenario_run.serving_db, "来宾市", "2024-11", out)
    return scenario_run, xlsx, csvs


def _metrics(serving_db, period):
    con = duckdb.connect(str(serving_db), read_only=True)
    rows = con.execute(
        "select region_name, indicator, value from metrics where period = ?", [period]
    ).fetchall()
    con.close()
    return {(n, i): v for n, i, v in rows}


FIRST = 6  # the first data row (Excel numbering): title, three lines, header


def test_sheets_titles_and_dates(laibin):
    _, xlsx, _ = laibin
    wb = openpyxl.load_workbook(xlsx)
    # and 核对: 忻城县's November 合计 counts a row that was rejected (tests/scenario.py)
    assert wb.sheetnames == [*(s for s, _, _ in zh.REPORT_SHEETS), zh.RECONCILE["report_sheet"]]
    ws = wb["就业情况"]
    assert ws["A1"].value == "来宾市东西部劳务协作转移就业情况统计表"
    assert ws["A2"].value.startswith("填报单位：来宾市") and "单位：人、%" in ws["A2"].value
    assert ws["A3"].value == "截至2024年11月30日"
    assert ws["A5"].value == "地区"
    assert ws.freeze_panes == f"B{FIRST}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0  # one page wide, as many long as it takes
    assert ws.print_title_rows == "$1:$5"
    assert ws["B6"].font.name == "宋体"


def test_form_block_and_footer_on_every_sheet(laibin, scenario_run, tmp_path, monkeypatch):
    """DESIGN, "Exports for officials": 表号 / 制定机关 / 有效期至 at the top right (values
    from settings), and the footer line to sign under the table."""
    _, xlsx, _ = laibin
    wb = openpyxl.load_workbook(xlsx)
    for n, ws in enumerate(wb.worksheets, start=1):
        right = [  # the block at the top right of the table, whatever lies below it
            next(str(c.value) for c in ws[r] if str(c.value or "").startswith(label))
            for r, label in ((2, "表"), (3, "制定机关"), (4, "有效期至"))
        ]
        assert right == [
            f"表　　号：东劳协{n}表",
            "制定机关：广东省人力资源和社会保障厅",
            "有效期至：",
        ]
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        assert any(
            t.startswith("单位负责人：") and "填表人：" in t and "报出日期：" in t for t in texts
        )

    monkeypatch.setenv("COLLAB_REPORT_FORM_NUMBER", "粤人社统")
    monkeypatch.setenv("COLLAB_REPORT_VALID_UNTIL", "2026年12月")
    other, _ = export(scenario_run.serving_db, "来宾市", "2024-11", tmp_path)
    ws = openpyxl.load_workbook(other)["培训情况"]
    assert ws.cell(2, ws.max_column - 1).value == "表　　号：粤人社统2表"
    assert ws.cell(4, ws.max_column - 1).value == "有效期至：2026年12月"


def test_header_breaks_before_the_unit(laibin):
    _, xlsx, _ = laibin
    ws = openpyxl.load_workbook(xlsx)["帮扶车间"]
    headers = [c.value for c in ws[5]]
    assert "稳岗就业基地数\n（个）" in headers
    assert not any(h and h.endswith("）") and "\n" not in h for h in headers)


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 1).value}


def test_every_number_matches_metrics_and_total_is_the_region(laibin):
    run, xlsx, _ = laibin
    metrics = _metrics(run.serving_db, "2024-11")
    wb = openpyxl.load_workbook(xlsx)
    checked = 0
    for sheet, _, columns in zh.REPORT_SHEETS:
        ws = wb[sheet]
        names = [ws.cell(r, 1).value for r in range(FIRST, ws.max_row + 1)]
        total_row = FIRST + next(i for i, n in enumerate(names) if n.startswith("全市合计"))
        for r in range(FIRST, total_row + 1):
            name = "来宾市" if r == total_row else ws.cell(r, 1).value
            for c, (ind, _) in enumerate(columns, start=2):
                cell = ws.cell(r, c)
                expected = metrics.get((name, ind), "missing")
                if expected == "missing" or expected is None:
                    assert cell.value == "—", (sheet, name, ind)
                elif ind.endswith(("_rate", "_share")):
                    assert (
                        cell.value == pytest.approx(expected / 100)
                        and cell.number_format == "0.00%"
                    )
                else:
                    assert cell.value == expected
                checked += 1
    assert checked > 100
    ws = wb["就业情况"]
    rows = _rows(ws)
    assert ws.cell(rows["全市合计※"], 2).value == 4  # distinct persons, not 3 + 2
    assert ws.cell(rows["金秀瑶族自治县"], 2).value == 3 and ws.cell(rows["忻城县"], 2).value == 2
    assert ws.cell(rows["兴宾区"], 2).value == "—"  # no data is not 0
    notes = " ".join(str(ws.cell(r, 1).value) for r in range(rows["全市合计※"] + 1, ws.max_row + 1))
    assert "※ 全市合计为本市去重后的人数" in notes and zh.REPORT["note_missing"] in notes


def test_total_rows_say_when_they_are_the_regions_own_figure(laibin, scenario_run, tmp_path):
    """A city's 目标任务 (its own, 3) beside its counties' targets (4 + nothing) must not
    read as their sum; sums (培训, 帮扶车间) carry no mark; a province says 全省合计."""
    _, xlsx, _ = laibin
    wb = openpyxl.load_workbook(xlsx)
    target = wb["目标完成情况"]
    rows = _rows(target)
    assert target.cell(rows["全市合计※"], 2).value == 3
    assert target.cell(rows["金秀瑶族自治县"], 2).value == 4
    notes = [str(target.cell(r, 1).value) for r in range(rows["全市合计※"] + 1, target.max_row + 1)]
    assert any(n.startswith("※ 全市合计的目标任务是下达给本市的目标") for n in notes)
    assert "全市合计" in _rows(wb["培训情况"]) and "全市合计" in _rows(wb["帮扶车间"])
    province, _ = export(scenario_run.serving_db, "广西壮族自治区", "2024-11", tmp_path)
    assert "全省合计※" in _rows(openpyxl.load_workbook(province)["就业情况"])
    county, _ = export(scenario_run.serving_db, "金秀县", "2024-11", tmp_path)
    assert "合计" in _rows(openpyxl.load_workbook(county)["就业情况"])  # itself: no mark


def test_charts_start_a_page_and_list_regions_in_table_order(laibin):
    _, xlsx, _ = laibin
    wb = openpyxl.load_workbook(xlsx)
    for sheet in ("就业情况", "目标完成情况"):
        ws = wb[sheet]
        (chart_row,) = [b.id for b in ws.row_breaks.brk]
        assert chart_row > max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value)
    with zipfile.ZipFile(xlsx) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    bar = next(c for c in charts if '<c:barDir val="bar"/>' in c)  # 目标完成率, bars across
    assert '<c:orientation val="maxMin"/>' in bar  # first region at the top, as in the table


def test_charts_exist(laibin):
    _, xlsx, _ = laibin
    with zipfile.ZipFile(xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert any("<c:barChart>" in z.read(n).decode() for n in charts)


def test_csv_has_bom_and_values(laibin):
    _, _, csvs = laibin
    assert [c.name.rsplit("_", 1)[1] for c in csvs] == [f"{s}.csv" for s, _, _ in zh.REPORT_SHEETS]
    raw = csvs[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "全市合计※,4," in text and "脱贫劳动力占比(%)" in text


def test_county_by_short_name_and_no_data(scenario_run, tmp_path):
    xlsx, _ = export(scenario_run.serving_db, "金秀县", "2024-10", tmp_path)
    assert xlsx.name == "东西部劳务协作统计表_金秀瑶族自治县_2024年10月.xlsx"
    with pytest.raises(ExportError, match="没有数据"):
        export(
            scenario_run.serving_db, "安顺市", "2023-12", tmp_path
        )  # the period exists, 安顺 has nothing in it
    with pytest.raises(ExportError, match="无法识别"):
        export(scenario_run.serving_db, "不存在县", "2024-10", tmp_path)


def test_cli_export_exit_codes(scenario_run, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "export",
            "--region",
            "450000",
            "--period",
            "2024-11",
            "--warehouse-dir",
            str(scenario_run.warehouse_dir),
            "--out",
            str(tmp_path),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "东西部劳务协作统计表_广西壮族自治区_2024年11月.xlsx").exists()
    bad = runner.invoke(
        app,
        [
            "export",
            "--region",
            "450000",
            "--period",
            "2019-01",
            "--warehouse-dir",
            str(scenario_run.warehouse_dir),
        ],
    )
    assert bad.exit_code == 1 and "没有数据" in bad.output


def test_export_all_writes_every_province_and_city(scenario_run, tmp_path):
    from pipelines.outputs.export import export_all

    written = export_all(scenario_run.serving_db, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"东西部劳务协作统计表_{n}_2024年11月.xlsx"
        for n in ("广西壮族自治区", "来宾市", "贵州省", "安顺市", "广东省", "广州市", "茂名市")
    )


def test_export_all_in_processes_writes_the_same_workbooks(scenario_run, tmp_path):
    from pipelines.outputs.export import export_all

    def cells(path):
        wb = openpyxl.load_workbook(path)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}

    one = export_all(scenario_run.serving_db, tmp_path / "one", workers=1)
    # one workbook per task: the two workers take the first ones, this process the rest
    three = export_all(scenario_run.serving_db, tmp_path / "three", workers=3, chunk=1)
    assert [p.name for p in three] == [p.name for p in one]
    assert all(p.parent.parent == tmp_path / "three" for p in three)
    assert [cells(p) for p in three] == [cells(p) for p in one]


def test_training_sheet_breaks_the_region_down_by_programme(laibin):
    run, xlsx, _ = laibin
    ws = openpyxl.load_workbook(xlsx)["培训情况"]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    start = labels.index(zh.REPORT["programme_col"]) + 1  # the block's header row
    con = duckdb.connect(str(run.serving_db), read_only=True)
    expected = dict(
        con.execute(
            "select indicator, value from metrics_by_programme where period = '2024-11' "
            "and region_code = '451300' and programme = '粤菜师傅'"
        ).fetchall()
    )
    con.close()
    row = start + 1
    assert ws.cell(row, 1).value == "粤菜师傅"
    for c, (indicator, _) in enumerate(zh.REPORT_PROGRAMME_COLUMNS, start=2):
        value = expected[indicator]
        want = value / 100 if indicator.endswith("_rate") else value
        assert ws.cell(row, c).value == pytest.approx(want), indicator


def test_a_helper_regions_workbook_shows_what_it_did_for_its_partners(scenario_run, tmp_path):
    """`export --region 茂名市`: 茂名 has no ledgers of its own, so its workbook is the 结对帮扶
    sheet: 茂名 → 来宾, 电白 and 茂南 → 金秀, and 茂名's total over the union (来宾, which
    holds 金秀), persons once — not the sum of the rows."""
    xlsx, _ = export(scenario_run.serving_db, "茂名市", "2024-11", tmp_path)
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == [zh.REPORT["pairing_sheet"]]
    ws = wb.active
    rows = {
        (ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, 4).value
        for r in range(FIRST, ws.max_row + 1)
        if ws.cell(r, 4).value is not None and ws.cell(r, 1).value
    }
    laibin = _metrics(scenario_run.serving_db, "2024-11")[("来宾市", "employed_persons")]
    jinxiu = _metrics(scenario_run.serving_db, "2024-11")[("金秀瑶族自治县", "employed_persons")]
    assert rows[("茂名市", "市际")] == laibin
    assert rows[("电白区", "县际")] == rows[("茂南区", "县际")] == jinxiu
    assert rows[("茂名市合计※", "")] == laibin  # not laibin + 2 × jinxiu
    notes = [str(ws.cell(r, 1).value) for r in range(FIRST, ws.max_row + 1)]
    assert any(n.startswith("※ 合计为") for n in notes)
    guangzhou, _ = export(scenario_run.serving_db, "广州市", "2024-11", tmp_path)
    assert openpyxl.load_workbook(guangzhou).sheetnames == [zh.REPORT["pairing_sheet"]]
