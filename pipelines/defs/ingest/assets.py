"""Ingest assets: one per ledger kind, monthly partitions (targets: by year folder,
unpartitioned since they are few). Thin: the work is in pipelines.database.ingest."""

import logging

import dagster as dg

from pipelines import zh
from pipelines.database.ingest import IngestProgress, ingest_kind
from pipelines.database.quality import missing_submissions, quality
from pipelines.defs.ingest.checks import CHECK_SPECS, check_results
from pipelines.defs.resources import Warehouse

log = logging.getLogger("collabstats")
# Ingest progress as log records carrying an IngestProgress (`record.progress`): the CLI
# draws progress bars from them; elsewhere nobody listens. Not passed to "collabstats".
progress_log = logging.getLogger("collabstats.progress")
progress_log.propagate = False

# East–West cooperation in its current pairing (Guangdong with Guangxi and Guizhou) runs
# from 2021; end_offset=1 makes the current month a partition as soon as it starts.
# Keys are the reporting month itself (2024-11), as folders and the README name it.
MONTHLY = dg.MonthlyPartitionsDefinition(start_date="2021-01", fmt="%Y-%m", end_offset=1)


def _materialize(
    context: dg.AssetExecutionContext, warehouse: Warehouse, kind: str, periods: set[str] | None
):
    def on_progress(p: IngestProgress) -> None:
        if p.period is not None:
            context.log.info(
                f"{kind} {p.period}: {p.files_done:,} of {p.files_total:,} new or changed files "
                f"read, {p.rows_done:,} rows"
            )
        progress_log.info("%s", kind, extra={"progress": p})

    with warehouse.build_db() as conn:
        summary = ingest_kind(
            conn, warehouse.paths.raw_dir, kind, warehouse.pii_key(), periods, on_progress
        )
        q = quality(conn, kind, periods)
        missing = (
            None
            if periods is None
            else {p: missing_submissions(conn, kind, p) for p in sorted(periods)}
        )
    log.info(
        f"{kind}: {summary.files_seen:,} files ({summary.unchanged:,} unchanged, "
        f"{len(summary.failed):,} failed, {summary.removed:,} removed); rows read "
        f"{q.rows_read:,}, loaded {q.rows_loaded:,}, rejected {q.rows_rejected:,}"
    )
    return dg.MaterializeResult(
        metadata={
            "files": q.files,
            "files_changed": len(summary.results),
            "files_unchanged": summary.unchanged,
            "files_failed": len(q.failed_files),
            "rows_read": q.rows_read,
            "rows_loaded": q.rows_loaded,
            "rows_rejected": q.rows_rejected,
            "periods": ", ".join(sorted(periods)) if periods else "all",
        },
        check_results=check_results(
            context.assets_def.key, q, missing, ", ".join(sorted(periods)) if periods else "all"
        ),
    )


def _monthly_ingest_asset(kind: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", kind])

    @dg.asset(
        key=key,
        group_name="ingest",
        partitions_def=MONTHLY,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "polars"},
        check_specs=CHECK_SPECS(key),
        description=f"{zh.KIND_TITLES[kind]}: validated, pseudonymised rows of `raw/{kind}/YYYY-MM/`, one partition per reporting month.",
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: Warehouse):
        periods = set(context.partition_keys)
        return _materialize(context, warehouse, kind, periods)

    return _asset


placements = _monthly_ingest_asset("placements")
trainings = _monthly_ingest_asset("trainings")
workshops = _monthly_ingest_asset("workshops")
transports = _monthly_ingest_asset("transports")
followups = _monthly_ingest_asset("followups")

_TARGETS = dg.AssetKey(["raw", "targets"])


@dg.asset(
    key=_TARGETS,
    group_name="ingest",
    kinds={"duckdb", "polars"},
    check_specs=CHECK_SPECS(_TARGETS, monthly=False),
    description=f"{zh.KIND_TITLES['targets']}: yearly targets from `raw/targets/YYYY/` (few rows: reloaded whole).",
)
def targets(context: dg.AssetExecutionContext, warehouse: Warehouse):
    return _materialize(context, warehouse, "targets", None)


INGEST_ASSETS = [placements, trainings, workshops, transports, followups, targets]

# Written by every ingest asset as it loads (pipelines.database.store); declared so the graph
# shows where the dbt sources of the same names come from.
LOG_TABLES = [
    dg.AssetSpec(
        ["raw", name],
        group_name="ingest",
        deps=[a.key for a in INGEST_ASSETS],
        kinds={"duckdb"},
        description=text,
    )
    for name, text in (
        (
            "ingestion_log",
            "One row per file version: path, kind, period, sha256, rows read/loaded/rejected, status.",
        ),
        (
            "rejected_rows",
            "One row per problem in a row: file, row, column, masked value, Chinese reason.",
        ),
        (
            "reported_totals",
            "One row per number a ledger states about itself (合计/小计 rows, a count in the title).",
        ),
        (
            "reconciliation",
            "One row per reported total beside what was loaded from its rows: difference and likely cause.",
        ),
    )
]
