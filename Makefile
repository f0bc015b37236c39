# Every target creates the virtual environment it needs (.venv) on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed  ## create .venv and install the kit with its test tools

demo: $(BIN)/.installed  ## set up, then run the report on the built-in demo data (writes demo-report/)
	$(BIN)/stickiness report --demo --by persona --out demo-report

test: $(BIN)/.installed  ## set up, then lint and run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(BIN)/.installed  ## benchmark against DuckDB on 1M and 10M events (SIZES=1e6,1e7,1e8 for more)
	$(BIN)/python benchmarks/bench_active_users.py --sizes $(or $(SIZES),1000000,10000000)
	$(BIN)/python benchmarks/bench_core.py --sizes $(or $(SIZES),1000000,10000000)

.PHONY: help setup demo test bench
