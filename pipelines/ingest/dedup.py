"""Seen-before and near-identical articles.

- Exact copies: the same canonical URL or the same content_hash (whitespace- and case-insensitive text).
- Near-identical copies (one wire story on several sites, with a different headline line or a credit added):
  word 5-gram shingles, MinHash signatures (numpy, 64 permutations) banded into 16 LSH bands of 4 rows to find
  candidate pairs, and the exact Jaccard similarity of the candidates' shingle sets >= `threshold` (0.8) to
  confirm. Confirmed pairs are joined into clusters (union-find); every copy but the earliest gets
  duplicate_of = the earliest copy's article_id.
"""

from __future__ import annotations

import re
import urllib.parse
import zlib
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)
_WORD = re.compile(r"\w+", re.U)

SHINGLE = 5
PERMUTATIONS = 64
BANDS = 16
THRESHOLD = 0.8
_PRIME = np.uint64(4294967311)  # > 2**32, so every 32-bit shingle hash is below it
_rng = np.random.default_rng(20220224)
_A = _rng.integers(1, 2**31 - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 2**32, size=PERMUTATIONS, dtype=np.uint64)


def canonical_url(url: str | None) -> str | None:
    """The URL an article is known by: https, lower-case host without www., no default port, no fragment,
    no tracking parameters (utm_*, fbclid, ...), remaining parameters sorted, no trailing slash."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url.strip() or None
    if not host:
        return url.strip() or None
    if host.startswith("www."):
        host = host[4:]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(k)
    )
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit(("https", host, path, urllib.parse.urlencode(query), ""))


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """The text's word k-grams (case-folded, punctuation dropped), as 32-bit hashes."""
    words = _WORD.findall(text.casefold())
    if len(words) < k:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i : i + k]).encode()) for i in range(len(words) - k + 1)}


def minhash(sh: set[int]) -> np.ndarray:
    """The MinHash signature of a shingle set (all-max for an empty set, which then matches nothing)."""
    if not sh:
        return np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    h = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    return ((np.outer(h, _A) + _B) % _PRIME).min(axis=0)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicate_clusters(texts: Sequence[str], threshold: float = THRESHOLD) -> list[int]:
    """For each text, the index of its cluster's first member (itself when it has no near-identical copy)."""
    n = len(texts)
    sets = [shingles(t or "") for t in texts]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        sigs = np.stack([minhash(s) for s in sets])
        rows = PERMUTATIONS // BANDS
        candidates: set[tuple[int, int]] = set()
        for b in range(BANDS):
            buckets: dict[bytes, list[int]] = defaultdict(list)
            band = sigs[:, b * rows : (b + 1) * rows]
            for i in range(n):
                if sets[i]:
                    buckets[band[i].tobytes()].append(i)
            for members in buckets.values():
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        candidates.add((members[x], members[y]))
        for i, j in sorted(candidates):
            if find(i) != find(j) and jaccard(sets[i], sets[j]) >= threshold:
                ri, rj = find(i), find(j)
                parent[max(ri, rj)] = min(ri, rj)  # the root is always the cluster's first member
    return [find(i) for i in range(n)]
