# Care Hub: `make demo` and `make test` take a fresh machine (Python 3.11+, Node/npm) all the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATIC := build/static
PG_URL ?= postgres://postgres@127.0.0.1:5432/carehub
DEMO_REFERRALS ?= 5000
# Four years: the commissioning forecast (and so its capacity and funding gap) needs 48 months of history.
DEMO_YEARS ?= 4
export CAREHUB_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test test-fast install assets chromium lint format bench clean constraints

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Pins every installed package's version in constraints.txt (its first three lines, the why, are kept): run after
# changing pyproject.toml's dependencies, in a venv installed without the old pins, then run make test.
constraints: install
	{ head -3 constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v -i '^carehub'; } > constraints.new
	mv constraints.new constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend compiled with a system font; the GOV.UK font and crown are not used (Care Hub is not GOV.UK).
$(STATIC)/.built: node_modules/.installed frontend/carehub.scss
	mkdir -p $(STATIC)/carehub $(STATIC)/govuk $(STATIC)/htmx
	npx --no-install sass --no-source-map --quiet-deps --load-path=node_modules --style=compressed \
		frontend/carehub.scss $(STATIC)/carehub/carehub.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/govuk/
	rm -rf $(STATIC)/govuk/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets $(STATIC)/govuk/assets
	cp node_modules/htmx.org/dist/htmx.min.js $(STATIC)/htmx/
	mkdir -p $(STATIC)/vega
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
		node_modules/vega-embed/build/vega-embed.min.js $(STATIC)/vega/
	touch $@

assets: $(STATIC)/.built

# Browser tests drive Debian's Chromium; it is installed here when we are root, never downloaded by Playwright.
chromium:
	@if [ -x /usr/bin/chromium ]; then true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'."; fi

demo: install assets
	$(BIN)/carehub migrate --noinput
	$(BIN)/carehub seed --referrals $(DEMO_REFERRALS) --seed 1 --years $(DEMO_YEARS) --if-empty
	$(BIN)/carehub eia publish
	$(BIN)/carehub duration publish
	$(BIN)/carehub commissioning publish
	$(BIN)/carehub demo logins
	@# The task worker (notifications, e-mail, sweeps) beside the web server; stopped with it.
	$(BIN)/carehub db_worker --no-startup-delay & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(BIN)/carehub notify sweep; $(BIN)/carehub runserver --noreload 127.0.0.1:8000

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	PYTHONPATH=src $(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

# The suite runs on SQLite, and on PostgreSQL when a server answers at 127.0.0.1:5432: there, the tests that can see
# the database (marker `database`, set in tests/conftest.py); the others never reach it and run in the SQLite pass.
# With PostgreSQL, the two passes run side by side (one core each), each with its own var directory, test database
# and ports, and the browser journeys (which start their own server and database) run in the PostgreSQL pass only:
# every test runs at least once, the database tests on both databases. Without PostgreSQL, one pass runs everything.
# `make test SIDE_BY_SIDE=0` runs the two passes one after the other (PostgreSQL first); `DATABASE_URL=$(PG_URL) pytest`
# still runs every test on PostgreSQL.
TEST_VAR := $(CURDIR)/var/test
SIDE_BY_SIDE ?= 1
test: install assets chromium lint
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL answers: SQLite pass (all but the browser journeys) beside the PostgreSQL pass (the tests that use the database, and the browser journeys); its log: $(TEST_VAR)-postgres.log"; \
		mkdir -p $(TEST_VAR)-sqlite $(TEST_VAR)-postgres; \
		CAREHUB_VAR_DIR=$(TEST_VAR)-postgres DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -m database --durations=15 \
			> $(TEST_VAR)-postgres.log 2>&1 & postgres=$$!; \
		trap "kill $$postgres 2>/dev/null" INT TERM; \
		if [ "$(SIDE_BY_SIDE)" != 1 ]; then wait $$postgres; postgres=$$?; fi; \
		CAREHUB_VAR_DIR=$(TEST_VAR)-sqlite env -u DATABASE_URL $(BIN)/pytest -m "not browser" --durations=15; sqlite=$$?; \
		if [ "$(SIDE_BY_SIDE)" = 1 ]; then wait $$postgres; postgres=$$?; fi; \
		echo "== PostgreSQL pass:"; cat $(TEST_VAR)-postgres.log; \
		test $$sqlite = 0 && test $$postgres = 0; \
	else \
		echo "== No PostgreSQL at 127.0.0.1:5432: the whole suite on SQLite only"; \
		env -u DATABASE_URL $(BIN)/pytest; \
	fi

# The inner loop: SQLite only, without the browser, slow and Spark tests (`make test` runs them all, on both databases).
test-fast: install
	env -u DATABASE_URL $(BIN)/pytest -q -m "not browser and not slow and not spark"

bench: install
	$(BIN)/python benchmarks/routing_bench.py
	$(BIN)/python benchmarks/dedupe_bench.py
	$(BIN)/python benchmarks/seed_bench.py
	$(BIN)/python benchmarks/api_bench.py
	$(BIN)/python benchmarks/match_bench.py
	$(BIN)/python benchmarks/eia_bench.py

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache
