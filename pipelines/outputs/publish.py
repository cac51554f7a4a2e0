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
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.settings import duckdb_config

# Columns that would mean person-level data leaked into a mart.
FORBIDDEN_COLUMNS = {"person_key", "id_number", "name", "birth_year"}

# --- what changed since the previous publish (#28) -------------------------------------
# Written by every publish beside the marts, comparing with the serving file it replaces:
# the files added, replaced or removed, the figures that moved and each file's part in
# it. A publish that changes nothing (a run with nothing new) carries the last change
# forward, so the tables always describe the latest publish that changed something.
CHANGE_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "publications": (
        "发布记录：每次发布一行。One row per publish of this serving file.",
        {
            "published_at": "发布时间（UTC）。When it was published (UTC).",
            "files_changed": "与上次发布相比新增、替换或删除的台账文件数（首次发布为空）。Ledger files added, replaced or removed since the previous publish (null for the first).",
            "figures_changed": "与上次发布相比数值变化的 metrics 行数（首次发布为空）。Rows of metrics whose value changed since the previous publish (null for the first).",
        },
    ),
    "file_changes": (
        "最近一次有变化的发布中，与上一次发布相比新增、替换或删除的台账文件。The ledger files added, replaced or removed by the latest publish that changed anything.",
        {
            "published_at": "该次发布的时间（UTC）。When that publish happened (UTC).",
            "file": "文件路径。File path under raw/.",
            "kind": "台账类别。Ledger kind.",
            "period": "报送月份。Reporting month.",
            "change": "added 新增、replaced 替换（同一路径新内容）、removed 删除。added, replaced (new content at the same path) or removed.",
            "previous_sha256": "上次发布时的 sha256。The file's sha256 at the previous publish.",
            "sha256": "本次的 sha256。Its sha256 now.",
        },
    ),
    "metric_changes": (
        "最近一次有变化的发布中数值变化的 metrics 行：上次发布的数、本次的数和差。The rows of metrics that moved in the latest publish that changed anything: the value before, now and the difference.",
        {
            "published_at": "该次发布的时间（UTC）。When that publish happened (UTC).",
            "period": "统计月份。Reporting month.",
            "region_code": "地区代码。Region code.",
            "indicator": "指标代码。Indicator.",
            "previous_value": "上次发布的数（新出现为空）。The value at the previous publish (null when new).",
            "value": "本次的数（已不存在为空）。The value now (null when gone).",
            "delta": "本次 − 上次（空记为0）。Now less before (a missing value as 0).",
        },
    ),
    "lineage_changes": (
        "最近一次有变化的发布中，各文件对就业人数类指标贡献的变化（metric_lineage 前后对比）。Each file's change in contribution to the distinct-person employment figures in the latest publish that changed anything (metric_lineage before and after).",
        {
            "published_at": "该次发布的时间（UTC）。When that publish happened (UTC).",
            "period": "统计月份。Reporting month.",
            "region_code": "地区代码。Region code.",
            "indicator": "指标代码。Indicator.",
            "file": "文件路径。File path under raw/.",
            "previous_contribution": "上次发布时该文件的贡献（人）。The file's contribution at the previous publish.",
            "contribution": "本次的贡献（人）。Its contribution now.",
            "delta": "本次 − 上次。Now less before.",
        },
    ),
}


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
            con.execute("detach build")
            record_changes(con, serving_db if serving_db.exists() else None)
            for t in CHANGE_TABLES:
                tables[t] = con.execute(f"select count(*) from main.{t}").fetchone()[0]
            tmp_parquet.mkdir(parents=True)
            for t in [*names, *CHANGE_TABLES]:
                con.execute(f"copy main.{t} to '{tmp_parquet / (t + '.parquet')}' (format parquet)")
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


_FILES = "(select path, kind, period, sha256 from {db}.ingestion_log where is_current and status = 'loaded')"

# Each change table as a comparison of this file (main) with the one it replaces ({db});
# `?` is the publish time.
_CHANGES = {
    "file_changes": f"""
        select ?::timestamp as published_at, coalesce(n.path, b.path) as file,
            coalesce(n.kind, b.kind) as kind, coalesce(n.period, b.period) as period,
            case when b.path is null then 'added' when n.path is null then 'removed'
                else 'replaced' end as change,
            b.sha256 as previous_sha256, n.sha256 as sha256
        from {_FILES.format(db="main")} as n
        full join {_FILES} as b on n.path = b.path
        where n.sha256 is distinct from b.sha256
        order by file
    """,
    "metric_changes": """
        select ?::timestamp as published_at, coalesce(n.period, b.period) as period,
            coalesce(n.region_code, b.region_code) as region_code,
            coalesce(n.indicator, b.indicator) as indicator,
            b.value as previous_value, n.value as value,
            coalesce(n.value, 0) - coalesce(b.value, 0) as delta
        from main.metrics as n
        full join {db}.metrics as b
            on n.period = b.period and n.region_code = b.region_code and n.indicator = b.indicator
        where n.value is distinct from b.value
        order by period, region_code, indicator
    """,
    "lineage_changes": """
        select ?::timestamp as published_at, coalesce(n.period, b.period) as period,
            coalesce(n.region_code, b.region_code) as region_code,
            coalesce(n.indicator, b.indicator) as indicator, coalesce(n.file, b.file) as file,
            b.contribution as previous_contribution, n.contribution as contribution,
            coalesce(n.contribution, 0) - coalesce(b.contribution, 0) as delta
        from main.metric_lineage as n
        full join {db}.metric_lineage as b
            on n.period = b.period and n.region_code = b.region_code
            and n.indicator = b.indicator and n.file = b.file
        where n.contribution is distinct from b.contribution
        order by period, region_code, indicator, file
    """,
}


def record_changes(con: duckdb.DuckDBPyConnection, previous: Path | None) -> None:
    """The change tables of the serving file being built in `con` (its marts already in
    `main`), against the published file `previous`. The first publish, or one over a
    file too old to compare with, has nothing to compare: the tables are empty and its
    publications row says null. A publish that changes nothing keeps the previous file's
    change tables, so they go on describing the last change."""
    now = datetime.now(UTC).replace(tzinfo=None)
    db = "main"  # this file's schema: compared with itself, no rows but the right columns
    held: set[str] = set()
    if previous is not None:
        con.execute(f"attach {_sql_text(str(previous))} as prev (read_only)")
        held = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'prev'"
            ).fetchall()
        }
        if {"ingestion_log", "metrics", "metric_lineage"} <= held:
            db = "prev.main"
    try:
        for table, sql in _CHANGES.items():
            con.execute(f"create table main.{table} as {sql.format(db=db)}", [now])
        files, figures = (
            con.execute(f"select count(*) from main.{t}").fetchone()[0]
            for t in ("file_changes", "metric_changes")
        )
        carried = db == "prev.main" and not files and not figures and set(CHANGE_TABLES) <= held
        if carried:
            for table in _CHANGES:
                con.execute(f"delete from main.{table}")
                con.execute(f"insert into main.{table} select * from prev.main.{table}")
        counts = (files, figures) if db == "prev.main" else (None, None)
        earlier = (
            "select * from prev.main.publications union all "
            if "publications" in held and db == "prev.main"
            else ""
        )
        con.execute(
            f"create table main.publications as {earlier}"
            "select ?::timestamp as published_at, ?::bigint as files_changed, ?::bigint as figures_changed",
            [now, *counts],
        )
    finally:
        if previous is not None:
            con.execute("detach prev")
    for table, (comment, columns) in CHANGE_TABLES.items():
        con.execute(f"comment on table main.{table} is {_sql_text(comment)}")
        for column, text in columns.items():
            con.execute(f"comment on column main.{table}.{column} is {_sql_text(text)}")


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
