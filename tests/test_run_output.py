"""What the data team sees at the end of `collabstats run`: progress, a summary that
names what went wrong, a wall time that adds up, no noise; dbt's and Dagster's own
lines in the run's log file (live with --verbose)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.synthetic import synth

pytestmark = pytest.mark.e2e

runner = CliRunner()


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    rng = random.Random(5)
    people = [synth.make_person(rng, "451324") for _ in range(1_100)]
    rows = [synth.placement_row(rng, p, "2024-11") for p in people]
    for r in rows[:3]:
        r["id_number"] = synth.corrupt_check(r["id_number"])
    rows[3]["destination_category"] = None
    # its 合计 counts every row, the rejected four too
    synth.write_csv(
        raw / "placements" / "2024-11" / "金秀县.csv", "placements", rows, total_row=True
    )
    (raw / "placements" / "2024-11" / "忻城县.xlsx").write_bytes(b"not a workbook")
    return raw


def _run(raw: Path, wh: Path, *extra: str):
    return runner.invoke(
        app, ["run", "--raw-dir", str(raw), "--warehouse-dir", str(wh), *extra],
        env={"COLUMNS": "200"},
    )  # fmt: skip


def test_run_summary_names_problems_and_its_times_add_up(tmp_path):
    result = _run(_raw(tmp_path), tmp_path / "wh")
    out = result.output
    assert result.exit_code == 0, out
    # the unreadable file and why; the top reasons with their counts; big numbers grouped
    assert re.search(r"placements/2024-11/忻城县\.xlsx\s*│\s*\S+", out)
    assert re.search(r"身份证号码校验位错误\s*│\s*3 行", out)
    assert re.search(r"缺少必填项「就业地区类别」\s*│\s*1 行", out)
    assert "1,100 / 1,096 / 4" in out
    assert re.search(r"ledger totals that differ\s*│\s*1 ", out)
    assert str(tmp_path / "wh" / "exports" / "2024-11") in out
    assert "new or changed files" in out  # the ingest's progress
    # the parts of the wall time add up to the total
    times = dict(re.findall(r"time: ([^│]+?)\s*│\s*([\d,.]+) s", out))
    total = float(times.pop("total").replace(",", ""))
    parts = [float(v.replace(",", "")) for v in times.values()]
    assert len(parts) >= 8 and abs(sum(parts) - total) <= 0.05 * len(parts) + 0.01
    # no noise: warnings only when something is wrong, dbt's lines in the log file
    for noise in ("BetaWarning", "Warning:", "Running with dbt", "START sql", "Traceback"):
        assert noise not in out
    (log,) = (tmp_path / "wh" / "logs").glob("run-*.log")
    assert str(log) in out
    text = log.read_text(encoding="utf-8")
    assert "Running with dbt" in text and "START sql" in text


def test_verbose_shows_dbts_lines_live(tmp_path):
    result = _run(_raw(tmp_path), tmp_path / "wh", "--verbose")
    assert result.exit_code == 0, result.output
    assert "Running with dbt" in result.output and "START sql" in result.output
