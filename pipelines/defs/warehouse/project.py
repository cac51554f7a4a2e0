"""The dbt project as Dagster sees it. Nothing here parses at import, except under
`dg dev` / `dagster dev` (prepare_if_dev, Dagster's documented way); `collabstats run` and the
tests call `prepare()` before they load the definitions."""

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.settings import DBT_PROJECT_DIR, dbt_executable

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


def prepare() -> None:
    """Parse the project (dbt parse, as dagster-dbt's preparer does, with the dbt of this
    interpreter's environment, which need not be on PATH) when its manifest is missing
    or older than a project file, so the asset graph matches the models. A full parse:
    dbt 1.11's partial parse dropped the descriptions of the singular tests (given in
    tests/_singular_tests.yml) once another YAML file changed, and the checks list lost
    them; a full parse of this project takes a few seconds, only after an edit."""
    manifest = dbt_project.manifest_path
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    if not manifest.exists() or manifest.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet", "--no-partial-parse"], target_path=dbt_project.target_path
        ).wait()
