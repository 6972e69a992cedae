# salvo: `make run` builds the environment and materializes every asset into warehouse/salvo.duckdb;
# `make test` builds the same environment and runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
DAGSTER_HOME ?= $(CURDIR)/.dagster
export DAGSTER_HOME

.PHONY: env run test dev eval lint bench clean

env: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	@touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/salvo run

test: $(STAMP)
	$(BIN)/python -m pytest -q

dev: $(STAMP)
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

eval: $(STAMP)
	@if [ -f "$(SHARED)/eval/dev_articles.jsonl" ]; then \
	  $(BIN)/salvo extract $(SHARED)/eval/dev_articles.jsonl > $(VENV)/dev_pred.jsonl && \
	  $(BIN)/python $(SHARED)/eval/score.py --gold $(SHARED)/eval/dev_gold.jsonl \
	    --pred $(VENV)/dev_pred.jsonl --articles $(SHARED)/eval/dev_articles.jsonl $(EVAL_ARGS); \
	else echo "skipped: $(SHARED)/eval not found (the dev set lives beside the checkout)"; fi

lint: $(STAMP)
	$(BIN)/ruff check pipelines tests

bench: $(STAMP)
	$(BIN)/python -m pipelines.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) warehouse .dagster
