# fundwatch: `make run` starts the service, `make demo` the same fed from recordings (no internet needed),
# `make test` runs every check. All work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PG_URL ?= $(FUNDWATCH_TEST_POSTGRES_URL)

.PHONY: run test lint format demo bench install system-deps browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## run: create .venv, install, initialise the database and run the service (embedded defaults)
run: install
	$(BIN)/fundwatch db upgrade
	$(BIN)/fundwatch run

## demo: like `make run`, fed from the recorded responses in demo/recordings (no internet; state in var/demo/)
demo: install
	FUNDWATCH=$(BIN)/fundwatch sh demo/run.sh

## system-deps: Debian packages the tests need (a browser for the web UI tests, npm for axe-core)
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the browser tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## browser-deps: axe-core (the accessibility checker the browser tests inject), pinned by tests/browser/package-lock.json
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $(AXE)

browser-deps: system-deps $(AXE)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## test: install what the tests need (Python and Debian packages), lint, and run the whole suite
test: install browser-deps lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
