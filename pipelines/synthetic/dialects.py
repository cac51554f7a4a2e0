"""The one writer of ledger files, in every dialect counties really send.

Each dialect is one way of filling a ledger that DESIGN lists ("Real ledgers are
messy"): title rows (merged in Excel), 合计/小计 and 填表人 rows, blank rows, header
variants with full-width brackets, stray spaces and line breaks, full-width digits,
every date form (Excel serials and date cells, 2024/5/3, 2024-05-03, 2024.5.3,
2024年5月3日), every flag style (是/否, √/空, ✓/空, Y/N, Y/空, 1/0) for required and
optional flags alike, short county names in region columns, GBK and UTF-8-with-BOM CSV,
and workbooks with the ledger on several sheets. None of these may cost a row: a file
written in any dialect loads exactly its clean rows (tests/test_dialects.py).

`write_ledger` takes string rows under the canonical field names. The generator
(`generate.py`) calls it with frames; the sample script and the tests call it through
`synth.write_xlsx` / `synth.write_csv`, which turn row dicts into a frame and keyword
arguments into a `Dialect`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path

import polars as pl

from pipelines import zh
from pipelines.ledgers import spec
from pipelines.ledgers.regions import divisions, short_names
from pipelines.outputs import safe_output


@dataclass(frozen=True)
class Dialect:
    name: str = "plain"
    fmt: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"  # csv only: utf-8, utf-8-sig, gbk, gb18030
    titles: int = 0  # title rows above the header
    total: str | None = None  # a 合计 / 小计 row at the bottom
    footer: bool = False  # a 填表人 line under the table
    blank_after: int | None = None  # an empty row after this many data rows (per sheet)
    date_style: str = "iso"  # iso slash dot cn serial cell
    flag_style: str = "yesno"  # yesno tick check yn y 10
    header_variant: int = 0  # which wording of each header (zh.HEADERS lists them)
    decorated_headers: bool = False  # full-width brackets, stray spaces, line breaks
    fullwidth_digits: bool = False
    region_names: bool = False  # 金秀县 instead of 451324
    sheets: int = 1  # xlsx: the rows split over this many sheets (+ an instructions sheet)
    extra_column: str | None = None  # a column the contract does not know (联系电话)
    # what the 合计 row states when it is not the rows' count (a stale or filtered total)
    total_says: int | None = None

    @property
    def cells_as_given(self) -> bool:
        """True when every cell is written as the frame holds it (the fast CSV path)."""
        return (self.date_style, self.flag_style, self.fullwidth_digits, self.region_names) == (
            "iso", "yesno", False, False
        ) and self.blank_after is None and self.extra_column is None  # fmt: skip


DIALECTS = (
    Dialect("gbk-title-total-cn-dates", "csv", "gbk", titles=1, total="合计", date_style="cn",
            header_variant=1),
    Dialect("bom-slash-ticks-decorated", "csv", "utf-8-sig", date_style="slash", flag_style="tick",
            decorated_headers=True, blank_after=1),
    Dialect("utf8-dot-yn-fullwidth", "csv", date_style="dot", flag_style="yn",
            fullwidth_digits=True, footer=True),
    Dialect("gbk-serial-10-names", "csv", "gbk", date_style="serial", flag_style="10",
            region_names=True, total="小计"),
    Dialect("xlsx-merged-titles-serial-checks", "xlsx", titles=2, total="小计", date_style="serial",
            flag_style="check"),
    Dialect("xlsx-date-cells-10-names", "xlsx", date_style="cell", flag_style="10",
            header_variant=1, region_names=True, blank_after=1),
    Dialect("xlsx-sheets-y-fullwidth", "xlsx", sheets=3, flag_style="y", date_style="iso",
            fullwidth_digits=True, titles=1, footer=True),
    Dialect("xlsx-decorated-yn-cn", "xlsx", decorated_headers=True, flag_style="yn",
            date_style="cn", total="合计"),
)  # fmt: skip

# What each flag style writes for 是 and for 否.
FLAG_STYLES = {
    "yesno": ("是", "否"),
    "tick": ("√", ""),
    "check": ("✓", ""),
    "yn": ("Y", "N"),
    "y": ("Y", ""),
    "10": ("1", "0"),
}
_NUMBER_TYPES = ("int", "number", "year")
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def style_for(dialect: Dialect, kind: str, frame: pl.DataFrame) -> Dialect:
    """The dialect as it can be written for these rows: a style that leaves 否 blank
    needs a 是 somewhere in each required flag column (a column never marked is missing,
    DESIGN)."""
    if FLAG_STYLES[dialect.flag_style][1] == "":
        for f in spec.fields(kind):
            if f.type == "flag" and f.required and not (frame[f.name] == "是").any():
                return replace(dialect, flag_style="yesno")
    return dialect


def headers(kind: str, dialect: Dialect = Dialect()) -> list[str]:
    """The Chinese header row of `kind` as the dialect words it."""
    out = []
    for i, f in enumerate(spec.fields(kind)):
        names = zh.HEADERS[kind][f.name]
        h = names[dialect.header_variant % len(names)]
        if dialect.decorated_headers:
            h = h.replace("(", "（").replace(")", "）")
            if i % 3 == 0 and len(h) > 3:
                h = h[:2] + "\n" + h[2:]  # a line break typed inside the cell
            elif i % 3 == 1:
                h = f" {h} "
        out.append(h)
    return out + ([dialect.extra_column] if dialect.extra_column else [])


@cache
def _short_name(code: str) -> str:
    """A short name that resolves to `code` alone (金秀县 → 451324), else the code."""
    divs = divisions()
    full = divs.name(code) or ""
    for name in sorted(short_names(full) | {full}, key=len):
        if name.endswith(("县", "区", "市", "旗")) and divs.resolve(name) == [code]:
            return name
    return code


def _cell(field: spec.Field, value: str | None, dialect: Dialect) -> object:
    """One cell as the dialect writes it (str, int for serials, date for date cells).
    Values that are not the clean form (a flag written as √, a date as 2024.5.3) are
    written as given, so tests can put any raw text in a ledger."""
    if value is None or value == "":
        return None
    if field.type == "flag" and value in ("是", "否"):
        return FLAG_STYLES[dialect.flag_style][0 if value == "是" else 1] or None
    if field.type == "date":
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return value  # a deliberately unreadable date stays as written
        return {
            "iso": d.isoformat(),
            "slash": f"{d.year}/{d.month}/{d.day}",
            "dot": f"{d.year}.{d.month}.{d.day}",
            "cn": f"{d.year}年{d.month}月{d.day}日",
            "serial": (d - date(1899, 12, 30)).days,
            "cell": d,
        }[dialect.date_style]
    if field.type in ("region", "region_any") and dialect.region_names and value.isdigit():
        return _short_name(value)
    if field.type in _NUMBER_TYPES and dialect.fullwidth_digits:
        return value.translate(_FULLWIDTH)
    return value


def _number(value: str) -> int | float | None:
    """The number a clerk's Excel would hold for this text, if it is one."""
    try:
        return int(value)
    except ValueError:
        try:
            return float(value) if value.strip().lower() not in ("nan", "inf", "-inf") else None
        except ValueError:
            return None


def _table(kind: str, frame: pl.DataFrame, dialect: Dialect) -> list[list[object]]:
    fields = spec.fields(kind)
    rows = [
        [_cell(f, v, dialect) for f, v in zip(fields, row, strict=True)]
        for row in frame.select([f.name for f in fields]).iter_rows()
    ]
    if dialect.blank_after is not None and len(rows) > dialect.blank_after:
        rows.insert(dialect.blank_after, [None] * len(fields))
    return rows


def _trailer(dialect: Dialect, n: int) -> list[list[object]]:
    out: list[list[object]] = []
    if dialect.total:
        out.append([dialect.total, f"{n if dialect.total_says is None else dialect.total_says}人"])
    if dialect.footer:
        out.append(["填表人：", None, "审核人："])
    return out


def as_strings(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The kind's fields in contract order as strings; a field the frame lacks is empty."""
    return frame.select(
        [
            pl.col(f.name).cast(pl.String)
            if f.name in frame.columns
            else pl.lit(None, pl.String).alias(f.name)
            for f in spec.fields(kind)
        ]
    )


def write_ledger(
    path: Path,
    kind: str,
    frame: pl.DataFrame,
    dialect: Dialect = Dialect(),
    title: str | None = None,
    lost_digit_rows: frozenset[int] = frozenset(),
) -> None:
    """Write rows (canonical field names, string values) as a ledger in `dialect`. Rows in
    `lost_digit_rows` hold their ID as the float text Excel exports (4.52127E+17); in a
    workbook they become number cells. Those rows must be rejected."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = as_strings(kind, frame)
    header = headers(kind, dialect)
    titles = ([title] + [f"（{dialect.name}）"] * (dialect.titles - 1)) if dialect.titles else []
    if dialect.fmt == "csv":
        _write_csv(path, kind, frame, dialect, header, titles)
    else:
        _write_xlsx(path, kind, frame, dialect, header, titles, lost_digit_rows)


def _write_csv(
    path: Path,
    kind: str,
    frame: pl.DataFrame,
    dialect: Dialect,
    header: list[str],
    titles: list[str],
) -> None:
    """A CSV as WPS/Excel export it. A lost-digit ID is already its float text."""
    buf = io.StringIO()
    w = csv.writer(buf)  # lines end in \r\n, as Excel and WPS write them
    for t in titles:
        w.writerow([t])
    w.writerow(header)
    if dialect.cells_as_given:  # Polars writes the body: millions of rows in `generate`
        buf.write(frame.write_csv(include_header=False, line_terminator="\r\n"))
    else:
        w.writerows(["" if c is None else c for c in r] for r in _table(kind, frame, dialect))
    w.writerows(["" if c is None else c for c in r] for r in _trailer(dialect, frame.height))
    path.write_bytes(buf.getvalue().encode(dialect.encoding))


def _write_xlsx(
    path: Path,
    kind: str,
    frame: pl.DataFrame,
    dialect: Dialect,
    header: list[str],
    titles: list[str],
    lost_digit_rows: frozenset[int],
) -> None:
    """A clerk's workbook: merged titles, numbers and dates as cells, the rows on one or
    more sheets (then with an instructions sheet, as templates have)."""
    fields = spec.fields(kind)
    id_col = next((i for i, f in enumerate(fields) if f.type == "id"), None)
    number_cols = {i for i, f in enumerate(fields) if f.type in _NUMBER_TYPES}
    wb = safe_output.workbook(path, constant_memory=True)
    wb.set_properties({"created": datetime(2024, 1, 1)})  # byte-identical per seed
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    parts = max(1, min(dialect.sheets, frame.height))
    bounds = [round(i * frame.height / parts) for i in range(parts + 1)]
    row_index = 0
    for s in range(parts):
        ws = wb.add_worksheet(f"第{s + 1}部分" if parts > 1 else "Sheet1")
        r = 0
        for t in titles:
            if len(header) > 1:
                ws.merge_range(r, 0, r, len(header) - 1, t)
            else:
                ws.write_string(r, 0, t)
            r += 1
        ws.write_row(r, 0, header)
        part = frame.slice(bounds[s], bounds[s + 1] - bounds[s])
        for row in _table(kind, part, dialect):
            r += 1
            if all(c is None for c in row):
                continue
            for c, v in enumerate(row):
                if v is None:
                    continue
                if c == id_col and row_index in lost_digit_rows:
                    ws.write_number(r, c, float(v))  # a number cell, as Excel made it
                elif isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, int):
                    ws.write_number(r, c, v)
                elif c in number_cols and (n := _number(v)) is not None:
                    ws.write_number(r, c, n)
                else:
                    ws.write_string(r, c, str(v))
            row_index += 1
        for row in _trailer(dialect, part.height):
            r += 1
            for c, v in enumerate(row):
                if v is not None:
                    ws.write_string(r, c, v)
    if parts > 1:
        wb.add_worksheet(zh.TEMPLATE["help_sheet"]).write_string(0, 0, zh.TEMPLATE["general"][0])
    wb.close()
