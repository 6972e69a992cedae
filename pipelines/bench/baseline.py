"""The per-article baselines the vectorised extraction is compared with, on a sample of the same articles.

1. `per_article_extract`: the same rules (`extract_events`) called once per article on a one-row frame, the
   way a hand-written extractor loops over articles. Its rows must equal the whole-column rows on the same
   sample: that equality checks the baseline (and that extraction does not depend on batch composition).
2. `per_article_re_loop`: the same regexes in a plain Python `re` loop per article and sentence (sentence
   split, number words to digits, each kind's pre-filter, then every named pattern, cue and *_RE constant of
   that kind), matching only: no role assignment, no aggregation, no gazetteer. It is a lower bound on what
   a per-article Python loop over these rules costs, so the ratio against it is the conservative one.
Patterns are collected by introspection (`patterns()`, `PREFILTER_RE`, `*_RE`, `*_CUES`), so the baseline
follows the rule set as it changes; patterns the regex engine cannot compile are counted, not hidden.
"""

from __future__ import annotations

import time
from typing import Any

import polars as pl

# the `regex` package (a dependency in pyproject.toml) reads what the extraction patterns use and Python's `re`
# cannot: Unicode properties (\p{Lu}) and scoped flags such as (?-i:...)
import regex as re

_KIND_MODULES = ("air", "casualties", "territorial_control")


def _frames_equal(a: pl.DataFrame, b: pl.DataFrame) -> tuple[bool, int]:
    """(equal, rows differing) of two event frames, compared sorted by every column."""
    if a.columns != b.columns:
        return False, max(a.height, b.height)
    cols = a.columns
    a_s, b_s = a.sort(cols, nulls_last=True), b.sort(cols, nulls_last=True)
    if a_s.equals(b_s):
        return True, 0
    only_a = a_s.join(b_s, on=cols, how="anti", nulls_equal=True).height
    only_b = b_s.join(a_s, on=cols, how="anti", nulls_equal=True).height
    return False, only_a + only_b


def per_article_extract(articles: pl.DataFrame) -> dict[str, Any]:
    """Time `extract_events` whole-column and once per article on `articles`; compare their rows."""
    from pipelines.extract import extract_events

    extract_events(articles.head(5))  # warm-up: gazetteer build, pattern compilation (paid once by both)
    text_bytes = int(articles["text"].str.len_bytes().sum() or 0)

    best_vec = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        vectorised = extract_events(articles)
        best_vec = min(best_vec, time.perf_counter() - t0)

    per_table: dict[str, list[pl.DataFrame]] = {t: [] for t in vectorised}
    t0 = time.perf_counter()
    for i in range(articles.height):
        for table, frame in extract_events(articles.slice(i, 1)).items():
            per_table[table].append(frame)
    loop_s = time.perf_counter() - t0

    equality: dict[str, Any] = {}
    for table, frame in vectorised.items():
        looped = pl.concat(per_table[table]) if per_table[table] else frame.clear()
        same, differing = _frames_equal(frame, looped)
        equality[table] = {"rows_vectorised": frame.height, "rows_loop": looped.height, "equal": same,
                           "rows_differing": differing}  # fmt: skip
    return {
        "articles": articles.height,
        "text_bytes": text_bytes,
        "vectorised_seconds": best_vec,
        "loop_seconds": loop_s,
        "equality": equality,
        "rows_equal": all(e["equal"] for e in equality.values()),
    }


# --------------------------------------------------------------------------- plain `re` loop
def _py_pattern(pattern: str, default_flags: int) -> re.Pattern[str]:
    """A polars (Rust regex) pattern as a Python one: a leading global flag group becomes re flags, and Rust's
    ASCII word boundary (?-u:\b) becomes Python's (?a:\b)."""
    flags = default_flags
    pattern = pattern.replace(r"(?-u:\b)", r"(?a:\b)")
    m = re.match(r"\(\?([a-z]+)\)", pattern)
    if m:
        pattern = pattern[m.end() :]
        for ch in m.group(1):
            flags |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X}.get(ch, 0)
    return re.compile(pattern, flags)


def collect_patterns() -> tuple[dict[str, dict[str, re.Pattern[str]]], list[str]]:
    """{kind: {name: compiled}} of every rule regex (pre-filter first, under "prefilter"), and the names
    of those Python's `re` could not compile."""
    import importlib

    failed: list[str] = []
    kinds: dict[str, dict[str, re.Pattern[str]]] = {}
    for name in _KIND_MODULES:
        mod = importlib.import_module(f"pipelines.extract.{name}")
        # air and casualty token patterns run case-insensitively (find_tokens' default); territory's and
        # the place patterns rely on capitals
        default = 0 if name == "territorial_control" else re.I
        raw: dict[str, tuple[str, int]] = {}
        if hasattr(mod, "patterns"):
            for key, pat in mod.patterns().items():
                raw[key] = (pat, 0 if key.startswith("place") else default)
        for attr in dir(mod):
            value = getattr(mod, attr)
            if attr.endswith("_RE") and isinstance(value, str):
                raw[attr] = (value, 0)
            elif attr.endswith("_CUES") and isinstance(value, dict):
                for weight, pats in value.items():
                    for k, pat in enumerate(pats):
                        raw[f"{attr}[{weight}][{k}]"] = (pat, re.I)
        compiled: dict[str, re.Pattern[str]] = {}
        for key, (pat, flags) in raw.items():
            try:
                compiled["prefilter" if key == "PREFILTER_RE" else key] = _py_pattern(pat, flags)
            except re.error:
                failed.append(f"{name}.{key}")
        kinds[name] = compiled
    return kinds, failed


def _number_words() -> tuple[re.Pattern[str], dict[str, str]]:
    from pipelines.extract.numbers import number_words

    words = number_words()
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"\b(?:" + alternation + r")\b", re.I), {w.lower(): str(v) for w, v in words.items()}


def per_article_re_loop(texts: list[str]) -> dict[str, Any]:
    """Time the matching-only Python `re` loop over `texts` (see the module docstring)."""
    from pipelines.extract.sentences import SENTENCE_RE

    kinds, failed = collect_patterns()
    splitter = _py_pattern(SENTENCE_RE, 0)
    numbers, values = _number_words()
    n_patterns = sum(len(k) for k in kinds.values())
    matches = 0
    t0 = time.perf_counter()
    for text in texts:
        for sm in splitter.finditer(text):
            sentence = sm.group(0).strip()
            if not sentence:
                continue
            norm = " " + numbers.sub(lambda m: values[m.group(0).lower()], sentence) + " "
            for compiled in kinds.values():
                pre = compiled.get("prefilter")
                if pre is not None and not pre.search(norm):
                    continue
                for name, pat in compiled.items():
                    if name != "prefilter":
                        for _ in pat.finditer(norm):
                            matches += 1
    seconds = time.perf_counter() - t0
    return {
        "articles": len(texts),
        "text_bytes": sum(len(t.encode("utf-8")) for t in texts),
        "seconds": seconds,
        "patterns": n_patterns,
        "patterns_not_compiled": failed,
        "matches": matches,
    }
