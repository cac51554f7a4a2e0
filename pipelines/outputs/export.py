"""Officials' workbook: one .xlsx per region and period in the shape of a Chinese
statistical report, plus a CSV per sheet (UTF-8 with BOM, opens in Excel/WPS).

Reads only the serving file. Values are written as numbers (no formulas); missing data
is shown as — with a note, never as 0.
"""

from __future__ import annotations

import calendar
import csv
import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import zh
from pipelines.database.alarms import alarms
from pipelines.ledgers.regions import divisions
from pipelines.outputs import safe_output
from pipelines.settings import ReportForm, report_form

PERCENT_UNITS = {"%"}
# The sheets that get more than their table, known by their first column's indicator.
_SHEET_OF = {columns[0][0]: name for name, _, columns in zh.REPORT_SHEETS}
EMPLOYMENT_SHEET = _SHEET_OF["employed_persons"]
TRAINING_SHEET = _SHEET_OF["training_classes"]
TARGET_SHEET = _SHEET_OF["employed_target"]
SUBSIDY_SHEET = _SHEET_OF["subsidy_training_amount"]
FOLLOWUP_SHEET = _SHEET_OF["followup_due_persons"]


class ExportError(Exception):
    """A report that cannot be made; the message is Chinese, for the user."""


@dataclass
class Report:
    region_code: str
    region_name: str
    region_level: str  # province / city / county
    period: str
    children: list[tuple[str, str]]  # (code, name) rows above 合计
    values: dict[tuple[str, str], float | None] = field(default_factory=dict)  # absent = no data
    units: dict[str, str] = field(default_factory=dict)
    # the region's own training figures by 培训项目: (programme, indicator) → value
    programmes: dict[tuple[str, str], float | None] = field(default_factory=dict)
    # the classes behind the subsidy figures, of the region's counties (subsidy_by_class):
    # (class_id, programme, county name, trainees, person-days, training, living, capped,
    # suspected repeats)
    subsidy_classes: list[tuple] = field(default_factory=list)
    # a county's persons overdue for follow-up services, masked (followup_overdue):
    # (county name, masked ID, masked name, class, 结业日期, recommendations, first
    # recommendation, visit, deadline, days overdue)
    overdue: list[tuple] = field(default_factory=list)
    has_metrics: bool = True  # False for a helper region (广州市): only its pairing sheet
    # pairings of the region and of the regions under it, as helper (pairing_metrics):
    # (pairing_type, helper_name, helper_code, recipient_names) → {indicator: value}
    pairings: dict[tuple[str, str, str, str], dict[str, float | None]] = field(default_factory=dict)
    # the ledgers' own totals that disagree with what was loaded, of the region's counties
    # (reconciliation): (county name, file, sheet, row, column, reported, loaded,
    # difference, cause, message)
    reconciliation: list[tuple] = field(default_factory=list)
    # the statistical alarms of the region's counties this month (metric_alarms):
    # (county name, indicator name, rule name, value, baseline, reason)
    alarms: list[tuple] = field(default_factory=list)

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    def value(self, code: str, indicator: str) -> tuple[bool, float | None]:
        key = (code, indicator)
        return (key in self.values, self.values.get(key))


def resolve_region(text: str) -> str:
    hits = divisions().resolve(text)
    if not hits:
        raise ExportError(zh.REPORT["unknown_region"].format(text=text))
    if len(hits) > 1:
        raise ExportError(zh.REPORT["ambiguous_region"].format(text=text, codes="、".join(hits)))
    return hits[0]


def load_report(serving_db: Path, region_code: str, period: str) -> Report:
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        return _build_report(_load_period(con, period), region_code, period)
    finally:
        con.close()


@dataclass
class _PeriodData:
    """The regions (code → name, level, province, city) and one period's metric rows by
    region: read once for all of a period's workbooks, not queried per workbook."""

    regions: dict[str, tuple[str, str, str | None, str | None]]
    metrics: dict[str, list[tuple[str, float | None, str]]]
    programmes: dict[str, list[tuple[str, str, float | None]]] = field(default_factory=dict)
    pairings: list[tuple[str, str, str, str, str, float | None]] = field(default_factory=list)
    subsidy_classes: list[tuple] = field(default_factory=list)
    overdue: dict[str, list[tuple]] = field(default_factory=dict)  # by county
    reconciliation: list[tuple] = field(default_factory=list)  # (county, file, …)
    alarms: list[tuple] = field(default_factory=list)  # (county, county name, indicator, …)


@functools.cache
def _all_regions() -> dict[str, tuple[str, str, str | None, str | None]]:
    """Every division in use, with its province and city, from the reference data the
    warehouse was built from. A workbook lists every child region of the one it is for,
    data or not: a county that sent nothing shows — in every column, which is what an
    official needs to see (dim_regions in the serving file holds only regions with data)."""
    divs = divisions()
    out: dict[str, tuple[str, str, str | None, str | None]] = {}
    for code, d in divs.by_code.items():
        if not d.in_use:
            continue
        parent = divs.parent(code)
        city = parent if parent and divs.level(parent) == "city" else None
        province = code[:2] + "0000" if d.level != "province" else None
        out[code] = (d.name, d.level, province, city)
    return out


def _load_period(con: duckdb.DuckDBPyConnection, period: str) -> _PeriodData:
    regions = _all_regions()
    metrics: dict[str, list[tuple[str, float | None, str]]] = {}
    for code, indicator, value, unit in con.execute(
        "select region_code, indicator, value, unit from metrics where period = ?", [period]
    ).fetchall():
        metrics.setdefault(code, []).append((indicator, value, unit))
    programmes: dict[str, list[tuple[str, str, float | None]]] = {}
    for code, programme, indicator, value in con.execute(
        "select region_code, programme, indicator, value from metrics_by_programme where period = ?",
        [period],
    ).fetchall():
        programmes.setdefault(code, []).append((programme, indicator, value))
    pairings = con.execute(
        "select pairing_type, helper_name, helper_code, recipient_names, indicator, value "
        "from pairing_metrics where period = ? and helper_code is not null "
        "order by helper_code, pairing_type",
        [period],
    ).fetchall()
    subsidy_classes = con.execute(
        "select region_code, class_id, programme, trainees, person_days, training_amount, "
        "living_amount, capped_person_times, suspected_repeat_person_times from subsidy_by_class "
        "where period = ? and (training_amount > 0 or living_amount > 0) order by region_code, class_id",
        [period],
    ).fetchall()
    overdue: dict[str, list[tuple]] = {}
    for county, *rest in con.execute(
        "select county_code, county_name, id_masked, name_masked, class_id, started_on, "
        "recommendations, first_recommended_on, visited_on, deadline, days_overdue "
        "from followup_overdue where period = ? order by county_code, days_overdue desc, id_masked",
        [period],
    ).fetchall():
        overdue.setdefault(county, []).append(tuple(rest))
    reconciliation = con.execute(
        "select region_code, regexp_extract(file, '[^/]+$'), sheet, row_number, column_name, "
        "reported, loaded_value, difference, cause, message from reconciliation "
        "where period = ? and differs order by region_code, file, sheet, row_number",
        [period],
    ).fetchall()
    found = [
        (
            a.region_code,
            a.region_name,
            a.indicator_name,
            a.rule_name,
            a.value,
            a.baseline,
            a.reason_zh,
        )
        for a in alarms(con, period)
    ]
    return _PeriodData(
        regions, metrics, programmes, pairings, subsidy_classes, overdue, reconciliation, found
    )


def _build_report(data: _PeriodData, region_code: str, period: str) -> Report:
    if region_code not in data.regions:
        raise ExportError(zh.REPORT["unknown_region"].format(text=region_code))
    name, level, _, _ = data.regions[region_code]
    if level == "province":
        # its cities, and counties directly under it (省直辖县级单位)
        children = [
            (c, n)
            for c, (n, lv, prov, city) in data.regions.items()
            if prov == region_code and (lv == "city" or (lv == "county" and city is None))
        ]
    elif level == "city":
        children = [
            (c, n)
            for c, (n, lv, _, city) in data.regions.items()
            if city == region_code and lv == "county"
        ]
    else:
        children = [(region_code, name)]
    pairings: dict[tuple[str, str, str, str], dict[str, float | None]] = {}
    for pairing_type, helper, helper_code, recipients, indicator, value in data.pairings:
        _, _, province, city = data.regions.get(helper_code, ("", "", None, None))
        if region_code in (helper_code, city, province):
            pairings.setdefault((pairing_type, helper, helper_code, recipients), {})[indicator] = (
                value
            )
    if region_code not in data.metrics and not pairings:
        raise ExportError(zh.REPORT["no_data"].format(region=name, period=period))
    report = Report(region_code, name, level, period, sorted(children))
    report.has_metrics = region_code in data.metrics
    report.pairings = pairings
    for county, *rest in data.subsidy_classes:
        _, _, province, city = data.regions.get(county, ("", "", None, None))
        if region_code in (county, city, province):
            class_id, programme, *figures = rest
            report.subsidy_classes.append((class_id, programme, data.regions[county][0], *figures))
    if level == "county":  # the list is for the county's own bureau
        report.overdue = data.overdue.get(region_code, [])
    for county, *rest in data.reconciliation:
        county_name, _, province, city = data.regions.get(county, (county or "", "", None, None))
        if region_code in (county, city, province):
            report.reconciliation.append((county_name, *rest))
    for county, *rest in data.alarms:
        _, _, province, city = data.regions.get(county, ("", "", None, None))
        if region_code in (county, city, province):
            report.alarms.append(tuple(rest))
    for code, _ in [*children, (region_code, name)]:
        for indicator, value, unit in data.metrics.get(code, []):
            report.values[(code, indicator)] = value
            report.units[indicator] = unit
    for programme, indicator, value in data.programmes.get(region_code, []):
        report.programmes[(programme, indicator)] = value
    return report


def base_name(report: Report) -> str:
    return zh.REPORT["file"].format(region=report.region_name, year=report.year, month=report.month)


# Sheets whose total row is the region's own figure, not the sum of the rows above:
# distinct persons (a person placed from two counties counts once in the city), and the
# region's own target with the rate computed from it.
_OWN_FIGURE_NOTES = {"employed_persons": "note_own_persons", "employed_target": "note_own_target"}


def _has_child_rows(report: Report) -> bool:
    return not (len(report.children) == 1 and report.children[0][0] == report.region_code)


def _own_figure_note(report: Report, columns) -> str | None:
    """The footnote of a total row that is the region's own figure (DESIGN, "Exports")."""
    if not _has_child_rows(report):
        return None
    indicators = [ind for ind, _ in columns]
    for ind, key in _OWN_FIGURE_NOTES.items():
        if indicators[0] == ind:
            return zh.REPORT[key].format(
                total=_total_label(report), unit=zh.REPORT["level_units"][report.region_level]
            )
    return None


def _total_label(report: Report) -> str:
    return zh.REPORT["total_rows"].get(report.region_level, zh.REPORT["total_row"])


def sheet_rows(
    report: Report, columns, marked: bool = False
) -> list[tuple[str, list[tuple[bool, float | None]]]]:
    """A sheet's rows: each child region, then the total row, with (present, value) per
    column. The dashboard shows the same rows."""
    rows = [
        (name, [report.value(code, ind) for ind, _ in columns]) for code, name in report.children
    ]
    label = _total_label(report) + (zh.REPORT["own_figure_mark"] if marked else "")
    rows.append((label, [report.value(report.region_code, ind) for ind, _ in columns]))
    return rows


def _header_label(label: str) -> str:
    """A header cell breaks before its unit, so a narrow column never wraps a lone ）
    onto a line of its own (稳岗就业基地数（个）)."""
    return label.replace("（", "\n（") if "（" in label and not label.startswith("（") else label


def write_workbook(
    report: Report, out_dir: Path, form: ReportForm | None = None
) -> tuple[Path, list[Path]]:
    """The official workbook: per sheet a merged title; 填报单位 and 截至 lines with the
    表号 / 制定机关 / 有效期至 block at the right; the header; the child regions and the
    total row (全市合计 …); notes; the footer line to sign; a chart on a page of its own."""
    form = form or report_form()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{base_name(report)}.xlsx"
    wb = safe_output.workbook(path, in_memory=True)  # no temporary files
    base = {"font_name": zh.FONT, "font_size": 11, "valign": "vcenter"}
    fmt = {
        "title": wb.add_format({**base, "font_size": 16, "bold": True, "align": "center"}),
        "meta": wb.add_format({**base}),
        "meta_c": wb.add_format({**base, "align": "center"}),
        "form": wb.add_format({**base, "font_size": 9}),
        "head": wb.add_format(
            {
                **base,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "border": 1,
                "bg_color": "#F2F2F2",
            }
        ),
        "name": wb.add_format({**base, "border": 1}),
        "int": wb.add_format({**base, "border": 1, "num_format": "#,##0"}),
        "dec": wb.add_format({**base, "border": 1, "num_format": "#,##0.00"}),
        "pct": wb.add_format({**base, "border": 1, "num_format": "0.00%"}),
        "missing": wb.add_format({**base, "border": 1, "align": "center"}),
        "total_name": wb.add_format({**base, "border": 1, "bold": True, "align": "center"}),
        "total_int": wb.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0"}),
        "total_pct": wb.add_format({**base, "border": 1, "bold": True, "num_format": "0.00%"}),
        "note": wb.add_format({**base, "font_size": 9, "text_wrap": False}),
    }
    csvs: list[Path] = []
    sheets = zh.REPORT_SHEETS if report.has_metrics else ()
    for sheet_no, (sheet_name, topic, columns) in enumerate(sheets, start=1):
        ws = wb.add_worksheet(sheet_name)
        ncols = len(columns) + 1
        title = zh.REPORT["title"].format(region=report.region_name, topic=topic)
        header_row = _sheet_head(ws, fmt, report, form, sheet_no, title, ncols)
        first_row = header_row + 1
        header = [zh.REPORT["region_col"], *[label for _, label in columns]]
        ws.write_row(header_row, 0, [_header_label(h) for h in header], fmt["head"])
        ws.set_row(header_row, 36)
        own_note = _own_figure_note(report, columns)
        rows = sheet_rows(report, columns, marked=own_note is not None)
        any_missing = False
        for r, (name, cells) in enumerate(rows, start=first_row):
            is_total = r == first_row + len(rows) - 1
            ws.write_string(r, 0, name, fmt["total_name" if is_total else "name"])
            for c, ((ind, _), (present, value)) in enumerate(
                zip(columns, cells, strict=True), start=1
            ):
                pct = report.units.get(ind) in PERCENT_UNITS or ind.endswith(("_rate", "_share"))
                if not present or value is None:
                    any_missing = True
                    ws.write_string(r, c, zh.REPORT["missing"], fmt["missing"])
                elif pct:
                    ws.write_number(r, c, value / 100, fmt["total_pct" if is_total else "pct"])
                else:
                    ws.write_number(r, c, value, fmt["total_int" if is_total else "int"])
        notes = [own_note] if own_note else []
        if any_missing:
            notes.append(zh.REPORT["note_missing"])
        if sheet_name == TARGET_SHEET:
            notes.append(zh.REPORT["note_target"])
        last = first_row + len(rows)
        for i, note in enumerate(notes):
            ws.write_string(last + i, 0, note, fmt["note"])
        footer_row = last + len(notes) + 1
        if sheet_name == TRAINING_SHEET and report.programmes:
            footer_row = _programme_block(ws, report, fmt, footer_row) + 1
        if sheet_name == SUBSIDY_SHEET and report.subsidy_classes:
            footer_row = _subsidy_class_block(ws, report, fmt, footer_row) + 1
        if sheet_name == FOLLOWUP_SHEET and report.region_level == "county":
            footer_row = _overdue_block(ws, report, fmt, footer_row) + 1
        ws.write_string(footer_row, 0, zh.REPORT["footer"], fmt["meta"])
        name_width = max([len(n) for n, _ in rows] + [4]) * 2 + 2
        ws.set_column(0, 0, name_width)
        ws.set_column(1, ncols - 1, 14)
        if sheet_name == FOLLOWUP_SHEET and report.overdue:  # the list's dates and IDs
            ws.set_column(1, len(zh.REPORT["overdue_columns"]) - 1, 18)
        _print_setup(ws, header_row)
        _add_chart(wb, ws, sheet_name, report, columns, first_row, chart_row=footer_row + 2)
        csvs.append(_write_csv(out_dir, report, sheet_name, header, rows, columns))
    if report.pairings:
        _pairing_sheet(wb, fmt, report, form, len(zh.REPORT_SHEETS) + 1)
    if report.reconciliation or report.alarms:
        _checks_sheet(wb, fmt, report, form, len(wb.worksheets()) + 1)
    wb.close()
    return path, csvs


def _sheet_head(
    ws, fmt, report: Report, form: ReportForm, sheet_no: int, title: str, ncols: int
) -> int:
    """The merged title; 填报单位 and 截至 lines with the 表号 / 制定机关 / 有效期至 block at the
    right. Returns the header row."""
    day = calendar.monthrange(report.year, report.month)[1]
    block = 2 if ncols >= 5 else 1  # columns of the 表号 block at the right
    left_end = ncols - block - 1
    ws.merge_range(0, 0, 0, ncols - 1, title, fmt["title"])
    ws.set_row(0, 30)
    lines = (
        zh.REPORT["unit_line"].format(region=report.region_name),
        zh.REPORT["as_of"].format(year=report.year, month=report.month, day=day),
        "",
    )
    form_lines = [
        t.format(
            number=form.form_number,
            sheet=sheet_no,
            authority=form.authority,
            valid_until=form.valid_until,
        )
        for t in zh.REPORT["form_block"]
    ]
    for r, (line, form_line) in enumerate(zip(lines, form_lines, strict=True), start=1):
        style = fmt["meta_c"] if r == 2 else fmt["meta"]
        if left_end > 0:
            ws.merge_range(r, 0, r, left_end, line, style)
        else:
            ws.write_string(r, 0, line, style)
        if block > 1:
            ws.merge_range(r, ncols - block, r, ncols - 1, form_line, fmt["form"])
        else:
            ws.write_string(r, ncols - 1, form_line, fmt["form"])
    return 1 + len(lines)


def _print_setup(ws, header_row: int) -> None:
    ws.freeze_panes(header_row + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_row)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def _pairing_sheet(wb, fmt, report: Report, form: ReportForm, sheet_no: int) -> None:
    """结对帮扶: what the region, as helper, achieved for its partners — one row per pairing
    of it and of the regions under it, and its total over the union of all their
    recipients (persons distinct), from pairing_metrics."""
    columns = zh.REPORT_PAIRING_COLUMNS
    keys = [zh.REPORT["pairing_helper"], zh.REPORT["pairing_type"], zh.REPORT["pairing_recipients"]]
    ncols = len(keys) + len(columns)
    ws = wb.add_worksheet(zh.REPORT["pairing_sheet"])
    title = zh.REPORT["title"].format(region=report.region_name, topic=zh.REPORT["pairing_topic"])
    header_row = _sheet_head(ws, fmt, report, form, sheet_no, title, ncols)
    header = [*keys, *[label for _, label in columns]]
    ws.write_row(header_row, 0, [_header_label(h) for h in header], fmt["head"])
    ws.set_row(header_row, 36)
    total_type = zh.REPORT["pairing_total_type"]
    rows = [(k, v) for k, v in report.pairings.items() if k[0] != total_type]
    rows += [
        (k, v)
        for k, v in report.pairings.items()
        if k[0] == total_type and k[2] == report.region_code
    ]
    for r, ((pairing_type, helper, _, recipients), values) in enumerate(rows, start=header_row + 1):
        total = pairing_type == total_type
        label = zh.REPORT["pairing_total"].format(region=helper) if total else helper
        ws.write_string(r, 0, label, fmt["total_name" if total else "name"])
        ws.write_string(r, 1, "" if total else pairing_type, fmt["name"])
        ws.write_string(r, 2, recipients, fmt["name"])
        for c, (indicator, _) in enumerate(columns, start=len(keys)):
            value = values.get(indicator)
            if value is None:
                ws.write_string(r, c, zh.REPORT["missing"], fmt["missing"])
            elif indicator.endswith(("_rate", "_share")):
                ws.write_number(r, c, value / 100, fmt["total_pct" if total else "pct"])
            else:
                ws.write_number(r, c, value, fmt["total_int" if total else "int"])
    last = header_row + 1 + len(rows)
    ws.write_string(last, 0, zh.REPORT["note_pairing"], fmt["note"])
    ws.write_string(last + 2, 0, zh.REPORT["footer"], fmt["meta"])
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 36)
    ws.set_column(3, ncols - 1, 14)
    _print_setup(ws, header_row)


def _checks_sheet(wb, fmt, report: Report, form: ReportForm, sheet_no: int) -> None:
    """核对: where the counties' ledgers state totals (合计 rows, a count in the title)
    that differ from what was loaded from the same rows, and the likely cause; then the
    异常提示 block, the counties' figures implausible against their own history."""
    r = zh.RECONCILE
    columns = r["report_columns"]
    ws = wb.add_worksheet(r["report_sheet"])
    title = zh.REPORT["title"].format(region=report.region_name, topic=r["report_topic"])
    header_row = _sheet_head(ws, fmt, report, form, sheet_no, title, len(columns))
    ws.write_row(header_row, 0, list(columns), fmt["head"])
    numbers = {3, 5, 6, 7}  # row number, reported, loaded, difference
    for i, row in enumerate(report.reconciliation, start=header_row + 1):
        for c, value in enumerate(row):
            if c in numbers and value is not None:
                ws.write_number(i, c, value, fmt["int"])
            else:
                ws.write_string(i, c, "" if value is None else str(value), fmt["name"])
    last = header_row + 1 + len(report.reconciliation)
    ws.write_string(last, 0, r["report_note"], fmt["note"])
    footer_row = last + 2
    if report.alarms:
        footer_row = _alarm_block(ws, report, fmt, last + 2) + 1
    ws.write_string(footer_row, 0, zh.REPORT["footer"], fmt["meta"])
    for c, width in enumerate((10, 22, 10, 6, 14, 9, 9, 8, 14, 70)):
        ws.set_column(c, c, width)
    _print_setup(ws, header_row)


def _alarm_block(ws, report: Report, fmt: dict, row: int) -> int:
    """异常提示: the month's statistical alarms of the region's counties (metric_alarms),
    the largest first, each with its reason, laid over the 核对 table's columns (the
    figures and the reason span several of them). Returns the next free row."""
    ws.write_string(row, 0, zh.RECONCILE["alarms_title"], fmt["meta"])
    spans = ((0, 0), (1, 1), (2, 2), (3, 4), (5, 6), (7, 9))  # first, last column of each

    def cell(r: int, span: tuple[int, int], value, style) -> None:
        first, last = span
        if first == last:
            ws.write(r, first, value, style)
        else:
            ws.merge_range(r, first, r, last, value, style)

    for span, label in zip(spans, zh.RECONCILE["alarms_columns"], strict=True):
        cell(row + 1, span, label, fmt["head"])
    for r, (county, indicator, rule, value, baseline, reason) in enumerate(
        report.alarms, start=row + 2
    ):
        for span, text in zip(spans[:3], (county, indicator, rule), strict=True):
            cell(r, span, text, fmt["name"])
        for span, number in zip(spans[3:5], (value, baseline), strict=True):
            if number is None:
                cell(r, span, zh.REPORT["missing"], fmt["missing"])
            else:
                cell(r, span, number, fmt["int" if float(number).is_integer() else "dec"])
        cell(r, spans[5], reason, fmt["name"])
    return row + 2 + len(report.alarms)


def _subsidy_class_block(ws, report: Report, fmt: dict, row: int) -> int:
    """The 补贴测算 sheet's classes behind the figures: each class with subsidies due, per
    trainees' county - trainees, person-days, amounts, capped and suspected repeats."""
    ws.write_string(row, 0, zh.REPORT["subsidy_classes_title"], fmt["meta"])
    header = list(zh.REPORT["subsidy_classes_columns"])
    ws.write_row(row + 1, 0, [_header_label(h) for h in header], fmt["head"])
    ws.set_row(row + 1, 50)  # three lines of header
    for r, values in enumerate(report.subsidy_classes, start=row + 2):
        for c, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(r, c, value, fmt["name"])
            else:
                ws.write_number(r, c, value or 0, fmt["int"])
    return row + 2 + len(report.subsidy_classes)


def _overdue_block(ws, report: Report, fmt: dict, row: int) -> int:
    """A county's 就业服务跟踪 sheet: the persons overdue at the month end, masked, with
    what was done and when it was due (followup_overdue)."""
    ws.write_string(row, 0, zh.REPORT["overdue_title"], fmt["meta"])
    if not report.overdue:
        ws.write_string(row + 1, 0, zh.REPORT["overdue_none"], fmt["meta"])
        return row + 2
    header = list(zh.REPORT["overdue_columns"])
    ws.write_row(row + 1, 0, [_header_label(h) for h in header], fmt["head"])
    ws.set_row(row + 1, 36)
    for r, values in enumerate(report.overdue, start=row + 2):
        for c, value in enumerate(values):
            if value is None:
                ws.write_string(r, c, zh.REPORT["missing"], fmt["missing"])
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, fmt["int"])
            else:
                ws.write_string(r, c, str(value), fmt["name"])  # text, dates as 2024-09-22
    return row + 2 + len(report.overdue)


def _programme_block(ws, report: Report, fmt: dict, row: int) -> int:
    """The 培训 sheet's breakdown of the region's own figures by 培训项目 (the programmes
    with trainees, in the list's order, 其他 last), under the table. Returns the next free
    row."""
    ws.write_string(
        row, 0, zh.REPORT["programme_title"].format(region=report.region_name), fmt["meta"]
    )
    header = [zh.REPORT["programme_col"], *[label for _, label in zh.REPORT_PROGRAMME_COLUMNS]]
    ws.write_row(row + 1, 0, [_header_label(h) for h in header], fmt["head"])
    ws.set_row(row + 1, 36)
    order = [*zh.PROGRAMMES, zh.OTHER_PROGRAMME]
    present = sorted(
        {p for p, _ in report.programmes},
        key=lambda p: (order.index(p) if p in order else len(order), p),
    )
    for r, programme in enumerate(present, start=row + 2):
        ws.write_string(r, 0, programme, fmt["name"])
        for c, (indicator, _) in enumerate(zh.REPORT_PROGRAMME_COLUMNS, start=1):
            value = report.programmes.get((programme, indicator))
            if value is None:
                ws.write_string(r, c, zh.REPORT["missing"], fmt["missing"])
            elif indicator.endswith(("_rate", "_share")):
                ws.write_number(r, c, value / 100, fmt["pct"])
            else:
                ws.write_number(r, c, value, fmt["int"])
    return row + 2 + len(present)


def _add_chart(
    wb, ws, sheet_name: str, report: Report, columns, first_row: int, chart_row: int
) -> None:
    """Native charts where a picture says it faster: the three destinations by region, and
    目标完成率 by region, regions in the table's order. Data ranges are the child rows
    above the total. A chart starts a printed page, so it is never cut in two, nor
    printed under the repeated header rows."""
    n = len(report.children)
    if n < 2:
        return
    first, last = first_row, first_row + n - 1
    header_row = first_row - 1
    if sheet_name == EMPLOYMENT_SHEET:
        chart = wb.add_chart({"type": "column"})
        for ind in (
            "employed_guangdong_persons",
            "employed_other_east_persons",
            "employed_in_province_persons",
        ):
            c = 1 + [i for i, _ in columns].index(ind)
            chart.add_series(
                {
                    "name": [sheet_name, header_row, c],
                    "categories": [sheet_name, first, 0, last, 0],
                    "values": [sheet_name, first, c, last, c],
                }
            )
        chart.set_title(
            {"name": zh.REPORT["chart_destinations"], "name_font": {"name": zh.FONT, "size": 12}}
        )
    elif sheet_name == TARGET_SHEET:
        chart = wb.add_chart({"type": "bar"})
        c = len(columns)
        chart.add_series(
            {
                "name": [sheet_name, header_row, c],
                "categories": [sheet_name, first, 0, last, 0],
                "values": [sheet_name, first, c, last, c],
                "data_labels": {"value": True, "num_format": "0.00%"},
            }
        )
        chart.set_title(
            {"name": zh.REPORT["chart_target_rate"], "name_font": {"name": zh.FONT, "size": 12}}
        )
        chart.set_legend({"none": True})
        # a bar's length must be honest: the value axis starts at 0
        chart.set_x_axis({"min": 0, "num_format": "0%", "num_font": {"name": zh.FONT}})
        # a bar chart draws its first category at the bottom: reversed, it reads top-down
        # like the table
        chart.set_y_axis({"num_font": {"name": zh.FONT}, "reverse": True})
    else:
        return
    if sheet_name == EMPLOYMENT_SHEET:
        chart.set_x_axis({"num_font": {"name": zh.FONT}})
        chart.set_y_axis({"min": 0, "num_font": {"name": zh.FONT}})
    chart.set_size({"width": 720, "height": 320})
    ws.set_h_pagebreaks([chart_row])
    ws.insert_chart(chart_row, 0, chart)


def _write_csv(out_dir: Path, report: Report, sheet_name: str, header, rows, columns) -> Path:
    path = out_dir / f"{base_name(report)}_{sheet_name}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        labels = [header[0]] + [
            f"{label}(%)" if ind.endswith(("_rate", "_share")) else label
            for (ind, _), label in zip(columns, header[1:], strict=True)
        ]
        w.writerow([safe_output.csv_text(label) for label in labels])
        for name, cells in rows:
            w.writerow(
                [safe_output.csv_text(name)]
                + [
                    zh.REPORT["missing"]
                    if not ok or v is None
                    else (f"{v:.2f}" if float(v) != int(v) else int(v))
                    for ok, v in cells
                ]
            )
    return path


def export(serving_db: Path, region: str, period: str, out_dir: Path) -> tuple[Path, list[Path]]:
    if not serving_db.exists():
        raise ExportError(zh.REPORT["no_data"].format(region=region, period=period))
    report = load_report(serving_db, resolve_region(region), period)
    return write_workbook(report, out_dir)


# Workbooks are pure Python (XlsxWriter): a national month has ~330. From this many on,
# other processes (spawned: nothing of the caller's DuckDB or Dagster threads is forked)
# share them; fewer are not worth a process start.
PARALLEL_FROM = 60
# Workbooks per task. The workers take tasks from the front while this process writes
# from the back: a worker still starting leaves its share to this process, instead of
# everyone waiting for the slowest (as a fixed half each would).
CHUNK = 10


def export_all(
    serving_db: Path,
    out_dir: Path,
    period: str | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
) -> list[Path]:
    """Workbooks for every province and city with data in `period` (default: the latest),
    and every helper province or city of a pairing with figures then, in code order."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        period = period or con.execute("select max(period) from metrics").fetchone()[0]
        if period is None:
            return []
        # provinces and cities with data, and those that help others (their 结对帮扶 sheet)
        codes = [
            r[0]
            for r in con.execute(
                """
                select region_code from metrics
                where period = ? and region_level in ('province', 'city')
                union
                select helper_code from pairing_metrics
                where period = ? and helper_code like '%00'  -- a province or a city
                order by 1
                """,
                [period, period],
            ).fetchall()
        ]
    finally:
        con.close()
    workers = workers or ((os.cpu_count() or 1) if len(codes) >= PARALLEL_FROM else 1)
    if workers == 1:
        return list(_write_reports(serving_db, out_dir, period, codes).values())
    chunks = [codes[i : i + chunk] for i in range(0, len(codes), chunk)]
    written: dict[str, Path] = {}
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers - 1, mp_context=spawn) as pool:
        tasks = [pool.submit(_write_reports, serving_db, out_dir, period, c) for c in chunks]
        for share, task in zip(reversed(chunks), reversed(tasks), strict=True):
            if not task.cancel():  # a worker has it, and every chunk before it
                break
            written |= _write_reports(serving_db, out_dir, period, share)
        for share, task in zip(chunks, tasks, strict=True):
            if task.cancelled():
                continue
            try:
                written |= task.result()
            except BrokenProcessPool:  # a worker could not start (e.g. no importable
                # __main__, as under `python -`): write its chunk here
                written |= _write_reports(serving_db, out_dir, period, share)
    return [written[c] for c in codes]


def _write_reports(
    serving_db: Path, out_dir: Path, period: str, codes: list[str]
) -> dict[str, Path]:
    stat = serving_db.stat()
    data = _period_data(serving_db, period, (stat.st_ino, stat.st_mtime_ns))
    return {
        code: write_workbook(_build_report(data, code, period), out_dir / period)[0]
        for code in codes
    }


@functools.lru_cache(maxsize=1)
def _period_data(serving_db: Path, period: str, _version: tuple[int, int]) -> _PeriodData:
    """A period's data, read once per process for all its chunks (opening the file per
    region would cost as much as writing the workbooks).
    `_version` (inode, mtime) keys the cache: a published file replaces the old inode."""
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        return _load_period(con, period)
    finally:
        con.close()
