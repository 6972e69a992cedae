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

from pipelines.extract import rules, split_sentences
from pipelines.extract.air import extract_air
from pipelines.extract.casualties import extract_casualties
from pipelines.extract.territorial_control import extract_territorial_control
from pipelines.extract.tokens import ARTICLE_KEY

CASES_DIR = Path(__file__).with_name("extract_cases")
TABLES = {
    "air_attack": "air_attacks",
    "casualties": "casualties",
    "territorial_control": "territorial_control",
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """A rule named twice in one file would keep only its last cases, silently: refuse it."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"keys given twice: {twice}")
        return super().construct_mapping(node, deep=deep)


def _load() -> dict[str, list[dict]]:
    cases: dict[str, list[dict]] = {}
    for path in sorted(CASES_DIR.glob("*.yml")):
        for rule, items in yaml.load(path.read_text(), Loader=_UniqueKeyLoader).items():  # noqa: S506
            if rule in cases:
                raise ValueError(f"{path.name}: rule {rule} has cases in two files")
            cases[rule] = items
    return cases


CASES = _load()
FLAT = [(rule, i, case) for rule, items in CASES.items() for i, case in enumerate(items)]


KINDS = {
    "air_attack": lambda s: extract_air(s).rows,
    "casualties": extract_casualties,
    "territorial_control": extract_territorial_control,
}
# a rule's prefix names the one extractor it can change (sentence rules change all three)
KIND_OF_PREFIX = {"air": "air_attack", "cas": "casualties", "ter": "territorial_control"}


def _extract(cases: list[dict], kinds: tuple[str, ...] = tuple(KINDS)) -> dict[str, pl.DataFrame]:
    """The rows of each event kind in `kinds` for the cases, one article per case (article_id c<i>)."""
    arts = pl.DataFrame(
        {
            "article_id": [f"c{i}" for i in range(len(cases))],
            "text": [c["text"] for c in cases],
            "published_at": [c.get("published_at") for c in cases],
        },
        schema={"article_id": pl.String, "text": pl.String, "published_at": pl.String},
    ).with_columns(pl.col("published_at").str.to_date(), pl.col("article_id").cast(ARTICLE_KEY))
    sentences = split_sentences(arts, events_only=True)
    return {kind: KINDS[kind](sentences).with_columns(pl.col("article_id").cast(pl.String)) for kind in kinds}


def _norm(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _mismatches(cases: list[dict], events: dict[str, pl.DataFrame]) -> list[str]:
    """Every case whose rows differ from what it expects, described (case i is article c<i>)."""
    problems = []
    for i, case in enumerate(cases):
        for kind, frame in events.items():
            if kind not in case:
                continue
            expected = case[kind]
            fields = sorted({k for row in expected for k in row})
            got_rows = frame.filter(pl.col("article_id") == f"c{i}").to_dicts()
            got = sorted((tuple(_norm(r.get(f)) for f in fields) for r in got_rows), key=repr)
            want = sorted((tuple(_norm(row.get(f)) for f in fields) for row in expected), key=repr)
            if len(got_rows) != len(expected) or got != want:
                problems.append(f"{case['text']!r}: {kind} {fields} expected {want}, got {got}")
    return problems


@pytest.fixture(scope="module")
def all_events() -> dict[str, pl.DataFrame]:
    """Every case of every rule extracted at once (article c<i> is FLAT[i])."""
    return _extract([case for _, _, case in FLAT])


@pytest.mark.parametrize("n", range(len(FLAT)), ids=[f"{r}[{i}]" for r, i, _ in FLAT])
def test_case(n: int, all_events: dict[str, pl.DataFrame]) -> None:
    case = FLAT[n][2]
    one = {kind: frame.filter(pl.col("article_id") == f"c{n}").with_columns(article_id=pl.lit("c0"))
           for kind, frame in all_events.items()}  # fmt: skip
    assert _mismatches([case], one) == []


def test_a_rule_named_twice_in_one_case_file_is_refused() -> None:
    # plain YAML keeps the second list and drops the first without a word
    with pytest.raises(ValueError, match="given twice"):
        yaml.load("air.a:\n  - text: one\nair.a:\n  - text: two\n", Loader=_UniqueKeyLoader)  # noqa: S506


def test_every_rule_has_cases_and_every_case_a_rule() -> None:
    assert sorted(set(rules.RULES) - set(CASES)) == [], "rules without cases"
    assert sorted(set(CASES) - set(rules.RULES)) == [], "cases for undeclared rules"


# one extraction per rule (126 of them, about 0.3 s each): thorough; test_case checks every case in one pass
@pytest.mark.thorough
@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_earns_its_place(rule: str) -> None:
    kind = KIND_OF_PREFIX.get(rule.split(".")[0])
    kinds = (kind,) if kind else tuple(KINDS)
    with rules.disabled(rule):
        broken = _mismatches(CASES[rule], _extract(CASES[rule], kinds))
    assert broken, f"turning {rule} off changes none of its cases: it is untested or dead"
