"""The extractor never crashes and never emits a row that breaks the contract, whatever the text; and no
pattern takes more than linear time on adversarial input (polars' Rust regex engine has no backtracking,
this checks the whole path around it too).

`SALVO_FUZZ_EXAMPLES=5000 pytest tests/reliability -m "slow or not slow"` runs a longer fuzz; `make test-fast`
(the hypothesis profile "quick", tests/profiles.py) a few examples of each.
"""

from __future__ import annotations

import os
import time

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from pipelines.extract import air, casualties, extract_events, territorial_control
from pipelines.extract.sentences import SENTENCE_RE, split_sentences
from pipelines.extract.tokens import find_tokens
from pipelines.schema import (
    ACTORS,
    ATTACKERS,
    CASUALTY_QUALIFIERS,
    LAUNCHED_QUALIFIERS,
    OUTCOMES,
    WEAPON_CLASSES,
)

EXAMPLES = int(os.environ.get("SALVO_FUZZ_EXAMPLES", "60"))

# Fragments that make the patterns fire, mixed with noise: weapon words, counts, verbs, places, quotes,
# control characters, right-to-left marks, emoji, NUL, very long numbers.
FRAGMENTS = [
    "Russia launched", " 40 ", " missiles", " drones", "Shahed-136/131", "Kh-101", " shot down ", " of which ",
    " all ", "both", " out of ", " were destroyed", " killed ", " injured ", " at least ", " in Dnipro", " Kyiv region",
    " captured the village of ", "Berezove", " liberated ", ", ", ". ", "\n", "“", "”", "'", '"', "\u200f", "\u202e",
    "\U0001f680", "\x00", "\x07", "9" * 400, " twenty-three ", " a dozen ", "'); DROP TABLE articles; --", " Ukrainian ",
    " over the Kursk region", " including ", " except for the ", " were lost ", " hit their targets", " up to ",
]  # fmt: skip


def check_contract(text: str, events: dict[str, pl.DataFrame]) -> None:
    """Every row of every table satisfies the contract (enums, counts, evidence pointing into the text)."""
    air_rows = events["air_attacks"]
    for r in air_rows.iter_rows(named=True):
        assert r["attacker"] in ATTACKERS and r["weapon_class"] in WEAPON_CLASSES
        assert r["launched"] is not None or r["intercepted"] is not None
        for f in ("launched", "intercepted", "suppressed", "impacts"):
            assert r[f] is None or r[f] >= 0
        assert r["launched_qualifier"] in (*LAUNCHED_QUALIFIERS, None)
    for r in events["casualties"].iter_rows(named=True):
        assert r["location"] and r["admin1"]
        assert r["killed"] is not None or r["injured"] is not None
        assert all(v is None or v >= 0 for v in (r["killed"], r["injured"]))
        assert r["qualifier"] in CASUALTY_QUALIFIERS
    for r in events["territorial_control"].iter_rows(named=True):
        assert r["settlement"] and r["actor"] in ACTORS
    for r in events["attack_outcomes"].iter_rows(named=True):
        assert r["outcome"] in OUTCOMES and r["event_id"] in set(air_rows["event_id"])
        lo, best, hi = r["low"], r["best"], r["high"]
        assert not (lo is not None and best is not None and lo > best)
        assert not (best is not None and hi is not None and best > hi)
    for table in ("air_attacks", "casualties", "territorial_control"):
        frame = events[table]
        assert frame["event_id"].n_unique() == frame.height
        for r in frame.iter_rows(named=True):
            assert text[r["evidence_start"] : r["evidence_end"]] == r["evidence"]


def extract_one(text: str) -> dict[str, pl.DataFrame]:
    return extract_events(pl.DataFrame({"article_id": ["fuzz"], "text": [text]}))


def check_each(texts: list[str]) -> None:
    """The texts extracted in one call, as a run extracts its batch, and every article's rows checked against
    its own text."""
    ids = [f"fuzz-{i}" for i in range(len(texts))]
    events = extract_events(pl.DataFrame({"article_id": ids, "text": texts}))
    for article_id, text in zip(ids, texts, strict=True):
        check_contract(text, {t: f.filter(pl.col("article_id") == article_id) for t, f in events.items()})


# A call of the extractor costs about 0.2 s for one random text (most pass the pre-filters: the fragments are
# made to) and 0.3 s for eight: so each example is a batch of 4-8 texts, about as many texts in all as
# SALVO_FUZZ_EXAMPLES (60 by default) for a fifth as many calls. A failure shrinks to the text that breaks the
# contract, beside three minimal ones.
@settings(
    max_examples=examples(max(EXAMPLES // 5, 5)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(
        st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), min_size=1, max_size=60).map("".join),
        min_size=4,
        max_size=8,
    )
)
def test_random_text_never_breaks_the_contract(texts: list[str]) -> None:
    check_each(texts)


BASE = (
    "Russia launched 112 drones and nine Kh-101 missiles overnight. Air defences shot down 97 of the drones. "
    "A strike on Kharkiv killed two people and injured at least nine. Russia's defence ministry said its troops "
    "had captured the village of Ivanivka in the Donetsk region."
)


EDITS = st.lists(
    st.tuples(
        st.integers(0, len(BASE)), st.integers(0, 12), st.sampled_from(FRAGMENTS) | st.text(max_size=8)
    ),
    max_size=12,
)


def mutate(edits: list[tuple[int, int, str]]) -> str:
    text = BASE
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    return text


# Each mutated article passes every pre-filter, and a call of the extractor on such articles costs about 0.8 s
# whatever their number (up to dozens). So each example is a batch of 3-6 mutated articles (check_each): about
# half as many articles as SALVO_FUZZ_EXAMPLES (30 by default) for an eighth as many calls. A failure shrinks to
# the fewest edits that break an article, beside two plain ones.
@settings(
    max_examples=examples(max(EXAMPLES // 8, 5)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(EDITS, min_size=3, max_size=6))
def test_mutated_article_never_breaks_the_contract(batch: list[list[tuple[int, int, str]]]) -> None:
    check_each([mutate(edits) for edits in batch])


def adversarial_strings() -> dict[str, str]:
    """About 1 MB each, built to make a backtracking engine explode on these patterns."""
    mb = 1_000_000
    return {
        "digits": ("1 " * (mb // 2)),
        "articles": ("a " * (mb // 2)),
        "weapon_words": ("drones " * (mb // 7)),
        "capitalised": ("Kyiv " * (mb // 5)),
        "hyphens": ("Kh-" * (mb // 3)),
        "no_terminator": ("x" * mb),
        "dots": ("." * mb),
        "of_which": ("of which " * (mb // 9)),
        "quotes": ("'\"" * (mb // 2)),
        "mixed": ("all 1 of the 2 missiles, " * (mb // 25)),
    }


def all_named_patterns() -> dict[str, str]:
    pats = {f"air.{k}": v for k, v in air.patterns().items()}
    pats |= {f"casualties.{k}": v for k, v in casualties.patterns().items()}
    pats |= {f"territorial_control.{k}": v for k, v in territorial_control.patterns().items()}
    return pats


@pytest.mark.thorough  # 10 MB through every pattern
def test_every_pattern_is_linear_on_1mb_adversarial_strings() -> None:
    frame = pl.DataFrame(
        {
            "article_id": list(adversarial_strings()),
            "sentence_no": [0] * 10,
            "norm": list(adversarial_strings().values()),
        }
    )
    frame = frame.with_columns(pl.col("sentence_no").cast(pl.Int32))
    worst = 0.0
    for name, pattern in all_named_patterns().items():
        started = time.perf_counter()
        find_tokens(frame, "norm", pattern)
        elapsed = time.perf_counter() - started
        worst = max(worst, elapsed)
        assert elapsed < 10.0, f"{name} took {elapsed:.1f}s on 10 MB"
    started = time.perf_counter()
    frame.select(pl.col("norm").str.extract_all(SENTENCE_RE))
    assert time.perf_counter() - started < 10.0


@pytest.mark.thorough  # 1.1 MB through the whole extractor, per text
@pytest.mark.parametrize("name", ["digits", "weapon_words", "capitalised", "no_terminator", "mixed"])
def test_whole_extractor_on_a_1mb_article(name: str) -> None:
    text = adversarial_strings()[name]
    # linear, measured against a tenth of the same text in the same test (a busy machine slows both): linear
    # work takes about 10x, quadratic about 100x
    started = time.perf_counter()
    extract_one(text[: len(text) // 10])
    tenth = time.perf_counter() - started
    started = time.perf_counter()
    events = extract_one(text)
    whole = time.perf_counter() - started
    assert whole < 25 * tenth + 1.0, f"1 MB took {whole:.1f}s, a tenth {tenth:.2f}s"
    check_contract(text, events)
    assert split_sentences(pl.DataFrame({"article_id": ["x"], "text": [text]}))["end"].max() <= len(text)


@pytest.mark.slow
@settings(max_examples=max(EXAMPLES, 2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=5000))
def test_long_fuzz_unicode(text: str) -> None:
    check_contract(text, extract_one(text))
