"""Territorial control: capture and liberation claims -> one row per (article, settlement).

How a row comes about (whole-column polars):
1. a claim is a trigger and the settlements it governs. Triggers are capture verbs ("captured", "took
   control of", "now occupy", "pushed Russian troops out of", "raised the flag over"), capture nouns ("the
   capture of", "the fall of") and passives ("X has been liberated", "X came under Russian control");
2. after an active trigger or noun comes its object: a settlement list, written straight ("Sokil"), after
   a place noun ("the key eastern city of Vuhledar", "the villages of A, B and C") or after a count and a
   colon or dash ("five villages in the Kharkiv region - A, B, C and D", "the following 10 settlements:
   ..."). The list runs over commas, "and", "as well as" and short locating appositions (", near the
   border with ..., "); it ends at anything else, so a locator after it ("in the Donetsk region near
   Kurakhove") is never a claim;
3. a name is a settlement when it has the shape of one: capitalised words, hyphenated parts capitalised,
   not a country, demonym, weekday, unit or region (the gazetteer says which names are oblasts);
4. the claim's clause (split at "but", ";", "while", "however", ...) decides whether it is one: intent,
   modality and infinitives ("trying to take", "could capture"), negation ("did not capture"), denial
   ("denied that ... took", "the alleged capture", "reports of the capture ... are fake"), history and
   earlier dates ("in 2022", "last month") drop it. Partial control ("70 percent of", "most of") never
   reaches a list;
5. actor: the agent of a passive ("captured by Russian forces"), else the subject, the nearest side word
   before the trigger that is not a place ("in eastern Ukraine", "Ukraine's Donetsk region"), else the
   earlier sentences' side, else RU; a claimant (RU MoD, ISW, Wagner, officials) from the sentence or the
   one before; admin1 from the region the clause names, else the gazetteer, else the article's last region.
"""

from __future__ import annotations

import polars as pl

from pipelines.extract import rules, vocabulary
from pipelines.extract.gazetteer import NOT_PLACE_NAME_RE, NOT_PLACE_WORD_RE, resolve_places
from pipelines.extract.tokens import (
    ARTICLE_KEY,
    anchored,
    contains_any_word,
    find_near_triggers,
    find_tokens,
    literal_pattern,
    text_before,
)

KEYS = ("article_id", "sentence_no")

rules.declare(
    {
        "ter.verb": "an active capture verb and its object list: 'captured the village of X', 'took control of X'",
        "ter.verb_present": "present-tense capture verbs as news headlines and digests write them: 'Russian forces take X'",
        "ter.verb_expel": "driving the other side out: 'pushed Russian troops out of X', 'drove out the enemy from X'",
        "ter.verb_flag": "raising a flag over a settlement: 'raised the Ukrainian flag over X'",
        "ter.spelling_variants": "one place in two spellings is one row: 'Malye Shcherbaki' in the ministry's words, 'Mali Shcherbaky' in the article's",
        "ter.verb_occupy": "present control: 'now occupy the villages of A and B', 'have occupied X'",
        "ter.verb_enter": "'entered the village of X', 'Russian troops entered Vuhledar'",
        "ter.loss": "'the loss of X': the side that lost it is not the one that holds it",
        "ter.conceded": "a side that acknowledges a capture is not its actor: 'Kyiv admitted the fall of X'",
        "ter.withdrawal": "'Ukraine's troops withdrew from X': the side that leaves is not the one that holds it",
        "ter.trigger_side": "a side named in the trigger decides: 'came under Russian control', 'the Ukrainian flag was raised over X'",
        "ter.noun": "a capture noun and its object: 'the capture of X', 'the liberation of X', 'the fall of X'",
        "ter.passive_list": "a passive, then its list after a colon: 'the villages that have been liberated: A, B and C'",
        "ter.passive": "a passive or intransitive claim, names before: 'X has been liberated', 'X came under Russian control'",
        "ter.side_acted_on": "'continued to defeat formations of the Ukrainian armed forces and liberated X': the side a combat verb acts on is no subject",
        "ter.dated_background": "'the counteroffensive of June 2023, when troops liberated X' is history: no row",
        "ter.map_status": "a control map's update: 'updated its map to show the village of X and the town of Y as occupied by Russian forces'",
        "ter.list_along_with": "'liberated Sudzha along with the nearby villages of Melovoy and Podol': the villages are claimed too",
        "ter.obj_place_noun": "an object after a place noun: 'the key eastern city of X', 'the villages of A, B and C'",
        "ter.obj_count_list": "an object list after a count and a colon or dash: 'five villages - A, B and C'",
        "ter.count_list_region": "'captured two villages in the Donetsk region, A and B': the list after the count's region and a comma",
        "ter.list_and": "list items joined by commas, 'and' or 'as well as'",
        "ter.list_apposition": "a short locating apposition inside a list: 'A, near the border with Y, and B'",
        "ter.list_locator": "a region after a list item, before the next: 'A in the Kharkiv region and B in the Donetsk region'",
        "ter.speaker_before_passive": "a speaker's name before 'said' is no settlement of the passive after it: 'Ukraine's Ministry of Defence said Balakliia had been liberated'",
        "ter.defence_forces": "'the Defence Forces' (Ukraine's name for its army) are Ukraine's side",
        "ter.list_pair": "two items each with its own region, the first owned: 'A in Ukraine's Donetsk region and (of) B in the Kharkiv region'",
        "ter.item_region": "each item of a list takes the region named nearest after it, not after the list's start",
        "ter.partial_object": "partial control or a place inside a settlement in the object ('70 percent of', 'the outskirts of'): no claim",
        "ter.not_settlement": "capitalised words that are no settlement: countries, demonyms, weekdays, units",
        "ter.region_name": "a name the gazetteer knows only as an oblast or region (Crimea, Donbas) is no settlement",
        "ter.speaker_name": "a last list item followed by a speech verb is the speaker: 'liberated Kupiansk, Gerasimov told Putin'",
        "ter.region_after": "a name followed by 'region', 'oblast', 'direction' or 'front' is a region or front, not a settlement",
        "ter.occupy_subject": "after its subject 'occupied' is the verb: 'The enemy occupied Zelene Pole'",
        "ter.republic_region": "Russia's names for occupied oblasts locate a claim: 'X in the Donetsk People's Republic' is in Donetsk oblast",
        "ter.names_noun": "names before their place noun: 'Bohdanivka and Ivanivske villages came under Russian control'",
        "ter.has_fallen": "'X has fallen' is a capture without an agent; the actor comes from the context",
        "ter.side_speaker": "a side as the speaker: 'Russian units overran X, Moscow said' is the Russian MoD's claim",
        "ter.claimant_side": "a claimant's side is the side word before it: 'Ukraine's General Staff said Russian forces captured X' is UA General Staff's claim",
        "ter.general_staff": "an unqualified 'the General Staff' is Ukraine's: 'Kupiansk has been liberated, the General Staff said'",
        "ter.participle_adjective": "a capture participle after a preposition or article describes the place: 'troops in liberated Kherson'",
        "ter.occupied_adjective": "'occupied' after a hyphen or a determiner is an adjective: 'the Russian-occupied city of X'",
        "ter.owner": "an owner before the object is no settlement: 'captured Ukraine's Avdiivka', 'the Donetsk region's village of X'",
        "ter.possessive": "a name followed by 's is the owner of what follows ('Donetsk People's Republic'), not a list item",
        "ter.hyphen_word": "a capitalised word continued by a lower-case hyphen part ('French-made') is no name",
        "ter.irrealis": "intent, modality and infinitives before the trigger: 'trying to take', 'could capture', 'aims to seize'",
        "ter.modal_after": "a modal right after a capture noun: 'the liberation of X would be ...', 'the fall of X could ...'",
        "ter.negation": "negation right before the trigger: 'did not capture', 'has not taken', 'failed to take'",
        "ter.denial": "a denial in the claim's clause: 'denied that Russians had taken X', 'the alleged capture of X'",
        "ter.background": "history and earlier dates in the claim's clause: 'in 2022', 'last month', 'previously'",
        "ter.clause": "clause boundaries ('but', ';', 'while', 'however') that scope the guards above",
        "ter.title_case": "headlines in Title Case make every word look like a name: skipped",
        "ter.relative": "a claim in a relative clause: 'the village of X, which Russian forces seized on Tuesday'",
        "ter.interjection": "a short time between the verb and its object: 'captured on Tuesday the village of X'",
        "ter.agent": "the agent of a passive decides the actor: 'captured by Russian forces'",
        "ter.subject": "the nearest side word before the trigger is the actor",
        "ter.counted_members": "the named members of a counted claim: '20 settlements had been liberated, among them A "
        "and B'; 'recaptured 10 settlements. Among the villages named were A, B and C'",
        "ter.side_object": "a side word before a noun no side acts through is no subject: 'repelled Ukrainian attacks "
        "near X and recaptured Y' (Russia recaptured)",
        "ter.relayed_denied": "a denial after a relayed claim leaves it standing: 'Russia claimed the capture of X and "
        "Ukraine denied it'",
        "ter.imperative": "an imperative opening a sentence claims nothing: 'Take Chasiv Yar. Russian officials ...'",
        "ter.unit_names": "unit names tell the side: Ukraine's 'Separate ... Brigade', Russia's 'Guards ... Division', 'Motor Rifle'",
        "ter.shown_as": "a map or source that shows X 'as under Russian control' claims it",
        "ter.passive_locator": "a locator between the name and its passive: 'the village of X north of the city has been taken'",
        "ter.side_unit": "a side's attack noun before a unit noun names the unit: 'a Ukrainian assault regiment retook X' is Ukraine's",
        "ter.side_place": "side words used as places ('in eastern Ukraine', 'Ukraine's Donetsk region') are not subjects",
        "ter.expel_object": "with no subject, 'pushed Russian troops out of X' is claimed by the other side",
        "ter.anaphoric_speaker": "'Russia's Defence Ministry claimed X. The ministry also said troops had taken Y, a Ukrainian supply hub': the speaker referred back to is Russia's, before a side named after the claim",
        "ter.force_group": "'troops of the Tsentr group had taken X': Russia's groups of forces by their own names; Ukraine's Khortytsia and Tavria groups",
        "ter.speaker": "with no agent or subject, the side speaking after the claim is the actor: 'X has been liberated, Ukraine's navy said'",
        "ter.earlier_side": "with no side in the sentence, the earlier sentences' side is the actor",
    }
)

# --------------------------------------------------------------------------- shared fragments
# A settlement word: a capital and lower-case letters (any script's), with an inner apostrophe
# ("Kam'ianske") and capitalised hyphen parts ("Ivano-Frankivsk"); "10th October" style names too.
WORD = r"\p{Lu}\p{Ll}+(?:'\p{Ll}{2,})?(?:-\p{Lu}\p{Ll}+(?:'\p{Ll}{2,})?)*"
NAME = r"(?:\d{1,2}(?:st|nd|rd|th)\s+)?" + WORD + r"(?:\s+" + WORD + r"){0,2}"
PLACE_NOUN = (
    r"(?:villages?|towns?|cit(?:y|ies)|settlements?|hamlets?|localit(?:y|ies)|urban-type\s+settlements?|"
    r"strongholds?|hubs?|townships?|communit(?:y|ies)|ports?|port\s+cit(?:y|ies))"
)
PLACE_NOUNS = r"(?:villages|towns|cities|settlements|hamlets|localities|communities|townships)"
# Words that may stand between "the" and the place noun: "the key eastern city of", "the Black Sea port of"
FILLER = r"(?:[\p{L}'-]+\s+){0,4}?"
# Words after a name that make it a region, a front or a facility rather than the settlement itself
# ("the Kupiansk direction", "the Avdiivka coke plant").
REGION_WORDS = (
    r"(?:region|oblast|district|raion|province|direction|axis|front|river|sector|offensive|counteroffensive|republic|"
    r"coke|industrial|plant|factory|mine|airfield|airport|station|dam|bridge|reservoir|highway|railway|forest|heights?|"
    r"microdistrict|outskirts|bridgehead|salient|pocket|cauldron)"
)
# A region after a list item ("in Ukraine's Donetsk region", "in the neighbouring Kharkiv region"): the pair rule
# reads two items each with one, and the items' names are read with these cut out.
ITEM_LOCATOR = (
    r"\s*,?\s+(?:in|of)\s+(?:the\s+)?(?:(?:Ukraine|Russia)'s\s+)?(?:(?i:neighbou?ring|adjacent|nearby|north\w*|"
    r"south\w*|east\w*|west\w*)\s+)?\p{Lu}[\p{Ll}'-]+\s+(?i:region|oblast)"
)
# Names that are no settlement: the shared list (gazetteer.NOT_PLACE_NAME_RE, NOT_PLACE_WORD_RE) and the
# capitals and regions a claim never takes whole.
NOT_SETTLEMENT = r"(?i)^(?:moscow|kyiv|kiev|donbass?|crimea's)$"
CLAUSE = r"(?i);|,?\s+but\s|\bwhile\b|\bwhereas\b|\bhowever\b|\balthough\b|\bthough\b|\bafter\b|\bbefore\b"
IRREALIS = (
    r"(?i)\b(?:will|would|could|might|may|should|whether|plans?|planning|aims?|aiming|intends?|intending|"
    r"attempt(?:s|ed|ing)?|efforts?|try(?:ing)?|tries|tried|goal|objective|abandon\w*|expected|hopes?|hoping|"
    r"threat\w*|seek(?:s|ing)?|sought|bid|wants?|wanted|if|unless|predict\w*|forecast\w*|push(?:es|ing)?\s+to|"
    r"order(?:s|ed)?\s+to|bent\s+on|to)\s+(?:\w+\s+){0,3}?$"
)
NEGATION = r"(?i)\b(?:not|never|no\s+longer|yet\s+to|failed\s+to|fails\s+to|unable\s+to|n't)\b[\w\s]{0,25}$"
DENIAL = (
    r"(?i)\b(?:den(?:y|ies|ied|ying)|refut\w+|reject\w*|dismiss\w*|not\s+true|untrue|false|fakes?|"
    r"disinformation|propaganda|alleged(?:ly)?|purported(?:ly)?|so-called|does\s+not\s+correspond|no\s+truth)\b"
)
# a claim's own pluperfect ("had already captured") is history too
BACKGROUND = vocabulary.pattern(
    vocabulary.TALLY,
    vocabulary.PAST,
    # "recently" (SCHEMA.md): a capture told as background ("Zelensky visited recently liberated X")
    extra=(
        r"once\s+again", r"at\s+the\s+time", r"had\s+(?:previously|earlier|already)", r"recently",
        # "Since capturing Avdiivka, Russian forces have advanced ...": the capture is the starting point
        r"since\s+(?:capturing|taking|seizing|occupying|liberating|the\s+(?:capture|fall|seizure|occupation|liberation)\s+of)",
    ),
)
WEEKS_AFTER_RE = (
    r"(?i)\b(?:a|one|two|three|four|five|six|several|a\s+few|\d{1,2})\s+(?:weeks?|months?|years?)\s+after\b"
)
DATED_BEFORE_RE = (
    r"(?i)\b(?:of|during)\s+(?:early\s+|late\s+|mid-?)?" + vocabulary.MONTH + r"\s+(?:19|20)\d\d\b"
    r"|\b(?:19|20)\d\d\s*,\s+when\b"
)
PARTIAL = (
    r"(?i)\b(?:of|percent|per\s+cent|%|part|parts|most|half|much|outskirts|edge|centre|center|areas?|positions?|"
    r"quarter|district|districts|sections?|blocks?|streets?)\b"
)
PREFILTER_WORDS = (
    "captur", "control of", "control over", " control", "seiz", "liberat", "took", "taken", "take ", "takes ",
    "taking", "retook", "retaken", "regain", "occupied", "occupy", "occupies", "de-occup", "deoccup", "fell to",
    "fell ", "fallen", "fall of", "freed", "frees", "secured", "securing", "pushed", "pushing", "drove", "driven",
    "driving", "forced", "forcing", "kicked", "knocked", "flag", "entered", "cleared", "clearing", "loss of",
    "ousted", "expel", "dislodg", "withdr", "pulled", "retreat", "overran", "overrun", "now hold", "lost control",
    "abandon", "to leave", "conquest",
    # the named members of a counted claim in the sentence before ("Among the villages named were A and B")
    "among the villages", "among the settlements", "among the towns", "among the localities", "among them were",
    "among them are",
)  # fmt: skip
PREFILTER_RE = literal_pattern(PREFILTER_WORDS)


@rules.cached
def patterns() -> dict[str, str]:
    """The named claim patterns (compiled once; a disabled rule turns its part into one that never matches)."""
    r = rules.pattern
    # "liberated Sudzha along with the nearby villages of A and B": the company is claimed too
    along = r("ter.list_along_with", r"(?:along|together)\s+with")
    sep = r(
        "ter.list_and",
        r"(?:\s*,\s*(?:and\s+|as\s+well\s+as\s+|" + along + r"\s+|&\s+)?|\s+(?:and|as\s+well\s+as|" + along + r"|&)\s+)",
    )
    # "A and the adjacent village of B"
    sep += r"(?:(?:the\s+)?(?:[\w-]+\s+){0,2}?" + PLACE_NOUN + r"\s+of\s+)?"
    noise = list_noise()
    # "A in Ukraine's Donetsk region and (of / the village of) B in the Kharkiv region": an owned region joins
    # two items only when the second has its own region too (alone, "in Ukraine's X region and" joined more than
    # lists on real reporting)
    pair = r(
        "ter.list_pair",
        NAME + ITEM_LOCATOR + r"\s*,?\s+(?i:and|as\s+well\s+as)\s+(?:(?i:of)\s+|(?i:the)\s+(?i:" + PLACE_NOUN
        + r")\s+(?i:of)\s+)?" + NAME + ITEM_LOCATOR,
    )
    item = r"(?:" + pair + r"|" + NAME + r")"
    names = r"(?P<names>" + item + r"(?:(?:" + sep + r"|" + noise + r")" + item + r")*)"
    obj_noun = r(
        "ter.obj_place_noun",
        # without "the", only lower-case words: "Selydove and the village of X" is a list, not an object
        r"(?:(?i:the)\s+" + FILLER + r"|(?:\p{Ll}[\p{L}'-]*\s+){0,2}?)(?i:" + PLACE_NOUN + r")(?:\s+(?i:of)\s+|\s*,\s+)",
    )
    obj_count = r(
        "ter.obj_count_list",
        r"(?i:(?:the\s+following\s+|all\s+)?(?:(?:\d{1,3}|several|a\s+few|a\s+number\s+of|multiple|more)\s+)?"
        r"(?:more\s+|other\s+|further\s+|new\s+|additional\s+|key\s+|small\s+)?"
        + PLACE_NOUNS
        # "five villages in the Kharkiv region - A, B", "two more villages, A and B"
        # ("ten villages in the region, including A and B")
        + r"\b(?:[^:;.]{0,120}?(?::|\s-|,\s+(?:among\s+them|including|such\s+as))|\s*,"
        # "two villages in eastern Ukraine's Donetsk region, A and B": the list after the count's region
        + r"|" + r("ter.count_list_region", r"[^:;.,]{0,80}?\b(?:region|oblast|province|direction|area)\s*,")
        + r")\s*(?:the\s+"
        + PLACE_NOUN
        + r"\s+of\s+)?)",
    )
    # an owner before the object: "captured Ukraine's Avdiivka", "the Donetsk region's village of X"
    owner = r(
        "ter.owner",
        r"(?:(?i:the)\s+)?(?:\p{Lu}[\p{L}'-]*\s+){0,3}(?:\p{Lu}[\p{L}-]*|(?i:region|oblast))'s\s+",
    )
    obj = r"(?P<obj>(?:" + owner + r")?(?:" + obj_count + r"|" + obj_noun + r"|))"
    # a name followed by a region word is a region or facility; one followed by a speech verb is the speaker
    # ('"We have liberated Kupiansk," Gerasimov told Putin')
    after = (
        r"(?P<after>\s+(?i:"
        + REGION_WORDS
        + r")\b)?(?P<speech>\s+(?:said|says|told|tells|wrote|writes|added|adds|claimed|claims|reported|announced|stated|"
        r"confirmed|noted)\b)?"
    )
    control = r"(?:full\s+|complete\s+|total\s+)?control\s+(?:of|over)"
    verbs = [
        r(
            "ter.verb",
            # "took control of" before "took": the longer trigger wins where both lead to a claim
            r"(?:take|takes|took|taken|taking|retook|retaken|retaking|gained|gaining|regained|regaining|restored|established|establishing|assumed|seized|"
            r"has|have|had|wrested|declared|declares|announced|announces|"
            r"claimed|claims|claiming)\s+"
            + control
            + r"|(?:took|taken|taking)\s+over|captured|seized|liberated|freed|took|taken|retook|retaken|recaptured|regained|"
            r"secured|securing|cleared|clearing|capturing|seizing|liberating|taking|retaking|recapturing|overran|overrun|"
            r"de-?occupied|de-?occupying|"
            # "Russian troops are in full control of X"
            r"(?:is|are|was|were|now)\s+in\s+(?:full\s+|complete\s+)?control\s+of",
        ),
        # "The enemy occupied X", "Russian troops have occupied X": after its subject "occupied" is the verb (bare,
        # it is mostly the adjective: "in occupied Melitopol")
        r(
            "ter.occupy_subject",
            r"(?:forces|troops|army|units|enemy|occupiers|invaders|soldiers|fighters|russia|russians)\s+"
            r"(?:have\s+|has\s+|had\s+)?(?:now\s+|already\s+|fully\s+)?occupied",
        ),
        r(
            "ter.verb_present",
            r"captures|capture|seizes|seize|liberates|liberate|takes|take|retakes|retake|recaptures|frees",
        ),
        r(
            "ter.verb_expel",
            r"(?:pushed|pushing|drove|driven|driving|forced|forcing|kicked|knocked|threw|thrown|ousted|ousting|expelled|"
            r"expelling|dislodged|dislodging)\s+(?:out\s+(?:[\w'-]+\s+){0,4}?(?:from|of)|(?:[\w'-]+\s+){1,4}?out\s+(?:of|from)|"
            # without "out", the one driven off is named: "pushed Ukrainian troops from X", "drove the enemy from X"
            r"(?:the\s+)?(?:(?:russian|ukrainian|enemy|occupation)\s+){1,2}(?:troops|forces|units|soldiers|army|military|"
            r"occupiers|invaders)\s+from|(?:the\s+)?(?:enemy|occupiers|invaders|russians|ukrainians)\s+from)",
        ),
        r(
            "ter.verb_flag",
            r"(?:raised|raising|hoisted|hoisting|planted|planting)\s+(?:the|a|their|its)\s+(?:[\w-]+\s+){0,3}?flags?\s+(?:over|above|in|on)|"
            r"(?:[\w-]+\s+){0,2}?flags?\s+(?:was|were|has\s+been|have\s+been|had\s+been)\s+(?:raised|hoisted|planted)\s+(?:over|above|in|on)",
        ),
        r(
            "ter.verb_occupy",
            r"(?:(?:have|has|had)\s+)?now\s+(?:(?:fully|completely|entirely)\s+)?(?:occupy|occupies|control|controls|hold|holds)|"
            r"(?:have|has|had)\s+occupied",
        ),
    ]
    p: dict[str, str] = {}
    # a short time between the verb and its object: "captured on Tuesday the village of X"
    interjection = r(
        "ter.interjection",
        r"(?i:(?:on\s+\w+day|overnight|yesterday|today|earlier\s+today|this\s+week),?\s+)?",
    )
    def claim(trigger: str, tail: str) -> str:
        """A trigger (the named group trig), what stands between it and the list, the list and what follows."""
        return r"(?i:\b(?P<trig>" + trigger + r"))\s+" + tail + names + after

    p["verb"] = claim("|".join(verbs), interjection + obj)
    p["enter"] = claim(r("ter.verb_enter", r"entered"), r"(?P<obj>" + obj_noun + r"|)")
    p["noun"] = claim(
        r("ter.noun", r"(?:capture|liberation|recapture|seizure|fall|takeover|take-over|conquest)\s+of"), r"(?:the\s+)?" + obj
    )
    # "Russian forces occupied the village of X"; "the occupied city of X" is an adjective
    p["occupied"] = claim(r("ter.verb_occupy", r"occupied"), r"(?P<obj>" + obj_noun + r")")
    # "Ukraine's troops withdrew from X": the side that leaves is not the one in control
    p["withdrawal"] = claim(
        r(
            "ter.withdrawal",
            r"(?:withdr[ae]w[ns]?|withdrawing|pulled\s+out|retreated|retreating|pulled)\s+(?:(?:its|their|the)\s+)?"
            r"(?:(?:troops|forces|units|soldiers|garrison)\s+)?(?:out\s+)?(?:from|of)|"
            # "were forced to leave X", "abandoned the town of X"
            r"forced\s+to\s+(?:leave|abandon|quit)|abandoned",
        ),
        r"(?:the\s+)?" + obj,
    )
    p["loss"] = claim(
        r("ter.loss", r"loss\s+of|(?:lost|loses|losing)\s+(?:full\s+|complete\s+)?control\s+(?:of|over)"),
        r"(?:the\s+)?" + obj,
    )
    passive = r(
        "ter.passive",
        r"(?:(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s+(?:now\s+)?(?:fully\s+|completely\s+)?|"
        r"(?:has|have|had)\s+(?:now\s+)?returned\s+)"
        r"(?:under|(?:back\s+|returned\s+)?(?:under|to))\s+(?:the\s+)?(?:[\w'-]+\s+){0,2}?control\b|"
        r"(?:(?:has|have|had)\s+(?:also\s+|now\s+|reportedly\s+|already\s+)?been|was|were|is\s+now|are\s+now)\s+"
        r"(?:also\s+|fully\s+|completely\s+|reportedly\s+|finally\s+|officially\s+)?"
        r"(?:liberated|captured|taken|recaptured|retaken|seized|freed|occupied|cleared|overrun|de-?occupied)\b|"
        r"(?:came|has\s+come|have\s+come|had\s+come|fell|has\s+fallen|have\s+fallen|had\s+fallen)\s+(?:under\s+(?:the\s+)?(?:full\s+|complete\s+)?"
        r"(?:control|russian\s+control|ukrainian\s+control)|to)\b|"
        # "DeepState's map now shows Bohatyr as under Russian control"
        + r("ter.shown_as", r"as\s+(?:being\s+)?(?:under|in)\s+(?:the\s+)?(?:full\s+)?(?:russian|ukrainian)\s+control\b")
        + r"|"
        # "Ulakly has fallen, DeepState said": the perfect needs no agent ("Avdiivka fell in 2024" is history)
        + r("ter.has_fallen", r"(?:has|have|had)\s+(?:now\s+|finally\s+|reportedly\s+|effectively\s+)?fallen\b"),
    )
    # a passive, then its list after a colon: "the settlements that have been liberated this week: A, B and C"
    p["passive_list"] = (
        r"(?i:\b(?P<trig>"
        + r(
            "ter.passive_list",
            r"(?:(?:have|has|had)\s+been|were|was)\s+(?:liberated|captured|taken|seized|freed|retaken|recaptured)",
        )
        + r")[^:;.]{0,40}?:\s*)(?P<obj>)"
        + names
        + after
    )
    # a counted passive, then its members: "more than 20 settlements had been liberated in the region, among them
    # A and B" (the count before the trigger is checked in _claims)
    p["passive_count"] = (
        r"(?i:\b(?P<trig>"
        + r(
            "ter.counted_members",
            r"(?:(?:have|has|had)\s+been|were)\s+(?:liberated|captured|taken|seized|freed|retaken|recaptured)",
        )
        + r")[^:;.]{0,100}?,\s+(?:among\s+them|including|such\s+as)\s+(?:the\s+" + PLACE_NOUN + r"\s+of\s+)?)(?P<obj>)"
        + names
        + after
    )
    # the members of a counted claim in the sentence before: "Russia said it had recaptured 10 settlements. Among
    # the villages named by the ministry were A, B and C" (the sentence before is checked in _claims)
    p["members"] = (
        r"(?i:\b(?P<trig>"
        + r(
            "ter.counted_members",
            r"among\s+(?:them|the\s+" + PLACE_NOUNS + r"(?:\s+[\w'-]+){0,6}?)\s+(?:were|are)",
        )
        + r")\s+(?:the\s+" + PLACE_NOUNS + r"\s+of\s+)?)(?P<obj>)"
        + names
        + after
    )
    # names before the passive, or "the city of X (of/in ...) has been liberated"; "the city of X captured"
    p["passive"] = (
        r"(?:(?i:"
        + PLACE_NOUN
        + r")\s+of\s+)?"
        + names
        # "Bohdanivka and Ivanivske villages came under Russian control" (the noun right before the verb)
        + r"(?:\s+" + r("ter.names_noun", r"(?i:" + PLACE_NOUN + r")")
        + r"|\s+(?:of|in)\s+(?:the\s+)?[^,;]{0,60}?|,\s+[^,;]{1,80}?,"
        # "the village of Rodinskoye north of the city has been taken"
        + r"|" + r("ter.passive_locator", r"\s+(?i:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|near|outside)\s+(?:of\s+)?[^,;]{0,50}?")
        + r")??\s+"
        r"(?i:(?P<trig>" + passive + r"))"
    )
    # a control map's update: "DeepState updated its map to show the village of X and the town of Y, both in
    # the Pokrovsk district, as occupied by Russian forces"
    p["map"] = (
        r"(?i:\b(?:show|shows|showed|showing|shown|mark|marks|marked|marking)\s+)"
        r"(?:(?i:the\s+)(?:[\w-]+\s+){0,2}?(?i:" + PLACE_NOUN + r")\s+of\s+)?"
        + names
        + r"(?:,\s+[^,;]{1,80}?,)?\s+(?i:as\s+(?:(?:being|now)\s+)?(?P<trig>"
        + rules.pattern(
            "ter.map_status",
            # ("as under Russian control" is ter.shown_as, a passive)
            r"occupied|captured|liberated",
        )
        + r"))\b"
    )
    # "the village of X, which Russian forces seized on Tuesday": the claim's object before it
    p["relative"] = (
        names
        + r",\s+(?i:which|that)\s+(?:[\w'-]+\s+){0,4}?(?i:(?:had|have|has)\s+)?(?i:(?P<trig>"
        + r(
            "ter.relative", r"captured|seized|took|taken|liberated|retook|retaken|recaptured|occupied|overran"
        )
        + r"))\b"
    )
    p["headline"] = (
        r"(?i:\b(?:village|town|city|settlement)\s+of\s+)"
        + names
        + r"\s+(?i:(?P<trig>"
        + rules.pattern("ter.passive", r"captured|liberated|taken|retaken")
        + r"))\b"
    )
    # side words (actors); place uses ("the Ukrainian city of", "Ukraine's eastern Donetsk region", "in
    # eastern Ukraine") are matched too, so that they can be told apart and ignored
    p["side"] = (
        r"(?i)(?P<prep>\b(?:in|into|through|across|throughout|from|near|toward|towards|against|inside|within|at)\s+"
        r"(?:the\s+)?(?:(?:eastern|western|southern|northern|central|north-?eastern|south-?eastern|north-?western|"
        r"south-?western|east-central|occupied|war-torn)\s+)?)?"
        r"\b(?:(?P<ru>russia|russian|russia's|russians|moscow|moscow's|kremlin|wagner|prigozhin|pro-russian|"
        r"russian-backed|separatists?|rogov|pushilin|kadyrov|gerasimov|putin|"
        # Russia's groups of forces, as its ministry names them: "units of the Tsentr battlegroup"
        r"(?:tsentr|vostok|zapad|yug|sever|dnepr|center|centre|east|west|south|north)\s+(?:battle\s*group|group\s+of\s+forces)|"
        # the Russian names alone: "troops of the Tsentr group", "the Vostok grouping"
        + rules.pattern("ter.force_group", r"(?:tsentr|vostok|zapad|yug|sever|dnepr)\s+(?:group|grouping|forces)") + r"|"
        r"(?:the\s+)?general\s+staff\s+of\s+(?:the\s+)?russian"
        # Russia's unit names: "the 20th Guards Motor Rifle Division", "the 810th Guards Naval Infantry Brigade"
        + r"|" + rules.pattern("ter.unit_names", r"guards\s+(?:[\w-]+\s+){0,3}?(?:division|regiment|brigade|army)|motor\s+rifle")
        + r")|(?P<ua>ukraine|ukrainian|ukraine's|"
        # Ukraine's: "the Third Separate Assault Brigade", "the 47th Separate Mechanised Brigade"
        + rules.pattern("ter.unit_names", r"separate\s+(?:[\w-]+\s+){0,3}?(?:brigade|regiment|battalion)") + r"|"
        r"ukrainians|kyiv|kyiv's|kiev|kiev's|zelensk\w*|syrskyi|maliar|"
        + rules.pattern("ter.force_group", r"(?:khortytsia|tavria)\s+(?:operational[-\s]+strategic\s+)?(?:group|grouping|forces)") + r"|"
        # Ukraine's own name for its army: "the Defence Forces liberated X" ("the air defence forces" is not it)
        + (r"the\s+defen[cs]e\s+forces|" if rules.active("ter.defence_forces") else "")
        # English news's unqualified "the General Staff" is Ukraine's (Russia's speaks as its ministry)
        + (r"(?:the\s+)?general\s+staff" if rules.active("ter.general_staff") else rules.NEVER)
        + r"))\b"
        r"(?P<as_place>(?:\s+(?:eastern|western|southern|northern|central|north-?eastern|south-?eastern|frontline|"
        r"front-line|key|strategic|small|industrial|embattled|besieged|occupied))?(?:\s+[A-Z][a-z]+)?\s+(?:city|town|village|"
        r"villages|region|territory|settlement|oblast|capital|positions?|soil|border|side|lands?|"
        # nouns no side acts through: "repelled Ukrainian attacks near X and recaptured Y" (Russia recaptured)
        + r("ter.side_object", r"attacks?|assaults?|counter-?attacks?|counter-?offensives?|offensives?|incursions?|raids?|"
            r"shelling|strikes?|defen[cs]es|lines|fortifications|drones?|missiles?")
        + r"))?"
    )
    # the region a settlement lies in, when the clause names it
    p["region"] = (
        r"(?:\b(?:in|of|into|inside|within|near)\s+(?:the\s+)?(?:Ukraine's\s+|Ukrainian\s+|Russia's\s+)?"
        r"(?:[a-z][\w-]*\s+){0,2}(?P<r1>\p{Lu}[\p{Ll}'-]+)\s+(?i:region|oblast))|(?:\b(?i:region)\s+of\s+(?P<r2>\p{Lu}[\p{Ll}'-]+))"
        # Russia's names for the occupied oblasts: "the Donetsk People's Republic", "the DPR"
        + r"|(?:"
        + rules.pattern(
            "ter.republic_region",
            r"\b(?P<r3>Donetsk|Luhansk|Lugansk)\s+(?i:people's\s+republic)|\b(?P<r4>DPR|DNR|LPR|LNR)\b",
        )
        + r")"
    )
    return p


@rules.cached
def list_noise() -> str:
    """What may stand between two items of a settlement list besides a plain separator: a short locating
    apposition (", near the border with Y, ") or a region ("A in the Kharkiv region and B"). The names are
    read out of the list after this is replaced by a comma, so a name inside it is never claimed."""
    appos = rules.pattern(
        "ter.list_apposition",
        r"\s*,\s+(?:near|close\s+to|located|lying|situated|about|around|some|just|roughly|approximately|"
        r"(?:north|south|east|west)\w*|\d+\s*(?:km|kilomet\w*|miles?)|on\s+the|outside|along|in\s+the|which|"
        r"where|a|an|the)\b(?:[^,;:]|\d,\d){0,80}?,\s*(?:and\s+|as\s+well\s+as\s+|"
        + rules.pattern("ter.list_along_with", r"(?:along|together)\s+with\s+")
        + r")?"
        # ("..., and the nearby village of B")
        r"(?:(?i:the)\s+(?:[\w-]+\s+){0,2}?(?i:" + PLACE_NOUN + r")\s+of\s+)?",
    )
    locator = rules.pattern(
        "ter.list_locator",
        # ("A in the Dnipropetrovsk region and of B in the neighbouring Donetsk region"; a possessor before the
        # region, "in Ukraine's Donetsk region and ...", is left out: on real reporting it joined more than lists)
        r"\s*,?\s+(?:in|of)\s+(?:the\s+)?(?:(?i:neighbou?ring|adjacent|nearby|north\w*|south\w*|"
        r"east\w*|west\w*)\s+)?\p{Lu}[\p{Ll}'-]+\s+(?i:region|oblast)\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+)?|"
        r"\s+(?:and|as\s+well\s+as)\s+|,?\s+(?i:along\s+with|together\s+with|plus)\s+)(?:of\s+)?",
    )
    return r"(?:" + appos + r"|" + locator + r")"


# How far before and after a claim its clause is read (characters).
CLAUSE_REACH = 400
# The claim's clause: guards look only inside it, so "Russia took X, but Kyiv denied it" keeps its claim.
_CLAUSE_ALT = r";|,?\s+but\s|\bwhile\b|\bwhereas\b|\bhowever\b|\balthough\b|\bthough\b|\bafter\b|\bbefore\b"


def _clause_parts(claims: pl.DataFrame) -> pl.DataFrame:
    """clause_before (from the clause start to the trigger), claim (the match) and clause_after (from the
    match to the clause end), cut out of each claim's sentence."""
    boundary = rules.pattern("ter.clause", _CLAUSE_ALT)
    # bounded reads (CLAUSE_REACH characters each way), linear however many claims a long sentence holds
    start = (pl.col("trig_pos") - CLAUSE_REACH).clip(lower_bound=0)
    before = pl.col("norm").str.slice(start, pl.col("trig_pos") - start)
    after = pl.col("norm").str.slice(pl.col("end"), CLAUSE_REACH)
    return claims.with_columns(
        clause_before=before.str.replace(r"(?is)^.*(?:" + boundary + r")", ""),
        clause_after=after.str.replace(r"(?is)(?:" + boundary + r").*$", ""),
        claim=pl.col("norm").str.slice(pl.col("pos"), pl.col("end") - pl.col("pos")),
    )


def _guarded(claims: pl.DataFrame) -> pl.DataFrame:
    """Drop the claims whose clause says they are not reported as having happened (intent, negation,
    denial, history)."""
    tail = pl.col("clause_before").str.slice(
        (pl.col("clause_before").str.len_chars().cast(pl.Int64) - 60).clip(lower_bound=0)
    )
    # after the claim, only its own phrase (up to a comma): "X, the capital of the region Moscow claimed to
    # have annexed in 2022" says nothing about when X was taken
    clause = pl.concat_str("clause_before", "claim", pl.col("clause_after").str.replace(r"(?s),.*$", ""))
    # "managed to capture" reports a capture; "trying to capture" does not
    irrealis = tail.str.contains(rules.pattern("ter.irrealis", IRREALIS)) & ~tail.str.contains(
        r"(?i)\b(?:managed|succeeded|able|claim(?:s|ed|ing)?|said|says|appears?|seems?)\s+to\s+$|\bto\s+have\s+(?:been\s+)?$"
    )
    modal_after = pl.col("clause_after").str.contains(
        rules.pattern(
            "ter.modal_after",
            r"(?i)^\s*(?:would|could|will|might|may|should|is\s+(?:expected|likely)|seems)\b",
        )
    )
    # "Take Chasiv Yar. Russian officials ...": an imperative opening the sentence asks the reader to consider
    imperative = (
        pl.col("trig").str.contains(r"^(?:Take|Capture|Seize)$")
        & pl.col("clause_before").str.contains(r"^\W*$")
        & pl.lit(rules.active("ter.imperative"))
    )
    # ("updated its map to show X as occupied": the map's "to show" is no intent)
    irrealis = (irrealis & (pl.col("kind") != "map")) | modal_after | imperative
    negated = tail.str.contains(rules.pattern("ter.negation", NEGATION))
    # a denial after a claim someone relays leaves the claim standing (SCHEMA.md): "Russia claimed the capture of
    # X and Ukraine denied it"; before the claim, or after an unrelayed one, it is the denial alone
    denial = rules.pattern("ter.denial", DENIAL)
    after_claim = pl.col("clause_after").str.replace(r"(?s),.*$", "")
    relayed = pl.col("clause_before").str.contains(
        rules.pattern("ter.relayed_denied", r"(?i)\b(?:said|says|claimed|claims|announced|reported|stated)\b")
    )
    # (the denial with a subject of its own: "Ukraine's army says Russian reports of the capture of X are fake" is
    # the speaker's own denial)
    onwards = pl.concat_str("claim", after_claim)
    own_subject = onwards.str.contains(r"(?i)\b(?:and|but|which|while|whereas)\b[^.;]*" + DENIAL.removeprefix("(?i)"))
    denied = pl.col("clause_before").str.contains(denial) | (onwards.str.contains(denial) & ~(relayed & own_subject))
    background = vocabulary.without_rankings(clause).str.contains(rules.pattern("ter.background", BACKGROUND))
    # "..., a week after Ukraine liberated X": a claim after such a point in time is the other event's; a capture
    # a day or two old is still news when relayed (SCHEMA.md: "a day after Russia claimed X" keeps its row)
    after_event = pl.col("norm").str.find(rules.pattern("ter.background", WEEKS_AFTER_RE))
    background = background | (after_event.is_not_null() & (after_event < pl.col("trig_pos")))
    # "the counteroffensive of June 2023, when troops liberated X", "in 2022, when Ukraine freed X": a dated
    # past the claim's clause is told of (the clause starts after "when", so the sentence before it is read)
    dated = pl.col("norm").str.slice(0, pl.col("trig_pos")).str.contains(
        rules.pattern("ter.dated_background", DATED_BEFORE_RE)
    )
    background = background | dated
    return claims.filter(~(irrealis | negated | denied | background))


# a claimant named with its side: "Russia's Defence Ministry", "the Ukrainian General Staff", "the Ministry of
# Defence of Russia"
_SIDED_CLAIMANT = (
    r"(?i)\b(?:(?P<ru>russia's|russian|moscow's)|ukraine's|ukrainian|kyiv's)\s+(?:defen[cs]e\s+ministry|"
    r"ministry\s+of\s+defen[cs]e|general\s+staff|military|army|armed\s+forces)\b"
    r"|\b(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|general\s+staff)\s+of\s+(?:the\s+)?"
    r"(?:(?P<ru2>russia|russian\s+federation)|ukraine)\b"
)
# a speaker that refers back to one named before: "The ministry also said", "On Wednesday, it said its troops"
_ANAPHORIC_SPEAKER = (
    r"(?i)\b(?:the\s+(?:defen[cs]e\s+)?ministry|the\s+general\s+staff|the\s+military|the\s+army|it)\s+"
    r"(?:[\w'-]+\s+){0,3}?(?:said|says|announced|reported|claimed|added|stated|declared)\b"
)


def _anaphor_sides(claims: pl.DataFrame, context: pl.DataFrame) -> pl.DataFrame:
    """anaphor_side: when the claim's sentence has its speaker refer back before the trigger ("The ministry
    also said troops had taken X"), the side of the last claimant named with its side before the claim, in
    this sentence or an earlier one (null otherwise)."""
    if not rules.active("ter.anaphoric_speaker"):
        return claims.with_columns(anaphor_side=pl.lit(None, pl.String))
    named = find_tokens(context, "norm", _SIDED_CLAIMANT, kind="claimant", flags="")

    def order(pos: str) -> pl.Expr:
        # one position across the article's sentences (no sentence is a million characters long)
        return pl.col("sentence_no").cast(pl.Int64) * (1 << 20) + pl.col(pos).cast(pl.Int64)

    if named.height:
        groups = pl.col("tok").str.extract_groups(anchored(_SIDED_CLAIMANT))
        named = named.select(
            "article_id",
            order=order("pos"),
            anaphor_side=pl.when(groups.struct.field("ru").is_not_null() | groups.struct.field("ru2").is_not_null())
            .then(pl.lit("RU"))
            .otherwise(pl.lit("UA")),
        ).sort("article_id", "order")
    else:
        named = pl.DataFrame(schema={"article_id": ARTICLE_KEY, "order": pl.Int64, "anaphor_side": pl.String})
    refers_back = pl.col("norm").str.slice(0, pl.col("trig_pos")).str.contains(_ANAPHORIC_SPEAKER)
    at = claims.with_row_index("__row").with_columns(
        order=order("trig_pos"),
        __back=refers_back,
    )
    found = (
        at.filter("__back")
        .select("__row", "article_id", "order")
        .sort("article_id", "order")
        .join_asof(named, on="order", by="article_id", strategy="backward", check_sortedness=False)
        .select("__row", "anaphor_side")
    )
    return at.join(found, on="__row", how="left", maintain_order="left").drop("__row", "__back", "order")


def _sides(frame: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Side words that can be a subject: keys, pos, side ("RU"/"UA")."""
    t = find_tokens(frame, "norm", p["side"], kind="side", flags="")
    if t.height == 0:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "side": pl.String}
        )
    t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["side"]))).unnest("g")
    place = pl.col("as_place").is_not_null()
    if rules.active("ter.side_unit"):
        # "a Ukrainian assault regiment", "Russian assault units": the noun names the unit, a subject
        after = (
            t.select(*KEYS, "end")
            .join(frame.select(*KEYS, "norm"), on=list(KEYS), how="left", maintain_order="left")
            .select(pl.col("norm").str.slice(pl.col("end"), 16))
            .to_series()
        )
        unit = after.str.contains(
            r"(?i)^\s+(?:regiments?|brigades?|battalions?|units?|groups?|troops|forces|detachments?|compan(?:y|ies)|squads?|teams?)\b"
        )
        place = place & ~unit
    if rules.active("ter.side_acted_on"):
        # "continued to defeat formations of the Ukrainian armed forces ... and liberated X": the side a combat
        # verb acts on is the enemy, no subject
        before = text_before(t, frame, "norm", 50)
        acted_on = before.str.contains(
            r"(?i)\b(?:defeat(?:ed|ing|s)?|destroy(?:ed|ing|s)?|repel(?:led|ling|s)?|rout(?:ed|ing|s)?|encircl\w+|"
            r"push(?:ed|ing)?\s+back|dr(?:o|i)ve\s+out|driving\s+out|inflict\w*\s+(?:heavy\s+)?losses\s+on|"
            r"fighting\s+against|against)\s+(?:(?:the\s+)?(?:formations|units|positions|forces|troops|groups|assaults|attacks|"
            r"manpower)\s+of\s+)?(?:the\s+)?$"
        )
        place = place | acted_on.fill_null(False)
    if rules.active("ter.side_place"):
        place = place | pl.col("prep").is_not_null()
    else:
        place = pl.lit(False)
    return t.filter(~place).select(
        *KEYS, "pos", side=pl.when(pl.col("ru").is_not_null()).then(pl.lit("RU")).otherwise(pl.lit("UA"))
    )


def _side_of(expr: pl.Expr) -> pl.Expr:
    """The side a short text names first (RU/UA), or null."""
    ru = expr.str.find(r"(?i)\b(?:russia\w*|moscow\w*|kremlin|wagner|pro-russian)")
    ua = expr.str.find(r"(?i)\b(?:ukrain\w*|kyiv\w*|kiev\w*)")
    return (
        pl.when(ru.is_not_null() & (ua.is_null() | (ru < ua.fill_null(1 << 30))))
        .then(pl.lit("RU"))
        .when(ua.is_not_null())
        .then(pl.lit("UA"))
    )


def _opposite(side: pl.Expr) -> pl.Expr:
    return pl.when(side == "RU").then(pl.lit("UA")).when(side == "UA").then(pl.lit("RU"))


# "<side> said/claims/announced": the side speaking, named by its country or capital
SIDE_SPEAKER = (
    r"(?i)\b(?:{side})\s+(?:has\s+|had\s+|also\s+|later\s+)?(?:said|says|claims?|claimed|announced|reported|"
    r"declared|insisted|asserted)\b"
)

CLAIMANTS = [
    # (pattern, claimant when the actor is RU, when UA)
    (r"(?i)\bISW\b|institute\s+for\s+(?:the\s+)?study\s+of\s+war", "ISW", "ISW"),
    (r"(?i)\bdeep\s?state\b", "DeepState", "DeepState"),
    (r"(?i)\bwagner\b|prigozhin", "Wagner", "Wagner"),
    (r"(?i)\bgerasimov\b", "RU General Staff", "RU General Staff"),  # Russia's chief of the general staff
    (r"(?i)general\s+staff", "RU General Staff", "UA General Staff"),
    (
        r"(?i)defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|\bmod\b|defen[cs]e\s+minist|\bministry\b",
        "RU MoD",
        "UA officials",
    ),
    (
        r"(?i)state\s+media|\bria\b|\btass\b|war\s+bloggers?|milbloggers?|officials?|governor|spokes\w+|"
        r"president|kremlin|minister|rogov|pushilin|kadyrov|maliar|zelensk\w+",
        "RU officials",
        "UA officials",
    ),
    (r"(?i)\barmy\b|military|commander|syrskyi|forces\s+(?:said|say|claim)", "RU military", "UA military"),
]
# A side itself as the speaker ("Moscow said", "Russia claims to have taken X"), after every named claimant:
# Russia's capture claims are its defence ministry's, Ukraine's its military's.
SIDE_CLAIMANTS = [
    (SIDE_SPEAKER.format(side=r"russia|moscow"), "RU MoD", "RU MoD"),
    (SIDE_SPEAKER.format(side=r"ukraine|kyiv|kiev"), "UA military", "UA military"),
]


# An unqualified claimant of this kind is Ukraine's (English news calls Russia's "the Russian General Staff")
UA_BY_DEFAULT = ("RU General Staff",)


def _claimant(actor: pl.Expr, context: str) -> pl.Expr:
    """The first claimant named in `context`; its side is the side word just before it ("Ukraine's General
    Staff", "the Russian Defence Ministry"), else the side of the claim's speaker (`actor`)."""
    expr = None
    for pat, ru, ua in CLAIMANTS + (SIDE_CLAIMANTS if rules.active("ter.side_speaker") else []):
        hit = pl.col(context).str.contains(pat)
        # the four words before the claimant (found with its own pattern, which a literal anchors: fast)
        at = pl.col(context).str.find(pat).cast(pl.Int64)
        window = pl.col(context).str.slice((at - 48).clip(lower_bound=0), pl.min_horizontal(at, 48))
        before = window.str.extract(r"((?:[\w'-]+\s+){0,4})$", 1)
        default = pl.lit("UA") if ru in UA_BY_DEFAULT and rules.active("ter.general_staff") else actor
        side = pl.coalesce(_side_of(before), default) if rules.active("ter.claimant_side") else actor
        val = pl.when(side == "RU").then(pl.lit(ru)).otherwise(pl.lit(ua))
        expr = pl.when(hit).then(val) if expr is None else expr.when(hit).then(val)
    return expr.otherwise(pl.lit(None, pl.String))


def extract_territorial_control(sentences: pl.DataFrame) -> pl.DataFrame:
    """sentences -> claim rows: article_id, settlement, admin1, actor, claimed_by, event_date, sentence_no."""
    p = patterns()
    base = sentences.filter(~pl.col("bullet") & ~pl.col("timeline"))
    cand = base.filter(pl.col("has_event_words")).filter(contains_any_word(pl.col("norm"), PREFILTER_WORDS))
    if rules.active("ter.title_case"):
        # Headlines in Title Case make every word look like a name ("Ukraine Recaptures Key Village")
        long_words = pl.col("norm").str.count_matches(r"\b[A-Za-z]{4,}")
        capitalised = pl.col("norm").str.count_matches(r"\b[A-Z][a-z]{3,}")
        # a sentence whose list of names is most of it still writes its verbs in lower case ("said its forces
        # had liberated A, B and C in the Donetsk People's Republic"); a headline has none
        lower_case = pl.col("norm").str.count_matches(r"\b[a-z]{5,}\b")
        cand = cand.filter(~((long_words >= 4) & (capitalised >= long_words * 0.7) & (lower_case == 0)))
    claims = _claims(cand, p)
    if claims.height == 0:
        return _empty_rows()
    claims = _guarded(_clause_parts(claims))
    if claims.height == 0:
        return _empty_rows()
    context = base.join(claims.select("article_id").unique(), on="article_id", how="semi")
    claims = _actors(claims, context, p)
    claims = _admin1(claims, context, p)
    claims = _claimants(claims, context)
    key = spelling_key(pl.col("settlement")) if rules.active("ter.spelling_variants") else pl.col("settlement").str.to_lowercase()
    rows = claims.sort(*KEYS, "pos").group_by("article_id", key.alias("skey"), maintain_order=True).first()
    out = rows.select("article_id", "settlement", "admin1", "actor", "claimed_by", "sentence_no")
    if "published_at" in sentences.columns:
        dates = sentences.group_by("article_id").agg(event_date=pl.col("published_at").first())
        return out.join(dates, on="article_id", how="left")
    return out.with_columns(event_date=pl.lit(None, pl.Date))


def spelling_key(name: pl.Expr) -> pl.Expr:
    """One key for the Russian and Ukrainian spellings of a place ("Malye Shcherbaki" / "Mali Shcherbaky",
    "Stepovoye" / "Stepove", "Gorlovka" / "Horlivka"): the consonants in order, Russian g read as Ukrainian h,
    and whether the name ends in a vowel ("Pokrovsk" and "Pokrovske" are two places)."""
    lower = name.str.to_lowercase().str.replace_all(r"[’'`ʼ-]", "")
    ends_in_vowel = lower.str.contains(r"[aeiouy]$")
    skeleton = lower.str.replace_all(r"g", "h").str.replace_all(r"[aeiouyj]", "").str.replace_all(r"\s+", " ")
    return pl.concat_str(skeleton, pl.when(ends_in_vowel).then(pl.lit("+")).otherwise(pl.lit("")))


def _actors(claims: pl.DataFrame, context: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """actor: the passive's agent, else the subject (nearest side before the trigger in the sentence), else
    for an expulsion the other side of the one expelled, else the side speaking after the claim, else the
    earlier sentences' side, else RU."""
    sides = _sides(context, p)
    subject = (
        claims.select(*KEYS, "pos", "kind", "trig_pos")
        .unique()
        .join(sides.rename({"pos": "side_pos"}), on=list(KEYS), how="inner")
        .filter(pl.col("side_pos") < pl.col("trig_pos"))
        .sort("side_pos")
        .group_by(*KEYS, "pos", "kind", maintain_order=True)
        .agg(subject=pl.col("side").last())
    )
    # after the trigger, not only after the match: a speaker's "Ukraine's" can end a list the possessive rule
    # then cuts ("liberated Pishchane, Ukraine's army said")
    speaker = (
        claims.select(*KEYS, "pos", "kind", "end", "trig_pos", "trig")
        .unique()
        .join(sides.rename({"pos": "side_pos"}), on=list(KEYS), how="inner")
        .filter(pl.col("side_pos") >= pl.col("trig_pos") + pl.col("trig").str.len_chars().cast(pl.Int64))
        .sort("side_pos")
        .group_by(*KEYS, "pos", "kind", maintain_order=True)
        .agg(speaker=pl.col("side").first())
    )
    first_side = (
        sides.sort(*KEYS, "pos").group_by(KEYS, maintain_order=True).agg(first=pl.col("side").first())
    )
    earlier = (
        context.select(*KEYS)
        .join(first_side, on=list(KEYS), how="left")
        .sort(*KEYS)
        .with_columns(earlier_side=pl.col("first").shift(1).forward_fill().over("article_id"))
        .select(*KEYS, "earlier_side")
    )
    claims = (
        claims.join(subject, on=[*KEYS, "pos", "kind"], how="left", maintain_order="left")
        .join(speaker, on=[*KEYS, "pos", "kind"], how="left", maintain_order="left")
        .join(earlier, on=list(KEYS), how="left", maintain_order="left")
    )
    claims = _anaphor_sides(claims, context)
    passive = pl.col("kind").is_in(["passive", "headline", "map"])
    # the agent: "captured by Russian forces", "fell to Russian troops", "under the control of Russian
    # forces"; "cleared of Russian troops" names the side that was removed
    preposition = pl.col("clause_after").str.extract(r"(?i)^\s*(by|to|of)\s", 1).str.to_lowercase()
    agent_side = _side_of(
        pl.col("clause_after").str.extract(
            r"(?i)^\s*(?:by|to|of)\s+((?:the\s+)?(?:[\w'-]+\s+){0,2}?[\w'-]+)", 1
        )
    )
    cleared = pl.col("trig").str.contains(r"(?i)\bcleared$")
    agent = (
        pl.when(~passive).then(None)
        .when((preposition == "of") & cleared).then(_opposite(agent_side))
        .when((preposition == "of") & ~pl.col("trig").str.contains(r"(?i)control$")).then(None)
        .otherwise(agent_side)
    )  # fmt: skip
    expel = pl.col("trig").str.contains(
        r"(?i)^(?:push|drov|driv|forc|kick|knock|threw|thrown|oust|expel|dislodg)"
    )
    expelled = pl.when(expel).then(_opposite(_side_of(pl.col("trig"))))
    in_trigger = pl.when(~expel).then(_side_of(pl.col("trig")))
    choices = []
    if rules.active("ter.agent"):
        choices.append(agent)
    if rules.active("ter.trigger_side"):
        choices.append(in_trigger)
    if rules.active("ter.subject"):
        choices.append(pl.col("subject"))
    if rules.active("ter.expel_object"):
        choices.append(expelled)
    if rules.active("ter.anaphoric_speaker"):
        choices.append(pl.col("anaphor_side"))
    if rules.active("ter.speaker"):
        choices.append(pl.col("speaker"))
    if rules.active("ter.earlier_side"):
        choices.append(pl.col("earlier_side"))
    actor = pl.coalesce(*choices, pl.lit("RU"))
    # "Ukraine confirmed the loss of X": the side that speaks of a loss is not the side in control
    # "Ukrainian officials acknowledged the fall of X": the side that concedes a capture is not its actor
    conceded = (
        (pl.col("kind") == "noun")
        & pl.col("clause_before").str.contains(r"(?i)\b(?:acknowledg\w*|admit\w*|conced\w*)\s+(?:[\w'-]+\s+){0,2}$")
        & pl.col("subject").is_not_null()
        & pl.lit(rules.active("ter.conceded"))
    )
    # "X has fallen, Ukrainian monitors said": a fall with no agent is told of a place Ukraine held (news of a
    # place Ukraine takes says "liberated"), whoever speaks
    bare_fall = (
        passive & pl.col("trig").str.contains(r"(?i)\bfallen$") & agent.is_null() & pl.lit(rules.active("ter.has_fallen"))
    )
    # the members of a counted claim are its side's, named in the sentence before ("which Ukrainian units had
    # entered" after them is another event)
    members = pl.col("kind") == "members"
    return claims.with_columns(
        actor=pl.when(members)
        .then(pl.coalesce("earlier_side", pl.lit("RU")))
        .when(bare_fall)
        .then(pl.lit("RU"))
        .when(pl.col("kind").is_in(["loss", "withdrawal"]))
        .then(_opposite(actor))
        .when(conceded)
        .then(_opposite(pl.col("subject")))
        .otherwise(actor)
    )


def _admin1(claims: pl.DataFrame, context: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """admin1: the region named nearest after the list in the sentence (else nearest before it), else the
    settlement's own in the gazetteer, else the last region named earlier in the article."""
    regions = _regions(context, p)
    # from the item itself: "A in the Dnipropetrovsk region and B in the Donetsk region" gives B Donetsk
    start = pl.col("item_pos") if rules.active("ter.item_region") else pl.col("pos")
    near = (
        claims.select(*KEYS, "pos", "kind", "settlement", "item_pos")
        .unique()
        .join(regions.rename({"pos": "r_pos"}), on=list(KEYS), how="inner")
        .with_columns(
            dist=pl.when(pl.col("r_pos") >= start)
            .then(pl.col("r_pos") - start)
            .otherwise(start - pl.col("r_pos") + 10_000)
        )
        .sort("dist")
        .group_by(*KEYS, "pos", "kind", "settlement", maintain_order=True)
        .agg(region_admin1=pl.col("region_admin1").first())
    )
    last_region = (
        context.select(*KEYS)
        .join(
            regions.group_by(KEYS).agg(pl.col("region_admin1").sort_by("pos").last()),
            on=list(KEYS),
            how="left",
        )
        .sort(*KEYS)
        .with_columns(prev_region=pl.col("region_admin1").shift(1).forward_fill().over("article_id"))
        .select(*KEYS, "prev_region")
    )
    claims = (
        resolve_places(claims, "settlement").rename({"admin1": "own_admin1"}).drop("country", strict=False)
    )
    if rules.active("ter.region_name"):
        # a name the gazetteer knows only as an oblast (Crimea, Donbas) is no settlement
        claims = claims.filter(pl.col("place_kind").fill_null("") != "admin1")
    return (
        claims.drop("place_kind", strict=False)
        .join(near, on=[*KEYS, "pos", "kind", "settlement"], how="left")
        .join(last_region, on=list(KEYS), how="left")
        .with_columns(admin1=pl.coalesce("region_admin1", "own_admin1", "prev_region"))
    )


def _claimants(claims: pl.DataFrame, context: pl.DataFrame) -> pl.DataFrame:
    """claimed_by: from the claim's sentence, else the one before it."""
    ctx = context.sort(*KEYS).select(
        *KEYS,
        prev_text=pl.col("norm").shift(1).over("article_id").fill_null(""),
    )
    claims = claims.join(ctx, on=list(KEYS), how="left")
    # the speaker of a loss is on the other side of the actor
    lost = pl.col("kind").is_in(["loss", "withdrawal"])
    speaker = pl.when(lost).then(_opposite(pl.col("actor"))).otherwise(pl.col("actor"))
    return claims.with_columns(
        claimed_by=pl.coalesce(_claimant(speaker, "norm"), _claimant(speaker, "prev_text"))
    )


def _regions(frame: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = find_tokens(frame, "norm", p["region"], kind="region", flags="")
    if t.height == 0:
        return pl.DataFrame(
            schema={
                "article_id": ARTICLE_KEY,
                "sentence_no": pl.Int32,
                "pos": pl.Int64,
                "region_admin1": pl.String,
            }
        )
    t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["region"], flags=""))).unnest("g")
    names = [pl.col("r1"), pl.col("r2")]
    if "r3" in t.columns:  # (absent while ter.republic_region is switched off)
        republic = pl.col("r4").replace({"DPR": "Donetsk", "DNR": "Donetsk", "LPR": "Luhansk", "LNR": "Luhansk"})
        names += [pl.col("r3"), republic]
    t = t.with_columns(region=pl.concat_str(pl.coalesce(*names), pl.lit(" region")))
    t = resolve_places(t, "region").filter(pl.col("admin1").is_not_null())
    return t.select(*KEYS, "pos", region_admin1="admin1")


# Claim kinds whose trigger opens the match (the object follows) and those whose trigger closes it.
FORWARD_KINDS = ("verb", "enter", "noun", "loss", "occupied", "withdrawal", "passive_list", "passive_count", "members")
# A counted claim: "recaptured 10 settlements", "more than 20 settlements had been liberated"
COUNTED = (
    r"(?:(?:more\s+than|over|at\s+least|some|about|nearly|almost)\s+)?(?:\d{1,3}|several|dozens\s+of|a\s+number\s+of)\s+"
    r"(?:more\s+|other\s+|further\s+)?" + PLACE_NOUNS + r"\b"
)
COUNTED_BEFORE_RE = r"(?i)\b" + COUNTED + r"(?:\s+[\w'-]+){0,5}?\s*$"
COUNTED_CLAIM_RE = (
    r"(?i)\b(?:liberated|captured|recaptured|retook|retaken|taken|seized|took\s+control\s+of|freed|cleared)\s+"
    + COUNTED
    + r"|\b" + COUNTED + r"(?:\s+[\w'-]+){0,5}?\s+(?:(?:have|has|had)\s+been|were)\s+(?:liberated|captured|retaken|recaptured|taken)"
)
BACKWARD_KINDS = ("passive", "relative", "headline", "map")
# How far from its trigger a claim may reach (characters): lists of a dozen villages fit.
WINDOW = 400
# Before "occupied", these make it an adjective ("the occupied city of X")
ADJECTIVE_BEFORE = r"(?i)\b(?:the|in|of|from|into|near|at|temporarily|newly)\s+$"


def _window_tokens(cand: pl.DataFrame, pattern: str, kind: str) -> pl.DataFrame:
    """The matches of a claim pattern, looked for next to its trigger only (tokens.find_near_triggers)."""
    forward = kind in FORWARD_KINDS
    t = find_near_triggers(
        cand, "norm", pattern, trigger="trig", forward=forward, kind=kind, flags="", window=WINDOW
    )
    # "the occupied city of X" is an adjective; so is a participle after a preposition or article ("troops in
    # liberated Kupiansk", "the captured town of X"): they describe the place, they report no capture
    adjective = (kind == "occupied") | (kind == "verb" and rules.active("ter.participle_adjective"))
    if adjective and t.height:
        before = pl.col("norm").str.slice(
            (pl.col("pos") - 14).clip(lower_bound=0), pl.min_horizontal(pl.col("pos"), 14)
        )
        participle = pl.lit(True) if kind == "occupied" else pl.col("trig").str.contains(r"(?i)^\S+(?:ed|en)\b")
        t = (
            t.join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left")
            .filter(~(before.str.contains(ADJECTIVE_BEFORE) & participle))
            .drop("norm")
        )
    return t


# A speech verb inside a passive's match: the names before it are the speaker's ("Ukraine's Ministry of Defence
# said Balakliia had been liberated"), the claim's subject follows it.
SPEECH_IN_MATCH_RE = (
    r"(?i)^(.*\b(?:said|says|told|reported|announced|claimed|claims|stated|confirmed|added|wrote)\b(?:\s+(?:on\s+\w+|"
    r"today|yesterday|earlier))?(?:\s+that)?)\s"
)


def _speaker_before_passive(cand: pl.DataFrame, t: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Passive matches whose names run across a speech verb are read again from after the verb (the text
    before it blanked, positions kept), so that the speaker is not taken for the settlement."""
    spoken = (
        t.join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left")
        .with_columns(
            cut=pl.col("norm").str.slice(pl.col("pos"), pl.col("end") - pl.col("pos"))
            .str.extract(SPEECH_IN_MATCH_RE, 1).str.len_chars().cast(pl.Int64)
        )
        .filter(pl.col("cut").is_not_null())
    )
    if spoken.height == 0:
        return t
    again = spoken.group_by(KEYS).agg(pl.col("norm").first(), start=(pl.col("pos") + pl.col("cut")).min()).select(
        *KEYS, norm=pl.col("norm").str.slice(pl.col("start")).str.pad_start(pl.col("norm").str.len_chars().max())
    )
    # (pad_start pads to one width: the blanked copy keeps each sentence's own length when cut back to it)
    again = again.join(cand.select(*KEYS, n=pl.col("norm").str.len_chars()), on=list(KEYS)).with_columns(
        norm=pl.col("norm").str.slice(pl.col("norm").str.len_chars() - pl.col("n"))
    ).drop("n")
    redone = _window_tokens(again, p["passive"], "passive")
    kept = t.join(spoken.select(*KEYS, "pos"), on=[*KEYS, "pos"], how="anti")
    return pl.concat([kept, redone.select(kept.columns)], how="vertical_relaxed") if redone.height else kept


def _claims(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Every claim pattern's matches -> one row per claimed name: keys, pos and end of the match, trig_pos
    (where its trigger stands), kind, trig, norm (the sentence) and settlement."""
    frames = []
    for kind in (
        *FORWARD_KINDS,
        *BACKWARD_KINDS,
    ):
        t = _window_tokens(cand, p[kind], kind)
        if t.height and kind == "passive" and rules.active("ter.speaker_before_passive"):
            t = _speaker_before_passive(cand, t, p)
        if t.height == 0:
            continue
        for col in ("obj", "after", "speech"):
            if col not in t.columns:
                t = t.with_columns(pl.lit(None, pl.String).alias(col))
        frames.append(t.select(*KEYS, "pos", "end", "kind", "trig", "obj", "names", "after", "speech"))
    if not frames:
        return _empty_claims()
    claims = pl.concat(frames).join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left")
    if {"passive_count", "members"} & set(claims["kind"].unique().to_list()):
        # a counted passive needs its count right before the trigger; members need a counted claim in the
        # sentence right before theirs
        before = pl.col("norm").str.slice((pl.col("pos") - 80).clip(lower_bound=0), pl.min_horizontal(pl.col("pos"), 80))
        previous = cand.select(
            "article_id", sentence_no=pl.col("sentence_no") + 1, previous=pl.col("norm").str.contains(COUNTED_CLAIM_RE)
        )
        claims = (
            claims.join(previous, on=list(KEYS), how="left")
            .filter(
                ((pl.col("kind") != "passive_count") | before.str.contains(COUNTED_BEFORE_RE))
                & ((pl.col("kind") != "members") | pl.col("previous").fill_null(False))
            )
            .drop("previous")
        )
    # active triggers open their match; a passive's closes it
    claims = claims.with_columns(
        trig_pos=pl.when(pl.col("kind").is_in(["passive", "headline"]))
        .then(pl.col("end") - pl.col("trig").str.len_chars().cast(pl.Int64))
        .when(pl.col("kind") == "relative")
        .then(pl.col("end") - pl.col("trig").str.len_chars().cast(pl.Int64))
        .otherwise(pl.col("pos"))
    )
    if rules.active("ter.occupied_adjective"):
        # "the Russian-occupied city of X", "in occupied Melitopol": an adjective that describes X, not a capture
        before = pl.col("norm").str.slice(
            (pl.col("trig_pos") - 16).clip(lower_bound=0), pl.col("trig_pos").clip(upper_bound=16)
        )
        adjective = before.str.contains(
            r"(?i)(?:-|\b(?:the|a|an|in|of|to|from|into|at|near|newly|temporarily|partially|still|formerly)\s+)$"
        )
        claims = claims.filter(~((pl.col("kind") == "occupied") & adjective))
    if rules.active("ter.partial_object"):
        # partial control in the object ("70 percent of", "the outskirts of") claims no settlement
        core = pl.col("obj").fill_null("").str.replace(r"(?i)\s+of\s+$", "")
        claims = claims.filter(~(core.str.contains(PARTIAL) & ~core.str.contains(r"[:]|\s-\s")))
    names = pl.col("names").str.replace_all(list_noise(), ", ").str.replace_all(ITEM_LOCATOR, ", ").str.extract_all(NAME)
    following = pl.col("norm").str.slice(pl.col("end"), 2)
    drop_last = pl.lit(False)
    if rules.active("ter.possessive"):
        drop_last = drop_last | following.str.starts_with("'s")
    if rules.active("ter.hyphen_word"):
        drop_last = drop_last | following.str.contains(r"^-\p{Ll}")
    if rules.active("ter.region_after"):
        drop_last = drop_last | pl.col("after").is_not_null()
    if rules.active("ter.speaker_name"):
        drop_last = drop_last | (pl.col("speech").is_not_null() & (names.list.len() > 1))
    claims = (
        claims.with_columns(drop_last=drop_last, settlement=names, n_names=names.list.len())
        .explode("settlement")
        .with_columns(idx=pl.int_range(pl.len()).over(*KEYS, "pos", "kind"))
        .filter(~((pl.col("idx") == pl.col("n_names") - 1) & pl.col("drop_last")))
        .with_columns(settlement=pl.col("settlement").str.strip_chars())
        .filter(pl.col("settlement").is_not_null() & (pl.col("settlement") != ""))
        # where the item stands in the sentence (its first occurrence from the match on), for its own region
        .with_columns(
            item_pos=pl.col("pos")
            + pl.col("norm").str.slice(pl.col("pos")).str.find(pl.col("settlement"), literal=True).fill_null(0)
        )
    )
    if rules.active("ter.not_settlement"):
        s = pl.col("settlement")
        claims = claims.filter(
            ~s.str.contains(NOT_SETTLEMENT)
            & ~s.str.contains(NOT_PLACE_NAME_RE)
            & ~s.str.contains(NOT_PLACE_WORD_RE)
        )
    return claims.drop("drop_last", "n_names", "idx")


def _empty_claims() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                "kind": pl.String, "trig": pl.String, "norm": pl.String, "trig_pos": pl.Int64,
                "settlement": pl.String}
    )  # fmt: skip


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "settlement": pl.String, "admin1": pl.String, "actor": pl.String,
                "claimed_by": pl.String, "sentence_no": pl.Int32, "event_date": pl.Date}
    )  # fmt: skip
