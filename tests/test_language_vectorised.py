"""The language guess as whole-column polars code (detect_languages) gives what the per-text rules give.

The rules as they were written per text before (`_reference_language`) are the specification the column
code is checked against, on hand-written sentences and on generated texts."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from pipelines.ingest import language
from pipelines.ingest.dedup import word_hashes
from pipelines.ingest.language import STOPWORDS, detect_language, detect_languages

# Each text is guessed on its own, and a call on a column costs about the same for 1 text as for 30: so 100
# examples of 10-30 texts each (about 2,000 texts) rather than 300 of a few; a column of one text or a handful is
# the hand-written tests' (EXPECTED_LANGUAGES, MIXED_SCRIPTS)
SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])

_R_WORD = re.compile(r"[^\W\d_]+", re.U)


def _reference_language(text: str | None) -> str | None:
    if not text:
        return None
    sample = text[:20000]
    words = _R_WORD.findall(sample)
    if len(words) < 5:
        return None
    cyr = len(re.findall(r"[\u0400-\u04ff]", sample))
    lat = len(re.findall(r"[A-Za-z\u00c0-\u024f]", sample))
    letters = sum(len(w) for w in words)
    if cyr > lat and cyr >= 0.3 * letters:
        uk, ru = len(re.findall("[іїєґІЇЄҐ]", sample)), len(re.findall("[ыэъёЫЭЪЁ]", sample))
        if uk > ru:
            return "uk"
        if ru > uk:
            return "ru"
        return "ru" if cyr else None
    if lat < 0.3 * letters:
        return "und"
    lowered = [w.casefold() for w in words]
    scores = {lang: sum(w in stop for w in lowered) / len(lowered) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    return best if scores[best] >= 0.05 else None


# --------------------------------------------------------------------------- language
EXPECTED_LANGUAGES = {
    "The mayor said that the old bridge was closed after the storm and it will open again in the spring.": "en",
    "Der Bürgermeister sagte, dass die alte Brücke nach dem Sturm gesperrt ist und im Frühling öffnet.": "de",
    "Le maire a déclaré que le vieux pont est fermé après la tempête et qu'il rouvrira au printemps.": "fr",
    "El alcalde dijo que el puente viejo fue cerrado por la tormenta y que se abrirá en la primavera.": "es",
    "Мер сказав, що старий міст закрили після шторму і його відкриють навесні, повідомили в міській раді.": "uk",
    "Мэр сказал, что старый мост закрыт после шторма и его откроют весной, сообщили в мэрии города.": "ru",
    "Ο δήμαρχος είπε ότι η παλιά γέφυρα έκλεισε μετά την καταιγίδα και θα ανοίξει την άνοιξη.": "und",
    # words with digits: "4th" is one word ("th"), "2024" none; still English
    "The 4th brigade and the 21st said on Monday that 2024 was the year of the F-16 jets.": "en",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed eiusmod tempor.": None,  # no stopwords
    "Kyiv Odesa Lviv": None,  # too short to tell
    "   \n\t ": None,
    "": None,
    None: None,
}


def test_language_column_matches_hand_written_expectations() -> None:
    texts = list(EXPECTED_LANGUAGES)
    assert detect_languages(pl.Series(texts, dtype=pl.String)).to_list() == list(EXPECTED_LANGUAGES.values())
    for text, expected in EXPECTED_LANGUAGES.items():
        assert detect_language(text) == expected, text
        assert _reference_language(text) == expected, text  # the expectations are the rules' own


def test_language_from_shared_word_hashes_is_the_same() -> None:
    texts = pl.Series(list(EXPECTED_LANGUAGES), dtype=pl.String)
    shared = detect_languages(texts, word_hashes_of_texts=word_hashes(texts))
    assert shared.to_list() == list(EXPECTED_LANGUAGES.values())


TRICKY = (
    list("aeiouxyzAEIOU0123456789_ -.,'’“”—\n\t")
    + [
        "the ",
        " and ",
        " der ",
        " la ",
        " de ",
        " і ",
        " ы ",
        " і",
        "ы",
        "ß",
        "ẞ",
        "ſ",
        "ﬆ",
        "ﬁ",
        "İ",
        "ΐ",
        "\u0345",
    ]
    + ["Київ ", "Москва ", "été ", "für ", "się ", "é", "e\u0301", "×", "÷", "҂", "²", "½", "Ⅻ", "Ⓐ", "ǅ"]
    + ["σ", "Σ", "ς", "Ω", "中文", "\u200d", "\u00ad", "\u00a0", "4th ", "su_25 ", "F-16 ", "2024 "]
    + [w + " " for w in sorted(set().union(*STOPWORDS.values()))]
)


@SETTINGS
@given(st.lists(st.lists(st.sampled_from(TRICKY), max_size=60).map("".join), min_size=10, max_size=30))
def test_language_column_agrees_with_the_rules(texts: list[str]) -> None:
    series = pl.Series(texts, dtype=pl.String)
    expected = [_reference_language(t) for t in texts]
    assert detect_languages(series).to_list() == expected
    assert detect_languages(series, word_hashes_of_texts=word_hashes(series)).to_list() == expected


MIXED_SCRIPTS = [
    # Cyrillic against Latin letters some of which are not ASCII: the script test needs the exact counts
    "Київ Київ Київ Київ " + "été été " + "the and of",
    "Київ Київ Київ " + "été été été été " + "the and",
    "Москва Москва Москва " + "ÉTÉ " * 3 + "to in",
    "Straße Straße ﬆ ſie İstanbul ΐ der die das und ist",
    "ß" * 10 + " und die der das ist nicht mit",
    "中文 中文 中文 中文 the and of to in",
    "Ελλάδα Ελλάδα Ελλάδα Ελλάδα the and of to",
    "× × × × ÷ ÷ ҂ ҂ ҂ the and of to in",
]


def test_language_of_mixed_scripts() -> None:
    assert detect_languages(pl.Series(MIXED_SCRIPTS)).to_list() == [
        _reference_language(t) for t in MIXED_SCRIPTS
    ]


def test_language_looks_at_the_first_20000_characters() -> None:
    english = "The mayor said that the bridge was closed. " * 400  # ~17,000 characters
    german = "Der Bürgermeister sagte, dass die Brücke gesperrt ist. " * 2000
    texts = [english + german, german[:100] + english, english + "x" * 30000]
    assert detect_languages(pl.Series(texts)).to_list() == [_reference_language(t) for t in texts]


@pytest.mark.thorough  # a sweep: every assigned code point, through polars and through Python
def test_letter_class_and_fold_fixes_agree_with_python_on_every_code_point() -> None:
    chars = [
        chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000 and unicodedata.category(chr(i)) != "Cn"
    ]
    rust_letter = pl.Series(chars).str.contains("^" + language._LETTER + "$").to_list()
    for c, letter in zip(chars, rust_letter, strict=True):
        assert letter == bool(_R_WORD.match(c)), hex(ord(c))
        # folding (after the fixes) keeps every letter a letter and every non-letter a non-letter
        folded = c.translate(language._FOLD_KEEPS_WORDS).casefold()
        assert all(bool(_R_WORD.match(f)) == letter for f in folded), hex(ord(c))
    # texts of the fast path have no letter, before or after folding, but ASCII ones; none Cyrillic
    fast = pl.Series(chars).str.contains(language._NOT_FAST).not_().to_list()
    for c, ok in zip(chars, fast, strict=True):
        if ok and ord(c) > 0x7F:
            assert not _R_WORD.search(c.casefold()) and not 0x400 <= ord(c) <= 0x4FF, hex(ord(c))
