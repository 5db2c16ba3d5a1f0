# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
HTMX_VERSION := 4.0.1
ALTCHA_VERSION := 3.2.2

.PHONY: run test test-fast check bench lighthouse install install-dev migrate load serve lint types vendor clean

## run: install, migrate, load the bundled essay and serve it on http://$(HOST):$(PORT)
run: install migrate load serve

## test: install the test tools and run every test (set DATABASE_URL to test on PostgreSQL)
test: install-dev node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-fast: every test but the browser and live-server ones (about 80 s on 2 cores), for everyday work
test-fast: install-dev
	$(BIN)/python -m pytest -m "not browser and not live" $(PYTEST_ARGS)

## check: lint, types and the fast tests
check: lint types test-fast

## bench: load-test the app under gunicorn against two hello-worlds (needs Debian's wrk
## and PostgreSQL; BENCH_ARGS=--quick for one short run, --help for the rest)
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## lighthouse: npm's Lighthouse in Debian's Chromium on the debate page, an embed, the results
## page and the dashboard, mobile and desktop; fails under 100 (performance: under 95)
lighthouse: install node_modules/.installed
	$(BIN)/python -m bench.lighthouse $(LIGHTHOUSE_ARGS)

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install-dev: $(VENV)/.installed-dev
$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

migrate: install
	$(BIN)/flask --app app db upgrade

load: install
	$(BIN)/flask --app app debates load

serve: install
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) app:app

## lint: ruff's rules and its formatting, checked
lint: install-dev
	$(BIN)/ruff check debate tests bench migrations app.py gunicorn.conf.py
	$(BIN)/ruff format --check debate tests bench migrations app.py gunicorn.conf.py

## types: mypy over the package, strict on the domain core (pyproject.toml)
types: install-dev
	$(BIN)/mypy

## vendor: copy htmx, and ALTCHA's PBKDF2 worker (the proof of work's solver), from the
## pinned npm packages into static/vendor
vendor: node_modules/.installed
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx-$(HTMX_VERSION).min.js
	cp node_modules/altcha/dist/workers/pbkdf2.js static/vendor/altcha-$(ALTCHA_VERSION)-pbkdf2-worker.js

clean:
	rm -rf $(VENV) node_modules
