"""Quality figures of the loaded ledgers, read from the build database (no Dagster here).

Feeds the asset checks: rows accounted for, rejection counts per reason with masked
samples, unreadable files, the share of rejected rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from pipelines.settings import expected_counties


@dataclass
class Quality:
    files: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    unbalanced_files: list[str] = field(default_factory=list)
    failed_files: list[tuple[str, str]] = field(default_factory=list)  # path, reason
    skipped: list[tuple[str, str]] = field(default_factory=list)  # path, reason (not ledgers)
    reasons: list[tuple[str, int]] = field(default_factory=list)  # reason, problems
    samples: list[tuple] = field(default_factory=list)  # path, row, column, masked value, reason

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


def quality(
    conn: duckdb.DuckDBPyConnection, kind: str, periods: Iterable[str] | None, samples: int = 10
) -> Quality:
    """Figures for the current file versions of `kind` in `periods` (None: all)."""
    scope = "l.kind = ? and l.is_current" + (
        "" if periods is None else " and l.period in (select unnest(?))"
    )
    args: list = [kind] if periods is None else [kind, sorted(periods)]
    q = Quality()
    row = conn.execute(
        f"select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) "
        f"from raw.ingestion_log l where {scope} and status <> 'skipped'",
        args,
    ).fetchone()
    q.files, q.rows_read, q.rows_loaded, q.rows_rejected = row
    # Every row read is loaded or rejected, and the loaded count is what the table holds.
    q.unbalanced_files = [
        r[0]
        for r in conn.execute(
            f"""
            select l.path
            from raw.ingestion_log l
            left join (select source_path, count(*) as n from raw.{kind} group by 1) t on t.source_path = l.path
            where {scope} and l.status = 'loaded'
              and (l.rows_read <> l.rows_loaded + l.rows_rejected or l.rows_loaded <> coalesce(t.n, 0))
            order by 1
            """,
            args,
        ).fetchall()
    ]
    q.failed_files = conn.execute(
        f"select path, message from raw.ingestion_log l where {scope} and status = 'failed' order by 1",
        args,
    ).fetchall()
    q.skipped = conn.execute(
        f"select path, message from raw.ingestion_log l where {scope} and status = 'skipped' order by 1",
        args,
    ).fetchall()
    q.reasons = conn.execute(
        f"""
        select r.reason, count(*) from raw.rejected_rows r
        join raw.ingestion_log l on l.load_id = r.load_id
        where {scope} group by 1 order by 2 desc, 1
        """,
        args,
    ).fetchall()
    q.samples = conn.execute(
        f"""
        select r.path, r.source_row, r.column_name, r.value, r.reason from raw.rejected_rows r
        join raw.ingestion_log l on l.load_id = r.load_id
        where {scope} order by r.path, r.source_row limit {int(samples)}
        """,
        args,
    ).fetchall()
    return q


# Where a county shows up in each kind: placements, trainings and follow-ups by the
# people's 户籍地, workshops by where they are, transports by where they leave. Targets
# have no monthly submission.
_COUNTY_COLUMN = {
    "placements": "origin_code",
    "trainings": "origin_code",
    "workshops": "location_code",
    "transports": "departure_code",
    "followups": "origin_code",
}


def missing_submissions(conn: duckdb.DuckDBPyConnection, kind: str, period: str) -> list[str]:
    """County codes expected to report `kind` for `period` whose ledger has not arrived:
    the configured list, or those that reported in an earlier month of the same year."""
    column = _COUNTY_COLUMN.get(kind)
    if column is None:
        return []
    configured = expected_counties()
    reported = {
        r[0]
        for r in conn.execute(
            f"select distinct {column} from raw.{kind} where period = ?", [period]
        ).fetchall()
    }
    if configured is not None:
        expected = configured
    else:
        expected = {
            r[0]
            for r in conn.execute(
                f"select distinct {column} from raw.{kind} where period < ? and left(period, 4) = left(?, 4)",
                [period, period],
            ).fetchall()
        }
    return sorted(expected - reported)
