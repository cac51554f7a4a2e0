"""Ingest the ledgers of one kind (optionally some periods) into the build database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.database import store
from pipelines.ledgers.process import (
    FileResult,
    Skipped,
    Submission,
    process_files,
    sha256_of,
    strays,
    survey,
)

SLICE_FILES = 600  # a quarter of a national month's county files


@dataclass(frozen=True)
class IngestProgress:
    """Where an ingest stands: reported before the first batch and after each one."""

    kind: str
    period: str | None  # the period of the batch just done (None before the first)
    files_done: int
    files_total: int  # new or changed files to read this run
    rows_done: int


@dataclass
class IngestSummary:
    kind: str
    files_seen: int = 0
    unchanged: int = 0
    removed: int = 0
    results: list[FileResult] = field(default_factory=list)
    touched_periods: set[str] = field(default_factory=set)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def rows_read(self) -> int:
        return sum(r.rows_read for r in self.results)


def ingest_kind(
    conn: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    kind: str,
    key: bytes,
    periods: set[str] | None = None,
    on_progress: Callable[[IngestProgress], None] | None = None,
) -> IngestSummary:
    """Load new and changed files of `kind` (in `periods`, or all), retire files that
    left raw/, then resolve duplicates for the touched periods.

    Each period's files commit in a transaction of their own (one transaction for a
    national year held 5 GB of uncommitted rows), together with a mark in
    ingest.unresolved; the retirements, the resolve and clearing the marks commit last,
    together. A crash in between leaves candidates that raw.<kind> does not reflect yet,
    and the marks make the next run resolve those periods (its files are unchanged to
    it), so nothing is lost or left half-applied."""
    store.ensure_schema(conn)
    store.ensure_key(conn, key)
    found = survey(raw_dir, kind, periods)
    subs = found.submissions
    summary = IngestSummary(kind, files_seen=len(subs), skipped=found.skipped)
    current = store.current_files(conn, kind)
    # A path loaded before is compared by its sha256; a new path is new whatever it
    # holds, and the reader hashes it as it reads it (a fresh national year is 114,000
    # files: hashing them here first read each file twice).
    digests = {sub.rel: _digest(sub, current[sub.rel]) for sub in subs if sub.rel in current}
    changed = [sub for sub in subs if current.get(sub.rel, ("",))[0] != digests.get(sub.rel)]
    # Unchanged files saved again (or logged before size and mtime were) get their new
    # stamp, so the next run need not hash them again.
    restamp = [
        sub
        for sub in subs
        if sub.rel in current
        and current[sub.rel][0] == digests[sub.rel]
        and current[sub.rel][1:] != (sub.size, sub.mtime_ns)
    ]
    summary.unchanged = len(subs) - len(changed)
    # One reporting period at a time, so memory holds one month of ledgers, not a year;
    # within a period files are recorded in path order, which fixes load_id order and so
    # "first loaded wins".
    by_period: dict[str, list[Submission]] = {}
    for sub in changed:
        by_period.setdefault(sub.period, []).append(sub)
    batches = sorted(by_period.items())
    if batches:
        # The last month has no next month to read while it is processed, so it goes in
        # slices that are read ahead of each other (this is what a monthly run adds).
        # Not every month: each batch has a fixed cost (a validation pass, an insert),
        # which the read-ahead of the next month already hides.
        period, files = batches.pop()
        batches += [(period, files[i : i + SLICE_FILES]) for i in range(0, len(files), SLICE_FILES)]
    # The next batch is read, validated and pseudonymised (Polars and hashing release
    # the GIL) while this one is written to DuckDB, so both cores work.
    done = rows = 0

    def report(period: str | None) -> None:
        if on_progress:
            on_progress(IngestProgress(kind, period, done, len(changed), rows))

    report(None)
    with ThreadPoolExecutor(max_workers=1) as ahead:
        pending = ahead.submit(process_files, batches[0][1], key, digests) if batches else None
        for i, (period, batch) in enumerate(batches):
            results = pending.result()
            if i + 1 < len(batches):
                pending = ahead.submit(process_files, batches[i + 1][1], key, digests)
            with _transaction(conn):
                store.record_many(conn, results)
                store.mark_unresolved(conn, kind, [period])
            for r in results:  # keep the summary, not the rows
                r.loaded = None
            summary.results += results
            summary.touched_periods.add(period)
            done += len(batch)
            rows += sum(r.rows_read for r in results)
            report(period)
    with _transaction(conn):
        store.record_skipped(conn, kind, found.skipped, scope_all=periods is None)
        store.record_skipped(conn, "other", strays(raw_dir), scope_all=True)
        store.restamp(conn, kind, [(s.rel, s.size, s.mtime_ns) for s in restamp])
        scope = (
            periods
            if periods is not None
            else {s.period for s in subs} | store.logged_periods(conn, kind)
        )
        present = {s.rel for s in subs}
        for rel, period in _current(conn, kind, scope):
            if rel not in present:
                store.remove(conn, rel, kind, period)
                summary.removed += 1
                summary.touched_periods.add(period)
        summary.touched_periods |= store.unresolved(conn, kind)  # incl. a crashed run's
        resolved = store.resolve(conn, kind, summary.touched_periods)
        store.clear_unresolved(conn, kind)
        store.mark_changed(conn, resolved)  # what dbt recomputes (macros/changed_periods.sql)
    return summary


def _digest(sub: Submission, logged: tuple[str, int | None, int | None] | None) -> str:
    """The file's sha256; the logged one when the file has the size and mtime it was
    loaded with (rsync's quick check: a national year is gigabytes of unchanged
    ledgers to hash every run otherwise). An edit changes the mtime; a file put back with the old
    mtime but other content is not something a ledger goes through."""
    if logged is not None and sub.size >= 0 and logged[1:] == (sub.size, sub.mtime_ns):
        return logged[0]
    return sha256_of(sub.path)


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.execute("begin transaction")
    try:
        yield
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def _current(
    conn: duckdb.DuckDBPyConnection, kind: str, periods: set[str]
) -> list[tuple[str, str]]:
    return conn.execute(
        "select path, period from raw.ingestion_log where kind = ? and is_current "
        "and status <> 'skipped' and period in (select unnest(?))",
        [kind, sorted(periods)],
    ).fetchall()
