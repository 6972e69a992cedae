"""Find every match of a pattern in a text column, with its position, as a long frame of tokens.

polars' `str.extract_all` returns matched strings but not where they are. Matching `gap + token` instead,
with a lazy gap, makes the matches tile the text up to the last token, so a token's end position is the
running sum of match lengths. Each event kind runs several independent passes (counted weapon mentions,
verbs, cue words) and merges them by position; independent passes mean a long mention can never swallow
a verb that a single alternation would have skipped over.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

# The article key inside the extractor: every window and join is keyed by article, and a categorical
# compares as an integer, several times faster than a string. extract_events casts article_id to it on the
# way in and conform() casts it back to a string on the way out; frames built empty use it too, so that
# they concatenate and join with the others.
ARTICLE_KEY = pl.Categorical()


# Unicode \w, \s and \d under (?i) make the regex automata large enough that the engine gives up its fast
# DFA for a slow one; the matching copy of every sentence is ASCII but for names and rare symbols, so the
# token patterns use ASCII classes (names keep \p{Lu}/\p{Ll} where a pattern asks for them): five times
# faster on the victim patterns, with the same matches on the dev set.
# (\B too, so that rules.NEVER, "\b\B", stays a pattern that never matches: a Unicode \B beside an ASCII \b
# holds between an ASCII and an accented letter)
_ASCII = (
    ("\\w", "[0-9A-Za-z_]"), ("\\s", "[ \\t\\n\\r\\f\\v]"), ("\\d", "[0-9]"), ("\\b", "(?-u:\\b)"),
    ("\\B", "(?-u:\\B)"),
)  # fmt: skip


@lru_cache(maxsize=4096)
def ascii_classes(pattern: str) -> str:
    """`pattern` with \\w, \\s, \\d and \\b as their ASCII forms (an escaped backslash is left alone)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            out.append(dict(_ASCII).get(pair, pair))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def find_tokens(
    frame: pl.DataFrame,
    column: str,
    pattern: str,
    *,
    keys: tuple[str, ...] = ("article_id", "sentence_no"),
    kind: str | None = None,
    flags: str = "(?i)",
) -> pl.DataFrame:
    """All non-overlapping matches of `pattern` in `frame[column]`.

    Returns keys + `pos`/`end` (character offsets of the match in the column's text), `tok` (the matched text),
    and `kind` when given. Named groups of `pattern` can be pulled from `tok` afterwards with
    `tok.str.extract_groups(anchored(pattern))`.
    """
    pattern = ascii_classes(pattern)
    gapped = f"{flags}(?s:.*?)(?:{pattern})"
    plain = f"{flags}(?:{pattern})"
    # Two scans that only need match bounds (the regex engine's fast path, no capture groups): the plain
    # matches are the tokens, the gapped matches end where they end. Both lists have one entry per token,
    # so exploding them together pairs each token with its end (polars checks the lengths agree).
    found = (
        frame.select(
            *keys, __m=pl.col(column).str.extract_all(gapped), tok=pl.col(column).str.extract_all(plain)
        )
        .explode("__m", "tok")
        .filter(pl.col("__m").is_not_null())
    )
    if found.height == 0:
        out = pl.DataFrame(
            schema={**{k: frame.schema[k] for k in keys}, "pos": pl.Int64, "end": pl.Int64, "tok": pl.String}
        )
        return out.with_columns(kind=pl.lit(kind, pl.String)) if kind is not None else out
    found = found.with_columns(__end=pl.col("__m").str.len_chars().cast(pl.Int64).cum_sum().over(list(keys)))
    out = found.select(
        *keys,
        pos=pl.col("__end") - pl.col("tok").str.len_chars().cast(pl.Int64),
        end=pl.col("__end"),
        tok="tok",
    )
    return out.with_columns(kind=pl.lit(kind, pl.String)) if kind is not None else out


def anchored(pattern: str, flags: str = "(?i)") -> str:
    """`pattern` anchored at the start of the token, for `str.extract_groups` on tokens found by it."""
    return f"{flags}^(?:{ascii_classes(pattern)})"


def literal_pattern(words: tuple[str, ...]) -> str:
    """The regex equivalent of a word list (case-insensitive alternation), for tools that want a regex."""
    return "(?i)" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def contains_any_word(expr: pl.Expr, words: tuple[str, ...]) -> pl.Expr:
    """Whether the text holds any of `words` (case-insensitive): one Aho-Corasick pass, many times faster
    than the equivalent regex alternation for a long word list."""
    return expr.str.contains_any(list(words), ascii_case_insensitive=True)


def group_pattern(pattern: str, group: str) -> str:
    """The text of named group `group` in `pattern` (balanced parentheses; escapes and classes skipped)."""
    start = pattern.index(f"(?P<{group}>") + len(f"(?P<{group}>")
    depth, i, in_class = 1, start, False
    while depth:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return pattern[start : i - 1]


def find_near_triggers(
    frame: pl.DataFrame,
    column: str,
    pattern: str,
    *,
    trigger: str,
    forward: bool,
    keys: tuple[str, ...] = ("article_id", "sentence_no"),
    kind: str | None = None,
    flags: str = "(?i)",
    trigger_flags: str = "(?i)",
    window: int = 400,
) -> pl.DataFrame:
    """The matches of a costly `pattern`, looked for only next to the matches of its cheap named group
    `trigger` (a verb, say): a forward pattern starts at its trigger and is matched over the `window`
    characters after it, a backward one ends with its trigger and is matched over the characters before it.
    Same columns as find_tokens, plus the pattern's named groups.

    A pattern with long optional parts (lists, appositions, bounded repeats) run over whole sentences makes
    the regex engine leave its fast automaton; next to its rare triggers it runs on a few short strings."""
    if f"(?P<{trigger}>" not in pattern:  # a pattern switched off (rules.disabled) finds nothing
        return find_tokens(frame, column, r"\b\B", keys=keys, kind=kind)
    trig = find_tokens(
        frame,
        column,
        r"\b(?:" + group_pattern(pattern, trigger) + r")",
        keys=keys,
        kind=kind,
        flags=trigger_flags,
    )
    if trig.height == 0:
        return trig
    t = trig.join(frame.select(*keys, column), on=list(keys), how="left")
    pattern = ascii_classes(pattern)
    if forward:
        text = pl.col(column).str.slice(pl.col("pos"), window)
        t = t.with_columns(tok=text.str.extract(f"{flags}^(?:{pattern})", 0)).filter(
            pl.col("tok").is_not_null()
        )
        t = t.with_columns(end=pl.col("pos") + pl.col("tok").str.len_chars().cast(pl.Int64))
    else:
        start = (pl.col("end") - window).clip(lower_bound=0)
        text = pl.col(column).str.slice(start, pl.col("end") - start)
        t = t.with_columns(tok=text.str.extract(f"{flags}(?:{pattern})$", 0)).filter(
            pl.col("tok").is_not_null()
        )
        t = t.with_columns(pos=pl.col("end") - pl.col("tok").str.len_chars().cast(pl.Int64))
    t = t.drop(column).unique(subset=[*keys, "pos", "end"], keep="first", maintain_order=True)
    return t.with_columns(g=pl.col("tok").str.extract_groups(anchored(pattern, flags))).unnest("g")


def _sentence_slice(
    tokens: pl.DataFrame, frame: pl.DataFrame, column: str, keys: tuple[str, ...], at: str, piece: pl.Expr
) -> pl.Series:
    """`piece` of each token's sentence `column`, the token's `at` column beside it (tokens' order kept)."""
    return (
        tokens.select(*keys, at)
        .join(frame.select(*keys, column), on=list(keys), how="left", maintain_order="left")
        .select(piece)
        .to_series()
    )


def text_before(
    tokens: pl.DataFrame,
    frame: pl.DataFrame,
    column: str,
    width: int,
    keys: tuple[str, ...] = ("article_id", "sentence_no"),
) -> pl.Series:
    """For each token (keys + pos, in order), the `width` characters of its sentence's `column` before it."""
    start = (pl.col("pos") - width).clip(lower_bound=0)
    piece = pl.col(column).str.slice(start, pl.min_horizontal(pl.col("pos"), width))
    return _sentence_slice(tokens, frame, column, keys, "pos", piece)


def text_after(
    tokens: pl.DataFrame,
    frame: pl.DataFrame,
    column: str,
    width: int,
    keys: tuple[str, ...] = ("article_id", "sentence_no"),
) -> pl.Series:
    """For each token (keys + end, in order), the `width` characters of its sentence's `column` after it."""
    return _sentence_slice(tokens, frame, column, keys, "end", pl.col(column).str.slice(pl.col("end"), width))
