"""Size checks on an .xlsx before any sheet is expanded in memory.

calamine (behind fastexcel) allocates a sheet as one rectangle from its first to its last
cell. A 60 KB workbook can declare `A1:XFD1048576`, or hold one cell at A1 and one at
XFD1048576: 17 billion cells, and the reader panics or exhausts the machine. So before
fastexcel opens the file, the worksheet parts are read from the zip as a stream (never
more than MAX_SHEET_XML_BYTES each) and the sheet's extent is bounded from its XML: the
declared `<dimension>`, the largest row number and the widest column reference. A
workbook over a limit fails as a whole with a Chinese reason; nothing is expanded.

The limits are far above any county ledger (a national county's month is ~30,000 rows of
~20 columns) and far below what hurts a 24 GB machine.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

MAX_CELLS = 20_000_000  # rows x columns of one sheet's rectangle
MAX_SHEET_XML_BYTES = 512 << 20  # one worksheet part, uncompressed
MAX_OTHER_PART_BYTES = 256 << 20  # shared strings, styles, workbook.xml ...

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_ROW = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_WIDE_CELL = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{2,3})\d+"')
_CHUNK = 8 << 20


class SheetTooLarge(Exception):
    """`sheet` declares or holds more than the limits allow; `extent` says how much."""

    def __init__(self, sheet: str, extent: str):
        super().__init__(f"{sheet}: {extent}")
        self.sheet = sheet
        self.extent = extent


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_xlsx(path: Path) -> None:
    """Raise SheetTooLarge when a sheet of the workbook at `path` is too large to expand,
    zipfile.BadZipFile when it is no zip at all (encrypted workbooks and .xls are OLE
    files, not zips)."""
    with zipfile.ZipFile(path) as z:
        names = _sheet_names(z)
        for info in z.infolist():
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            limit = MAX_SHEET_XML_BYTES if is_sheet else MAX_OTHER_PART_BYTES
            sheet = names.get(info.filename, info.filename)
            if info.file_size > limit:
                raise SheetTooLarge(sheet, f"{info.file_size >> 20} MB XML")
            if is_sheet:
                _check_sheet(z, info, sheet)


def _check_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> None:
    max_row = max_col = 0
    read = 0
    tail = b""
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            read += len(chunk)
            if read > MAX_SHEET_XML_BYTES:  # a zip header may understate the size
                raise SheetTooLarge(sheet, f"> {MAX_SHEET_XML_BYTES >> 20} MB XML")
            data = tail + chunk
            if max_row == 0 and (dim := _DIMENSION.search(data)):
                _check_declared(sheet, dim)
            rows_here = _ROW.findall(data)
            if rows_here:
                max_row = max(max_row, max(int(r) for r in rows_here))
            if _WIDE_CELL.search(data):  # columns beyond Z: find the widest
                max_col = max(
                    max_col, *(column_number(c.decode()) for c in _WIDE_CELL.findall(data))
                )
            if max_row * max(max_col, 26) > MAX_CELLS:
                raise SheetTooLarge(sheet, f"{max_row:,} rows x {max(max_col, 26):,} columns")
            tail = data[-256:]  # a tag cut at the chunk border is seen whole next time


def _check_declared(sheet: str, dim: re.Match) -> None:
    first_col, first_row, last_col, last_row = (g.decode() if g else None for g in dim.groups())
    if not (first_col and first_row and last_col and last_row):
        return  # a single cell, or no reference at all
    rows = int(last_row) - int(first_row) + 1
    cols = column_number(last_col) - column_number(first_col) + 1
    if rows * cols > MAX_CELLS:
        raise SheetTooLarge(sheet, f"{first_col}{first_row}:{last_col}{last_row}")


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name, for the message (best effort: the part's own name
    when workbook.xml cannot be read)."""
    try:
        ns = {
            "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        }
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {
            r.get("Id"): str(
                PurePosixPath("xl") / r.get("Target", "").lstrip("/").removeprefix("xl/")
            )
            for r in rels
        }
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        return {
            targets.get(s.get(f"{{{ns['r']}}}id"), ""): s.get("name", "")
            for s in book.iterfind("m:sheets/m:sheet", ns)
        }
    except (KeyError, ElementTree.ParseError):
        return {}
