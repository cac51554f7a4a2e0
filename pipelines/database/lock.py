"""One writer per warehouse, across processes, that a crash can never leave behind.

DuckDB lets one process write a database file. Every step that writes the build
database (ingest, dbt, publish, rekey) holds an exclusive `flock` on
`<warehouse>/.lock`. The kernel releases it when the holding process ends, however it
ends (kill -9, power loss), so a dead run never blocks the next one - unlike a
concurrency slot recorded in Dagster's storage, which stays claimed by a run that died.

The lock is re-entrant within a process: the CLI holds it for a whole run while the
assets inside the run take it again. A second process waits up to `timeout` seconds,
saying once who holds it, then gives up with WarehouseBusy; the wait is a sleep loop,
so Ctrl-C and SIGTERM end it at once.

A run killed during dbt leaves its dbt subprocess behind (nothing kills a child when
its parent dies), still holding DuckDB's own lock on the build database. Whoever takes
the warehouse lock next ends such orphans first: a process that has a file of this
warehouse open, runs dbt, and was orphaned (its parent is init or another reaper of
orphans). Its work is not lost: the months it was recomputing are still recorded as
changed.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import psutil

from pipelines import zh

_REAPERS = {"systemd", "init", "tini", "dumb-init", "docker-init"}  # adopt orphans
_held: dict[str, list] = {}  # lock path -> [file object, depth]
_guard = threading.Lock()


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse; the message says which and what to do."""


def holder(path: Path) -> str:
    """Who wrote the lock file last (pid, host, since), for messages."""
    try:
        return path.read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"


@contextmanager
def warehouse_lock(
    warehouse_dir: Path,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse's write lock for the block (see the module docstring)."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = warehouse_dir / ".lock"
    key = str(path.resolve())
    with _guard:
        if key in _held:
            _held[key][1] += 1
            entry = _held[key]
        else:
            entry = None
    if entry is None:
        handle = _acquire(path, timeout, on_wait)
        with _guard:
            _held[key] = [handle, 1]
        end_orphans(warehouse_dir, on_wait)
    try:
        yield
    finally:
        with _guard:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                handle = _held.pop(key)[0]
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


def end_orphans(warehouse_dir: Path, on_wait: Callable[[str], None] | None = None) -> list[int]:
    """End the dbt processes a dead run left writing this warehouse (see the module
    docstring); returns their pids. Call only while holding the warehouse lock."""
    root = str(warehouse_dir.resolve()) + os.sep
    ended = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.pid == os.getpid() or not any("dbt" in a for a in proc.info["cmdline"] or ()):
                continue
            if not any(f.path.startswith(root) for f in proc.open_files()):
                continue
            parent = proc.parent()
            if parent is not None and parent.pid != 1 and parent.name() not in _REAPERS:
                continue  # someone's child still (a dbt run by hand is not ours to end)
            if on_wait is not None:
                on_wait(zh.LOCK["orphan"].format(pid=proc.pid))
            proc.terminate()
            try:
                proc.wait(10)
            except psutil.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            ended.append(proc.pid)
        except psutil.Error:
            continue
    return ended


def _acquire(path: Path, timeout: float, on_wait: Callable[[str], None] | None):
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until released
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise WarehouseBusy(
                    zh.LOCK["busy"].format(
                        folder=path.parent, holder=holder(path), seconds=int(timeout)
                    )
                ) from None
            if not told and on_wait is not None:
                on_wait(zh.LOCK["waiting"].format(folder=path.parent, holder=holder(path)))
                told = True
            time.sleep(0.2)
    handle.seek(0)
    handle.truncate()
    handle.write(
        f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now():%Y-%m-%d %H:%M:%S}\n"
    )
    handle.flush()
    return handle
