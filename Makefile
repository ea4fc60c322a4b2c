# The project's commands, the same on every machine (README: "Quick start").
#   make run    the portal with demo data on http://127.0.0.1:8000/, worker and beat beside it
#   make test   the whole suite on PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
#   make test-fast  the same without the browser journeys and the end-to-end mail tests
#   make lint   ruff, formatting, mypy, the import contracts and a missing-migrations check
#   make ci     lint, then test
#   make bench  the page benchmark on 10,000 demo groups (bench-quick: a quick smoke run)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# uv from PATH, or the one `make install` puts in the user's Python.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --no-sync
MANAGE := $(RUN) python manage.py

.PHONY: help install run test test-fast lint ci screenshots bench bench-quick

help:
	@echo "make install | run | test | test-fast | lint | ci | screenshots | bench | bench-quick"

install:
	@command -v uv >/dev/null || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install uv
	UV_PYTHON="$$(scripts/pick-python)" $(UV) sync --locked

# The embedded default: SQLite, e-mail to var/outbox/, Celery on kombu's filesystem broker.
run: export DJANGO_SETTINGS_MODULE = techgroups.settings.dev
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(RUN) honcho --procfile Procfile.dev start

test: install
	$(RUN) pytest

# tests/browser and tests/mail_e2e mark their tests (their conftest.py): `browser`, `e2e`.
test-fast: install
	$(RUN) pytest -m "not browser and not e2e"

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy .
	$(RUN) lint-imports
	DJANGO_SETTINGS_MODULE=techgroups.settings.dev DATABASE_URL=sqlite://:memory: \
	  $(MANAGE) makemigrations --check --dry-run

ci: lint test

# Needs the portal running (make run) and Debian's chromium at /usr/bin/chromium. Writes
# var/screenshots/<page>-{desktop,phone}.png; set SCREENSHOT_EMAIL/PASSWORD to sign in first.
SCREENSHOT_URL ?= http://127.0.0.1:8000
SCREENSHOT_PATHS ?= /
screenshots: install
	$(RUN) python scripts/screenshots.py $(SCREENSHOT_URL) var/screenshots \
	  "$(SCREENSHOT_EMAIL)" "$(SCREENSHOT_PASSWORD)" $(SCREENSHOT_PATHS)

# The page benchmark (README: "Benchmarks") in a throwaway database, removed afterwards:
# SQLite by default, or BENCH_ARGS="--database-url postgres://postgres@127.0.0.1:5432/techgroups".
BENCH_ARGS ?=
bench: export DJANGO_SETTINGS_MODULE = techgroups.settings.dev
bench: install
	$(RUN) python -m benchmarks.pages $(BENCH_ARGS)

# The same on 200 groups, in well under a minute: proves the benchmark runs, measures nothing.
bench-quick: export DJANGO_SETTINGS_MODULE = techgroups.settings.dev
bench-quick: install
	$(RUN) python -m benchmarks.pages --groups 200 --repeat 3 --export-repeat 1 $(BENCH_ARGS)
