from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.scenario import write_scenario

TEST_KEY = "test-key-for-collabstats-0123456789"


def pytest_sessionstart(session):
    """Parse the dbt project before any test module loads the definitions (a fresh
    clone has no manifest; `collabstats run` and `dagster dev` prepare it themselves)."""
    from pipelines.defs.warehouse.project import prepare

    prepare()


def pytest_collection_modifyitems(items):
    """A test that needs the scenario's whole pipeline run is an end-to-end test: `make
    test-fast` (-m "not e2e") leaves it out; `make test` and CI run everything."""
    for item in items:
        if "scenario_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _pii_key(monkeypatch):
    monkeypatch.setenv("COLLAB_PII_KEY", TEST_KEY)
    monkeypatch.delenv("COLLAB_PROFILE", raising=False)
    monkeypatch.delenv("COLLAB_DBT_TARGET", raising=False)  # DuckDB unless a test says


@pytest.fixture
def key() -> bytes:
    return TEST_KEY.encode()


@pytest.fixture(scope="session")
def scenario_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("scenario") / "raw"
    write_scenario(raw)
    return raw


@pytest.fixture(scope="session")
def scenario_run(tmp_path_factory, scenario_raw):
    """One full pipeline run (ingest → dbt → publish) over the scenario, shared by the
    tests that only read its outputs."""
    import os

    from pipelines.run import run_pipeline
    from pipelines.settings import paths

    wh = tmp_path_factory.mktemp("scenario_wh")
    saved = {
        k: os.environ.get(k)
        for k in ("COLLAB_RAW_DIR", "COLLAB_WAREHOUSE_DIR", "COLLAB_PII_KEY", "COLLAB_DBT_TARGET")
    }
    os.environ.update(
        COLLAB_RAW_DIR=str(scenario_raw),
        COLLAB_WAREHOUSE_DIR=str(wh),
        COLLAB_PII_KEY=TEST_KEY,
        COLLAB_DBT_TARGET="dev",
    )
    try:
        p = paths(scenario_raw, wh)
        outcome = run_pipeline(p)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert outcome.success, outcome.failed_steps
    return p


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
