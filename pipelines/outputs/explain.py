"""Explain one number of `metrics`: what it means, the regions under it, the files behind
it and how it built up month by month (#28, `collabstats explain`, the dashboard).

Reads only the serving file: `metrics` for the figure and its children, `metric_lineage`
for the files (each file's contribution: the persons first counted there), the
ingestion log, `rejected_rows` and `reconciliation` for what happened to each file. A
share or rate is explained by its two parts. Persons stay pseudonymous: lineage stops
at the file and its counts, never a name or an ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines import zh
from pipelines.ledgers.regions import divisions

# A share or rate and the two figures it is made of (numerator, denominator), as
# macros/ratios.sql and the marts compute them.
PARTS = {
    "employed_poverty_share": ("employed_poverty_persons", "employed_persons"),
    "employed_target_rate": ("employed_persons", "employed_target"),
    "workshop_poverty_share": ("workshop_poverty_employed", "workshop_employed"),
}


class ExplainError(Exception):
    """The number cannot be found; the message is Chinese, for the user."""


@dataclass
class FileShare:
    path: str
    file_period: str
    sha256: str | None
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    contribution: int
    rejected_by_reason: list[tuple[str, int]] = field(default_factory=list)
    totals_differ: list[str] = field(default_factory=list)  # reconciliation messages


@dataclass
class Explanation:
    region_code: str
    region_name: str
    region_level: str
    period: str
    indicator: str
    indicator_name: str
    unit: str
    value: float | None
    definition: str
    children: list[tuple[str, str, float | None]] = field(default_factory=list)
    parts: list[tuple[str, str, float | None]] = field(default_factory=list)  # of a ratio
    files: list[FileShare] = field(default_factory=list)
    by_month: list[tuple[str, int, int]] = field(default_factory=list)  # month, new, cumulative
    # since the previous publish: when the latest publish that changed anything was (None:
    # the first publish, nothing to compare), the figure then and now (None: unchanged),
    # and each file whose contribution moved: (file, added/replaced/removed or None,
    # contribution before, now, difference)
    changed_at: datetime | None = None
    change: tuple[float | None, float | None] | None = None
    file_changes: list[tuple[str, str | None, int | None, int | None, int]] = field(
        default_factory=list
    )

    @property
    def children_sum(self) -> float | None:
        values = [v for _, _, v in self.children if v is not None]
        return sum(values) if values else None

    @property
    def overlap(self) -> float | None:
        """How many more the children add up to than the region itself: persons counted
        in two of them (a distinct count of the parent counts them once)."""
        total = self.children_sum
        if total is None or self.value is None or self.unit != "人":
            return None
        return total - self.value if total > self.value else None

    @property
    def contributions(self) -> int:
        return sum(f.contribution for f in self.files)


def _region(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, str, str]:
    codes = [text] if text.isdigit() else divisions().resolve(text)
    for code in codes:
        row = con.execute(
            "select region_code, region_name, region_level from dim_regions where region_code = ?",
            [code],
        ).fetchone()
        if row:
            return row
    raise ExplainError(zh.EXPLAIN["unknown_region"].format(text=text))


def explain(serving_db: Path, region: str, period: str, indicator: str) -> Explanation:
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        return _explain(con, region, period, indicator)
    finally:
        con.close()


def _explain(
    con: duckdb.DuckDBPyConnection, region: str, period: str, indicator: str
) -> Explanation:
    if indicator not in zh.INDICATORS:
        raise ExplainError(
            zh.EXPLAIN["unknown_indicator"].format(text=indicator, known="、".join(zh.INDICATORS))
        )
    code, name, level = _region(con, region)
    row = con.execute(
        "select value from metrics where region_code = ? and period = ? and indicator = ?",
        [code, period, indicator],
    ).fetchone()
    if row is None:
        raise ExplainError(
            zh.EXPLAIN["no_figure"].format(region=name, period=period, indicator=indicator)
        )
    label, unit = zh.INDICATORS[indicator]
    out = Explanation(
        code, name, level, period, indicator, label, unit, row[0],
        zh.EXPLAIN["definitions"].get(indicator, zh.EXPLAIN["no_definition"]),
    )  # fmt: skip
    parent = {"province": "province_code", "city": "city_code"}.get(level)
    if parent:
        below = "city" if level == "province" else "county"
        out.children = con.execute(
            f"""
            select d.region_code, d.region_name, m.value
            from dim_regions d
            left join metrics m on m.region_code = d.region_code and m.period = ? and m.indicator = ?
            where d.{parent} = ? and (d.region_level = ? or (d.region_level = 'county' and d.city_code is null))
            order by d.region_code
            """,
            [period, indicator, code, below],
        ).fetchall()
    for part in PARTS.get(indicator, ()):
        value = con.execute(
            "select value from metrics where region_code = ? and period = ? and indicator = ?",
            [code, period, part],
        ).fetchone()
        out.parts.append((part, zh.INDICATORS[part][0], value[0] if value else None))
    out.files = _files(con, code, period, indicator)
    cumulative = 0
    for month, new in con.execute(
        "select file_period, sum(contribution)::bigint from metric_lineage "
        "where region_code = ? and period = ? and indicator = ? group by 1 order by 1",
        [code, period, indicator],
    ).fetchall():
        cumulative += new
        out.by_month.append((month, new, cumulative))
    _since_last_publish(con, out)
    return out


def _since_last_publish(con: duckdb.DuckDBPyConnection, e: Explanation) -> None:
    """The figure's change in the latest publish that changed anything, and the files
    behind it (the change tables pipelines/outputs/publish.py writes)."""
    held = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    if not {"publications", "metric_changes", "lineage_changes", "file_changes"} <= held:
        return  # a serving file from before the change tables
    (e.changed_at,) = con.execute(
        "select max(published_at) from publications where files_changed > 0 or figures_changed > 0"
    ).fetchone()
    if e.changed_at is None:
        return
    key = [e.period, e.region_code, e.indicator]
    row = con.execute(
        "select previous_value, value from metric_changes "
        "where period = ? and region_code = ? and indicator = ?",
        key,
    ).fetchone()
    e.change = tuple(row) if row else None
    e.file_changes = con.execute(
        """
        select l.file, f.change, l.previous_contribution, l.contribution, l.delta
        from lineage_changes as l left join file_changes as f on f.file = l.file
        where l.period = ? and l.region_code = ? and l.indicator = ?
        order by abs(l.delta) desc, l.file
        """,
        key,
    ).fetchall()


def _files(
    con: duckdb.DuckDBPyConnection, code: str, period: str, indicator: str
) -> list[FileShare]:
    files = [
        FileShare(*r)
        for r in con.execute(
            "select file, file_period, sha256, rows_read, rows_loaded, rows_rejected, contribution "
            "from metric_lineage where region_code = ? and period = ? and indicator = ? "
            "order by file_period, file",
            [code, period, indicator],
        ).fetchall()
    ]
    by_path = {f.path: f for f in files}
    if not files:
        return files
    for path, reason, n in con.execute(
        "select file, reason, count(distinct (sheet, row_number)) from rejected_rows "
        "where list_contains(?, file) group by all order by 1, 3 desc, 2",
        [list(by_path)],
    ).fetchall():
        by_path[path].rejected_by_reason.append((reason, n))
    for path, message in con.execute(
        "select file, message from reconciliation where differs and list_contains(?, file) "
        "order by file, sheet, row_number",
        [list(by_path)],
    ).fetchall():
        by_path[path].totals_differ.append(message)
    return files


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def summary_lines(e: Explanation) -> list[str]:
    """The explanation's sentences (the tables aside): headline, definition, how the
    children add up, the parts of a ratio."""
    t = zh.EXPLAIN
    lines = [
        t["headline"].format(
            region=e.region_name,
            period=e.period,
            name=e.indicator_name,
            value=number(e.value, e.unit) + ("" if e.unit == "%" else f" {e.unit}"),
        ),  # fmt: skip
        f"{t['definition']}：{e.definition}",
    ]
    if e.children and e.children_sum is not None and e.unit != "%":
        if e.overlap:
            lines.append(
                t["children_sum"].format(
                    sum=number(e.children_sum, e.unit),
                    value=number(e.value, e.unit),
                    overlap=number(e.overlap, e.unit),
                )  # fmt: skip
            )
        elif e.children_sum == e.value:
            lines.append(t["children_equal"].format(sum=number(e.children_sum, e.unit)))
    if e.parts:
        lines.append(
            f"{t['parts']}："
            + "；".join(f"{name} {number(v, zh.INDICATORS[c][1])}" for c, name, v in e.parts)
        )
    if e.files:
        lines.append(t["files_sum"].format(sum=number(e.contributions, e.unit)))
    elif not e.parts:
        lines.append(t["no_lineage"])
    lines.append(f"{t['since']}：{since_line(e)}")
    return lines


def since_line(e: Explanation) -> str:
    """What the latest publish that changed anything did to this figure."""
    t = zh.EXPLAIN
    if e.changed_at is None:
        return t["first"]
    at = e.changed_at.strftime("%Y-%m-%d %H:%M UTC")
    if e.change is None:
        return t["unchanged"].format(at=at)
    before, after = e.change
    if before is None:
        return t["appeared"].format(at=at, after=number(after, e.unit))
    delta = (after or 0) - before
    sign = "+" if delta > 0 else ""
    return t["changed"].format(
        at=at,
        before=number(before, e.unit),
        after=number(after, e.unit),
        delta=sign + number(delta, e.unit),
    )
