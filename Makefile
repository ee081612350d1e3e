# The only entry points: make demo, make test (lint + typecheck + pytest), make lint,
# make typecheck, make bench, make goldens.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The extraction steps compiled with mypyc (setup.py); rebuilt when one of them changes.
COMPILED := $(VENV)/.compiled
EXTRACT_SOURCES := $(wildcard src/evimap/extract/*.py)

.PHONY: demo test lint typecheck pytest browser bench docs goldens vocab clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	EVIMAP_PURE=1 $(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(COMPILED): $(STAMP) $(EXTRACT_SOURCES)
	@echo "compiling the extraction steps with mypyc (about a minute)"
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(COMPILED)

demo: $(COMPILED)
	$(BIN)/evimap demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/cog --check docs/cli.md docs/settings.md
	$(BIN)/ruff check --show-settings src > /dev/null
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(COMPILED) browser
	$(BIN)/pytest

browser:
	bash scripts/install-chromium.sh

docs: $(STAMP)
	$(BIN)/cog -r docs/cli.md docs/settings.md

goldens: $(STAMP)
	$(BIN)/pytest tests/sources --update-goldens

bench: $(COMPILED)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/meta.py
	$(BIN)/python bench/related.py
	$(BIN)/python bench/web.py

vocab: $(STAMP)
	EVIMAP_PURE=1 $(BIN)/pip install --quiet -e '.[vocab]'
	$(BIN)/python scripts/build_vocab.py

clean:
	rm -rf $(VENV) evimap.db build src/*.egg-info
	find src -name '*.so' -delete
