"""The dashboard over a scenario warehouse: every page renders (Streamlit's AppTest),
the cards and the child-region table say what `metrics` and the workbook say, a
republished serving file shows without a restart, and the same in a real browser
(Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import zh
from pipelines.outputs import export
from pipelines.outputs.publish import publish
from pipelines.settings import paths
from tests.conftest import copy_tree

APP = Path(__file__).parents[1] / "pipelines" / "dashboard" / "app.py"
T = zh.DASHBOARD


@pytest.fixture
def warehouse(scenario_run, tmp_path, monkeypatch):
    wh = copy_tree(scenario_run.warehouse_dir, tmp_path / "wh")
    monkeypatch.setenv("COLLAB_WAREHOUSE_DIR", str(wh))
    return paths(scenario_run.raw_dir, wh)


def _metrics(serving: Path, region: str, period: str) -> dict[str, float | None]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return dict(
            con.execute(
                "select indicator, value from metrics where region_code = ? and period = ?",
                [region, period],
            ).fetchall()
        )
    finally:
        con.close()


def _shown(indicator: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}%" if indicator.endswith(("_rate", "_share")) else f"{value:,.0f}"


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _republish_without(p, period: str) -> None:
    """A run that changed the data: the build's metrics lose a month, published anew."""
    build = duckdb.connect(str(p.build_db))
    build.execute("delete from marts.metrics where period = ?", [period])
    build.close()
    publish(p.build_db, p.serving_db, p.marts_dir)


def test_every_page_renders_and_the_cards_are_the_metrics(warehouse):
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == list(T["tabs"])
    latest = at.selectbox(key="period").value
    province = at.selectbox(key="province").value
    expected = _metrics(warehouse.serving_db, province, latest)
    for indicator, label in (*T["cards"], *T["destinations"]):
        assert _cards(at)[label] == _shown(indicator, expected.get(indicator)), label

    at.selectbox(key="city").select("451300").run()  # 来宾市
    at.selectbox(key="period").select("2024-11").run()
    assert not at.exception
    expected = _metrics(warehouse.serving_db, "451300", "2024-11")
    assert _cards(at)["帮助农村劳动力就业人数"] == _shown(
        "employed_persons", expected["employed_persons"]
    )
    assert at.metric[0].delta  # a change from October is shown

    # 下级地区: the rows of the workbook's sheet, 合计 included
    report = export.load_report(warehouse.serving_db, "451300", "2024-11")
    rows = export.sheet_rows(report, zh.REPORT_SHEETS[0][2])
    table = next(f.value for f in at.dataframe if zh.REPORT["region_col"] in f.value.columns)
    assert list(table[zh.REPORT["region_col"]]) == [name for name, _ in rows]
    first = zh.REPORT_SHEETS[0][2][0][1]
    assert [None if v != v else v for v in table[first]] == [
        value if present else None for _, cells in rows for present, value in [cells[0]]
    ]
    # 这个数从哪里来: the files behind the headline card add up to it, month by month too
    files_columns = list(zh.EXPLAIN["files_columns"])
    files = next(f.value for f in at.dataframe if list(f.value.columns) == files_columns)
    assert files[files_columns[-1]].sum() == expected["employed_persons"]
    months = next(
        f.value
        for f in at.dataframe
        if list(f.value.columns) == list(zh.EXPLAIN["by_month_columns"])
    )
    assert list(months[zh.EXPLAIN["by_month_columns"][0]]) == ["2024-10", "2024-11"]
    # 数据质量 lists files per month, the month's rejections (masked only) and the
    # ledgers whose own 合计 differs from what was loaded
    texts = " ".join(str(s.value) for s in at.subheader)
    assert T["files_by_month"] in texts and T["rejected"] in texts
    assert T["reconciliation"] in texts
    differ = next(f.value for f in at.dataframe if T["columns"]["cause"] in f.value.columns)
    assert zh.RECONCILE_CAUSES["rejected"] in set(differ[T["columns"]["cause"]])
    assert zh.REPORT["programme_title"].format(region="来宾市") in texts  # 培训: by programme
    # 结对帮扶: every pairing with figures that month, the helper side's totals too
    helpers = next(
        frame.value for frame in at.dataframe if zh.REPORT["pairing_helper"] in frame.value.columns
    )
    con = duckdb.connect(str(warehouse.serving_db), read_only=True)
    pairings = con.execute(
        "select count(distinct (pairing_type, helper_name)) from pairing_metrics where period = '2024-11'"
    ).fetchone()[0]
    con.close()
    assert len(helpers) == pairings
    assert "茂名市合计※" in set(helpers[zh.REPORT["pairing_helper"]])
    assert at.get("download_button")  # the workbook of the chosen region and month


def test_a_republished_file_shows_at_the_next_interaction(warehouse):
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.selectbox(key="period").select("2024-10").run()
    before = _cards(at)["帮助农村劳动力就业人数"]
    assert before not in ("—", "")
    _republish_without(warehouse, "2024-10")
    at.selectbox(key="period").select("2024-11").run()  # October is gone now
    assert "2024-10" not in at.selectbox(key="period").options
    assert not at.exception


# --- a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(warehouse, tmp_path):
    port = _free_port()
    log = open(tmp_path / "dashboard.log", "w")  # noqa: SIM115 - closed below
    exe = Path(sys.executable).with_name("collabstats")
    server = subprocess.Popen(
        [str(exe), "dashboard", "--port", str(port), "--warehouse-dir", str(warehouse.warehouse_dir)],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(),
    )  # fmt: skip
    url = f"http://localhost:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed here (.ci/run installs it; in CI this fails)",
)
def test_in_a_browser_a_city_and_month_show_the_metrics_and_a_republish(served, warehouse):
    from playwright.sync_api import sync_playwright

    def pick(page, label: str, text: str) -> None:
        page.get_by_label(label).click()
        page.keyboard.type(text)
        page.keyboard.press("Enter")

    def headline(page) -> str:
        card = page.get_by_test_id("stMetric").filter(has_text=T["cards"][0][1]).first
        return card.get_by_test_id("stMetricValue").inner_text()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(served)
        page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
        pick(page, T["city"], "来宾市")
        pick(page, T["period"], "2024-11")
        expected = _metrics(warehouse.serving_db, "451300", "2024-11")
        want = _shown("employed_persons", expected["employed_persons"])
        page.wait_for_function(
            "([want]) => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText === want)", arg=[want], timeout=30_000,
        )  # fmt: skip
        assert headline(page) == want

        page.get_by_role("tab", name=T["tabs"][2]).click()
        page.locator("[role=gridcell]").first.wait_for(state="attached", timeout=30_000)
        cells = page.locator("[role=gridcell]").all_inner_texts()
        report = export.load_report(warehouse.serving_db, "451300", "2024-11")
        for name, values in export.sheet_rows(report, zh.REPORT_SHEETS[0][2]):
            i = cells.index(name)
            present, value = values[0]
            if present and value is not None:
                assert cells[i + 1] == _shown("employed_persons", value), name
            else:  # no data: the grid draws —, its accessible cell is empty
                assert cells[i + 1] in ("", "—"), name

        # the run republishes November's figure: the next interaction shows it
        _republish_with(warehouse, "451300", "2024-11", 999)
        page.get_by_role("tab", name=T["tabs"][0]).click()
        pick(page, T["period"], "2024-10")
        pick(page, T["period"], "2024-11")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText === '999')", timeout=30_000,
        )  # fmt: skip
        browser.close()


def _republish_with(p, region: str, period: str, value: int) -> None:
    build = duckdb.connect(str(p.build_db))
    build.execute(
        "update marts.metrics set value = ? where region_code = ? and period = ? "
        "and indicator = 'employed_persons'",
        [value, region, period],
    )
    build.close()
    publish(p.build_db, p.serving_db, p.marts_dir)
