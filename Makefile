# Every target creates the virtual environment it needs (.venv) on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Two install stamps: .installed is everything (every engine and extra, the browser and test tools), for
# `make setup` and `make test`; .installed-demo is what `make demo` needs, the kit and its report layer
# (the [jupyter] extra: no PySpark, DuckDB, Playwright or test tools), and is satisfied by a full install too.
$(BIN)/.installed: pyproject.toml
	@echo "Installing the kit with every extra and the test tools into $(VENV) (the first time takes several minutes)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(BIN)/.installed-demo: pyproject.toml
	@set -e; \
	if [ -f $(BIN)/.installed ] && [ $(BIN)/.installed -nt pyproject.toml ]; then touch $@; exit 0; fi; \
	echo "Installing the kit and its report layer into $(VENV): the first time takes a few minutes, later runs start at once."; \
	echo "  pip install -e '.[jupyter]'  (no PySpark, DuckDB, Playwright or test tools: make setup installs those)"; \
	$(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install --quiet --upgrade pip; \
	$(BIN)/python -m pip install --quiet -e '.[jupyter]'; \
	touch $@

setup: $(BIN)/.installed  ## create .venv and install the kit with every extra and its test tools

demo: $(BIN)/.installed-demo  ## install the kit and its report layer, then run the report on the demo data (writes demo-report/)
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
