# Verbund — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: run test install lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, create the embedded database with demo data on first start, bring an
## existing one to this version's schema (verbund migrate), serve
run: $(STAMP)
	test -f instance/verbund.db || $(BIN)/verbund init --demo
	$(BIN)/verbund migrate
	exec $(BIN)/verbund serve --host $(HOST) --port $(PORT)

## make test: ruff, the layers (lint-imports, contracts in pyproject.toml) and the whole test
## suite on SQLite; at the same time again on PostgreSQL when VERBUND_TEST_POSTGRES_URL names an
## empty database, as .ci/run arranges (tools/test_passes.sh)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	tools/test_passes.sh $(BIN)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf instance .pytest_cache
