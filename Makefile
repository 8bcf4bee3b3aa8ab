# tpclinic: `make run` serves the demo clinic, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast eval bench system-deps messages clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --config-settings editable_mode=compat -e .
	touch $(STAMP)

# Test-only packages (pytest, Playwright, axe-core, hypothesis, schemathesis) on top of the runtime.
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

system-deps:
	bash scripts/install-system-deps.sh

messages: $(STAMP) system-deps
	@if find . -path ./.venv -prune -o -name '*.po' -print | grep -q .; then \
		$(BIN)/tpclinic compilemessages --ignore=.venv --ignore=var >/dev/null; fi

# The demo server: plain HTTP on loopback, and no authenticator app needed for the demo logins
# (production keeps two-factor login for staff on: MFA_REQUIRED defaults to 1).
DEMO_ENV := DEBUG=1 MFA_REQUIRED=0
run: $(STAMP) messages
	$(DEMO_ENV) $(BIN)/tpclinic migrate --no-input
	$(DEMO_ENV) $(BIN)/tpclinic demo --if-empty
	@# The task worker (reminders, bulk exports) and the reminder scan (every 10 minutes) run beside
	@# the server and stop with it.
	$(DEMO_ENV) $(BIN)/tpclinic db_worker --no-reload --queue-name '*' & worker=$$!; \
	$(DEMO_ENV) $(BIN)/tpclinic send_reminders --every 600 --verbosity 0 & reminders=$$!; \
	trap 'kill $$worker $$reminders 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/tpclinic runserver 127.0.0.1:8000

# PostgreSQL for the suite's second run and the benchmarks: a local cluster on 127.0.0.1 that
# scripts/postgres.sh installs, starts and gives a tpclinic role (CREATEDB, for the test database).
PG_URL ?= postgres://tpclinic:tpclinic@127.0.0.1:5432/tpclinic
.PHONY: postgres test-sqlite test-postgres

postgres:
	bash scripts/postgres.sh

test-sqlite: $(TEST_STAMP) messages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q

test-postgres: $(TEST_STAMP) messages postgres
	DATABASE_URL=$(PG_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q

# The whole suite on SQLite, then again on PostgreSQL; fails if either run fails.
test: $(TEST_STAMP) messages postgres
	@status=0; \
	echo "== test suite on SQLite"; \
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q || status=1; \
	echo "== test suite on PostgreSQL ($(PG_URL))"; \
	DATABASE_URL=$(PG_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q || status=1; \
	exit $$status

test-fast: $(TEST_STAMP)
	$(BIN)/pytest -q -m "not browser"

eval: $(STAMP)
	$(BIN)/tpclinic referral_eval

# 100,000-patient clinics on SQLite and PostgreSQL, measured through gunicorn on 127.0.0.1;
# writes docs/benchmarks.md. BENCH_PATIENTS=5000 for a quick run.
bench: $(TEST_STAMP) postgres
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var
