"""The Dagster code location: every definition under pipelines/defs, assembled in one place.

The executor is configuration: `SALVO_EXECUTOR` picks one of Dagster's own executors by name, so the same
definitions run in one process, on the cores of one machine (the default), or as one Kubernetes job or Celery
task per step, with the executor's settings in run config (`execution: config: ...`). The Kubernetes and
Celery executors come from their Dagster integration packages, installed in the deployment image.
"""

import importlib
from pathlib import Path

import dagster as dg

from pipelines import settings

# name -> (module, attribute, the package that provides it)
EXECUTORS: dict[str, tuple[str, str, str]] = {
    "multiprocess": ("dagster", "multiprocess_executor", "dagster"),
    "in_process": ("dagster", "in_process_executor", "dagster"),
    "k8s": ("dagster_k8s", "k8s_job_executor", "dagster-k8s"),
    "celery": ("dagster_celery", "celery_executor", "dagster-celery"),
    "celery_k8s": ("dagster_celery_k8s", "celery_k8s_job_executor", "dagster-celery-k8s"),
    "docker": ("dagster_docker", "docker_executor", "dagster-docker"),
}
DEFAULT_EXECUTOR = "multiprocess"
if set(EXECUTORS) != set(settings.EXECUTOR_NAMES):  # pragma: no cover - a name added in one place only
    raise RuntimeError("EXECUTORS and settings.EXECUTOR_NAMES differ")


def executor_from_env(environ: dict[str, str] | None = None) -> dg.ExecutorDefinition:
    """The executor named by SALVO_EXECUTOR (default multiprocess); a clear error for an unknown name or a
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
    settings.load()  # every SALVO_* setting checked before anything is built (SettingsError: one line)
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=executor_from_env()),
    )
