# Everyday commands. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format unit e2e reference demo bench soak clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Chromium for exports is installed first when possible (root with apt-get); otherwise one
# line says so and the dashboard serves anyway.
run: $(STAMP)
	IOME_SYSTEM_DEPS_FOR=run bash scripts/system-deps.sh
	$(BIN)/iome-map serve --host 127.0.0.1 --port 8050

# Chromium, Redis, LibreOffice and poppler: installed when possible, else named (seconds).
system-deps:
	bash scripts/system-deps.sh

test: system-deps $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# Two workers for everything else, then the tests whose time limits or memory
	# figures need the machine to themselves.
	$(BIN)/python -m pytest -q -n 2 -m "not serial" --durations=15
	$(BIN)/python -m pytest -q -m serial --durations=5

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/callbacks

e2e: system-deps $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild the committed, generated reference tables (needs ../shared and npm).
reference: $(STAMP)
	$(BIN)/python scripts/build_reference.py
	$(BIN)/python scripts/build_country_table.py
	$(BIN)/python scripts/vendor_assets.py

# Performance benchmark at 350 / 10,000 / 100,000 articles; writes bench/results.json
# and BENCHMARKS.md (about 15 minutes).
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# 60 s soak of gunicorn with 16 clients, without and with a worker kill; bench/soak.json.
soak: $(STAMP)
	$(BIN)/python scripts/soak.py

demo: $(STAMP)
	$(BIN)/python scripts/make_demo_data.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
