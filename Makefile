# Carnet: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CARNET_DATA_DIR ?= $(CURDIR)/var

.PHONY: run sms-reply test test-shared test-sqlite test-postgres lint bench fuzz chromium messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/carnet migrate --noinput -v0
	$(BIN)/carnet migrate --database keystore --noinput -v0
	$(BIN)/carnet demo
	@echo "Demo emails: one line each below, in full at http://127.0.0.1:8000/courrier-de-demo/ and in $(CARNET_DATA_DIR)/outbox/"
	@echo "Demo SMS: in $(CARNET_DATA_DIR)/sms.jsonl; answer one with: make sms-reply FROM=+33612345678 TEXT='OUI 4821'"
	CARNET_DEMO_MAILBOX=1 CARNET_SMS_BACKEND=file CARNET_SMS_INBOUND_SECRET=$(DEMO_SMS_SECRET) \
	  $(BIN)/carnet serve --host 127.0.0.1 --port 8000

# The demo's SMS reply webhook secret (make run turns the webhook on with it; never use it in production).
DEMO_SMS_SECRET := demo-only-sms-reply-secret
sms-reply: $(VENV)/.installed
	CARNET_SMS_INBOUND_SECRET=$(DEMO_SMS_SECRET) $(BIN)/carnet notify reply --url http://127.0.0.1:8000 --from "$(FROM)" "$(TEXT)"

# Chromium comes from Debian; Playwright never downloads a browser of its own.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's 'chromium' package (browser tests will be skipped)."; fi; \
	fi

# lint-imports: the architecture contracts in .importlinter; mypy: the typed core ([tool.mypy]).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist; TEST_JOBS=0 for one process), a test file per worker.
TEST_JOBS ?= auto
test: $(VENV)/.installed-test chromium lint
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadfile $(PYTEST_ARGS)

# `make test` draws the same examples every run (Hypothesis profile "ci", derandomized).
# `make fuzz` draws at random, CARNET_FUZZ_SCALE (20) times as many, and keeps what it finds
# in .hypothesis/ so a failure replays first; turn each finding into an @example or a test.
FUZZ_TESTS := $(wildcard tests/test_fuzz_*.py tests/test_*propert*.py) \
	tests/test_import_invalid_files.py tests/test_reminders_adherence_sharing.py
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q $(FUZZ_TESTS) $(PYTEST_ARGS)

# Optional long run: every page of the 30 shared Synthea bundles in French and English (../shared).
test-shared: $(VENV)/.installed-test
	CARNET_SHARED_DIR=$${CARNET_SHARED_DIR:-$(CURDIR)/../shared} $(BIN)/pytest -q tests/test_read_imported_record_in_plain_words.py

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

messages: $(VENV)/.installed-test
	cd src/carnet && ../../$(BIN)/carnet makemessages -l fr -l en --no-obsolete --add-location file
	$(BIN)/python -m carnet.web.compilemessages

clean:
	rm -rf $(VENV) var
