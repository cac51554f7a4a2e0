"""The collabstats command: check (exit codes, problem list) and template (round trip)."""

from __future__ import annotations

import random

import fastexcel
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.synthetic import dialects, synth

runner = CliRunner()


def _ledger(tmp_path, bad: bool):
    rng = random.Random(3)
    rows = [synth.placement_row(rng, synth.make_person(rng, "451324"), "2024-10") for _ in range(4)]
    if bad:
        rows[1]["id_number"] = synth.corrupt_check(rows[1]["id_number"])
        rows[3] = dict(rows[2])  # a repeat inside the file
    f = tmp_path / "placements" / "2024-10" / "金秀县.xlsx"
    synth.write_xlsx(f, "placements", rows, title="金秀县2024年10月转移就业台账")
    return f


def test_check_passes_a_clean_ledger(tmp_path):
    result = runner.invoke(app, ["check", str(_ledger(tmp_path, bad=False))])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_check_lists_bad_rows_and_writes_them(tmp_path):
    f = _ledger(tmp_path, bad=True)
    result = runner.invoke(
        app, ["check", str(f), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 1
    assert "身份证号码校验位错误" in result.output and "重复记录" in result.output
    report = tmp_path / "out" / f"金秀县_{zh.CHECK['sheet']}.xlsx"
    sheet = fastexcel.read_excel(str(report)).load_sheet(0).to_polars()
    assert sheet.columns == list(zh.CHECK["columns"])
    assert sheet[zh.CHECK["columns"][1]].to_list() == [4, 6]  # title, header, rows 3..6


def test_problem_list_prints_one_page_wide_and_narrow_terminals_wrap(tmp_path):
    import openpyxl

    f = _ledger(tmp_path, bad=True)
    result = runner.invoke(
        app, ["check", str(f), "--out", str(tmp_path / "out")], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 1 and "…" not in result.output  # nothing cut off
    flat = "".join(result.output.split())
    assert "身份证号码校验位错误" in flat.replace("│", "")
    ws = openpyxl.load_workbook(tmp_path / "out" / f"金秀县_{zh.CHECK['sheet']}.xlsx").active
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"


@pytest.mark.parametrize("command", ["check", "template"])
def test_clerks_help_is_in_chinese_too(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    flat = "".join(result.output.split()).replace("│", "")
    assert "".join(zh.HELP[command].split()) in flat
    assert "…" not in result.output


def test_check_reports_an_unreadable_file(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("nothing,here\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(f)])
    assert result.exit_code == 1 and "表头" in result.output


def test_template_round_trip(tmp_path):
    result = runner.invoke(app, ["template", "trainings", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "培训台账模板.xlsx"
    reader = fastexcel.read_excel(str(path))
    assert reader.sheet_names == [zh.TEMPLATE["data_sheet"], zh.TEMPLATE["help_sheet"]]
    header = reader.load_sheet(0, header_row=1).to_polars().columns
    assert header == dialects.headers("trainings")
    import openpyxl

    ws = openpyxl.load_workbook(path)[zh.TEMPLATE["data_sheet"]]
    validations = {
        str(v.sqref).split(":")[0][:-1].rstrip("0123456789"): v.formula1
        for v in ws.data_validations.dataValidation
    }
    assert any("粤菜师傅" in (f or "") for f in validations.values())
    assert ws.freeze_panes == "A3"
    # prints one page wide with title and header on each page; the colours are explained
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$2"
    assert zh.TEMPLATE["legend"] in [c.value for c in ws[1]]
    help_ws = openpyxl.load_workbook(path)[zh.TEMPLATE["help_sheet"]]
    assert help_ws.sheet_properties.pageSetUpPr.fitToPage
    assert any("橙色" in str(c.value) and "蓝色" in str(c.value) for c in help_ws["A"])


def test_unknown_kind_is_refused(tmp_path):
    assert runner.invoke(app, ["template", "people", "--out", str(tmp_path)]).exit_code != 0


def test_run_one_month_loads_that_month_only(scenario_run, tmp_path, monkeypatch):
    """`run --month` is the monthly schedule's run: the month's ledgers are loaded,
    other months are left as they are (here, a withdrawn October file stays loaded)."""
    import shutil

    import duckdb

    raw = shutil.copytree(scenario_run.raw_dir, tmp_path / "raw")
    wh = shutil.copytree(scenario_run.warehouse_dir, tmp_path / "wh")
    monkeypatch.delenv("COLLAB_RAW_DIR", raising=False)
    monkeypatch.delenv("COLLAB_WAREHOUSE_DIR", raising=False)
    october = sorted((raw / "placements" / "2024-10").iterdir())[0]
    october.unlink()
    rng = random.Random(9)
    rows = [synth.placement_row(rng, synth.make_person(rng, "520424"), "2024-12") for _ in range(3)]
    synth.write_csv(raw / "placements" / "2024-12" / "关岭县.csv", "placements", rows)
    args = ["run", "--raw-dir", str(raw), "--warehouse-dir", str(wh)]

    assert runner.invoke(app, [*args, "--month", "2024-13"]).exit_code == 2
    result = runner.invoke(app, [*args, "--month", "2024-12"])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    current = {
        p for (p,) in con.execute("select path from ingestion_log where is_current").fetchall()
    }
    periods = {p for (p,) in con.execute("select distinct period from metrics").fetchall()}
    con.close()
    assert "placements/2024-12/关岭县.csv" in current and "2024-12" in periods
    assert october.relative_to(raw).as_posix() in current


def test_console_script_keeps_exit_codes_and_output(tmp_path):
    """The installed `collabstats` script keeps its exit codes and what it printed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("collabstats")
    env = {**os.environ, "COLUMNS": "200"}
    ok = subprocess.run(
        [exe, "template", "workshops", "--out", tmp_path], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stderr
    written = tmp_path / zh.TEMPLATE["file"].format(title=zh.KIND_TITLES["workshops"])
    assert str(written) in ok.stdout
    assert fastexcel.read_excel(str(written)).sheet_names[0] == zh.TEMPLATE["data_sheet"]
    bad_month = subprocess.run(
        [exe, "run", "--month", "2024-13", "--warehouse-dir", tmp_path / "wh"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad_month.returncode == 2
    assert "expected YYYY-MM" in bad_month.stdout
    bad = subprocess.run(
        [exe, "check", _ledger(tmp_path, bad=True)],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 1
    assert zh.CHECK["bad"].split("{")[0] in bad.stdout
