"""Jobs, the sensor on raw/, and the schedules the data team's calendar needs.

Ledgers arrive by the 5th: the monthly schedule runs on the 6th for the previous month.
Half-year and annual summaries are due by 6月30日 and 12月30日 (桂人社发〔2022〕7号): their
schedules run on the 28th and tag the run so the exports report that month.
"""

import hashlib
import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.exports.assets import REPORT_PERIOD_TAG
from pipelines.defs.ingest.assets import INGEST_ASSETS
from pipelines.defs.resources import Warehouse
from pipelines.ledgers.process import Submission, discover, sha256_of

MONTHLY_KINDS = ("placements", "trainings", "workshops")
INGEST_KEYS = {a.key for a in INGEST_ASSETS}
DOWNSTREAM = dg.AssetSelection.all() - dg.AssetSelection.assets(*INGEST_KEYS)

pipeline_job = dg.define_asset_job(
    "pipeline_job",
    selection=dg.AssetSelection.all(),
    description="Ingest the selected months, dbt build, publish the serving file, write the workbooks.",
)
month_job = dg.define_asset_job(
    "month_job",
    selection=dg.AssetSelection.assets(*(dg.AssetKey(["raw", k]) for k in MONTHLY_KINDS))
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


# The cursor: {path: [size, mtime_ns, sha256 prefix]} of every file as last requested,
# written without ASCII escapes so the UI shows 金秀县, not \\u91d1…
_SHA = 16  # hex digits of the sha256 kept: enough to tell two versions of a file apart


def _fingerprint(sub: Submission, previous: list | None) -> list:
    """[size, mtime, sha]; the hash is recomputed only when size or mtime moved."""
    if previous and previous[:2] == [sub.size, sub.mtime_ns]:
        return previous
    return [sub.size, sub.mtime_ns, sha256_of(sub.path)[:_SHA]]


def _run_group(kind: str, period: str) -> str:
    return "targets" if kind == "targets" else period


def _loaded(serving_db: Path) -> dict[str, list]:
    """What the warehouse already holds, as a cursor would say it: every current file
    version of the last published run ([size, mtime] unknown, so each is hashed once).
    The serving file, not the build database: a run may be writing that one."""
    if not serving_db.exists():
        return {}
    con = duckdb.connect(str(serving_db), read_only=True)
    try:
        rows = con.execute(
            "select path, sha256 from ingestion_log where is_current and status <> 'skipped'"
        ).fetchall()
    finally:
        con.close()
    return {path: [None, None, sha[:_SHA]] for path, sha in rows if sha}


def _in_words(group: str, changes: list[tuple[str, str]]) -> str:
    counts = defaultdict(int)
    for _, change in changes:
        counts[change] += 1
    what = ", ".join(f"{n} {change}" for change, n in sorted(counts.items()))
    files = ", ".join(rel for rel, _ in changes[:5]) + (" …" if len(changes) > 5 else "")
    run = "the targets" if group == "targets" else f"month {group}"
    return f"{run}: {what} ({files}) → one run"


@dg.sensor(
    jobs=[month_job, targets_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new, changed or removed file under raw/ requests one run for its kind and month.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """Cursor: every file's fingerprint as last requested. A restart resumes from it, so
    nothing is requested twice and nothing is missed; a file that cannot be read is
    requested once per content (its run logs it as failed) and never retried. Without a
    cursor (a new sensor, or a reset one) it starts from what the warehouse holds, so
    the first tick after `collabstats run` requests nothing."""
    if context.cursor:
        seen: dict[str, list] = json.loads(context.cursor)
    else:
        seen = _loaded(warehouse.paths.serving_db)
        context.log.info(f"No cursor: starting from the warehouse's {len(seen):,} loaded files.")
    now: dict[str, list] = {}
    # One run per reporting month (it ingests every monthly kind of that month), one for
    # targets: keyed "targets" or the month.
    changed: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sub in discover(warehouse.paths.raw_dir):
        before = seen.get(sub.rel)
        now[sub.rel] = _fingerprint(sub, before)
        if before is None or before[2] != now[sub.rel][2]:
            change = "new" if before is None else "changed"
            changed[_run_group(sub.kind, sub.period)].append((sub.rel, change))
    for rel in seen.keys() - now.keys():  # removed: its rows must leave the warehouse
        kind, period = rel.split("/")[:2]
        changed[_run_group(kind, period)].append((rel, "removed"))
    requests = []
    for group, changes in sorted(changed.items()):
        context.log.info(_in_words(group, changes))
        marks = sorted(f"{rel}@{now[rel][2] if rel in now else 'removed'}" for rel, _ in changes)
        run_key = f"{group}/" + hashlib.sha1("|".join(marks).encode()).hexdigest()[:16]
        tags = {"collabstats/files": ", ".join(marks)[:1000]}
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
        context.log.info(f"No new, changed or removed files under raw/ ({len(now):,} files).")
    cursor = json.dumps(now, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
