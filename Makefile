# Two commands on a fresh machine: `make run` and `make test`. Both create .venv/ first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The stamp is keyed on pyproject.toml so a dependency change reinstalls.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# Dagster's instance is the repository: dagster.yaml here configures it, and its run
# history lands in history/, schedules/ and storage/ (git-ignored).
export DAGSTER_HOME ?= $(CURDIR)
# dbt, dagster and collabstats from the venv, also for the processes `dagster dev` starts.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup setup-spark run test test-fast test-spark lint ui dashboard samples bench bench-quick clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# -qq: errors only; setuptools warns on every editable install of a package that sits
	# in the working folder, which is this repository's layout by design
	$(BIN)/python -m pip install -qq -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Runs the whole pipeline on the bundled sample ledgers (raw/), demo PII key unless
# COLLAB_PII_KEY is set.
run: setup
	$(BIN)/collabstats run

test: setup
	$(BIN)/python -m pytest -q -m "not spark"

# The inner loop: everything but the tests marked e2e (whole pipeline runs).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not spark"

# The same dbt project on a local Spark, every table compared with DuckDB's (docs/spark.md):
# installs the [spark] extra (pyspark, dbt-spark) first; needs Java.
SPARK_STAMP := $(VENV)/.installed-spark-$(shell sha1sum pyproject.toml | cut -c1-12)
setup-spark: setup $(SPARK_STAMP)

$(SPARK_STAMP): pyproject.toml
	$(BIN)/python -m pip install -qq -e '.[dev,spark]'
	rm -f $(VENV)/.installed-spark-*
	touch $@

test-spark: setup-spark
	$(BIN)/python -m pytest -q -m spark

# Lint also fails when git tracks a file that .gitignore names (build/, dist/, *.egg-info/,
# warehouse files ...): generated output never belongs in the repository.
lint: setup
	@tracked="$$(git ls-files --cached --ignored --exclude-standard)"; \
	if [ -n "$$tracked" ]; then \
	  echo "generated files are tracked in git (they match .gitignore); git rm --cached them:"; \
	  echo "$$tracked" | head -20; exit 1; fi
	$(BIN)/ruff check pipelines tests bench
	$(BIN)/ruff format --check pipelines tests bench
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

# Dagster UI (dg dev: the code location "collabstats" from pyproject.toml [tool.dg]).
ui: setup
	$(BIN)/dg dev

# The dashboard over warehouse/serving.duckdb on http://localhost:8501 (after make run).
dashboard: setup
	$(BIN)/collabstats dashboard

# Regenerates the bundled sample ledgers (deterministic).
samples: setup
	$(BIN)/python -m pipelines.synthetic.samples

bench: setup
	$(BIN)/python bench/run_bench.py --full

bench-quick: setup
	$(BIN)/python bench/run_bench.py --quick

clean:
	rm -rf warehouse/*.duckdb warehouse/*.parquet warehouse/exports warehouse/marts warehouse/dbt_target warehouse/dbt_target_spark warehouse/spark dbt_project/target
