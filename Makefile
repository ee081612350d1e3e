# The only entry points: make demo, make test (lint + typecheck + pytest), make lint,
# make typecheck, make bench, make goldens.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest browser bench docs goldens vocab clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/evimap demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/cog --check docs/cli.md docs/settings.md
	$(BIN)/ruff check --show-settings src > /dev/null
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser
	$(BIN)/pytest

browser:
	bash scripts/install-chromium.sh

docs: $(STAMP)
	$(BIN)/cog -r docs/cli.md docs/settings.md

goldens: $(STAMP)
	$(BIN)/pytest tests/sources --update-goldens

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/meta.py
	$(BIN)/python bench/related.py
	$(BIN)/python bench/web.py

vocab: $(STAMP)
	$(BIN)/pip install --quiet -e '.[vocab]'
	$(BIN)/python scripts/build_vocab.py

clean:
	rm -rf $(VENV) evimap.db build src/*.egg-info
