"""A data run leaves out the dbt reference subgraph while it stands as built, and
rebuilds it as soon as its code or its tables differ from what was recorded."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.warehouse.assets import BUILD_TARGET, dbt_project
from pipelines.lib import dbt_reference
from pipelines.lib.pipeline_run import run_pipeline
from pipelines.settings import paths

REFERENCE = {
    "seed.collabstats.admin_divisions_cn",
    "model.collabstats.stg_reference__admin_divisions",
    "model.collabstats.int_regions_resolved",
    "model.collabstats.int_region_ancestors",
}
DATA_ON_REFERENCE = (  # tests joining ledger rows to reference tables: always run
    "test.collabstats.relationships_stg_raw__placements_origin_code__region_code__ref_int_regions_resolved_"
)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def test_reference_nodes_are_those_without_a_source(manifest):
    nodes = dbt_reference.reference_nodes(manifest)
    assert nodes.keys() >= REFERENCE
    assert "model.collabstats.dim_regions" in nodes
    assert not any(uid.startswith(DATA_ON_REFERENCE) for uid in nodes)
    assert "model.collabstats.stg_raw__placements" not in nodes
    assert "model.collabstats.int_employment_firsts_counted" not in nodes
    # the marts stay in every build (the serving file needs them); their tests do not
    # (same code over the same tables: the rows they passed on)
    skippable = set(dbt_reference._skippable(nodes))
    assert {
        "admin_divisions_cn",
        "int_region_ancestors",
        "unique_int_regions_resolved_region_code",
        "unique_dim_regions_region_code",
    } <= skippable
    assert "dim_regions" not in skippable


def test_code_fingerprint_follows_seeds_models_and_macros(manifest):
    nodes = dbt_reference.reference_nodes(manifest)
    base = dbt_reference.code_fingerprint(manifest, nodes)
    assert base == dbt_reference.code_fingerprint(copy.deepcopy(manifest), nodes)

    edited_seed = copy.deepcopy(manifest)
    edited_seed["nodes"]["seed.collabstats.admin_divisions_cn"]["checksum"]["checksum"] = "0" * 64
    edited_macro = copy.deepcopy(manifest)
    macro = next(iter(edited_macro["macros"].values()))
    macro["macro_sql"] += " "
    for changed in (edited_seed, edited_macro):
        assert (
            dbt_reference.code_fingerprint(changed, dbt_reference.reference_nodes(changed)) != base
        )


def _run(raw: Path, wh: Path, monkeypatch) -> set[str]:
    """A pipeline run; the dbt nodes it ran (from dbt's run_results.json)."""
    monkeypatch.setenv("COLLAB_RAW_DIR", str(raw))
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    outcome = run_pipeline(paths(raw, wh))
    assert outcome.success, outcome.failed_steps
    results = json.loads(
        (Path(dbt_project.project_dir) / BUILD_TARGET / "run_results.json").read_text(
            encoding="utf-8"
        )
    )
    return {r["unique_id"] for r in results["results"]}


def _metrics(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    try:
        return con.execute("select * from metrics order by all").fetchall()
    finally:
        con.close()


def test_second_run_leaves_reference_out_until_a_table_changes(scenario_raw, tmp_path, monkeypatch):
    wh = tmp_path / "wh"
    first = _run(scenario_raw, wh, monkeypatch)
    assert first >= REFERENCE
    published = _metrics(wh)
    serving_mtime = os.stat(wh / "serving.duckdb").st_mtime_ns

    second = _run(scenario_raw, wh, monkeypatch)
    assert not REFERENCE & second
    # still built and tested: the marts, and ledger data against the reference tables
    assert "model.collabstats.dim_regions" in second
    assert any(uid.startswith(DATA_ON_REFERENCE) for uid in second)
    assert "model.collabstats.int_employment_firsts_counted" in second
    # and the serving file was published again, with the same figures
    assert os.stat(wh / "serving.duckdb").st_mtime_ns != serving_mtime
    assert _metrics(wh) == published

    # A reference table changed behind the pipeline's back (a hand-run dbt, an edit):
    # the next run rebuilds the subgraph and the figures are right again.
    con = duckdb.connect(str(wh / "build.duckdb"))
    con.execute("delete from intermediate.int_region_ancestors where region_code <> ancestor_code")
    con.close()
    third = _run(scenario_raw, wh, monkeypatch)
    assert third >= REFERENCE
    assert _metrics(wh) == published
    assert not REFERENCE & _run(scenario_raw, wh, monkeypatch)
