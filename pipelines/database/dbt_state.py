"""Whether the dbt project is as it was at the last whole build of this warehouse.

The project's files (models, macros, seeds, tests, dbt_project.yml, profiles.yml) and
the dbt versions make one fingerprint, kept in the build database after each whole
build that succeeded. While it holds, a pipeline run leaves out the `reference` tag
(seeds and the region tables built from them alone: the same code over the same files
gives the same rows) and the incremental models recompute only the months the ingest
recorded as changed. When it does not - an edited model or seed, a dbt upgrade, a new
warehouse - the run is a `--full-refresh`. No database code runs here but two small
statements; no Dagster.
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


def built(conn: duckdb.DuckDBPyConnection, project_dir: Path) -> None:
    """After a whole build succeeded: the project as built, and no month left to
    recompute (one transaction, so a crash leaves either the old state or the new)."""
    store.ensure_schema(conn)
    conn.execute("begin transaction")
    conn.execute("delete from ingest.dbt_state")
    conn.execute("insert into ingest.dbt_state values (?)", [fingerprint(project_dir)])
    conn.execute("delete from ingest.changed_periods")
    conn.execute("commit")
