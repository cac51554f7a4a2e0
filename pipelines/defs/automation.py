"""Jobs, the sensor on raw/, and the schedules the data team's calendar needs.

Ledgers arrive by the 5th: the monthly schedule runs on the 6th for the previous month.
Half-year and annual summaries are due by 6月30日 and 12月30日 (桂人社发〔2022〕7号): their
schedules run on the 28th and tag the run so the exports report that month.
"""

import hashlib
import json
from collections import defaultdict
from datetime import timedelta

import dagster as dg

from pipelines.defs.exports.assets import REPORT_PERIOD_TAG
from pipelines.defs.ingest.assets import INGEST_ASSETS, partition_of
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
    return dg.RunRequest(run_key=f"monthly-{month}", partition_key=partition_of(month))


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
            partition_key=partition_of(month),
            tags={REPORT_PERIOD_TAG: month},
        )

    return _schedule


half_year_report_schedule = _report_schedule(
    "half_year_report_schedule", 6, "Half-year summary (半年)"
)
annual_report_schedule = _report_schedule("annual_report_schedule", 12, "Annual summary (全年)")


def _fingerprint(sub: Submission, previous: dict | None) -> dict:
    """size, mtime (as discover saw them) and sha256; the hash is recomputed only when
    size or mtime moved."""
    if previous and (previous.get("size"), previous.get("mtime")) == (sub.size, sub.mtime_ns):
        return previous
    return {"size": sub.size, "mtime": sub.mtime_ns, "sha": sha256_of(sub.path)}


def _run_group(kind: str, period: str) -> str:
    return "targets" if kind == "targets" else period


@dg.sensor(
    jobs=[month_job, targets_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A new, changed or removed file under raw/ requests one run for its kind and month.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """Cursor: every file's fingerprint as last requested. A restart resumes from it, so
    nothing is requested twice and nothing is missed; a file that cannot be read is
    requested once per content (its run logs it as failed) and never retried."""
    seen: dict[str, dict] = json.loads(context.cursor) if context.cursor else {}
    now: dict[str, dict] = {}
    # One run per reporting month (it ingests every monthly kind of that month), one for
    # targets: keyed "targets" or the month.
    changed: dict[str, list[str]] = defaultdict(list)
    for sub in discover(warehouse.paths.raw_dir):
        now[sub.rel] = _fingerprint(sub, seen.get(sub.rel))
        if seen.get(sub.rel, {}).get("sha") != now[sub.rel]["sha"]:
            changed[_run_group(sub.kind, sub.period)].append(
                f"{sub.rel}@{now[sub.rel]['sha'][:12]}"
            )
    for rel in seen.keys() - now.keys():  # removed: its rows must leave the warehouse
        kind, period = rel.split("/")[:2]
        changed[_run_group(kind, period)].append(f"{rel}@removed")
    requests = []
    for group, files in sorted(changed.items()):
        run_key = f"{group}/" + hashlib.sha1("|".join(sorted(files)).encode()).hexdigest()[:16]
        tags = {"collabstats/files": ", ".join(sorted(files))[:1000]}
        if group == "targets":
            requests.append(dg.RunRequest(run_key=run_key, job_name=targets_job.name, tags=tags))
        else:
            requests.append(
                dg.RunRequest(
                    run_key=run_key,
                    job_name=month_job.name,
                    # all monthly kinds of that month: unchanged files are no-ops by sha
                    partition_key=partition_of(group),
                    tags=tags,
                )
            )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(now, sort_keys=True))
