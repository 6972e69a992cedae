"""Every extraction rule with the sentences it earns its place with (tests/extract_cases/*.yml).

1. each case extracts as written there;
2. each declared rule has cases, and each case names a declared rule;
3. turning a rule off (pipelines.extract.rules.disabled) makes at least one of its own cases go wrong: a rule
   no sentence depends on is dead weight, or its cases do not test it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from pipelines.extract import extract_events, rules

CASES_DIR = Path(__file__).with_name("extract_cases")
TABLES = {
    "air_attack": "air_attacks",
    "casualties": "casualties",
    "territorial_control": "territorial_control",
}


def _load() -> dict[str, list[dict]]:
    cases: dict[str, list[dict]] = {}
    for path in sorted(CASES_DIR.glob("*.yml")):
        for rule, items in yaml.safe_load(path.read_text()).items():
            if rule in cases:
                raise ValueError(f"{path.name}: rule {rule} has cases in two files")
            cases[rule] = items
    return cases


CASES = _load()
FLAT = [(rule, i, case) for rule, items in CASES.items() for i, case in enumerate(items)]


def _extract(texts: list[str], dates: list[str | None]) -> dict[str, pl.DataFrame]:
    arts = pl.DataFrame(
        {"article_id": [f"c{i}" for i in range(len(texts))], "text": texts, "published_at": dates},
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.String},
    ).with_columns(pl.col("published_at").str.to_date())
    return extract_events(arts)


def _norm(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _mismatches(cases: list[dict]) -> list[str]:
    """Extract all cases in one frame; describe every case whose rows differ from what it expects."""
    events = _extract([c["text"] for c in cases], [c.get("published_at") for c in cases])
    problems = []
    for i, case in enumerate(cases):
        for event_type, table in TABLES.items():
            if event_type not in case:
                continue
            expected = case[event_type]
            fields = sorted({k for row in expected for k in row}) or ["article_id"]
            got_rows = events[table].filter(pl.col("article_id") == f"c{i}")
            got = sorted((tuple(_norm(r.get(f)) for f in fields) for r in got_rows.to_dicts()), key=repr)
            want = sorted((tuple(_norm(row.get(f)) for f in fields) for row in expected), key=repr)
            if not expected:
                got, want = [tuple(r.values()) for r in got_rows.select("article_id").to_dicts()], []
            if got != want:
                problems.append(f"{case['text']!r}: {event_type} {fields} expected {want}, got {got}")
    return problems


@pytest.mark.parametrize("rule,i,case", FLAT, ids=[f"{r}[{i}]" for r, i, _ in FLAT])
def test_case(rule: str, i: int, case: dict) -> None:
    assert _mismatches([case]) == []


def test_every_rule_has_cases_and_every_case_a_rule() -> None:
    assert sorted(set(rules.RULES) - set(CASES)) == [], "rules without cases"
    assert sorted(set(CASES) - set(rules.RULES)) == [], "cases for undeclared rules"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_earns_its_place(rule: str) -> None:
    with rules.disabled(rule):
        broken = _mismatches(CASES[rule])
    assert broken, f"turning {rule} off changes none of its cases: it is untested or dead"
