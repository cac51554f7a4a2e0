"""Run the whole Dagster pipeline in process for every month present under raw/."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import psutil

from pipelines import settings, zh
from pipelines.database import store
from pipelines.database.alarms import alarms
from pipelines.ledgers import pii, spec
from pipelines.ledgers.process import discover, months_with_ledgers
from pipelines.settings import Paths

_STAGES = (
    ("raw__", "ingest"),
    ("dbt", "dbt"),
    ("serving", "publish"),
    ("official_exports", "exports"),
)


@dataclass
class RunOutcome:
    success: bool
    failed_steps: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # per stage, and ingest per kind
    # Wall time around the steps: loading the definitions (dbt manifest included), and
    # Dagster's own work between and around steps (run storage, step launches, events).
    overheads: dict[str, float] = field(default_factory=dict)
    summary: list[tuple[str, object]] = field(default_factory=list)


def month_range(paths: Paths) -> tuple[str, str] | None:
    months = months_with_ledgers(paths.raw_dir)
    return (months[0], months[-1]) if months else None


def _instance():
    from dagster import DagsterInstance

    home = os.environ.get("DAGSTER_HOME")
    if home:
        os.makedirs(home, exist_ok=True)
        return DagsterInstance.get()
    return DagsterInstance.ephemeral()


PID_TAG, STARTED_TAG = "collabstats/pid", "collabstats/process_started"


def _alive(pid: int, started: float) -> bool:
    """Whether the process that started a run still runs (not a zombie, not a new
    process that reuses the pid)."""
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and abs(proc.create_time() - started) < 1
    except psutil.Error:
        return False


def fail_dead_runs(instance) -> list[str]:
    """Mark failed the runs this command started whose process has died (kill -9, power
    loss): they would otherwise stay 'started' for ever and hold the UI's run queue.
    Runs the daemon launched are watched by run monitoring (dagster.yaml)."""
    from dagster import DagsterRunStatus, RunsFilter

    in_progress = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    dead = []
    for run in instance.get_runs(filters=RunsFilter(statuses=in_progress)):
        pid, started = run.tags.get(PID_TAG), run.tags.get(STARTED_TAG)
        if pid and started and not _alive(int(pid), float(started)):
            instance.report_run_failed(
                run, f"the collabstats process (pid {pid}) died during the run"
            )
            dead.append(run.run_id)
    return dead


def preflight(paths: Paths, month: str | None) -> str | None:
    """Why a run over `paths` has nothing to do (a message), or None. A month whose files
    were all removed still runs: its rows must leave the warehouse."""
    raw = paths.raw_dir
    if not raw.is_dir():
        return zh.RUN_ERRORS["no_raw_dir"].format(raw=raw)
    logged = _logged_periods(paths)
    if month is not None:
        if month not in months_with_ledgers(raw) and month not in logged:
            return zh.RUN_ERRORS["no_month"].format(month=month, raw=raw)
        return None
    if not months_with_ledgers(raw) and not discover(raw, "targets") and not logged:
        return zh.RUN_ERRORS["no_ledgers"].format(raw=raw)
    return None


def _logged_periods(paths: Paths) -> set[str]:
    """Periods with a current file version in the build database (none if there is none)."""
    if not paths.build_db.exists():
        return set()
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        return {
            r[0]
            for r in con.execute(
                "select distinct period from raw.ingestion_log where is_current and status <> 'skipped'"
            ).fetchall()
        }
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def check_key(paths: Paths, key: bytes) -> None:
    """Raise pii.KeyMismatchError when the build database was built under another key
    (before any Dagster start-up, so the refusal is immediate)."""
    if not paths.build_db.exists():
        return
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        stored = store.stored_fingerprint(con)
    except duckdb.CatalogException:
        return
    finally:
        con.close()
    if stored is not None and stored != pii.key_fingerprint(key):
        raise pii.KeyMismatchError(zh.KEY_MISMATCH)


def rekey(paths: Paths, key: bytes) -> int:
    """The documented change of key: every person-level row leaves the build database,
    and so do the dbt models built on them (rebuilt in full by the next run); the next
    run reads every ledger in raw/ again and makes each person's key under `key`.
    Returns the number of file versions that will be read again."""
    with duckdb.connect(str(paths.build_db), config=settings.duckdb_config()) as con:
        store.ensure_schema(con)
        con.execute("begin transaction")
        n = store.forget_person_rows(con, key)
        for (schema,) in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database() "
            "and schema_name not in ('main', 'raw', 'ingest', 'information_schema', 'pg_catalog')"
        ).fetchall():
            con.execute(f'drop schema "{schema}" cascade')
        con.execute("drop table if exists ingest.dbt_state")  # the next build: a full refresh
        con.execute("commit")
    return n


def run_pipeline(paths: Paths, instance=None, month: str | None = None) -> RunOutcome:
    """Materialise ingest (the range of months found, or one `month` as the monthly
    schedule and the sensor do), dbt and the serving file in one in-process run over
    `paths` (given to the Warehouse resource as run config)."""
    started = time.perf_counter()
    from dagster import AssetKey

    from pipelines.defs.warehouse.project import prepare

    prepare()  # the dbt manifest the definitions are built from
    from pipelines.definitions import defs

    job = defs.resolve_job_def("pipeline_job")
    rng = (month, month) if month else month_range(paths)
    tags = {}
    selection = None
    if rng:
        tags = {
            "dagster/asset_partition_range_start": rng[0],
            "dagster/asset_partition_range_end": rng[1],
        }
    else:  # no monthly ledgers: everything but the monthly ingest assets
        selection = [k for k in defs.resolve_asset_graph().get_all_asset_keys()
                     if k not in {AssetKey(["raw", x]) for x in spec.MONTHLY_KINDS}]  # fmt: skip
    instance = instance or _instance()
    fail_dead_runs(instance)
    me = psutil.Process()
    tags |= {PID_TAG: str(me.pid), STARTED_TAG: str(me.create_time())}
    loaded = time.perf_counter()
    result = job.execute_in_process(
        instance=instance,
        tags=tags,
        raise_on_error=False,
        asset_selection=selection,
        run_config={
            # Dagster's own console log is for the UI; the CLI prints progress itself.
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
            # the folders of this run, whatever the environment says
            "resources": {
                "warehouse": {
                    "config": {
                        "raw_dir": str(paths.raw_dir),
                        "warehouse_dir": str(paths.warehouse_dir),
                    }
                }
            },
        },
    )
    timings: dict[str, float] = defaultdict(float)
    failed = []
    for stat in instance.get_run_step_stats(result.run_id):
        stage = next(
            (name for prefix, name in _STAGES if stat.step_key.startswith(prefix)), stat.step_key
        )
        if stat.start_time and stat.end_time:
            timings[stage] += stat.end_time - stat.start_time
            if stage == "ingest":  # and per kind: raw__placements → ingest_placements
                timings[f"ingest_{stat.step_key.removeprefix('raw__')}"] = (
                    stat.end_time - stat.start_time
                )
        if stat.status is not None and stat.status.value == "FAILURE":
            failed.append(stat.step_key)
    executed = time.perf_counter()
    steps = sum(v for k, v in timings.items() if not k.startswith("ingest_"))
    outcome = RunOutcome(
        success=result.success,
        failed_steps=failed,
        timings=dict(timings),
        overheads={
            "definitions": loaded - started,
            "dagster": max(0.0, executed - loaded - steps),
        },
    )
    if result.success and paths.serving_db.exists():
        outcome.summary = summarise(paths, month)
    outcome.overheads["summary"] = time.perf_counter() - executed
    return outcome


SUMMARY_LIST = 5  # unreadable files and rejection reasons named in the summary


def _count(value: object) -> str:
    return "—" if value is None else f"{value:,.0f}"


def summarise(paths: Paths, month: str | None = None) -> list[tuple[str, object]]:
    """Lines for the end of a run: files and rows; each unreadable file with its reason;
    the most frequent rejection reasons; the ledger totals that differ; the month's
    statistical alarms, the largest first; per province the headline of `month` (default:
    the latest period with metrics; a province without a figure then shows —); where
    the serving file and the workbooks are."""
    con = duckdb.connect(str(paths.serving_db), read_only=True)
    try:
        files, failed, read, loaded, rejected = con.execute(
            "select count(*) filter (where status <> 'skipped'), count(*) filter (where status = 'failed'), "
            "sum(rows_read), sum(rows_loaded), sum(rows_rejected) from ingestion_log where is_current"
        ).fetchone()
        rows: list[tuple[str, object]] = [
            ("files (current)", _count(files)),
            ("files unreadable", _count(failed)),
        ]
        for path, message in con.execute(
            "select path, message from ingestion_log where is_current and status = 'failed' order by path limit ?",
            [SUMMARY_LIST],
        ).fetchall():
            rows.append((f"  {path}", message))
        rows.append(
            ("rows read / loaded / rejected", " / ".join(map(_count, (read, loaded, rejected))))
        )
        for reason, n in con.execute(
            """
            select any_value(reason order by reason), count(*) as n from rejected_rows
            group by reason_code order by n desc, reason_code limit ?
            """,
            [SUMMARY_LIST],
        ).fetchall():
            rows.append((f"  {reason}", f"{_count(n)} 行"))
        # the ledgers' own 合计 rows and titles that differ from what was loaded (a warning)
        (differ,) = con.execute("select count(*) from reconciliation where differs").fetchone()
        rows.append(
            (
                "ledger totals that differ",
                f"{_count(differ)}  (select * from reconciliation where differs)",
            )
        )
        latest = month or con.execute("select max(period) from metrics").fetchone()[0]
        # the month's statistical alarms (a warning): how many, and the largest few
        found = alarms(con, latest) if latest else []
        rows.append(
            (
                f"statistical alarms {latest or ''}".strip(),
                f"{_count(len(found))}  (select * from metric_alarms where period = '{latest}')",
            )
        )
        for a in found[:SUMMARY_LIST]:
            rows.append((f"  {a.region_name}", a.reason_zh))
        if latest:
            for name, persons, share in con.execute(
                """
                select region_name,
                       max(value) filter (where indicator = 'employed_persons'),
                       max(value) filter (where indicator = 'employed_poverty_share')
                from metrics where period = ? and region_level = 'province'
                group by region_name order by region_name
                """,
                [latest],
            ).fetchall():
                share_text = "—" if share is None else f"{share}%"
                rows.append(
                    (
                        f"{name} {latest}",
                        zh.RUN_HEADLINE.format(persons=_count(persons), share=share_text),
                    )
                )
        rows.append(("serving file", str(paths.serving_db)))
        rows.append(("rejected rows", "select * from rejected_rows  (in the serving file)"))
        exports = paths.exports_dir / (latest or "")
        if latest and exports.is_dir():
            rows.append(("workbooks", str(exports)))
        return rows
    finally:
        con.close()
