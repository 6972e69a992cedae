"""The import graph of `pipelines`, read from the source (no imports run): the packages form no circle, late
(function-level) imports included; the plain code never imports Dagster or the Dagster definitions; the stages
never import one another (they meet in schema, settings and reference data, and in batch, defs and the CLI,
which call them in turn), and reference data imports no stage."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PIPELINES = Path(__file__).resolve().parents[1] / "pipelines"
# plain code: the stages, the warehouse, the reports, the batch glue, progress, settings, days, the benchmark
PLAIN = [
    "settings",
    "days",
    "schema",
    "quarantine",
    "batch",
    "progress",
    "reference",
    "ingest",
    "extract",
    "validate",
    "warehouse",
    "reports",
    "bench",
]


def _module(path: Path) -> str:
    parts = path.relative_to(PIPELINES.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache  # every test reads the same files: parse each once
def _imports(path: Path) -> frozenset[str]:
    """Every module `path` imports anywhere (top level or in a function), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in node.body
        for n in ast.walk(child)
    }
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            name = node.module or ""
            base = f"{base}.{name}".strip(".") if node.level else name
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)  # `from pipelines import settings`
    return frozenset(out)


def _package(module: str) -> str | None:
    """pipelines.<first part> for a pipelines module, else None."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "pipelines" and len(parts) > 1 else None


FILES = sorted(PIPELINES.rglob("*.py"))
KNOWN = {_package(_module(f)) for f in FILES} - {None}


def test_the_packages_form_no_circle() -> None:
    graph: dict[str, set[str]] = {}
    for path in FILES:
        here = _package(_module(path))
        if here is None:
            continue
        for target in map(_package, _imports(path)):
            if target in KNOWN and target != here:
                graph.setdefault(here, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(p for p in graph if reaches(p, p, {p}))
    assert not circles, {p: sorted(graph[p]) for p in circles}


@pytest.mark.parametrize("package", PLAIN)
def test_plain_code_imports_no_dagster_and_no_defs(package: str) -> None:
    root = PIPELINES / package
    files = sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]
    bad = {
        str(path.relative_to(PIPELINES.parent)): sorted(
            m
            for m in _imports(path)
            if m.split(".")[0] == "dagster" or m.startswith(("pipelines.defs", "pipelines.definitions"))
        )
        for path in files
    }
    assert not {k: v for k, v in bad.items() if v}


STAGES = ["pipelines.ingest", "pipelines.extract", "pipelines.validate", "pipelines.warehouse"]
# package -> the packages of pipelines it may import: reference data and the stages stay apart
ALLOWED = {
    "pipelines.reference": set(),
    **{
        stage: {
            "pipelines.settings",
            "pipelines.days",
            "pipelines.schema",
            "pipelines.quarantine",
            "pipelines.reference",
        }
        for stage in STAGES
    },
}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_stages_and_reference_data_import_no_other_stage(package: str) -> None:
    """The warehouse reads weapons.csv and the gazetteer from pipelines.reference, never from extract/."""
    bad = {
        str(path.relative_to(PIPELINES.parent)): sorted(
            target
            for target in {_package(m) for m in _imports(path)}
            if target in KNOWN and target != package and target not in ALLOWED[package]
        )
        for path in FILES
        if _package(_module(path)) == package
    }
    assert not {k: v for k, v in bad.items() if v}
