"""Blank ledgers for county bureaus: the header row, drop-downs for listed values, text
format for ID numbers, and an instructions sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines import zh
from pipelines.ledgers import spec
from pipelines.outputs import safe_output

TEMPLATE_ROWS = 2000  # rows that carry drop-downs and formats


def write_template(kind: str, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    title = zh.KIND_TITLES[kind]
    path = out_dir / zh.TEMPLATE["file"].format(title=title)
    wb = safe_output.workbook(path)
    font = {"font_name": zh.FONT, "font_size": 11}
    title_fmt = wb.add_format({**font, "bold": True, "font_size": 14, "align": "center"})
    req_fmt = wb.add_format(
        {
            **font,
            "bold": True,
            "bg_color": "#FCE4D6",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    opt_fmt = wb.add_format(
        {
            **font,
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    text_fmt = wb.add_format({**font, "num_format": "@"})
    date_fmt = wb.add_format({**font, "num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(zh.TEMPLATE["data_sheet"])
    fields = spec.fields(kind)
    legend_cols = 3 if len(fields) > 6 else 0  # the colour legend at the right of row 1
    ws.merge_range(
        0,
        0,
        0,
        len(fields) - 1 - legend_cols,
        zh.TEMPLATE["title_row"].format(title=title),
        title_fmt,
    )
    if legend_cols:
        ws.merge_range(
            0, len(fields) - legend_cols, 0, len(fields) - 1, zh.TEMPLATE["legend"],
            wb.add_format({**font, "font_size": 9, "align": "right", "valign": "vcenter"}),
        )  # fmt: skip
    ws.set_row(0, 24)
    ws.set_row(1, 46)  # three lines of header
    for c, f in enumerate(fields):
        ws.write_string(1, c, f.header(kind), req_fmt if f.required else opt_fmt)
        # narrow columns, headers wrapped: the whole ledger fits one landscape page wide
        width = min(max(8, len(f.header(kind)) + 3), 14)
        if f.type == "id":
            ws.set_column(c, c, 22, text_fmt)  # text, so Excel keeps all 18 digits
        elif f.type == "date":
            ws.set_column(c, c, 13, date_fmt)
        elif f.type in ("region", "region_any"):
            ws.set_column(c, c, max(width, 12), text_fmt)
        else:
            ws.set_column(c, c, width)
        values = (
            list(f.choices) if f.choices else (list(zh.FLAG_CHOICES) if f.type == "flag" else None)
        )
        if values:
            ws.data_validation(2, c, TEMPLATE_ROWS + 1, c, {
                "validate": "list", "source": values,
                "error_type": "warning" if f.open_choices else "stop",
            })  # fmt: skip
        elif f.type == "date":
            ws.data_validation(2, c, TEMPLATE_ROWS + 1, c, {
                "validate": "date", "criteria": "between", "minimum": date(2000, 1, 1),
                "maximum": date(2100, 12, 31), "error_type": "warning",
            })  # fmt: skip
    ws.freeze_panes(2, 0)
    _print_one_page_wide(ws, repeat_rows=(0, 1))

    help_ws = wb.add_worksheet(zh.TEMPLATE["help_sheet"])
    wrap = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    for r, line in enumerate(zh.TEMPLATE["general"]):  # across all three columns: unclipped
        help_ws.merge_range(r, 0, r, 2, line, wb.add_format({**font, "valign": "top"}))
    start = len(zh.TEMPLATE["general"]) + 1
    help_ws.write_row(start, 0, zh.TEMPLATE["help_header"], opt_fmt)
    rules = zh.TEMPLATE["rules"]
    for i, f in enumerate(fields, start=start + 1):
        if f.choices:
            rule = rules["choice"].format(choices="、".join(f.choices))
        else:
            rule = rules.get(f.type, rules["text"])
        if f.name == "origin_code":
            rule += zh.TEMPLATE["origin_note"]
        help_ws.write_row(
            i,
            0,
            [f.header(kind), zh.TEMPLATE["required" if f.required else "optional"], rule],
            wrap,
        )
    help_ws.set_column(0, 0, 26)
    help_ws.set_column(1, 1, 10)
    help_ws.set_column(2, 2, 70)
    _print_one_page_wide(help_ws, landscape=False)
    wb.close()
    return path


def _print_one_page_wide(ws, repeat_rows: tuple[int, int] | None = None, landscape=True) -> None:
    """A4, one page wide and as many long as it takes, the title and header on every page."""
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeat_rows:
        ws.repeat_rows(*repeat_rows)
