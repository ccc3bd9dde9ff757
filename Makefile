# Every target bootstraps what it needs on a machine that has only Python 3.11.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SEED ?= 42

.PHONY: demo test lint bench bench-deps serve browser-deps clean help fuzz

help:
	@echo "make demo   - run the whole license-sync flow against both mocks, narrated"
	@echo "make test   - run every test (installs what it needs, chromium included); ends \"collected N, ran N\""
	@echo "make lint   - ruff check . then mypy (rules and settings in pyproject.toml)"
	@echo "make bench  - measure the performance targets, write bench/results.json"
	@echo "make serve  - run mock GHES (8081) and mock GHEC (8082) until Ctrl-C (SCENARIO_FILE=F: a scenario file)"
	@echo "make fuzz   - the export format's property tests with many more examples (FUZZ_EXAMPLES, default 2000)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The lint tools (the `lint` extra) on top of the test install.
LINT_STAMP := $(VENV)/.installed-lint
$(LINT_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $(LINT_STAMP)

demo: $(STAMP)
	$(VENV)/bin/license-sync demo --seed $(SEED)

# Fails unless every collected test ran: the run ends "collected N, ran N" (tests/run_count.py).
test: $(STAMP) browser-deps
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

# ruff on the whole tree, then mypy on every package (the `packages` in pyproject.toml).
lint: $(LINT_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(STAMP) bench-deps
	$(PY) -m bench

# wrk, the load generator of the throughput figure, and Node.js + npm, which run the peer
# (Stoplight Prism, pinned in bench/prism/), where they are missing and we can install them
# (without wrk the bench falls back to a Python client; without npm the peer row says "not measured").
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "warning: could not install wrk; the throughput figure will use a Python load generator"; \
	  else echo "warning: wrk missing and cannot be installed here; the throughput figure will use a Python load generator"; fi; }
	@command -v npm >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
	      || echo "warning: could not install nodejs/npm; the peer figure will not be measured"; \
	  else echo "warning: npm missing and cannot be installed here; the peer figure will not be measured"; fi; }

# The export format's validators on many generated documents and near-misses (make test runs 15 of each).
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	EXPORT_FORMAT_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/unit/test_export_format_properties.py

# SERVE_ARGS: more flags for serve_pair, e.g. SERVE_ARGS="--ghes-port 0 --ghes2-port 0 --ghec-port 0" (free ports).
SERVE_ARGS ?=
serve: $(STAMP)
	$(PY) -m license_mocks_launch.serve_pair $(if $(SCENARIO_FILE),--scenario-file $(SCENARIO_FILE) $(if $(filter command line environment,$(origin SEED)),--seed $(SEED)),--seed $(SEED)) $(SERVE_ARGS)

# Debian's chromium for the browser tests, where it is missing and we can install it.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip (and fail under CI=true)"; \
	  else echo "warning: chromium missing and cannot be installed here; browser tests will skip"; fi; }

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info test-artifacts
