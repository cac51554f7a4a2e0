"""What the DuckDB build hands to Spark (pipelines/database/spark.py), without Spark:
every input table as Parquet, ledger rows by period, an empty ledger kind as one file
(it has no period folder, so Spark must not be told to look for partitions)."""

from __future__ import annotations

import json

import duckdb

from pipelines.database import spark


def test_inputs_are_parquet_by_period_and_an_empty_kind_is_one_file(tmp_path):
    db = tmp_path / "build.duckdb"
    con = duckdb.connect(str(db))
    for schema, tables in spark.INPUTS.items():
        con.execute(f"create schema {schema}")
        for table in tables:
            con.execute(f"create table {schema}.{table} (period varchar, n integer)")
    con.execute("insert into raw.placements values ('2024-10', 1), ('2024-11', 2), ('2024-11', 3)")
    con.close()

    args = spark.prepare(db, tmp_path)
    inputs, tables = spark.folders(tmp_path)
    assert sorted(p.name for p in (inputs / "raw" / "placements").iterdir()) == [
        "period=2024-10",
        "period=2024-11",
    ]
    assert (inputs / "raw" / "transports" / "part-0.parquet").is_file()  # empty: one file
    assert tables.is_dir() and not any(tables.iterdir())
    got = duckdb.sql(
        f"select period, n from read_parquet('{inputs}/raw/placements/**/*.parquet', "
        "hive_partitioning = true) order by n"
    ).fetchall()
    assert got == [("2024-10", 1), ("2024-11", 2), ("2024-11", 3)]

    dbt_vars = json.loads(args[args.index("--vars") + 1])
    assert dbt_vars["spark_inputs"]["by_period"] == ["raw.placements"]
    assert dbt_vars["spark_inputs"]["tables"]["reference"] == list(spark.INPUTS["reference"])
    assert args[:3] == ["build", "--target", "spark"]
