"""Which language an article is in: a script test, then a stopword-share vote. No model, no dependency.

Cyrillic text is Ukrainian when it has і/ї/є/ґ (letters Russian lacks) more often than ы/э/ъ/ё (letters
Ukrainian lacks), else Russian. Latin-script text goes to the language whose commonest words make up the
largest share of its words. Text too short to tell, or with no common words of any language listed, gets None,
and other scripts get "und" (undetermined, BCP 47). Only "en" (and None) articles are extracted.

The rules look at the first SAMPLE characters of a text; its words are its runs of letters (Python's
[^\\W\\d_]), compared case-folded. `detect_languages` applies them to a whole column as polars expressions,
words compared with the stopwords by their 64-bit hashes; `detect_language` is the same function for one text.
"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.dedup import has_none_of, word_hashes

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is was that for on with as by at from it were said has have are this which be "
        "an had not after its their they been who will would",
        "de": "der die das und ist nicht mit den von zu ein eine auf für im dem sich des auch es wurde bei "
        "nach sind wie aus hat wird einer",
        "fr": "le la les et des du un une est dans pour que qui sur au pas par avec ce il ont été aux sont "
        "selon cette mais",
        "es": "el la los las y de que en un una es por con para del se al como su fue han según más pero",
        "it": "il la di che e un una per non sono con del della nel è ha alla gli dei delle anche secondo",
        "pt": "o os as de que e um uma em para com não do da dos das no na foi são pelo pela",
        "pl": "i w na się z do nie to że jest o po przez od jak oraz dla jego już ale był także",
        "nl": "de het een en van in is dat op te met voor zijn niet aan er ook als door bij werd naar",
    }.items()
}
MIN_WORDS = 5  # fewer words than this: no guess
MIN_SHARE = 0.05  # the winning language's stopwords must be at least this share of the words
SAMPLE = 20000  # characters looked at

_LANGS = list(STOPWORDS)  # the vote's tie-break: this order, "en" first
_LETTER = r"[\p{L}\p{Nl}\p{No}]"  # Python's [^\W\d_] for every character of Python's Unicode tables
_WORD = _LETTER + "+"
_CYRILLIC = r"[\u0400-\u04ff]"
_LATIN = r"[A-Za-z\u00c0-\u024f]"
_UK_ONLY = "[іїєґІЇЄҐ]"
_RU_ONLY = "[ыэъёЫЭЪЁ]"
# Texts of ASCII and non-ASCII punctuation, symbols, spaces and controls outside the Cyrillic block: their
# words are ASCII, every letter is Latin, none Cyrillic, and they are found from the near-duplicate search's
# word hashes (dedup.word_hashes) without reading the text again.
_NOT_FAST = r"[[^\x00-\x7f]&&[[^\p{P}\p{S}\p{Z}\p{Cc}]\u0400-\u04ff]]"
# Words are found before case folding, so a folded word must stay one run of letters: these letters fold to
# a letter plus a combining mark (İ -> i̇) and become "ʼ" (a letter in no stopword, as a word with a mark is
# in none), and the mark U+0345 folds to a letter and becomes a space.
_FOLD_KEEPS_WORDS = str.maketrans(
    dict.fromkeys(
        "\u0130\u01f0\u0390\u03b0\u1e96\u1e97\u1e98\u1e99\u1f50\u1f52\u1f54\u1f56\u1fb6\u1fb7\u1fc6\u1fc7"
        "\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2\u1fe3\u1fe4\u1fe6\u1fe7\u1ff6\u1ff7",
        "\u02bc",
    )
    | {"\u0345": " "}
)
_FOLD_SPLITS = "[" + "".join(chr(c) for c in _FOLD_KEEPS_WORDS) + "]"


def _stopword_lanes() -> pl.DataFrame:
    """(h, lanes_0, lanes_1): each stopword's word hash and its languages as 16-bit counters packed in two
    u64 (languages 0-3 and 4-7), so that summing over a text's words counts each language's stopwords."""
    words = sorted(set().union(*STOPWORDS.values()))
    lanes = [
        [sum(1 << (16 * i) for i, lang in enumerate(langs) if w in STOPWORDS[lang]) for w in words]
        for langs in (_LANGS[:4], _LANGS[4:])
    ]
    return pl.DataFrame(
        {"h": word_hashes(pl.Series(words)).list.first(), "lanes_0": lanes[0], "lanes_1": lanes[1]},
        schema_overrides={"lanes_0": pl.UInt64, "lanes_1": pl.UInt64},
    )


_STOP_LANES = _stopword_lanes()


def _hits(hashes: pl.Series) -> pl.DataFrame:
    """(lanes_0, lanes_1) per text: its words (given as word hashes) that are stopwords, counted per language
    in packed form (see _stopword_lanes; _unpack splits them)."""
    found = (
        pl.DataFrame({"h": hashes})
        .with_row_index("i")
        .explode("h")
        .join(_STOP_LANES, on="h")
        .group_by("i")
        .agg(pl.col("lanes_0", "lanes_1").sum())
    )
    return (
        pl.DataFrame({"i": pl.int_range(hashes.len(), eager=True, dtype=pl.UInt32)})
        .join(found, on="i", how="left", maintain_order="left")
        .select(pl.col("lanes_0", "lanes_1").fill_null(0))
    )


def _unpack() -> list[pl.Expr]:
    return [
        ((pl.col(f"lanes_{i // 4}") // (1 << (16 * (i % 4)))) % (1 << 16))
        .cast(pl.Int64)
        .alias(f"hits_{lang}")
        for i, lang in enumerate(_LANGS)
    ]


def _fast_counts(texts: pl.Series, hashes: pl.Series) -> pl.DataFrame:
    """Counts of texts with only ASCII words (see _NOT_FAST), of at most SAMPLE characters, from the hashes
    of their words. dedup's words are runs of letters, digits and "_", the rules' words runs of letters: they
    differ only in dedup's words with a digit or "_", which hold as many of the rules' words as they have runs
    of letters (none in "2024", one in "4th", two in "su_25a"); those few are read from the text here."""
    with_digits = pl.DataFrame({"text": texts}).select(
        pl.col("text").str.extract_all(r"[A-Za-z0-9_]*[0-9_][A-Za-z0-9_]*")
    )["text"]
    their_words = pl.col("with_digits").list.join(" ").str.to_lowercase().str.extract_all(r"[a-z]+")
    df = (
        pl.DataFrame({"with_digits": with_digits, "h": hashes})
        .with_columns(their_words.alias("their_words"))
        .select(
            (pl.col("h").list.len() - pl.col("with_digits").list.len() + pl.col("their_words").list.len())
            .cast(pl.Int64)
            .alias("words"),
            pl.col("their_words").list.eval(pl.element().hash()).alias("h_digits"),
        )
    )
    own, in_digits = _hits(hashes), _hits(df["h_digits"])
    hits = own.select(pl.col(c) + in_digits[c] for c in own.columns)
    return pl.concat(
        [
            df.select(
                "words",
                # only ASCII letters: none Cyrillic, all Latin; that lat == letters is all the rules need to know
                letters="words",
                cyr=pl.lit(0, pl.Int64),
                lat="words",
                uk=pl.lit(0, pl.Int64),
                ru=pl.lit(0, pl.Int64),
            ),
            hits,
        ],
        how="horizontal",
    )


def _counts(samples: pl.Series) -> pl.DataFrame:
    """Counts of any texts (already cut to SAMPLE characters), from the text itself."""
    splits = set(samples.str.contains(_FOLD_SPLITS).fill_null(False).arg_true().to_list())
    folded = pl.Series(
        [
            None if t is None else (t.translate(_FOLD_KEEPS_WORDS) if i in splits else t).casefold()
            for i, t in enumerate(samples.to_list())
        ],
        dtype=pl.String,
    )
    text = pl.col("text")

    def count(pattern: str) -> pl.Expr:  # characters of a class, removed as runs (fewer matches)
        return (text.str.len_chars() - text.str.replace_all(pattern + "+", "").str.len_chars()).cast(pl.Int64)

    df = (
        pl.DataFrame({"text": samples, "folded": folded})
        .with_columns(w=pl.col("folded").str.extract_all(_WORD))
        .select(
            pl.col("w").list.eval(pl.element().hash()).alias("h"),
            text,
            pl.col("w").list.len().cast(pl.Int64).alias("words"),
            # folding keeps a word a word, and its length unless a letter folds to more (ß -> ss): recounted
            pl.col("w").list.join("").str.len_chars().cast(pl.Int64).alias("letters"),
            (pl.col("folded").str.len_chars() != text.str.len_chars()).alias("longer"),
            count(_CYRILLIC).alias("cyr"),
            text.str.count_matches(_UK_ONLY).cast(pl.Int64).alias("uk"),
            text.str.count_matches(_RU_ONLY).cast(pl.Int64).alias("ru"),
            (text.str.len_bytes() - text.str.len_chars()).cast(pl.Int64).alias("non_ascii_at_most"),
        )
    )
    longer = df["longer"].fill_null(False).arg_true()
    if longer.len():
        df = df.with_columns(
            letters=df["letters"].scatter(longer, df[longer].select(count(_LETTER)).to_series())
        )
    # Latin letters are counted only where the rules need them. At least letters - non_ascii_at_most of the
    # letters are ASCII, hence Latin; where that many already decide both script tests (most Latin-script
    # texts), they stand in for lat, as every lat >= ascii decides them the same way.
    letters, cyr = pl.col("letters"), pl.col("cyr")
    ascii_ = letters - pl.col("non_ascii_at_most")
    decided = ((cyr < 0.3 * letters) | (cyr <= ascii_)) & (ascii_ >= 0.3 * letters)
    df = df.with_columns(lat=ascii_, decided=decided)
    exact = (~df["decided"]).arg_true()
    if exact.len():
        df = df.with_columns(lat=df["lat"].scatter(exact, df[exact].select(count(_LATIN)).to_series()))
    return pl.concat(
        [df.select("words", "letters", "cyr", "lat", "uk", "ru"), _hits(df["h"])], how="horizontal"
    )


def _decide(text: pl.Expr) -> pl.Expr:
    """The rules, over the counts of _counts/_fast_counts."""
    n = pl.col("words")
    cyr, lat, letters = pl.col("cyr"), pl.col("lat"), pl.col("letters")
    hits = [pl.col(f"hits_{lang}") for lang in _LANGS]  # (see _unpack)
    top = pl.max_horizontal(hits)
    best = pl.coalesce([pl.when(h == top).then(pl.lit(lang)) for h, lang in zip(hits, _LANGS, strict=True)])
    cyrillic = (
        pl.when(pl.col("uk") > pl.col("ru"))
        .then(pl.lit("uk"))
        .when(pl.col("ru") > pl.col("uk"))
        .then(pl.lit("ru"))
        .when(cyr > 0)
        .then(pl.lit("ru"))
    )
    return (
        pl.when(text.is_null() | (text == ""))
        .then(pl.lit(None, pl.String))
        .when(n < MIN_WORDS)
        .then(pl.lit(None, pl.String))
        .when((cyr > lat) & (cyr >= 0.3 * letters))
        .then(cyrillic)
        .when(lat < 0.3 * letters)
        .then(pl.lit("und"))
        .when(top / n >= MIN_SHARE)
        .then(best)
        .otherwise(pl.lit(None, pl.String))
    )


def detect_languages(texts: pl.Series, *, word_hashes_of_texts: pl.Series | None = None) -> pl.Series:
    """ISO 639-1 code ("en", "uk", "ru", "de", ...) of every text of a column, "und" for other scripts, None
    when it cannot tell. `word_hashes_of_texts` (dedup.word_hashes of the same texts), when the caller has
    them already, saves splitting the texts into words again."""
    texts = texts.cast(pl.String).rename("text")
    if word_hashes_of_texts is not None and word_hashes_of_texts.len() != texts.len():
        raise ValueError("word_hashes_of_texts must have one row per text")
    fast = has_none_of(texts, _NOT_FAST) & (texts.str.len_chars() <= SAMPLE).fill_null(False)
    idx = pl.int_range(texts.len(), eager=True)
    fast_idx, slow_idx = idx.filter(fast), idx.filter(~fast)
    parts = []
    if fast_idx.len():
        fast_texts = texts.gather(fast_idx)
        hashes = (
            word_hashes_of_texts.gather(fast_idx)
            if word_hashes_of_texts is not None
            else word_hashes(fast_texts)
        )
        parts.append(_fast_counts(fast_texts, hashes).with_columns(i=fast_idx))
    if slow_idx.len():
        parts.append(_counts(texts.gather(slow_idx).str.slice(0, SAMPLE)).with_columns(i=slow_idx))
    counts = pl.concat(parts).sort("i") if parts else None
    if counts is None:
        return pl.Series("language", [], dtype=pl.String)
    return (
        counts.with_columns(*_unpack(), text=texts)
        .select(_decide(pl.col("text")).alias("language"))
        .to_series()
    )


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code ("en", "uk", "ru", "de", ...), "und" for other scripts, None when it cannot tell."""
    return detect_languages(pl.Series([text], dtype=pl.String))[0]
