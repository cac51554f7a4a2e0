"""Run the whole Dagster pipeline in process for every month present under raw/."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from pipelines.lib import zh
from pipelines.lib.ingest import months_with_ledgers
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
    timings: dict[str, float] = field(default_factory=dict)
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


def run_pipeline(paths: Paths, instance=None, month: str | None = None) -> RunOutcome:
    """Materialise ingest (the range of months found, or one `month` as the monthly
    schedule and the sensor do), dbt and the serving file in one in-process run. Env vars
    must already point at `paths` (the CLI sets them)."""
    from dagster import AssetKey

    from pipelines.definitions import defs
    from pipelines.defs.ingest.assets import partition_of
    from pipelines.defs.warehouse import dbt_in_process
    from pipelines.defs.warehouse.assets import parse_dbt_ahead

    job = defs.resolve_job_def("pipeline_job")
    rng = (month, month) if month else month_range(paths)
    tags = {}
    selection = None
    if rng:
        tags = {
            "dagster/asset_partition_range_start": partition_of(rng[0]),
            "dagster/asset_partition_range_end": partition_of(rng[1]),
        }
    else:  # no monthly ledgers: everything but the monthly ingest assets
        selection = [k for k in defs.resolve_asset_graph().get_all_asset_keys()
                     if k not in {AssetKey(["raw", x]) for x in ("placements", "trainings", "workshops")}]  # fmt: skip
    instance = instance or _instance()
    # dbt parses the project while the ingest runs; the build starts from its manifest
    parse_dbt_ahead(paths.build_db)
    try:
        result = job.execute_in_process(
            instance=instance,
            tags=tags,
            raise_on_error=False,
            asset_selection=selection,
            # Dagster's own console log is for the UI; the CLI prints progress itself.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    finally:  # a run that failed before dbt: the parse still ends before we return
        dbt_in_process.wait()
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
    outcome = RunOutcome(success=result.success, failed_steps=failed, timings=dict(timings))
    if result.success and paths.serving_db.exists():
        outcome.summary = summarise(paths)
    return outcome


def summarise(paths: Paths) -> list[tuple[str, object]]:
    con = duckdb.connect(str(paths.serving_db), read_only=True)
    try:
        files, failed, read, loaded, rejected = con.execute(
            "select count(*), count(*) filter (where status = 'failed'), sum(rows_read), sum(rows_loaded), "
            "sum(rows_rejected) from ingestion_log where is_current"
        ).fetchone()
        rows: list[tuple[str, object]] = [
            ("files (current)", files),
            ("files unreadable", failed),
            ("rows read / loaded / rejected", f"{read} / {loaded} / {rejected}"),
        ]
        latest = con.execute("select max(period) from metrics").fetchone()[0]
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
                rows.append(
                    (
                        zh.RUN_HEADLINE.format(region=name, period=latest),
                        f"{persons:.0f} / {share}%",
                    )
                )
        rows.append(("serving file", str(paths.serving_db)))
        rows.append(("rejected rows", "select * from rejected_rows  (in the serving file)"))
        return rows
    finally:
        con.close()
