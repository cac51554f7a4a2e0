"""The build database: raw tables, the ingestion log and rejected rows.

A submission is its path under raw/. Loading a file whose current version has the same
sha256 is a no-op; new content at the same path replaces that path's rows; every version
stays in the log. Rows of a kind pass through `ingest.<kind>_candidates` (all valid rows
of current file versions); `resolve` then derives `raw.<kind>` for the touched periods:
first occurrence of each record key wins (by load order, then row), repeats become
重复记录 rejections. Per file, rows_read = rows_loaded + rows_rejected always holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from pipelines import zh
from pipelines.database import reconcile
from pipelines.ledgers import pii, spec
from pipelines.ledgers.process import FileResult, Skipped, table_columns

LOG_COLUMNS = """
    load_id BIGINT PRIMARY KEY, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, period VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL, status VARCHAR NOT NULL, is_current BOOLEAN NOT NULL,
    sheet VARCHAR, rows_read BIGINT NOT NULL, rows_skipped BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, message VARCHAR,
    loaded_at TIMESTAMP NOT NULL, size BIGINT, mtime_ns BIGINT
"""
REJECTED_COLUMNS = """
    load_id BIGINT NOT NULL, path VARCHAR NOT NULL, kind VARCHAR NOT NULL, period VARCHAR NOT NULL,
    sheet VARCHAR, source_row BIGINT NOT NULL, column_name VARCHAR, value VARCHAR,
    reason_code VARCHAR NOT NULL, reason VARCHAR NOT NULL
"""
_RESOLVED_REASONS = ("duplicate", "class_inconsistent")


def _follow_spec(conn: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    """A warehouse built before a field was added (or its type widened, int → number)
    gets the column as the spec now has it; existing rows keep their values."""
    schema, name = table.split(".")
    have = dict(
        conn.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    )
    for column, duck_type in columns.items():
        if column not in have:
            conn.execute(f"alter table {table} add column {column} {duck_type}")
        elif have[column] != duck_type and (have[column], duck_type) == ("BIGINT", "DOUBLE"):
            conn.execute(f"alter table {table} alter column {column} type {duck_type}")


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists raw")
    conn.execute("create schema if not exists ingest")
    conn.execute(f"create table if not exists raw.ingestion_log ({LOG_COLUMNS})")
    for column in ("size", "mtime_ns"):  # warehouses from before they were logged
        conn.execute(f"alter table raw.ingestion_log add column if not exists {column} BIGINT")
    conn.execute(f"create table if not exists raw.rejected_rows ({REJECTED_COLUMNS})")
    # a ledger's own totals and how they compare with the rows loaded (reconcile.py)
    conn.execute(f"create table if not exists raw.reported_totals ({reconcile.REPORTED_COLUMNS})")
    conn.execute(f"create table if not exists raw.reconciliation ({reconcile.COLUMNS})")
    conn.execute("create table if not exists ingest.unresolved (kind VARCHAR, period VARCHAR)")
    conn.execute("create table if not exists ingest.changed_periods (period VARCHAR PRIMARY KEY)")
    conn.execute("create table if not exists ingest.dbt_state (fingerprint VARCHAR NOT NULL)")
    # what the raw tables were at that build (pipelines/database/dbt_state.py)
    conn.execute("alter table ingest.dbt_state add column if not exists inputs VARCHAR")
    conn.execute(
        "create table if not exists ingest.key_fingerprint (fingerprint VARCHAR NOT NULL, set_at TIMESTAMP)"
    )
    for kind in spec.KINDS:
        columns = table_columns(kind)
        cols = ", ".join(f"{c} {t}" for c, t in columns.items())
        for table in (f"ingest.{kind}_candidates", f"raw.{kind}"):
            conn.execute(f"create table if not exists {table} ({cols})")
            _follow_spec(conn, table, columns)


def stored_fingerprint(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the key the person keys were made with (None: not recorded)."""
    row = conn.execute("select fingerprint from ingest.key_fingerprint").fetchone()
    return row[0] if row else None


def ensure_key(conn: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Refuse a key other than the one the person keys were made with; record the key's
    fingerprint on first use (and on a warehouse from before fingerprints were kept)."""
    fingerprint = pii.key_fingerprint(key)
    stored = stored_fingerprint(conn)
    if stored is None:
        _set_fingerprint(conn, key)
    elif stored != fingerprint:
        raise pii.KeyMismatchError(zh.KEY_MISMATCH)


def forget_person_rows(conn: duckdb.DuckDBPyConnection, key: bytes) -> int:
    """For a change of key: take every row and rejection out, make no file version
    current (the log keeps them all), and record the new key's fingerprint. The next
    ingest reads every file in raw/ again as new and makes the person keys under the new
    key. Returns the number of file versions to be read again."""
    n = conn.execute(
        "select count(*) from raw.ingestion_log where is_current and status <> 'skipped'"
    ).fetchone()[0]
    for kind in spec.KINDS:
        conn.execute(f"delete from ingest.{kind}_candidates")
        conn.execute(f"delete from raw.{kind}")
    for table in ("rejected_rows", "reported_totals", "reconciliation"):
        conn.execute(f"delete from raw.{table}")
    conn.execute("delete from ingest.unresolved")
    conn.execute("delete from ingest.changed_periods")
    conn.execute(
        "update raw.ingestion_log set is_current = false where is_current and status <> 'skipped'"
    )
    _set_fingerprint(conn, key)
    return n


def _set_fingerprint(conn: duckdb.DuckDBPyConnection, key: bytes) -> None:
    conn.execute("delete from ingest.key_fingerprint")
    conn.execute("insert into ingest.key_fingerprint values (?, now())", [pii.key_fingerprint(key)])


def mark_changed(conn: duckdb.DuckDBPyConnection, periods: Iterable[str]) -> None:
    """Record periods whose rows changed, for dbt's incremental models
    (dbt_project/macros/changed_periods.sql). Call inside the transaction that changes them."""
    conn.execute(
        "insert or ignore into ingest.changed_periods select distinct unnest(?::varchar[])",
        [sorted(set(periods))],
    )


def mark_unresolved(conn: duckdb.DuckDBPyConnection, kind: str, periods: list[str]) -> None:
    """Periods whose candidates changed and whose raw.<kind> rows are not yet resolved."""
    conn.execute(
        "insert into ingest.unresolved select ?, unnest(?::varchar[])", [kind, sorted(periods)]
    )


def unresolved(conn: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    return _periods(conn, "ingest.unresolved", kind)


def logged_periods(conn: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    """Every period a file of `kind` was ever logged for."""
    return _periods(conn, "raw.ingestion_log", kind)


def _periods(conn: duckdb.DuckDBPyConnection, table: str, kind: str) -> set[str]:
    rows = conn.execute(f"select distinct period from {table} where kind = ?", [kind])
    return {r[0] for r in rows.fetchall()}


def clear_unresolved(conn: duckdb.DuckDBPyConnection, kind: str) -> None:
    conn.execute("delete from ingest.unresolved where kind = ?", [kind])


def current_files(
    conn: duckdb.DuckDBPyConnection, kind: str
) -> dict[str, tuple[str, int | None, int | None]]:
    """path → (sha256, size, mtime_ns) of the current version of every file of a kind."""
    return _current_versions(conn, kind, "sha256", skipped=False)


def restamp(conn: duckdb.DuckDBPyConnection, kind: str, stamps: list[tuple[str, int, int]]) -> None:
    """Record (path, size, mtime_ns) of current file versions whose content is unchanged."""
    if not stamps:
        return
    frame = pl.DataFrame(stamps, schema=["path", "size", "mtime_ns"], orient="row")
    conn.register("_stamps", frame)
    conn.execute(
        "update raw.ingestion_log l set size = s.size, mtime_ns = s.mtime_ns from _stamps s "
        "where l.path = s.path and l.kind = ? and l.is_current",
        [kind],
    )
    conn.unregister("_stamps")


def _retire(conn: duckdb.DuckDBPyConnection, kind: str, paths: list[str]) -> None:
    """Take the current versions of `paths` out: log rows no longer current, their rows
    and rejections deleted."""
    if not paths:
        return
    conn.execute("create or replace temp table _retiring as select unnest(?) as path", [paths])
    conn.execute(
        "update raw.ingestion_log set is_current = false where is_current and path in (select path from _retiring)"
    )
    for table in ("rejected_rows", "reported_totals", "reconciliation"):
        conn.execute(f"delete from raw.{table} where path in (select path from _retiring)")
    conn.execute(
        f"delete from ingest.{kind}_candidates where source_path in (select path from _retiring)"
    )


def _next_load_id(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("select coalesce(max(load_id), 0) + 1 from raw.ingestion_log").fetchall()[
        0
    ][0]


def record(conn: duckdb.DuckDBPyConnection, result: FileResult) -> int:
    """Write one new file version (see record_many). Returns its load_id."""
    return record_many(conn, [result])[0]


def record_many(conn: duckdb.DuckDBPyConnection, results: list[FileResult]) -> list[int]:
    """Write new file versions of one kind, in order: retire each path's previous
    version, add log rows, candidate rows and schema rejections — three inserts for the
    whole batch. Returns the load_ids given, in order."""
    if not results:
        return []
    kind = results[0].sub.kind
    _retire(conn, kind, [r.sub.rel for r in results])
    first = _next_load_id(conn)
    ids = list(range(first, first + len(results)))
    now = datetime.now()
    log = pl.DataFrame(
        {
            "load_id": ids,
            "path": [r.sub.rel for r in results],
            "kind": [r.sub.kind for r in results],
            "period": [r.sub.period for r in results],
            "sha256": [r.sha256 for r in results],
            "status": [r.status for r in results],
            "is_current": [True] * len(results),
            "sheet": [r.sheet for r in results],
            "rows_read": [r.rows_read for r in results],
            "rows_skipped": [r.rows_skipped for r in results],
            "rows_loaded": [r.rows_read - r.rows_rejected for r in results],
            "rows_rejected": [r.rows_rejected for r in results],
            "message": [r.message for r in results],
            "loaded_at": [now] * len(results),
            "size": [r.sub.size for r in results],
            "mtime_ns": [r.sub.mtime_ns for r in results],
        },
        schema_overrides={
            "size": pl.Int64,
            "mtime_ns": pl.Int64,
            "load_id": pl.Int64,
            "rows_read": pl.Int64,
            "rows_skipped": pl.Int64,
            "rows_loaded": pl.Int64,
            "rows_rejected": pl.Int64,
        },
    )
    conn.register("_log", log)
    conn.execute("insert into raw.ingestion_log by name select * from _log")
    # Rows of all files at once: a load_id per row, the file's path, sheet and period
    # joined from the log, not added per file (thousands of files a run).
    _insert_rows(
        conn,
        [(i, r.loaded) for i, r in zip(ids, results, strict=True) if r.loaded is not None],
        f"insert into ingest.{kind}_candidates by name "
        "select c.* exclude (load_id), c.load_id, l.path as source_path, "
        "l.period from _rows c join _log l using (load_id)",
    )
    _insert_rows(
        conn,
        [(i, r.rejections) for i, r in zip(ids, results, strict=True)],
        "insert into raw.rejected_rows by name "
        'select c.* exclude (load_id, "column", source_sheet), c."column" as column_name, '
        "c.source_sheet as sheet, c.load_id, l.path, l.kind, l.period "
        "from _rows c join _log l using (load_id)",
    )
    _insert_rows(
        conn,
        [(i, r.reported) for i, r in zip(ids, results, strict=True)],
        "insert into raw.reported_totals by name "
        "select c.*, l.path, l.kind, l.period from _rows c join _log l using (load_id)",
    )
    conn.unregister("_log")
    return ids


def _insert_rows(
    conn: duckdb.DuckDBPyConnection, frames: list[tuple[int, pl.DataFrame]], sql: str
) -> None:
    """Concatenate per-file frames with their load_id as a column and run `sql` over them
    (registered as _rows)."""
    frames = [(i, f) for i, f in frames if f.height]
    if not frames:
        return
    rows = pl.concat([f for _, f in frames], how="vertical_relaxed").with_columns(
        pl.Series(
            "load_id",
            np.repeat(
                np.array([i for i, _ in frames], dtype=np.int64), [f.height for _, f in frames]
            ),
        )
    )
    conn.register("_rows", rows)
    conn.execute(sql)
    conn.unregister("_rows")


def current_skipped(
    conn: duckdb.DuckDBPyConnection, kind: str
) -> dict[str, tuple[str, int | None, int | None]]:
    """path → (reason, size, mtime_ns) of what is logged as skipped under a kind folder."""
    return _current_versions(conn, kind, "message", skipped=True)


def _current_versions(
    conn: duckdb.DuckDBPyConnection, kind: str, what: str, skipped: bool
) -> dict[str, tuple[str, int | None, int | None]]:
    """path → (`what`, size, mtime_ns) of the current log rows of a kind: ledger file
    versions, or (`skipped`) what is not a ledger."""
    status = "=" if skipped else "<>"
    return {
        path: (value, size, mtime)
        for path, value, size, mtime in conn.execute(
            f"select path, {what}, size, mtime_ns from raw.ingestion_log "
            f"where kind = ? and is_current and status {status} 'skipped'",
            [kind],
        ).fetchall()
    }


def record_skipped(
    conn: duckdb.DuckDBPyConnection, kind: str, found: list[Skipped], scope_all: bool
) -> None:
    """Log what is not a ledger, once per path and state: a new or changed entry gets a
    'skipped' row; an entry gone (when the whole kind was surveyed) stops being current."""
    logged = current_skipped(conn, kind)
    new = [s for s in found if logged.get(s.rel) != (s.reason, s.size, s.mtime_ns)]
    gone = set(logged) - {s.rel for s in found} if scope_all else set()
    retire = [s.rel for s in new if s.rel in logged] + sorted(gone)
    if retire:
        conn.execute(
            "update raw.ingestion_log set is_current = false "
            "where is_current and status = 'skipped' and path in (select unnest(?))",
            [retire],
        )
    now = datetime.now()
    first = _next_load_id(conn)
    for i, s in enumerate(new):
        conn.execute(
            "insert into raw.ingestion_log (load_id, path, kind, period, sha256, status, "
            "is_current, sheet, rows_read, rows_skipped, rows_loaded, rows_rejected, message, "
            "loaded_at, size, mtime_ns) "
            "values (?, ?, ?, ?, '', 'skipped', true, '', 0, 0, 0, 0, ?, ?, ?, ?)",
            [first + i, s.rel, s.kind, s.period, s.reason, now, s.size, s.mtime_ns],
        )


def remove(conn: duckdb.DuckDBPyConnection, rel: str, kind: str, period: str) -> None:
    """A file gone from raw/: its rows leave the warehouse; the log keeps a 'removed' line."""
    _retire(conn, kind, [rel])
    conn.execute(
        "insert into raw.ingestion_log (load_id, path, kind, period, sha256, status, is_current, "
        "rows_read, rows_skipped, rows_loaded, rows_rejected, loaded_at) "
        "values (?, ?, ?, ?, '', 'removed', false, 0, 0, 0, 0, ?)",
        [_next_load_id(conn), rel, kind, period, datetime.now()],
    )


def resolve(conn: duckdb.DuckDBPyConnection, kind: str, periods: Iterable[str]) -> set[str]:
    """Rebuild raw.<kind> for `periods` from the candidates: class conflicts (trainings)
    and duplicates become rejections; then refresh the touched files' counts. Returns the
    periods resolved (for trainings, also the months of classes whose verdict changed)."""
    periods = set(periods)
    if not periods:
        return set()
    conflict = "false"
    if kind == "trainings":
        # A class spans months and files: its consistency is judged over all of them.
        # An untouched month's rows change only if one of its classes changed verdict,
        # so those months are resolved too (before, a new month re-resolved the year).
        conn.execute(
            """
            create or replace temp table _bad_classes as
            select class_id from ingest.trainings_candidates
            group by class_id
            having count(distinct (programme, provider, start_date, end_date)) > 1
            """
        )
        periods |= {
            r[0]
            for r in conn.execute(
                """
                with was_bad as (
                    select distinct value as class_id from raw.rejected_rows
                    where kind = 'trainings' and reason_code = 'class_inconsistent'
                ),
                turned as (
                    (select class_id from _bad_classes except select class_id from was_bad)
                    union all
                    (select class_id from was_bad except select class_id from _bad_classes)
                )
                select distinct period from ingest.trainings_candidates
                where class_id in (select class_id from turned)
                """
            ).fetchall()
        }
        conflict = "class_id in (select class_id from _bad_classes)"
    periods = sorted(periods)
    conn.execute("create or replace temp table _periods as select unnest(?) as period", [periods])
    conn.execute(
        f"delete from raw.rejected_rows where kind = ? and reason_code in {_RESOLVED_REASONS} "
        "and period in (select period from _periods)",
        [kind],
    )
    if kind == "trainings":
        conn.execute(
            """
            insert into raw.rejected_rows
            select c.load_id, c.source_path, 'trainings', c.period, c.source_sheet, c.source_row,
                   ?, c.class_id, 'class_inconsistent', ?
            from ingest.trainings_candidates c semi join _bad_classes b using (class_id)
            where c.period in (select period from _periods)
            """,
            [spec.header("trainings", "class_id"), zh.REASONS["class_inconsistent"]],
        )
    key_cols = spec.DEDUP_KEYS[kind]
    keys = ", ".join(key_cols)
    same_key = " and ".join(f"c.{k} is not distinct from r.{k}" for k in key_cols)
    conn.execute(f"delete from raw.{kind} where period in (select period from _periods)")
    # One period at a time, and no wide temporary table: at 10M rows a ranked copy of
    # every candidate column for the whole year held gigabytes. Only rows whose key
    # repeats are ranked (finding the repeats, usually none, is far cheaper than ranking
    # every row); the first of each is kept, the others rejected.
    for period in periods:
        conn.execute(
            f"""
            create or replace temp table _repeats as
            with scope as (
                select * from ingest.{kind}_candidates
                where period = $period and not ({conflict})
            ),
            repeated as (select {keys} from scope group by all having count(*) > 1)
            select load_id, source_path, period, source_sheet, source_row,
                   row_number() over w as _rn,
                   first_value(source_path) over w as _first_path,
                   first_value(source_sheet) over w as _first_sheet,
                   first_value(source_row) over w as _first_row
            from scope as c semi join repeated as r on {same_key}
            window w as (partition by {keys} order by load_id, source_sheet, source_row
                         rows between unbounded preceding and unbounded following)
            """,
            {"period": period},
        )
        conn.execute(
            f"""
            insert into raw.{kind}
            select * from ingest.{kind}_candidates as c
            anti join (select load_id, source_sheet, source_row from _repeats where _rn > 1)
                using (load_id, source_sheet, source_row)
            where c.period = $period and not ({conflict})
            """,
            {"period": period},
        )
        conn.execute(
            f"""
            insert into raw.rejected_rows
            select load_id, source_path, '{kind}', period, source_sheet, source_row, $column,
                   replace(replace(replace($text, '{{path}}', _first_path),
                           '{{sheet}}', if(_first_sheet = '', '', '「' || _first_sheet || '」')),
                           '{{row}}', _first_row::varchar),
                   'duplicate', $reason
            from _repeats
            where _rn > 1
            """,
            {
                "column": zh.DUPLICATE_COLUMN,
                "text": zh.DUPLICATE_OF,
                "reason": zh.REASONS["duplicate"],
            },
        )
    # Counts of every current file version in the touched periods.
    conn.execute(
        """
        update raw.ingestion_log l
        set rows_rejected = coalesce(r.n, 0), rows_loaded = l.rows_read - coalesce(r.n, 0)
        from (select l2.load_id, (select count(distinct (sheet, source_row)) from raw.rejected_rows r
                                   where r.load_id = l2.load_id) as n
              from raw.ingestion_log l2) r
        where l.load_id = r.load_id and l.is_current and l.status = 'loaded'
          and l.kind = ? and l.period in (select period from _periods)
        """,
        [kind],
    )
    reconcile.refresh(conn, kind)
    return set(periods)
