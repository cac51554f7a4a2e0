"""Text from ledgers stays text in every workbook and CSV the program writes.

A ledger cell such as `=HYPERLINK("http://…","点击查看")` or `=cmd|'/C calc'!A0` must
never come back to a clerk or an official as a live formula (CSV/formula injection).
XlsxWriter turns a string that starts with `=` into a formula and one that looks like a
URL into a link unless told not to; its own options switch both off. A CSV has no cell
types, so a text value that Excel or WPS would read as a formula gets a leading
apostrophe, as OWASP advises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def workbook(path: Path | str, **options: Any) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook that writes every string as a string."""
    return xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, **options})


def csv_text(value: object) -> object:
    """A text cell for a CSV: a leading apostrophe where a spreadsheet would see a
    formula. Numbers pass unchanged (write them as numbers, not text)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
