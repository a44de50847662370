# dataward — `make demo` runs the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all demo test lint fmt typecheck bench lock clean install migrations docs fuzz audit

all: lint test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/dataward demo

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q --durations=25

# Each atheris harness in fuzz/ for FUZZ_SECONDS; fails when one finds a crash (not part of test).
FUZZ_SECONDS ?= 30
fuzz: $(STAMP)
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS)

# pip-audit of requirements.lock against PyPI's advisories, from a venv of its own. It needs the
# internet (PyPI's JSON API); --strict makes a package it could not look up a failure, not a skip.
# .ci/run runs .ci/audit, which fails on a known vulnerability but only warns when nothing could
# be looked up (no advisory source reachable). See docs/security.md.
AUDIT_VENV ?= build/auditvenv
audit:
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet 'pip-audit==2.10.1'
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip -r requirements.lock

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/foundation_bench.py
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/heldout.py --set all
	$(BIN)/python bench/scan_bench.py --mb 20
	$(BIN)/python bench/scan_bench.py --mb 200 --sensitive-share 0.1 --big-mb 2000
	$(BIN)/python bench/access_bench.py
	$(BIN)/python bench/governance_bench.py
	$(BIN)/python bench/training_bench.py
	$(BIN)/python bench/web_bench.py

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

migrations: $(STAMP)
	DJANGO_SETTINGS_MODULE=dataward.settings_typecheck $(BIN)/django-admin makemigrations core controls discovery access risks training vendors incidents devices encryption monitoring retention web

docs: $(STAMP)
	COLUMNS=100 $(BIN)/python -m dataward.clidoc docs/cli.md
