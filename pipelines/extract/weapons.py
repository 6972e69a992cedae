"""Weapon nouns as extraction reads them: the alias pattern, the literal words for pre-filters, and a matched
noun's model, class and side, all built from the weapon reference table (pipelines/reference/weapons.py,
`weapons.csv`: the one place where weapon names live).
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from pipelines.reference.weapons import load_weapons


def alias_pattern() -> str:
    """Regex alternation of every alias, longest first (so "storm shadow" wins over "storm"), with flexible
    hyphens/spaces ("Kh-101" = "Kh 101" = "Kh101")."""
    aliases = sorted(load_weapons()["alias"].to_list(), key=len, reverse=True)
    parts = []
    for a in aliases:
        esc = re.escape(a).replace(r"\-", "[- ]?").replace(r"\ ", r"\s+")
        # a model's plural: "Kh-101s", "S-300s", "Kinzhals" (classify_alias reads it as the model)
        parts.append(esc + ("(?:'?s)?" if a[-1].isalnum() and not a.endswith("s") else ""))
    return "(?:" + "|".join(parts) + ")"


def alias_words() -> list[str]:
    """Every alias as literal words a text may hold ("kh-101", "kh 101", "kh101"), for literal pre-filters."""
    words = set()
    for a in load_weapons()["alias"].to_list():
        words |= {a, a.replace("-", " "), a.replace("-", "")}
    return sorted(words)


def classify_alias(expr: pl.Expr) -> pl.Expr:
    """A matched weapon noun -> struct(model, weapon_class, side, family) via a lookup on the canonical alias."""
    key = expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    table = load_weapons()
    # tolerate spelling variants of hyphenated names ("kh101", "kh 101") by looking up a hyphen-free key too
    squashed = table.with_columns(pl.col("alias").str.replace_all(r"[- ]", ""))
    mapping_model = dict(zip(squashed["alias"], squashed["model"], strict=True))
    mapping_class = dict(zip(squashed["alias"], squashed["weapon_class"], strict=True))
    mapping_side = dict(zip(squashed["alias"], squashed["attacker"], strict=True))
    mapping_family = dict(zip(squashed["alias"], squashed["family"], strict=True))
    k = key.str.replace_all(r"[- ]", "")
    singular = k.str.replace(r"'?s$", "")

    def look(mapping: dict) -> pl.Expr:
        return pl.coalesce(
            k.replace_strict(mapping, default=None, return_dtype=pl.String),
            singular.replace_strict(mapping, default=None, return_dtype=pl.String),
        )

    return pl.struct(
        model=look(mapping_model), weapon_class=look(mapping_class), side=look(mapping_side),
        family=look(mapping_family),
    )


# the kind words news uses for a family without naming a model ("cruise missiles", "guided air missiles")
FAMILY_WORDS = {
    "aeroballistic": ("aeroballistic", "aero-ballistic", "hypersonic"),
    "cruise": ("cruise", "anti-ship"),
    "ballistic": ("ballistic",),
    "guided": ("guided",),
    "anti_aircraft": ("anti-aircraft", "surface-to-air"),
}


def _squash(word: str) -> str:
    return re.sub(r"[\s-]+", "", word.lower())


@lru_cache(maxsize=1)
def _family_lookup() -> tuple[str, dict[str, str]]:
    """One alternation of every family word and model alias (longest first), and squashed word -> family."""
    table = load_weapons().filter(pl.col("family").is_not_null())
    mapping = {_squash(a): f for a, f in zip(table["alias"], table["family"], strict=True)}
    for family, words in FAMILY_WORDS.items():
        mapping.update({_squash(w): family for w in words})
    words = sorted({*table["alias"].to_list(), *(w for ws in FAMILY_WORDS.values() for w in ws)}, key=len, reverse=True)
    alternation = "|".join(re.escape(w).replace(r"\-", "[- ]?").replace(r"\ ", r"\s+") for w in words)
    return r"(?i)\b(" + alternation + r")", mapping


def family_of(noun: pl.Expr, mods: pl.Expr) -> pl.Expr:
    """A counted missile's family (cruise, ballistic, ...): its noun's (weapons.csv), else the first model or kind
    word among its modifiers ("Kh-101 missiles", "cruise missiles"); null for a plain "missiles"."""
    pattern, mapping = _family_lookup()
    word = mods.str.extract(pattern, 1).str.to_lowercase().str.replace_all(r"[\s-]+", "")
    return pl.coalesce(
        classify_alias(noun).struct.field("family"),
        word.replace_strict(mapping, default=None, return_dtype=pl.String),
    )
