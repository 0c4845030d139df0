# Two commands do everything on a fresh machine with Python 3.11 and Java:
#   make run   set-up + the whole flow on embedded defaults (SQLite, local MLflow, bundled NFL data)
#   make test  set-up + the full suite (PostgreSQL tests run when ROYALEY_TEST_DATABASE_URL is set)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.py | md5sum | cut -c1-12)
# Files that may not be redistributed (nfelo's lines) are read only from a folder named here; on the
# project's machines that is ../shared/data beside the clone. Empty when absent: the flow runs without.
export ROYALEY_SHARED_DATA ?= $(abspath $(wildcard ../shared/data))

.PHONY: install run test lint ui benchmark clean

install: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel setuptools
	$(BIN)/python -m pip install --quiet -e ".[test,autogluon]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: install
	$(BIN)/royaley run $(ARGS)

lint: install
	$(BIN)/ruff check royaley_pipeline royaley_pipeline_tests benchmarks
	$(BIN)/lint-imports --no-cache

test: install lint
	$(BIN)/python -m pytest royaley_pipeline_tests $(PYTEST_ARGS)

ui: install
	$(BIN)/royaley ui

benchmark: install
	$(BIN)/python benchmarks/ingestion_benchmark.py
	$(BIN)/python benchmarks/pipeline_benchmark.py
	$(BIN)/python benchmarks/features_benchmark.py
	$(BIN)/python benchmarks/daily_update_benchmark.py

clean:
	rm -rf .royaley
