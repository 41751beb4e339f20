# Switchboard: `make run` starts the demo, `make test` runs every test, `make bench` prints benchmarks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SANDBOX_PORT ?= 8765

.PHONY: run test bench soak lint browser-deps clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting web on http://127.0.0.1:$(PORT), the worker and the sandbox on http://127.0.0.1:$(SANDBOX_PORT) (Ctrl-C stops all)"
	WEB_PORT=$(PORT) SANDBOX_PORT=$(SANDBOX_PORT) $(VENV)/bin/honcho start -f Procfile

# Browser tests drive Debian's Chromium; install it when we may (root), otherwise say how.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's Chromium: sudo apt-get install chromium" >&2; exit 1; fi; \
	fi

test: $(VENV)/.dev browser-deps
	$(PY) -m pytest

bench: $(VENV)/.dev
	$(PY) -m bench $(ARGS)

# The soak (soak/): throwaway PostgreSQL and Redis (.ci/services), web, two worker clusters, sandbox with faults, chaos.
# `make soak ARGS=--short` is the 2-minute version; `python -m soak --help` lists the knobs.
soak: $(VENV)/.dev
	.ci/services $(PY) -m soak $(ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache
