"""Paths and settings from the environment (flags override them in the CLI)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    warehouse_dir: Path

    @property
    def build_db(self) -> Path:
        """Person-level (pseudonymised) database that only the pipeline opens."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def serving_db(self) -> Path:
        return self.warehouse_dir / "serving.duckdb"

    @property
    def marts_dir(self) -> Path:
        return self.warehouse_dir / "marts"

    @property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"


def paths(raw_dir: str | Path | None = None, warehouse_dir: str | Path | None = None) -> Paths:
    raw = Path(raw_dir or os.environ.get("COLLAB_RAW_DIR") or REPO_ROOT / "raw")
    wh = Path(warehouse_dir or os.environ.get("COLLAB_WAREHOUSE_DIR") or REPO_ROOT / "warehouse")
    return Paths(raw_dir=raw.resolve(), warehouse_dir=wh.resolve())


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so `.venv/bin/python` works without the
    venv on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def duckdb_config() -> dict[str, str]:
    """DuckDB settings for the pipeline's connections (dbt's profile reads the same
    variable). Without a limit DuckDB may cache up to 80% of RAM; COLLAB_DUCKDB_MEMORY
    caps it (default 2GB) so a national year stays within a laptop's memory."""
    return {"memory_limit": os.environ.get("COLLAB_DUCKDB_MEMORY", "2GB")}


def lock_timeout() -> float:
    """Seconds a run waits for another run on the same warehouse before it gives up
    (COLLAB_LOCK_TIMEOUT, default 600)."""
    return float(os.environ.get("COLLAB_LOCK_TIMEOUT", "600"))
