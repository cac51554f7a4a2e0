"""Read one ledger file (.xlsx or .csv) into a frame of strings.

Finds the header row below any title rows, maps header variants to field names, numbers
rows as the clerk sees them in Excel, and drops blank, 合计/小计 and footer rows (counted,
not lost). Values stay strings here; normalise.py turns them into types.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import fastexcel
import numpy as np
import polars as pl

from pipelines import zh
from pipelines.ledgers import spec, xlsx_limits

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
ID_NUMERIC = "id_numeric_cell"  # xlsx only: the ID was typed into a number cell
_LEAD, _FILE, SHEET = "_lead", spec.BATCH_FILE, spec.SHEET
# Excel's own limit for one cell; a longer cell means the file is not what it claims
# (a CSV whose quotes are unbalanced swallows the rest of the file into one cell).
MAX_CELL_CHARS = 32_767
_LEAD_CELLS = 4  # leading cells that tell 合计 / footer rows from data
_TOTAL_RE = "^(" + "|".join(zh.TOTAL_ROW_MARKERS) + ")"
_FOOTER_RE = "^(" + "|".join(re.escape(p) for p in zh.FOOTER_ROW_PREFIXES) + ")"


class LedgerFileError(Exception):
    """The file as a whole cannot be read; `reason` is Chinese, for the clerk."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass
class RawLedger:
    """The ledger rows of one sheet (a CSV file is one sheet named "")."""

    kind: str
    sheet: str
    frame: pl.DataFrame  # canonical field names (str) + source_row (int)
    header_row: int  # 1-based, as Excel shows it
    skipped_blank: int = 0
    skipped_total: int = 0
    skipped_footer: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    title_rows: list[str] = field(default_factory=list)  # text above the header
    written_headers: dict[str, str] = field(default_factory=dict)  # field → header as written
    # the headers of the leading cells that are no field (序号 …), "" where a field is
    lead_headers: tuple[str, ...] = ()

    rows: int = 0  # data rows, set by shape_batch
    # the 合计/小计 rows as read (source_row, the leading cells and the fields), set by
    # shape_batch: what the clerk's own totals say (pipelines/ledgers/totals.py)
    totals: pl.DataFrame | None = None

    @property
    def rows_read(self) -> int:
        return self.rows


@dataclass
class LedgerFile:
    """A readable ledger file: its sheets that carry a ledger header of the kind, and the
    sheets that were looked at and not read, each with why (named in the file's log)."""

    sheets: list[RawLedger]
    other_sheets: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)


def _score_header(cells: list[object]) -> dict[str, int]:
    """How many distinct fields of each kind a candidate header row names."""
    return _score_cells(tuple(None if c is None else str(c) for c in cells))


@functools.lru_cache(maxsize=4096)
def _score_cells(cells: tuple[str | None, ...]) -> dict[str, int]:
    # Cached: a month's 2,000 county files share a handful of header and title rows.
    keys = {spec.normalise_header(c) for c in cells if c is not None}
    return {
        k: len({spec.header_lookup(k)[h] for h in keys if h in spec.header_lookup(k)})
        for k in spec.KINDS
    }


def _find_header(rows: list[list[object]], kind: str) -> tuple[int, dict[str, int]] | None:
    """The row naming the most fields, among the first HEADER_SCAN_ROWS; the scan stops
    two rows after the first acceptable header (a title row never names more fields)."""
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _score_header(row)
        if max(score.values()) >= MIN_HEADER_MATCHES and (
            best is None or max(score.values()) > max(best[1].values())
        ):
            best = (i, score)
        if best is not None and i >= best[0] + 2:
            break
    return best


def _check_kind(score: dict[str, int], kind: str) -> None:
    found = max(score, key=lambda k: score[k])
    if score[found] > score[kind]:
        raise LedgerFileError(
            "wrong_kind",
            zh.FILE_ERRORS["wrong_kind"].format(
                found=zh.KIND_TITLES[found], expected=zh.KIND_TITLES[kind]
            ),
        )


def no_header_error(kind: str) -> LedgerFileError:
    example = "、".join(f.header(kind) for f in spec.fields(kind) if f.required)
    return LedgerFileError("no_header", zh.FILE_ERRORS["no_header"].format(example=example))


def decode_csv(data: bytes) -> str:
    """The text of a CSV file (see _decode)."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, bytes]:
    """(text, the same text as UTF-8 bytes) for UTF-8 with or without BOM, or
    GBK/GB18030. A strict UTF-8 decode is a reliable test because GBK text is almost
    never valid UTF-8; GB18030 is a superset of GBK, so it reads WPS exports too. Only
    these encodings are allowed by the contract, so a general detector is not needed.
    UTF-8 input comes back as it is, so Polars reads the file's own bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise LedgerFileError("encoding", zh.FILE_ERRORS["encoding"]) from exc
    return text, text.encode("utf-8")


@dataclass(frozen=True)
class CsvHead:
    """A CSV ledger checked as a whole, its header found: what read_csv_files parses
    (files with the same header together)."""

    header_idx: int  # record index of the header (0-based): Excel's row header_idx + 1
    header: tuple[str, ...]  # the header record's cells: the frame's columns
    titles: list[str]  # text above the header
    body: bytes  # the file as UTF-8 from its header line on


def sniff_csv(data: bytes, kind: str) -> CsvHead:
    """Check a CSV file as a whole (encoding, line ends, cell length) and find its header
    among the first records; raise LedgerFileError with the clerk's reason."""
    if not data.strip():
        raise LedgerFileError("empty", zh.FILE_ERRORS["empty"])
    text, payload = _decode(data)
    if payload.count(b"\r") != payload.count(b"\r\n"):
        # A lone CR (an old Mac line end, or a stray one) ends a line for Python's csv
        # but not for Polars, which would silently glue two rows into one: a file with
        # one outside quotes is refused; inside quotes it is part of the cell.
        _parse_whole(text)
    if len(payload) > MAX_CELL_CHARS and _longest_line(payload) > MAX_CELL_CHARS:
        _parse_whole(text)  # a line that long may hold an over-long cell: find it
    # Python's csv finds the header among the first records (title rows have fewer
    # fields, which Polars' column-count inference would trip on).
    reader = csv.reader(io.StringIO(text))
    head: list[list[object]] = []
    line_after: list[int] = []  # physical lines consumed once each record is read
    try:
        for rec in reader:
            head.append(list(rec))
            line_after.append(reader.line_num)
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except csv.Error as exc:
        raise _csv_error(reader.line_num + 1, exc) from exc
    found = _find_header(head, kind)
    if found is None:
        raise no_header_error(kind)
    h, score = found
    _check_kind(score, kind)
    start = 0  # the header line's first byte: after the lines of the records above it
    for _ in range(line_after[h - 1] if h > 0 else 0):
        start = payload.index(b"\n", start) + 1
    return CsvHead(
        header_idx=h,
        header=tuple(str(c) for c in head[h]),
        titles=_titles(head[:h]),
        body=payload[start:] if start else payload,
    )


def _longest_line(payload: bytes) -> int:
    """Length of the longest line, found without splitting the file into line objects."""
    ends = np.flatnonzero(np.frombuffer(payload, dtype=np.uint8) == 0x0A)
    bounds = np.concatenate(([-1], ends, [len(payload)]))
    return int(np.diff(bounds).max()) - 1


def _parse_csv(body: bytes, columns: int) -> pl.DataFrame:
    """CSV text from a header line on, as strings: the header record is the first row
    (its cell count fixes the columns; a longer row is cut, a shorter one padded)."""
    try:
        return pl.read_csv(
            io.BytesIO(body),
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            new_columns=[f"c{i}" for i in range(columns)],
        )
    except pl.exceptions.PolarsError as exc:
        raise LedgerFileError(
            "bad_csv", zh.FILE_ERRORS["bad_csv"].format(line="?", detail=str(exc)[:80])
        ) from exc


def _read_csv(path: Path, kind: str) -> tuple[str, pl.DataFrame, int, list[str]]:
    head = sniff_csv(path.read_bytes(), kind)
    return "", _parse_csv(head.body, len(head.header)), head.header_idx, head.titles


def read_csv_files(files: list[tuple[str, CsvHead]]) -> list[LedgerFile | LedgerFileError]:
    """Parse sniffed CSV ledgers (kind, head), in order. Files of a kind with the same
    header are parsed as one text, their bodies one after another, and mapped once: a
    month's 2,000 small county files in one Polars call, not 2,000 (14 ms against 0.4 s
    for a month of workshops; a multi-file scan would open every file a second time).
    A numbered end line after each file tells where its rows stop. Files that do not
    come apart cleanly so (an unclosed quote running into the next file) are parsed one
    by one, so a bad file gets its own reason."""
    out: list[LedgerFile | LedgerFileError | None] = [None] * len(files)
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i, (kind, head) in enumerate(files):
        groups.setdefault((kind, head.header), []).append(i)
    for (kind, _), members in groups.items():
        _read_group(kind, [files[i][1] for i in members], out, members)
    for i, (kind, head) in enumerate(files):
        if out[i] is None:
            out[i] = read_or_reason(functools.partial(_read_csv_head, kind, head))
    return out  # type: ignore[return-value]


def _read_csv_head(kind: str, head: CsvHead) -> LedgerFile:
    frame = _parse_csv(head.body, len(head.header))
    return LedgerFile([_map_columns(kind, "", frame, head.header_idx, head.titles)])


def _read_group(kind: str, heads: list[CsvHead], out: list, where: list[int]) -> None:
    """Parse the bodies of files with one header as one text, each followed by a line
    `<token>:<j>` (the token is new each time, so no ledger holds it); fill out[where[j]]
    for file j. The end lines must come back as written, 0, 1, 2 …, and each file's
    first row must be its header: otherwise a file ran into the next (an unclosed quote
    swallows the end line), and each half is tried on its own (a bad file costs a few
    parses, not the month's speed), down to single files, left unset to be read alone
    with their own reason."""
    if len(heads) < 2:
        return
    token = f"#collabstats-end-of-file-{uuid.uuid4().hex}:"
    text = b"".join(
        (h.body if h.body.endswith(b"\n") else h.body + b"\n") + f"{token}{j}\n".encode()
        for j, h in enumerate(heads)
    )
    split = read_or_reason(
        functools.partial(_split_joined, text, len(heads[0].header), token, len(heads))
    )
    if split is None or isinstance(split, LedgerFileError):  # not clean, or no parse at all
        half = len(heads) // 2
        _read_group(kind, heads[:half], out, where[:half])
        _read_group(kind, heads[half:], out, where[half:])
        return
    frame, is_end, ends, starts = split
    header = frame.row(0)
    rows = ~is_end
    rows[starts] = False
    try:
        body, written, unknown, leads = _mapped_body(kind, header, frame.filter(pl.Series(rows)))
    except LedgerFileError as exc:
        for j in where:
            out[j] = exc
        return
    sizes = ends - starts - 1  # each file's rows under its header
    offset = 0
    for j, n, h in zip(where, sizes.tolist(), heads, strict=True):
        sheet = RawLedger(
            kind=kind,
            sheet="",
            frame=body.slice(offset, n),
            header_row=h.header_idx + 1,
            unknown_columns=list(unknown),
            title_rows=h.titles,
            written_headers=dict(written),
            lead_headers=leads,
        )
        out[j] = LedgerFile([sheet])
        offset += n


def _split_joined(text: bytes, n_cols: int, token: str, n_files: int) -> tuple | None:
    """Parse joined CSV bodies: (frame, is-end-line mask, end rows, header rows), or
    None when the end lines or the header rows do not come back as written."""
    frame = _parse_csv(text, n_cols)
    first = frame.get_column("c0")
    is_end = first.str.starts_with(token).fill_null(False).to_numpy()
    ends = np.flatnonzero(is_end)
    starts = np.append(0, ends[:-1] + 1)  # each file's header row
    clean = first.gather(ends).to_list() == [f"{token}{j}" for j in range(n_files)] and (
        frame[starts].unique().height == 1
    )
    return (frame, is_end, ends, starts) if clean else None


def _titles(rows: list) -> list[str]:
    # a bool is the numeric-ID mark of an xlsx row (ID_NUMERIC), not text of the title
    return [
        t
        for t in (
            " ".join(str(c) for c in r if c not in (None, "") and not isinstance(c, bool))
            for r in rows
        )
        if t
    ]


def _parse_whole(text: str) -> None:
    """Parse the whole text with Python's csv (strict about line ends) and the cell
    limit; raise the clerk's reason on the first problem. Only for files that need it."""
    reader = csv.reader(io.StringIO(text))
    try:
        for rec in reader:
            for cell in rec:
                if len(cell) > MAX_CELL_CHARS:
                    raise LedgerFileError(
                        "cell_too_long",
                        zh.FILE_ERRORS["cell_too_long"].format(
                            where=f"第{reader.line_num}行", limit=MAX_CELL_CHARS
                        ),
                    )
    except csv.Error as exc:
        raise _csv_error(reader.line_num + 1, exc) from exc


def _csv_error(line: int, exc: csv.Error) -> LedgerFileError:
    text = str(exc)
    if "field larger than field limit" in text:
        return LedgerFileError(
            "cell_too_long",
            zh.FILE_ERRORS["cell_too_long"].format(where=f"第{line}行附近", limit=MAX_CELL_CHARS),
        )
    if "new-line character" in text:
        return LedgerFileError("stray_newline", zh.FILE_ERRORS["stray_newline"].format(line=line))
    return LedgerFileError("bad_csv", zh.FILE_ERRORS["bad_csv"].format(line=line, detail=text[:80]))


def _read_xlsx(
    path: Path, kind: str
) -> tuple[list[tuple[str, pl.DataFrame, int, list[str]]], list]:
    """Every sheet that carries a header of `kind`: (sheet, frame from the header row on,
    header index); and (sheet, why) for the sheets not read."""
    if path.stat().st_size == 0:
        raise LedgerFileError("empty", zh.FILE_ERRORS["empty"])
    try:
        xlsx_limits.check_xlsx(path)  # before any sheet is expanded in memory
        reader = fastexcel.read_excel(str(path))
    except xlsx_limits.SheetTooLarge as exc:
        raise LedgerFileError(
            "too_large",
            zh.FILE_ERRORS["too_large"].format(sheet=exc.sheet, extent=exc.extent),
        ) from exc
    except Exception as exc:  # a bad zip, and the several types calamine raises
        raise LedgerFileError("not_xlsx", zh.FILE_ERRORS["not_xlsx"]) from exc
    read: list[tuple[str, pl.DataFrame, int, list[str]]] = []
    others: list[tuple[str, str]] = []
    wrong_kind: str | None = None
    for sheet_name in reader.sheet_names:
        # skip_rows=0 keeps leading blank rows, so row numbers match Excel's.
        sheet = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
        frame = sheet.to_polars()
        if frame.height == 0:
            others.append((sheet_name, zh.SHEET_NOTES["empty"]))
            continue
        found = _find_header(frame.head(HEADER_SCAN_ROWS).rows(), kind)
        if found is None:
            others.append((sheet_name, zh.SHEET_NOTES["no_header"]))
            continue
        h, score = found
        best = max(score, key=lambda k: score[k])
        if score[best] > score[kind]:
            wrong_kind = wrong_kind or best
            others.append(
                (sheet_name, zh.SHEET_NOTES["other_kind"].format(found=zh.KIND_TITLES[best]))
            )
            continue
        _check_cells(frame, sheet_name)
        # calamine drops leading empty columns; use_columns counts from column A
        offset = sheet.available_columns()[0].absolute_index
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        frame = frame.with_columns(
            _numeric_id_cells(reader, sheet_name, frame.row(h), kind, offset)
        )
        # The header is row h of the frame; feed it back as the first row like the CSV path.
        read.append((sheet_name, frame.slice(h), h, _titles(frame.head(h).rows())))
    if not read:
        if wrong_kind:
            raise LedgerFileError(
                "wrong_kind",
                zh.FILE_ERRORS["wrong_kind"].format(
                    found=zh.KIND_TITLES[wrong_kind], expected=zh.KIND_TITLES[kind]
                ),
            )
        if all(why == zh.SHEET_NOTES["empty"] for _, why in others):
            raise LedgerFileError("empty", zh.FILE_ERRORS["empty"])
        raise no_header_error(kind)
    return read, others


def _check_cells(frame: pl.DataFrame, sheet: str) -> None:
    longest = frame.select(pl.all().str.len_chars().max()).row(0)
    if any(n is not None and n > MAX_CELL_CHARS for n in longest):
        raise LedgerFileError(
            "cell_too_long",
            zh.FILE_ERRORS["cell_too_long"].format(
                where=f"工作表「{sheet}」", limit=MAX_CELL_CHARS
            ),
        )


def _numeric_id_cells(
    reader: fastexcel.ExcelReader, sheet: str, header: tuple, kind: str, offset: int
) -> pl.Series:
    """True where the ID cell is a number cell, i.e. Excel has already cut it to 15
    significant digits. Asking calamine for the column as boolean converts number cells
    and leaves text cells null, which tells the cell type apart without parsing XML."""
    lookup = spec.header_lookup(kind)
    idx = next(
        (i for i, c in enumerate(header) if lookup.get(spec.normalise_header(c)) == "id_number"),
        None,
    )
    if idx is None:
        return pl.lit(False).alias(ID_NUMERIC)
    col = reader.load_sheet(
        sheet, header_row=None, skip_rows=0, use_columns=[idx + offset], dtypes="boolean"
    ).to_polars()
    return col.to_series(0).is_not_null().alias(ID_NUMERIC)


def sniff_kind(path: Path) -> str | None:
    """The ledger kind whose headers a file's first rows match best, over all its sheets
    (for `check` on a file outside raw/); None when nothing looks like a ledger or the
    file cannot be read (reading it then says why)."""
    rows = read_or_reason(functools.partial(_first_rows, path))
    if isinstance(rows, LedgerFileError):
        return None
    best = max((_score_header(r) for r in rows), key=lambda s: max(s.values()), default=None)
    if not best or max(best.values()) < MIN_HEADER_MATCHES:
        return None
    return max(best, key=lambda k: best[k])


def _first_rows(path: Path) -> list:
    """The first HEADER_SCAN_ROWS rows of a CSV file, or of every sheet of a workbook."""
    if path.suffix.lower() == ".csv":
        reader = csv.reader(io.StringIO(decode_csv(path.read_bytes())))
        return list(itertools.islice(reader, HEADER_SCAN_ROWS))
    xlsx_limits.check_xlsx(path)
    book = fastexcel.read_excel(str(path))
    return [
        row
        for name in book.sheet_names
        for row in book.load_sheet(
            name, header_row=None, skip_rows=0, dtypes="string", n_rows=HEADER_SCAN_ROWS
        )
        .to_polars()
        .rows()
    ]


def read_raw(path: Path, kind: str) -> LedgerFile:
    """Read a ledger's sheets and map their columns, without cleaning rows (see
    `shape_batch`). Raises LedgerFileError, with the clerk's reason, for any problem
    with the file as a whole - whatever the parsers raise included."""
    got = read_or_reason(functools.partial(_read_raw, path, kind))
    if isinstance(got, LedgerFileError):
        raise got
    return got


_T = TypeVar("_T")


def read_or_reason(read: Callable[[], _T]) -> _T | LedgerFileError:
    """The one contract for reading a file: what `read()` returns, or why the file cannot
    be read. A LedgerFileError is returned as it is; Ctrl-C and exit go on up; anything
    else - whatever a parser raises, a pyo3 panic included, which is a BaseException -
    becomes the clerk's "unreadable" reason naming the exception's type, chained to it."""
    try:
        return read()
    except LedgerFileError as exc:
        return exc
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - see the docstring
        error = unreadable(exc)
        error.__cause__ = exc
        return error


def unreadable(exc: BaseException) -> LedgerFileError:
    return LedgerFileError(
        "unreadable", zh.FILE_ERRORS["unreadable"].format(detail=type(exc).__name__)
    )


def _read_raw(path: Path, kind: str) -> LedgerFile:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return LedgerFile([_map_columns(kind, *_read_csv(path, kind))])
    if suffix in (".xlsx", ".xlsm"):
        read, others = _read_xlsx(path, kind)
        return LedgerFile([_map_columns(kind, *sheet) for sheet in read], others)
    raise LedgerFileError("unsupported", zh.FILE_ERRORS["unsupported"])


def read_ledger(path: Path, kind: str) -> LedgerFile:
    """Read one ledger: header found, columns mapped, non-data rows dropped and counted.
    Raises LedgerFileError when the file as a whole is unusable."""
    ledger = read_raw(path, kind)
    shape_batch(kind, ledger.sheets)
    return ledger


@functools.lru_cache(maxsize=1024)
def _column_map(
    kind: str, columns: tuple[str, ...], header: tuple
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(frame column → field, field → its header as written, headers not known) for a
    header row; cached, as a month's county files share a handful of header rows. Raises
    for a missing required column."""
    lookup = spec.header_lookup(kind)
    mapping: dict[str, str] = {}
    written: dict[str, str] = {}  # field → its header as the clerk wrote it
    unknown: list[str] = []
    for col, cell in zip(columns, header, strict=False):
        if col == ID_NUMERIC:
            continue
        key = spec.normalise_header(cell)
        name = lookup.get(key)
        if name is not None and name not in mapping.values():
            mapping[col] = name
            written[name] = re.sub(r"\s+", "", str(cell))
        elif key:
            unknown.append(str(cell).strip())
    missing = [
        f.header(kind) for f in spec.fields(kind) if f.required and f.name not in mapping.values()
    ]
    if missing:
        raise LedgerFileError(
            "missing_columns", zh.FILE_ERRORS["missing_columns"].format(cols="、".join(missing))
        )
    return mapping, written, unknown


def _map_columns(
    kind: str, sheet: str, frame: pl.DataFrame, header_idx: int, titles: list[str]
) -> RawLedger:
    """First row of `frame` is the header; the rest are candidate data rows. Only cheap
    per-file work here: a rename and select (one file is often 30 rows; the cleaning
    and row classification run once per batch in shape_batch)."""
    body, written, unknown, leads = _mapped_body(kind, frame.row(0), frame.slice(1))
    return RawLedger(
        kind=kind,
        sheet=sheet,
        frame=body,
        header_row=header_idx + 1,
        unknown_columns=list(unknown),  # copies: the cached map is shared
        title_rows=titles,
        written_headers=dict(written),
        lead_headers=leads,
    )


def _mapped_body(
    kind: str, header: tuple, body: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, str], list[str], tuple[str, ...]]:
    """The rows under a header with their columns named as fields, the leading cells
    kept (for telling 合计 and footer rows) and the numeric-ID marks of an xlsx sheet;
    also the headers of the leading cells that are no field (a 合计 row's count may sit
    under 序号)."""
    mapping, written, unknown = _column_map(kind, tuple(body.columns), header)
    cells = [c for c in body.columns if c != ID_NUMERIC]
    # Plain Series picked and renamed, no query per file: for a 30-row ledger a query
    # would cost more than the reading. Row numbers, missing fields and the leading
    # cells are filled in once per batch by shape_batch.
    columns = [body.get_column(c).alias(n) for c, n in mapping.items()]
    columns += [body.get_column(c).alias(f"{_LEAD}{i}") for i, c in enumerate(cells[:_LEAD_CELLS])]
    if ID_NUMERIC in body.columns:
        columns.append(body.get_column(ID_NUMERIC))
    positions = {c: i for i, c in enumerate(body.columns)}
    leads = tuple(
        ""
        if c in mapping or positions[c] >= len(header)
        else re.sub(r"\s+", "", str(header[positions[c]] or ""))
        for c in cells[:_LEAD_CELLS]
    )
    return pl.DataFrame(columns, height=body.height), written, unknown, leads


def shape_batch(kind: str, ledgers: list[RawLedger], split: bool = True) -> pl.DataFrame:
    """Clean a batch of mapped ledgers in one pass: strip cells, drop blank, total
    (合计/小计) and footer (填表人…) rows, and count them (and the data rows) per file.
    Returns the data rows of the whole batch with a `_file` column (the ledger's index);
    with `split`, each ledger's frame also becomes its own data rows."""
    names = [f.name for f in spec.fields(kind)]
    sizes = [lg.frame.height for lg in ledgers]
    batch = pl.concat([lg.frame for lg in ledgers], how="diagonal_relaxed")
    leads = [f"{_LEAD}{i}" for i in range(_LEAD_CELLS) if f"{_LEAD}{i}" in batch.columns]
    # Row numbers as Excel shows them: a file's first data row follows its header.
    starts = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
    first = np.repeat([lg.header_row + 1 for lg in ledgers], sizes)
    batch = batch.with_columns(
        pl.Series(_FILE, np.repeat(np.arange(len(ledgers), dtype=np.int32), sizes)),
        pl.Series(
            SHEET,
            np.repeat(np.array([lg.sheet for lg in ledgers], dtype=object), sizes),
            dtype=pl.String,
        ),
        pl.Series("source_row", first + np.arange(len(batch)) - starts, dtype=pl.Int64),
        (
            pl.col(ID_NUMERIC).fill_null(False) if ID_NUMERIC in batch.columns else pl.lit(False)
        ).alias(ID_NUMERIC),
        *[
            pl.col(n).str.strip_chars().replace("", None)
            if n in batch.columns
            else pl.lit(None, pl.String).alias(n)
            for n in names
        ],
        # the leading cells as written, once as a column (three tests below read it)
        pl.concat_str([pl.col(c) for c in leads], separator="", ignore_nulls=True)
        .str.normalize("NFKC")
        .str.replace_all(r"[\s\u3000]", "")
        .alias(_LEAD),
    )
    lead = pl.col(_LEAD)
    # blank: no ledger field and none of the leading cells filled
    blank = pl.all_horizontal([pl.col(n).is_null() for n in names]) & (
        lead.is_null() | (lead == "")
    )
    row_class = (
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(lead.str.contains(_TOTAL_RE))
        .then(pl.lit("total"))
        .when(lead.str.contains(_FOOTER_RE))
        .then(pl.lit("footer"))
        .otherwise(pl.lit("data"))
    )
    classified = batch.with_columns(row_class.alias("_row_class"))
    counts = {(f, c): n for f, c, n in classified.group_by(_FILE, "_row_class").len().iter_rows()}
    data = classified.filter(pl.col("_row_class") == "data").select(
        _FILE, SHEET, "source_row", ID_NUMERIC, *names
    )
    # the 合计/小计 rows, a few per file, kept for reconciling (ledgers/totals.py)
    totals = classified.filter(pl.col("_row_class") == "total").select(
        _FILE, "source_row", _LEAD, *names, *leads
    )
    total_parts = totals.partition_by(_FILE, as_dict=True, include_key=False)
    parts = data.partition_by(_FILE, as_dict=True, include_key=False) if split else {}
    for i, lg in enumerate(ledgers):
        lg.rows = counts.get((i, "data"), 0)
        lg.skipped_blank = counts.get((i, "blank"), 0)
        lg.skipped_total = counts.get((i, "total"), 0)
        lg.skipped_footer = counts.get((i, "footer"), 0)
        lg.totals = total_parts.get((i,))
        if split:
            lg.frame = parts.get((i,), data.clear().drop(_FILE))
    return data
