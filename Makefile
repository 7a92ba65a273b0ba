# The two commands of the README. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test lint install install-test bench browser compile-search

$(VENV)/.runtime-installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[compile]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.runtime-installed
install-test: $(VENV)/.test-installed

## compile-search: the compiled query path (cms/search/native.py); quick when current. If it cannot be
## built (no C compiler), search runs uncompiled, a third slower.
compile-search: install
	-$(PY) -m cms.search.compile

## run: start the web server and the worker with embedded MongoDB, filesystem objects and demo data.
run: install compile-search
	$(PY) -m server run --demo

browser:
	./.ci/install-browser

## test: lint, type-check and run the whole test suite.
test: install-test browser compile-search
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m mypy
