"""Place names as extraction reads them: the capitalised words that are no place, whatever the gazetteer says.

The gazetteer itself (places.csv, GeoNames and pycountry -> admin1; `resolve_places`) is reference data that the
warehouse reads too: pipelines/reference/gazetteer.py. Its lookup is imported here for the extractors.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.reference.gazetteer import load_gazetteer, resolve_places

__all__ = ["NOT_PLACE_NAME_RE", "NOT_PLACE_WORD_RE", "SETTLEMENT_SHAPE_RE", "admin1_countries", "resolve_places"]


@lru_cache(maxsize=1)
def admin1_countries() -> pl.DataFrame:
    """admin1 -> country, for every admin1 the gazetteer knows (which focus a place takes: its country's)."""
    return load_gazetteer().select("admin1", "country").drop_nulls().unique("admin1")


# --------------------------------------------------------------------------- names that are no place
# Capitalised words news puts where a place could stand ("in Russian attacks", "on Telegram", "Ukraine's
# army"): countries and demonyms, weekdays and months, pronouns, outlets, bodies and people. A name the
# gazetteer does not know is only taken for a village when it is none of these.
NOT_PLACE_NAME_RE = (
    # countries and demonyms as whole words: "Ukrainka", "Ukrainsk" and "Russkaya Lozova" are villages
    r"(?i)^(?:(?:ukraine|ukrainian|ukrainians|russia|russian|russians|belarus|belarusian|soviet|america|american|"
    r"americans|europe|european|europeans|britain|british|english|french|germany|german|germans|poland|polish|"
    r"western|westerners|chechen|chechens|chechnya|iran|iranian|iranians|turkey|turkish|turks|china|chinese|korea|"
    r"korean|koreans|north\s+korean|israel|israeli|israelis|poles|brits|nato|kremlin)(?:-\w+)?(?:'s)?|the|a|an|it|its|this|that|these|those|they|he|she|we|his|her|both|all|each|"
    r"several|some|many|two|three|four|five|"
    r"north|south|east|west|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|wagner|telegram|facebook|twitter|x|defen[cs]e|"
    r"ministry|army|general|staff|forces|president|putin|zelensk\w*|kadyrov|prigozhin|deepstate|reuters|tass|ria|"
    r"interfax|isw|afp|ap|un|unicef|suspilne|ukrinform|god|"
    # titles before a name: "..., Chief of the General Staff Valery Gerasimov told Putin"
    r"chief|commander|head|governor|mayor|spokes(?:man|woman|person)|deputy)$"
)
# A word inside a name that makes it something other than a settlement ("Donetsk People's Republic").
NOT_PLACE_WORD_RE = (
    r"\b(?:Republic|Region|Oblast|Province|District|Ministry|Army|Forces|Group|Command|Staff|Brigade|"
    r"Battalion|Regiment|Fleet|Sea|River|Reservoir|Guard|Corps|Council|Agency|News|Times|Post|Telegram|"
    r"Institute|Committee|Service|Union|Federation|Kremlin|Wagner|President|Minister|General|Street|Avenue|"
    r"Square|Hospital|Church|Cathedral|Airport|Station|Plant|University|School|Center|Centre)\b"
)

# The endings of Ukrainian and Russian settlement names in English ("Novoselivka", "Kamenka-Dneprovskaya",
# "Pokrovske", "Zelenyi Hai" does not have one): the shape says "village" where no gazetteer lists it. Endings
# that English words and surnames share ("-ov", "-in", "-sky") are left out.
SETTLEMENT_SHAPE_RE = (
    r"(?:ivka|ovka|evka|skaya|skoye|skoe|ske|ska|yne|ove|eve|ino|ovo|evo|ychi|ivtsi|yany|"
    r"horod|hrad|gorod|grad|opil|opol)$"
)
