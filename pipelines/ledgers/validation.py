"""Row validation as pandera schemas over Polars frames.

Each rule is (field, reason code, expression that is True where a row FAILS). The rules
of a kind become one pandera DataFrameSchema whose checks are named by field and reason;
`validate` runs it lazily (all failures at once) and turns pandera's failure cases into
rejections a clerk can act on: row, Chinese column header, masked value, Chinese reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from pipelines import zh
from pipelines.ledgers import pii, spec
from pipelines.ledgers.reading import ID_NUMERIC
from pipelines.ledgers.regions import county_codes, known_codes

FILE, SHEET = spec.BATCH_FILE, spec.SHEET  # a row is (file, sheet, row)

_DTYPES = {
    "name": pl.String, "id": pl.String, "text": pl.String, "choice": pl.String, "region": pl.String,
    "region_any": pl.String, "indicator": pl.String, "flag": pl.Boolean, "date": pl.Date,
    "int": pl.Int64, "number": pl.Float64, "year": pl.Int32,
}  # fmt: skip
_PARSE_REASON = {
    "date": "bad_date", "flag": "bad_flag", "int": "bad_number", "number": "bad_number",
    "year": "bad_number", "region": "region_unknown", "region_any": "region_unknown",
    "indicator": "indicator_unknown",
}  # fmt: skip

REJECTION_SCHEMA = {
    "source_sheet": pl.String,
    "source_row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason_code": pl.String,
    "reason": pl.String,
}


@dataclass(frozen=True)
class Context:
    """What a row is judged against: its reporting period."""

    period_end: date
    year: int


@dataclass(frozen=True)
class Rule:
    field: str
    reason: str
    fails: pl.Expr


# Facts about the ID number, computed once per frame before the checks run (each pandera
# check is its own query, so rules that share the check digit would otherwise each
# recompute it); dropped again from the valid rows.
ID_BODY, ID_LOST, ID_FORM_OK, ID_BIRTH_OK, ID_CHECK_OK = (
    "_id_body", "_id_lost", "_id_form_ok", "_id_birth_ok", "_id_check_ok"
)  # fmt: skip
ID_FACTS = (ID_BODY, ID_LOST, ID_FORM_OK, ID_BIRTH_OK, ID_CHECK_OK)


def with_id_facts(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    if "id_number" not in frame.columns:
        return frame
    idn, body = pl.col("id_number"), pl.col(ID_BODY)
    return frame.with_columns(pii.id_body(idn).alias(ID_BODY)).with_columns(
        pii.lost_digits(idn, pl.col(ID_NUMERIC), body).alias(ID_LOST),
        pii.well_formed(idn).fill_null(False).alias(ID_FORM_OK),
        pii.valid_birth_date(idn, ctx.period_end, body).alias(ID_BIRTH_OK),
        pii.valid_check_digit(idn, body).fill_null(False).alias(ID_CHECK_OK),
    )


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _raw(name: str) -> pl.Expr:
    return pl.col(f"raw__{name}")


def rules(kind: str, ctx: Context) -> list[Rule]:
    all_codes = known_codes()
    counties = county_codes()
    out: list[Rule] = []
    for f in spec.fields(kind):
        c, raw = _c(f.name), _raw(f.name)
        if f.required:
            # a flag left empty in a column filled √/空-style reads as 否 (normalise.py),
            # so for flags the typed value decides whether it is missing
            missing = raw.is_null() & c.is_null() if f.type == "flag" else raw.is_null()
            out.append(Rule(f.name, "required", missing))
        if f.type in _PARSE_REASON:
            out.append(Rule(f.name, _PARSE_REASON[f.type], raw.is_not_null() & c.is_null()))
        if f.type == "choice" and not f.open_choices:
            out.append(
                Rule(f.name, "not_in_list", c.is_not_null() & ~c.is_in(list(f.choices or ())))
            )
        if f.type == "date":
            out.append(Rule(f.name, "date_after_period", c > pl.lit(ctx.period_end)))
        if f.type in ("int", "number"):
            out.append(Rule(f.name, "negative", c < 0))
        if f.type in ("region", "region_any"):
            out.append(
                Rule(f.name, "region_unknown", c.is_not_null() & ~c.is_in(all_codes.implode()))
            )
        if f.type == "region":
            out.append(
                Rule(
                    f.name,
                    "region_not_county",
                    c.is_in(all_codes.implode()) & ~c.is_in(counties.implode()),
                )
            )
        if f.type == "year":
            out.append(Rule(f.name, "year_mismatch", c.is_not_null() & (c != ctx.year)))
        if f.type == "id":
            raw_present = raw.is_not_null()
            lost = raw_present & pl.col(ID_LOST)
            bad_len = raw_present & ~lost & ~pl.col(ID_FORM_OK)
            bad_birth = raw_present & ~lost & ~bad_len & ~pl.col(ID_BIRTH_OK)
            bad_check = raw_present & ~lost & ~bad_len & ~bad_birth & ~pl.col(ID_CHECK_OK)
            out += [
                Rule(f.name, "id_lost_digits", lost),
                Rule(f.name, "id_length", bad_len),
                Rule(f.name, "id_birth_date", bad_birth),
                Rule(f.name, "id_check_digit", bad_check),
            ]
    if kind in spec.PERSON_KINDS:
        # 户籍地 is required but may be derived from the ID's first six digits.
        derivable = _raw("origin_code").is_null() & pl.col(ID_FORM_OK)
        out.append(
            Rule(
                "origin_code",
                "region_from_id_unknown",
                derivable & ~_c("id_number").str.slice(0, 6).is_in(counties.implode()),
            )
        )
    for name, when_field, value in spec.REQUIRED_WHEN.get(kind, ()):
        out.append(Rule(name, "required_for", _raw(name).is_null() & (_c(when_field) == value)))
    for sub, total in spec.SUBTOTALS.get(kind, ()):
        # a negative total is its own error; comparing to it would only add noise
        out.append(Rule(sub, "subtotal_exceeds", (_c(sub) > _c(total)) & (_c(total) >= 0)))
    if kind == "trainings":
        out.append(Rule("end_date", "date_order", _c("end_date") < _c("start_date")))
        out.append(
            Rule(
                "attendance_days", "attendance_exceeds", _c("attendance_days") > _c("training_days")
            )
        )
    return out


def schema(kind: str, ctx: Context) -> pa.DataFrameSchema:
    """The pandera schema of one ledger kind for one reporting period."""
    by_field: dict[str, list[pa.Check]] = {f.name: [] for f in spec.fields(kind)}
    for r in rules(kind, ctx):
        expr = ~r.fails.fill_null(False)
        by_field[r.field].append(
            pa.Check(
                lambda data, e=expr: data.lazyframe.select(e),
                name=r.reason,
                error=f"{r.field}:{r.reason}",
            )
        )
    columns = {
        f.name: pa.Column(_DTYPES[f.type], nullable=True, checks=by_field[f.name], required=True)
        for f in spec.fields(kind)
    }
    return pa.DataFrameSchema(columns, name=kind, strict=False)


def _reason_text(kind: str, field: str, code: str, ctx: Context) -> str:
    f = spec.field(kind, field)
    total = dict(spec.SUBTOTALS.get(kind, ())).get(field)
    when = {n: (w, v) for n, w, v in spec.REQUIRED_WHEN.get(kind, ())}.get(field)
    return zh.REASONS[code].format(
        when_col=spec.header(kind, when[0]) if when else "",
        when=when[1] if when else "",
        col=f.header(kind),
        choices="、".join(f.choices or ()),
        period_end=ctx.period_end.isoformat(),
        total=spec.header(kind, total) if total else "",
        year=ctx.year,
    )


def validate(kind: str, frame: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a normalised frame into (valid rows, rejections). A row with several
    problems is one rejected row with several rejection lines."""
    valid, rejections = _validate(kind, with_id_facts(frame, ctx), ctx)
    return valid.drop(ID_FACTS, strict=False), rejections


def _validate(kind: str, frame: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    if SHEET not in frame.columns:  # a frame read from one CSV
        frame = frame.with_columns(pl.lit("").alias(SHEET))
    try:
        schema(kind, ctx).validate(frame, lazy=True)
        empty = pl.DataFrame(schema=REJECTION_SCHEMA)
        if FILE in frame.columns:
            empty = empty.with_columns(pl.lit(None, pl.Int32).alias(FILE)).select(
                FILE, *REJECTION_SCHEMA
            )
        return frame, empty
    except pa.errors.SchemaErrors as exc:
        # failure_case holds clear values (IDs!): it is never logged or kept.
        cases = exc.failure_cases.select("check", "index")
    if cases["index"].null_count():
        # A whole-column failure (wrong dtype) is a bug in normalise.py, not bad data.
        raise RuntimeError(
            f"schema-level validation failure for {kind}: {cases.filter(pl.col('index').is_null())['check'].to_list()}"
        )
    cases = cases.with_columns(
        pl.col("check").str.split_exact(":", 1).struct.rename_fields(["field", "code"])
    ).unnest("check")
    indexed = frame.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    batch = [c for c in (FILE,) if c in frame.columns]  # keeps a batch's file index
    rows = []
    for (field, code), grp in cases.group_by(["field", "code"]):
        raw = pl.col(f"raw__{field}")
        value = (
            pii.mask_id(raw)
            if field == "id_number"
            else pii.mask_name(raw)
            if field == "name"
            else raw.str.replace(r" 00:00:00$", "")  # a date cell reads back with a time
            if spec.field(kind, field).type == "date"
            else raw
        )
        picked = indexed.join(
            grp.select(pl.col("index").cast(pl.Int64).alias("_i")), on="_i", how="semi"
        ).select(
            *batch,
            SHEET,
            "source_row",
            pl.lit(spec.header(kind, field)).alias("column"),
            value.alias("value"),
            pl.lit(code).alias("reason_code"),
            pl.lit(_reason_text(kind, field, code, ctx)).alias("reason"),
        )
        rows.append(picked)
    rejections = pl.concat(rows).sort(*batch, SHEET, "source_row", "column")
    keys = [*batch, SHEET, "source_row"]
    return frame.join(
        rejections.select(keys).unique(), on=keys, how="anti", maintain_order="left"
    ), rejections
