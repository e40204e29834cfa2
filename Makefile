# Mulin 睦邻 — the two commands a fresh clone needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mulin --demo

test: $(STAMP)
	$(BIN)/ruff check app models screens fixtures tests benchmarks
	$(BIN)/mypy app models screens fixtures
	TEXTUAL_ANIMATIONS=none $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check app models screens fixtures tests benchmarks
	$(BIN)/mypy app models screens fixtures

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
