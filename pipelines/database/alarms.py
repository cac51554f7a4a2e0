"""Reading the statistical alarms (marts/metric_alarms) for those who show them: the
Dagster check, the run summary, the dashboard and the workbooks. The alarms themselves
are computed in dbt; thresholds live in dbt_project.yml `alarms`."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Alarm:
    period: str
    region_code: str
    region_name: str
    indicator: str
    indicator_name: str
    rule: str
    rule_name: str
    value: float | None
    baseline: float | None
    score: float | None
    reason_zh: str
    reason_en: str


_COLUMNS = ", ".join(Alarm.__dataclass_fields__)


def latest_period(con: duckdb.DuckDBPyConnection, schema: str = "main") -> str | None:
    """The latest month of `metrics`: the month a run reports on."""
    return con.execute(f"select max(period) from {schema}.metrics").fetchone()[0]


def alarms(
    con: duckdb.DuckDBPyConnection,
    period: str,
    schema: str = "main",
    under: str | None = None,
) -> list[Alarm]:
    """The month's alarms, largest deviation first (a ledger not sent, then by |score|),
    optionally only of the counties under region `under` (itself a county, city or
    province code)."""
    where, params = "period = ?", [period]
    if under:
        where += " and (region_code = ? or left(region_code, ?) = left(?, ?))"
        keep = 2 if under.endswith("0000") else 4 if under.endswith("00") else 6
        params += [under, keep, under, keep]
    rows = con.execute(
        f"select {_COLUMNS} from {schema}.metric_alarms where {where} "
        "order by rule <> 'silent', abs(coalesce(score, 0)) desc, region_code, indicator",
        params,
    ).fetchall()
    return [Alarm(*r) for r in rows]
