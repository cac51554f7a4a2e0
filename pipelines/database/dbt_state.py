"""Whether the dbt project is as it was at the last whole build of this warehouse.

The project's files (models, macros, seeds, tests, dbt_project.yml, profiles.yml) and
the dbt versions make one fingerprint, kept in the build database after each whole
build that succeeded. While it holds, a pipeline run leaves out the `reference` tag
(seeds and the region tables built from them alone: the same code over the same files
gives the same rows) and the incremental models recompute only the months the ingest
recorded as changed. When it does not - an edited model or seed, a dbt upgrade, a new
warehouse - the run is a `--full-refresh`.

A whole build with nothing to do is not run at all (`up_to_date`): the project as last
built, no month marked changed, and the raw tables as they were then. Every change the
ingest makes to a raw table - a file loaded, replaced, removed, skipped or restamped -
writes raw.ingestion_log (duplicates are re-resolved only in periods it marks changed),
so a hash of that log and of the key's fingerprint stands for all of them; the models
read nothing else that can change (no clock, no environment: the same inputs give the
same marts). No database code runs here but a few small statements; no Dagster.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipelines.database import store

_PROJECT_PARTS = ("models", "macros", "seeds", "tests")
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def fingerprint(project_dir: Path) -> str:
    """sha256 over every project file's path and bytes, and the dbt versions."""
    h = hashlib.sha256(
        f"dbt-core {version('dbt-core')} dbt-duckdb {version('dbt-duckdb')}".encode()
    )
    files = [project_dir / f for f in _PROJECT_FILES]
    for part in _PROJECT_PARTS:
        files += sorted(p for p in (project_dir / part).rglob("*") if p.is_file())
    for f in files:
        h.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def build_args(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> list[str]:
    """The extra `dbt build` arguments of a whole build (see the module docstring)."""
    store.ensure_schema(conn)
    row = conn.execute("select fingerprint from ingest.dbt_state").fetchone()
    if row is None or row[0] != fingerprint(project_dir):
        return ["--full-refresh"]
    # "buildable" keeps the tests that join ledger rows to the reference tables
    return ["--exclude", "tag:reference", "--indirect-selection", "buildable"]


def inputs(conn: duckdb.DuckDBPyConnection) -> str:
    """A hash of what dbt reads that an ingest can change (see the module docstring):
    order-free, a few milliseconds for a national year's 114,000 file versions."""
    return ":".join(
        str(v)
        for table in ("raw.ingestion_log", "ingest.key_fingerprint")
        for v in conn.execute(f"select count(*), sum(hash(t)) from {table} t").fetchone()
    )


def up_to_date(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> bool:
    """Whether a whole build would rebuild what is already built: the project, the raw
    tables and the changed months all as the last whole build that succeeded left them."""
    store.ensure_schema(conn)
    row = conn.execute("select fingerprint, inputs from ingest.dbt_state").fetchone()
    if row is None or row[1] is None or row[1] != inputs(conn):
        return False
    if conn.execute("select count(*) from ingest.changed_periods").fetchone()[0]:
        return False
    return row[0] == fingerprint(project_dir)


def built(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> None:
    """After a whole build succeeded: the project and the raw tables as built, and no
    month left to recompute (one transaction, so a crash leaves either the old state or the new)."""
    store.ensure_schema(conn)
    conn.execute("begin transaction")
    conn.execute("delete from ingest.dbt_state")
    conn.execute(
        "insert into ingest.dbt_state (fingerprint, inputs) values (?, ?)",
        [fingerprint(project_dir), inputs(conn)],
    )
    conn.execute("delete from ingest.changed_periods")
    conn.execute("commit")
