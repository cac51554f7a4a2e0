"""Every COLLAB_* setting, read from the environment here and nowhere else; the CLI's
flags override them by passing values down, never by writing the environment.

COLLAB_RAW_DIR, COLLAB_WAREHOUSE_DIR   where ledgers and the warehouse live
COLLAB_PII_KEY, COLLAB_PROFILE         the pseudonymisation key; `prod` requires one
COLLAB_DUCKDB_MEMORY                   DuckDB's memory limit (dbt's profile reads it too)
COLLAB_DBT_TARGET                      dev (DuckDB, default) or spark: the engine dbt builds on
COLLAB_LOCK_TIMEOUT                    seconds to wait for another run on the warehouse
COLLAB_MAX_REJECTED_SHARE              above it the blocking check stops publishing
COLLAB_EXPECTED_COUNTIES               counties that must report every month
COLLAB_REPORT_FORM_NUMBER, COLLAB_REPORT_AUTHORITY, COLLAB_REPORT_VALID_UNTIL
                                       the 表号 / 制定机关 / 有效期至 block of the workbooks
"""

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


def dbt_target() -> str:
    """The dbt target the pipeline builds with: `dev` (DuckDB) unless COLLAB_DBT_TARGET
    says `spark` (docs/spark.md; dbt's profile reads it too)."""
    return os.environ.get("COLLAB_DBT_TARGET", "dev")


def duckdb_config() -> dict[str, str]:
    """DuckDB settings for the pipeline's connections (dbt's profile reads the same
    variable). Without a limit DuckDB may cache up to 80% of RAM; COLLAB_DUCKDB_MEMORY
    caps it (default 2GB) so a national year stays within a laptop's memory."""
    return {"memory_limit": os.environ.get("COLLAB_DUCKDB_MEMORY", "2GB")}


def lock_timeout() -> float:
    """Seconds a run waits for another run on the same warehouse before it gives up
    (COLLAB_LOCK_TIMEOUT, default 600)."""
    return float(os.environ.get("COLLAB_LOCK_TIMEOUT", "600"))


def pii_key_text() -> str:
    """COLLAB_PII_KEY as set ("" when unset); pipelines.ledgers.pii judges it."""
    return os.environ.get("COLLAB_PII_KEY", "")


def profile() -> str:
    """COLLAB_PROFILE: `dev` (default) or `prod`."""
    return os.environ.get("COLLAB_PROFILE", "dev")


def max_rejected_share() -> float:
    """COLLAB_MAX_REJECTED_SHARE (default 0.5): the share of rejected rows above which a
    ledger kind is systematically wrong and the blocking check stops publishing."""
    return float(os.environ.get("COLLAB_MAX_REJECTED_SHARE", "0.5"))


def expected_counties() -> set[str] | None:
    """COLLAB_EXPECTED_COUNTIES: comma-separated county codes that must report every
    month. Unset: a county is expected once it has reported earlier in the year."""
    raw = os.environ.get("COLLAB_EXPECTED_COUNTIES", "").strip()
    return {c.strip() for c in raw.split(",") if c.strip()} or None


@dataclass(frozen=True)
class ReportForm:
    """The 表号 / 制定机关 / 有效期至 block at the top right of every workbook sheet.
    Sheet n carries the form number `{form_number}{n}表`; an empty value prints its label
    with a blank, to be filled in by hand as on a paper form."""

    form_number: str
    authority: str
    valid_until: str


def report_form() -> ReportForm:
    """COLLAB_REPORT_FORM_NUMBER (default 东劳协, giving 东劳协1表 …),
    COLLAB_REPORT_AUTHORITY (default 广东省人力资源和社会保障厅), COLLAB_REPORT_VALID_UNTIL
    (default blank)."""
    return ReportForm(
        form_number=os.environ.get("COLLAB_REPORT_FORM_NUMBER", "东劳协"),
        authority=os.environ.get("COLLAB_REPORT_AUTHORITY", "广东省人力资源和社会保障厅"),
        valid_until=os.environ.get("COLLAB_REPORT_VALID_UNTIL", ""),
    )
