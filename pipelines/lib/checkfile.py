"""The county clerk's pre-submission check: the same reading and validation as a run,
on one file, with nothing stored (an in-memory database and a throwaway key)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

from pipelines.lib import store, zh
from pipelines.lib.ingest import FileResult, Submission, process_file
from pipelines.lib.reading import no_header_error, sniff_kind


@dataclass
class CheckOutcome:
    result: FileResult
    problems: pl.DataFrame  # sheet, row, column, value (masked), reason
    report: Path | None

    @property
    def ok(self) -> bool:
        return self.result.status == "loaded" and self.problems.height == 0


def guess_period(path: Path, kind: str) -> str:
    """The folder name when it is a period (raw/<kind>/<YYYY-MM>/), else this month."""
    folder = path.parent.name
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", folder) or (
        kind == "targets" and re.fullmatch(r"\d{4}", folder)
    ):
        return folder
    today = date.today()
    return str(today.year) if kind == "targets" else f"{today:%Y-%m}"


def check_file(
    path: Path, kind: str | None = None, period: str | None = None, out_dir: Path | None = None
) -> CheckOutcome:
    kind = (
        kind
        or (path.parent.parent.name if path.parent.parent.name in zh.KIND_TITLES else None)
        or sniff_kind(path)
    )
    if kind is None:
        result = FileResult(
            Submission(path, path.name, "placements", "0000-01"),
            "",
            "failed",
            message=no_header_error("placements").reason,
        )
        return CheckOutcome(result, pl.DataFrame(), None)
    period = period or guess_period(path, kind)
    sub = Submission(path=path, rel=path.name, kind=kind, period=period)
    result = process_file(sub, key=os.urandom(32), sha256="check")
    if result.status != "loaded":
        return CheckOutcome(result, pl.DataFrame(), None)
    # Duplicates inside the file are found by the same code as across files in a run.
    conn = duckdb.connect(":memory:")
    store.ensure_schema(conn)
    store.record(conn, result)
    store.resolve(conn, kind, {period})
    problems = conn.sql(
        "select sheet, source_row, column_name, value, reason from raw.rejected_rows order by sheet, source_row, column_name"
    ).pl()
    conn.close()
    problems.columns = list(zh.CHECK["columns"])
    report = None
    if problems.height:
        folder = out_dir or path.parent
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / f"{path.stem}_{zh.CHECK['sheet']}.xlsx"
        write_problems(report, problems)
    return CheckOutcome(result, problems, report)


def write_problems(path: Path, problems: pl.DataFrame) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(zh.CHECK["sheet"])
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": zh.FONT})
    cell = wb.add_format({"border": 1, "font_name": zh.FONT, "text_wrap": True})
    ws.write_row(0, 0, problems.columns, head)
    for r, row in enumerate(problems.iter_rows(), start=1):
        ws.write_row(r, 0, ["" if v is None else v for v in row], cell)
    for c, width in enumerate((10, 8, 18, 24, 60)):
        ws.set_column(c, c, width)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, problems.height, len(problems.columns) - 1)
    wb.close()
