"""Resources: where the raw ledgers and the warehouse live, the PII key, and dbt."""

import importlib.metadata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging import version

from pipelines import settings
from pipelines.lib import pii


class Warehouse(dg.ConfigurableResource):
    """Where ledgers and the warehouse live. Unset fields follow COLLAB_RAW_DIR /
    COLLAB_WAREHOUSE_DIR at the moment of use (the CLI's flags set those), so one loaded
    Definitions serves runs over different folders."""

    raw_dir: str | None = None
    warehouse_dir: str | None = None

    @property
    def paths(self) -> settings.Paths:
        return settings.paths(self.raw_dir, self.warehouse_dir)

    def pii_key(self) -> bytes:
        return pii.pii_key()

    @contextmanager
    def build_db(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The person-level build database; one writer, closed after each asset so the
        next step (dbt, publish) can open it."""
        self.paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(self.paths.build_db), config=settings.duckdb_config())
        try:
            yield conn
        finally:
            conn.close()


class Dbt(DbtCliResource):
    """dagster-dbt's CLI resource without two start-up costs that buy nothing here:

    - it runs `dbt --version` in a subprocess on every run (2.3 s) to learn the version of
      the dbt executable, which is the dbt-core this project pins and installs in the same
      .venv (settings.dbt_executable). Checked against the real executable in
      tests/test_definitions.py.
    - before starting dbt it loads the profile and a DuckDB adapter in this process
      (3.2 s), used only by `fetch_row_counts()` and `fetch_column_metadata()`, which this
      project does not call (dagster-dbt skips both when there is no adapter)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
