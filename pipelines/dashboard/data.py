"""What the dashboard shows, read from the serving file: pure functions of a read-only
connection, so the Streamlit page stays thin and tests can call them.

Every page view opens the file anew (`connect`) and closes it: a republished serving file
is a new file under the same name, and a connection kept open would go on reading the
old one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.database.alarms import alarms


@contextmanager
def connect(serving_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province / city / county
    city_code: str | None
    province_code: str | None


def regions(con: duckdb.DuckDBPyConnection) -> list[Region]:
    """The regions in the data (dim_regions), in code order."""
    return [
        Region(*row)
        for row in con.sql(
            "select region_code, region_name, region_level, city_code, province_code "
            "from dim_regions order by region_code"
        ).fetchall()
    ]


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with metrics, latest first."""
    return [
        p for (p,) in con.execute("select distinct period from metrics order by 1 desc").fetchall()
    ]


def values(con: duckdb.DuckDBPyConnection, region: str, period: str) -> dict[str, float | None]:
    """indicator → value of one region and month (absent: no data)."""
    return dict(
        con.execute(
            "select indicator, value from metrics where region_code = ? and period = ?",
            [region, period],
        ).fetchall()
    )


def previous_month(period: str) -> str | None:
    """The month before within the same year (values restart from 1 January, so a
    January has no previous month to compare with)."""
    year, month = int(period[:4]), int(period[5:])
    return None if month == 1 else f"{year}-{month - 1:02d}"


def trend(
    con: duckdb.DuckDBPyConnection, region: str, year: int, indicators: list[str]
) -> pl.DataFrame:
    """Per month of the year: each indicator's cumulative value and the month's new
    persons (the difference from the month before; the first month is its own)."""
    frame = con.sql(
        "select period, indicator, value from metrics where region_code = ? and period like ? "
        "and indicator in (select unnest(?)) order by period",
        params=[region, f"{year}-%", indicators],
    ).pl()
    if frame.height == 0:
        return pl.DataFrame(
            schema={
                "period": pl.String,
                "indicator": pl.String,
                "value": pl.Float64,
                "new": pl.Float64,
            }
        )
    return frame.with_columns(
        new=(
            pl.col("value") - pl.col("value").shift(1).over("indicator", order_by="period")
        ).fill_null(pl.col("value"))
    )


def files_by_month(con: duckdb.DuckDBPyConnection, year: str) -> pl.DataFrame:
    """Current ledger files per kind and month of the year (status loaded or failed)."""
    return con.sql(
        "select kind, period, count(*) filter (where status = 'loaded') as loaded, "
        "count(*) filter (where status = 'failed') as unreadable from ingestion_log "
        "where is_current and status <> 'skipped' and period like ? group by 1, 2 order by 1, 2",
        params=[f"{year}%"],
    ).pl()


def missing_files(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    """Files sent for the month before but not for this one (same kind and file name):
    the submissions to ask about."""
    before = previous_month(period)
    if before is None:
        return pl.DataFrame(schema={"kind": pl.String, "file": pl.String})
    return con.sql(
        """
        with files as (
            select kind, period, regexp_extract(path, '[^/]+$') as file
            from ingestion_log where is_current and status <> 'skipped'
        )
        select kind, file from files where period = ?
        except
        select kind, file from files where period = ?
        order by 1, 2
        """,
        params=[before, period],
    ).pl()


def unreadable(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "select path, message from ingestion_log where is_current and status = 'failed' order by path"
    ).pl()


def rejections_by_reason(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    """Rejected rows of the month by reason and file (values are masked in the table)."""
    return con.sql(
        "select reason, regexp_extract(file, '[^/]+$') as file, count(*) as problems "
        "from rejected_rows where period = ? group by all order by problems desc, reason, file",
        params=[period],
    ).pl()


def rejected_sample(con: duckdb.DuckDBPyConnection, period: str, limit: int = 200) -> pl.DataFrame:
    return con.sql(
        "select file, row_number, column_name, masked_value, reason from rejected_rows "
        "where period = ? order by file, row_number limit ?",
        params=[period, limit],
    ).pl()


def reconciliation(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    """The month's ledgers whose own totals differ from what was loaded, with the cause."""
    return con.sql(
        "select regexp_extract(file, '[^/]+$') as file, sheet, row_number, column_name, reported, "
        "loaded_value, difference, cause, message from reconciliation "
        "where period = ? and differs order by file, sheet, row_number",
        params=[period],
    ).pl()


def pairings(con: duckdb.DuckDBPyConnection, period: str, indicators: list[str]) -> pl.DataFrame:
    """What each helper achieved for its partners in the period (pairing_metrics): one row
    per pairing and helper total, indicators as columns."""
    long = con.sql(
        "select helper_code, pairing_type, helper_name, recipient_names, indicator, value "
        "from pairing_metrics where period = ? and list_contains(?, indicator)",
        params=[period, indicators],
    ).pl()
    if long.height == 0:
        return long
    return long.pivot(
        "indicator", index=["helper_code", "pairing_type", "helper_name", "recipient_names"]
    )


def by_programme(con: duckdb.DuckDBPyConnection, region: str, period: str) -> pl.DataFrame:
    """The region's own training figures by 培训项目 (metrics_by_programme)."""
    return con.sql(
        "select programme, indicator, value from metrics_by_programme "
        "where region_code = ? and period = ? order by programme",
        params=[region, period],
    ).pl()


def alarm_table(con: duckdb.DuckDBPyConnection, period: str, under: str) -> pl.DataFrame:
    """The month's statistical alarms of the counties under `under`, largest first."""
    found = alarms(con, period, under=under)
    return pl.DataFrame(
        [(a.region_code, a.region_name, a.indicator, a.indicator_name, a.rule_name, a.value,
          a.baseline, a.reason_zh) for a in found],
        schema=["region_code", "region_name", "indicator", "indicator_name", "rule_name",
                "value", "baseline", "reason_zh"],
        orient="row",
    )  # fmt: skip


# What metric_alarms judges of a cumulative figure: the month's new count, or the share
# among the month's new persons (dbt_project/models/marts/metric_alarms.sql).
_MONTH_NEW = {"employed_persons"}
_NEW_SHARE = {"employed_poverty_share": ("employed_poverty_persons", "employed_persons")}


def alarm_series(
    con: duckdb.DuckDBPyConnection, county: str, indicator: str, period: str, months: int = 12
) -> pl.DataFrame:
    """The series an alarm was judged on, for the county's last `months` months up to
    `period`: the month's new persons, the share among them, or the figure itself."""
    wanted = list(_NEW_SHARE.get(indicator, (indicator,)))
    frame = con.sql(
        "select period, indicator, value from metrics where region_code = ? and period <= ? "
        "and indicator in (select unnest(?)) order by period",
        params=[county, period, wanted],
    ).pl()
    if indicator in _MONTH_NEW or indicator in _NEW_SHARE:
        frame = frame.with_columns(
            value=(
                pl.col("value")
                - pl.col("value")
                .shift(1)
                .over(["indicator", pl.col("period").str.slice(0, 4)], order_by="period")
            ).fill_null(pl.col("value"))
        )
    if indicator in _NEW_SHARE:
        part, whole = _NEW_SHARE[indicator]
        wide = frame.pivot("indicator", index="period", values="value")
        frame = wide.select(
            "period",
            value=pl.when(pl.col(whole) > 0).then(
                (100 * pl.col(part) / pl.col(whole)).clip(upper_bound=100)
            ),
        )
    return frame.select("period", "value").sort("period").tail(months)
