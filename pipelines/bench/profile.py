"""Where extraction time goes: a pyinstrument profile of `extract_events`, and the time of every regex pass.

The pass timing wraps `find_tokens` (every token pass of every event kind goes through it) where the extract
modules imported it, and names each call by the pattern it ran (the key in that module's `patterns()`).
Sentence splitting and the per-kind extractors are timed as wholes; their difference to the sum of their
passes is the merge/aggregation work (joins, window functions, gazetteer).
"""

from __future__ import annotations

import importlib
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

import polars as pl

_KIND_MODULES = ("air", "casualties", "territorial_control")


@contextmanager
def _timed_passes(record: dict[str, list[float]]):
    """Patch find_tokens in the extract modules (and split_sentences / the kind extractors in
    pipelines.extract) with timing wrappers; restore them on exit."""
    import pipelines.extract as extract_pkg

    patched: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, attr: str, label_of) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            out = original(*args, **kwargs)
            record[label_of(args, kwargs)].append(time.perf_counter() - t0)
            return out

        setattr(owner, attr, timed)
        patched.append((owner, attr, original))

    for name in _KIND_MODULES:
        mod = importlib.import_module(f"pipelines.extract.{name}")
        names = {pat: key for key, pat in mod.patterns().items()} if hasattr(mod, "patterns") else {}

        def label(args, kwargs, _mod=name, _names=names):
            pattern = kwargs.get("pattern", args[2] if len(args) > 2 else "?")
            return f"pass {_mod}.{_names.get(pattern, 'pattern#' + str(abs(hash(pattern)) % 10_000))}"

        wrap(mod, "find_tokens", label)
    for attr in dir(extract_pkg):
        if attr == "split_sentences" or (attr.startswith("extract_") and attr != "extract_events"):
            wrap(extract_pkg, attr, lambda a, k, _attr=attr: f"stage {_attr}")
    try:
        yield
    finally:
        for owner, attr, original in reversed(patched):
            setattr(owner, attr, original)


def pass_times(articles: pl.DataFrame, repeat: int = 1) -> list[dict[str, Any]]:
    """[{name, seconds, calls, share}] of every timed pass and stage of `extract_events(articles)`, slowest
    first; share is of the whole extract_events time."""
    from pipelines.extract import extract_events

    extract_events(articles.head(5))  # warm-up (gazetteer, pattern builds)
    record: dict[str, list[float]] = defaultdict(list)
    with _timed_passes(record):
        t0 = time.perf_counter()
        for _ in range(repeat):
            extract_events(articles)
        total = time.perf_counter() - t0
    rows = [
        {"name": name, "seconds": sum(ts) / repeat, "calls": len(ts) // repeat, "share": sum(ts) / total}
        for name, ts in record.items()
    ]
    rows.append({"name": "extract_events (whole)", "seconds": total / repeat, "calls": 1, "share": 1.0})
    return sorted(rows, key=lambda r: -r["seconds"])


def pyinstrument_text(articles: pl.DataFrame) -> str | None:
    """A pyinstrument call tree of one `extract_events(articles)` call (None when pyinstrument is absent)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    from pipelines.extract import extract_events

    extract_events(articles.head(5))
    profiler = Profiler(interval=0.001)
    profiler.start()
    extract_events(articles)
    profiler.stop()
    return profiler.output_text(unicode=True, color=False, show_all=False)
