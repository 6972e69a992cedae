"""Find every match of a pattern in a text column, with its position, as a long frame of tokens.

polars' `str.extract_all` returns matched strings but not where they are. Matching `gap + token` instead,
with a lazy gap, makes the matches tile the text up to the last token, so a token's end position is the
running sum of match lengths. Each event kind runs several independent passes (counted weapon mentions,
verbs, cue words) and merges them by position; independent passes mean a long mention can never swallow
a verb that a single alternation would have skipped over.
"""

from __future__ import annotations

import polars as pl

# The article key inside the extractor: every window and join is keyed by article, and a categorical
# compares as an integer, several times faster than a string. extract_events casts article_id to it on the
# way in and conform() casts it back to a string on the way out; frames built empty use it too, so that
# they concatenate and join with the others.
ARTICLE_KEY = pl.Categorical()


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
    return f"{flags}^(?:{pattern})"
