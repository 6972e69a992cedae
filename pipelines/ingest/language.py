"""Which language an article is in: a script test, then a stopword-share vote. No model, no dependency.

Cyrillic text is Ukrainian when it has і/ї/є/ґ (letters Russian lacks) more often than ы/э/ъ/ё (letters
Ukrainian lacks), else Russian. Latin-script text goes to the language whose commonest words make up the
largest share of its words. Text too short to tell, or with no common words of any language listed, gets None,
and other scripts get "und" (undetermined, BCP 47). Only "en" (and None) articles are extracted.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.U)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")

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


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code ("en", "uk", "ru", "de", ...), "und" for other scripts, None when it cannot tell."""
    if not text:
        return None
    sample = text[:20000]
    words = _WORD.findall(sample)
    if len(words) < MIN_WORDS:
        return None
    cyr = len(_CYRILLIC.findall(sample))
    lat = len(_LATIN.findall(sample))
    letters = sum(len(w) for w in words)
    if cyr > lat and cyr >= 0.3 * letters:
        uk, ru = len(_UK_ONLY.findall(sample)), len(_RU_ONLY.findall(sample))
        if uk > ru:
            return "uk"
        if ru > uk:
            return "ru"
        return "ru" if cyr else None
    if lat < 0.3 * letters:
        return "und"
    lowered = [w.casefold() for w in words]
    n = len(lowered)
    scores = {lang: sum(w in stop for w in lowered) / n for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    return best if scores[best] >= MIN_SHARE else None
