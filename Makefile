# Chronicle — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: one per core (pytest-xdist); whole files stay on one worker, so a
# browser module starts its server once.
TEST_WORKERS ?= auto

.PHONY: run test lint typecheck setup setup-test migrate demo clean bench

# A database from before the workflow existed (November 2026) needs
# `manage.py start_missing_processes` once; a new one never does, so `make run` no
# longer runs it every time.
run: migrate ## set up, load demo data, serve on http://127.0.0.1:8000
	$(MANAGE) start_clamd
	$(MANAGE) demo
	@# The task worker (notification emails) and the scheduler (the workflow clock,
	@# clean-ups) run beside the web server and stop when it stops.
	$(MANAGE) run_worker --no-reload & worker=$$!; \
	$(MANAGE) run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup-test ## set up and run checks, migration check and the test suite
	DJANGO_SETTINGS_MODULE=chronicle.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=chronicle.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The page benchmark (issue 17, docs/performance.md): its own PostgreSQL database on
# 127.0.0.1:5432 (dropped afterwards), a generated 20-school trust, every main page
# measured as its role. BENCH_CONCERNS=1000000 for a million; BENCH_LABEL=after
# writes the second table beside the first.
BENCH_CONCERNS ?= 100000
BENCH_LABEL ?= latest
bench: setup-test ## measure every main page on a generated trust (PostgreSQL)
	nice $(BIN)/python scripts/bench.py --concerns $(BENCH_CONCERNS) --label $(BENCH_LABEL)

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-test ## mypy with django-stubs over the services and selectors
	$(BIN)/mypy

setup: $(VENV)/.installed

# axe-core (accessibility checks the browser tests inject), pinned in tests/e2e.
AXE := tests/e2e/node_modules/axe-core/axe.min.js

setup-test: $(VENV)/.installed-test $(AXE)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund --silent
	touch $@

migrate: setup
	@mkdir -p var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) var static .pytest_cache .ruff_cache tests/e2e/node_modules

.PHONY: loadtest
loadtest: setup ## 50 staff submitting at once: gunicorn + a fresh PostgreSQL database
	$(BIN)/python scripts/loadtest.py

.PHONY: cluster-test
cluster-test: setup ## two app servers, worker, two schedulers behind haproxy; faults injected
	$(BIN)/python scripts/cluster_test.py $(CLUSTER_TEST_ARGS)
