# dgops — the two commands are `make demo` and `make test`; `make help` lists the rest.
# A fresh machine needs only python3, pip and make: uv is bootstrapped into .tools/.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen --extra airflow
export UV_PYTHON_DOWNLOADS := never
export DGOPS_HOME := $(CURDIR)

.DEFAULT_GOAL := help
.PHONY: help setup demo test lint fmt bench up clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) lock --check
	$(UV) sync --frozen --extra airflow
	@touch $@

setup: .venv/.synced ## install everything (uv, the locked packages, fonts come with them)

demo: setup ## set up and run a whole survey year on the embedded default (SQLite, local mail sink)
	$(RUN) dgops demo run

test: setup ## set up and run the whole test suite (PostgreSQL tests when a server can be started)
	.ci/system-deps
	.ci/with-postgres $(RUN) pytest -n 2 --dist loadfile --durations=20

lint: setup ## ruff on everything, mypy (strict) on dgops/, dags/ and plugins/, the layers (import-linter)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports

fmt: setup ## apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench: setup ## run the benchmarks in bench/ and print their figures
	$(RUN) python -m bench

up: setup ## run Airflow on 127.0.0.1 with the dgops DAGs (env: DGOPS_AIRFLOW_PORT, DGOPS_DATABASE_URL, DGOPS_VAR_DIR, AIRFLOW_HOME)
	.ci/airflow-up

clean: ## remove the virtual environment and generated state under var/
	rm -rf .venv .tools var airflow-home
