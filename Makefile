# salvo: `make run` builds the environment and materializes every asset into warehouse/salvo.duckdb;
# `make test` builds the same environment and runs the test suite, on every core (pytest-xdist: pyproject's
# addopts; `-n 0` in PYTEST_ADDOPTS runs it in one process).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SHARED ?= ../shared
DAGSTER_HOME ?= $(CURDIR)/.dagster
export DAGSTER_HOME

.PHONY: env run test test-fast dev dagster-dev eval eval-synthetic lint bench clean instance

env: $(STAMP) instance

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# the project's instance settings (dagster-instance.yaml: run queue, the salvo_warehouse pool limit) into DAGSTER_HOME,
# unless it already has its own
instance:
	@mkdir -p $(DAGSTER_HOME)
	@[ -s $(DAGSTER_HOME)/dagster.yaml ] || cp dagster-instance.yaml $(DAGSTER_HOME)/dagster.yaml

run: $(STAMP) instance
	$(BIN)/salvo run

# what CI runs (.ci/run): every test but the slow ones, in under 5 minutes on 2 cores
test: $(STAMP) instance
	$(BIN)/python -m pytest -q

# the quick loop while working (`pytest --quick`, tests/conftest.py): everything but the slow, integration (whole
# Dagster runs, subprocesses, servers, GX over big frames) and thorough (long sweeps) tests, property tests with a
# few examples each, in under a minute on 2 cores;
# `make test` (what CI runs) runs the integration and thorough tests too, with every example
test-fast: $(STAMP) instance
	$(BIN)/python -m pytest -q --quick

# the web UI and the daemon (schedules, sensors, the run queue, backfills) on http://127.0.0.1:3000
dev: $(STAMP) instance
	$(BIN)/dagster instance concurrency set salvo_warehouse 1 > /dev/null
	PATH="$(CURDIR)/$(BIN):$$PATH" VIRTUAL_ENV="$(CURDIR)/$(VENV)" $(BIN)/dg dev

# the same with the older entry point, through workspace.yaml
dagster-dev: $(STAMP) instance
	$(BIN)/dagster instance concurrency set salvo_warehouse 1 > /dev/null
	$(BIN)/dagster dev -w workspace.yaml

eval: $(STAMP)
	@if [ -f "$(SHARED)/eval/dev_articles.jsonl" ]; then \
	  $(BIN)/salvo extract $(SHARED)/eval/dev_articles.jsonl > $(VENV)/dev_pred.jsonl && \
	  $(BIN)/python $(SHARED)/eval/score.py --gold $(SHARED)/eval/dev_gold.jsonl \
	    --pred $(VENV)/dev_pred.jsonl --articles $(SHARED)/eval/dev_articles.jsonl $(EVAL_ARGS); \
	else echo "skipped: $(SHARED)/eval not found (the dev set lives beside the checkout)"; fi

# the synthetic sets of tests/synthetic (README there), scored like the dev set
eval-synthetic: $(STAMP)
	@if [ -f "$(SHARED)/eval/score.py" ]; then \
	  for set in wire ukr rus blog hold1 hold2 hold3 hold4 hold5 hold6 hold7 hold8 hold9 hold10 hold11 hold12 hold13 hold14 hold15 hold16 hold17 hold18 hold19 hold20 hold21 hold22 hold23 hold24 hold25 hold26 hold27 hold28; do \
	    $(BIN)/salvo extract tests/synthetic/$$set"_articles.jsonl" > $(VENV)/synthetic_pred.jsonl && \
	    printf '%-6s ' $$set && $(BIN)/python $(SHARED)/eval/score.py --gold tests/synthetic/$$set"_gold.jsonl" \
	      --pred $(VENV)/synthetic_pred.jsonl --articles tests/synthetic/$$set"_articles.jsonl" | tail -1; \
	  done; \
	else echo "skipped: $(SHARED)/eval/score.py not found"; fi

lint: $(STAMP)
	$(BIN)/ruff check pipelines tests

bench: $(STAMP)
	$(BIN)/python -m pipelines.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) warehouse .dagster
