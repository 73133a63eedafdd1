# Two commands on a fresh machine: `make run` and `make test` (see README.md).
# Needs Python 3.11+, make and git; on Debian/Ubuntu also python3-venv.

# The first Python 3.11+ found (override: make run PYTHON=/path/to/python3.12).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; \
	done)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails `make run` prints point at the server it starts.
SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
# Parallel by default: one pytest-xdist worker per core ("0" runs serially).
PYTEST_WORKERS ?= auto

.PHONY: run test install lint format messages check clean

# A failed creation leaves no half-made virtualenv behind, so the next run starts over.
$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: none found (python3 is $$(python3 --version 2>&1))."; exit 1; }
	@echo "Creating the virtualenv in $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create a virtualenv: on Debian/Ubuntu run 'sudo apt install python3-venv'."; exit 1; }

# Installs once; again only when pyproject.toml changes (the stamp file records the last install).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing the dependencies into $(VENV): about two minutes the first time, then only when pyproject.toml changes"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@echo "Dependencies installed."
	@touch $@

install: $(VENV)/.installed

## Set up everything and serve the app with demo data on http://127.0.0.1:8000 (or HOST/PORT)
run: install
	@echo "Preparing the database (SQLite file db.sqlite3 unless DATABASE_URL is set)"
	@$(BIN)/python manage.py migrate --noinput -v 0
	@SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo_data
	@$(BIN)/python manage.py load_demo_articles
	@$(BIN)/python manage.py load_demo_incidents
	@echo "Helpdesk: $(SITE_URL)/  (Ctrl+C stops it)"
	@SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Set up everything and run the whole test suite (extra pytest options: PYTEST_ARGS="-m smoke")
test: install
	@echo "Running the tests on $(PYTEST_WORKERS) worker(s); tests whose service is missing are skipped and summed up at the end"
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Update the catalogues (extract, merge, compile); see scripts/update_translations.py
messages: install
	$(BIN)/python scripts/update_translations.py

check: install
	$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache test-artifacts
