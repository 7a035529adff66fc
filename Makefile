# Each target is self-sufficient on a fresh Debian machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VAR ?= var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv demo test lint format lock bench bench-scale bench-web bench-indicators bench-import bench-export clean messages audit fuzz

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is needed (apt-get install python3 python3-venv)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

# Runs the demo programme on an embedded SQLite database under var/.
demo: venv
	@mkdir -p $(VAR)/static
	@test -s $(VAR)/demo-password || $(BIN)/python -c "import secrets; print('khorezm-' + secrets.token_urlsafe(9))" > $(VAR)/demo-password
	OILA_DEMO=1 OILA_VAR_DIR=$(abspath $(VAR)) $(BIN)/oila migrate --no-input
	OILA_DEMO=1 OILA_VAR_DIR=$(abspath $(VAR)) $(BIN)/oila demo-data --password "$$(cat $(VAR)/demo-password)"
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	OILA_DEMO=1 OILA_VAR_DIR=$(abspath $(VAR)) $(BIN)/oila runserver --noreload $(HOST):$(PORT)

test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

# Runs every checker even when one fails, so one run shows every problem; fails if any did.
# mypy's Django plugin loads the settings: OILA_TESTING=1 lets it do so without production secrets.
lint: venv
	@failed=""; \
	echo "$(BIN)/ruff check ."; $(BIN)/ruff check . || failed="$$failed ruff-check"; \
	echo "$(BIN)/ruff format --check ."; $(BIN)/ruff format --check . || failed="$$failed ruff-format"; \
	echo "$(BIN)/mypy"; OILA_TESTING=1 $(BIN)/mypy || failed="$$failed mypy"; \
	echo "$(BIN)/lint-imports"; $(BIN)/lint-imports --no-cache || failed="$$failed lint-imports"; \
	if [ -n "$$failed" ]; then echo "lint failed:$$failed"; exit 1; fi

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Known vulnerabilities in the pinned dependencies, for operators whose machines reach a vulnerability
# database (PyPI's advisory data / OSV). pip-audit goes in a venv of its own, outside the lock, so the
# application's environment stays exactly what requirements.lock says. CI cannot reach such a
# database and does not run this (docs/deploy.md). --strict: a package that could not be looked up
# fails the run, so an unreachable database never reads as "no known vulnerabilities".
# AUDIT_ARGS="-s osv" asks OSV instead of PyPI.
audit:
	@test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && .venv-audit/bin/python -m pip install --quiet --disable-pip-version-check pip-audit; }
	.venv-audit/bin/pip-audit --requirement requirements.lock --require-hashes --disable-pip --strict \
		--progress-spinner off $(AUDIT_ARGS)

# Fuzzes the REST API from its OpenAPI description as a signed-in caseworker and a partner, against
# a live server on a throw-away SQLite demo database (.ci/fuzz.py; CI runs a shorter pass as the
# caseworker only). No 5xx, no response that breaks the schema; 15 minutes per user by default,
# e.g. `make fuzz FUZZ_ARGS="--examples 500 --max-time 3600"` for longer.
fuzz: venv
	$(BIN)/python .ci/fuzz.py --user caseworker1 --user partner1 --examples 100 --max-time 900 $(FUZZ_ARGS)

# Benchmarks print their figures; e.g. `make bench BENCH_ARGS="--people 1000000"` (bench/dedup.py).
bench: venv
	$(BIN)/python bench/dedup.py $(BENCH_ARGS)

# The scale database the other benchmarks share (oila_bench_<people> on the local PostgreSQL; built
# once, about 10 minutes for a million people), and the web benchmark against gunicorn at that scale.
# E.g. `make bench-web BENCH_ARGS="--people 100000 --seconds 30"`.
bench-scale: venv
	$(BIN)/python bench/_scale.py $(BENCH_ARGS)

bench-web: venv
	$(BIN)/python bench/web.py $(BENCH_ARGS)

# The indicator engine on the scale database: the default indicator set with every disaggregation,
# engine against equivalent hand-written SQL (bench/indicators.py). E.g. `make bench-indicators
# BENCH_ARGS="--people 100000"`.
bench-indicators: venv
	$(BIN)/python bench/indicators.py $(BENCH_ARGS)

# Bulk import of a 100 000-row XLSX of people into a fresh SQLite database (bench/import.py), and the
# export of 1 000 000 people to CSV beside PostgreSQL's COPY on the scale database (bench/export.py).
# E.g. `make bench-import BENCH_ARGS="--people 20000"`, `make bench-export BENCH_ARGS="--sizes 100000"`.
bench-import: venv
	$(BIN)/python bench/import.py $(BENCH_ARGS)

bench-export: venv
	$(BIN)/python bench/export.py $(BENCH_ARGS)

# Re-pins every dependency, with hashes, after pyproject.toml changes.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 -o requirements.lock

# Translators edit locale/uz and locale/ru; the Uzbek Cyrillic catalogue is derived from Uzbek Latin.
messages: venv
	cd src/oila && OILA_TESTING=1 ../../$(BIN)/oila makemessages -l uz -l ru --no-obsolete --ignore 'static/*'
	OILA_TESTING=1 $(BIN)/oila derive_cyrillic
	cd src/oila && OILA_TESTING=1 ../../$(BIN)/oila compilemessages

clean:
	rm -rf $(VENV) .venv-audit var/oila.sqlite3*
