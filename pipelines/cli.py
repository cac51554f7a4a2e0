"""`collabstats` command: run, check, template, export, explain, alarms, dashboard,
generate.

Settings come from COLLAB_RAW_DIR / COLLAB_WAREHOUSE_DIR / COLLAB_PII_KEY; flags
override them. Dagster definitions are imported only by the commands that run them,
so `check` and `template` start fast on a clerk's laptop.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import typer
from rich.console import Console
from rich.progress import (
    Progress,
)
from rich.table import Table

from pipelines import run_display, settings, zh
from pipelines.ledgers import spec

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="East–West labour-cooperation statistics pipeline.",
)
console = Console()

RawDir = typer.Option(
    None, "--raw-dir", envvar="COLLAB_RAW_DIR", help="Folder of ledgers (default raw/)."
)
WarehouseDir = typer.Option(
    None,
    "--warehouse-dir",
    envvar="COLLAB_WAREHOUSE_DIR",
    help="Warehouse folder (default warehouse/).",
)


def _configure(raw_dir: Path | None, warehouse_dir: Path | None) -> settings.Paths:
    """Paths: flag > environment > default (the run passes them to the resources)."""
    return settings.paths(raw_dir, warehouse_dir)


@app.command()
def run(
    raw_dir: Path = RawDir,
    warehouse_dir: Path = WarehouseDir,
    month: str = typer.Option(
        None,
        "--month",
        help="Only this reporting month's ledgers (YYYY-MM), as the monthly schedule and the "
        "sensor run it; default: every month found under raw/.",
    ),
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        help="Show Dagster's and dbt's own lines live (always in the run's log file).",
    ),
) -> None:
    """Run the whole pipeline in process: ingest → dbt build → checks → publish."""
    from pipelines.run import run_pipeline

    out = Console(file=sys.stdout)  # the terminal, before stdout goes to the run's log
    run_display.configure_logging(out, verbose)
    p = _configure(raw_dir, warehouse_dir)
    if month is not None and not spec.MONTH.match(month):
        out.print(f"[red]--month: expected YYYY-MM, got {month!r}[/red]")
        raise typer.Exit(2)
    mark = time.time()
    before = {"start-up (Python, imports)": mark - psutil.Process().create_time()}
    with _warehouse_locked(p):
        before["waiting for the warehouse lock"] = time.time() - mark
        mark = time.time()
        _ready(p, month, same_key=True)
        before["checks before the run"] = time.time() - mark
        with (
            run_display.run_log(p, echo=out.file if verbose else None) as log_path,
            run_display.ingest_progress(out),
        ):
            outcome = run_pipeline(p, month=month)
    total = time.time() - psutil.Process().create_time()
    table = Table(title=f"collabstats run — {total:,.1f} s", show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for label, value in run_display.timing_rows(outcome, before, total):
        table.add_row(label, value)
    for label, value in outcome.summary:
        table.add_row(label, str(value))
    table.add_row("run log", str(log_path))
    out.print(table)
    if not outcome.success:
        out.print(
            f"[red]Run failed at: {', '.join(outcome.failed_steps)}. The serving file was not "
            f"replaced. Details: {log_path}[/red]"
        )
        raise typer.Exit(1)


@app.command()
def rekey(
    raw_dir: Path = RawDir,
    warehouse_dir: Path = WarehouseDir,
) -> None:
    """Change the pseudonymisation key on purpose: rebuild every person key from the
    ledgers in raw/ under the key now in COLLAB_PII_KEY, then run the whole pipeline."""
    from pipelines.run import rekey as forget
    from pipelines.run import run_pipeline

    run_display.configure_logging(console)
    p = _configure(raw_dir, warehouse_dir)
    with _warehouse_locked(p):
        key = _ready(p, None, same_key=False)
        n = forget(p, key)
        console.print(zh.REKEY.format(n=n, raw=p.raw_dir))
        outcome = run_pipeline(p)
    if not outcome.success:
        console.print(f"[red]Run failed at: {', '.join(outcome.failed_steps)}.[/red]")
        raise typer.Exit(1)
    for label, value in outcome.summary:
        console.print(f"{label}: {value}")


def _ready(p: settings.Paths, month: str | None, same_key: bool) -> bytes:
    """The PII key, once the run may start: a key is set (or the demo key in dev), it is
    the warehouse's own (unless `same_key` is off, for rekey), and there is something to
    do. Otherwise one line and exit 2."""
    from pipelines.ledgers import pii
    from pipelines.run import check_key, preflight

    try:
        key = pii.pii_key()  # fails fast in production without a key; warns with the demo key
        if same_key:
            check_key(p, key)
    except (pii.MissingKeyError, pii.KeyMismatchError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    problem = preflight(p, month)
    if problem:
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    return key


@contextmanager
def _warehouse_locked(p: settings.Paths) -> Iterator[None]:
    """The whole command under the warehouse's write lock; a second run waits, then
    refuses with a message (exit 2). SIGTERM ends the command like Ctrl-C (exit 130):
    the lock goes with the process, and the next run finishes the work."""
    from pipelines.database.lock import WarehouseBusy, warehouse_lock

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        with warehouse_lock(
            p.warehouse_dir,
            settings.lock_timeout(),
            on_wait=lambda text: console.print(f"[yellow]{text}[/yellow]"),
        ):
            yield
    except WarehouseBusy as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        console.print(f"[red]{zh.RUN_ERRORS['interrupted']}[/red]")
        raise typer.Exit(130) from None


@app.command(
    help="Pre-submission check: list the rows that would be rejected, with reasons; exit 1 if "
    f"any.\n\n{zh.HELP['check']}"
)
def check(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help=f"Ledger file (.xlsx or .csv). {zh.HELP['check_file']}",
    ),
    kind: str = typer.Option(
        None,
        "--kind",
        help="placements, trainings, workshops, transports, followups or targets (default: from folder or headers). "
        + zh.HELP["check_kind"],
    ),
    period: str = typer.Option(
        None,
        "--period",
        help="Reporting period YYYY-MM (default: the folder name, else the file name or a "
        "title row such as 2024年11月; without any, the check asks for it and exits 2). "
        + zh.HELP["check_period"],
    ),
    out: Path = typer.Option(
        None,
        "--out",
        help="Folder for the problem list (default: the current folder; never under raw/). "
        + zh.HELP["check_out"],
    ),
) -> None:
    from pipelines.county.check import CheckError, check_file

    if kind is not None and kind not in spec.KINDS:
        raise typer.BadParameter(f"kind must be one of {', '.join(spec.KINDS)}")
    try:
        outcome = check_file(file, kind=kind, period=period, out_dir=out)
    except CheckError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if outcome.result.sub.period:
        console.print(zh.CHECK["period"].format(period=outcome.result.sub.period))
    if outcome.result.status != "loaded":
        console.print(f"[red]{zh.CHECK['failed'].format(reason=outcome.result.message)}[/red]")
        raise typer.Exit(1)
    if outcome.result.message:
        console.print(outcome.result.message)
    if outcome.totals.height:  # the clerk's own totals: a warning, never the exit code
        console.print(f"[yellow]{zh.RECONCILE['check_head']}[/yellow]")
        for message in outcome.totals[zh.RECONCILE["columns"][-1]]:
            console.print(f"[yellow]  {message}[/yellow]", overflow="fold")
        if outcome.ok:  # else the problems' line names the workbook
            console.print(zh.RECONCILE["check_written"].format(path=outcome.report))
    if outcome.ok:
        console.print(f"[green]{zh.CHECK['ok'].format(n=outcome.result.rows_read)}[/green]")
        return
    problems = outcome.problems
    sheet_col, row_col = zh.CHECK["columns"][:2]
    shown = problems if problems[sheet_col].n_unique() > 1 else problems.drop(sheet_col)
    table = Table(*shown.columns)
    for column in table.columns:  # a narrow terminal wraps a reason, never cuts it off
        column.overflow = "fold"
    for row in shown.iter_rows():
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)
    bad = problems.select(sheet_col, row_col).n_unique()
    console.print(
        f"[red]{zh.CHECK['bad'].format(bad=bad, n=outcome.result.rows_read, path=outcome.report)}[/red]"
    )
    raise typer.Exit(1)


@app.command(
    help=f"Write a blank ledger with drop-downs and an instructions sheet.\n\n{zh.HELP['template']}"
)
def template(
    kind: str = typer.Argument(
        ...,
        help=f"placements, trainings, workshops, transports, followups or targets. {zh.HELP['template_kind']}",
    ),
    out: Path = typer.Option(
        Path("."), "--out", help=f"Folder to write the template into. {zh.HELP['template_out']}"
    ),
) -> None:
    from pipelines.county.templates import write_template

    if kind not in spec.KINDS:
        raise typer.BadParameter(f"kind must be one of {', '.join(spec.KINDS)}")
    console.print(str(write_template(kind, out)))


@app.command()
def dashboard(
    warehouse_dir: Path = WarehouseDir,
    port: int = typer.Option(8501, "--port", help="Port on localhost."),
) -> None:
    """Start the dashboard (Streamlit) on http://localhost:PORT over the serving file,
    read-only; a republished file shows at the next click."""
    import os

    p = _configure(None, warehouse_dir)
    app_path = Path(__file__).parent / "dashboard" / "app.py"
    env = {
        **os.environ,
        "COLLAB_WAREHOUSE_DIR": str(p.warehouse_dir),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",  # no calls out of the machine
    }
    command = [sys.executable, "-m", "streamlit", "run", str(app_path),
               "--server.port", str(port), "--server.headless", "true"]  # fmt: skip
    console.print(f"http://localhost:{port}  ({p.serving_db})")
    sys.stdout.flush()
    # Streamlit takes this process's place, so a signal to it (a supervisor's SIGTERM, a
    # test's terminate) stops the server, not a parent that would leave it running.
    os.execve(sys.executable, command, env)


@app.command()
def export(
    region: str = typer.Option(
        ..., "--region", help="Region code or name (安顺市, 金秀县, 520400)."
    ),
    period: str = typer.Option(..., "--period", help="Reporting period YYYY-MM."),
    warehouse_dir: Path = WarehouseDir,
    out: Path = typer.Option(None, "--out", help="Output folder (default: <warehouse>/exports/)."),
) -> None:
    """Write the officials' workbook (and a CSV per sheet) for a region and period."""
    from pipelines.outputs.export import ExportError
    from pipelines.outputs.export import export as write_export

    p = settings.paths(None, warehouse_dir)
    try:
        xlsx, csvs = write_export(p.serving_db, region, period, out or p.exports_dir)
    except ExportError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(str(xlsx))
    for c in csvs:
        console.print(str(c))


@app.command()
def explain(
    region: str = typer.Option(..., "--region", help="Region code or name (安顺市, 金秀县)."),
    period: str = typer.Option(..., "--period", help="Reporting period YYYY-MM."),
    indicator: str = typer.Option(
        ..., "--indicator", help="Indicator code of metrics (employed_persons …)."
    ),
    warehouse_dir: Path = WarehouseDir,
) -> None:
    """Where a number of `metrics` comes from: its definition, the regions under it, the
    files behind it (each file's contribution, rejections, totals that differ) and its
    month-by-month build-up. Reads the serving file only."""
    from pipelines.outputs.explain import ExplainError, number, summary_lines
    from pipelines.outputs.explain import explain as explain_number

    t = zh.EXPLAIN
    p = settings.paths(None, warehouse_dir)
    try:
        e = explain_number(p.serving_db, region, period, indicator)
    except ExplainError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    lines = summary_lines(e)
    console.print(f"[bold]{lines[0]}[/bold]")
    for line in lines[1:]:
        console.print(line, overflow="fold")
    if e.children:
        table = Table(zh.REPORT["region_col"], e.indicator_name, title=t["children"])
        for _, name, value in e.children:
            table.add_row(name, number(value, e.unit))
        console.print(table)
    if e.files:
        table = Table(*t["files_columns"], title=t["files"])
        for f in e.files:
            table.add_row(
                f.path, f.file_period, (f.sha256 or "")[:12], *(str(n) for n in
                (f.rows_read, f.rows_loaded, f.rows_rejected, f.contribution)),
            )  # fmt: skip
        console.print(table)
        for f in e.files:
            if f.rejected_by_reason or f.totals_differ:
                console.print(f.path)
            if f.rejected_by_reason:
                reasons = "、".join(f"{n} 行{r}" for r, n in f.rejected_by_reason)
                console.print(t["rejected"].format(reasons=reasons), overflow="fold")
            for message in f.totals_differ:
                console.print(t["totals_differ"].format(message=message), overflow="fold")
        table = Table(*t["by_month_columns"], title=t["by_month"])
        for month, new, total in e.by_month:
            table.add_row(month, str(new), str(total))
        console.print(table)
    if e.file_changes:
        table = Table(*t["changes_columns"], title=t["since"])
        for path, change, before, now, delta in e.file_changes:
            label = t["change_names"].get(change, t["file_unchanged"])
            counts = ["—" if n is None else str(n) for n in (before, now)]
            table.add_row(path, label, *counts, f"{delta:+d}")
        console.print(table)


@app.command()
def alarms(
    period: str = typer.Option(
        None, "--period", help="Reporting period YYYY-MM (default: the latest with figures)."
    ),
    region: str = typer.Option(
        None, "--region", help="Only the counties under this region (code or name: 安顺市)."
    ),
    warehouse_dir: Path = WarehouseDir,
) -> None:
    """The month's statistical alarms (metric_alarms): counties whose figure is
    implausible against their own history, largest first, with the reason. A warning
    for the data team; exit 0 either way. Reads the serving file only."""
    import duckdb

    from pipelines.database import alarms as found
    from pipelines.outputs.export import ExportError, resolve_region

    t = zh.ALARMS_CLI
    p = settings.paths(None, warehouse_dir)
    if not p.serving_db.exists():
        console.print(f"[red]{t['no_file'].format(path=p.serving_db)}[/red]")
        raise typer.Exit(1)
    try:
        under = None if region is None else region if region.isdigit() else resolve_region(region)
    except ExportError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    con = duckdb.connect(str(p.serving_db), read_only=True)
    try:
        month = period or found.latest_period(con)
        rows = found.alarms(con, month, under=under) if month else []
    finally:
        con.close()
    if not rows:
        console.print(t["none"].format(period=month or "—"))
        return
    table = Table(*t["columns"], title=t["title"].format(period=month, n=len(rows)))
    for a in rows:
        table.add_row(a.region_name, a.indicator_name, a.rule_name, a.reason_zh)
    console.print(table)


@app.command()
def generate(
    persons: int = typer.Option(
        ..., "--persons", min=1, help="People helped (placements ≈ 1.2 per person)."
    ),
    year: int = typer.Option(..., "--year", help="Reporting year."),
    out: Path = typer.Option(..., "--out", help="Folder to write raw/-style ledgers into."),
    fmt: str = typer.Option("csv", "--format", help="csv or xlsx."),
    messy: float = typer.Option(
        0.0, "--messy", min=0.0, max=1.0, help="Share of broken rows (and messy files)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same files)."),
    counties: int = typer.Option(
        None, "--counties", min=1, help="Use only the first N counties (small test sets)."
    ),
) -> None:
    """Synthetic ledgers for all four kinds, streamed one county at a time."""

    from pipelines.synthetic.generate import generate as run_generate

    if fmt not in ("csv", "xlsx"):
        raise typer.BadParameter("format must be csv or xlsx")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("counties", total=None)
        stats = run_generate(
            out, persons, year, fmt, messy, seed,
            progress=lambda i, n: progress.update(task, completed=i, total=n), max_counties=counties,
        )  # fmt: skip
    console.print(
        f"{stats.files} files, {stats.counties} counties: {stats.placement_rows} placement rows, "
        f"{stats.training_rows} training rows, {stats.workshop_rows} workshop rows, "
        f"{stats.transport_rows} transport rows → {out}"
    )


def main() -> None:
    """The `collabstats` console script."""
    app()


if __name__ == "__main__":
    main()
