"""The county clerk's pre-submission check: the same reading and validation as a run,
on one file, with nothing stored (an in-memory database and a throwaway key)."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import settings, zh
from pipelines.database import store
from pipelines.ledgers import spec
from pipelines.ledgers.process import FileResult, Submission, process_file
from pipelines.ledgers.reading import LedgerFileError, no_header_error, read_raw, sniff_kind
from pipelines.outputs import safe_output


@dataclass
class CheckOutcome:
    result: FileResult
    problems: pl.DataFrame  # sheet, row, column, value (masked), reason
    report: Path | None
    # the file's own totals that disagree with what would be loaded (zh.RECONCILE["columns"]);
    # a warning for the clerk, never a failed check
    totals: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def ok(self) -> bool:
        return self.result.status == "loaded" and self.problems.height == 0


# 2024年11月 / 2024年1月 / 2024-11 / 2024.11 / 202411 in a file name or title row; the
# digits must stand alone (not inside an ID number or a longer code).
_PERIOD_IN_TEXT = re.compile(
    r"(?<!\d)(20\d{2})\s*(?:年\s*|[-._/]?)(0?[1-9]|1[0-2])(?:\s*月|(?!\d))"
)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})\s*年")


class CheckError(Exception):
    """The check cannot start; the message is for the clerk (Chinese)."""


def find_period(path: Path, kind: str, given: str | None = None) -> str | None:
    """The reporting period of a file to check: `given` (--period), else the folder name
    (raw/<kind>/<YYYY-MM>/), else the file name, else a title row above the header
    (2024年11月, 202411). None when none of them says; the check never assumes the
    current month. Targets: a year."""
    if given:
        return given
    wanted = spec.period_pattern(kind)
    if wanted.match(path.parent.name):
        return path.parent.name
    for text in _period_texts(path):
        text = unicodedata.normalize("NFKC", str(text))
        if kind == "targets" and (
            m := _YEAR_IN_TEXT.search(text) or re.search(r"(?<!\d)(20\d{2})(?!\d)", text)
        ):
            return m.group(1)
        if kind != "targets" and (m := _PERIOD_IN_TEXT.search(text)):
            return f"{m.group(1)}-{int(m.group(2)):02d}"
    return None


def _period_texts(path: Path):
    """The file name, then (only if asked for: it reads the whole file) the title rows."""
    yield path.stem
    yield from title_rows(path)


def title_rows(path: Path) -> list[str]:
    """The text of the rows above a ledger header (title rows), first sheet that has one."""
    try:
        ledger = read_raw(path, sniff_kind(path) or "placements")
    except LedgerFileError:
        return []
    return [t for sheet in ledger.sheets for t in sheet.title_rows]


def problem_list_folder(out_dir: Path | None, raw_dir: Path, checked: Path) -> Path:
    """Where the problem list goes: --out, else the current folder; never under raw/
    (the configured one) nor in the kind folder of a file checked where it lies
    (raw/<kind>/<period>/), where the next run would find it."""
    folder = (out_dir or Path.cwd()).resolve()
    forbidden = {raw_dir.resolve()}
    checked = checked.resolve()
    if checked.parent.parent.name in spec.KINDS:  # its kind folder: where runs look
        forbidden.add(checked.parent.parent)
    for raw in forbidden:
        if folder == raw or raw in folder.parents:
            raise CheckError(zh.CHECK["out_in_raw"].format(folder=folder))
    return folder


def check_file(
    path: Path,
    kind: str | None = None,
    period: str | None = None,
    out_dir: Path | None = None,
    raw_dir: Path | None = None,
) -> CheckOutcome:
    """Check one file as a run would. Raises CheckError when the period cannot be found
    or the problem list would land under raw/ (`raw_dir`, default the configured one)."""
    kind = (
        kind
        or (path.parent.parent.name if path.parent.parent.name in zh.KIND_TITLES else None)
        or sniff_kind(path)
    )
    if kind is None:  # nothing looks like a ledger: say why reading fails, if it does
        try:
            read_raw(path, "placements")
            reason = no_header_error("placements").reason
        except LedgerFileError as exc:
            reason = (
                exc.reason
                if exc.code not in ("wrong_kind",)
                else no_header_error("placements").reason
            )
        result = FileResult(
            Submission(path, path.name, "placements", ""), "", "failed", message=reason
        )
        return CheckOutcome(result, pl.DataFrame(), None)
    folder = problem_list_folder(out_dir, raw_dir or settings.paths().raw_dir, path)
    found = find_period(path, kind, period)
    if found is None:
        raise CheckError(zh.CHECK["no_period"].format(file=path.name))
    if not spec.period_pattern(kind).match(found):
        raise CheckError(zh.CHECK["bad_period"].format(period=found))
    period = found
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
    totals = conn.sql(
        "select source_sheet, source_row, label, column_name, reported, loaded_value, difference, "
        "cause, message from raw.reconciliation where cause_code <> 'agrees' "
        "order by source_sheet nulls first, source_row, column_name"
    ).pl()
    conn.close()
    problems.columns = list(zh.CHECK["columns"])
    totals.columns = list(zh.RECONCILE["columns"])
    report = None
    if problems.height or totals.height:
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / f"{path.stem}_{zh.CHECK['sheet']}.xlsx"
        write_problems(report, problems, totals)
    return CheckOutcome(result, problems, report, totals)


def write_problems(path: Path, problems: pl.DataFrame, totals: pl.DataFrame | None = None) -> None:
    """The problem list: the rejected rows, and (a second sheet) the file's own totals
    that disagree with what would be loaded."""
    wb = safe_output.workbook(path)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": zh.FONT})
    cell = wb.add_format({"border": 1, "font_name": zh.FONT, "text_wrap": True})
    sheets = [(zh.CHECK["sheet"], problems, (10, 8, 18, 24, 60))]
    if totals is not None and totals.height:
        sheets.append((zh.RECONCILE["sheet"], totals, (10, 6, 8, 16, 9, 9, 8, 14, 60)))
    for name, frame, widths in sheets:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, frame.columns, head)
        for r, row in enumerate(frame.iter_rows(), start=1):
            ws.write_row(r, 0, ["" if v is None else v for v in row], cell)
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, frame.height, len(frame.columns) - 1)
        ws.set_landscape()  # prints one page wide, the header row on every page
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
    wb.close()
