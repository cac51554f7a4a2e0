"""Turn a ledger's string cells into typed values, vectorised in Polars.

For every field `f` the output has `f` (typed; null when empty or unreadable) and
`raw__f` (the string as written, for rejection reports). Validation compares the two:
a value written but unreadable is an error, an empty one is only an error if required.
"""

from __future__ import annotations

import polars as pl

from pipelines import zh
from pipelines.ledgers import spec
from pipelines.ledgers.regions import divisions


def parse_date(expr: pl.Expr) -> pl.Expr:
    """Every date form ledgers use: Excel serials (45415), date cells read as
    `2024-05-03 00:00:00`, 2024/5/3, 2024-05-03, 2024.5.3, 2024年5月3日, 20240503."""
    s = expr.str.normalize("NFKC").str.strip_chars().str.split(" ").list.first()
    serial = s.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
    # Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 is passed (all real dates).
    from_serial = pl.when(serial.is_between(20000, 80000)).then(
        pl.date(1899, 12, 30) + pl.duration(days=serial)
    )
    ymd = s.str.replace_all(r"[年月./]", "-").str.replace(r"日$", "")
    parts = (
        pl.when(ymd.str.contains(r"^\d{8}$"))
        .then(ymd.str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3"))
        .otherwise(ymd)
        .str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    )
    iso = pl.concat_str(
        [
            parts.struct.field("1"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("3").str.zfill(2),
        ],
        separator="-",
    )
    return pl.coalesce(from_serial, iso.str.to_date("%Y-%m-%d", strict=False))


def flag_value(expr: pl.Expr) -> pl.Expr:
    """What a written flag says: True, False, or null (empty or unreadable)."""
    s = expr.str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    return (
        pl.when(s.is_in(list(zh.FLAG_TRUE)))
        .then(True)
        .when(s.is_in(list(zh.FLAG_FALSE)))
        .then(False)
    )


def blank_means_no(raw: pl.Expr) -> pl.Expr:
    """Whether an empty cell of this flag column means 否 (one boolean for the frame, or
    per group with `.over`). Yes when the column holds a tick-style mark (√ ✓ ✔ Y YES,
    the styles that leave 否 blank), or when it marks only the yes cases (some 是/1, never
    a 否/0). A column that writes both 是 and 否 leaves a blank as missing; a column never
    filled at all is missing too."""
    s = raw.str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    ticked = s.is_in(list(zh.CHECK_MARKS)).fill_null(False).any()
    says_yes = s.is_in(list(zh.FLAG_TRUE)).fill_null(False).any()
    says_no = s.is_in(list(zh.FLAG_FALSE)).fill_null(False).any()
    return ticked | (says_yes & ~says_no)


def parse_number(expr: pl.Expr) -> pl.Expr:
    s = expr.str.normalize("NFKC").str.strip_chars().str.replace_all(r"[,，\s元人]", "")
    return s.cast(pl.Float64, strict=False)


def parse_int(expr: pl.Expr) -> pl.Expr:
    n = parse_number(expr)
    return pl.when(n == n.floor()).then(n).cast(pl.Int64, strict=False)


def normalise_id(expr: pl.Expr) -> pl.Expr:
    return expr.str.normalize("NFKC").str.replace_all(r"[\s'\"]", "").str.to_uppercase()


def _region_codes(values: pl.Series) -> dict[str, str | None]:
    """Map written region values (codes or names) to a 6-digit code as written (not yet
    moved to its successor); names resolve only when unambiguous."""
    divs = divisions()
    out: dict[str, str | None] = {}
    for v in values.drop_nulls().unique().to_list():
        if len(v) == 6 and v.isdigit():
            out[v] = v
        else:
            hits = divs.resolve(v)
            out[v] = hits[0] if len(hits) == 1 else None
    return out


FILE, SHEET = spec.BATCH_FILE, spec.SHEET


def _via_uniques(frame: pl.DataFrame, col: str, expr: pl.Expr, name: str) -> pl.Series | None:
    """`expr` (over pl.col(col)) evaluated once per distinct value and joined back, when
    the column repeats itself enough to pay for the join; else None. Dates, flags,
    categories, region codes and amounts repeat heavily (365 dates in a month of 800k
    placements), and Unicode normalisation, regexes and date parsing are the cost."""
    values = frame.get_column(col)
    if values.n_unique() * _REPEAT > len(values):
        return None
    uniques = values.unique().to_frame()
    parsed = uniques.with_columns(expr.alias(name))
    return (
        values.to_frame()
        .join(parsed, on=col, how="left", nulls_equal=True, maintain_order="left")
        .get_column(name)
    )


_REPEAT = 4  # a column goes by its distinct values when each repeats 4 times on average


def normalise(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Typed columns beside raw__ copies of what was written."""
    exprs: list[pl.Expr | pl.Series] = []
    empty_is_no: list[pl.Expr] = []
    renamed = frame.rename({f.name: f"raw__{f.name}" for f in spec.fields(kind)})
    for f in spec.fields(kind):
        raw = pl.col(f"raw__{f.name}")
        if f.type == "date":
            e = parse_date(raw)
        elif f.type == "flag":
            # What each value says, by distinct value; then an empty cell means 否 where
            # the column is filled in the "mark the yes cases" style (blank_means_no).
            # Judged per file, as DESIGN says: a workbook's sheet whose persons are all 否
            # has no mark of its own, and its blanks still mean 否.
            style = blank_means_no(raw)
            style = style.over(FILE) if FILE in frame.columns else style
            empty_is_no.append(
                pl.when(raw.is_null() & style).then(False).otherwise(pl.col(f.name)).alias(f.name)
            )
            e = flag_value(raw)
        elif f.type == "int":
            e = parse_int(raw)
        elif f.type == "number":
            e = parse_number(raw)
        elif f.type == "year":
            e = (
                raw.str.normalize("NFKC")
                .str.extract(r"^\s*(\d{4})\s*年?\s*$", 1)
                .cast(pl.Int32, strict=False)
            )
        elif f.type == "id":
            e = normalise_id(raw)
        elif f.type in ("region", "region_any"):
            values = frame[f.name].unique().str.normalize("NFKC").str.strip_chars()
            mapping = _region_codes(values)
            e = (
                raw.str.normalize("NFKC")
                .str.strip_chars()
                .replace_strict(mapping, default=None, return_dtype=pl.String)
            )
        elif f.type == "indicator":
            mapping = {code: code for code in zh.INDICATORS} | zh.TARGET_INDICATOR_ALIASES
            e = (
                raw.str.normalize("NFKC")
                .str.strip_chars()
                .replace_strict(mapping, default=None, return_dtype=pl.String)
            )
        else:  # text, name, choice
            e = raw.str.normalize("NFKC").str.strip_chars().str.replace_all(r"[\r\n]+", " ")
        by_value = _via_uniques(renamed, f"raw__{f.name}", e, f.name)
        exprs.append(e.alias(f.name) if by_value is None else by_value)
    return renamed.with_columns(exprs).with_columns(empty_is_no)
