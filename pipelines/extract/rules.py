"""The extraction rules by name: every pattern and guard the extractors use is declared here with a
one-line description, so that each can be listed, documented and switched off in a test.

A rule is either a regex fragment (looked up with `pattern(name, regex)`) or a switch in the code
(`active(name)`). `disabled(...)` turns rules off for the duration of a `with` block: a disabled regex
becomes one that never matches and a disabled switch reads False. The test suite keeps, for every rule,
sentences that are extracted right only while the rule is on (tests/extract_cases/*.yml), and checks that
turning the rule off makes at least one of them go wrong: a rule no sentence depends on is dead weight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

# A regex that matches nothing: a word boundary that is also no word boundary.
NEVER = r"\b\B"

# name -> what the rule catches (filled by `declare` in each extractor module)
RULES: dict[str, str] = {}
_disabled: frozenset[str] = frozenset()
_caches: list[Callable] = []

F = TypeVar("F", bound=Callable)


def declare(rules: dict[str, str]) -> None:
    """Register a module's rules (name -> one-line description); a name may be declared once."""
    clash = set(rules) & set(RULES)
    if clash:
        raise ValueError(f"extraction rules declared twice: {sorted(clash)}")
    RULES.update(rules)


def _check(name: str) -> None:
    if name not in RULES:
        raise KeyError(f"undeclared extraction rule {name!r}")


def pattern(name: str, regex: str) -> str:
    """`regex`, or a pattern that never matches while rule `name` is disabled."""
    _check(name)
    return NEVER if name in _disabled else regex


def active(name: str) -> bool:
    """Whether switch rule `name` is on."""
    _check(name)
    return name not in _disabled


def cached(fn: F) -> F:
    """lru_cache for functions that build patterns from rules; cleared whenever the disabled set changes."""
    wrapped = lru_cache(maxsize=None)(fn)
    _caches.append(wrapped)
    return wrapped  # type: ignore[return-value]


@contextmanager
def disabled(*names: str) -> Iterator[None]:
    """Switch the named rules off inside the block (for tests: what does a rule earn its place with?)."""
    global _disabled
    for name in names:
        _check(name)
    before = _disabled
    _disabled = before | frozenset(names)
    for c in _caches:
        c.cache_clear()
    try:
        yield
    finally:
        _disabled = before
        for c in _caches:
            c.cache_clear()
