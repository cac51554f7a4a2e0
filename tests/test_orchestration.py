"""Sensor, schedules and partitions, evaluated the way the Dagster daemon would."""

from __future__ import annotations

import random
from datetime import datetime

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.defs.automation import annual_report_schedule, monthly_schedule, raw_files_sensor
from pipelines.defs.exports.assets import REPORT_PERIOD_TAG
from pipelines.defs.ingest.assets import placements
from pipelines.defs.resources import Warehouse
from pipelines.synthetic import synth
from tests.conftest import copy_tree


class Daemon:
    """The sensor's ticks as the Dagster daemon runs them: a run key launches once."""

    def __init__(self, raw, warehouse_dir=None):
        self.warehouse = Warehouse(
            raw_dir=str(raw), warehouse_dir=str(warehouse_dir or raw.parent / "wh")
        )
        self.launched: set[str] = set()

    def tick(self) -> list[dg.RunRequest]:
        context = dg.build_sensor_context(resources={"warehouse": self.warehouse})
        result = raw_files_sensor(context)
        new = [r for r in result.run_requests if r.run_key not in self.launched]
        self.launched |= {r.run_key for r in new}
        return new


def _ledger(path, seed=1):
    rng = random.Random(seed)
    synth.write_csv(
        path, "placements", [synth.placement_row(rng, synth.make_person(rng, "451324"), "2024-10")]
    )


def test_sensor_requests_once_per_new_or_changed_file(tmp_path):
    raw = tmp_path / "raw"
    _ledger(raw / "placements" / "2024-10" / "a.csv")
    (raw / "README.txt").parent.mkdir(exist_ok=True)
    (raw / "README.txt").write_text("not a ledger")
    daemon = Daemon(raw)

    requests = daemon.tick()  # new file → one run for its month
    assert [(r.job_name, r.partition_key) for r in requests] == [("month_job", "2024-10")]
    assert daemon.tick() == []  # unchanged → nothing new

    _ledger(raw / "placements" / "2024-10" / "a.csv", seed=2)  # changed content → one more
    _ledger(raw / "placements" / "2024-10" / "b.csv", seed=3)  # same month: same run
    (raw / "targets" / "2024").mkdir(parents=True)
    synth.write_xlsx(
        raw / "targets" / "2024" / "t.xlsx",
        "targets",
        [
            {
                "year": 2024,
                "region_code": "451324",
                "indicator": "employed_persons",
                "target_value": 1,
            }
        ],
    )
    requests = daemon.tick()
    assert sorted((r.job_name, r.partition_key) for r in requests) == [
        ("month_job", "2024-10"),
        ("targets_job", None),
    ]
    assert len({r.run_key for r in requests}) == 2
    # A restart (a new daemon's ticks, the same run keys already used) adds nothing.
    assert daemon.tick() == []


def test_unreadable_file_is_requested_once_not_forever(tmp_path):
    raw = tmp_path / "raw"
    bad = raw / "workshops" / "2024-11" / "bad.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"garbage")
    daemon = Daemon(raw)
    assert len(daemon.tick()) == 1
    for _ in range(3):
        assert daemon.tick() == []


def test_schedules_target_the_right_months():
    ctx = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 3, 6, 8, 0))
    assert monthly_schedule(ctx).partition_key == "2025-02"
    ctx = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 1, 6, 8, 0))
    assert monthly_schedule(ctx).partition_key == "2024-12"
    ctx = dg.build_schedule_context(scheduled_execution_time=datetime(2024, 12, 28, 8, 0))
    req = annual_report_schedule(ctx)
    assert req.partition_key == "2024-12" and req.tags[REPORT_PERIOD_TAG] == "2024-12"
    assert {s.name: s.cron_schedule for s in defs.schedules} == {
        "monthly_schedule": "0 8 6 * *",
        "half_year_report_schedule": "0 8 28 6 *",
        "annual_report_schedule": "0 8 28 12 *",
    }


def test_one_month_partition_touches_only_that_month(tmp_path, scenario_raw):
    raw = copy_tree(scenario_raw, tmp_path / "raw")
    wh = tmp_path / "wh"
    warehouse = Warehouse(raw_dir=str(raw), warehouse_dir=str(wh))
    for month in ("2023-12", "2024-10", "2024-11"):
        assert dg.materialize(
            [placements], partition_key=month, resources={"warehouse": warehouse}
        ).success
    con = duckdb.connect(str(wh / "build.duckdb"))
    before = con.execute(
        "select * from raw.placements where period <> '2024-11' order by all"
    ).fetchall()
    con.close()
    # November changes (a file is replaced); October's folder even disappears from disk.
    rng = random.Random(4)
    synth.write_csv(
        raw / "placements" / "2024-11" / "普定县.csv",
        "placements",
        [synth.placement_row(rng, synth.make_person(rng, "520422"), "2024-11")],
    )
    for f in (raw / "placements" / "2024-10").iterdir():
        f.unlink()
    result = dg.materialize(
        [placements], partition_key="2024-11", resources={"warehouse": warehouse}
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["rows_accounted_for"] and checks["rejected_share_within_limit"]
    con = duckdb.connect(str(wh / "build.duckdb"))
    assert (
        con.execute(
            "select * from raw.placements where period <> '2024-11' order by all"
        ).fetchall()
        == before
    )
    assert (
        con.execute(
            "select count(*) from raw.ingestion_log where path = 'placements/2024-11/普定县.csv'"
        ).fetchone()[0]
        == 2
    )
    con.close()


def test_missing_submissions_are_listed(tmp_path, scenario_raw, monkeypatch):
    raw = copy_tree(scenario_raw, tmp_path / "raw")
    warehouse = Warehouse(raw_dir=str(raw), warehouse_dir=str(tmp_path / "wh"))
    monkeypatch.setenv("COLLAB_EXPECTED_COUNTIES", "451324,451321,520422,520424")
    result = dg.materialize(
        [placements], partition_key="2024-11", resources={"warehouse": warehouse}
    )
    evaluation = next(
        e for e in result.get_asset_check_evaluations() if e.check_name == "submissions_complete"
    )
    assert not evaluation.passed
    assert evaluation.metadata["missing"].value == 1  # 关岭县 (520424) never sent November
    assert "关岭" in evaluation.metadata["counties"].value


def test_one_run_per_month_whatever_the_kinds(tmp_path):
    raw = tmp_path / "raw"
    _ledger(raw / "placements" / "2024-10" / "a.csv")
    rng = random.Random(1)
    synth.write_xlsx(
        raw / "workshops" / "2024-10" / "w.xlsx",
        "workshops",
        [synth.workshop_row(rng, "W1", "520422")],
    )
    synth.write_xlsx(
        raw / "workshops" / "2024-11" / "w.xlsx",
        "workshops",
        [synth.workshop_row(rng, "W1", "520422")],
    )
    requests = Daemon(raw).tick()
    assert sorted(r.partition_key for r in requests) == ["2024-10", "2024-11"]


def test_first_tick_starts_from_what_the_warehouse_holds(scenario_run, tmp_path):
    """`make ui` after `make run` must not launch runs that redo nothing: the sensor
    compares raw/ with the serving file's ingestion log; removing a loaded file is a
    change too."""
    raw = copy_tree(scenario_run.raw_dir, tmp_path / "raw")
    copy_tree(scenario_run.warehouse_dir, tmp_path / "wh")
    daemon = Daemon(raw, tmp_path / "wh")
    for f in raw.rglob("*.*"):  # a copy has new mtimes: hashed once, found unchanged
        f.touch()
    assert daemon.tick() == []
    _ledger(raw / "placements" / "2024-11" / "金秀县_补报.csv")
    requests = daemon.tick()
    assert [(r.job_name, r.partition_key) for r in requests] == [("month_job", "2024-11")]
    assert daemon.tick() == []
    (raw / "placements" / "2024-10" / "忻城县.csv").unlink()
    requests = daemon.tick()
    assert [(r.job_name, r.partition_key) for r in requests] == [("month_job", "2024-10")]
    assert "placements/2024-10/忻城县.csv@removed" in requests[0].tags["collabstats/files"]


def test_partition_keys_are_the_months_the_readme_names():
    keys = placements.partitions_def.get_partition_keys()
    assert keys[0] == "2021-01" and all(len(k) == 7 for k in keys)
