"""The dashboard: a Streamlit page over the serving file, read-only
(`collabstats dashboard`, http://localhost:8501).

Thin on purpose: the numbers come from pipelines/dashboard/data.py and, for the child
region tables and the download, from the same code as the officials' workbook
(pipelines/outputs/export.py), so the page and the workbook cannot disagree. The serving
file is opened per page view, never cached, so a republished file shows at the next
interaction. Labels are in pipelines/zh.py (DASHBOARD).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from pipelines import settings, zh
from pipelines.dashboard import data
from pipelines.outputs import explain, export

T = zh.DASHBOARD
PERCENT = ("_rate", "_share")


def text(indicator: str, value: float | None) -> str:
    """A value as the workbook shows it: 1,234 or 54.16%; — for no data."""
    if value is None:
        return zh.REPORT["missing"]
    return f"{value:.2f}%" if indicator.endswith(PERCENT) else f"{value:,.0f}"


def delta(indicator: str, now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    change = now - before
    return f"{change:+.2f} 个百分点" if indicator.endswith(PERCENT) else f"{change:+,.0f}"


def pick_region(regions: list[data.Region]) -> data.Region:
    """Province → city → county, by name (Streamlit's select boxes filter as one types)."""
    by_code = {r.code: r for r in regions}
    provinces = [r.code for r in regions if r.level == "province"]
    columns = st.columns(4)
    province = columns[0].selectbox(
        T["province"], provinces, format_func=lambda c: by_code[c].name, key="province"
    )
    cities = [r.code for r in regions if r.level == "city" and r.province_code == province]
    city = columns[1].selectbox(
        T["city"], [None, *cities], key="city",
        format_func=lambda c: T["whole"] if c is None else by_code[c].name,
    )  # fmt: skip
    chosen = by_code[city or province]
    if city:
        counties = [r.code for r in regions if r.level == "county" and r.city_code == city]
        county = columns[2].selectbox(
            T["county"], [None, *counties], key="county",
            format_func=lambda c: T["whole"] if c is None else by_code[c].name,
        )  # fmt: skip
        chosen = by_code[county or city]
    return chosen


def cards(values: dict, before: dict, items) -> None:
    for column, (indicator, label) in zip(st.columns(len(items)), items, strict=True):
        column.metric(
            label,
            text(indicator, values.get(indicator)),
            delta(indicator, values.get(indicator), before.get(indicator)),
            help=T["delta_help"],
        )


def child_table(serving: Path, region: data.Region, period: str, first: str) -> None:
    """The rows of the workbook sheet whose first column is the indicator `first`: child
    regions and the total row, sortable."""
    name, _, columns = next(s for s in zh.REPORT_SHEETS if s[2][0][0] == first)
    try:
        report = export.load_report(serving, region.code, period)
    except export.ExportError as exc:
        st.info(str(exc))
        return
    rows = export.sheet_rows(report, columns)
    frame = pl.DataFrame(
        {
            zh.REPORT["region_col"]: [n for n, _ in rows],
            **{
                label: [cells[i][1] if cells[i][0] else None for _, cells in rows]
                for i, (_, label) in enumerate(columns)
            },
        },
        schema={zh.REPORT["region_col"]: pl.String, **{label: pl.Float64 for _, label in columns}},
    )
    # a pandas Styler keeps the columns numeric (the table sorts) and shows them as the
    # workbook does: 1,234, 54.16%, — for no data
    formats = {
        label: "{:.2f}%" if indicator.endswith(PERCENT) else "{:,.0f}"
        for indicator, label in columns
    }
    styled = frame.to_pandas().style.format(formats, na_rep=zh.REPORT["missing"])
    # Streamlit draws a missing cell as "None" whatever the Styler says: its placeholder
    st.dataframe(styled, hide_index=True, key=f"table-{first}", placeholder=zh.REPORT["missing"])
    if first == "employed_persons" and len(rows) > 2:
        st.caption(T["children_caption"].format(sheet=name, total=rows[-1][0]))
    if len(rows) > 2:
        first = columns[0][1]
        st.bar_chart(frame.head(len(rows) - 1), x=zh.REPORT["region_col"], y=first, sort=False)


def programmes(serving: Path, region: data.Region, period: str) -> None:
    """The region's own training figures by 培训项目, the columns of the workbook's block."""
    with data.connect(serving) as con:
        frame = data.by_programme(con, region.code, period)
    if frame.height == 0:
        return
    labels = dict(zh.REPORT_PROGRAMME_COLUMNS)
    wide = (
        frame.filter(pl.col("indicator").is_in(list(labels)))
        .pivot("indicator", index="programme", values="value")
        .select("programme", *[i for i in labels if i in frame["indicator"].unique().to_list()])
    )
    formats = {
        labels[i]: "{:.2f}%" if i.endswith(PERCENT) else "{:,.0f}"
        for i in labels
        if i in wide.columns
    }
    wide = wide.rename(
        {
            "programme": zh.REPORT["programme_col"],
            **{i: labels[i] for i in labels if i in wide.columns},
        }
    )
    st.subheader(zh.REPORT["programme_title"].format(region=region.name))
    st.dataframe(
        wide.to_pandas().style.format(formats, na_rep=zh.REPORT["missing"]),
        hide_index=True,
        placeholder=zh.REPORT["missing"],
    )


def pairings(serving: Path, period: str) -> None:
    """The helper side: each pairing's figures and each helper region's total, the
    columns of the 结对帮扶 sheet."""
    labels = dict(zh.REPORT_PAIRING_COLUMNS)
    with data.connect(serving) as con:
        wide = data.pairings(con, period, list(labels))
    if wide.height == 0:
        st.info(T["no_pairings"])
        return
    total = zh.REPORT["pairing_total_type"]
    is_total = pl.col("pairing_type") == total
    # as the 结对帮扶 sheet: each helper's pairings, then its total, type left blank
    wide = wide.sort("helper_code", is_total, "pairing_type", nulls_last=True).with_columns(
        pl.when(is_total)
        .then(pl.col("helper_name") + zh.REPORT["pairing_total"].format(region=""))
        .otherwise(pl.col("helper_name"))
        .alias("helper_name"),
        pl.when(is_total).then(pl.lit("")).otherwise(pl.col("pairing_type")).alias("pairing_type"),
    )
    shown = [i for i in labels if i in wide.columns]
    frame = wide.select("helper_name", "pairing_type", "recipient_names", *shown).rename(
        {
            "helper_name": zh.REPORT["pairing_helper"],
            "pairing_type": zh.REPORT["pairing_type"],
            "recipient_names": zh.REPORT["pairing_recipients"],
            **{i: labels[i] for i in shown},
        }
    )
    formats = {labels[i]: "{:.2f}%" if i.endswith(PERCENT) else "{:,.0f}" for i in shown}
    st.caption(zh.REPORT["note_pairing"])
    st.dataframe(
        frame.to_pandas().style.format(formats, na_rep=zh.REPORT["missing"]),
        hide_index=True,
        placeholder=zh.REPORT["missing"],
    )


def quality(con, region: data.Region, period: str) -> None:
    c = T["columns"]
    st.subheader(T["files_by_month"])
    files = data.files_by_month(con, period[:4]).with_columns(
        pl.col("kind").replace_strict(T["kinds"], default=pl.col("kind"))
    )
    st.dataframe(files.rename({k: v for k, v in c.items() if k in files.columns}), hide_index=True)
    st.subheader(T["missing"])
    missing = data.missing_files(con, period).with_columns(
        pl.col("kind").replace_strict(T["kinds"], default=pl.col("kind"))
    )
    if missing.height:
        st.dataframe(
            missing.rename({k: v for k, v in c.items() if k in missing.columns}), hide_index=True
        )
    else:
        st.write(T["none_missing"])
    st.subheader(T["unreadable"])
    bad = data.unreadable(con)
    if bad.height:
        st.dataframe(bad.rename({k: v for k, v in c.items() if k in bad.columns}), hide_index=True)
    else:
        st.write(T["none_unreadable"])
    st.subheader(T["rejected"])
    reasons = data.rejections_by_reason(con, period)
    if reasons.height:
        st.dataframe(
            reasons.rename({k: v for k, v in c.items() if k in reasons.columns}), hide_index=True
        )
        st.subheader(T["rejected_sample"])
        sample = data.rejected_sample(con, period)
        st.dataframe(
            sample.rename({k: v for k, v in c.items() if k in sample.columns}), hide_index=True
        )
    else:
        st.write(T["none_rejected"])
    st.subheader(T["reconciliation"])
    differ = data.reconciliation(con, period)
    if differ.height:
        st.dataframe(
            differ.rename({k: v for k, v in c.items() if k in differ.columns}), hide_index=True
        )
    else:
        st.write(T["none_reconciliation"])
    alarm_panel(con, region, period)


def alarm_panel(con, region: data.Region, period: str) -> None:
    """The month's statistical alarms of the counties under the region, and the series
    one of them was judged on, beside its recent median."""
    c = T["columns"]
    st.subheader(T["alarms"])
    table = data.alarm_table(con, period, region.code)
    if not table.height:
        st.write(T["none_alarms"])
        return
    shown = table.drop("region_code", "indicator")
    st.dataframe(shown.rename({k: v for k, v in c.items() if k in shown.columns}), hide_index=True)
    labels = [
        f"{r['region_name']} · {r['indicator_name']} · {r['rule_name']}"
        for r in table.iter_rows(named=True)
    ]
    pick = st.selectbox(
        T["alarm_pick"], range(table.height), format_func=labels.__getitem__, key="alarm"
    )
    row = table.row(pick, named=True)
    series = data.alarm_series(con, row["region_code"], row["indicator"], period)
    chart = series.with_columns(
        pl.lit(row["baseline"], dtype=pl.Float64).alias(T["alarm_baseline"])
    )
    st.line_chart(chart.rename({"period": T["month"], "value": T["alarm_value"]}), x=T["month"])


def explain_panel(serving: Path, region: data.Region, period: str) -> None:
    """这个数从哪里来？ A card's number back to its definition, children, files and months
    (the same as `collabstats explain`)."""
    x = zh.EXPLAIN
    with st.expander(x["button"]):
        choices = [code for code, _ in (*T["cards"], *T["destinations"])]
        indicator = st.selectbox(
            x["definition"], choices, format_func=lambda c: zh.INDICATORS[c][0], key="explain"
        )
        try:
            e = explain.explain(serving, region.code, period, indicator)
        except explain.ExplainError as exc:
            st.write(str(exc))
            return
        for line in explain.summary_lines(e):
            st.write(line)
        if e.files:
            st.subheader(x["files"])
            rows = [
                (f.path, f.file_period, (f.sha256 or "")[:12], f.rows_read, f.rows_loaded,
                 f.rows_rejected, f.contribution)
                for f in e.files
            ]  # fmt: skip
            st.dataframe(
                pl.DataFrame(rows, schema=list(x["files_columns"]), orient="row"), hide_index=True
            )
            st.subheader(x["by_month"])
            st.dataframe(
                pl.DataFrame(e.by_month, schema=list(x["by_month_columns"]), orient="row"),
                hide_index=True,
            )
        if e.file_changes:
            st.subheader(x["since"])
            rows = [
                (path, x["change_names"].get(change, x["file_unchanged"]), before, now, delta)
                for path, change, before, now, delta in e.file_changes
            ]
            st.dataframe(
                pl.DataFrame(rows, schema=list(x["changes_columns"]), orient="row"),
                hide_index=True,
            )


def workbook(serving: Path, region: data.Region, period: str) -> tuple[str, bytes] | None:
    try:
        report = export.load_report(serving, region.code, period)
    except export.ExportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = export.write_workbook(report, Path(tmp))
        return path.name, path.read_bytes()


def main() -> None:
    st.set_page_config(page_title=T["title"], layout="wide")
    st.title(T["title"])
    serving = settings.paths().serving_db
    if not serving.exists():
        st.warning(T["no_file"].format(path=serving))
        return
    with data.connect(serving) as con:
        regions, months = data.regions(con), data.periods(con)
        if not regions or not months:
            st.warning(T["no_file"].format(path=serving))
            return
        region = pick_region(regions)
        period = st.selectbox(T["period"], months, key="period")
        values = data.values(con, region.code, period)
        previous = data.previous_month(period)
        before = data.values(con, region.code, previous) if previous else {}
        (
            overview, trend, children, training, workshops, subsidies, transports, followups,
            helpers, checks,
        ) = st.tabs(list(T["tabs"]))  # fmt: skip
        with overview:
            cards(values, before, T["cards"])
            cards(values, before, T["destinations"])
            download = workbook(serving, region, period)
            if download:
                st.download_button(
                    T["download"].format(region=region.name, period=period),
                    data=download[1],
                    file_name=download[0],
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
        with trend:
            series = data.trend(con, region.code, int(period[:4]), list(T["trend_series"]))
            if series.height:
                named = series.with_columns(
                    pl.col("indicator").replace_strict(T["trend_series"]),
                    pl.col("period").alias(T["month"]),
                )
                st.subheader(T["trend_cumulative"])
                st.line_chart(
                    named.pivot("indicator", index=T["month"], values="value"), x=T["month"]
                )
                st.subheader(T["trend_new"])
                st.bar_chart(
                    named.pivot("indicator", index=T["month"], values="new"),
                    x=T["month"],
                    stack=False,
                )
        with checks:
            quality(con, region, period)
    with overview:  # its own read-only connection, as the tables below
        explain_panel(serving, region, period)
    with children:
        child_table(serving, region, period, "employed_persons")
    with training:
        child_table(serving, region, period, "training_classes")
        programmes(serving, region, period)
    with workshops:
        child_table(serving, region, period, "workshop_count")
    with subsidies:
        child_table(serving, region, period, "subsidy_training_amount")
    with transports:
        child_table(serving, region, period, "transport_trips")
    with followups:
        child_table(serving, region, period, "followup_due_persons")
    with helpers:
        pairings(serving, period)


main()
