# The two commands of the README: `make run` (install + serve) and `make test` (install + test).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install run test lint bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/emosync serve

lint: install
	$(BIN)/ruff check services tests bench scripts devtools
	$(BIN)/ruff format --check services tests bench scripts devtools
	$(BIN)/mypy services devtools

test: install lint
	$(BIN)/python -m pytest -q
