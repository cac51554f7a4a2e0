"""Jobs, the sensor on raw/, and the schedules the data team's calendar needs.

Ledgers arrive by the 5th: the monthly schedule runs on the 6th for the previous month.
Half-year and annual summaries are due by 6月30日 and 12月30日 (桂人社发〔2022〕7号): their
schedules run on the 28th and tag the run so the exports report that month.
"""

import hashlib
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.exports.assets import REPORT_PERIOD_TAG
from pipelines.defs.ingest.assets import INGEST_ASSETS
from pipelines.defs.resources import Warehouse
from pipelines.ledgers import spec
from pipelines.ledgers.process import discover, sha256_of

INGEST_KEYS = {a.key for a in INGEST_ASSETS}
DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.assets(*INGEST_KEYS)

pipeline_job = dg.define_asset_job(
    "pipeline_job",
    selection=dg.AssetSelection.all(),
    description="Ingest the selected months, dbt build, publish the serving file, write the workbooks.",
)
month_job = dg.define_asset_job(
    "month_job",
    selection=dg.AssetSelection.assets(*(dg.AssetKey(["raw", k]) for k in spec.MONTHLY_KINDS))
    | DOWNSTREAM,
    description="One reporting month of the monthly ledgers, then everything downstream (the sensor's job).",
)
targets_job = dg.define_asset_job(
    "targets_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["raw", "targets"])) | DOWNSTREAM,
    description="Yearly targets, then everything downstream.",
)


def _previous_month(context: dg.ScheduleEvaluationContext) -> str:
    first = context.scheduled_execution_time.replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


@dg.schedule(
    cron_schedule="0 8 6 * *",
    job=pipeline_job,
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On the 6th at 08:00: the previous month's ledgers (due by the 5th).",
)
def monthly_schedule(context: dg.ScheduleEvaluationContext):
    month = _previous_month(context)
    return dg.RunRequest(run_key=f"monthly-{month}", partition_key=month)


def _report_schedule(name: str, month_of_year: int, label: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=name,
        cron_schedule=f"0 8 28 {month_of_year} *",
        job=pipeline_job,
        execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"{label}: due by {month_of_year}月30日; runs on the 28th and writes the workbooks for that month.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        month = f"{context.scheduled_execution_time:%Y-%m}"
        return dg.RunRequest(
            run_key=f"{name}-{month}",
            partition_key=month,
            tags={REPORT_PERIOD_TAG: month},
        )

    return _schedule


half_year_report_schedule = _report_schedule(
    "half_year_report_schedule", 6, "Half-year summary (半年)"
)
annual_report_schedule = _report_schedule("annual_report_schedule", 12, "Annual summary (全年)")


def _run_group(kind: str, period: str) -> str:
    return "targets" if kind == "targets" else period


def _loaded(serving_db: Path) -> dict[str, tuple[str, int | None, int | None]]:
    """path → (sha256, size, mtime_ns) of every current file version the warehouse's last
    published run holds. The serving file, not the build database: a run may be writing
    that one, and the serving file is always there to read."""
    if not serving_db.exists():
        return {}
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        rows = con.execute(
            "select path, sha256, size_bytes, modified_ns from ingestion_log "
            "where is_current and status <> 'skipped'"
        ).fetchall()
    finally:
        con.close()
    return {path: (sha, size, mtime) for path, sha, size, mtime in rows}


def _in_words(group: str, changes: list[tuple[str, str]]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for _, change in changes:
        counts[change] += 1
    what = ", ".join(f"{n} {change}" for change, n in sorted(counts.items()))
    files = ", ".join(rel for rel, _ in changes[:5]) + (" …" if len(changes) > 5 else "")
    run = "the targets" if group == "targets" else f"month {group}"
    return f"{run}: {what} ({files})"


@dg.sensor(
    jobs=[month_job, targets_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new, changed or removed file under raw/ requests one run for its kind and month.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """Compares raw/ with what the warehouse holds (the serving file's ingestion_log:
    sha256, size, mtime of every current file) and requests one run per month with a
    difference. No cursor: the first tick after `collabstats run` requests nothing, and a
    restart misses nothing. A file is hashed only when its size or mtime differs from
    the log, as the ingest does. The run key is the set of differing files and their
    contents, and Dagster launches a run key once: a difference waiting for its run, or
    a file whose run could not load it (unreadable, a failed check), is not requested
    again until its content changes."""
    loaded = _loaded(warehouse.paths.serving_db)
    present: set[str] = set()
    # One run per reporting month (it ingests every monthly kind of that month), one for
    # targets: keyed "targets" or the month.
    changed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    marks: dict[str, list[str]] = defaultdict(list)
    for sub in discover(warehouse.paths.raw_dir):
        present.add(sub.rel)
        logged = loaded.get(sub.rel)
        if logged and logged[1:] == (sub.size, sub.mtime_ns):
            continue
        sha = sha256_of(sub.path)
        if logged and logged[0] == sha:
            continue  # saved again, same content
        group = _run_group(sub.kind, sub.period)
        changed[group].append((sub.rel, "changed" if logged else "new"))
        marks[group].append(f"{sub.rel}@{sha[:16]}")
    for rel in loaded.keys() - present:  # removed: its rows must leave the warehouse
        kind, period = rel.split("/")[:2]
        changed[_run_group(kind, period)].append((rel, "removed"))
        marks[_run_group(kind, period)].append(f"{rel}@removed")
    requests = []
    for group, changes in sorted(changed.items()):
        context.log.info(_in_words(group, changes))
        files = sorted(marks[group])
        run_key = f"{group}/" + hashlib.sha1("|".join(files).encode()).hexdigest()[:16]
        tags = {"collabstats/files": ", ".join(files)[:1000]}
        if group == "targets":
            requests.append(dg.RunRequest(run_key=run_key, job_name=targets_job.name, tags=tags))
        else:
            requests.append(
                dg.RunRequest(
                    run_key=run_key,
                    job_name=month_job.name,
                    # all monthly kinds of that month: unchanged files are no-ops by sha
                    partition_key=group,
                    tags=tags,
                )
            )
    if not requests:
        context.log.info(
            f"raw/ holds {len(present):,} files, all as the warehouse has them loaded."
        )
    return dg.SensorResult(run_requests=requests)
