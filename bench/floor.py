"""Run bench/floor.sql: the DuckDB floor for the employment indicators."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipelines.ledgers.regions import DIVISIONS_CSV

SQL = Path(__file__).with_name("floor.sql")


def run_floor(raw: Path, db: Path) -> None:
    sql = (
        SQL.read_text(encoding="utf-8")
        .replace("${RAW}", str(raw))
        .replace("${DIVISIONS}", str(DIVISIONS_CSV))
    )
    con = duckdb.connect(str(db))
    try:
        con.execute(sql)
    finally:
        con.close()


if __name__ == "__main__":
    run_floor(Path(sys.argv[1]), Path(sys.argv[2]))
