"""Reconcile each ledger's own totals with what was loaded from the same rows.

A clerk's 合计 row says 312; the pipeline loaded 305 of the rows above it. This module
writes `raw.reconciliation`: per reported total (raw.reported_totals, written by the
ingest from ledgers/totals.py) the value loaded from its rows, the difference and its
likely cause, with a sentence for the clerk. It runs where the file's rows are settled –
at the end of store.resolve, after duplicates are rejected – so a run and the clerk's
`collabstats check` (which resolves its one file the same way) say the same thing.

It is per-file bookkeeping, like rows_loaded in the ingestion log, and never blocks
anything: a difference is a warning the data team and the county can act on.
"""

from __future__ import annotations

import polars as pl

from pipelines import zh
from pipelines.ledgers import totals

COLUMNS = """
    load_id BIGINT NOT NULL, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, period VARCHAR NOT NULL,
    source_sheet VARCHAR, source_row BIGINT, label VARCHAR, column_name VARCHAR,
    scope_first_row BIGINT, scope_last_row BIGINT, measure VARCHAR,
    reported DOUBLE, read_value DOUBLE, loaded_value DOUBLE,
    difference DOUBLE, rejected_rows BIGINT, cause_code VARCHAR NOT NULL, cause VARCHAR NOT NULL,
    message VARCHAR NOT NULL
"""
_KEY = ("load_id", "source_sheet", "source_row", "column_name", "measure")
# the date a row's month is judged by (a 合计 of "this month's" rows only)
_DATES = {
    "placements": "employment_date",
    "trainings": "start_date",
    "transports": "departure_date",
    "followups": "service_date",
}
_PERSONS = ("placements", "trainings", "followups")  # kinds with one person per row
_EPS = 0.005


def cause(
    reported: float,
    loaded: float,
    read: float,
    rejected: int,
    persons: int | None,
    in_month: int | None,
) -> str:
    """The likely reason a reported total differs from the loaded value (a code of
    zh.RECONCILE_CAUSES). `persons` and `in_month` are given for a count of rows only:
    the distinct persons and the rows dated in the reporting month among those loaded."""

    def same(a: float | None, b: float) -> bool:
        return a is not None and abs(a - b) < _EPS

    if same(loaded, reported):
        return "agrees"
    if rejected and loaded < reported <= read + _EPS:
        return "rejected"  # the total counts rows that were not loaded
    if persons is not None and same(float(persons), reported):
        return "persons"
    if in_month is not None and in_month < loaded and same(float(in_month), reported):
        return "other_months"
    return "filtered" if reported < read else "more"


def _number(value: float, measure: str) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text + (zh.RECONCILE["rows_unit"] if measure == totals.ROWS else "")


def message(row: dict, reasons: list[tuple[str, int]], period: str) -> str:
    """The sentence for the clerk: what the ledger says, what was counted, and why."""
    r = zh.RECONCILE
    where = (
        r["where_title"].format(column=row["column_name"])
        if row["label"] == zh.TITLE_LABEL
        else r["where_row"].format(
            sheet=r["where_sheet"].format(sheet=row["source_sheet"]) if row["source_sheet"] else "",
            row=row["source_row"],
            label=row["label"],
            column=row["column_name"],
        )  # fmt: skip
    )
    text = r["head"].format(
        where=where,
        reported=_number(row["reported"], row["measure"]),
        loaded=_number(row["loaded_value"], row["measure"]),
    )
    code = row["cause_code"]
    if code == "rejected":
        listed = "、".join(r["reason_count"].format(n=n, reason=reason) for reason, n in reasons)
        return text + r["rejected"].format(reasons=listed)
    if code == "persons":
        extra = int(row["loaded_value"]) - row["persons"]
        return text + r["persons"].format(persons=row["persons"], n=extra)
    if code == "other_months":
        extra = int(row["loaded_value"]) - row["in_month"]
        return text + r["other_months"].format(period=period, n=extra)
    if code in ("filtered", "more"):
        return text + r[code]
    return text


def refresh(conn, kind: str) -> None:
    """Rebuild raw.reconciliation for the kind's reported totals in the periods of the
    temp table `_periods` (set by store.resolve)."""
    conn.execute(
        "delete from raw.reconciliation where kind = ? and period in (select period from _periods)",
        [kind],
    )
    measured = totals.measured_fields(kind)
    value = " ".join(
        f"when '{f}' then r.{f}::integer::double"
        if how == "yes"
        else f"when '{f}' then r.{f}::double"
        for f, how in measured.items()
    )
    value = f"case t.measure {value} else 1 end" if value else "1"
    persons = "count(distinct r.person_key)" if kind in _PERSONS else "null"
    date = _DATES.get(kind)
    in_month = (
        f"count(r.source_row) filter (where strftime(r.{date}, '%Y-%m') = t.period)"
        if date
        else "null"
    )
    scope = (
        "r.load_id = t.load_id and (t.source_sheet is null or r.{sheet} = t.source_sheet) "
        "and r.source_row between t.scope_first_row and t.scope_last_row"
    )
    rows = conn.sql(
        f"""
        select t.*,
               coalesce(sum(case when r.source_row is not null then {value} end), 0)::double
                   as loaded_value,
               {persons} as persons, {in_month} as in_month
        from raw.reported_totals t
        left join raw.{kind} r on {scope.format(sheet="source_sheet")}
        where t.kind = $kind and t.period in (select period from _periods)
        group by all
        """,
        params={"kind": kind},
    ).pl()
    if rows.height == 0:
        return
    # the rows in each total's scope that were rejected: per reason (a row with two
    # problems counts under both), and in all (null reason)
    rejected = conn.execute(
        f"""
        select t.load_id, t.source_sheet, t.source_row, t.column_name, t.measure,
               r.reason, count(distinct (r.sheet, r.source_row)) as n
        from raw.reported_totals t
        join raw.rejected_rows r on {scope.format(sheet="sheet")}
        where t.kind = $kind and t.period in (select period from _periods)
        group by grouping sets ((1, 2, 3, 4, 5, 6), (1, 2, 3, 4, 5))
        order by n desc, r.reason
        """,
        {"kind": kind},
    ).fetchall()
    reasons: dict[tuple, list[tuple[str, int]]] = {}
    in_all: dict[tuple, int] = {}
    for *key, reason, n in rejected:
        if reason is None:
            in_all[tuple(key)] = n
        else:
            reasons.setdefault(tuple(key), []).append((reason, n))
    out = []
    for row in rows.iter_rows(named=True):
        key = tuple(row[k] for k in _KEY)
        why = reasons.get(key, [])
        counts_rows = row["measure"] == totals.ROWS
        row["rejected_rows"] = in_all.get(key, 0)
        row["cause_code"] = cause(
            row["reported"], row["loaded_value"], row["read_value"], row["rejected_rows"],
            row["persons"] if counts_rows else None, row["in_month"] if counts_rows else None,
        )  # fmt: skip
        row["cause"] = zh.RECONCILE_CAUSES[row["cause_code"]]
        row["difference"] = row["reported"] - row["loaded_value"]
        row["message"] = message(row, why, row["period"])
        out.append(row)
    frame = pl.DataFrame(out).drop("persons", "in_month")
    conn.register("_reconciled", frame)
    conn.execute("insert into raw.reconciliation by name select * from _reconciled")
    conn.unregister("_reconciled")


def for_file(conn, load_id: int) -> pl.DataFrame:
    """The reconciliation rows of one file version, differences first."""
    return conn.sql(
        "select * from raw.reconciliation where load_id = $id "
        "order by cause_code = 'agrees', source_sheet, source_row, column_name",
        params={"id": load_id},
    ).pl()


REPORTED_COLUMNS = (
    "load_id BIGINT NOT NULL, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, period VARCHAR NOT NULL, "
    + ", ".join(
        f"{c} {'BIGINT' if t == pl.Int64 else 'DOUBLE' if t == pl.Float64 else 'VARCHAR'}"
        for c, t in totals.SCHEMA_READ.items()
    )
)
