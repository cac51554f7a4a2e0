"""What `collabstats run` shows in the terminal, and what it keeps in the run's log:
logging set-up, the ingest's progress bars, the log file that takes dbt's and Dagster's
own lines, and the wall time in parts that add up."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from pipelines import settings

_OWN_LOGGERS = ("collabstats", "pipelines")


def configure_logging(console: Console, verbose: bool = False) -> None:
    """Our own INFO lines and everyone's warnings on the console; with `verbose`,
    everything at INFO (Dagster's and dbt's lines too)."""
    handler = RichHandler(console=console, show_path=False, show_time=False, markup=False)
    if not verbose:
        handler.addFilter(
            lambda r: r.levelno >= logging.WARNING or r.name.split(".")[0] in _OWN_LOGGERS
        )
    logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(message)s", force=True)


class _Tee:
    """A text stream that writes to two (the run's log file and, with --verbose, the
    terminal)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextmanager
def run_log(p: settings.Paths, echo: TextIO | None = None) -> Iterator[Path]:
    """The run's full log in <warehouse>/logs/: what dbt writes to stdout (dagster-dbt
    echoes dbt's events there), and Dagster's records at INFO, which the console shows
    only from --verbose on. `echo` gets dbt's lines too."""
    folder = p.warehouse_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
    with open(path, "a", encoding="utf-8") as f:
        handler = logging.StreamHandler(f)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        try:
            with redirect_stdout(_Tee(f, echo) if echo else f):
                yield path
        finally:
            logging.getLogger().removeHandler(handler)


class _IngestBars(logging.Handler):
    """Progress bars per ledger kind (files, rows, rate, time left) drawn from the
    ingest's progress records (logger collabstats.progress)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        p = getattr(record, "progress", None)
        if p is None:
            return
        if p.kind not in self.tasks:
            self.tasks[p.kind] = self.progress.add_task(p.kind, total=None, files="", rate="")
        task = self.tasks[p.kind]
        elapsed = self.progress.tasks[task].elapsed or 0
        rate = f"{p.rows_done / elapsed:,.0f} rows/s" if elapsed > 0 and p.rows_done else ""
        files = (
            f"{p.files_done:,}/{p.files_total:,} new or changed files, {p.rows_done:,} rows"
            if p.files_total
            else "no new or changed files"
        )
        self.progress.update(  # nothing new: done at once
            task, total=max(p.files_total, 1), completed=p.files_done if p.files_total else 1,
            files=files, rate=rate,
        )  # fmt: skip


@contextmanager
def ingest_progress(console: Console) -> Iterator[None]:
    progress = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(bar_width=24),
        TextColumn("{task.fields[files]}  {task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
    )
    bars = _IngestBars(progress)
    source = logging.getLogger("collabstats.progress")
    source.addHandler(bars)
    source.setLevel(logging.INFO)
    try:
        with progress:
            yield
    finally:
        source.removeHandler(bars)


def timing_rows(outcome, before: dict[str, float], total: float) -> list[tuple[str, str]]:
    """The run's wall time in parts that add up to the total: start-up, the lock, the
    checks before the run, the definitions, each step, Dagster's own time, the rest."""
    parts = {
        **before,
        "definitions + dbt manifest": outcome.overheads.get("definitions", 0.0),
    }
    for stage, seconds in outcome.timings.items():
        if not stage.startswith("ingest_"):
            parts[f"step: {stage}"] = seconds
    parts["Dagster around the steps"] = outcome.overheads.get("dagster", 0.0)
    parts["summary"] = outcome.overheads.get("summary", 0.0)
    parts["other"] = max(0.0, total - sum(parts.values()))
    rows = []
    for label, seconds in parts.items():
        rows.append((f"time: {label}", f"{seconds:,.1f} s"))
        if label == "step: ingest":
            rows += [
                (f"        {k.removeprefix('ingest_')}", f"{v:,.1f} s")
                for k, v in outcome.timings.items()
                if k.startswith("ingest_")
            ]
    rows.append(("time: total", f"{total:,.1f} s"))
    return rows
