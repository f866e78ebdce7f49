# Two commands set everything up: `make run` serves the app, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite runs on the real services: PostgreSQL and Redis on this machine unless set.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/takeout
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint install migrate simulate bench reliability clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/dashboard/ ; in another shell: $(PY) manage.py simulate"
	$(PY) manage.py run_timers & timers=$$!; \
	trap 'kill $$timers 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) takeout.asgi:application; \
	status=$$?; kill $$timers 2>/dev/null; exit $$status

simulate: install
	$(PY) manage.py simulate --server http://$(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	CHANNEL_LAYER_PREFIX=takeout-test-$$$$ \
	$(PY) -m pytest
	@echo "--- smoke tests on the embedded defaults (SQLite, in-memory channel layer)"
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m smoke

# Alerts to 1,000 admin pages at 20/s for 10 s: the real stack and the reference server in one
# sitting (bench/README.md). Other scenarios: make bench BENCH_ARGS="--sockets 5000".
BENCH_ARGS ?=

bench: install
	$(PY) -m bench.run --scenario broadcast --sockets 1000 --processes 2 --rate 20 --seconds 10 $(BENCH_ARGS)

# Faults and hostile input on the real services; ends with faults survived, inputs tried and
# alerts lost (tests/reliability.py). See docs/reliability.md.
reliability: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	CHANNEL_LAYER_PREFIX=takeout-reliability-$$$$ \
	$(PY) -m pytest -p tests.reliability -q tests/faults tests/hostile

clean:
	rm -rf $(VENV) db.sqlite3 test-db.sqlite3 staticfiles
