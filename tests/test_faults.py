"""The fault suite (issue "Trust first"): each way a real or hostile ledger, or a crash,
once gave wrong figures, hung or stopped a run - with a real input file made here and
the outcome a user sees asserted: exit code, the ingestion log's status and reason, the
good files' rows loaded, and the published figures."""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from pipelines import zh
from pipelines.cli import app
from pipelines.database.ingest import ingest_kind
from pipelines.ledgers import spec
from pipelines.ledgers.process import Submission, process_file
from pipelines.synthetic import dialects, synth
from tests.conftest import TEST_KEY

runner = CliRunner()
COUNTY = "451324"  # 金秀瑶族自治县


def _people(n: int, seed: int = 7, county: str = COUNTY) -> list[synth.Person]:
    rng = random.Random(seed)
    return [synth.make_person(rng, county) for _ in range(n)]


def _rows(people, period: str = "2024-05", seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    return [synth.placement_row(rng, p, period, "广东省") for p in people]


def _log(conn, path_like: str = "%") -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in conn.execute(
            "select path, status, message, rows_read, rows_loaded, rows_rejected "
            "from raw.ingestion_log where is_current and path like ? order by path",
            [path_like],
        ).fetchall()
    }


@pytest.fixture
def conn(tmp_path):
    c = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield c
    c.close()


# --- 1. ticked flags ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "gb18030-csv"])
@pytest.mark.parametrize("mark", ["√", "✓", "Y", "是"])
def test_a_ticked_flag_column_reads_blank_as_no_even_for_required_flags(tmp_path, key, fmt, mark):
    """A county ticks 是否脱贫劳动力 and 是否防止返贫监测对象 and leaves 否 blank, with a
    title row, 2024.5.3 dates, full-width digits in 月工资 and a 合计 row: every row
    loads, the blanks are 否."""
    people = _people(6)
    rows = _rows(people)
    for i, row in enumerate(rows):
        row["is_poverty"] = mark if i % 2 else None
        row["is_monitored"] = mark if i == 3 else None
        row["employment_date"] = "2024.5.3"
        row["monthly_wage"] = "３５００"
    f = tmp_path / "raw" / "placements" / "2024-05" / f"金秀县.{fmt.split('-')[-1]}"
    title = "金秀县2024年5月转移就业台账"
    if fmt == "xlsx":
        synth.write_xlsx(f, "placements", rows, title=title, total_row=True)
    else:
        synth.write_csv(f, "placements", rows, encoding="gb18030", title=title, total_row=True)
    result = process_file(Submission(f, "x", "placements", "2024-05"), key)
    assert result.status == "loaded"
    assert result.rows_rejected == 0, result.rejections
    loaded = result.loaded
    assert loaded["is_poverty"].to_list() == [bool(i % 2) for i in range(6)]
    assert loaded["is_monitored"].to_list() == [i == 3 for i in range(6)]
    assert loaded["monthly_wage"].to_list() == [3500.0] * 6


def test_a_ticked_column_is_judged_per_file_not_per_sheet(tmp_path, key):
    """DESIGN: "When a file marks a flag column with √" – a workbook whose second sheet
    has no 脱贫 person (no tick of its own) still reads that sheet's blanks as 否."""
    rows = _rows(_people(6))
    for i, row in enumerate(rows):
        row["is_poverty"] = "Y" if i < 2 else None  # sheets of 2 rows: only the first ticked
    d = next(d for d in dialects.DIALECTS if d.sheets == 3 and d.flag_style == "y")
    f = tmp_path / "placements" / "2024-05" / "金秀县.xlsx"
    dialects.write_ledger(f, "placements", synth.rows_frame("placements", rows), d, title="金秀县")
    result = process_file(Submission(f, "x", "placements", "2024-05"), key)
    assert result.rows_rejected == 0, result.rejections
    assert sorted(result.loaded["is_poverty"].to_list()) == [False] * 4 + [True] * 2


def test_a_required_flag_stays_missing_where_the_column_says_both_or_nothing(tmp_path, key):
    """是/否 written out with one cell left empty: that cell is missing, not 否. A file that
    never fills the column at all has the required flag missing on every row."""
    people = _people(4)
    both = _rows(people)
    for i, row in enumerate(both):
        row["is_poverty"] = ["是", "否", None, "否"][i]
    f = tmp_path / "placements" / "2024-05" / "both.csv"
    synth.write_csv(f, "placements", both)
    result = process_file(Submission(f, "x", "placements", "2024-05"), key)
    assert result.rejections["source_row"].to_list() == [4]
    assert result.rejections["reason"].to_list() == [
        zh.REASONS["required"].format(col="是否脱贫劳动力")
    ]
    never = _rows(people)
    for row in never:
        row["is_poverty"] = None
    g = tmp_path / "placements" / "2024-05" / "never.csv"
    synth.write_csv(g, "placements", never)
    assert process_file(Submission(g, "y", "placements", "2024-05"), key).rows_rejected == 4


# --- 3. check keeps out of raw/ and finds its period ----------------------------------


def _check(args, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, ["check", *map(str, args)], env={"COLUMNS": "200"})
    finally:
        os.chdir(old)


def test_check_writes_its_problem_list_outside_raw_and_runs_skip_problem_lists(tmp_path, key, conn):
    raw = tmp_path / "raw"
    rows = _rows(_people(3), "2024-03")
    rows[1]["id_number"] = synth.corrupt_check(rows[1]["id_number"])
    f = raw / "placements" / "2024-03" / "x.xlsx"
    synth.write_xlsx(f, "placements", rows)
    elsewhere = tmp_path / "desk"
    elsewhere.mkdir()
    result = _check([f], cwd=elsewhere)
    assert result.exit_code == 1, result.output
    assert not list(f.parent.glob("*问题清单*"))  # nothing beside the ledger in raw/
    assert (elsewhere / f"x_{zh.CHECK['sheet']}.xlsx").exists()
    # asked to write into raw/, it refuses and says why
    refused = _check([f, "--out", f.parent], cwd=elsewhere)
    assert refused.exit_code == 2 and "raw/" in refused.output
    # a problem list that a clerk copied into raw/ is logged as skipped, not as a ledger
    (elsewhere / f"x_{zh.CHECK['sheet']}.xlsx").rename(f.parent / f"x_{zh.CHECK['sheet']}.xlsx")
    ingest_kind(conn, raw, "placements", key)
    log = _log(conn)
    assert log[f"placements/2024-03/x_{zh.CHECK['sheet']}.xlsx"][:2] == (
        "skipped",
        zh.SKIPPED["problem_list"],
    )
    assert log["placements/2024-03/x.xlsx"][0] == "loaded"


@pytest.mark.parametrize(
    ("name", "title", "period"),
    [
        ("金秀县2024年11月台账.xlsx", None, "2024-11"),
        ("jinxiu_202411.xlsx", None, "2024-11"),
        ("金秀县台账.xlsx", "金秀县2024年11月转移就业台账", "2024-11"),
        ("金秀县台账.xlsx", "金秀县2024年 1月转移就业台账", "2024-01"),
    ],
)
def test_check_finds_the_period_in_the_file_name_or_title_row(tmp_path, name, title, period):
    rows = _rows(_people(2), "2024-01")
    f = tmp_path / name
    synth.write_xlsx(f, "placements", rows, title=title)
    result = _check([f], cwd=tmp_path)
    assert zh.CHECK["period"].format(period=period) in result.output, result.output


def test_check_without_any_period_asks_for_one_and_never_assumes_this_month(tmp_path):
    """A November 2024 ledger with a 2025 date: without --period the check does not
    guess (exit 2); with it, the late date is rejected."""
    rows = _rows(_people(2), "2024-11")
    rows[0]["employment_date"] = date(2025, 3, 1)
    f = tmp_path / "金秀县台账.xlsx"
    synth.write_xlsx(f, "placements", rows)
    asked = _check([f], cwd=tmp_path)
    assert asked.exit_code == 2 and "--period" in asked.output
    checked = _check([f, "--period", "2024-11"], cwd=tmp_path)
    assert checked.exit_code == 1
    assert "晚于填报期末（2024-11-30）" in checked.output


def test_check_names_columns_as_the_clerks_header_row_and_dates_as_dates(tmp_path):
    rows = _rows(_people(2), "2024-11")
    rows[0]["id_number"] = synth.corrupt_check(rows[0]["id_number"])
    rows[1]["employment_date"] = date(2027, 3, 15)  # a date cell, after the period
    f = tmp_path / "placements" / "2024-11" / "金秀县.xlsx"
    synth.write_xlsx(f, "placements", rows, header_variant=2)  # 公民身份号码, 上岗时间
    result = _check([f, "--out", tmp_path / "out"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "公民身份号码（身份证号码）" in result.output
    assert "上岗时间（就业日期）" in result.output
    assert "2027-03-15" in result.output and "00:00:00" not in result.output


# --- 5. one bad CSV never stops a kind --------------------------------------------------


def _good_csv(path: Path, seed: int) -> None:
    synth.write_csv(path, "placements", _rows(_people(3, seed), "2024-05", seed))


def _stray_cr_csv(path: Path) -> None:
    """One line ends in a lone CR: Polars would glue two rows into one in silence."""
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:2]) + b"\r" + b"\r\n".join(lines[2:]))


def _huge_cell_csv(path: Path) -> None:
    rows = _rows(_people(3, 11), "2024-05", 11)
    rows[2]["employer"] = "厂" * 140_000
    synth.write_csv(path, "placements", rows)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_stray_cr_csv, "stray_newline"),
        (_huge_cell_csv, "cell_too_long"),
    ],
)
def test_one_unreadable_csv_fails_alone_with_a_chinese_reason(tmp_path, key, conn, make, reason):
    raw = tmp_path / "raw"
    folder = raw / "placements" / "2024-05"
    _good_csv(folder / "a.csv", 1)
    _good_csv(folder / "bad.csv", 2)
    _good_csv(folder / "c.csv", 3)
    make(folder / "bad.csv")
    summary = ingest_kind(conn, raw, "placements", key)
    log = _log(conn)
    assert log["placements/2024-05/bad.csv"][0] == "failed"
    expected = zh.FILE_ERRORS[reason].split("{")[0] or zh.FILE_ERRORS[reason].split("}")[-1][:6]
    assert expected in log["placements/2024-05/bad.csv"][1]
    assert log["placements/2024-05/a.csv"][:1] == ("loaded",)
    assert log["placements/2024-05/c.csv"][3] == 3  # rows_loaded
    assert conn.execute("select count(*) from raw.placements").fetchone()[0] == 6
    assert len(summary.failed) == 1
    # the clerk's check names the reason instead of a traceback
    result = _check([folder / "bad.csv", "--period", "2024-05"], cwd=tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert zh.CHECK["failed"].split("{")[0] in result.output


# --- 6. every sheet is read or named ----------------------------------------------------


def _multi_sheet(path: Path, sheets: dict[str, list[dict] | None]) -> None:
    """A workbook with a ledger on each sheet given rows, and a note on the others."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names = [f.name for f in spec.fields("placements")]
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        if rows is None:
            ws.append(["本表为填报说明，不是台账"])
            continue
        ws.append([f"{title}转移就业台账"])
        ws.append(dialects.headers("placements"))
        for row in rows:
            ws.append([None if row.get(n) is None else str(row.get(n)) for n in names])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def test_every_sheet_with_a_ledger_header_is_read_and_the_others_are_named(tmp_path, key, conn):
    raw = tmp_path / "raw"
    people = _people(7)
    a, b, c = _rows(people[:3]), _rows(people[3:5]), _rows(people[5:])
    c.append(dict(a[0]))  # the same placement on two sheets: loaded once
    _multi_sheet(
        raw / "placements" / "2024-05" / "来宾市.xlsx",
        {"金秀": a, "忻城": b, "填表说明": None, "合山": c},
    )
    ingest_kind(conn, raw, "placements", key)
    status, message, read, loaded, rejected = _log(conn)["placements/2024-05/来宾市.xlsx"]
    assert (status, read, loaded, rejected) == ("loaded", 8, 7, 1)
    assert "填表说明" in message
    rows = conn.execute(
        "select source_sheet, source_row from raw.placements order by 1, 2"
    ).fetchall()
    # rows numbered as Excel shows them on each sheet (title row 1, header row 2); of a
    # placement on two sheets the first in sheet-name order stays (DESIGN is silent on
    # the order of sheets; names make it independent of how a workbook was saved)
    assert rows == [("合山", 3), ("合山", 4), ("合山", 5), ("忻城", 3), ("忻城", 4)] + [
        ("金秀", 4), ("金秀", 5)
    ]  # fmt: skip
    dup = conn.execute(
        "select sheet, source_row, value, reason_code from raw.rejected_rows"
    ).fetchall()
    assert dup == [("金秀", 3, "与 placements/2024-05/来宾市.xlsx「合山」 第5行相同", "duplicate")]


# --- 7. sizes are checked before a sheet is expanded -------------------------------------


def _bomb(src: Path, dst: Path, dimension: str | None, rows: int, far: bool) -> None:
    """A copy of a real workbook whose first sheet declares `dimension` and holds `rows`
    one-cell rows (and one cell at XFD1048576 when `far`)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                parts = [
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                    b'schemas.openxmlformats.org/spreadsheetml/2006/main">',
                    f'<dimension ref="{dimension}"/>'.encode() if dimension else b"",
                    b"<sheetData>",
                    *(
                        f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>'.encode()
                        for r in range(1, rows + 1)
                    ),
                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if far else b"",
                    b"</sheetData></worksheet>",
                ]
                data = b"".join(parts)
            zout.writestr(item, data)


@pytest.mark.parametrize(
    ("dimension", "rows", "far"),
    [("A1:XFD1048576", 1_000_000, False), ("A1:A2", 2, True), (None, 2, True)],
)
def test_an_absurd_sheet_fails_its_file_without_exhausting_memory(tmp_path, dimension, rows, far):
    """The check runs in a process limited to 2 GB of address space: expanding the
    sheet would crash it; the size check fails the file with a reason instead."""
    good = tmp_path / "good.xlsx"
    synth.write_xlsx(good, "placements", _rows(_people(1)))
    bomb = tmp_path / "placements" / "2024-05" / "bomb.xlsx"
    bomb.parent.mkdir(parents=True)
    _bomb(good, bomb, dimension, rows, far)
    code = (
        "import sys; from pathlib import Path; "
        "from pipelines.ledgers.process import Submission, process_file; "
        f"r = process_file(Submission(Path({str(bomb)!r}), 'b', 'placements', '2024-05'), b'k' * 20); "
        "print(r.status); print(r.message)"
    )

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, preexec_fn=limit
    )
    assert out.returncode == 0, out.stderr[-2000:]
    status, message = out.stdout.splitlines()[:2]
    assert status == "failed"
    assert zh.FILE_ERRORS["too_large"].split("{")[0] in message


def test_a_corrupt_or_encrypted_workbook_fails_alone(tmp_path, key, conn):
    raw = tmp_path / "raw"
    folder = raw / "placements" / "2024-05"
    _good_csv(folder / "a.csv", 1)
    folder.joinpath("corrupt.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    # an encrypted workbook is an OLE compound file, not a zip
    folder.joinpath("encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    ingest_kind(conn, raw, "placements", key)
    log = _log(conn)
    assert log["placements/2024-05/corrupt.xlsx"][:2] == ("failed", zh.FILE_ERRORS["not_xlsx"])
    assert log["placements/2024-05/encrypted.xlsx"][:2] == ("failed", zh.FILE_ERRORS["not_xlsx"])
    assert log["placements/2024-05/a.csv"][3] == 3


# --- 8. text stays text in what we write --------------------------------------------------

FORMULAS = (
    '=HYPERLINK("http://example.invalid","点击查看")',
    "=cmd|'/C calc'!A0",
    "+1+1",
    "@SUM(A1)",
)


def test_a_formula_in_a_ledger_never_comes_out_live(tmp_path):
    rows = _rows(_people(4), "2024-05")
    for row, text in zip(rows, FORMULAS, strict=True):
        row["employer"] = text
        row["destination_category"] = text  # not in the list: rejected, value shown
    f = tmp_path / "金秀县2024年5月.xlsx"
    synth.write_xlsx(f, "placements", rows)
    result = _check([f, "--out", tmp_path / "out"], cwd=tmp_path)
    assert result.exit_code == 1
    report = tmp_path / "out" / f"{f.stem}_{zh.CHECK['sheet']}.xlsx"
    ws = openpyxl.load_workbook(report).active
    values = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in FORMULAS]
    assert len(values) == 4
    assert all(c.data_type == "s" for c in values)  # strings, not formulas ("f")


def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe():
    from pipelines.outputs.safe_output import csv_text

    assert [csv_text(t) for t in FORMULAS] == ["'" + t for t in FORMULAS]
    assert csv_text("金秀县") == "金秀县" and csv_text(-3) == -3


# --- 10. what is not a ledger is reported ------------------------------------------------


def test_what_is_not_a_ledger_is_logged_as_skipped_once(tmp_path, key, conn):
    raw = tmp_path / "raw"
    _good_csv(raw / "placements" / "2024-05" / "a.csv", 1)
    (raw / "placements" / "2024-05" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (raw / "placements" / "2024-05" / "~$a.xlsx").write_bytes(b"lock")  # ignored
    (raw / "placements" / "2024-05" / ".DS_Store").write_bytes(b"")  # ignored
    _good_csv(raw / "placements" / "2024-13" / "b.csv", 2)
    _good_csv(raw / "placements" / "2024-1" / "c.csv", 3)
    outside = tmp_path / "elsewhere.csv"
    _good_csv(outside, 4)
    (raw / "placements" / "2024-05" / "link.csv").symlink_to(outside)
    (raw / "placement").mkdir()  # a typo in the kind folder
    ingest_kind(conn, raw, "placements", key)
    skipped = {p: m for p, (status, m, *_) in _log(conn).items() if status == "skipped"}
    assert skipped == {
        "placements/2024-05/old.xls": zh.SKIPPED["xls"],
        "placements/2024-05/link.csv": zh.SKIPPED["outside"],
        "placements/2024-13/": zh.SKIPPED["bad_folder"],
        "placements/2024-1/": zh.SKIPPED["bad_folder"],
        "placement/": zh.SKIPPED["unknown_top"],
    }
    assert conn.execute("select count(*) from raw.placements").fetchone()[0] == 3
    versions = conn.execute("select count(*) from raw.ingestion_log").fetchone()[0]
    ingest_kind(conn, raw, "placements", key)  # nothing changed: nothing logged again
    assert conn.execute("select count(*) from raw.ingestion_log").fetchone()[0] == versions


# --- full runs: 2, 4, 9, 11 ----------------------------------------------------------------


def _run(raw: Path, wh: Path, *extra: str, env: dict | None = None):
    return runner.invoke(
        app,
        ["run", "--raw-dir", str(raw), "--warehouse-dir", str(wh), *extra],
        env={"COLUMNS": "200", **(env or {})},
    )


def _metrics(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    try:
        return con.execute(
            "select period, region_code, indicator, value from metrics order by all"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.e2e
def test_a_province_without_placements_in_the_latest_month_still_ends_the_run_well(tmp_path):
    raw = tmp_path / "raw"
    synth.write_csv(
        raw / "placements" / "2024-11" / "金秀县.csv", "placements", _rows(_people(3), "2024-11")
    )
    rng = random.Random(2)
    guizhou = [synth.make_person(rng, "520422") for _ in range(3)]
    synth.write_xlsx(
        raw / "trainings" / "2024-11" / "普定县.xlsx",
        "trainings",
        synth.training_rows(rng, "K1", guizhou, date(2024, 11, 4)),
    )
    result = _run(raw, tmp_path / "wh")
    assert result.exit_code == 0, result.output
    assert "贵州省 2024-11" in result.output
    assert zh.RUN_HEADLINE.format(persons="—", share="—") in result.output


@pytest.mark.e2e
def test_empty_or_missing_raw_folders_and_months_without_files_get_one_line(tmp_path):
    missing = _run(tmp_path / "nothing", tmp_path / "wh")
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    assert zh.RUN_ERRORS["no_raw_dir"].split("：")[0] in missing.output
    (tmp_path / "empty").mkdir()
    empty = _run(tmp_path / "empty", tmp_path / "wh")
    assert empty.exit_code == 2 and zh.RUN_ERRORS["no_ledgers"].split("{")[0] in empty.output
    raw = tmp_path / "raw"
    _good_csv(raw / "placements" / "2024-05" / "a.csv", 1)
    month = _run(raw, tmp_path / "wh", "--month", "2023-05")
    assert month.exit_code == 2 and "2023-05" in month.output
    assert not (tmp_path / "wh" / "serving.duckdb").exists()


@pytest.mark.e2e
def test_a_run_under_another_key_refuses_and_rekey_rebuilds_the_person_keys(tmp_path):
    """Key A builds the warehouse; key B, with a month that re-reports people already
    placed, must not publish (each would count twice); `rekey` under B gives the same
    figures as a warehouse built under B from scratch."""
    raw = tmp_path / "raw"
    people = _people(20)
    synth.write_csv(
        raw / "placements" / "2024-10" / "a.csv", "placements", _rows(people, "2024-10")
    )
    wh = tmp_path / "wh"
    assert _run(raw, wh).exit_code == 0
    first = _metrics(wh)
    synth.write_csv(
        raw / "placements" / "2024-11" / "a.csv", "placements", _rows(people, "2024-11", 9)
    )
    other = {"COLLAB_PII_KEY": "another-key-0123456789abcdef"}
    refused = _run(raw, wh, env=other)
    assert refused.exit_code == 2 and "collabstats rekey" in refused.output
    assert _metrics(wh) == first  # nothing published
    rekeyed = runner.invoke(
        app, ["rekey", "--raw-dir", str(raw), "--warehouse-dir", str(wh)], env=other
    )
    assert rekeyed.exit_code == 0, rekeyed.output
    fresh = tmp_path / "fresh"
    assert _run(raw, fresh, env=other).exit_code == 0
    assert _metrics(wh) == _metrics(fresh)
    employed = {(p, v) for p, r, i, v in _metrics(wh) if r == COUNTY and i == "employed_persons"}
    assert employed == {("2024-10", 20), ("2024-11", 20)}
    assert _run(raw, wh, env=other).exit_code == 0  # the new key is now the warehouse's
    assert _run(raw, wh).exit_code == 2  # and the old one refused


def _cli(args: list, env: dict, **kw) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("collabstats")
    return subprocess.Popen([str(exe), *map(str, args)], env=env, **kw)


@pytest.fixture(scope="module")
def busy_raw(tmp_path_factory) -> Path:
    """Ledgers big enough that ingest and dbt each last a few seconds."""
    from pipelines.synthetic.generate import generate

    raw = tmp_path_factory.mktemp("busy") / "raw"
    generate(raw, 20_000, 2024, "csv", messy=0.02, seed=5, max_counties=40)
    return raw


def _env(tmp_path: Path) -> dict:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(
        (Path(__file__).parents[1] / "dagster.yaml").read_text(encoding="utf-8")
    )
    return {**os.environ, "DAGSTER_HOME": str(home), "COLLAB_PII_KEY": TEST_KEY, "COLUMNS": "200"}


@pytest.mark.e2e
@pytest.mark.parametrize("stage", ["ingest", "dbt"])
def test_a_run_killed_midway_leaves_nothing_that_blocks_and_the_next_ends_where_it_should(
    tmp_path, busy_raw, stage
):
    """kill -9 during ingest (as soon as the build database appears) or during dbt (once
    dbt's schemas exist), then the same command with the same DAGSTER_HOME: it must end
    (no hang), and publish exactly what an uninterrupted run publishes."""
    env = _env(tmp_path)
    wh = tmp_path / "wh"
    args = ["run", "--raw-dir", busy_raw, "--warehouse-dir", wh]
    victim = _cli(args, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_stage(wh / "build.duckdb", stage, victim)
    victim.kill()
    victim.wait()
    again = _cli(args, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = again.communicate(timeout=600)
    assert again.returncode == 0, out[-3000:]
    reference = tmp_path / "reference"
    clean = _cli(
        ["run", "--raw-dir", busy_raw, "--warehouse-dir", reference],
        {**env, "DAGSTER_HOME": str(tmp_path / "other_home")},
        stdout=subprocess.DEVNULL,
    )
    assert clean.wait(timeout=600) == 0
    assert _metrics(wh) == _metrics(reference)
    # the dead run no longer shows as in progress (it would hold the UI's run queue)
    import dagster as dg

    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        statuses = [r.status for r in instance.get_runs()]
    assert dg.DagsterRunStatus.STARTED not in statuses
    assert dg.DagsterRunStatus.FAILURE in statuses


def _wait_for_stage(build_db: Path, stage: str, proc: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        if build_db.exists() and (stage == "ingest" or _dbt_started(build_db)):
            return
        time.sleep(0.05)
    raise AssertionError(f"never reached {stage}")


def _dbt_started(build_db: Path) -> bool:
    """Whether dbt has created its intermediate schema yet: read the catalog from a copy,
    since the running process holds the file."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "b.duckdb"
        try:
            shutil.copy(build_db, copy)
            wal = build_db.with_suffix(".duckdb.wal")
            if wal.exists():
                shutil.copy(wal, copy.with_suffix(".duckdb.wal"))
            con = duckdb.connect(str(copy), read_only=True)
        except (OSError, duckdb.Error):
            return False
        try:
            return bool(
                con.execute(
                    "select count(*) from duckdb_tables() where schema_name = 'intermediate'"
                ).fetchone()[0]
            )
        except duckdb.Error:
            return False
        finally:
            con.close()


@pytest.mark.e2e
def test_two_runs_at_once_one_refuses_with_a_message_and_sigterm_ends_a_run(tmp_path, busy_raw):
    env = {**_env(tmp_path), "COLLAB_LOCK_TIMEOUT": "1"}
    wh = tmp_path / "wh"
    args = ["run", "--raw-dir", busy_raw, "--warehouse-dir", wh]
    first = _cli(args, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for_stage(wh / "build.duckdb", "ingest", first)
    second = _cli(args, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out2, _ = second.communicate(timeout=120)
    assert second.returncode == 2, out2
    assert "正被另一个运行使用" in out2 and f"pid {first.pid}" in out2
    first.terminate()  # SIGTERM, as a scheduler or `timeout` sends it
    out1, _ = first.communicate(timeout=120)  # obeyed: ends, does not spin
    # 130 when it came between steps; inside a step Dagster fails the step (exit 1)
    assert first.returncode in (1, 130), out1[-2000:]
    assert "serving file was not replaced" in out1 or zh.RUN_ERRORS["interrupted"] in out1
    # and the warehouse is free again: the next run ends normally
    third = _cli(args, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out3, _ = third.communicate(timeout=600)
    assert third.returncode == 0, out3[-3000:]


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    from pipelines.database.lock import WarehouseBusy, warehouse_lock

    code = (
        "import time, sys; from pathlib import Path; "
        "from pipelines.database.lock import warehouse_lock; "
        f"cm = warehouse_lock(Path({str(tmp_path)!r}), 5); cm.__enter__(); "
        "print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WarehouseBusy), warehouse_lock(tmp_path, 0.3):
        pass
    holder.kill()
    holder.wait()
    with warehouse_lock(tmp_path, 5), warehouse_lock(tmp_path, 0):  # re-entrant
        pass
