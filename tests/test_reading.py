"""Reading real messy ledger files: header finding, row numbers, skipped rows, encodings,
date forms, unreadable files."""

from __future__ import annotations

import random
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines import zh
from pipelines.ledgers.normalise import parse_date
from pipelines.ledgers.process import Submission, discover, process_file, read_files
from pipelines.ledgers.reading import LedgerFileError, read_ledger, read_raw, sniff_kind
from pipelines.synthetic import dialects, synth
from pipelines.synthetic.generate import generate


def _rows(n: int, period: str = "2024-10", seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    return [synth.placement_row(rng, synth.make_person(rng, "451324"), period) for _ in range(n)]


def test_xlsx_title_merged_total_and_blank_rows_keep_excel_row_numbers(tmp_path):
    f = tmp_path / "a.xlsx"
    synth.write_xlsx(
        f,
        "placements",
        _rows(5),
        title="金秀县2024年10月转移就业台账",
        total_row=True,
        blank_after=2,
    )
    raw = read_ledger(f, "placements").sheets[0]
    # title row 1, header row 2, data 3-4, blank 5, data 6-8, 合计 9
    assert raw.header_row == 2
    assert raw.frame["source_row"].to_list() == [3, 4, 6, 7, 8]
    assert (raw.skipped_blank, raw.skipped_total) == (1, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    f = tmp_path / "a.csv"
    rows = _rows(3)
    synth.write_csv(
        f, "placements", rows, encoding=encoding, title="忻城县转移就业台账", total_row=True
    )
    raw = read_ledger(f, "placements").sheets[0]
    assert raw.frame["employer"].to_list() == [r["employer"] for r in rows]
    assert raw.frame["source_row"].to_list() == [3, 4, 5]
    assert raw.skipped_total == 1


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_header_variants_map_to_the_same_fields(tmp_path, variant):
    f = tmp_path / "a.xlsx"
    synth.write_xlsx(f, "placements", _rows(2), header_variant=variant)
    assert read_ledger(f, "placements").sheets[0].frame["id_number"].null_count() == 0


def test_headers_with_spaces_line_breaks_and_full_width_brackets(tmp_path):
    f = tmp_path / "a.csv"
    header = [
        "姓 名",
        "身份证\n号码",
        "是否脱贫劳动力",
        "就业地区类别",
        "就业单位",
        "就业日期",
        "月工资（元）",
        "备注",
    ]
    rows = [
        [
            "韦一",
            synth.make_id("451324", date(1990, 1, 1), 11),
            "是",
            "广东省",
            "厂",
            "2024-10-03",
            "３５００",
            "x",
        ]
    ]
    import csv

    with open(f, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    raw = read_ledger(f, "placements").sheets[0]
    assert raw.frame["monthly_wage"].to_list() == ["３５００"]
    assert raw.unknown_columns == ["备注"]
    result = process_file(
        Submission(f, "placements/2024-10/a.csv", "placements", "2024-10"), b"k" * 16
    )
    assert result.rows_rejected == 0
    assert result.loaded["monthly_wage"].to_list() == [3500.0]  # full-width digits
    assert "备注" in result.message


def test_every_date_form():
    values = [
        "45568",
        "45568.0",
        "2024-10-03 00:00:00",
        "2024/10/3",
        "2024-10-03",
        "2024.10.3",
        "2024年10月3日",
        "２０２４年１０月３日",
        "20241003",
        "2024-02-30",
        "明天",
    ]
    got = pl.DataFrame({"d": values}).select(parse_date(pl.col("d"))).to_series().to_list()
    assert got == [date(2024, 10, 3)] * 9 + [None, None]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 this is not a zip", "not_xlsx"),
        (b"just some text", "not_xlsx"),
    ],
)
def test_unreadable_xlsx(tmp_path, content, code):
    f = tmp_path / "x.xlsx"
    f.write_bytes(content)
    with pytest.raises(LedgerFileError) as err:
        read_ledger(f, "placements")
    assert err.value.code == code


def test_empty_csv_and_no_header(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"\n\n")
    (tmp_path / "n.csv").write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(LedgerFileError) as e1:
        read_ledger(tmp_path / "e.csv", "placements")
    with pytest.raises(LedgerFileError) as e2:
        read_ledger(tmp_path / "n.csv", "placements")
    assert (e1.value.code, e2.value.code) == ("empty", "no_header")
    assert "身份证号码" in e2.value.reason


def test_ledger_of_another_kind_in_the_wrong_folder(tmp_path):
    f = tmp_path / "w.xlsx"
    synth.write_xlsx(f, "placements", _rows(2))
    with pytest.raises(LedgerFileError) as err:
        read_ledger(f, "workshops")
    assert err.value.code == "wrong_kind"
    assert "转移就业台账" in err.value.reason and "就业帮扶车间台账" in err.value.reason
    assert sniff_kind(f) == "placements"


def test_missing_required_column(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text(
        "姓名,是否脱贫劳动力,就业地区类别,就业单位,就业日期\n韦一,是,广东省,厂,2024-10-01\n",
        encoding="utf-8",
    )
    with pytest.raises(LedgerFileError) as err:
        read_ledger(f, "placements")
    assert err.value.code == "missing_columns" and "身份证号码" in err.value.reason


def test_a_failed_file_is_a_result_not_an_exception(tmp_path):
    f = tmp_path / "x.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    result = process_file(
        Submission(f, "placements/2024-10/x.xlsx", "placements", "2024-10"), b"k" * 16
    )
    assert result.status == "failed" and result.message


def test_footer_rows_are_skipped(tmp_path):
    f = tmp_path / "a.csv"
    synth.write_csv(f, "placements", _rows(2))
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("填表人：张三  审核人：李四\n")
    raw = read_ledger(f, "placements").sheets[0]
    assert raw.rows_read == 2 and raw.skipped_footer == 1


def test_leading_blank_rows_and_columns_do_not_shift_row_numbers(tmp_path: Path):
    import xlsxwriter

    f = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    ws = wb.add_worksheet()
    header = dialects.headers("placements")
    ws.write_row(3, 2, header)  # header at D4... row 4, starting column C
    row = _rows(1)[0]
    ws.write_row(4, 2, [str(row[k]) if row[k] is not None else "" for k in row])
    wb.close()
    raw = read_ledger(f, "placements").sheets[0]
    assert raw.header_row == 4
    assert raw.frame["source_row"].to_list() == [5]


class _ParserPanic(BaseException):
    """What a Rust parser's panic looks like from Python (pyo3's PanicException is a
    BaseException, so `except Exception` would let it end the run)."""


@pytest.mark.parametrize("raised", [_ParserPanic, KeyboardInterrupt])
def test_a_parser_failure_is_one_reason_on_every_read_path(tmp_path, monkeypatch, raised):
    """read_raw, read_files' xlsx reader, its joined-CSV parse and the file-by-file
    fallback share one contract: whatever the parsers raise becomes the clerk's
    "unreadable" reason naming it, never an exception out of the run - except Ctrl-C."""
    from pipelines.ledgers import reading

    subs = []
    for name in ("a.csv", "b.csv", "c.xlsx"):
        f = tmp_path / name
        write = synth.write_csv if name.endswith(".csv") else synth.write_xlsx
        write(f, "placements", _rows(3))
        subs.append(Submission(f, f"placements/2024-10/{name}", "placements", "2024-10"))

    def fail(*_args, **_kwargs):
        raise raised("parser gave up")

    monkeypatch.setattr(reading, "_parse_csv", fail)
    monkeypatch.setattr(reading.fastexcel, "read_excel", fail)
    if raised is KeyboardInterrupt:
        with pytest.raises(KeyboardInterrupt):
            read_files(subs)
        with pytest.raises(KeyboardInterrupt):
            read_raw(subs[2].path, "placements")
        return
    want = zh.FILE_ERRORS["unreadable"].format(detail=raised.__name__)
    for sub, (_, digest, got) in zip(subs, read_files(subs), strict=True):
        assert isinstance(got, LedgerFileError) and digest, sub.rel
        assert (got.code, got.reason) == ("unreadable", want), sub.rel
        assert isinstance(got.__cause__, raised)
        with pytest.raises(LedgerFileError) as alone:
            read_raw(sub.path, sub.kind)
        assert alone.value.reason == want


def _same_as_file_by_file(subs) -> int:
    """read_files (files of one header parsed together) gives every file what reading it
    alone gives: rows, row numbers, header row, titles, unknown columns, or the same
    reason. Returns how many files were compared."""
    together = read_files(subs)
    for sub, (_, digest, got) in zip(subs, together, strict=True):
        try:
            alone = read_raw(sub.path, sub.kind)
        except LedgerFileError as exc:
            assert isinstance(got, LedgerFileError), sub.rel
            assert got.reason == exc.reason, sub.rel
            continue
        assert not isinstance(got, LedgerFileError), (sub.rel, got)
        assert digest and len(got.sheets) == len(alone.sheets)
        for a, b in zip(got.sheets, alone.sheets, strict=True):
            assert a.frame.equals(b.frame), sub.rel
            assert (a.header_row, a.title_rows, a.unknown_columns, a.written_headers) == (
                b.header_row, b.title_rows, b.unknown_columns, b.written_headers
            ), sub.rel  # fmt: skip
    return len(subs)


def test_csv_files_read_together_as_each_alone_in_every_dialect(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, 1500, 2024, "csv", messy=0.3, seed=3, max_counties=4)
    subs = discover(raw)
    by_batch: dict = {}
    for sub in subs:
        by_batch.setdefault((sub.kind, sub.period), []).append(sub)
    assert sum(_same_as_file_by_file(batch) for batch in by_batch.values()) == len(subs)


def test_a_bad_file_among_files_of_one_header_fails_alone(tmp_path):
    """Files that share a header are parsed in one scan; a file the scan cannot take
    (a row with an unclosed quote, a header alone, a longer row first, a GBK file, the
    same columns in another order, the header row again among the rows) gets its own
    verdict and the others their rows."""
    folder = tmp_path / "placements" / "2024-10"
    folder.mkdir(parents=True)
    for i in range(4):
        synth.write_csv(folder / f"{i}.csv", "placements", _rows(3, seed=i), title="台账")
    good = (folder / "0.csv").read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    (folder / "4_quote.csv").write_text("".join(lines[:3]) + '"unclosed,' + lines[3])
    (folder / "5_header_only.csv").write_text("".join(lines[:2]))
    (folder / "6_long_row.csv").write_text("".join(lines[:2]) + lines[2].rstrip() + ",多,余\n")
    (folder / "7_gbk.csv").write_bytes(good.encode("gbk"))
    # a clerk pasted a second block under its own header row: that row is a data row
    (folder / "9_header_again.csv").write_text("".join(lines[:3]) + lines[1] + lines[3])
    # a quote opened in one file and closed in the next file's first row: the two read
    # as one file would lose a header row, which the repeated header above would make up
    # for if files were told apart by their header rows
    (folder / "3_opens.csv").write_text("".join(lines[:3]) + '"opens,' + lines[3])
    (folder / "3_shuts.csv").write_text("".join(lines[:2]) + 'shuts",' + lines[2])
    swapped = [ln.rstrip("\n").split(",") for ln in lines[1:]]  # header and rows
    (folder / "8_swapped.csv").write_text(
        lines[0] + "".join(",".join([r[1], r[0], *r[2:]]) + "\n" for r in swapped)
    )
    subs = discover(tmp_path, "placements")
    assert _same_as_file_by_file(subs) == 12
    (sub,) = [s for s in subs if s.rel.endswith("8_swapped.csv")]
    assert read_ledger(sub.path, "placements").sheets[0].frame["id_number"].to_list() == [
        r["id_number"] for r in _rows(3, seed=0)
    ]
