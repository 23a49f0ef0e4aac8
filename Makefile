# Villes² — everyday commands. On a fresh clone, `make run` serves the site and
# `make test` runs the suite; both need only Python 3.11 and make.

VENV        := .venv
BIN         := $(VENV)/bin
MANAGE      := $(BIN)/python manage.py
CONSTRAINTS := requirements/constraints.txt
# Python used to create the virtualenv: python3.11, else python3 if it is 3.11.
PYTHON      ?= $(shell command -v python3.11 || command -v python3)

# Both also read from the environment: `PORT=9000 make run`.
HOST        ?= 127.0.0.1
PORT        ?= 8000
# Extra pytest arguments: `make test PYTEST_ARGS='-x -q villes2/core'`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= auto

.PHONY: help run install install-dev test lint migrations-check deploy-check superuser \
	backup messages clean

help:
	@echo "make run               install, migrate, load reference data, serve on http://$(HOST):$(PORT)"
	@echo "make test              install dev dependencies and run the test suite (PYTEST_ARGS=...)"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make migrations-check  fail if a model change lacks its migration"
	@echo "make deploy-check      manage.py check --deploy with production settings"
	@echo "make superuser         create a staff superuser"
	@echo "make backup            back up the database (manage.py backup)"
	@echo "make messages          update the fr/en catalogues from the code, then compile them"
	@echo "make install[-dev]     (re)install into $(VENV) when dependencies changed"
	@echo "make clean             remove $(VENV), caches and collected static files (never data)"

# --- Virtualenv and installs -----------------------------------------------------------

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install python3.11." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "Python 3.11 is required; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV) (on Debian/Ubuntu: apt-get install python3.11-venv)." >&2; \
		exit 1; }

# Stamp files: reinstall only when pyproject.toml or the constraints change.
$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install -c $(CONSTRAINTS) -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# --- Serving ---------------------------------------------------------------------------

# config/wsgi.py defaults to production settings: run with the local ones. No gunicorn
# control socket: it lives in ~/.gunicorn and two instances would fight over it.
run: export DJANGO_SETTINGS_MODULE := config.settings.local
run: install
	mkdir -p "$${VILLES2_VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	$(MANAGE) collectstatic --noinput
	exec $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --no-control-socket

# --- Checks ----------------------------------------------------------------------------

test: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# A throwaway secret: production settings refuse to load without one.
deploy-check: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=villes2.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

# --- Administration --------------------------------------------------------------------

superuser: install
	mkdir -p "$${VILLES2_VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	$(MANAGE) createsuperuser

backup: install
	$(MANAGE) backup

# The options CI uses to check the catalogues are current (.ci/run): keep them identical.
messages: install
	$(MANAGE) makemessages -l fr -l en --no-obsolete --no-location \
		--ignore=.venv --ignore=var --ignore=tests
	$(MANAGE) compilemessages --ignore=.venv

# Keeps var/ (database, media, backups): only generated files go.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build test-results var/static
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
