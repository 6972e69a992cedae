"""The Dagster code location: every definition under pipelines/defs, assembled in one place.

The executor is configuration: `SALVO_EXECUTOR` picks one of Dagster's own executors by name, so the same
definitions run in one process (the default), on the cores of one machine, or as one Kubernetes job or Celery
task per step, with the executor's settings in run config (`execution: config: ...`). The Kubernetes and
Celery executors come from their Dagster integration packages, installed in the deployment image.

In-process is the default because the graph is a chain of steps that each take a fraction of a second on a day
of news, while every step process of the multiprocess executor imports polars, Great Expectations and Dagster
again (seconds each): a one-day run took 40-110 s with multiprocess against 9-14 s in one process. Parallelism
comes from running several runs at once (a backfill's runs, `max_concurrent_runs`), not from steps.
"""

import importlib
import warnings
from pathlib import Path

import dagster as dg

from pipelines import settings
from pipelines.defs.conventions import with_conventions

# name -> (module, attribute, the package that provides it)
EXECUTORS: dict[str, tuple[str, str, str]] = {
    "multiprocess": ("dagster", "multiprocess_executor", "dagster"),
    "in_process": ("dagster", "in_process_executor", "dagster"),
    "k8s": ("dagster_k8s", "k8s_job_executor", "dagster-k8s"),
    "celery": ("dagster_celery", "celery_executor", "dagster-celery"),
    "celery_k8s": ("dagster_celery_k8s", "celery_k8s_job_executor", "dagster-celery-k8s"),
    "docker": ("dagster_docker", "docker_executor", "dagster-docker"),
}
DEFAULT_EXECUTOR = settings.DEFAULT_EXECUTOR
if set(EXECUTORS) != set(settings.EXECUTOR_NAMES):  # pragma: no cover - a name added in one place only
    raise RuntimeError("EXECUTORS and settings.EXECUTOR_NAMES differ")


def executor_from_env(environ: dict[str, str] | None = None) -> dg.ExecutorDefinition:
    """The executor named by SALVO_EXECUTOR (default in_process); a clear error for an unknown name or a
    missing integration package. Only the names above can be imported: the variable selects, never names
    code."""
    name = settings.executor(environ)  # SettingsError (a ValueError) for a name not in EXECUTORS
    module, attribute, package = EXECUTORS[name]
    try:
        return getattr(importlib.import_module(module), attribute)
    except ImportError as exc:
        raise ImportError(
            f"SALVO_EXECUTOR={name} needs the {package} package: pip install {package}"
        ) from exc


@dg.definitions
def defs() -> dg.Definitions:
    """Every definition of pipelines/defs, each asset with its kinds, owners, tags, code version
    (defs/conventions.py) and code reference (the file and line of its function), and the executor."""
    from dagster_shared.record import copy

    settings.load()  # every SALVO_* setting checked before anything is built (SettingsError: one line)

    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    with warnings.catch_warnings():  # map_asset_specs and code references are Dagster preview / beta APIs
        warnings.simplefilter("ignore", dg.PreviewWarning)
        warnings.simplefilter("ignore", dg.BetaWarning)
        loaded = loaded.map_asset_specs(func=with_conventions)
        located = copy(loaded, assets=dg.with_source_code_references(list(loaded.assets or [])))
    return dg.Definitions.merge(located, dg.Definitions(executor=executor_from_env()))
