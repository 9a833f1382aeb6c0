# Two commands for a new user: `make run` and `make test`. Both create the
# virtual environment they need (.venv) on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,plot]'
	touch $(STAMP)

# The main job: check the bundled evidence base, then the three answers.
run: $(STAMP)
	$(BIN)/igf validate
	$(BIN)/igf rank
	$(BIN)/igf halted
	$(BIN)/igf benchmark --with-data

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check igfcli tests bench
	$(BIN)/ruff format --check igfcli tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The command reference, from the commands' own help; a test in tests/test_tools.py fails when it is stale.
docs: $(STAMP)
	$(BIN)/python -m igfcli.commands.docs docs/cli.md

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
