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
PYTEST_ARGS ?=

.PHONY: run test install lint format messages check clean

# A failed creation leaves no half-made virtualenv behind, so the next run starts over.
$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: none found (python3 is $$(python3 --version 2>&1))."; exit 1; }
	@echo "Creating the virtualenv in $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create a virtualenv: on Debian/Ubuntu run 'sudo apt install python3-venv'."; exit 1; }

# Installs once; again only when pyproject.toml changes (the stamp file records the last install).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

install: $(VENV)/.installed

## Set up everything and serve the app with demo data on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo "Helpdesk: http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Set up everything and run the whole test suite (extra pytest options: PYTEST_ARGS="-m smoke")
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
