"""Resources: where the raw ledgers and the warehouse live, and the PII key (dbt's
resource is dagster-dbt's DbtCliResource as DbtCli in defs/warehouse/project.py)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from pipelines import settings
from pipelines.database.lock import warehouse_lock
from pipelines.ledgers import pii

log = logging.getLogger("collabstats")


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
    def lock(self) -> Iterator[None]:
        """The warehouse's write lock (pipelines/database/lock.py): held by every
        step that writes the build database, released by the kernel if the process dies."""
        with warehouse_lock(self.paths.warehouse_dir, settings.lock_timeout(), log.warning):
            yield

    @contextmanager
    def build_db(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The person-level build database, under the write lock; closed after each asset
        so the next step (dbt, publish) can open it."""
        with self.lock():
            conn = duckdb.connect(str(self.paths.build_db), config=settings.duckdb_config())
            try:
                yield conn
            finally:
                conn.close()
