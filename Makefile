# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Commands on the embedded default (no SECRET_KEY in the environment) run with DEBUG=1, as `make run` does.
DEV := $(if $(SECRET_KEY),,DEBUG=1)

.PHONY: run test install migrate demo lint bench bench-load fuzz messages backup restore compose-config clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0

# The demo loads into an empty database only: running again never changes what users entered.
demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

run: demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

# The whole suite, in parallel; DATABASE_URL picks the engine (default SQLite).
test: install
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=federation.settings_test $(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --cov --cov-report=term $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Benchmarks print figures; they are not tests (bench/README.md). Need PostgreSQL (BENCH_*_DATABASE_URL)
# and, for the load run, Redis (BENCH_LOAD_REDIS_URL); each ends with one JSON line of its figures.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/tree.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/load.py

# The page timings and the 50-user load run alone (about 8 minutes on 2 cores).
bench-load: $(BENCH_STAMP)
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/load.py

# Generated requests to every API operation, as a county editor and as the administrator (tools/fuzz.py):
# fails on any server error or response that differs from the API document. Needs PostgreSQL; the
# database FUZZ_DATABASE_URL (default .../banyan_fuzz) is dropped and created again. About 5 minutes.
fuzz: install
	$(BIN)/python tools/fuzz.py

# Recompile the translations after editing locale/*/LC_MESSAGES/django.po (pure Python: no gettext needed).
messages: install
	$(BIN)/python tools/compile_messages.py

# The database and the uploaded files in one .tar (docs/operations.md); FILE= names it.
backup: install
	$(DEV) $(BIN)/python manage.py backup $(if $(FILE),--output $(FILE))

# Replaces the database and the uploaded files with a backup's (asks first). Stop the server first.
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/banyan-YYYYMMDD-HHMMSS.tar"; exit 2; }
	$(DEV) $(BIN)/python manage.py restore $(FILE)

compose-config:
	SECRET_KEY=compose-config-check docker-compose config -q

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache
