"""Shared test setup: which modules are integration tests, the quick subset, and the fixtures several modules use.

Three markers sort the tests (`make test`, what CI runs, runs all but `slow`):
- `integration`: every test of the modules listed in INTEGRATION (set here, by module): those run whole Dagster
  runs (in process or as `salvo run`), start subprocesses, serve HTTP or run GX over big frames; and a test of
  another module that does such a thing alone carries the mark itself (GX's Data Docs site in test_validate.py);
- `thorough`: long sweeps and size trials, seconds each (every extraction rule disabled in turn, incremental
  against full consolidation over sequences of loads, the benchmark's pipeline, the 1 MB adversarial texts,
  every Unicode code point, the gazetteer build timed);
- `slow`: long benchmarks, fuzz runs and the heavier repeats of integration trials (`pytest -m slow`).

`pytest --quick` (`make test-fast`) is the loop while working: it leaves out all three, does not even import the
integration modules (they import Dagster), and loads the hypothesis profile "quick" (tests/profiles.py), so every
property test runs a few examples instead of hundreds. HYPOTHESIS_PROFILE=quick loads that profile alone.

Both run on every core (pytest-xdist; pyproject's addopts `-n logical --maxprocesses 4 --dist loadfile`): each
module goes whole to one worker, so its module-scoped fixtures are built once, and the modules of integration
tests go first, then those with thorough tests, then the rest (the order below), so that the many short tests
even out the end. The one session fixture that costs a minute, `seeds_graph` (the seeds through the whole graph
twice), is read by the three modules of SEEDS_GRAPH, which go to one worker together, first. `-n 0` runs
everything in this one process (a single test, a debugger). A test must therefore not depend on another
module's: each writes under its own tmp_path, gives a `salvo run` it starts a DAGSTER_HOME of its own (or
none), and serves on port 0.

Shared builders live in helpers.py (plain functions), fixtures here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from profiles import QUICK

# Modules (path under tests/) that run whole Dagster runs, subprocesses, servers or GX over big frames: the one
# list of them.
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
        "test_progress_run.py",
        "test_publish_bounds.py",
        "test_sources.py",
        "test_validate_fast_path.py",
        "test_warehouse_run.py",
        "reliability/test_fetch_limits.py",
        "reliability/test_guarantees.py",
        "reliability/test_hostile_input.py",
    }
)

# The modules whose tests read the session-scoped `seeds_graph` below (the seeds through the whole graph twice,
# about a minute of runs): for the workers of `-n` they are one unit of work, handed out first, so that one worker
# builds it, once. A test of another module that asks for it is an error (it would build it a second time).
SEEDS_GRAPH = frozenset({"test_lake.py", "test_pipeline.py", "test_warehouse_run.py"})

TESTS = Path(__file__).resolve().parent
QUICK_MARKEXPR = "not slow and not integration and not thorough"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick",
        action="store_true",
        help=f"the quick subset (make test-fast): -m {QUICK_MARKEXPR!r}, integration modules not imported, "
        "hypothesis profile 'quick'",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "thorough: long sweeps and size trials (seconds each); `make test-fast` leaves them out"
    )
    for name, modules in (("INTEGRATION", INTEGRATION), ("SEEDS_GRAPH", SEEDS_GRAPH)):
        missing = sorted(m for m in modules if not (TESTS / m).is_file())
        if missing:  # a renamed module would otherwise drop out of the list silently (and run in `make test-fast`)
            raise pytest.UsageError(f"tests/conftest.py {name} names modules that do not exist: {missing}")
    if config.getoption("quick"):
        config.option.markexpr = QUICK_MARKEXPR
        settings.load_profile(QUICK)
    elif os.environ.get("HYPOTHESIS_PROFILE"):
        settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


def _module(path: Path) -> str | None:
    """The path under tests/ of a test module, or None outside tests/."""
    try:
        return path.resolve().relative_to(TESTS).as_posix()
    except ValueError:
        return None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # --quick deselects every integration test anyway; not importing their modules saves seconds of imports
    if config.getoption("quick") and _module(collection_path) in INTEGRATION:
        return True
    return None


@pytest.hookimpl(tryfirst=True)  # the marks before `-m` deselects by them, the order before pytest-xdist reads it
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _module(item.path) in INTEGRATION:
            item.add_marker(pytest.mark.integration)
        if "seeds_graph" in getattr(item, "fixturenames", ()) and _module(item.path) not in SEEDS_GRAPH:
            raise pytest.UsageError(f"{item.nodeid} uses seeds_graph: add its module to SEEDS_GRAPH in tests/conftest.py")
    # The longest modules first: `-n` (--dist loadfile) hands whole modules to the workers in this order, so the
    # ones of whole Dagster runs and subprocesses start at once and the many short tests fill in at the end,
    # when a worker would otherwise wait for the other's last long module. A module's tests stay together.
    heaviest: dict[Path, int] = {}
    for item in items:
        if _module(item.path) in SEEDS_GRAPH:
            weight = -1
        else:
            weight = 0 if item.get_closest_marker("integration") else 1 if item.get_closest_marker("thorough") else 2
        heaviest[item.path] = min(weight, heaviest.get(item.path, 2))
    items.sort(key=lambda item: heaviest[item.path])  # stable: the collection order within each weight


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's, called where it runs
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """--dist loadfile, with SEEDS_GRAPH's modules one unit of work (the one worker that builds seeds_graph)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileSharingSeedsGraph(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return "seeds_graph" if module.removeprefix("tests/") in SEEDS_GRAPH else module

    return LoadFileSharingSeedsGraph(config, log)


@pytest.fixture(scope="session")
def seeds_graph(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The seeds and the items helpers.write_articles puts beside them through the whole graph twice into one
    warehouse file, a reader querying it during the first pass (helpers.seeds_through_the_graph_twice): read by
    test_pipeline, test_warehouse_run and test_lake, never written to."""
    from helpers import seeds_through_the_graph_twice  # imports Dagster: not in `pytest --quick`

    return seeds_through_the_graph_twice(tmp_path_factory.mktemp("seeds_graph"))
