"""Air attacks: counted weapon mentions -> one row per (article, attacker, weapon class).

How a row comes about (all whole-column polars, no per-article Python):
1. mentions: "approximately 580 drones", "both missiles", "all 24 Russian drones", "28 out of 31 drones",
   bare counts that refer back ("58 of which", "73 were shot down", "All 10 were destroyed");
2. verbs: launch verbs (launched, fired, attacked ... with), intercept verbs (shot down, destroyed, downed,
   neutralised), other outcomes (electronic warfare, "lost", "failed to reach") and impacts ("the missile
   struck");
3. each mention takes the role of the verb it belongs to: a passive/impact verb right after it, else the
   verb before it in the sentence, else the verb after it;
4. attacker: what the weapon itself says (ATACMS is Ukrainian, Shahed is Russian), its adjective ("Ukrainian
   drones"), else the sentence's cues (Russian air defence, Ukrainian drones, "over the Kursk region"),
   else the previous sentences', else Russia;
5. figures per sentence are summed (4 cruise + 1 Kinzhal + 1 Iskander = 6 missiles); across sentences the
   largest sentence total wins (a headline often gives one part); if the article only gives per-region
   figures ("15 over Kursk region", "one over Oryol region") they are summed, one per region.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import polars as pl

from pipelines.extract.numbers import QUALIFIER_RE, bounds, parse_count, qualifier_code
from pipelines.extract.tokens import ARTICLE_KEY, anchored, find_tokens
from pipelines.extract.weapons import alias_pattern, classify_alias
from pipelines.schema import OUTCOMES

KEYS = ("article_id", "sentence_no")

# --------------------------------------------------------------------------- shared fragments
NUM = r"\d{1,7}"
# What may stand right before a count: "Kh-101" and "Shahed-136/131" contain numbers that are not counts.
LEFT = r"(?:^|[\s(\[,;:])"
# A word inside a weapon phrase ("Iranian-made", "Shahed-136/131", "long-range", "U.S.-supplied"); it
# starts with a letter, so a following count ("28 drones and 3 missiles") is never absorbed into it.
MODWORD = r"[a-z][\w'./-]*"
# Nouns that turn a weapon word into a modifier: "a missile attack", "drone strikes", "Patriot missile
# system", "drone debris" name no counted weapon.
AFTER_NOUN = (
    r"(?:attacks?|strikes?|systems?|defen[cs]es?|threats?|alerts?|danger|launchers?|carriers?|debris|"
    r"fragments?|wreckage|operators?|units?|production|factory|factories|plants?|barrages?|warnings?|raids?|"
    r"bases?|sites?|programs?|programmes?|components?|parts?|boats?|ships?|engines?|forces|troops|assaults?|"
    r"launches|shelters?|hits|crews?|pilots?|makers?|manufacturers?|industry|warfare|campaign|terror|"
    r"storage|depots?|stocks?|supplies|deliveries|shipments?|attack|fire|shelling|danger|technology|"
    r"interceptors?|team|teams|groups?|regiment|brigade|battalion|command|course|range|ranges)"
)
# Hyphenated compounds that make a weapon word an adjective: "missile-carrying aircraft".
COMPOUND = r"-(?:carrying|launching|armed|capable|laden|based|shaped|making|producing|related|proof|free)"
# Words that never sit inside a weapon phrase; a "mention" containing one spans a clause ("a series of
# Ukrainian drones", "a day after Russia launched drones") and is discarded.
NOT_A_MODIFIER = (
    r"\b(?:of|the|their|its|his|her|with|from|to|at|in|on|by|were|was|is|are|be|been|has|have|had|that|which|"
    r"who|for|after|before|than|as|said|says|say|launched|fired|sent|used|using|involving|including|"
    r"destroyed|downed|intercepted|shot|struck|hit|attacked|targeted|against|over|during|since|while|"
    r"when|where|there|this|these|those|per|each|every|day|night|week|month|year)\b"
)
# Adjectives allowed between the two nouns of one count shared by two classes ("40 missiles, drones",
# "100 missiles and attack drones"); a count word there ("and both missiles") starts a new mention instead.
COMBO_ADJ = r"(?:attack|combat|kamikaze|cruise|ballistic|guided|glide|strike|long-range|jet|jet-powered|decoy|aerial|air|hypersonic|anti-aircraft)"
HEDGE = r"(?:likely|probably|possibly|presumably|apparently|reportedly|allegedly|perhaps|believed\s+to\s+be)"


@lru_cache(maxsize=1)
def patterns() -> dict[str, str]:
    """The named patterns, built once (the weapon alternation comes from weapons.csv)."""
    weapon = alias_pattern()
    p: dict[str, str] = {}

    # "approximately 580 drones", "both missiles", "an aeroballistic missile Kinzhal", "all 24 Russian drones",
    # "seven HIMARS multiple rocket launcher shells" (noun = HIMARS). Optional parts flag what the count is:
    # m_by: the weapon is an agent ("destroyed by a Kinzhal missile") not a counted launch or interception;
    # m_hedge: apposition guessing a type ("a ballistic missile, likely an X-101"): the same weapon again;
    # m_after: a modifier use ("a missile attack"); m_combo: one count for two classes ("40 missiles, drones").
    p["mention"] = (
        LEFT + r"(?P<m_by>by\s+)?(?P<m_hedge>\b" + HEDGE + r"\s+)?(?P<m_all>\ball\s+(?:of\s+the\s+|the\s+)?)?"
        r"(?P<m_qual>\b" + QUALIFIER_RE + r"\s+)?"
        r"(?P<m_num>\b(?:" + NUM + r"|an?|another|single|both|a\s+pair\s+of))\s+"
        r"(?P<m_mods>(?:" + MODWORD + r"\s+){0,5}?)"
        r"(?P<m_noun>" + weapon + r")\b(?P<m_compound>" + COMPOUND + r")?"
        r"(?P<m_each>\s+each)?(?P<m_after>\s+" + AFTER_NOUN + r"\b)?"
        r"(?P<m_combo>(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*/\s*)(?:" + COMBO_ADJ + r"\s+){0,2}" + weapon + r"\b)?"
    )
    # "28 out of 31 Russia-launched drones", "21 of the drones", "1 of the missiles": the first count is a
    # part (of_part) of a whole that may be given (of_whole) or refer back to the launched total.
    p["part_of"] = (
        LEFT + r"(?P<of_part>" + NUM + r")\s+(?:out\s+)?of\s+(?:the\s+|these\s+|those\s+|them\s+)?"
        r"(?P<of_qual>" + QUALIFIER_RE + r"\s+)?(?P<of_whole>" + NUM + r"\s+)?"
        r"(?P<of_mods>(?:" + MODWORD + r"\s+){0,4}?)(?P<of_noun>" + weapon + r")\b"
    )
    # "out of more than 90 missiles, 73 were shot down": the whole, launched.
    p["out_of"] = (
        r"\bout\s+of\s+(?P<oo_qual>" + QUALIFIER_RE + r"\s+)?(?P<oo_num>" + NUM + r")\s+"
        r"(?P<oo_mods>(?:" + MODWORD + r"\s+){0,4}?)(?P<oo_noun>" + weapon + r")\b"
    )
    # A count without a weapon noun that refers back to the last weapon mentioned:
    # "58 of which", "18 of those", "All 10 were destroyed", "73 were shot down", "shot down 73."
    p["back_ref"] = (
        LEFT + r"(?P<b_all>all\s+)?(?P<b_num>" + NUM + r")\s+(?:of\s+(?:which|them|those|these)\b|"
        r"(?:were|was|have\s+been|had\s+been|has\s+been)\s+(?:\w+\s+)?(?:shot\s+down|destroyed|intercepted|downed|"
        r"neutrali[sz]ed|eliminated|jammed|suppressed|(?:locationally\s+)?lost|diverted)\b)"
        r"|\b(?:shot\s+down|destroyed|intercepted|downed)\s+(?P<b_num2>" + NUM + r")\s*(?:[.;]|,\s|$)"
    )
    # "All the projectiles, except for the Iskander-M missile, were shot down": every weapon launched,
    # minus the named exception.
    p["all_except"] = (
        r"\ball\s+(?:of\s+)?(?:the\s+)?(?:(?:enemy|russian|air|aerial)\s+)?(?P<ae_what>projectiles|targets|weapons|"
        r"means\s+of\s+(?:air\s+)?attack|air\s+targets|of\s+them)\b"
        r"(?:\s*,?\s*(?:except|but)\s+(?:for\s+)?(?P<ae_num>the|an?|"
        + NUM
        + r")\s+(?P<ae_mods>(?:"
        + MODWORD
        + r"\s+){0,3}?)(?P<ae_noun>"
        + weapon
        + r")\b)?"
    )
    # "..., of which 88 drones and 15 missiles were downed": counts after this marker are parts of the
    # counts before it and take the verb that follows them.
    p["of_which"] = r"\bof\s+(?:which|them|those|these)\b"
    # "... adding that all were destroyed": every weapon launched was intercepted.
    p["all_passive"] = (
        r"\ball\s+(?:of\s+them\s+)?(?:were|was|have\s+been|had\s+been)\s+(?:\w+\s+)?"
        r"(?:shot\s+down|destroyed|intercepted|downed|neutrali[sz]ed)\b"
    )
    # "the missile struck": a single weapon reported by its impact.
    p["the_impact"] = (
        r"\bthe\s+(?P<ti_mods>(?:" + MODWORD + r"\s+){0,2}?)(?P<ti_noun>missile|rocket|drone|bomb)\s+"
        r"(?:struck|hit|exploded|landed|slammed)\b"
    )

    # Verbs. v_pass marks a passive ("were shot down") that binds to the count just before it.
    aux = r"(?P<v_pass>\b(?:were|was|have\s+been|has\s+been|had\s+been|being|been|are|is)\s+(?:\w+\s+)?)?"
    p["launch"] = (
        aux + r"\b(?:launch(?:ed|es|ing)?|fir(?:ed|es|ing)|fire|sent|send(?:s|ing)?|used|using|deployed|"
        r"involv(?:ed|ing)|dropp(?:ed|ing)|releas(?:ed|ing)|(?:attack(?:ed|s|ing)?|struck|hit|targeted|targeting|shell(?:ed|ing)|bombard(?:ed|ing)|"
        r"strik(?:es|ing))\s+(?:[\w'.-]+\s+){0,5}?with|recorded|detected|spotted|tracked)\b"
    )
    p["intercept"] = (
        aux + r"\b(?:shot\s+down|shoot(?:s|ing)?\s+down|downed|down(?:s|ing)?|destroy(?:ed|s|ing)?|"
        r"intercept(?:ed|s|ing|ion\s+of)?|neutrali[sz](?:ed|es|ing)|took\s+down|taken\s+down|brought\s+down|"
        r"eliminated|repelled|repulsed|suppressed\s+by\s+air\s+defen[cs]e)\b"
    )
    # Weapons that did not reach their targets without being shot down: electronic warfare, "locationally
    # lost" (SCHEMA.md: not added to intercepted; the outcome ledger keeps them as suppressed).
    p["suppress"] = (
        aux
        + r"\b(?:locationally\s+lost|lost|jammed|suppressed|disappeared|(?:did\s+not|didn't|failed\s+to)\s+reach|"
        r"electronic\s+warfare|went\s+missing|diverted)\b"
    )
    # Reported hits: "nine missiles hit their targets", "hits were recorded".
    p["hit_targets"] = (
        aux + r"\b(?:hit|reached|struck)\s+(?:their\s+|its\s+|the\s+)?(?:intended\s+)?targets?\b"
    )
    # Outcomes counted nowhere: "crashed", "fell".
    p["other_outcome"] = aux + r"\b(?:crashed|fell)\b"
    p["impact"] = r"\b(?:hit|struck|slammed\s+into|exploded|landed)\b"
    return p


# --------------------------------------------------------------------------- attacker cues (per sentence)
# Which side fired the weapons a sentence counts. Each cue has a weight; the side with more weight wins.
RUSSIAN_REGIONS = (
    r"(?:belgorod|kursk|bryansk|oryol|orel|moscow|voronezh|rostov|krasnodar|lipetsk|astrakhan|tula|kaluga|"
    r"smolensk|ryazan|tver|tambov|saratov|volgograd|samara|penza|leningrad|pskov|novgorod|yaroslavl|ivanovo|"
    r"vladimir|nizhny\s+novgorod|tatarstan|bashkortostan|chechnya|dagestan|stavropol|adygea|kaliningrad|"
    r"mordovia|chuvashia|ulyanovsk|orenburg|perm|sverdlovsk|crimea|sevastopol|novorossiysk|taganrog|"
    r"engels|yeysk|tuapse|sochi|st\.?\s+petersburg)"
)
UA_CUES = {
    3: [
        r"\bukrainian\s+(?:[a-z][\w-]*\s+){0,3}?(?:drones?|uavs?|unmanned|missiles?|rockets?)\b",
        r"\b(?:launched|fired|sent|used)\s+by\s+(?:the\s+)?(?:ukraine|ukrainian|kyiv|kiev)",
        r"\b(?:kiev|kyiv)\s+regime\b",
        r"\b(?:ukraine|ukrainian\s+(?:forces|troops|military|army))\s+(?:has\s+|had\s+)?(?:launched|fired|attacked|struck)\b",
    ],
    2: [
        r"\brussia(?:n|'s)?\s+air\s+defen[cs]es?",
        r"\b(?:over|above|in|on)\s+(?:the\s+)?(?:skies\s+over\s+)?(?:(?:southern|northern|western|eastern|central|border|borderline|russian)\s+)?"
        + RUSSIAN_REGIONS
        + r"\b",
        r"\b(?:over|above)\s+(?:his|her|its|their)\s+region\b",
        r"\b(?:toward|towards|heading\s+for|approaching|flying\s+(?:to|at))\s+(?:the\s+)?"
        + RUSSIAN_REGIONS
        + r"\b",
        r"\bover\s+russia(?:n|'s)?\b",
    ],
    1: [
        r"\brussia(?:n|'s)?\s+(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|mod)\b",
        r"\b(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e)\s+of\s+the\s+russian",
    ],
}
RU_CUES = {
    3: [
        r"\brussian\s+(?:[a-z][\w-]*\s+){0,3}?(?:drones?|uavs?|unmanned|missiles?|rockets?|bombs?)\b",
        r"\b(?:russia|russians|russian\s+(?:forces|troops|military|army)|moscow|the\s+enemy|occupiers|invaders)\s+"
        r"(?:has\s+|had\s+|have\s+)?(?:\w+\s+)?(?:launched|fired|attacked|sent|used|struck|hit|targeted|deployed|launches|fires)\b",
        r"\b(?:launched|fired|sent)\s+by\s+(?:the\s+)?(?:russia|russian)",
    ],
    2: [
        r"\b(?:ukraine|ukraine's|ukrainian)\s+(?:air\s+force|air\s+defen[cs]es?|military|armed\s+forces|air\s+command)",
        r"\bair\s+force\s+of\s+ukraine",
    ],
    1: [
        r"\b(?:at|on|against|across)\s+(?:the\s+)?(?:ukraine|ukrainian|kyiv|kiev)\b",
    ],
}

# Sentences about other times than the reported attack: cumulative tallies and history get no row
# (SCHEMA.md). "past 24 hours" / "last night" are the report's own window and are not listed here.
BACKGROUND_RE = (
    r"(?i)\b(?:since\s+(?:the\s+(?:start|beginning)|february|the\s+full-scale|20\d\d|it\s+began)|"
    r"(?:this|last|past|previous)\s+(?:year|month|week)\b|(?:past|last|previous)\s+(?:few\s+)?(?:days|weeks|months|years)|"
    r"earlier\s+(?:this|in\s+the|last)\s+(?:week|month|year)|in\s+(?:early|late|mid-?)?\s*(?:january|february|march|april|may|june|july|august|september|october|november|december)?\s*(?:19|20)\d\d|"
    r"(?:of|during)\s+(?:19|20)\d\d\b|so\s+far\s+(?:this|in)|in\s+total\s+since|a\s+record|per\s+(?:day|night)|"
    r"on\s+average|a\s+(?:day|week|month)\b|each\s+(?:day|month)|every\s+(?:day|month)|weekly|monthly|"
    r"for\s+the\s+first\s+time|last\s+days|first\s+days)"
)

# Arms deliveries, production and procurement: weapons counted there are not fired ("sent 50 ATACMS
# missiles to Ukraine", "produces 100 drones a day"). Provenance is not supply: the word must not follow a
# hyphen ("UK-supplied Storm Shadow missiles were shot down"), "manufactured by"/"produced by" are not
# listed, and a sentence with an interception verb is never a supply sentence.
SUPPLY_RE = (
    r"(?i)(?:^|[^-\w])(?:aid|package|suppl(?:y|ied|ies|ying)|deliver(?:ed|y|ies|s|ing)?|"
    r"donat\w*|transferr?\w*|purchas\w*|bought|buy(?:ing)?|order(?:ed|s)?|produc(?:e|es|tion|ing)|"
    r"(?:has|have|had)\s+(?:produced|manufactured)|manufactur(?:e|es|ing|ers?)|contracts?|stockpiles?|arsenal|exports?|imports?|pledg\w*|promis\w*|"
    r"budget|billion|million|worth|will\s+(?:send|get|give))\b"
)

# A figure located in one named region ("15 drones over the Kursk region"): a part of the night's total.
PARTIAL_RE = (
    r"(?i)\b(?:over|above|in|near)\s+(?:the\s+)?(?:skies\s+over\s+)?(?:(?:southern|northern|western|eastern|central|"
    r"border|borderline)\s+)?(?P<region>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)\s+(?:region|oblast|province|krai|republic)\b(?:[^s]|$)"
    r"|\b(?:over|above)\s+(?:his|her|its)\s+(?P<region2>region)\b"
)

# Cheap literal pre-filter: only sentences naming a weapon word are scanned by the patterns above.
PREFILTER_RE = (
    r"(?i)drone|uav|unmanned|missile|rocket|shahed|geran|bomb|kab\b|fab|projectile|kalibr|caliber|iskander|"
    r"kinzhal|kh-?\d|x-\d|atacms|atakms|storm\s+shadow|scalp|himars|harm\b|neptune|hammer|jdam|s-[34]00|"
    r"decoy|loitering|lancet|zircon|tsirkon|oniks|onyx|tochka|oreshnik|kn-23|taurus|glsdb|flamingo|lyutyi|"
    r"gerbera|bayraktar|orlan|all\s+(?:of\s+)?(?:the\s+)?(?:projectiles|targets)|\d+\s+(?:of\s+(?:which|them|those|these)|were|was)|"
    # outcome verbs: a count that refers back ("nine of them were shot down") names no weapon
    r"shot\s+down|destroy|intercept|downed|neutrali"
)


def _cue_score(cues: dict[int, list[str]]) -> pl.Expr:
    expr = pl.lit(0, pl.Int64)
    for weight, pats in cues.items():
        for pat in pats:
            expr = expr + pl.col("norm").str.count_matches("(?i)" + pat).cast(pl.Int64) * weight
    return expr


def sentence_attackers(sentences: pl.DataFrame) -> pl.DataFrame:
    """Per sentence, the attacker its cues point to (null when they do not decide), forward-filled from
    earlier sentences of the same article, then the article's overall lean, then "RU"."""
    scored = sentences.select(
        *KEYS,
        ua=_cue_score(UA_CUES),
        ru=_cue_score(RU_CUES),
    ).sort(*KEYS)
    own = (
        pl.when(pl.col("ua") > pl.col("ru"))
        .then(pl.lit("UA"))
        .when(pl.col("ru") > pl.col("ua"))
        .then(pl.lit("RU"))
    )
    lean = (
        pl.when(pl.col("ua").sum().over("article_id") > pl.col("ru").sum().over("article_id"))
        .then(pl.lit("UA"))
        .otherwise(pl.lit("RU"))
    )
    return scored.with_columns(sentence_attacker=own).select(
        *KEYS,
        sentence_attacker=pl.coalesce(pl.col("sentence_attacker").forward_fill().over("article_id"), lean),
    )


# --------------------------------------------------------------------------- tokens
def _groups(tokens: pl.DataFrame, pattern: str) -> pl.DataFrame:
    """Unpack the named groups of the pattern that found each token into columns."""
    if tokens.height == 0:
        return tokens
    return tokens.with_columns(g=pl.col("tok").str.extract_groups(anchored(pattern))).unnest("g")


def _mention_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Counted weapon phrases -> kind "mention" with count, class, side, flags."""
    t = _groups(find_tokens(cand, "norm", p["mention"], kind="mention"), p["mention"])
    if t.height == 0:
        return _empty_mentions()
    noun = classify_alias(pl.col("m_noun"))
    mods_side = (
        pl.when(pl.col("m_mods").str.contains(r"(?i)\bukrain"))
        .then(pl.lit("UA"))
        .when(pl.col("m_mods").str.contains(r"(?i)\brussia|\benemy\b"))
        .then(pl.lit("RU"))
    )
    t = t.with_columns(
        noun=noun,
        count=parse_count(pl.col("m_num").str.replace_all(r"\s+", " ")),
        qual=qualifier_code(pl.col("m_qual")),
        combo_class=classify_alias(
            pl.col("m_combo").str.extract("(?i)(" + alias_pattern() + r")\s*$", 1)
        ).struct.field("weapon_class"),
    ).with_columns(
        weapon_class=pl.col("noun").struct.field("weapon_class"),
        # a mention's own side: the weapon's (ATACMS -> UA), else its adjective ("Ukrainian drones")
        side=pl.coalesce(pl.col("noun").struct.field("side"), mods_side),
        all_flag=pl.col("m_all").is_not_null(),
        each=pl.col("m_each").is_not_null(),
        valid=(
            pl.col("m_by").is_null()
            & pl.col("m_hedge").is_null()
            & pl.col("m_compound").is_null()
            & pl.col("m_after").is_null()
            # one count for two nouns is only unusable when they are different classes ("40 missiles, drones");
            # "112 attack UAVs and decoy drones" is 112 drones
            & (
                pl.col("m_combo").is_null()
                | (pl.col("combo_class") == pl.col("noun").struct.field("weapon_class"))
            )
            & ~pl.col("m_mods").str.contains("(?i)" + NOT_A_MODIFIER)
        ),
    )
    return t.filter(pl.col("valid") & pl.col("weapon_class").is_not_null()).select(
        *KEYS, "pos", "end", "kind", "count", "weapon_class", "side", "qual", "all_flag", "each",
        subset=pl.lit(False), fixed_role=pl.lit(None, pl.String), prio=pl.lit(3),
        model=pl.col("noun").struct.field("model"),
    )  # fmt: skip


def _empty_mentions() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64, "kind": pl.String,
            "count": pl.Int64, "weapon_class": pl.String, "side": pl.String, "qual": pl.String,
            "all_flag": pl.Boolean, "each": pl.Boolean, "subset": pl.Boolean, "fixed_role": pl.String,
            "prio": pl.Int32, "model": pl.String,
        }
    )  # fmt: skip


def _part_of_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "28 out of 31 drones": the part takes the verb's role; the whole, when given, is launched."""
    t = _groups(find_tokens(cand, "norm", p["part_of"], kind="part"), p["part_of"])
    if t.height == 0:
        return _empty_mentions()
    t = t.with_columns(noun=classify_alias(pl.col("of_noun"))).with_columns(
        weapon_class=pl.col("noun").struct.field("weapon_class"),
        side=pl.coalesce(
            pl.col("noun").struct.field("side"),
            pl.when(pl.col("of_mods").str.contains(r"(?i)\bukrain")).then(pl.lit("UA"))
            .when(pl.col("of_mods").str.contains(r"(?i)\brussia")).then(pl.lit("RU")),
        ),
    )  # fmt: skip
    part = t.select(
        *KEYS, "pos", "end", "kind", count=pl.col("of_part").cast(pl.Int64), weapon_class="weapon_class",
        side="side", qual=pl.lit("exact"), all_flag=pl.lit(False), each=pl.lit(False),
        # "21 of the drones" with no whole given is a part of something counted elsewhere
        subset=pl.col("of_whole").is_null(), fixed_role=pl.lit(None, pl.String), prio=pl.lit(0),
        model=pl.col("noun").struct.field("model"),
    )  # fmt: skip
    # the whole is a second count derived from the same phrase (prio -1: never dropped as nested)
    whole = t.filter(pl.col("of_whole").is_not_null()).select(
        *KEYS, pos=pl.col("pos") + 1, end=pl.col("pos") + 1, kind=pl.lit("mention"),
        count=pl.col("of_whole").str.strip_chars().cast(pl.Int64), weapon_class="weapon_class", side="side",
        qual=qualifier_code(pl.col("of_qual")), all_flag=pl.lit(False), each=pl.lit(False),
        subset=pl.lit(False), fixed_role=pl.lit("launched"), prio=pl.lit(-1),
    )  # fmt: skip
    return pl.concat([part, whole], how="diagonal_relaxed")


def _out_of_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "Out of more than 90 missiles": the whole, launched."""
    t = _groups(find_tokens(cand, "norm", p["out_of"], kind="mention"), p["out_of"])
    if t.height == 0:
        return _empty_mentions()
    t = t.with_columns(noun=classify_alias(pl.col("oo_noun")))
    return t.select(
        *KEYS, "pos", "end", "kind", count=pl.col("oo_num").cast(pl.Int64),
        weapon_class=pl.col("noun").struct.field("weapon_class"), side=pl.col("noun").struct.field("side"),
        qual=qualifier_code(pl.col("oo_qual")), all_flag=pl.lit(False), each=pl.lit(False),
        subset=pl.lit(False), fixed_role=pl.lit("launched"), prio=pl.lit(0),
    ).filter(pl.col("weapon_class").is_not_null())  # fmt: skip


def _back_ref_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Counts that refer back to the last weapon mentioned; class is filled in later."""
    t = _groups(find_tokens(cand, "norm", p["back_ref"], kind="back_ref"), p["back_ref"])
    if t.height == 0:
        return _empty_mentions()
    verb_inside = pl.col("tok").str.contains(
        r"(?i)shot\s+down|destroyed|intercepted|downed|neutrali|eliminated"
    )
    suppressed_inside = pl.col("tok").str.contains(r"(?i)jammed|suppressed|lost|diverted")
    return t.select(
        *KEYS, "pos", "end", "kind", count=pl.coalesce("b_num", "b_num2").cast(pl.Int64),
        weapon_class=pl.lit(None, pl.String), side=pl.lit(None, pl.String), qual=pl.lit("exact"),
        all_flag=pl.col("b_all").is_not_null(), each=pl.lit(False),
        # "58 of which" is a part of the launched total; "All 10 were destroyed" is not
        subset=pl.col("tok").str.contains(r"(?i)\bof\s+(?:which|them|those|these)"),
        fixed_role=pl.when(verb_inside).then(pl.lit("intercepted")).when(suppressed_inside).then(pl.lit("suppressed")), prio=pl.lit(2),
    )  # fmt: skip


def _the_impact_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "the missile struck" -> launched 1 of that class."""
    t = _groups(find_tokens(cand, "norm", p["the_impact"], kind="mention"), p["the_impact"])
    if t.height == 0:
        return _empty_mentions()
    return t.select(
        *KEYS, "pos", "end", "kind", count=pl.lit(1, pl.Int64),
        weapon_class=classify_alias(pl.col("ti_noun")).struct.field("weapon_class"), side=pl.lit(None, pl.String),
        qual=pl.lit("exact"), all_flag=pl.lit(False), each=pl.lit(False), subset=pl.lit(False),
        fixed_role=pl.lit("launched"), prio=pl.lit(4),
    )  # fmt: skip


def _verb_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    frames = []
    for name, role in (
        ("launch", "launched"),
        ("intercept", "intercepted"),
        ("suppress", "suppressed"),
        ("hit_targets", "impacts"),
        ("other_outcome", "other"),
    ):
        t = _groups(find_tokens(cand, "norm", p[name], kind="verb"), p[name])
        if t.height:
            frames.append(
                t.select(
                    *KEYS,
                    "pos",
                    "end",
                    "kind",
                    role=pl.lit(role),
                    passive=pl.col("v_pass").is_not_null(),
                    prio=pl.lit(5),
                )
            )
    t = find_tokens(cand, "norm", p["impact"], kind="verb")
    if t.height:
        frames.append(
            t.select(*KEYS, "pos", "end", "kind", role=pl.lit("impact"), passive=pl.lit(True), prio=pl.lit(6))
        )
    if not frames:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                    "kind": pl.String, "role": pl.String, "passive": pl.Boolean, "prio": pl.Int32}
        )  # fmt: skip
    # the same words can be found by two verb passes ("hit ... with" and "hit"); keep the first per position
    return pl.concat(frames).unique(subset=[*KEYS, "pos"], keep="first", maintain_order=True)


def _marker_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "of which" markers and "all were destroyed" (an all_except with no exception, intercepted)."""
    marks = find_tokens(cand, "norm", p["of_which"], kind="of_which").select(
        *KEYS, "pos", "end", "kind", prio=pl.lit(7)
    )
    allp = find_tokens(cand, "norm", p["all_passive"], kind="all_except").select(
        *KEYS, "pos", "end", "kind", prio=pl.lit(1), exc_count=pl.lit(0, pl.Int64), exc_class=pl.lit(None, pl.String),
        fixed_role=pl.lit("intercepted"),
    )  # fmt: skip
    return pl.concat([marks, allp], how="diagonal_relaxed")


def _all_except_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = _groups(find_tokens(cand, "norm", p["all_except"], kind="all_except"), p["all_except"])
    if t.height == 0:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                    "kind": pl.String, "exc_count": pl.Int64, "exc_class": pl.String, "prio": pl.Int32}
        )  # fmt: skip
    return t.select(
        *KEYS, "pos", "end", "kind", prio=pl.lit(1),
        exc_count=pl.when(pl.col("ae_noun").is_null()).then(pl.lit(0, pl.Int64))
        .otherwise(parse_count(pl.col("ae_num"))),
        exc_class=classify_alias(pl.col("ae_noun")).struct.field("weapon_class"),
    )  # fmt: skip


# --------------------------------------------------------------------------- roles and aggregation
def _drop_nested(stream: pl.DataFrame) -> pl.DataFrame:
    """Independent passes find overlapping tokens: "28 out of 31 drones" is also a mention "31 drones", and
    "Russia-launched drones" holds the verb "launched". A token that starts inside an earlier (or, at the same
    start, higher-priority) counted phrase is dropped; derived tokens (prio < 0) always stay."""
    s = stream.with_columns(prio=pl.col("prio").cast(pl.Int32)).sort(*KEYS, "pos", "prio")
    container_end = (
        pl.when((pl.col("kind") != "verb") & (pl.col("prio") >= 0)).then(pl.col("end")).otherwise(-1)
    )
    prev_end = container_end.cum_max().shift(1).over(KEYS).fill_null(-1)
    return s.filter((pl.col("prio") < 0) | (pl.col("pos") >= prev_end))


def _assign_roles(stream: pl.DataFrame) -> pl.DataFrame:
    """Each count takes the role of its verb: a passive or impact verb right after it, else the verb before
    it in the sentence, else the verb after it. Impact verbs bind only when adjacent."""
    s = stream.sort(*KEYS, "pos")
    is_verb = pl.col("kind") == "verb"
    directed = pl.when(is_verb & (pl.col("role") != "impact")).then(pl.col("role"))
    s = s.with_columns(
        role_before=directed.forward_fill().over(KEYS),
        role_after=directed.backward_fill().over(KEYS),
        next_role=pl.col("role").shift(-1).over(KEYS),
        next_passive=pl.col("passive").shift(-1).over(KEYS),
        next_kind=pl.col("kind").shift(-1).over(KEYS),
        next_pos=pl.col("pos").shift(-1).over(KEYS),
        # counts after "of which" in the sentence are parts that take the verb after them
        after_of_which=(pl.col("kind") == "of_which").cast(pl.Int32).cum_sum().over(KEYS) > 0,
    )
    # a passive or impact verb binds the count it directly follows ("74 drones were destroyed"), not one a
    # clause away ("74 drones at Russia, the ministry said, adding that all were destroyed")
    gap = pl.col("norm").str.slice(pl.col("end"), (pl.col("next_pos") - pl.col("end")).clip(lower_bound=0))
    bound_after = (
        (pl.col("next_kind") == "verb")
        & pl.col("next_passive").fill_null(False)
        # nothing but a few words or an apposition between commas ("a missile, likely an X-101, hit")
        & (((pl.col("next_pos") - pl.col("end")) <= 12) | gap.str.contains(r"^\s*,[^,]{1,40},\s*$"))
        # another count in between owns the verb ("eight drones and six were jammed")
        & ~gap.str.contains(r"(?:^|\s)\d+(?:\s|$)")
    )
    next_bound = (
        pl.when(pl.col("next_role") == "impact").then(pl.lit("launched")).otherwise(pl.col("next_role"))
    )
    # back-references ("58 of which", "18 of those") always look forward to their verb
    back = pl.col("kind") == "back_ref"
    role = (
        pl.when(pl.col("fixed_role").is_not_null())
        .then(pl.col("fixed_role"))
        .when(bound_after)
        .then(next_bound)
        .when(back | pl.col("after_of_which"))
        .then(pl.coalesce("role_after", "role_before"))
        .otherwise(pl.coalesce("role_before", "role_after"))
    )
    # a single weapon reported by its impact ("a drone struck a block") is the weakest launch evidence
    from_impact = (
        pl.when(pl.col("fixed_role").is_not_null())
        .then(pl.col("prio") == 4)
        .otherwise(bound_after & (pl.col("next_role") == "impact"))
    )
    return s.with_columns(role=role, from_impact=from_impact.fill_null(False))


def extract_air(sentences: pl.DataFrame) -> AirResult:
    """sentences (split_sentences output, with published_at) -> air attack rows with evidence columns:
    article_id, attacker, weapon_class, launched, intercepted, launched_qualifier, event_date,
    sentence_no (of the evidence)."""
    p = patterns()
    cand = sentences.filter(pl.col("has_event_words") & ~pl.col("bullet") & ~pl.col("timeline")).filter(
        pl.col("norm").str.contains(PREFILTER_RE)
    )
    if cand.height == 0:
        return AirResult(rows=_empty_rows(), outcomes=_empty_ledger())
    background = cand.select(
        *KEYS,
        # a sentence that shoots weapons down is about an attack, whatever else it mentions
        background=pl.col("norm").str.contains(BACKGROUND_RE)
        | (pl.col("norm").str.contains(SUPPLY_RE) & ~pl.col("norm").str.contains("(?i)" + p["intercept"])),
    )
    partial = cand.select(
        *KEYS,
        partial_region=pl.coalesce(
            pl.col("norm").str.extract(PARTIAL_RE, 1), pl.col("norm").str.extract(PARTIAL_RE, 2)
        ).str.to_lowercase(),
        region_mentions=pl.col("norm").str.count_matches(r"(?i)\bregions?\b|\boblasts?\b"),
    )
    counts = pl.concat(
        [
            _mention_tokens(cand, p),
            _part_of_tokens(cand, p),
            _out_of_tokens(cand, p),
            _back_ref_tokens(cand, p),
            _the_impact_tokens(cand, p),
        ],
        how="diagonal_relaxed",
    )
    verbs = _verb_tokens(cand, p)
    excepts = _all_except_tokens(cand, p)
    markers = _marker_tokens(cand, p)
    stream = pl.concat([counts, verbs, excepts, markers], how="diagonal_relaxed")
    stream = _assign_roles(_drop_nested(stream).join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left"))

    # back-references take the class of the last weapon counted before them in the article
    stream = stream.sort(*KEYS, "pos").with_columns(
        weapon_class=pl.coalesce(
            "weapon_class",
            pl.when(pl.col("kind").is_in(["mention", "part"]))
            .then(pl.col("weapon_class"))
            .forward_fill()
            .over("article_id"),
        )
    )
    attackers = sentence_attackers(cand)
    counted = (
        stream.filter(pl.col("kind").is_in(["mention", "part", "back_ref"]))
        .filter(pl.col("role").is_in(list(OUTCOMES)) & pl.col("weapon_class").is_not_null())
        .join(attackers, on=list(KEYS), how="left")
        .join(background, on=list(KEYS), how="left")
        .join(partial, on=list(KEYS), how="left")
        .filter(~pl.col("background"))
        .with_columns(
            attacker=pl.coalesce("side", "sentence_attacker", pl.lit("RU")),
            # "one drone each in Bryansk region ... and in Lipetsk region" counts once per region named
            count=pl.when(pl.col("each") & (pl.col("region_mentions") > 1))
            .then(pl.col("count") * pl.col("region_mentions"))
            .otherwise(pl.col("count")),
        )
    )
    # "all 24 drones ... shot down": the 24 were also launched
    all_launched = counted.filter(pl.col("all_flag") & (pl.col("role") == "intercepted")).with_columns(
        role=pl.lit("launched"), subset=pl.lit(False)
    )
    counted = pl.concat([counted, all_launched], how="diagonal_relaxed")

    per_sentence = counted.group_by(
        "article_id", "attacker", "weapon_class", "role", "sentence_no", "subset", "partial_region"
    ).agg(
        value=pl.col("count").sum(),
        qual=_summed_qualifier(pl.col("qual")),
        impact=pl.col("from_impact").fill_null(False).all(),
    )
    figures = _choose_figures(per_sentence)
    rows = figures.pivot(
        on="role",
        index=["article_id", "attacker", "weapon_class"],
        values=["value", "sentence_no", "qual", "impact"],
    )
    rows = _ensure_role_columns(rows)

    # "All the projectiles, except for the Iskander-M missile, were shot down"
    rows = _apply_all_except(rows, stream, attackers)
    # "A drone struck a block" in an article whose air defences downed 165 drones: that one impact is not the
    # night's launch figure
    weak = pl.col("impact_launched").fill_null(False) & (
        pl.col("value_intercepted") > pl.col("value_launched")
    )
    rows = rows.with_columns(
        [
            pl.when(weak).then(None).otherwise(pl.col(f"{f}_launched")).alias(f"{f}_launched")
            for f in ("value", "sentence_no", "qual")
        ]
    )

    dates = (
        sentences.group_by("article_id").agg(published_at=pl.col("published_at").first())
        if "published_at" in sentences.columns
        else None
    )
    models = (
        counted.filter(pl.col("model").is_not_null())
        .group_by("article_id", "attacker", "weapon_class")
        .agg(models=pl.col("model").unique().sort().str.join(", "))
    )
    out = (
        rows.select(
            "article_id",
            "attacker",
            "weapon_class",
            launched=pl.col("value_launched"),
            intercepted=pl.col("value_intercepted"),
            # the contract has no "at most"; "up to 30" is reported as approximate
            launched_qualifier=pl.when(pl.col("value_launched").is_not_null()).then(
                pl.col("qual_launched").replace("at_most", "approx")
            ),
            suppressed=pl.col("value_suppressed"),
            impacts=pl.col("value_impacts"),
            sentence_no=pl.coalesce("sentence_no_launched", "sentence_no_intercepted"),
        )
        .filter(pl.col("launched").is_not_null() | pl.col("intercepted").is_not_null())
        .join(models, on=["article_id", "attacker", "weapon_class"], how="left")
    )
    if dates is not None:
        out = (
            out.join(dates, on="article_id", how="left")
            .with_columns(event_date=pl.col("published_at"))
            .drop("published_at")
        )
    else:
        out = out.with_columns(event_date=pl.lit(None, pl.Date))
    return AirResult(rows=out, outcomes=_ledger(rows, counted, out))


class AirResult(NamedTuple):
    rows: pl.DataFrame  # one row per article, attacker and weapon class (the contract's air_attack rows)
    outcomes: pl.DataFrame  # the outcome ledger behind them (class totals and per-model figures)


def extract_air_attacks(sentences: pl.DataFrame) -> pl.DataFrame:
    """The air_attack rows only (see `extract_air`)."""
    return extract_air(sentences).rows


def _ledger(rows: pl.DataFrame, counted: pl.DataFrame, out: pl.DataFrame) -> pl.DataFrame:
    """One row per (article, attacker, class, model or null, outcome) with low/best/high: the class totals
    chosen for the air_attacks row, and per model the largest sentence figure that names it."""
    keep = out.select("article_id", "attacker", "weapon_class")
    per_class = pl.concat(
        [
            rows.select(
                "article_id", "attacker", "weapon_class",
                model=pl.lit(None, pl.String), outcome=pl.lit(role),
                value=pl.col(f"value_{role}"), qual=pl.col(f"qual_{role}"), sentence_no=pl.col(f"sentence_no_{role}"),
            )
            for role in OUTCOMES
        ]
    ).join(keep, on=["article_id", "attacker", "weapon_class"], how="semi")  # fmt: skip
    per_model = (
        counted.filter(pl.col("model").is_not_null() & ~pl.col("subset"))
        .group_by("article_id", "attacker", "weapon_class", "model", "role", "sentence_no")
        .agg(value=pl.col("count").sum(), qual=pl.col("qual").sort_by("pos").first())
        .sort("value", "sentence_no", descending=[True, False])
        .group_by("article_id", "attacker", "weapon_class", "model", "role", maintain_order=True)
        .first()
        .rename({"role": "outcome"})
        .join(keep, on=["article_id", "attacker", "weapon_class"], how="semi")
    )
    cols = ["article_id", "attacker", "weapon_class", "model", "outcome", "value", "qual", "sentence_no"]
    ledger = pl.concat([per_class.select(cols), per_model.select(cols)]).filter(pl.col("value").is_not_null())
    low, best, high = bounds(pl.col("value"), pl.col("qual").fill_null("exact"))
    return ledger.select(
        "article_id", "attacker", "weapon_class", "model", "outcome", low=low, best=best, high=high,
        qualifier=pl.col("qual").fill_null("exact"), sentence_no="sentence_no",
    ).sort("article_id", "attacker", "weapon_class", "model", "outcome", nulls_last=False)  # fmt: skip


def _summed_qualifier(qual: pl.Expr) -> pl.Expr:
    """The qualifier of a sum is its weakest part's: 6 exact + "up to 3" is at most 9; a lower and an upper
    bound together, or any approximate part, make the sum approximate."""
    lower = qual.is_in(["at_least", "more_than"]).any()
    upper = (qual == "at_most").any()
    return (
        pl.when((qual == "approx").any() | (lower & upper)).then(pl.lit("approx"))
        .when((qual == "more_than").any()).then(pl.lit("more_than"))
        .when(lower).then(pl.lit("at_least"))
        .when(upper).then(pl.lit("at_most"))
        .otherwise(pl.lit("exact"))
    )  # fmt: skip


def _choose_figures(per_sentence: pl.DataFrame) -> pl.DataFrame:
    """Across sentences: the largest whole-attack figure; else per-region figures summed (one per region);
    else the largest part ("21 of the drones")."""
    key = ["article_id", "attacker", "weapon_class", "role"]
    whole = per_sentence.filter(~pl.col("subset") & pl.col("partial_region").is_null())
    # counted figures before impact-only ones, then the largest
    best_whole = (
        whole.sort("impact", "value", "sentence_no", descending=[False, True, False])
        .group_by(key, maintain_order=True)
        .first()
    )
    regional = (
        per_sentence.filter(~pl.col("subset") & pl.col("partial_region").is_not_null())
        .sort("sentence_no")
        .group_by([*key, "partial_region"], maintain_order=True)
        .first()
        .group_by(key, maintain_order=True)
        .agg(
            value=pl.col("value").sum(),
            sentence_no=pl.col("sentence_no").min(),
            qual=pl.col("qual").first(),
            impact=pl.col("impact").all(),
        )
    )
    parts = (
        per_sentence.filter(pl.col("subset"))
        .sort("value", "sentence_no", descending=[True, False])
        .group_by(key, maintain_order=True)
        .first()
    )
    cols = [*key, "value", "sentence_no", "qual", "impact"]
    chosen = pl.concat(
        [
            best_whole.select(cols).with_columns(rank=pl.lit(0)),
            regional.select(cols).with_columns(rank=pl.lit(1)),
            parts.select(cols).with_columns(rank=pl.lit(2)),
        ]
    )
    return chosen.sort("rank").group_by(key, maintain_order=True).first().drop("rank")


def _ensure_role_columns(rows: pl.DataFrame) -> pl.DataFrame:
    for role in OUTCOMES:
        for f, dtype in (
            ("value", pl.Int64),
            ("sentence_no", pl.Int32),
            ("qual", pl.String),
            ("impact", pl.Boolean),
        ):
            name = f"{f}_{role}"
            if name not in rows.columns:
                rows = rows.with_columns(pl.lit(None, dtype).alias(name))
    return rows


def _apply_all_except(rows: pl.DataFrame, stream: pl.DataFrame, attackers: pl.DataFrame) -> pl.DataFrame:
    """Where a sentence says every projectile was intercepted (but the named exceptions), each class
    launched in that article gets intercepted = launched - exceptions of that class."""
    ae = stream.filter((pl.col("kind") == "all_except") & (pl.col("role") == "intercepted"))
    if ae.height == 0:
        return rows
    exc = ae.group_by("article_id", "exc_class").agg(exc=pl.col("exc_count").sum())
    arts = ae.select("article_id").unique()
    flagged = rows.join(arts.with_columns(all_flag=pl.lit(True)), on="article_id", how="left").join(
        exc, left_on=["article_id", "weapon_class"], right_on=["article_id", "exc_class"], how="left"
    )
    return flagged.with_columns(
        value_intercepted=pl.when(
            pl.col("all_flag").fill_null(False) & pl.col("value_launched").is_not_null()
        )
        .then(pl.col("value_launched") - pl.col("exc").fill_null(0))
        .otherwise(pl.col("value_intercepted")),
    ).drop("all_flag", "exc")


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "article_id": ARTICLE_KEY, "attacker": pl.String, "weapon_class": pl.String, "launched": pl.Int64,
            "intercepted": pl.Int64, "launched_qualifier": pl.String, "suppressed": pl.Int64, "impacts": pl.Int64,
            "sentence_no": pl.Int32, "models": pl.String, "event_date": pl.Date,
        }
    )  # fmt: skip


def _empty_ledger() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "article_id": ARTICLE_KEY, "attacker": pl.String, "weapon_class": pl.String, "model": pl.String,
            "outcome": pl.String, "low": pl.Int64, "best": pl.Int64, "high": pl.Int64, "qualifier": pl.String,
            "sentence_no": pl.Int32,
        }
    )  # fmt: skip
