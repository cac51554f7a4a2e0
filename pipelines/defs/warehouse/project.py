"""The dbt project as Dagster sees it. Nothing here parses at import, except under
`dg dev` / `dagster dev` (prepare_if_dev, Dagster's documented way); `collabstats run` and the
tests call `prepare()` before they load the definitions."""

import json
import sys
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from pipelines.settings import DBT_PROJECT_DIR, dbt_executable, dbt_target, paths

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def prepare() -> None:
    """Parse the project (dbt parse, as dagster-dbt's preparer does, with the dbt of this
    interpreter's environment, which need not be on PATH) when its manifest is missing
    or older than a project file, so the asset graph matches the models. A full parse:
    dbt 1.11's partial parse dropped the descriptions of the singular tests (given in
    tests/_singular_tests.yml) once another YAML file changed, and the checks list lost
    them; a full parse of this project takes a few seconds, only after an edit.

    It parses with the target and `--vars` the build of the default warehouse passes
    (build_args), so that build starts from this parse: dagster-dbt copies this folder's
    partial_parse.msgpack into a new warehouse's dbt_target, and dbt accepts it only if
    the vars and the profile match. A new default warehouse (after `make clean`, a fresh
    clone) thus parses the project once, not twice (the samples on a machine where a full
    parse takes 9.3 s and a partial one 4.6 s: the dbt step of a fresh warehouse's run
    24.3 -> 19.2 s); another warehouse folder is parsed in full by its first build."""
    manifest = dbt_project.manifest_path
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    if not manifest.exists() or manifest.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        parse(dbt_project.target_path)


def parse(target_path: Path) -> None:
    """A full parse into `target_path`, as the default warehouse's build would parse."""
    DbtCli(project_dir=dbt_project, dbt_executable=dbt_executable()).cli(
        ["parse", "--quiet", "--no-partial-parse", *build_args(paths().build_db)],
        target_path=target_path,
    ).wait()


def build_args(build_db: Path) -> list[str]:
    """The target and vars of every dbt command over the warehouse whose build database
    is `build_db` (the profile's DuckDB path is the var `build_db`)."""
    return ["--target", dbt_target(), "--vars", json.dumps({"build_db": str(build_db)})]


class DbtCli(DbtCliResource):
    """dagster-dbt's DbtCliResource, without two costs its `cli()` pays on every run that
    this project gets nothing from (measured on the samples: 3.9 s of a 14.6 s run).

    - `dbt --version` in a subprocess (1.6 s) to learn which engine it drives: the dbt
      this project runs is the one installed beside this interpreter
      (settings.dbt_executable), whose version the package metadata already gives.
    - a dbt adapter built in this process (2.3 s: dbt's imports and its macros parsed)
      that dagster-dbt uses only to fetch row counts and column metadata, which this
      project does not ask for (`fetch_row_counts`, `fetch_column_metadata`).

    Both override private methods of dagster-dbt (pinned <0.30 in pyproject.toml);
    tests/test_definitions.py fails if an upgrade renames them, so the saving cannot
    silently go away, and every dbt test in the suite runs through this class."""

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            return Version(version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # a dbt from PATH: ask it

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - dagster-dbt's signature
        return None
