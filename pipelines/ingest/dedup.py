"""Seen-before and near-identical articles.

- Exact copies: the same canonical URL or the same content_hash (whitespace- and case-insensitive text).
- Near-identical copies (one wire story on several sites, with a different headline line or a credit added):
  a text's words are the runs of letters, digits and "_" of its case-folded text, and its shingles are its
  runs of 5 words (a text of 1-4 words has one shingle, its words joined; an empty text has none and matches
  nothing). Candidate pairs come from a MinHash by one-permutation hashing: a shingle's 64-bit hash picks one
  of 64 bins (its top 6 bits), a text keeps its smallest hash per bin, and 16 bands of 4 bins each put the
  text in a bucket; texts sharing a bucket are candidates. The exact Jaccard similarity of the candidates'
  shingle sets >= `threshold` (0.8) confirms a pair. Confirmed pairs are joined into clusters (union-find);
  every copy but the earliest gets duplicate_of = the earliest copy's article_id.

Everything but the union-find over confirmed pairs runs as polars expressions over whole columns, a slice of
texts at a time. Word and shingle hashes are polars' 64-bit hashes: they are compared only within one call
(warehouse articles are shingled again with the batch), never stored.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)

SHINGLE = 5
BINS = 64
BANDS = 16
THRESHOLD = 0.8
SLICE = 8192  # texts shingled at a time: ~4M words of 3 KB articles, so memory is bounded whatever the batch
BUCKET_CAP = 40  # larger buckets are linked as a star and a chain, not all pairs (see _candidate_pairs)
_K = 0x9E3779B97F4A7C15  # odd multiplier of the polynomial shingle hash (mod 2**64)
_C = 0xC2B2AE3D27D4EB4F  # odd multiplier mixing a bin number into its minimum

# The words of a text (Python's \w: letters, numbers, "_"); this class agrees with Python's for every
# character of Python's Unicode tables (tests/test_dedup_vectorised.py checks all code points).
_WORDS = r"[\p{L}\p{N}_]+"
# A text whose characters are ASCII or non-ASCII punctuation, symbols, spaces and controls has only ASCII
# words, and polars' to_lowercase folds them as str.casefold does; other texts are case-folded by Python.
NOT_FAST_FOLD = r"[[^\x00-\x7f]&&[^\p{P}\p{S}\p{Z}\p{Cc}]]"


def has_none_of(texts: pl.Series, pattern: str) -> pl.Series:
    """~texts.str.contains(pattern) (null -> False) for a pattern of non-ASCII characters only: ASCII texts
    (the most) are answered from their lengths, without running the pattern."""
    out = (texts.str.len_bytes() == texts.str.len_chars()).fill_null(False)
    other = (~out & texts.is_not_null()).arg_true()
    if other.len():
        out = out.scatter(other, ~texts.gather(other).str.contains(pattern))
    return out


# --------------------------------------------------------------------------- URLs
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


# http(s), an ASCII host name without user, port or query, a printable-ASCII path, maybe a fragment: for
# these canonical_url is "https://" + host (lower case, no trailing dots, no "www.") + path (no trailing "/")
_SIMPLE_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9][A-Za-z0-9.\-]*)((?:/[!-~&&[^?#]]*)?)(?:#[!-~]*)?$"
_PY_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # what str.strip() strips
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what urlsplit strips from the left


def canonical_urls(urls: pl.Series) -> pl.Series:
    """canonical_url of every URL of a column: simple http(s) URLs (see _SIMPLE_URL) as polars expressions,
    the others (queries, ports, user names, non-ASCII, ...) through canonical_url itself."""
    df = pl.DataFrame({"url": urls.cast(pl.String)}).with_columns(
        parts=pl.col("url").str.extract_groups(_SIMPLE_URL)
    )
    host = (
        pl.col("parts").struct.field("1").str.to_lowercase().str.strip_chars_end(".").str.strip_prefix("www.")
    )
    path = pl.col("parts").struct.field("2").str.strip_chars_end("/")
    fast = df.select(pl.lit("https://") + host + path).to_series()
    slow = (fast.is_null() & urls.is_not_null()).arg_true()
    if slow.len():
        fast = fast.scatter(slow, [canonical_url(u) for u in urls.gather(slow).to_list()])
    return fast.rename(urls.name)


def url_keys(urls: pl.Series) -> pl.Series:
    """A cheap key with canonical_url(a) == canonical_url(b) => url_keys(a) == url_keys(b), so that only
    warehouse URLs whose key is a batch URL's key need canonicalising to find every match.

    The key is the last segment of the URL's path as urlsplit finds it, without trailing "/" or spaces, and
    "" for a URL that is scheme and host only. canonical_url keeps the path and puts "https://host" before
    it, or returns the URL stripped, so the key of a URL is the key of its canonical URL."""
    base = (
        urls.cast(pl.String)
        .str.strip_chars(_PY_SPACE)
        .str.replace_all(r"[\t\r\n]", "")  # (urlsplit removes these, and strips these from the left:)
        .str.strip_chars_start(_C0_OR_SPACE)
        .str.replace(r"[?#].*", "")  # query and fragment (no newline is left for "." to miss)
    )
    cut = base.str.strip_chars_end("/" + _PY_SPACE)
    # (read before the trailing "/" are cut: "https://" with an empty host would lose its "//" to them)
    host_only = base.str.contains(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/]*[/\s]*$")
    return pl.select(
        pl.when(host_only).then(pl.lit("")).otherwise(cut.str.split("/").list.last())
    ).to_series()


# --------------------------------------------------------------------------- words and shingles
def word_hashes(texts: pl.Series) -> pl.Series:
    """For every text, the 64-bit hashes of its words in order (see the module doc); [] for null."""
    texts = texts.cast(pl.String)
    folded = texts.str.to_lowercase()
    slow = (~has_none_of(texts, NOT_FAST_FOLD) & texts.is_not_null()).arg_true()
    if slow.len():
        folded = folded.scatter(slow, [t.casefold() for t in texts.gather(slow).to_list()])
    return (
        pl.DataFrame({"t": folded})
        .select(pl.col("t").str.extract_all(_WORDS).list.eval(pl.element().hash()).fill_null([]))
        .to_series()
        .rename("word_hashes")
    )


def _shingles(hashes: pl.Series, offset: int = 0) -> pl.LazyFrame:
    """(row, s): the shingle hashes of every text (row = offset + its position), repeats kept.

    A shingle is the polynomial hash of 5 consecutive word hashes; a text of 1-4 words has one, the same
    polynomial over its words, tagged with their number so that it cannot equal another length's."""
    texts = pl.LazyFrame({"h": hashes}).with_columns(
        row=pl.int_range(offset, offset + pl.len(), dtype=pl.UInt32), n=pl.col("h").list.len()
    )
    h = pl.col("h")
    poly = h
    for j in range(1, SHINGLE):
        poly = poly * _K + h.shift(-j)
    long = (
        texts.filter(pl.col("n") >= SHINGLE)
        .select("row", "h")
        .explode("h")
        # windows that run into the next text are dropped
        .select("row", s=poly, keep=pl.col("row").shift(-(SHINGLE - 1)) == pl.col("row"))
        .filter("keep")
        .drop("keep")
    )
    n = pl.col("n")
    short = h.list.first()
    for j in range(1, SHINGLE - 1):
        short = pl.when(n > j).then(short * _K + h.list.get(j, null_on_oob=True)).otherwise(short)
    few = texts.filter(n.is_between(1, SHINGLE - 1)).select("row", s=short ^ (n.cast(pl.UInt64) * _C))
    return pl.concat([long, few])


def _band_keys(shingles: pl.LazyFrame) -> pl.LazyFrame:
    """(row, band, key): one-permutation MinHash. The top 6 bits of a shingle hash are its bin; a band's key
    hashes the (bin, smallest hash) of its 4 bins, so two texts share it when those are equal. A band with
    no shingle in any of its bins has no key: texts do not look alike for lacking shingles."""
    bin_ = (pl.col("s") // (1 << (64 - 6))).cast(pl.UInt32)
    return (
        shingles.group_by(cell=pl.col("row") * BINS + bin_)
        .agg(pl.col("s").min())
        .select(
            row=pl.col("cell") // BINS,
            band=(pl.col("cell") % BINS) // (BINS // BANDS),
            v=(pl.col("s") ^ ((pl.col("cell") % BINS).cast(pl.UInt64) * _C)) * _K,
        )
        .group_by("row", "band")
        .agg(key=pl.col("v").bitwise_xor())
    )


def _candidate_pairs(bands: pl.DataFrame) -> pl.DataFrame:
    """(a, b), a < b: texts that share a bucket in some band.

    A bucket of up to BUCKET_CAP texts gives all its pairs. A larger one (many exact copies, or many short
    texts made of the same boilerplate) would give a quadratic number, so each of its members is paired
    with the bucket's first member and with the next one only: copies of one story still chain into one
    cluster, at a linear cost."""
    buckets = (
        bands.filter(pl.len().over("band", "key") > 1)  # (most keys are one text's: dropped before grouping)
        .group_by("band", "key")
        .agg(pl.col("row").sort())
        .filter(pl.col("row").list.len() > 1)
        .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("bucket"), "row")
    )
    small = buckets.filter(pl.col("row").list.len() <= BUCKET_CAP).explode("row")
    pairs = (
        small.join(small, on="bucket", suffix="_b")
        .filter(pl.col("row") < pl.col("row_b"))
        .select(a="row", b="row_b")
    )
    large = buckets.filter(pl.col("row").list.len() > BUCKET_CAP)
    if large.height:
        members = large.select("bucket", b=pl.col("row").list.slice(1), first=pl.col("row").list.first())
        star = members.explode("b").select(a="first", b="b")
        chain = members.explode("b").select(a=pl.col("b").shift(1).over("bucket"), b="b").drop_nulls()
        pairs = pl.concat([pairs, star, chain])
    return pairs.unique().sort("a", "b")


def _confirmed_pairs(texts: pl.Series, pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The candidate pairs whose shingle sets' exact Jaccard similarity is >= threshold."""
    rows = pl.concat([pairs["a"], pairs["b"]]).unique().sort()
    sets = (
        _shingles(word_hashes(texts.gather(rows)))
        .join(
            pl.LazyFrame({"row": pl.int_range(rows.len(), eager=True, dtype=pl.UInt32), "g": rows}), on="row"
        )
        .select(row="g", s="s")
        .unique()
        .collect()
    )
    sizes = sets.group_by("row").len("size")
    out = []
    # pairs a chunk at a time: the join below has a row per shingle of each pair's first text
    chunk = max(1, 20_000_000 // max(1, sets.height // max(1, rows.len())))
    for start in range(0, pairs.height, chunk):
        p = pairs.slice(start, chunk)
        common = (
            p.join(sets, left_on="a", right_on="row")
            .join(sets, left_on=["b", "s"], right_on=["row", "s"], how="semi")
            .group_by("a", "b")
            .len("common")
        )
        scored = (
            p.join(common, on=["a", "b"], how="left")
            .join(sizes, left_on="a", right_on="row")
            .join(sizes, left_on="b", right_on="row", suffix="_b")
            .with_columns(pl.col("common").fill_null(0))
            .filter(pl.col("common") / (pl.col("size") + pl.col("size_b") - pl.col("common")) >= threshold)
        )
        out.append(scored.select("a", "b"))
    return pl.concat(out) if out else pairs.clear()


def near_duplicate_clusters(
    texts: Sequence[str | None] | pl.Series,
    threshold: float = THRESHOLD,
    *,
    on_words: Callable[[int, pl.Series], None] | None = None,
) -> list[int]:
    """For each text, the index of its cluster's first member (itself when it has no near-identical copy).

    `on_words(offset, hashes)` is called with the word_hashes of each slice of texts (the slice starting at
    `offset`), for a caller that needs them too (the language guess), so that no text is split twice."""
    texts = pl.Series("text", texts, dtype=pl.String)
    n = texts.len()

    def slice_bands(offset: int) -> pl.DataFrame:
        hashes = word_hashes(texts.slice(offset, SLICE))
        if on_words is not None:
            on_words(offset, hashes)
        return _band_keys(_shingles(hashes, offset)).collect()

    # two slices at a time: splitting text into words is single-threaded in polars
    with ThreadPoolExecutor(max_workers=2) as pool:
        bands = pl.concat(list(pool.map(slice_bands, range(0, n, SLICE)))) if n else None
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1 and bands is not None and bands.height:
        pairs = _candidate_pairs(bands)
        if pairs.height:
            for i, j in _confirmed_pairs(texts, pairs, threshold).iter_rows():
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)  # the root is always the cluster's first member
    return [find(i) for i in range(n)]
