"""One ledger file in, loaded rows and rejections out; no database here.

`process_file` reads, normalises, validates and pseudonymises one submission and
returns a FileResult; store.py writes results to DuckDB.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines import zh
from pipelines.ledgers import pii, spec, totals
from pipelines.ledgers.normalise import normalise
from pipelines.ledgers.reading import (
    CsvHead,
    LedgerFile,
    LedgerFileError,
    RawLedger,
    read_csv_files,
    read_or_reason,
    read_raw,
    shape_batch,
    sniff_csv,
    unreadable,
)
from pipelines.ledgers.regions import divisions, known_codes
from pipelines.ledgers.validation import REJECTION_SCHEMA, Context, validate

SUFFIXES = (".xlsx", ".xlsm", ".csv")

_DUCK_TYPES = {
    "text": "VARCHAR", "choice": "VARCHAR", "region": "VARCHAR", "region_any": "VARCHAR",
    "indicator": "VARCHAR", "flag": "BOOLEAN", "date": "DATE", "int": "BIGINT",
    "number": "DOUBLE", "year": "INTEGER",
}  # fmt: skip
_POLARS_TYPES = {
    "VARCHAR": pl.String, "BOOLEAN": pl.Boolean, "DATE": pl.Date, "BIGINT": pl.Int64,
    "DOUBLE": pl.Float64, "INTEGER": pl.Int32,
}  # fmt: skip


@dataclass(frozen=True)
class Submission:
    """A file under raw/: identified by its path relative to raw/."""

    path: Path
    rel: str
    kind: str
    period: str  # YYYY-MM, or YYYY for targets
    # Size and mtime as discover saw them (-1: not known). When both equal what the file
    # was loaded with, a run reuses its logged sha256 instead of reading it again.
    size: int = -1
    mtime_ns: int = -1

    @property
    def period_end(self) -> date:
        if self.kind == "targets":
            return date(int(self.period), 12, 31)
        y, m = map(int, self.period.split("-"))
        return date(y, m, calendar.monthrange(y, m)[1])

    @property
    def year(self) -> int:
        return int(self.period[:4])


@dataclass(frozen=True)
class Skipped:
    """Something under raw/ that is not a ledger: logged with status 'skipped' and the
    reason, so nothing there is passed over in silence."""

    rel: str  # path under raw/ ("placements/2024-13/" for a folder)
    kind: str  # the ledger folder it is in, or "other" at raw/'s top level
    period: str  # the folder it is in ("" when none)
    reason: str
    size: int = -1
    mtime_ns: int = -1


@dataclass
class Survey:
    submissions: list[Submission]
    skipped: list[Skipped]


# Top-level entries of raw/ that are not ledger folders but belong there.
RAW_EXTRAS = ("reference",)
PROBLEM_LIST_SUFFIX = f"_{zh.CHECK['sheet']}.xlsx"


def discover(
    raw_dir: Path, kind: str | None = None, periods: set[str] | None = None
) -> list[Submission]:
    """The ledger files of `survey`."""
    return survey(raw_dir, kind, periods).submissions


def survey(raw_dir: Path, kind: str | None = None, periods: set[str] | None = None) -> Survey:
    """Ledger files at raw/<kind>/<YYYY-MM>/<name> (targets: raw/targets/<YYYY>/<name>),
    sorted by path so runs are deterministic, with their size and mtime; and everything
    else found there, with why it is not read: folders not named as a period (2024-13,
    2024-1), other file types (.xls), sub-folders, the check's own problem lists, links
    that lead outside raw/. Excel's lock files (~$…) and dot-files are ignored. With
    `periods`, only those period folders are looked into (misnamed folders are reported
    by runs over every period). Folder rules are checked once per folder, not per file: a
    national year is 70,000+ files."""
    root = os.path.realpath(raw_dir)
    subs: list[Submission] = []
    skipped: list[Skipped] = []

    def skip(entry: os.DirEntry, rel: str, k: str, period: str, reason: str) -> None:
        st = entry.stat(follow_symlinks=False)
        skipped.append(Skipped(rel, k, period, reason, st.st_size, st.st_mtime_ns))

    for k in [kind] if kind else spec.KINDS:
        kind_dir = raw_dir / k
        if not kind_dir.is_dir():
            continue
        pattern = spec.period_pattern(k)
        folders = []
        with os.scandir(kind_dir) as entries:
            for e in entries:
                if _ignored(e.name):
                    continue
                if not _inside(e, root):
                    skip(e, f"{k}/{e.name}", k, "", zh.SKIPPED["outside"])
                elif not e.is_dir():
                    skip(e, f"{k}/{e.name}", k, "", zh.SKIPPED["no_period_folder"])
                elif not pattern.match(e.name):
                    if periods is None:
                        skip(e, f"{k}/{e.name}/", k, e.name, zh.SKIPPED["bad_folder"])
                elif periods is None or e.name in periods:
                    folders.append(e.name)
        for period in folders:
            folder = kind_dir / period
            with os.scandir(folder) as files:
                for e in files:
                    name = e.name
                    rel = f"{k}/{period}/{name}"
                    if _ignored(name):
                        continue
                    if e.is_symlink() and not _inside(e, root):
                        skip(e, rel, k, period, zh.SKIPPED["outside"])
                    elif e.is_dir():
                        skip(e, rel + "/", k, period, zh.SKIPPED["subfolder"])
                    elif name.endswith(PROBLEM_LIST_SUFFIX):
                        skip(e, rel, k, period, zh.SKIPPED["problem_list"])
                    elif not name.lower().endswith(SUFFIXES):
                        why = "xls" if name.lower().endswith(".xls") else "not_ledger"
                        skip(e, rel, k, period, zh.SKIPPED[why])
                    elif not e.is_file():  # a broken link, a device
                        skip(e, rel, k, period, zh.SKIPPED["not_ledger"])
                    else:
                        st = e.stat()
                        subs.append(
                            Submission(folder / name, rel, k, period, st.st_size, st.st_mtime_ns)
                        )
    return Survey(sorted(subs, key=lambda s: s.rel), sorted(skipped, key=lambda s: s.rel))


def strays(raw_dir: Path) -> list[Skipped]:
    """What lies at raw/'s top level besides the ledger folders (a folder `placement/`
    with a typo, a stray file), logged with kind 'other'."""
    if not raw_dir.is_dir():
        return []
    out = []
    with os.scandir(raw_dir) as entries:
        for e in entries:
            if _ignored(e.name) or e.name in spec.KINDS or e.name in RAW_EXTRAS:
                continue
            st = e.stat(follow_symlinks=False)
            rel = e.name + ("/" if e.is_dir() else "")
            out.append(
                Skipped(rel, "other", "", zh.SKIPPED["unknown_top"], st.st_size, st.st_mtime_ns)
            )
    return sorted(out, key=lambda s: s.rel)


def _ignored(name: str) -> bool:
    """Excel's lock files and hidden files are not anyone's submission."""
    return name.startswith(("~$", "."))


def _inside(entry: os.DirEntry, root: str) -> bool:
    """Whether an entry (through any links) stays inside raw/."""
    if not entry.is_symlink():
        return True
    target = os.path.realpath(entry.path)
    return target == root or target.startswith(root + os.sep)


def _ledger_name(name: str) -> bool:
    """A ledger's file name: .xlsx/.xlsm/.csv, not an Excel lock file or a hidden file."""
    return (
        not _ignored(name)
        and name.lower().endswith(SUFFIXES)
        and not name.endswith(PROBLEM_LIST_SUFFIX)
    )


def months_with_ledgers(raw_dir: Path) -> list[str]:
    """Sorted reporting months that hold at least one ledger of a monthly kind. Stops at
    a folder's first ledger: no listing or stat of every file (73,000 in a national
    year)."""
    months = set()
    for kind in spec.KINDS:
        kind_dir = raw_dir / kind
        if kind == "targets" or not kind_dir.is_dir():
            continue
        with os.scandir(kind_dir) as folders:
            for folder in folders:
                if (
                    folder.name in months
                    or not spec.MONTH.match(folder.name)
                    or not folder.is_dir()
                ):
                    continue
                with os.scandir(folder.path) as files:
                    if any(_ledger_name(e.name) and e.is_file() for e in files):
                        months.add(folder.name)
    return sorted(months)


def table_columns(kind: str) -> dict[str, str]:
    """Columns of the raw table of a kind (DuckDB types), in order. No names, no IDs:
    a pseudonym, and for spec.MASKED_KINDS the masked ID and name."""
    cols = {
        "load_id": "BIGINT",
        "source_path": "VARCHAR",
        "source_sheet": "VARCHAR",
        "source_row": "BIGINT",
        "period": "VARCHAR",
    }
    if kind in spec.PERSON_KINDS:
        cols |= {
            "person_key": "VARCHAR",
            "birth_year": "INTEGER",
            "sex": "VARCHAR",
            "origin_code": "VARCHAR",
            "origin_code_reported": "VARCHAR",
            "origin_derived": "BOOLEAN",
        }
    if kind in spec.MASKED_KINDS:
        cols |= {"id_masked": "VARCHAR", "name_masked": "VARCHAR"}
    for f in spec.fields(kind):
        if f.type in ("name", "id") or f.name == "origin_code":
            continue
        cols[f.name] = _DUCK_TYPES[f.type]
    return cols


NO_REJECTIONS = pl.DataFrame(schema=REJECTION_SCHEMA)  # shared: frames are never mutated
NO_REPORTED = pl.DataFrame(schema=totals.SCHEMA_READ)


@dataclass
class FileResult:
    sub: Submission
    sha256: str
    status: str  # loaded | failed
    message: str = ""
    sheet: str = ""
    rows_read: int = 0
    rows_skipped: int = 0
    loaded: pl.DataFrame | None = None
    rejections: pl.DataFrame = field(default_factory=lambda: NO_REJECTIONS)
    notes: list[str] = field(default_factory=list)
    # what the file's own 合计/小计 rows and title state (ledgers/totals.py)
    reported: pl.DataFrame = field(default_factory=lambda: NO_REPORTED)

    @property
    def rows_rejected(self) -> int:
        if self.rejections.height == 0:
            return 0
        return self.rejections.select(SHEET, "source_row").n_unique()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _current_codes(codes: pl.Series) -> dict[str, str]:
    divs = divisions()
    return {c: divs.current(c) or c for c in codes.drop_nulls().unique().to_list()}


FILE, SHEET = spec.BATCH_FILE, spec.SHEET
READ_THREADS = min(4, os.cpu_count() or 1)


def prepare(kind: str, valid: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Valid rows → the raw table's layout: IDs become keyed pseudonyms and derived
    fields; region codes move to the code in use today. Keeps the batch column `_file`
    and `_id_region_unknown` (for the file's notes) when present."""
    out = valid
    if kind in spec.PERSON_KINDS:
        idn = pl.col("id_number")
        out = out.with_columns(
            person_key=pii.pseudonymise(out["id_number"], key),
            birth_year=idn.str.slice(6, 4).cast(pl.Int32),
            sex=pl.when(idn.str.slice(16, 1).cast(pl.Int32) % 2 == 1)
            .then(pl.lit("M"))
            .otherwise(pl.lit("F")),
            origin_derived=pl.col("origin_code").is_null(),
            origin_code_reported=pl.coalesce("origin_code", idn.str.slice(0, 6)),
            _id_region_unknown=~idn.str.slice(0, 6).is_in(known_codes().implode()),
        )
        if kind in spec.MASKED_KINDS:
            out = out.with_columns(
                id_masked=pii.mask_id(idn), name_masked=pii.mask_name(pl.col("name"))
            )
        out = out.with_columns(
            origin_code=pl.col("origin_code_reported").replace_strict(
                _current_codes(out["origin_code_reported"]), default=None, return_dtype=pl.String
            )
        )
    for f in spec.fields(kind):
        if f.type in ("region", "region_any") and f.name != "origin_code":
            out = out.with_columns(
                pl.col(f.name).replace_strict(
                    _current_codes(out[f.name]), default=None, return_dtype=pl.String
                )
            )
    cols = table_columns(kind)
    present = [c for c in cols if c in out.columns]
    extra = [c for c in (FILE, "_id_region_unknown") if c in out.columns]
    return out.select([pl.col(c).cast(_POLARS_TYPES[cols[c]]) for c in present] + extra)


def _notes(ledger: LedgerFile, derived: int, odd: int) -> list[str]:
    """What a clerk should know about a loaded file: skipped rows, 户籍地 taken from the
    ID (`derived` rows), IDs whose region code is unknown (`odd`), unknown columns, and
    the sheets that were not read, with why."""
    notes: list[str] = []
    blank = sum(s.skipped_blank for s in ledger.sheets)
    total = sum(s.skipped_total for s in ledger.sheets)
    footer = sum(s.skipped_footer for s in ledger.sheets)
    if blank + total + footer:
        notes.append(zh.NOTES["skipped"].format(blank=blank, total=total, footer=footer))
    if derived:
        notes.append(zh.NOTES["origin_from_id"].format(n=derived))
    if odd:
        notes.append(zh.NOTES["id_region_unknown"].format(n=odd))
    unknown = list(dict.fromkeys(c for s in ledger.sheets for c in s.unknown_columns))
    if unknown:
        notes.append(zh.NOTES["unknown_columns"].format(cols="、".join(unknown)))
    if ledger.other_sheets:
        sheets = "、".join(f"「{name}」（{why}）" for name, why in ledger.other_sheets)
        notes.append(zh.SHEET_NOTES["summary"].format(sheets=sheets))
    return notes


def _per_file_counts(loaded: pl.DataFrame) -> tuple[dict[int, int], dict[int, int]]:
    """Per file index of a batch: rows whose 户籍地 came from the ID, rows whose ID
    region code is unknown (person kinds only)."""
    if "origin_derived" not in loaded.columns:
        return {}, {}
    sums = loaded.group_by(FILE).agg(
        pl.col("origin_derived").sum().alias("derived"),
        pl.col("_id_region_unknown").sum().alias("odd"),
    )
    return (
        dict(zip(sums[FILE].to_list(), sums["derived"].to_list(), strict=True)),
        dict(zip(sums[FILE].to_list(), sums["odd"].to_list(), strict=True)),
    )


Read = tuple[Submission, str, LedgerFile | LedgerFileError]


def read_files(subs: list[Submission], digests: dict[str, str] | None = None) -> list[Read]:
    """Hash and read submissions, in their order: (submission, sha256, the mapped ledger
    or why the file cannot be read). Two readers hash, check and find the headers
    (file reads, hashing and Polars release the GIL); CSV rows are then parsed by
    read_csv_files, many files per call; xlsx files are read whole by the readers."""
    digests = digests or {}

    def read_one(sub: Submission) -> tuple[str, LedgerFile | LedgerFileError | CsvHead]:
        """(sha256, the xlsx ledger read whole, a CSV file's head, or why not)."""
        csv = sub.path.suffix.lower() == ".csv"
        try:
            data = sub.path.read_bytes() if csv else b""
            digest = digests.get(sub.rel) or (
                hashlib.sha256(data).hexdigest() if csv else sha256_of(sub.path)
            )
        except OSError as exc:  # vanished or unreadable since discover saw it
            return "", LedgerFileError(
                "unreadable", zh.FILE_ERRORS["unreadable"].format(detail=exc.strerror)
            )
        if csv:
            return digest, read_or_reason(functools.partial(sniff_csv, data, sub.kind))
        return digest, read_or_reason(functools.partial(read_raw, sub.path, sub.kind))

    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        first = list(pool.map(read_one, subs))
    heads = [i for i, (_, got) in enumerate(first) if isinstance(got, CsvHead)]
    parsed = read_csv_files([(subs[i].kind, first[i][1]) for i in heads])
    ledgers = [got for _, got in first]
    for i, ledger in zip(heads, parsed, strict=True):
        ledgers[i] = ledger
    return [
        (sub, digest, ledger) for sub, (digest, _), ledger in zip(subs, first, ledgers, strict=True)
    ]


Member = tuple[Submission, LedgerFile]


def process_files(
    subs: list[Submission], key: bytes, digests: dict[str, str] | None = None
) -> list[FileResult]:
    """Read, validate and pseudonymise submissions, in their order. Files of one kind
    and period are validated as one batch (one pandera pass, one pseudonymisation
    pass), so 2,000 small county files cost about what one large file does. Never
    raises for bad input: an unreadable file is a FileResult with status 'failed' and a
    Chinese reason; should a batch fail for a reason no check foresaw, its files are
    processed one by one, so only the file at fault fails."""
    results: dict[str, FileResult] = {}
    groups: dict[tuple[str, str], list[Member]] = {}
    for sub, digest, ledger in read_files(subs, digests):
        if isinstance(ledger, LedgerFileError):
            results[sub.rel] = FileResult(sub, digest, "failed", message=ledger.reason)
            continue
        sheets = ", ".join(s.sheet for s in ledger.sheets if s.sheet)
        results[sub.rel] = FileResult(sub, digest, "loaded", sheet=sheets)
        groups.setdefault((sub.kind, sub.period), []).append((sub, ledger))
    for (kind, _period), members in groups.items():
        try:
            _process_batch(kind, members, key, results)
        except Exception:  # noqa: BLE001 - contained below, file by file
            for member in members:
                try:
                    _process_batch(kind, [member], key, results)
                except Exception as exc:  # noqa: BLE001 - this file fails, the run goes on
                    sub = member[0]
                    results[sub.rel] = FileResult(
                        sub,
                        results[sub.rel].sha256,
                        "failed",
                        message=unreadable(exc).reason,
                    )
    return [results[s.rel] for s in subs]


def _clerks_headers(kind: str, rejections: pl.DataFrame, sheets: list) -> pl.DataFrame:
    """Name a rejected cell's column as the clerk's own header row does, with the
    standard name beside it where they differ: 公民身份号码（身份证号码）."""
    labels = [
        (i, sheet.sheet, spec.header(kind, name), f"{written}（{spec.header(kind, name)}）")
        for i, sheet in sheets
        for name, written in sheet.written_headers.items()
        if spec.normalise_header(written) != spec.normalise_header(spec.header(kind, name))
    ]
    if not labels or rejections.height == 0:
        return rejections
    own = pl.DataFrame(
        labels,
        schema={FILE: pl.Int32, SHEET: pl.String, "column": pl.String, "_own": pl.String},
        orient="row",
    )
    return (
        rejections.join(own, on=[FILE, SHEET, "column"], how="left", maintain_order="left")
        .with_columns(pl.coalesce("_own", "column").alias("column"))
        .drop("_own")
    )


def _process_batch(
    kind: str, members: list[Member], key: bytes, results: dict[str, FileResult]
) -> None:
    """Validate and pseudonymise the files of one kind and period as one batch; fill in
    their FileResults. Rows are (file, sheet, row); the batch's `_file` is the file."""
    sheets = [(i, sheet) for i, (_, ledger) in enumerate(members) for sheet in ledger.sheets]
    frame = shape_batch(kind, [sheet for _, sheet in sheets], split=False)
    file_of_sheet = np.array([i for i, _ in sheets], dtype=np.int32)
    frame = frame.with_columns(pl.Series(FILE, file_of_sheet[frame[FILE].to_numpy()]))
    first = members[0][0]
    ctx = Context(period_end=first.period_end, year=first.year)
    typed = normalise(kind, frame)
    valid, rejections = validate(kind, typed, ctx)
    reported = _reported(kind, sheets, frame, typed)
    rejections = _clerks_headers(kind, rejections, sheets)
    loaded = prepare(kind, valid, key)
    derived, odd = _per_file_counts(loaded)
    loaded = loaded.drop("_id_region_unknown", strict=False)
    loaded_parts = loaded.partition_by(FILE, as_dict=True, include_key=False)
    rejected_parts = rejections.partition_by(FILE, as_dict=True, include_key=False)
    reported_parts = reported.partition_by(FILE, as_dict=True, include_key=False)
    no_rows, no_rejections = loaded.clear().drop(FILE), rejections.clear().drop(FILE)
    for i, (sub, ledger) in enumerate(members):
        notes = _notes(ledger, derived.get(i, 0), odd.get(i, 0))
        result = results[sub.rel]
        result.loaded = loaded_parts.get((i,), no_rows)
        result.rejections = rejected_parts.get((i,), no_rejections)
        result.reported = reported_parts.get((i,), NO_REPORTED)
        result.rows_read = ledger.rows_read
        result.rows_skipped = sum(
            s.skipped_blank + s.skipped_total + s.skipped_footer for s in ledger.sheets
        )
        result.notes = notes
        result.message = "；".join(notes)


def _reported(
    kind: str, sheets: list[tuple[int, RawLedger]], frame: pl.DataFrame, typed: pl.DataFrame
) -> pl.DataFrame:
    """The totals the batch's ledgers state about themselves, with their measure over
    the rows as read (`_file` = the file's index in the batch)."""
    spans = {
        (f, s): (lo, hi)
        for f, s, lo, hi in frame.group_by(FILE, SHEET)
        .agg(pl.col("source_row").min().alias("lo"), pl.col("source_row").max().alias("hi"))
        .iter_rows()
    }
    per_file: dict[int, list[dict]] = {}
    for i, sheet in sheets:
        per_file.setdefault(i, []).extend(
            totals.reported_cells(
                kind, sheet.sheet, sheet.totals, sheet.written_headers, sheet.lead_headers,
                sheet.title_rows, spans.get((i, sheet.sheet)),
            )
        )  # fmt: skip
    n_sheets = np.bincount([i for i, _ in sheets])
    cells = [
        {FILE: i} | cell
        for i, found in per_file.items()
        for cell in totals.file_titles(found, int(n_sheets[i]))
    ]
    if not cells:
        return NO_REPORTED.with_columns(pl.lit(None, pl.Int32).alias(FILE))
    reported = pl.DataFrame(cells, schema={FILE: pl.Int32, **totals.SCHEMA})
    return totals.with_read_values(kind, reported, typed)


def process_file(sub: Submission, key: bytes, sha256: str | None = None) -> FileResult:
    """One submission on its own (the pre-submission check, tests)."""
    return process_files([sub], key, {sub.rel: sha256} if sha256 else None)[0]
