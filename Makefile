# CouncilWatch: `make run`, `make demo`, `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run demo lint test test-fast bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "CouncilWatch needs Python 3.11"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/councilwatch run

demo: install
	$(BIN)/councilwatch demo

# The whole check: lint (ruff, configured in pyproject.toml), then every test.
lint: install
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q -ra

# Skips the slow drills.
test-fast: install
	$(BIN)/python -m pytest -q -ra -m "not slow"

# Every bench/ script, then one table (about six minutes; each script's detail goes to
# bench/last-run.txt). BENCH_ARGS="--quick" checks the scripts in a minute.
bench: install
	$(BIN)/python bench/all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
