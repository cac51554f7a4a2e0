# Two commands on a fresh machine: `make run` and `make test`. Both create .venv/ first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The stamp is keyed on pyproject.toml so a dependency change reinstalls.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# dbt, dagster and collabstats from the venv, also for the processes `dagster dev` starts.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup run test test-fast lint ui samples bench bench-quick clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Runs the whole pipeline on the bundled sample ledgers (raw/), demo PII key unless
# COLLAB_PII_KEY is set.
$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

run: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/collabstats run

test: setup
	$(BIN)/python -m pytest -q

# The inner loop: everything but the tests marked e2e (whole pipeline runs).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e"

lint: setup
	$(BIN)/ruff check pipelines tests bench
	$(BIN)/ruff format --check pipelines tests bench
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

# Dagster UI on a DAGSTER_HOME inside the repo (git-ignored).
ui: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m pipelines.definitions

# Regenerates the bundled sample ledgers (deterministic).
samples: setup
	$(BIN)/python -m pipelines.synthetic.samples

bench: setup
	$(BIN)/python bench/run_bench.py --full

bench-quick: setup
	$(BIN)/python bench/run_bench.py --quick

clean:
	rm -rf warehouse/*.duckdb warehouse/*.parquet warehouse/exports warehouse/marts warehouse/dbt_target dbt_project/target
