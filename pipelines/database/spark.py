"""The warehouse's dbt project on Spark (docs/spark.md; DESIGN "Beyond one
machine"): the DuckDB ingest's tables handed to Spark as Parquet, `dbt run --target
spark`, and the marts pulled back into the DuckDB build database, so the serving file,
the workbooks and the dashboards do not change.

Spark runs the same models as DuckDB; engine-specific SQL lives in
dbt_project/macros/engine.sql (adapter.dispatch). The by-period models are rebuilt whole
on Spark. The reference data is handed over from the DuckDB build's seeds rather than
seeded on Spark, whose session seeds load an empty cell as the string 'None'.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from pipelines.ledgers import spec
from pipelines.settings import DBT_PROJECT_DIR, duckdb_config

# The raw tables of ledger rows (one per kind), written partitioned by reporting period.
BY_PERIOD = spec.KINDS
INPUTS = {
    "raw": (*BY_PERIOD, "ingestion_log", "rejected_rows", "reported_totals", "reconciliation"),
    "ingest": ("changed_periods",),
    # the seeds, as DuckDB loaded them
    "reference": tuple(sorted(p.stem for p in (DBT_PROJECT_DIR / "seeds").glob("*.csv"))),
}


def write_inputs(build_db: Path, out: Path) -> list[str]:
    """Every raw, ingest and reference table of the DuckDB build as Parquet under
    out/<schema>/<table>/, ledger rows partitioned by period (period=2024-10/…). Returns
    the tables written partitioned (an empty one is one file: it has no period folder)."""
    shutil.rmtree(out, ignore_errors=True)
    partitioned: list[str] = []
    con = duckdb.connect(str(build_db), read_only=True, config=duckdb_config())
    try:
        for schema, tables in INPUTS.items():
            for table in tables:
                folder = out / schema / table
                folder.mkdir(parents=True)
                n = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
                if table in BY_PERIOD and n:
                    partitioned.append(f"{schema}.{table}")
                    con.execute(
                        f"copy {schema}.{table} to '{folder}' (format parquet, partition_by (period), "
                        "overwrite_or_ignore)"
                    )
                else:  # one file; an empty table still gives Spark its columns
                    con.execute(
                        f"copy {schema}.{table} to '{folder / 'part-0.parquet'}' (format parquet)"
                    )
    finally:
        con.close()
    return partitioned


def mart_tables(spark_tables: Path) -> list[Path]:
    """The folders of the marts Spark wrote (its warehouse's marts.db/<table>/)."""
    return sorted(p for p in (spark_tables / "marts.db").iterdir() if p.is_dir())


def read_marts(spark_tables: Path, build_db: Path) -> dict[str, int]:
    """Replace the DuckDB build's marts with the ones Spark built, table by table, in
    one transaction. Returns rows per mart."""
    rows: dict[str, int] = {}
    con = duckdb.connect(str(build_db), config=duckdb_config())
    try:
        con.execute("begin")
        con.execute("create schema if not exists marts")
        for folder in mart_tables(spark_tables):
            con.execute(
                f"create or replace table marts.{folder.name} as "
                f"select * from read_parquet('{folder}/**/*.parquet')"
            )
            (n,) = con.execute(f"select count(*) from marts.{folder.name}").fetchone()
            rows[folder.name] = n
        con.execute("commit")
    finally:
        con.close()
    return rows


def folders(warehouse_dir: Path) -> tuple[Path, Path]:
    """Where Spark's inputs go (Parquet) and where its tables land."""
    return warehouse_dir / "spark" / "inputs", warehouse_dir / "spark" / "tables"


def dbt_args(inputs: Path, tables: Path, partitioned: list[str]) -> list[str]:
    """`dbt build` on Spark over the inputs: models and their data tests. Seeds come as
    inputs; the unit tests are DuckDB's (CI runs them)."""
    listed = {
        "root": str(inputs),
        "tables": {schema: list(names) for schema, names in INPUTS.items()},
        "by_period": partitioned,
    }  # read by dbt_project/macros/spark_inputs.sql
    dbt_vars = {"spark_inputs": listed, "spark_tables": str(tables)}
    return [
        "build", "--target", "spark",
        "--exclude-resource-type", "seed", "--exclude-resource-type", "unit_test",
        "--vars", json.dumps(dbt_vars),
    ]  # fmt: skip


def prepare(build_db: Path, warehouse_dir: Path) -> list[str]:
    """Before a Spark build: the DuckDB build's tables as Parquet inputs, an empty folder
    for Spark's tables (its catalog starts empty each session, and a table may not be
    created over existing files). Returns the dbt arguments."""
    inputs, tables = folders(warehouse_dir)
    partitioned = write_inputs(build_db, inputs)
    shutil.rmtree(tables, ignore_errors=True)
    tables.mkdir(parents=True)
    return dbt_args(inputs, tables, partitioned)
