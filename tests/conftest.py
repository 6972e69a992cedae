"""Shared test setup: which modules are integration tests, and the fixtures several modules use.

`make test-fast` (`-m "not slow and not integration"`) runs everything but the modules listed in INTEGRATION:
those run whole Dagster runs (in process or as `salvo run`), start subprocesses or serve HTTP. `make test`
runs them too. Shared builders live in helpers.py (plain functions), fixtures here."""

from __future__ import annotations

from pathlib import Path

import pytest

# Modules (path under tests/) that run whole Dagster runs, subprocesses or servers: the one list of them.
INTEGRATION = frozenset(
    {
        "test_accounting.py",
        "test_backfill.py",
        "test_cli.py",
        "test_cli_errors.py",
        "test_lake.py",
        "test_concurrency.py",
        "test_concurrent_runs.py",
        "test_parallel_runs.py",
        "test_partitions.py",
        "test_pipeline.py",
        "test_publish_bounds.py",
        "test_sources.py",
        "test_warehouse_run.py",
        "reliability/test_fetch_limits.py",
        "reliability/test_guarantees.py",
        "reliability/test_hostile_input.py",
    }
)

TESTS = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    missing = sorted(m for m in INTEGRATION if not (TESTS / m).is_file())
    if missing:  # a renamed module would otherwise drop out of the list silently and run in `make test-fast`
        raise pytest.UsageError(f"tests/conftest.py INTEGRATION names modules that do not exist: {missing}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            module = item.path.resolve().relative_to(TESTS).as_posix()
        except ValueError:
            continue
        if module in INTEGRATION:
            item.add_marker(pytest.mark.integration)
