"""Near-duplicate clusters and canonical URLs as whole-column polars code give what the per-text rules give:
the clusters are those of the exact Jaccard similarity of every pair, and canonical_urls / url_keys agree
with canonical_url."""

from __future__ import annotations

import random
import re
import string
import unicodedata

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from profiles import examples

from pipelines.ingest import dedup
from pipelines.ingest.dedup import canonical_url, canonical_urls, near_duplicate_clusters, url_keys

# Each URL is canonicalised and keyed on its own, and a call on a column costs about the same for 1 URL as for
# 30: so 100 examples of 10-30 URLs each (about 2,000 URLs) rather than 300 of a few; a column of one URL or a
# handful is the hand-written tests' (URLS)
SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_shingles(text: str | None) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", (text or "").casefold())
    if len(words) < 5:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def _reference_clusters(texts: list[str | None], threshold: float = 0.8) -> list[int]:
    """Exact: every pair whose shingle sets' Jaccard similarity is >= threshold, joined; no sampling."""
    sets = [_reference_shingles(t) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = sets[i], sets[j]
            if a and b and len(a & b) / len(a | b) >= threshold:
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(texts))]


# --------------------------------------------------------------------------- near duplicates
STORY = (
    "Russian forces shelled the southern city of Kherson overnight, killing two people and wounding five, the "
    "regional governor said on Monday. A residential building and a school were damaged, and emergency crews "
    "worked through the night to put out fires. Power was cut to several districts on the right bank of the "
    "Dnipro river, the regional energy company said, and repairs were expected to take two days. The city has "
    "been shelled almost daily since Ukrainian forces retook it, officials said."
)
OTHER = (
    "Ukraine's parliament approved a new budget for the next year on Thursday, with defence spending making up "
    "more than half of the total. The finance minister told lawmakers that foreign aid would cover most of the "
    "social spending, and warned that the deficit would remain large. Opposition deputies criticised the plan "
    "for cutting regional funds, the parliamentary press service said in a statement."
)
BOILERPLATE = (
    "\nSubscribe to our newsletter for the latest news from Ukraine and the region, delivered every morning "
    "to your inbox. Follow us on social media. All rights reserved. Reproduction without permission prohibited."
)


def test_copies_with_another_headline_line_and_a_credit_are_linked() -> None:
    copy = (
        "Kherson shelled overnight, two killed\n"
        + STORY
        + " Reporting by the wire service; editing by the desk."
    )
    assert near_duplicate_clusters([OTHER, STORY, copy, STORY.upper()]) == [0, 1, 1, 1]


def test_unrelated_articles_sharing_boilerplate_are_not_linked() -> None:
    assert near_duplicate_clusters([STORY + BOILERPLATE, OTHER + BOILERPLATE, BOILERPLATE]) == [0, 1, 2]


def test_texts_of_one_to_four_words_and_empty_texts() -> None:
    texts = [
        "Kyiv shelled",
        "KYIV, shelled!",
        "Kyiv shelled again",
        "kyiv shelled again today",
        "",
        None,
        "  ",
    ]
    assert near_duplicate_clusters(texts) == [0, 0, 2, 3, 4, 5, 6]
    assert near_duplicate_clusters(["", ""]) == [0, 1]  # empty texts match nothing, not each other
    assert near_duplicate_clusters([]) == [] and near_duplicate_clusters(["one"]) == [0]


def test_jaccard_at_the_threshold_links() -> None:
    words = "one two three four five six seven eight nine".split()
    nine, eight, seven = " ".join(words), " ".join(words[:8]), " ".join(words[:7])
    assert near_duplicate_clusters([nine, eight]) == [0, 0]  # 4 of 5 shingles: exactly 0.8
    assert near_duplicate_clusters([nine, seven]) == [0, 1]  # 3 of 5: 0.6
    assert near_duplicate_clusters([nine, seven], threshold=0.6) == [0, 0]


def test_many_copies_of_one_text_chain_into_one_cluster_in_linear_pairs(monkeypatch) -> None:
    seen_pairs = []
    confirm = dedup._confirmed_pairs
    monkeypatch.setattr(
        dedup, "_confirmed_pairs", lambda t, p, th: seen_pairs.append(p.height) or confirm(t, p, th)
    )
    texts = [OTHER] + [STORY] * 3000 + [STORY + " One more sentence, said officials."] * 3
    firsts = near_duplicate_clusters(texts)
    assert firsts == [0] + [1] * 3003
    assert seen_pairs and seen_pairs[0] < 2 * len(texts)  # a star and a chain, not 4.5M pairs


def _corpus(seed: int, n_stories: int = 40) -> list[str]:
    rng = random.Random(seed)
    vocab = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(3000)]
    texts: list[str] = []
    for _ in range(n_stories):
        story = rng.choices(vocab, k=rng.randint(30, 400))
        texts.append(" ".join(story))
        for _ in range(rng.randint(0, 3)):  # variants: a few words changed, a line added or removed
            v = list(story)
            for _ in range(rng.randint(0, max(1, len(v) // 12))):
                v[rng.randrange(len(v))] = rng.choice(vocab)
            if rng.random() < 0.5:
                v = rng.choices(vocab, k=8) + v
            texts.append(" ".join(v).upper() if rng.random() < 0.2 else " ".join(v))
    rng.shuffle(texts)
    return texts


@pytest.mark.parametrize("seed", range(5))
def test_clusters_are_the_exact_jaccard_clusters(seed: int) -> None:
    texts = _corpus(seed)
    assert near_duplicate_clusters(texts) == _reference_clusters(texts)


def test_clusters_across_slices(monkeypatch) -> None:
    monkeypatch.setattr(dedup, "SLICE", 7)  # every text's copies in another slice
    texts = _corpus(99, n_stories=15)
    calls = []
    firsts = near_duplicate_clusters(
        texts, on_words=lambda offset, hashes: calls.append((offset, hashes.len()))
    )
    assert firsts == _reference_clusters(texts)
    assert sorted(calls) == [(o, min(7, len(texts) - o)) for o in range(0, len(texts), 7)]


@pytest.mark.thorough  # a sweep: every assigned code point, through polars and through Python
def test_word_class_agrees_with_python_on_every_code_point() -> None:
    # (characters of a newer Unicode than Python's, unassigned for it, are left out: polars may know them)
    chars = [
        chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000 and unicodedata.category(chr(i)) != "Cn"
    ]
    rust_word = pl.Series(chars).str.contains("^" + dedup._WORDS.rstrip("+") + "$").to_list()
    for c, w in zip(chars, rust_word, strict=True):
        assert w == bool(re.match(r"\w", c)), hex(ord(c))
    # texts of the fast path have no word character, before or after folding, but ASCII ones
    fast = pl.Series(chars).str.contains(dedup.NOT_FAST_FOLD).not_().to_list()
    for c, ok in zip(chars, fast, strict=True):
        if ok and ord(c) > 0x7F:
            assert not re.search(r"\w", c.casefold()), hex(ord(c))


# --------------------------------------------------------------------------- URLs
URLS = [
    "HTTP://www.Example.org/a/b/?utm_source=x&b=2&a=1#top",
    "https://example.org/a/b?b=2&a=1",
    "https://WWW.Example.ORG./news/2025/06/01/story-1/",
    "http://example.org",
    "https://example.org/",
    "https://www./x",
    "https://www.www.example.org/x//",
    "https://example.org:8080/x",
    "https://example.org:443/x",
    "https://user:pw@example.org/x",
    "https://[::1]/x",
    "https://[bad/x",
    "https://example.org/x#frag?not-a-query",
    "https://example.org/a b/",
    "https://example.org/a /",
    "https://example.org/a/ /",
    "  https://example.org/padded  ",
    "https://example.org/ta\tb\n",
    "https://пример.рф/статья",
    "https://example.org/é",
    "mailto:someone@example.org",
    "not a url",
    "/relative/path/",
    "//example.org/no-scheme",
    "https:///x",
    "",
    "   ",
    None,
]

URL_ALPHABET = st.sampled_from(
    list("aZ09.-_~/?#&=:@%+ \t\n")
    + ["http", "https", "://", "www.", "utm_source=", "[", "]", ":80", "é", "\x01"]
)


def test_canonical_urls_column_is_canonical_url() -> None:
    assert canonical_urls(pl.Series(URLS, dtype=pl.String)).to_list() == [canonical_url(u) for u in URLS]


@SETTINGS
@given(st.lists(st.lists(URL_ALPHABET, max_size=25).map("".join), min_size=10, max_size=30))
# (found by hypothesis in CI: a host of spaces canonicalises to "https:// ", whose "//" the trailing-"/" cut ate)
@example(urls=["", "", "", "", "", "", "", "", "", "a:// ."])
def test_canonical_urls_and_keys_on_generated_urls(urls: list[str]) -> None:
    series = pl.Series(urls, dtype=pl.String)
    canon = [canonical_url(u) for u in urls]
    assert canonical_urls(series).to_list() == canon
    # the key is the same from a URL and from its canonical URL, so equal canonical URLs have equal keys
    keys = url_keys(series).to_list()
    assert url_keys(pl.Series(canon, dtype=pl.String)).to_list() == [
        k if c is not None else None for k, c in zip(keys, canon, strict=True)
    ]


def test_keys_of_the_curated_urls() -> None:
    canon = [canonical_url(u) for u in URLS]
    keys = url_keys(pl.Series(URLS, dtype=pl.String)).to_list()
    for k, c in zip(keys, canon, strict=True):
        if c is not None:
            assert url_keys(pl.Series([c])).item() == k, c
