# Every target bootstraps what it needs on a machine that has only Python 3.11.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SEED ?= 42

.PHONY: demo test bench bench-deps serve browser-deps clean help

help:
	@echo "make demo   - run the whole license-sync flow against both mocks, narrated"
	@echo "make test   - run every test (installs what it needs, chromium included)"
	@echo "make bench  - measure the performance targets, write bench/results.json"
	@echo "make serve  - run mock GHES (8081) and mock GHEC (8082) until Ctrl-C"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/license-sync demo --seed $(SEED)

test: $(STAMP) browser-deps
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

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

# SERVE_ARGS: more flags for serve_pair, e.g. SERVE_ARGS="--ghes-port 0 --ghes2-port 0 --ghec-port 0" (free ports).
SERVE_ARGS ?=
serve: $(STAMP)
	$(PY) -m sync_client.serve_pair --seed $(SEED) $(SERVE_ARGS)

# Debian's chromium for the browser tests, where it is missing and we can install it.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip (and fail under CI=true)"; \
	  else echo "warning: chromium missing and cannot be installed here; browser tests will skip"; fi; }

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info test-artifacts
