"""`dbt build` in this process, its results streamed to Dagster as dagster-dbt streams them.

dagster-dbt's DbtCliResource.cli() starts dbt as a subprocess and reads its JSON log
lines. That subprocess paid an interpreter start and a dbt-core import of its own (the
December dbt step at 10M rows went 12.7 -> 11.5 s without it, medians of 3 alternating
runs; a cost every run pays whatever its size), while this process has already imported
dbt-core, because dagster-dbt does. dbtRunner is dbt's documented way to invoke dbt from Python
(docs.getdbt.com/reference/programmatic-invocations). Its callbacks receive every
structured event, and msg_to_dict gives the same dict a JSON log line holds. So
dagster-dbt's own event class still turns the result events into Outputs and asset-check
results, and dagster-dbt's own selection logic still turns a subset of assets chosen in
the UI into dbt's --select. Only the transport is replaced.

What the subprocess gave for free, done here:
- one invocation at a time: dbt keeps global state per process (flags, adapter registry,
  event manager), so a lock serialises builds (the duckdb_build pool already serialises
  the steps that open the build database);
- the build database is closed afterwards: dbt-duckdb keeps its DuckDB instance in a
  class attribute until the process exits, which would block the next opener of the file;
- an interrupted step (run terminated in the UI) waits for dbt to finish before it
  re-raises. A thread cannot be killed, and closing the database under a running query
  is worse than the wait; a whole national build takes well under a minute.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dagster_dbt.errors import DagsterDbtCliRuntimeError

# The events that carry a node's result (dagster-dbt's DbtCoreCliEventMessage reads them).
_RESULT_EVENTS = frozenset(
    {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}
)
_DONE = object()
_LOCK = threading.Lock()  # one dbt invocation at a time in this process
_AHEAD: dict[str, Any] = {}  # what parse_ahead left for the next run(): key, manifest


def _paths_flags(project_dir: Path, profiles_dir: Path, target_path: Path) -> list[str]:
    """The project, profile and target folders, and no usage statistics (no internet)."""
    return [
        "--project-dir", str(project_dir),
        "--profiles-dir", str(profiles_dir),
        "--target-path", str(target_path),
        "--log-path", str(target_path),
        "--no-send-anonymous-usage-stats",
    ]  # fmt: skip


def _ahead_key(project_dir: Path, target_path: Path) -> tuple[str, str, str | None]:
    # the profile reads the build database's path from the environment
    return (str(project_dir), str(target_path), os.environ.get("COLLAB_BUILD_DB"))


def parse_ahead(project_dir: Path, profiles_dir: Path, target_path: Path) -> None:
    """Parse the dbt project on a background thread now, so that the next `run` with
    the same folders and build database starts from the parsed manifest instead of
    parsing (dbtRunner's `manifest=`, docs.getdbt.com/reference/programmatic-invocations,
    "Reusing objects").

    A pipeline run calls it as it starts, so the parse and the start-up dbt pays once per
    process (loading the partial-parse file, generating its (de)serialisers; ~1.8 s in a
    fresh process) overlap the ingest instead of delaying the build. Adding December to a
    10M-row year: dbt step 10.2 -> 8.9 s, ingest 19.3 -> 19.7 s (medians of 3 alternating
    runs). The lock is taken here, before the thread starts, so a build can never slip in
    ahead of the parse it should wait for."""
    from dbt.cli.main import dbtRunner

    target_path = project_dir / target_path
    key = _ahead_key(project_dir, target_path)
    args = ["parse", *_paths_flags(project_dir, profiles_dir, target_path), "--quiet"]

    def parse() -> None:
        try:
            result = dbtRunner().invoke(args)
            _AHEAD.update(key=key, manifest=result.result if result.success else None)
        except Exception:  # noqa: BLE001 - the build then parses, and reports, itself
            _AHEAD.clear()
        finally:
            _LOCK.release()

    _LOCK.acquire()
    threading.Thread(target=parse, name="dbt-parse", daemon=True).start()


def wait() -> None:
    """End of a pipeline run: wait for a parse_ahead whose build never came (the run
    failed before dbt) and drop its manifest, which a later build must not reuse."""
    with _LOCK:
        _AHEAD.clear()


def run(
    args: Sequence[str],
    context: dg.AssetExecutionContext,
    *,
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
) -> Iterator[Any]:
    """Run `dbt <args>` in a thread of this process and yield dagster-dbt's events for each
    node result as it arrives; raise DagsterDbtCliRuntimeError if the command failed (an
    error-severity test failure included), as DbtCliInvocation.stream() does.

    To `args` it adds what DbtCliResource.cli() adds: the selection of the assets chosen
    in this run (dagster-dbt computes it), the project, profile and target folders, and
    no usage statistics (this machine has no internet)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    cleaned, selects, excludes = extract_runtime_selection_from_args(args)
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest={},
        dagster_dbt_translator=DagsterDbtTranslator(),
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    if params.dbt_project is not None:  # the assets' project, or a temporary copy of it
        # with a generated selector when the selection is too long for a command line
        project_dir = Path(params.dbt_project.project_dir)
    target_path = project_dir / target_path  # as given when absolute
    full = [*cleaned, *params.selection_args]
    if params.indirect_selection and "--indirect-selection" not in full:
        full += ["--indirect-selection", params.indirect_selection]
    full += _paths_flags(project_dir, profiles_dir, target_path)

    events: queue.Queue = queue.Queue()
    errors: list[str] = []
    outcome: dict[str, Any] = {}

    def on_event(msg) -> None:  # called on dbt's threads
        if msg.info.level == "error":
            errors.append(msg.info.msg)
        if msg.info.name in _RESULT_EVENTS:
            events.put(msg_to_dict(msg))

    def invoke(manifest) -> None:
        try:
            outcome["result"] = dbtRunner(manifest, callbacks=[on_event]).invoke(full)
        except BaseException as exc:  # noqa: BLE001 - reported by the step below
            outcome["exception"] = exc
        finally:
            DuckDBConnectionManager.close_all_connections()
            events.put(_DONE)

    with _LOCK:
        ahead = _AHEAD.copy()
        _AHEAD.clear()
        parsed = (
            ahead.get("manifest")
            if ahead.get("key") == _ahead_key(project_dir, target_path)
            else None
        )
        worker = threading.Thread(target=invoke, args=(parsed,), name="dbt", daemon=True)
        worker.start()
        try:
            while (raw := events.get()) is not _DONE:
                event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
                yield from event.to_default_asset_events(
                    manifest=params.manifest,
                    dagster_dbt_translator=params.dagster_dbt_translator,
                    context=context,
                    target_path=target_path,
                    project=params.dbt_project,
                )
        finally:
            worker.join()
    result = outcome.get("result")
    exc = outcome.get("exception") or (result.exception if result is not None else None)
    if exc is not None or result is None or not result.success:
        details = "\n\n".join(["", "Errors from dbt:", *errors]) if errors else ""
        raise DagsterDbtCliRuntimeError(
            description=f"`dbt {' '.join(full)}` failed"
            + (f": {exc!r}" if exc is not None else "")
            + f". The dbt log is {target_path / 'dbt.log'}.{details}"
        )
