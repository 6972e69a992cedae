"""Numbers as news writes them -> digits, as whole-column polars expressions.

Sentences are rewritten once into a working copy (`norm`) where "twenty-three" is "23", "a dozen" is "12"
and "1,200" is "1200", so every later pattern only has to know `\\d+`. The original sentence stays the
evidence; only matching runs on the working copy.
"""

from __future__ import annotations

import polars as pl

from . import rules

rules.declare(
    {
        "num.superlative_one": "'one of the hardest targets' ranks, it counts no one: no count of one",
        "num.every_one": "'destroyed every one of the 14 missiles' is all 14 ('every one of them': all of them), no count of one",
        "num.were_all": "'ten drones launched in the same wave were all shot down' is 'all ten ... were shot down'",
        "num.relative_launched": "'ten drones that were launched in the same wave were shot down': the relative clause is the participle 'launched', so the passive after it keeps its count",
        "num.em_dash": "an em dash between words is a dash, not a hyphen: 'in the attack—93 of them missiles'",
        "num.money": "a sum of money is no count: 'the injured will receive 200,000 roubles each', '$1.2 billion'",
    }
)

UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def number_words() -> dict[str, int]:
    """Every English number word from one to ninety-nine, in both 'twenty-one' and 'twenty one' spellings,
    plus dozens, hundreds and thousands that name an exact number ("a dozen", "three dozen", "a hundred", "two
    thousand").
    Plural vague amounts ("dozens", "hundreds") are deliberately absent: they are not numbers."""
    words: dict[str, int] = dict(UNITS) | dict(TENS)
    for t, tv in TENS.items():
        for u, uv in UNITS.items():
            if uv < 10:
                words[f"{t}-{u}"] = tv + uv
                words[f"{t} {u}"] = tv + uv
    for prefix, mult in [("a", 1), ("one", 1)] + [(w, v) for w, v in UNITS.items() if v > 1 and v < 10]:
        words[f"{prefix} dozen"] = 12 * mult
    words["half a dozen"] = 6
    words["a hundred"] = 100
    words["one hundred"] = 100
    words["a thousand"] = 1000
    words["one thousand"] = 1000
    for w, v in UNITS.items():
        if 1 < v < 10:
            words[f"{w} hundred"] = 100 * v
            words[f"{w} thousand"] = 1000 * v
    return words


# Characters that end a word: a number word must be followed by one of these to be replaced, so that
# "one" in "someone"/"none" and "ten" in "often" stay as they are.
_RIGHT = (" ", ",", ".", ";", ":", ")", "-", "!", "?", "\n", "'", '"')
_LEFT = (" ", "(", "\n", '"', "'", "-")


def _word_replacements() -> tuple[list[str], list[str]]:
    """(patterns, replacements) for one Aho-Corasick pass: each number word with a word boundary on both
    sides ("-" on the left only for "Twenty-three"), longest spellings first."""
    pats: list[str] = []
    reps: list[str] = []
    for word, value in sorted(number_words().items(), key=lambda kv: -len(kv[0])):
        for left in _LEFT:
            for right in _RIGHT:
                if left == "-" and right == "-":
                    continue
                pats.append(f"{left}{word}{right}")
                reps.append(f"{left}{value}{right}")
    return pats, reps


_PATTERNS, _REPLACEMENTS = _word_replacements()

# Unicode punctuation that news sites use interchangeably with ASCII; unified so patterns stay simple.
_PUNCT = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    # hyphens of other widths ("Kh\u2011101", a non-breaking hyphen), and invisible soft hyphens and zero-width
    # spaces that some sites put inside words
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2015": "-", "\u00ad": "", "\u200b": "",
}  # fmt: skip


# A sum of money, in digits (thousands separators already gone): "$1.2 billion", "200000 roubles", "UAH 5 million"
MONEY_RE = (
    r"(?i)(^|[^\w])(?:(?:[$\u20ac\u00a3\u20b4]|usd\s*|eur\s*|uah\s*)\d[\d.]*(?:\s*(?:million|billion|thousand|mln|bn)\b)?"
    r"|\d[\d.]*\s*(?:(?:million|billion|thousand|mln|bn)\s+)?(?:roubles?|rubles?|hryvnias?|hryvnas?|uah|dollars?|euros?|"
    r"pounds?\s+sterling|usd|eur)\b)"
)


def normalise_for_matching(expr: pl.Expr) -> pl.Expr:
    """The working copy of a sentence that every pattern runs on: ASCII punctuation, numbers as digits.

    Padded with a leading and trailing space so that a number word at the very start or end of a sentence
    has its word boundary too; patterns never rely on that padding otherwise.
    """
    if rules.active("num.em_dash"):
        # an em dash sets words apart, never joins them: "the attack—93 of them missiles" is "attack - 93"
        expr = expr.str.replace_all("\u2014", " - ", literal=True)
    e = expr.str.replace_many(list(_PUNCT), list(_PUNCT.values()))
    e = pl.concat_str(pl.lit(" "), e, pl.lit(" "))
    # quotation marks around words ('Hammer', "liberated the village of X") are dropped; apostrophes inside
    # words (Ukraine's) stay
    e = e.str.replace_all(r"(^|[^\w])['\"]+", "${1}").str.replace_all(r"['\"]+([^\w]|$)", "${1}")
    # thousands separators: "1,200" / "1 200" -> "1200" (twice, for millions)
    e = e.str.replace_all(r"(\d)[, ](\d{3})\b", "${1}${2}").str.replace_all(r"(\d)[, ](\d{3})\b", "${1}${2}")
    # "3.5 thousand" style is rare in attack counts; "1.5" stays a decimal and is not a count.
    # Two passes: adjacent number words ("one two") share the boundary character between them.
    for _ in range(2):
        e = e.str.replace_many(_PATTERNS, _REPLACEMENTS, ascii_case_insensitive=True, leftmost=True)
    if rules.active("num.money"):
        # "the injured 200000 roubles each" would read as 200,000 injured
        e = e.str.replace_all(MONEY_RE, "${1}a sum")
    if rules.active("num.every_one"):
        # "destroyed every one of the 14 missiles": all 14, not one
        e = e.str.replace_all(r"(?i)\bevery\s+(?:single\s+)?(?:one|1)\s+of\s+(?:the\s+)?(\d{1,6})\b", "all ${1}")
        e = e.str.replace_all(r"(?i)\bevery\s+(?:single\s+)?(?:one|1)\s+of\s+(them|these|those)\b", "all of ${1}")
    if rules.active("num.relative_launched"):
        # "Ten drones that were launched in the same wave were shot down": read as "Ten drones launched in the
        # same wave were shot down", so the count's own verb is the passive after the clause
        e = e.str.replace_all(
            r"(?i)(\d{1,6}(?:\s+[a-z][\w'-]*){1,4}?)\s+(?:that|which)\s+(?:were|had\s+been)\s+(launched|fired|sent)"
            r"((?:\s+[a-z][\w'-]*){1,8}?\s+(?:were|have\s+been|had\s+been)\s)",
            "${1} ${2}${3}",
        )
    if rules.active("num.were_all"):
        # "Ten drones that were launched in the same wave were all shot down": all ten (words only between the
        # count and "were all", so another count or clause never takes the "all")
        e = e.str.replace_all(
            r"(?i)(^|[^\w])(\d{1,6})((?:\s+[a-z][\w'-]*){1,10}?)\s+(were|have\s+been|had\s+been)\s+all\s+"
            r"((?:\w+\s+)?(?:shot\s+down|destroyed|intercepted|downed|neutrali[sz]ed|killed|injured|wounded)\b)",
            "${1}all ${2}${3} ${4} ${5}",
        )
    if rules.active("num.superlative_one"):
        # "one of the hardest targets", "one of the largest attacks": a ranking, never a count of one
        e = e.str.replace_all(
            r"(?i)(^|[^\w])1( of the (?:[a-z-]+est|most|least|worst|best)\b)", "${1}one${2}"
        )
    return e


def parse_count(expr: pl.Expr) -> pl.Expr:
    """A captured count token -> Int64: digits, or the words that mean one ("a", "an", "another", "single",
    "lone") or two ("both", "a pair of"); anything else null."""
    low = expr.str.to_lowercase().str.strip_chars()
    word_value = low.replace_strict(
        {"a": 1, "an": 1, "one": 1, "another": 1, "single": 1, "lone": 1, "a single": 1, "both": 2,
         "a pair of": 2, "the": 1},
        default=None,
        return_dtype=pl.Int64,
    )  # fmt: skip
    digits = low.str.extract(r"^(\d{1,9})$").cast(pl.Int64, strict=False)
    return pl.coalesce(digits, word_value)


# Qualifiers in front of a count, and what they mean for the count (SCHEMA.md launched_qualifier).
QUALIFIER_RE = (
    r"(?:approximately|approx\.?|about|around|roughly|some|nearly|almost|close\s+to|up\s+to|an\s+estimated|"
    r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|not\s+less\s+than|as\s+many\s+as|"
    r"more\s+than|over|upwards\s+of|in\s+excess\s+of|a\s+total\s+of|total\s+of|~)"
)


def bounds(value: pl.Expr, qual: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(low, best, high) of a count and its qualifier: exact fills all three; "approximately 580" is a best
    guess; "at least 26" a lower bound; "more than 70" the lower bound 71; "up to 30" an upper bound."""
    low = pl.when(qual.is_in(["exact", "at_least"])).then(value).when(qual == "more_than").then(value + 1)
    best = pl.when(qual.is_in(["exact", "approx"])).then(value)
    high = pl.when(qual.is_in(["exact", "at_most"])).then(value)
    return low, best, high


def qualifier_code(expr: pl.Expr) -> pl.Expr:
    """Captured qualifier text -> "approx" | "at_least" | "more_than" | "at_most" | "exact" (null -> "exact").
    "at_most" ("up to 30") is kept apart for the outcome ledger's upper bound; the JSON-lines contract has no
    such code and reports it as "approx"."""
    low = expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(low.is_null() | low.str.contains(r"total"))
        .then(pl.lit("exact"))
        .when(low.str.contains(r"^up to"))
        .then(pl.lit("at_most"))
        .when(low.str.contains(r"^(?:at least|no fewer|no less|not less|as many as)"))
        .then(pl.lit("at_least"))
        .when(low.str.contains(r"^(?:more than|over|upwards|in excess)"))
        .then(pl.lit("more_than"))
        .otherwise(pl.lit("approx"))
    )
