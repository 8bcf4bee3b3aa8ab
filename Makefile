# tpclinic: `make run` serves the demo clinic, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast eval bench system-deps messages clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --config-settings editable_mode=compat -e .
	touch $(STAMP)

system-deps:
	bash scripts/install-system-deps.sh

messages: $(STAMP) system-deps
	@if find . -path ./.venv -prune -o -name '*.po' -print | grep -q .; then \
		$(BIN)/tpclinic compilemessages --ignore=.venv --ignore=var >/dev/null; fi

run: $(STAMP) messages
	DEBUG=1 $(BIN)/tpclinic migrate --no-input
	DEBUG=1 $(BIN)/tpclinic demo --if-empty
	DEBUG=1 $(BIN)/tpclinic runserver 127.0.0.1:8000

test: $(STAMP) messages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not browser"

eval: $(STAMP)
	$(BIN)/tpclinic referral_eval

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var
