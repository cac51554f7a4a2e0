"""Publish the serving DuckDB file and the Parquet marts, atomically.

The serving file is built beside the live one under a temporary name and renamed into
place (os.replace is atomic on one filesystem). A dashboard that holds the old file open
keeps reading the old inode; a new connection opens the new file; a failure before the
rename leaves the old file byte-for-byte as it was.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.settings import duckdb_config

# Columns that would mean person-level data leaked into a mart.
FORBIDDEN_COLUMNS = {"person_key", "id_number", "name", "birth_year"}


class PublishError(RuntimeError):
    pass


@dataclass
class PublishResult:
    serving_db: Path
    tables: dict[str, int]  # table → rows
    parquet_dir: Path


def publish(
    build_db: Path, serving_db: Path, parquet_dir: Path, schema: str = "marts"
) -> PublishResult:
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    _drop_leftovers(serving_db, parquet_dir)
    tag = uuid.uuid4().hex[:8]
    tmp = serving_db.with_name(f".{serving_db.name}.{tag}.tmp")
    tmp_parquet = parquet_dir.with_name(f".{parquet_dir.name}.{tag}.tmp")
    tables: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp), config=duckdb_config())
        try:
            con.execute(f"attach '{build_db}' as build (read_only)")
            names = [
                r[0]
                for r in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'build' and schema_name = ? order by 1",
                    [schema],
                ).fetchall()
            ]
            if not names:
                raise PublishError(
                    f"no tables in {build_db}:{schema}; refusing to publish an empty serving file"
                )
            for t in names:
                cols = {r[0] for r in con.execute(f"describe build.{schema}.{t}").fetchall()}
                leaked = cols & FORBIDDEN_COLUMNS
                if leaked:
                    raise PublishError(
                        f"mart {t} has person-level columns {sorted(leaked)}; not published"
                    )
                con.execute(f"create table main.{t} as select * from build.{schema}.{t}")
                _copy_comments(con, schema, t)
                tables[t] = con.execute(f"select count(*) from main.{t}").fetchone()[0]
            tmp_parquet.mkdir(parents=True)
            for t in names:
                con.execute(f"copy main.{t} to '{tmp_parquet / (t + '.parquet')}' (format parquet)")
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, serving_db)
        _swap_dir(tmp_parquet, parquet_dir)
    finally:
        tmp.unlink(missing_ok=True)
        if tmp_parquet.exists():
            _rmtree(tmp_parquet)
    return PublishResult(serving_db, tables, parquet_dir)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """The mart's descriptions (dbt's persist_docs made them DuckDB comments in the build
    database) onto the serving file's copy: `create table as` does not carry them."""
    where = "database_name = 'build' and schema_name = ? and table_name = ?"
    (comment,) = con.execute(
        f"select comment from duckdb_tables() where {where}", [schema, table]
    ).fetchone()
    if comment:
        con.execute(f"comment on table main.{table} is {_sql_text(comment)}")
    for column, comment in con.execute(
        f"select column_name, comment from duckdb_columns() where {where} and comment is not null",
        [schema, table],
    ).fetchall():
        quoted = '"' + column.replace('"', '""') + '"'
        con.execute(f"comment on column main.{table}.{quoted} is {_sql_text(comment)}")


def _drop_leftovers(serving_db: Path, parquet_dir: Path) -> None:
    """Temporary files of a publish that was killed before its rename. The caller holds
    the warehouse's write lock, so no other publish is writing them."""
    for p in serving_db.parent.glob(f".{serving_db.name}.*.tmp*"):
        p.unlink(missing_ok=True)
    for p in parquet_dir.parent.glob(f".{parquet_dir.name}.*.tmp"):
        _rmtree(p)


def _swap_dir(new: Path, live: Path) -> None:
    """Replace a directory of files: rename the old one away, the new one in, then drop
    the old. A reader sees either the whole old set or the whole new set."""
    old = live.with_name(f".{live.name}.old")
    if old.exists():
        _rmtree(old)
    if live.exists():
        live.rename(old)
    new.rename(live)
    if old.exists():
        _rmtree(old)


def _rmtree(path: Path) -> None:
    for p in path.iterdir():
        p.unlink()
    path.rmdir()
