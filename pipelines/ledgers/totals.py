"""What a ledger says about itself: the numbers in its own 合计/小计 rows and a count in
its title ("本月新增就业 312 人"), as *reported* figures to reconcile with what the
pipeline computed from the same file's rows (pipelines/database/reconcile.py).

Pure functions over what reading.py kept: a total row stays out of the data (DESIGN:
not a data row) but its numbers are read here. Each number becomes one reported cell:

- under a number field of the kind (吸纳就业人数, 输送人数, 月工资 …) it is that column's
  sum, under a flag (是否脱贫劳动力) the rows marked 是 (`measure` = the field);
- anywhere else (under 姓名 or 序号, in the marker cell "合计312人", in the title) it is
  the number of rows (`measure` = "rows").

Its scope is the data rows it covers: a 合计 row all rows above it on the sheet, a 小计
row those since the previous total row, a title the whole sheet. `read_value` is the same
measure over the scope's rows as read (rejected ones included), so a difference between
the total and what was loaded can be traced to rejections.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from pipelines import zh
from pipelines.ledgers import spec

ROWS = "rows"  # the measure of a count of rows
TITLE_ROW = 0  # source_row of a count found in the title rows (above the header)
WHOLE_SHEET = 2**62  # the last row in scope of a count about the whole file
SCHEMA = {
    "source_sheet": pl.String,
    "source_row": pl.Int64,
    "label": pl.String,  # 合计 / 小计 / 总计 / 标题
    "column_name": pl.String,  # the header as the clerk wrote it
    "measure": pl.String,
    "reported": pl.Float64,
    "scope_first_row": pl.Int64,
    "scope_last_row": pl.Int64,
}
SCHEMA_READ = SCHEMA | {"read_value": pl.Float64}

_UNITS = "人次|人|个|期|元|户|家|名|次|班|条|行"
# at most 9 digits: a longer number in a total row is a phone or ID number, never a total
# (and personal data stays out of the warehouse)
_NUMBER = re.compile(rf"^(?:共|计|为)?[:：]?(-?\d{{1,9}}(?:\.\d+)?)(?:{_UNITS})?$")
_MARKER = re.compile("^(" + "|".join(zh.TOTAL_ROW_MARKERS) + ")")
# a count in a title: "本月新增就业312人", "共 45 人次"; a year or a date is not one
_TITLE_COUNT = re.compile(r"(\d[\d,，]*)\s*(?:人次|人|名)")


def parse_count(text: object) -> float | None:
    """The number a total cell states ("312", "312人", "1,234", "共45人次"), else None."""
    if text is None:
        return None
    s = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", str(text)))
    m = _NUMBER.match(s)
    return float(m.group(1)) if m else None


def measured_fields(kind: str) -> dict[str, str]:
    """The fields whose 合计 measures the column: field → "sum" (numbers) or "yes"
    (flags: the rows marked 是)."""
    return {
        f.name: "sum" if f.type in ("int", "number") else "yes"
        for f in spec.fields(kind)
        if f.type in ("int", "number", "flag")
    }


def reported_cells(
    kind: str,
    sheet: str,
    totals: pl.DataFrame | None,
    written: dict[str, str],
    lead_headers: tuple[str, ...],
    titles: list[str],
    data_rows: tuple[int, int] | None,
) -> list[dict]:
    """The reported cells of one sheet. `totals` holds its 合计/小计 rows as read
    (source_row, `_lead` – the leading cells joined – the fields, `_lead0…`);
    `data_rows` the first and last data row numbers (None: no data rows)."""
    out: list[dict] = []
    measured = measured_fields(kind)
    # a number under a date, code or year column is not a count (a stray 2024, 451324)
    uncounted = {
        f.name for f in spec.fields(kind) if f.type in ("date", "region", "region_any", "year")
    }
    first = data_rows[0] if data_rows else 0
    previous = first - 1
    for row in totals.sort("source_row").iter_rows(named=True) if totals is not None else ():
        n = row["source_row"]
        lead = row.get("_lead") or ""
        label = _MARKER.match(lead).group(1) if _MARKER.match(lead) else zh.TOTAL_ROW_MARKERS[0]
        # 小计 covers the rows since the previous total row; 合计/总计 the whole sheet above
        scope = (previous + 1 if label == "小计" else first, n - 1)
        previous = n

        at = dict(source_sheet=sheet, source_row=n, label=label,
                  scope_first_row=scope[0], scope_last_row=scope[1])  # fmt: skip
        for name, header in written.items():
            if name in uncounted:
                continue
            text = row.get(name)
            if text is None or _MARKER.match(unicodedata.normalize("NFKC", str(text)).strip()):
                # the marker cell itself may carry the count: "合计：312人"
                rest = _MARKER.sub("", unicodedata.normalize("NFKC", str(text or "")).strip())
                value = parse_count(rest) if rest else None
                if value is not None:
                    out.append(at | dict(column_name=header, measure=ROWS, reported=value))
                continue
            value = parse_count(text)
            if value is not None:
                measure = name if name in measured else ROWS
                out.append(at | dict(column_name=header, measure=measure, reported=value))
        for i, header in enumerate(lead_headers):
            text = row.get(f"_lead{i}")
            if not header or text is None:
                continue  # a field's cell, read above
            text = unicodedata.normalize("NFKC", str(text)).strip()
            value = parse_count(_MARKER.sub("", text))
            if value is not None:
                out.append(at | dict(column_name=header, measure=ROWS, reported=value))
    for title in titles:
        # the title's count of rows, not its parts: "…312人，其中脱贫劳动力150人" states 312
        clauses = re.split(r"[,，;；。、]", unicodedata.normalize("NFKC", title))
        found = [m for c in clauses if "其中" not in c for m in _TITLE_COUNT.finditer(c)][:1]
        for m in found:
            value = parse_count(m.group(1))
            if value is not None:
                out.append(
                    dict(
                        source_sheet=sheet,
                        source_row=TITLE_ROW,
                        label=zh.TITLE_LABEL,
                        column_name=title,
                        measure=ROWS,
                        reported=value,
                        scope_first_row=first,
                        scope_last_row=data_rows[1] if data_rows else 0,
                    )
                )
    return out


def file_titles(cells: list[dict], sheets: int) -> list[dict]:
    """A workbook whose every sheet repeats one title states its count for the whole
    file: those title cells become one, with no sheet and every row in scope."""
    if sheets < 2:
        return cells
    titles: dict[tuple, list[dict]] = {}
    for c in cells:
        if c["source_row"] == TITLE_ROW:
            titles.setdefault((c["column_name"], c["reported"]), []).append(c)
    whole = {k for k, v in titles.items() if len({c["source_sheet"] for c in v}) == sheets}
    out = [
        c
        for c in cells
        if c["source_row"] != TITLE_ROW or (c["column_name"], c["reported"]) not in whole
    ]
    for column, value in sorted(whole):
        out.append(
            dict(source_sheet=None, source_row=TITLE_ROW, label=zh.TITLE_LABEL, column_name=column,
                 measure=ROWS, reported=value, scope_first_row=0, scope_last_row=WHOLE_SHEET)
        )  # fmt: skip
    return out


def with_read_values(kind: str, reported: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """`reported` (SCHEMA plus `_file`) with `read_value`: its measure over the rows
    of its scope as read. `rows` are the batch's typed data rows (`_file`,
    source_sheet, source_row and the kind's fields, typed by normalise)."""
    if reported.height == 0:
        return reported.with_columns(pl.lit(None, pl.Float64).alias("read_value"))
    measured = measured_fields(kind)
    fields = sorted(set(measured) & set(reported["measure"].unique()))
    keyed = reported.with_row_index("_cell")
    scoped = (
        keyed.select("_cell", spec.BATCH_FILE, "source_sheet", "scope_first_row", "scope_last_row")
        .join(
            rows.select(
                spec.BATCH_FILE,
                pl.col(spec.SHEET).alias("source_sheet"),
                pl.col("source_row").alias("_row"),
                *[pl.col(f).cast(pl.Float64) for f in fields],
            ),  # 是 → 1
            on=spec.BATCH_FILE,
            suffix="_of_row",
        )
        .filter(
            pl.col("_row").is_between("scope_first_row", "scope_last_row")
            # no sheet: a count about the whole file (file_titles)
            & (
                pl.col("source_sheet").is_null()
                | (pl.col("source_sheet") == pl.col("source_sheet_of_row"))
            )
        )
        .group_by("_cell")
        .agg(pl.len().cast(pl.Float64).alias(ROWS), *[pl.col(f).sum() for f in fields])
    )
    values = keyed.join(scoped, on="_cell", how="left")
    read = pl.lit(None, pl.Float64)
    for measure in (ROWS, *fields):
        read = pl.when(pl.col("measure") == measure).then(pl.col(measure)).otherwise(read)
    return values.with_columns(read.fill_null(0).alias("read_value")).select(
        spec.BATCH_FILE, *SCHEMA_READ
    )
