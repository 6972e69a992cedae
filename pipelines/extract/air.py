"""Air attacks: counted weapon mentions -> one row per (article, attacker, weapon class).

How a row comes about (all whole-column polars, no per-article Python):
1. mentions: "approximately 580 drones", "both missiles", "all 24 Russian drones", "28 out of 31 drones",
   combined counts ("550 drones and missiles", "thirty aerial targets": class "any"), bare counts that refer
   back ("58 of which", "73 were shot down", "Eleven of them were missiles");
2. verbs: launch verbs (launched, fired, attacked ... with), intercept verbs (shot down, destroyed, downed,
   neutralised), other outcomes (electronic warfare, "lost", "failed to reach") and impacts ("the missile
   struck"); a verb inside a compound ("Russia-launched", "air-launched") is a modifier, not a verb;
3. each mention takes the role of the verb it belongs to: a passive or impact verb right after it, else the
   verb before it in its clause, else the verb after it; a list after "out of" is what was launched;
4. attacker: what the weapon itself says (ATACMS is Ukrainian, Shahed is Russian), its adjective ("Ukrainian
   drones"), else the subject of its verb (the side that launched, or the other side of the one that shot
   down: "Russian air defences destroyed 20 drones" -> UA), else the sentence's cues (Russian air
   defence, "over the Kursk region"), else the previous sentences', else Russia;
5. a figure whose clause speaks of another time (war-long tallies, earlier attacks, "as reported earlier")
   is dropped; figures of one sentence are summed (4 cruise + 1 Kinzhal + 1 Iskander = 6 missiles) except a
   breakdown after "including" or a colon, which is a part of its total; across sentences the first
   whole figure of the article wins unless a later one is called the total; per-region figures are summed
   when the article gives no whole one;
6. a combined figure with its parts gives the class without a figure its derived count ("550 drones and
   missiles ... eleven of them missiles" -> 539 drones); a combined figure without parts gives nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import polars as pl

from pipelines.extract import rules, vocabulary
from pipelines.extract.numbers import QUALIFIER_RE, bounds, parse_count, qualifier_code
from pipelines.extract.tokens import (
    ARTICLE_KEY,
    anchored,
    ascii_classes,
    contains_any_word,
    find_tokens,
    literal_pattern,
)
from pipelines.extract.weapons import alias_pattern, alias_words, classify_alias, family_of
from pipelines.schema import OUTCOMES

KEYS = ("article_id", "sentence_no")
ANY = "any"  # the class of a combined count ("targets", "drones and missiles")
CLASSES = ("drone", "missile", "guided_bomb")

rules.declare(
    {
        "air.mention": "a counted weapon: 'approximately 580 drones', 'both missiles', 'all 24 Russian drones'",
        "air.aside": "an aside between dashes or brackets is a clause of its own: 'fired six missiles - four were downed - and 30 drones'",
        "air.all_of_the_last": "'... and 30 drones, all of which were downed' speaks of those drones, not of every weapon",
        "air.another_impact": "'one missile was shot down, another hit a house': two launched, one intercepted",
        "air.part_over_region": "'85 drones, 64 of which were shot down' beats a regional '12 destroyed over the Kyiv region'",
        "air.place_ellipsis": "'destroyed 15 drones over Bryansk, 10 over Kursk and seven over Belgorod' is 32 destroyed",
        "air.target_ellipsis": "'fired six missiles at Odesa and two at Izmail' is 8 missiles",
        "air.afu_subject": "'the AFU again attacked Enerhodar with drones': the attacker is Ukraine (occupation officials' name for its army)",
        "air.existential": "'in total there were eight UAVs: three of them were shot down' counts what was launched",
        "air.ministry_cue_air_only": "the Russian ministry named in a capture claim is no cue for the side of a bomb on Kharkiv sentences later",
        "air.trailing_tally": "a tally in a trailing clause of the night's report: 'shot down all 14 missiles fired at Kyiv overnight, in the latest of a wave of attacks this month'",
        "air.exercise": "exercises and test launches are no attack: 'during the exercise, 12 target missiles were destroyed'",
        "air.verb_translated": "translated launch verbs: '158 means of air attack were fixed', 'ten UAVs were flying at the city', 'six drones tried to hit the port'",
        "air.ellipsis_head": "'30 drones overnight, 12 over Kharkiv, 10 over Sumy and 8 over Poltava' is 30: a total's breakdown adds nothing",
        "air.combined_outcome": "one figure 'shot down/suppressed' or 'shot down or neutralised' is intercepted",
        "air.noun_referent": "'Drones attacked Moscow; five were shot down': a back-reference with no count before it takes the weapon named",
        "air.telegraphic": "a count with a bare participle is an outcome: 'Russia attacks with 90 drones; 60 downed, 25 lost to EW'",
        "air.none_of": "'none of the four missiles was intercepted': a part of none (the whole was launched)",
        "air.model_head": "a model name's head noun is part of its phrase: 'two Kh-101 cruise missiles struck'",
        "air.modifier_noun": "a weapon word before a noun is a modifier: 'a missile attack', 'drone debris'",
        "air.compound": "a hyphenated compound makes the weapon an adjective: 'missile-carrying aircraft'",
        "air.not_a_modifier": "a mention may not span a clause: 'a day after Russia launched drones' is no count",
        "air.inner_mention": "the count inside a match that spans a clause is read again: 'killed two people when a missile hit' counts 'a missile'",
        "air.respectively": "'2 and 39 respectively': one figure per weapon named before, in their order",
        "air.back_ref_launch": "a bare launch figure refers back to the weapon counted before: 'In total, Russia had launched 81.'",
        "air.naval_drone": "sea drones are boats: 'four Magura V5 sea drones', 'five naval drones' count no air weapons",
        "air.interceptor": "an air-defence interceptor is no attacking weapon: 'downed a jet with a Patriot missile'",
        "air.hedge": "a guessed type beside a weapon is the same weapon again: 'a missile, likely an X-101'",
        "air.agent": "'shot down by a Patriot missile' names the interceptor; 'struck by two missiles' counts a launch",
        "air.combined": "one count for several classes ('550 drones and missiles', '30 aerial targets') is a combined count",
        "air.combined_parts": "a combined count with its parts gives the class without a figure its derived count",
        "air.combined_generic": "a combined count naming no class counts drones and missiles: '367 air attack means, "
        "including 69 missiles' gives 298 drones",
        "air.part_of": "'28 out of 31 drones', '21 of the drones': a part, and the whole it is part of",
        "air.out_of": "after 'out of' the counts are what was launched: 'shot down 36 missiles out of 67 missiles'",
        "air.back_ref_object": "a back-reference right after its verb is that verb's object: 'shot down 47 of them, ..., adding that the remaining drones fell'",
        "air.back_ref": "a count without a weapon that refers back: '58 of which', 'All 10 were destroyed'",
        "air.class_part": "'Eleven of them were missiles': a class's part of the combined count before it",
        "air.all_except": "'All the projectiles, except for the Iskander-M missile, were shot down'",
        "air.all_passive": "'adding that all were destroyed': every weapon launched was intercepted",
        "air.all_launched": "'all 24 drones were shot down': the 24 were also launched",
        "air.all_part": "'destroyed 81 missiles, including all 11 Kalibrs': the 'all' figure of a part launched a part, not the whole",
        "air.all_list": "the 'all' of a list's first item is every item's: 'All 12 missiles, four attack drones and two reconnaissance drones were destroyed'",
        "air.all_restates_launch": "'launched six missiles; all six were destroyed': the 'all' figure repeats its sentence's launch figure, it adds nothing to it",
        "air.the_impact": "'the missile struck': a single weapon reported by its impact is launched 1",
        "air.aim_verb": "counts that open their clause and target or attack something were launched: 'Eight drones targeted the capital', '..., with 12 drones attacking the city'",
        "air.perfect_tally": "the perfect with no attack and no time of the news is a tally: 'Russia has fired more than 9,000 missiles at Ukraine'",
        "air.shared_side": "the counts of one verb share the side the weapons name: 'shot down two Storm Shadow missiles and 45 drones' are Ukraine's",
        "air.verb_launch": "launch verbs: launched, fired, sent, hurled, unleashed, attacked ... with, pounded ... with, dropped, comprised",
        "air.of_the_whole": "the whole a sentence opens with is launched: 'Of the 45 drones, 38 were downed'",
        "air.attack_noun": "an attack named by its noun launches its count: 'a barrage of 40 missiles', 'the assault with 300 drones'",
        "air.verb_intercept": "intercept verbs: shot down, destroyed, downed, intercepted, neutralised",
        "air.verb_suppress": "lost to electronic warfare, jammed, 'did not reach': not intercepted",
        "air.launch_origin_list": "the last of several launch platforms: 'from bombers, ships and ground launchers in the Kursk region' names no Russian target",
        "air.launch_origin": "'fired from Tu-95s over the Volgograd region': where the weapons came from is no region whose figure is a part",
        "air.participle_aside": "'Both missiles, fired from Su-34 jets over the Belgorod region, were destroyed': the aside between weapons and verb is read out",
        "air.impact_under_combined": "'653 drones and missiles, including 20 missiles' then 'a drone hit a building': the drones are the remainder (633), not the one impact",
        "air.colon_list": "after a colon, '; - 29 Kalibr (...); - 193 Shaheds' are items of one list, not clauses",
        "air.verb_in_compound": "a verb inside a compound is a modifier: 'Russia-launched drones', 'air-launched Kh-101'",
        "air.clause": "a count takes a verb of its own clause (';', 'while', 'but' end one)",
        "air.participle": "a participle right after a count describes it, and is no verb for the counts around it",
        "air.weapon_destroys": "'a guided bomb destroyed a house': a weapon that destroys an object struck it, nothing was shot down",
        "air.total_with_parts": "a figure followed by parts that add up to it is a total with its breakdown: '8 missiles, 6 Kh-101 and 2 Iskander-K'",
        "air.family_sum": "figures of different missile families (cruise, ballistic) in different sentences add up",
        "air.intransitive_outcome": "'46 drones disappeared from radar': an intransitive outcome verb after a count is its verb, no participle",
        "air.participle_passive": "a passive after the participle that describes a count is that count's verb: 'all 15 drones launched by Russia overnight were destroyed'",
        "air.bound_passive": "a passive verb right after a count binds it: '74 drones were destroyed'",
        "air.partitive_sibling": "a part listed before a whole figure of its class is one more item: 'destroyed five of the Kalibrs and two Kh-59s' is 7",
        "air.model_part": "'300 of them were Shaheds': a model named as a part of a combined count is a part of its class, not the class's figure",
        "air.total_breakdown": "a comma after 'in total' breaks the count before it down: 'five missiles in total, two Zircons and three Iskander-Ms'",
        "air.dash_breakdown": "a dash before counts breaks the count before it down: '32 missiles - 28 Kh-101 and four "
        "Iskander-M'",
        "air.breakdown_role": "a breakdown with no verb of its own takes its total's role: 'Kyiv was attacked by 60 "
        "drones and missiles, including 4 missiles'",
        "air.perfect_toll": "the perfect with a toll after it is one attack, not a tally: 'have dropped two bombs on "
        "Kharkiv, killing three'",
        "air.launch_noun": "'launch' before a noun is no verb: 'HIMARS multiple launch rocket system', 'launch sites'",
        "air.released_document": "'figures released by the president's office': a document released is no launch",
        "air.hits_by": "'hits by 25 missiles and 34 drones were recorded' counts the weapons that got through, not a launch",
        "air.impact_last": "a launch known only from an impact is the weakest figure: '472 drones and missiles, 32 of "
        "them missiles ... after a direct missile hit' is 32 missiles",
        "air.regional_breakdown": "a total broken down by region after it is the whole night's: '48 drones over seven "
        "regions, including six over the Lipetsk region'",
        "air.shared_passive": "a list of counts opening its clause shares the passive verb after it: '..., adding that 60 "
        "drones and five missiles had been downed'",
        "air.of_which": "counts after 'of which' are parts that take the verb after them",
        "air.subject_side": "the side of the verb's subject: 'Russian air defences destroyed 20 drones' -> UA",
        "air.subject_own_verb": "a subject belongs to the first verb after it: 'Russia fired 69 missiles, with air defences intercepting 56' (Russia did not intercept)",
        "air.sentence_cues": "a sentence's side cues (Russian air defence, 'over the Kursk region') decide the attacker",
        "air.background": "another time in the count's clause: war-long tallies, earlier attacks, 'as reported earlier'",
        "air.could_be_downed": "'72 drones could be neutralised' (translated reports) tells what was done, no guess",
        "air.irrealis": "modality, plans and conditions in the count's clause: 'could launch 500 drones', 'if Russia fires'",
        "air.supply": "arms deliveries, production and procurement: weapons counted there are not fired",
        "air.breakdown": "a breakdown after 'including' or a colon is a part of its total, not added to it",
        "air.ukrainian_governor": "'Lviv regional governor said 16 drones were destroyed over his region': Russian drones, as 'over his region' is for a Russian governor",
        "air.family_ones": "'two of the ballistic ones': a missile family's 'ones' are missiles",
        "air.not_intercepted": "'The missiles, Iskander-Ms from Kursk, were not intercepted': none of them were (intercepted 0)",
        "air.carrier_drops": "'a drone dropped an explosive device on a car': the drone struck (an impact, the weakest launch figure), it dropped no drones",
        "air.city_figure": "'In Kyiv, about 20 drones were destroyed', 'on approach to the city': the city's own figure, a part of the night's",
        "air.region_clause": "a region named in a later clause is not that of the counts before it: 'destroyed 55 of 59 drones; in the Kyiv region alone, 20 were downed'",
        "air.partial_region": "a figure in one named region is a part of the night's total",
        "air.largest_whole": "across sentences the largest whole figure wins (a headline often gives one part)",
        "air.precise_over_rough": "a precise figure beats a rough one near it: 'more than 90 missiles' over 'almost a hundred'",
        "air.neutralised_parts": "'86 neutralised: 64 shot down and 22 locationally lost': the shot-down part is intercepted, not the combined total",
        "air.all_own_figure": "an 'all were destroyed' in another sentence than the launch figure leaves the article's own intercepted figure",
        "air.other_war": "a sentence about another war (Iran and Israel, the Houthis) that names neither side of this one counts no attack",
        "air.background_carry": "the sentence right after a background one, with no time of its own, is background too",
        "air.weak_impact": "one impact ('a drone struck a block') is not the launch figure beside a larger interception",
        "air.other_more": "'eight other missiles', 'ten more drones' in a later sentence add to the figure before them",
        "air.each": "'one drone each over the Bryansk and Lipetsk regions' counts once per region",
    }
)

# --------------------------------------------------------------------------- shared fragments
_DAY_OR_MONTH = r"^(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|" + vocabulary.MONTH + r")$"
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
# Ukrainian drones", "a day after Russia launched drones") and is discarded. Whole words only: a compound
# ("Russia-launched drones") is a modifier.
NOT_A_MODIFIER = (
    r"(?:^|\s)(?:of|the|their|its|his|her|with|from|to|at|in|on|by|were|was|is|are|be|been|has|have|had|that|which|"
    r"who|for|after|before|than|as|said|says|say|launched|fired|sent|used|using|involving|including|"
    r"destroyed|downed|intercepted|shot|struck|hit|attacked|targeted|against|over|during|since|while|"
    r"when|where|there|this|these|those|per|each|every|day|night|week|month|year)(?:\s|$)"
)
# Drones of the sea: "sea drones", "naval drones", "unmanned surface drones" are boats.
NAVAL_DRONE_MODS = r"(?i)(?:^|\s)(?:sea|naval|maritime|marine|surface|underwater|water|sea-going|seaborne)(?:\s|$)"
# Adjectives allowed between the two nouns of one count shared by two classes ("40 missiles, drones",
# "100 missiles and attack drones"); a count word there ("and both missiles") starts a new mention instead.
COMBO_ADJ = (
    r"(?:attack|combat|kamikaze|cruise|ballistic|guided|glide|strike|long-range|jet|jet-powered|decoy|aerial|air|"
    r"hypersonic|anti-aircraft|operational-tactical|tactical|aeroballistic|air-launched|ship-launched|sea-launched|"
    r"anti-ship|supersonic|subsonic|short-range|medium-range)"
)
HEDGE = r"(?:likely|probably|possibly|presumably|apparently|reportedly|allegedly|perhaps|believed\s+to\s+be)"
# Nouns for weapons of any class: a count of them is a combined count.
COMBINED_NOUN = (
    r"(?:(?:aerial|air|enemy|hostile)\s+)?targets|(?:means\s+of\s+(?:air\s+|aerial\s+)?attack)|"
    # "101 enemy air attack means were recorded" (Ukraine's air force, translated)
    r"(?:(?:air|aerial)\s+attack\s+(?:means|assets|weapons))|"
    r"(?:aerial\s+|air\s+)?weapons|(?:(?:air|aerial)\s+)?objects|projectiles"
)
# Where a verb may start: not inside a compound ("Russia-launched", "air-launched")
VERB_LEFT = r"(?:^|[^\w-])"


@rules.cached
def patterns() -> dict[str, str]:
    """The named patterns, built once (the weapon alternation comes from weapons.csv)."""
    r = rules.pattern
    weapon = alias_pattern()
    combined = r("air.combined", COMBINED_NOUN)
    noun = r"(?:" + combined + r"|" + weapon + r")"
    p: dict[str, str] = {}

    # "approximately 580 drones", "both missiles", "an aeroballistic missile Kinzhal", "all 24 Russian drones".
    # Optional parts flag what the count is (m_by and m_hedge are read from the text before it, see
    # _mention_tokens): m_by: the weapon is an agent ("shot down by a Patriot missile",
    # "struck by two missiles"); m_hedge: apposition guessing a type ("a ballistic missile, likely an X-101");
    # m_after: a modifier use ("a missile attack"); m_combo: one count for two nouns ("40 missiles, drones").
    p["mention"] = r(
        "air.mention",
        LEFT + r"(?P<m_all>\ball\s+(?:of\s+the\s+|the\s+)?)?"
        r"(?P<m_qual>\b" + QUALIFIER_RE + r"\s+)?"
        r"(?P<m_num>\b(?:" + NUM + r"|an?|another|single|both|a\s+pair\s+of))\s+"
        r"(?P<m_mods>(?:" + MODWORD + r"\s+){0,5}?)"
        r"(?P<m_noun>" + noun + r")\b"
        # the phrase's head after a model name: "two Kh-101 cruise missiles", "five Shahed attack drones" (so
        # that a verb right after the phrase is adjacent to it)
        r"(?P<m_head>" + r("air.model_head", r"(?:\s+" + COMBO_ADJ + r"){0,2}\s+(?:missiles?|drones?|rockets?|bombs?|uavs?)\b")
        + r")?"
        r"(?P<m_compound>" + COMPOUND + r")?"
        r"(?P<m_each>\s+each)?(?P<m_after>(?:\s+(?:missile|drone|rocket|bomb)s?)?\s+" + AFTER_NOUN + r"\b)?"
        r"(?P<m_combo>(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*/\s*)(?:"
        + COMBO_ADJ
        + r"\s+){0,2}"
        + weapon
        + r"\b)?",
    )
    # "28 out of 31 Russia-launched drones", "21 of the drones", "25 of 29 missiles, drones": the first count
    # is a part (of_part) of a whole that may be given (of_whole) or refer back to the launched total.
    p["part_of"] = r(
        "air.part_of",
        LEFT + r"(?:(?P<of_part>" + NUM + r"|" + r("air.none_of", r"\b(?:none|not\s+(?:one|1))") + r")\s+(?:out\s+)?of\s+"
        # "neither missile was intercepted", "neither of the missiles", "not a single drone"
        + r"|" + r("air.none_of", r"(?P<of_neither>\bneither|\bnot\s+a\s+single)\s+(?:of\s+)?") + r")"
        + r"(?:the\s+|these\s+|those\s+|them\s+)?"
        r"(?P<of_qual>" + QUALIFIER_RE + r"\s+)?(?P<of_whole>" + NUM + r"\s+)?"
        r"(?P<of_mods>(?:" + MODWORD + r"\s+){0,4}?)(?P<of_noun>" + noun + r")\b"
        r"(?P<of_combo>(?:\s*,\s*|\s+and\s+|\s*/\s*)(?:" + COMBO_ADJ + r"\s+){0,2}" + weapon + r"\b)?",
    )
    # "out of": the counts after it (up to the next verb) are what was launched
    p["out_of"] = r("air.out_of", r"\bout\s+of\s+(?:a\s+total\s+of\s+)?(?:the\s+)?\d")
    # A count without a weapon noun that refers back to the last weapon mentioned:
    # "58 of which", "18 of those", "All 10 were destroyed", "73 were shot down", "shot down 73."
    p["back_ref"] = r(
        "air.back_ref",
        LEFT + r"(?P<b_all>all\s+)?(?P<b_num>" + NUM + r"|" + r("air.none_of", r"\bnone|\bneither|\bnot\s+(?:a\s+single\s+)?(?:one|1)") + r")\s+(?:of\s+(?:which|them|those|these)\b|"
        r"(?:were|was|have\s+been|had\s+been|has\s+been)\s+(?:\w+\s+)?(?:shot\s+down|destroyed|intercepted|downed|"
        r"neutrali[sz]ed|eliminated|jammed|suppressed|(?:locationally\s+)?lost|diverted)\b)"
        r"|\b(?:shot\s+down|destroyed|intercepted|downed)\s+(?P<b_num2>" + NUM + r")\s*(?:[.;]|,\s|$)"
        # telegraphic: "...; 60 downed, 25 lost to EW"
        + r"|"
        + r(
            "air.telegraphic",
            LEFT + r"(?P<b_num6>" + NUM + r")\s+(?:shot\s+down|downed|destroyed|intercepted|neutrali[sz]ed)"
            r"\s*(?:[.;,]|$|\s+and\b|\s+by\b)",
        )
        # "..., with 80 shot down and 15 jammed"
        + r"|\bwith\s+(?P<b_num3>" + NUM + r")\s+(?:of\s+them\s+)?(?:being\s+)?(?:shot\s+down|destroyed|intercepted|"
        r"downed|neutrali[sz]ed|eliminated|jammed|suppressed|(?:locationally\s+)?lost|diverted)\b"
        # "In total, Russia had launched 81.": a launch figure for the weapon counted before
        + r"|"
        + r("air.back_ref_launch", r"\b(?:launched|fired|sent|used)\s+(?:a\s+total\s+of\s+)?(?P<b_num4>" + NUM + r")\s*(?:[.;]|$)"
            # "downed 50 drones out of around 70": the whole, bare, after the weapon it counts
            + r"|\bout\s+of\s+(?:a\s+total\s+of\s+)?(?P<b_qual5>" + QUALIFIER_RE + r"\s+)?(?P<b_num5>" + NUM
            + r")\s*(?:[.;,]|\s+(?:launched|fired|sent|in\s+total|overnight)\b|$)"),
    )
    # "one missile was shot down, another hit a house": one more than the count before it, and it struck
    p["another_impact"] = r(
        "air.another_impact",
        LEFT + r"(?P<an_num>another|the\s+other|a\s+second|the\s+second|(?P<an_more>" + NUM + r")\s+(?:others|more))"
        r"(?:\s+(?:one|1))?\s+(?:also\s+)?(?:hit|struck|exploded|landed|fell|crashed|slammed)\b",
    )
    # "destroyed 15 drones over the Bryansk region, 10 over Kursk and seven over Belgorod": counts of the same
    # weapon and verb, one per place
    p["place_ellipsis"] = r(
        "air.place_ellipsis",
        r"(?:,|\s+and)\s+(?P<el_num>" + NUM + r")\s+(?:more\s+)?(?:over|above|in|near"
        # "fired six missiles at Odesa and two at Izmail": one figure per target
        + r("air.target_ellipsis", r"|at|on|against|towards?")
        + r")\s+(?:the\s+)?"
        # ("and seven more over the waters of the Black Sea", "over the territory of the Kursk region")
        r"(?:(?:waters|territory|skies|airspace)\s+(?:of|over)\s+(?:the\s+)?)?(?P<el_place>(?-i:[A-Z])[a-z]*)",
    )
    # "2 and 39 respectively were downed", "downed 15 and 198, respectively": one figure per weapon named before,
    # in their order
    p["respectively"] = r(
        "air.respectively",
        LEFT + r"(?P<r_nums>" + NUM + r"(?:\s*,\s*" + NUM + r")*\s*,?\s+and\s+" + NUM + r")\s*,?\s+"
        r"(?:(?:were|was|have\s+been|had\s+been)\s+(?:\w+\s+){0,2}?)?respectively\b",
    )
    # "Eleven of them were missiles", "two of which were cruise missiles": a class's part of a combined count
    p["class_part"] = r(
        "air.class_part",
        LEFT
        + r"(?:(?P<cp_num>" + NUM + r")\s+of\s+(?:them|which|these|those)"
        # fronted: "Of those, 22 were missiles"
        + r"|of\s+(?:them|which|these|those)\s*,?\s+(?P<cp_num_fronted>" + NUM + r"))\s+(?:were|was|are)\s+"
        r"(?P<cp_mods>(?:" + MODWORD + r"\s+){0,3}?)(?P<cp_noun>" + weapon + r")\b",
    )
    # "All the projectiles, except for the Iskander-M missile, were shot down": every weapon launched,
    # minus the named exception.
    p["all_except"] = r(
        "air.all_except",
        r"\ball\s+(?:of\s+)?(?:the\s+)?(?:(?:enemy|russian|air|aerial)\s+)?(?P<ae_what>projectiles|targets|weapons|"
        r"means\s+of\s+(?:air\s+)?attack|air\s+targets|of\s+them)\b"
        r"(?:\s*,?\s*(?:except|but)\s+(?:for\s+)?(?P<ae_num>the|an?|"
        + NUM
        + r")\s+(?P<ae_mods>(?:"
        + MODWORD
        + r"\s+){0,3}?)(?P<ae_noun>"
        + weapon
        + r")\b)?",
    )
    # "..., of which 88 drones and 15 missiles were downed": counts after this marker are parts of the
    # counts before it and take the verb that follows them.
    p["of_which"] = r("air.of_which", r"\bof\s+(?:which|them|those|these)\b")
    # "... adding that all were destroyed": every weapon launched was intercepted.
    p["all_passive"] = r(
        "air.all_passive",
        r"\b(?:all|both|every\s+(?:single\s+)?(?:one|1)|each\s+(?:one|1))\s+(?:of\s+(?:them|which|these|those)\s+)?(?:were|was|have\s+been|has\s+been|had\s+been)\s+(?:\w+\s+)?"
        r"(?:shot\s+down|destroyed|intercepted|downed|neutrali[sz]ed)\b",
    )
    # "the missile struck": a single weapon reported by its impact.
    p["the_impact"] = r(
        "air.the_impact",
        r"\bthe\s+(?P<ti_mods>(?:" + MODWORD + r"\s+){0,2}?)(?P<ti_noun>missile|rocket|drone|bomb)\s+"
        r"(?:struck|hit|exploded|landed|slammed|(?P<ti_down>(?:was|were)\s+(?:\w+\s+)?(?:shot\s+down|destroyed|intercepted|downed|"
        r"neutrali[sz]ed)))\b",
    )
    # a breakdown of the count before: "including", "among them", a colon
    p["clause"] = r("air.clause", r";|\s(?:while|whereas|but)\s")
    p["breakdown"] = r(
        "air.breakdown",
        r"\bincluding\b|\bamong\s+them\b|:\s"
        # "32 missiles - 28 Kh-101 and four Iskander-M": a dash before counts breaks the count before it down
        + r"|" + r("air.dash_breakdown", r"\s[-\u2013\u2014]\s+\d")
        # "five missiles in total, the two Zircons and three Iskander-Ms": so does a comma after "in total"
        + r"|" + r("air.total_breakdown", r"\b(?:in\s+total|in\s+all|altogether)\s*,\s+(?:the\s+)?\d"),
    )

    # Verbs. v_pass marks a passive ("were shot down") that binds to the count just before it.
    left = r("air.verb_in_compound", VERB_LEFT)
    if left == rules.NEVER:
        left = r"(?:^|[^\w])"
    # the auxiliary of a passive is read from the text before the verb (see _verb_tokens)
    aux = ""
    p["launch"] = r(
        "air.verb_launch",
        left + aux + r"(?:launch(?:ed|es|ing)?|fir(?:ed|es|ing)|fire|sent|send(?:s|ing)?|used|using|deployed|"
        r"involv(?:ed|ing)|includ(?:ed|es)|dropp(?:ed|ing)|releas(?:ed|ing)|"
        # more verbs of sending: "hurled 90 drones", "unleashed", "the attack comprised 56 drones"
        r"hurl(?:ed|s|ing)?|unleash(?:ed|es|ing)?|lobb(?:ed|ing)|threw|throw(?:s|ing)?|dispatch(?:ed|es|ing)|"
        r"employ(?:ed|s|ing)|compris(?:ed|es|ing)|consist(?:ed|s|ing)\s+of|"
        r"(?:attack(?:ed|s|ing)?|struck|hit|targeted|targeting|shell(?:ed|ing)|bombard(?:ed|ing)|strik(?:es|ing)|"
        r"pound(?:ed|ing|s)|pummell?(?:ed|ing)|pummels|batter(?:ed|ing|s)|hammer(?:ed|ing|s)|rain(?:ed|ing|s)\s+down|pelt(?:ed|ing|s)|"
        # headlines speak in the present: "Russia pounds Ukraine with 400 drones"
        r"hits|targets|shells|bombards)"
        r",?\s+(?:[\w'.-]+\s+){0,10}?with|"
        r"recorded|detected|spotted|tracked|"
        # translated reports: "158 means of air attack were fixed", "more than ten UAVs were flying at the city",
        # "six drones tried to hit the port"
        + r(
            "air.verb_translated",
            r"(?:were|was|been)\s+(?:fixed|registered)|(?:were|was)\s+flying\s+(?:at|towards?|in\s+the\s+direction\s+of)|"
            r"(?:tried|attempted)\s+to\s+(?:hit|strike|attack)",
        )
        + r"|"
        # "In total there were eight UAVs: three of them were shot down"
        + r("air.existential", r"there\s+(?:were|was)")
        + r"|"
        # an attack named by its noun: "a barrage of 40 missiles", "the assault with 300 drones", "a wave of"
        + r(
            "air.attack_noun",
            r"(?:attack|assault|strike|barrage|raid|bombardment|salvo|wave|onslaught|volley)s?,?\s+"
            r"(?:of|with|involving|using|from|by)",
        )
        + r")\b",
    )
    p["intercept"] = r(
        "air.verb_intercept",
        left + aux + r"(?:shot\s+down"
        # one combined figure is intercepted: "shot down/suppressed 118", "shot down or neutralised" (SCHEMA.md)
        + r"(?:" + r("air.combined_outcome", r"(?:\s*/\s*|\s+or\s+|\s+and/or\s+)(?:suppressed|neutrali[sz]ed|disabled)")
        + r")?|shoot(?:s|ing)?\s+down|downed|down(?:s|ing)?|destroy(?:ed|s|ing)?|"
        r"intercept(?:ed|s|ing|ion\s+of)?|destruction\s+of|neutrali[sz](?:ed|es|ing)|took\s+down|taken\s+down|brought\s+down|"
        r"eliminated|repelled|repulsed|suppressed\s+by\s+air\s+defen[cs]e)\b",
    )
    # Weapons that did not reach their targets without being shot down: electronic warfare, "locationally
    # lost" (SCHEMA.md: not added to intercepted; the outcome ledger keeps them as suppressed).
    p["suppress"] = r(
        "air.verb_suppress",
        left
        + aux
        + r"(?:locationally\s+lost|lost|jammed|suppressed|disappeared|vanished|(?:did\s+not|didn't|failed\s+to)\s+reach|"
        r"electronic\s+warfare|went\s+missing|diverted)\b",
    )
    # Reported hits: "nine missiles hit their targets", "hits were recorded".
    # "managed to strike eight locations using nine missiles": the weapons that got through.
    p["hit_targets"] = (
        left + aux + r"(?:(?:hit|reached|struck)\s+(?:their\s+|its\s+|the\s+)?(?:intended\s+)?targets?\b|"
        # "Hits by 25 missiles and 34 drones were recorded": the weapons that got through, no launch figure
        + r("air.hits_by", HITS_BY_RE.removeprefix("(?i)"))
        + r"|"
        r"(?:strike|struck|hit)\s+(?:\d+\s+)?(?:locations|targets|sites|objects|places)\s+(?:using|with)\b)"
    )
    # Outcomes counted nowhere: "crashed", "fell".
    p["other_outcome"] = left + aux + r"(?:crashed|fell)\b"
    p["impact"] = r"\b(?:hit|struck|slammed\s+into|exploded|landed)\b"
    # weapons as the subject of an aiming verb: "Eight drones targeted the capital" (a participle of its count,
    # see _assign_roles)
    p["aim"] = r(
        "air.aim_verb",
        r"\b(?:targeted|targeting|attacked|attacking|approached|approaching|(?:headed|heading|flew|flying)\s+(?:for|towards?|at))\b",
    )
    # side words: the subject of a verb (place uses such as "at Ukraine", "Russia's Kursk region" excluded)
    p["side"] = (
        r"(?P<prep>\b(?:at|on|against|over|across|in|into|toward|towards|of|from|near|above|inside|within)\s+"
        r"(?:the\s+)?(?:(?:eastern|western|southern|northern|central|occupied)\s+)?)?"
        r"\b(?:(?P<ru>russia|russian|russia's|russians|moscow|moscow's|kremlin)|(?P<ua>ukraine|ukrainian|ukraine's|"
        r"ukrainians|kyiv|kyiv's|kiev|kiev's))\b"
        r"(?P<as_place>\s+(?:[a-z]+\s+)?(?:region|oblast|territory|city|town|village|border|regions|capital|airspace|soil))?"
    )
    return p


# --------------------------------------------------------------------------- attacker cues (per sentence)
# Which side fired the weapons a sentence counts. Each cue has a weight; the side with more weight wins.
RUSSIAN_REGIONS = (
    r"(?:belgorod|kursk|bryansk|oryol|orel|moscow|voronezh|rostov|krasnodar|lipetsk|astrakhan|tula|kaluga|"
    r"smolensk|ryazan|tver|tambov|saratov|volgograd|samara|penza|leningrad|pskov|novgorod|yaroslavl|ivanovo|"
    r"vladimir|nizhny\s+novgorod|tatarstan|bashkortostan|chechnya|dagestan|stavropol|adygea|kaliningrad|"
    r"mordovia|chuvashia|ulyanovsk|orenburg|perm|sverdlovsk|crimea|sevastopol|novorossiysk|taganrog|"
    r"engels|yeysk|tuapse|sochi|st\.?\s+petersburg|kremlin)"
)
UA_CUES = {
    3: [
        r"\bukrainian\s+(?:[a-z][\w-]*\s+){0,3}?(?:drones?|uavs?|unmanned|missiles?|rockets?)\b",
        r"\b(?:launched|fired|sent|used)\s+by\s+(?:the\s+)?(?:ukraine|ukrainian|kyiv|kiev)",
        r"\b(?:kiev|kyiv)\s+regime\b",
        r"\b(?:ukraine|ukrainian\s+(?:forces|troops|military|army|armed\s+forces|militants|terrorists|nationalists|"
        r"formations|armed\s+formations|neo-nazis))\s+(?:has\s+|had\s+)?(?:launched|fired|attacked|struck)\b",
    ],
    2: [
        r"\brussia(?:n|'s)?\s+air\s+defen[cs]es?",
        r"\b(?:over|above|in|on|near|around|outside)\s+(?:the\s+)?(?:skies\s+over\s+)?(?:(?:southern|northern|western|eastern|central|border|borderline|russian)\s+)?"
        + RUSSIAN_REGIONS
        + r"\b",
        r"\b(?:over|above)\s+(?:his|her|its|their)\s+region\b",
        # the Russian ministry's "over the territory of the Bryansk region"
        r"\b(?:over|above|in)\s+(?:the\s+)?(?:territory|territories|skies|airspace)\s+of\s+(?:the\s+)?"
        + RUSSIAN_REGIONS
        + r"\b",
        r"\b(?:toward|towards|heading\s+for|approaching|flying\s+(?:to|at))\s+(?:the\s+)?"
        + RUSSIAN_REGIONS
        + r"\b",
        r"\bover\s+russia(?:n|'s)?\b",
        # a Russian place as the target: "Drones attacked Moscow overnight", "an attack on Belgorod"
        r"\b(?:attack(?:ed|s|ing)?|struck|targeted|strikes?)\s+(?:on\s+)?(?:the\s+)?" + RUSSIAN_REGIONS + r"\b",
    ],
    1: [
        r"\brussia(?:n|'s)?\s+(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|mod)\b",
        r"\b(?:defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e)\s+of\s+the\s+russian",
    ],
}
# Russian and occupation officials' name for Ukraine's army as the subject: "the AFU again attacked Enerhodar"
AFU_SUBJECT_RE = (
    r"\b(?:afu|zsu|armed\s+forces\s+of\s+ukraine|ukrainian\s+armed\s+forces)\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:again\s+|once\s+again\s+|also\s+)?(?:launched|fired|attacked|struck|shelled|targeted)\b"
)
# Ukraine's oblasts by the names their officials go by: "Lviv regional governor", "the head of the Sumy Regional
# Military Administration" speak of Russian weapons over their region
UKRAINIAN_OBLASTS = (
    r"(?:kyiv|kharkiv|lviv|odesa|odessa|dnipropetrovsk|zaporizhzhia|kherson|mykolaiv|sumy|chernihiv|poltava|cherkasy|"
    r"zhytomyr|vinnytsia|khmelnytskyi|rivne|volyn|ternopil|ivano-frankivsk|chernivtsi|zakarpattia|kirovohrad)"
)
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
# a Ukrainian governor speaks of Russian weapons over their region (as many as "over his region" weighs for a
# Russian governor: UA_CUES)
UKRAINIAN_GOVERNOR_RE = (
    r"\b" + UKRAINIAN_OBLASTS + r"\s+(?:regional\s+|region(?:al)?\s+military\s+)?(?:governor|administration|head)\b"
    r"|\b(?:governor|head)\s+of\s+(?:the\s+)?" + UKRAINIAN_OBLASTS + r"\s+(?:region|oblast|regional)"
)

# Another time than the reported attack get no row (SCHEMA.md). Two kinds, scoped differently:
# - a tally or period ("since the start of the war", "this year", "during the winter", "per day") speaks of
#   the whole sentence, wherever it stands in it;
# - a point in time ("in 2014", "two weeks ago", "as reported earlier", "an earlier attack") speaks of its own
#   clause and what follows it, so an apposition after a count ("..., the peninsula annexed in 2014") does
#   not hide the count.
# "Past 24 hours" / "last night" are the report's own window and are in neither.
TALLY_RE = vocabulary.pattern(vocabulary.TALLY)
TIME_RE = vocabulary.pattern(
    vocabulary.PAST,
    vocabulary.RECENT_PAST,
    vocabulary.FORWARD_PAST,
    extra=(r"for\s+the\s+first\s+time", r"last\s+days", r"first\s+days"),
)
BACKGROUND_RE = "(?i)(?:" + TALLY_RE.removeprefix("(?i)") + "|" + TIME_RE.removeprefix("(?i)") + ")"
# Modality, plans and conditions: a count in such a clause reports nothing that happened.
PERFECT_RE = (
    r"(?i)\b(?:has|have)\s+(?:so\s+far\s+|now\s+|already\s+|also\s+)?(?:launched|fired|used|sent|dropped|shot\s+down|"
    r"destroyed|downed|intercepted|neutrali[sz]ed)\b"
)
# "Hits by 25 missiles and 34 drones were recorded": the weapons that got through
HITS_BY_RE = r"(?i)\b(?:hits|impacts)\s+(?:by|of|from)\b"
# a toll told after the figure: the perfect reports one attack ("have dropped two bombs on Kharkiv, killing three")
# (a counted toll: "killing thousands of civilians" is the war's)
PERFECT_TOLL_RE = (
    r"(?i),\s+(?:killing|injuring|wounding|hurting)\s+(?:at\s+least\s+|more\s+than\s+|about\s+)?(?:\d{1,3}|an?)\s"
)
# one attack named: "in its latest massive attack", "the strike on Kyiv"
ONE_ATTACK_RE = r"(?i)\b(?:attack|strike|barrage|assault|wave|raid|bombardment|onslaught|salvo)\b"
IRREALIS_RE = (
    r"(?i)\b(?:can|could|would|will|(?-i:may)|might|should|if|unless|whether|plans?\s+to|planning\s+to|aims?\s+to|"
    r"intends?\s+to|wants?\s+to|threaten\w*\s+to|capable\s+of|expected\s+to|likely\s+to|"
    # a capability: "three Kalibr carriers able to fire up to 24 missiles", "each able to carry eight" ("was able
    # to shoot down" reports what happened)
    r"(?:[a-z]{3,}s|are|is|be|being|each)\s+able\s+to|"
    # "Kyiv expects Russia to launch 1,000 drones", "Russia is preparing to fire 40 missiles"
    r"expects?\s+(?:[\w']+\s+){0,3}?to|preparing\s+(?:[\w']+\s+){0,3}?to|ready\s+to|going\s+to)\b"
)
# The end of a count's clause, for the background check.
CLAUSE_END = r"[,;]|\s(?:and\s+that|but|while|whereas)\s"

# Arms deliveries, production and procurement: weapons counted there are not fired ("sent 50 ATACMS
# missiles to Ukraine", "produces 100 drones a day"). Provenance is not supply: the word must not follow a
# hyphen ("UK-supplied Storm Shadow missiles were shot down"), "manufactured by"/"produced by" are not
# listed, and a sentence with an interception verb is never a supply sentence.
# Launches that are no attack: exercises, test launches, target missiles ("during the exercise, 12 target
# missiles were destroyed", "a Yars was launched from the Plesetsk cosmodrome")
EXERCISE_RE = (
    r"(?i)\b(?:during|in\s+the\s+course\s+of|as\s+part\s+of)\s+(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:exercises?|drills?|training|manoeuvres?|maneuvers?|war\s+games?)\b"
    r"|\b(?:held|hold|holds|holding|conducted|conducting|staged|staging)\s+(?:a\s+|an\s+|the\s+|joint\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:exercises?|drills?|manoeuvres?|maneuvers?)\b"
    r"|\btest[-\s]?launch\w*|\btest[-\s]fir(?:ed|ing|es)\b|\b(?:practical|electronic|training)\s+launch\w*|"
    r"\btarget\s+(?:missiles|drones)\b|\bcosmodrome\b"
)
SUPPLY_RE = (
    r"(?i)(?:^|[^-\w])(?:aid|package|suppl(?:y|ied|ies|ying)|deliver(?:ed|y|ies|s|ing)?|"
    r"donat\w*|transferr?\w*|purchas\w*|bought|buy(?:ing)?|order(?:ed|s)?|produc(?:e|es|tion|ing)|"
    r"(?:has|have|had)\s+(?:produced|manufactured)|manufactur(?:e|es|ing|ers?)|contracts?|stockpiles?|arsenal|exports?|imports?|pledg\w*|promis\w*|"
    r"budget|billion|million|worth|will\s+(?:send|get|give))\b"
    # weapons held ready, not fired: "warships with as many as 32 missiles ready for launch"
    r"|(?i:\b(?:ready\s+(?:for|to)\s+(?:launch|fire|be\s+launched)|capable\s+of\s+(?:carrying|firing|launching)|"
    r"total\s+salvo|salvo\s+capacity)\b)"
    # a third country sending weapons: "North Korea sent 20 ballistic missiles to Russia"
    r"|(?i:\b(?:north\s+korea|pyongyang|iran|tehran|the\s+united\s+states|washington|the\s+us|germany|berlin|france|"
    r"britain|the\s+uk|london|nato|allies|partners)\b[^.;]{0,40}?\b(?:sent|sends|send|shipped|ships|gave|gives|"
    r"provided|provides|handed|transferred)\b)"
)

# A figure located in one named region ("15 drones over the Kursk region", "over the southern region of
# Kherson", "the governor of the Mykolaiv region said ... five drones there"): a part of the night's total.
PARTIAL_RE = (
    r"(?i)\b(?:over|above|in|near)\s+(?:the\s+)?(?:skies\s+over\s+)?(?:(?:southern|northern|western|eastern|central|"
    r"border|borderline)\s+)?(?P<region>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)\s+(?:region|oblast|province|krai|republic)\b(?:[^s]|$)"
    r"|\b(?:over|above)\s+(?:his|her|its)\s+(?P<region2>region)\b"
    r"|\b(?:over|above|in)\s+(?:the\s+)?(?:(?:southern|northern|western|eastern|central)\s+)?(?:region|oblast|province)\s+of\s+(?P<region3>[a-z][a-z'-]+)"
    r"|\b(?:governor|head|administration)\s+of\s+(?:the\s+)?(?:(?:southern|northern|western|eastern|central)\s+)?(?P<region4>[a-z][a-z'-]+)\s+(?:region|oblast)\b"
    # a city's own figure: "20 were shot down over the capital", "over Moscow", "in Kharkiv alone"
    r"|\b(?:over|above)\s+(?P<region5>the\s+(?:capital|city)|kyiv|kiev|moscow)\b"
    r"|\b(?:over|above|in|around|near)\s+(?:the\s+)?(?P<region6>[a-z][a-z'-]+)\s+alone\b"
)
# "In Kyiv, about 20 drones were destroyed", "destroyed on approach to the city": the city's own figure
CITY_FIGURE_RE = (
    r"^\W*in\s+(?P<region7>kyiv|kiev|moscow|the\s+capital)\s*,"
    r"|\bon\s+(?:the\s+)?approach(?:es)?\s+to\s+(?P<region8>the\s+(?:capital|city)|kyiv|kiev|moscow)\b"
)


def partial_pattern() -> str:
    """PARTIAL_RE with the rules that add to it (built at call time, so that a rule can be switched off)."""
    return PARTIAL_RE + r"|(?:" + rules.pattern("air.city_figure", CITY_FIGURE_RE) + r")"
# A sentence's own time: a sentence after a background one carries its background on unless it has one.
TIME_ANCHOR_RE = (
    r"(?i)\b(?:overnight|today|tonight|this\s+morning|last\s+night|yesterday|(?:on|early|late|since)\s+"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:morning|night|evening)|"
    r"\d{1,2}(?::\d\d)?\s*(?:a\.m\.|p\.m\.|am|pm)\b|(?:elsewhere|meanwhile|also)\b)"
)

# Cheap literal pre-filter: only sentences naming a weapon (every alias in weapons.csv), a generic weapon word
# or an outcome verb are scanned by the patterns above; a count that refers back ("nine of them were shot
# down") names no weapon, so the outcome verbs are words of their own.
PREFILTER_WORDS = tuple(
    sorted(
        set(alias_words())
        | {"drone", "uav", "unmanned", "missile", "rocket", "bomb", "projectile", "targets", "shot down", "destroy",
           "intercept", "downed", "neutrali", "launched", "fired",
           # the other intercept verbs and nouns (air.verb_intercept): "brought down 25 of them" names no weapon
           "destruction", "shooting down", "shoot down", "shoots down", "brought down", "took down", "taken down",
           "eliminated", "repelled", "repulsed",
           # the combined nouns (COMBINED_NOUN): "101 air attack means", "means of air attack", "air weapons"
           "attack means", "means of", "air weapons", "aerial weapons", "air objects", "aerial objects"}
    )
)  # fmt: skip
PREFILTER_RE = literal_pattern(PREFILTER_WORDS)


# Where the weapons were fired from: "(from Tu-95MS aircraft over Volgograd Oblast)", "fired from Su-34 jets over
# Russia's Belgorod region", "from warships in the Black Sea"
LAUNCH_ORIGIN_RE = (
    r"(?i)(\bfrom\s+(?:the\s+)?(?:[\w/.-]+\s+){0,3}?(?:aircraft|jets?|bombers?|planes?|warships?|ships?|"
    r"submarines?|carriers?|launchers?|positions|tu-\w+|su-\w+|mig-\w+)\s+)"
)

LAUNCH_ORIGIN_LIST_RE = (
    r"(?i)(\bfrom\s+(?:[\w/.,-]+\s+){0,12}(?:aircraft|jets?|bombers?|planes?|warships?|ships?|submarines?|carriers?|"
    r"launchers?|positions)\s+)"
)


def _origin_masked(text: pl.Expr) -> pl.Expr:
    """`text` with the preposition of a launch origin masked ("from Tu-95s over the Volgograd region" names no
    region the weapons were downed over, and no Russian target), the length kept so offsets hold."""
    if not rules.active("air.launch_origin"):
        return text
    masked = (
        text.str.replace_all(LAUNCH_ORIGIN_RE + r"over\b", "${1}ov_r")
        .str.replace_all(LAUNCH_ORIGIN_RE + r"above\b", "${1}ab_ve")
        .str.replace_all(LAUNCH_ORIGIN_RE + r"in\b", "${1}i_")
    )
    if not rules.active("air.launch_origin_list"):
        return masked
    # the last platform of a list of them: "from Tu-95MS bombers, ships in the Black Sea and ground launchers
    # in the Kursk region" (the pattern above reads the first)
    return masked.str.replace_all(LAUNCH_ORIGIN_LIST_RE + r"over\b", "${1}ov_r").str.replace_all(
        LAUNCH_ORIGIN_LIST_RE + r"in\b", "${1}i_"
    )


def _cue_score(cues: dict[int, list[str]]) -> pl.Expr:
    expr = pl.lit(0, pl.Int64)
    for weight, pats in cues.items():
        for pat in pats:
            expr = (
                expr + pl.col("norm").str.count_matches("(?i)" + ascii_classes(pat)).cast(pl.Int64) * weight
            )
    return expr


def _tally(text: pl.Expr) -> pl.Expr:
    """Whether a sentence speaks of a period tally (TALLY_RE). A tally in a trailing clause, after a comma, of a
    sentence whose figures are the night's ("shot down all 14 missiles fired at Kyiv overnight, ..., in the
    latest of a wave of attacks this month", "30 drones overnight, bringing this month's total to 2,000") is
    that clause's, when the clause counts no weapons of its own ("launched 900 drones, nearly 1,300 bombs and
    50 missiles over the past week" is a tally of them all)."""
    tally = text.str.contains(rules.pattern("air.background", TALLY_RE))
    if not rules.active("air.trailing_tally"):
        return tally
    at = text.str.find(TALLY_RE)
    head = text.str.slice(0, at)
    before_comma = head.str.replace(r",[^,]*$", "")
    # the clause the tally stands in: from the last comma before it to the sentence's end
    clause = pl.concat_str(head.str.extract(r",([^,]*)$", 1), text.str.slice(at))
    counts = r"(?i)\b(?:\d[\d,.]*|[a-z]+)\s+(?:[\w-]+\s+){0,3}?(?:drones?|uavs?|missiles?|rockets?|shaheds?|bombs?)\b"
    trailing = (
        head.str.contains(",")
        & before_comma.str.contains(vocabulary.NEWS_TIME_RE)
        & ~clause.str.contains(counts)
    )
    return tally & ~trailing.fill_null(False)


def sentence_attackers(sentences: pl.DataFrame) -> pl.DataFrame:
    """Per sentence, the attacker its cues point to (null when they do not decide), forward-filled from
    earlier sentences of the same article, then the article's overall lean, then "RU"."""
    scored = sentences.with_columns(norm=_origin_masked(pl.col("norm"))).select(
        *KEYS,
        ua=_cue_score({**UA_CUES, 3: [*UA_CUES[3], rules.pattern("air.afu_subject", AFU_SUBJECT_RE)], 1: []}),
        ministry=_cue_score({1: UA_CUES[1]}),
        air_words=pl.col("norm").str.contains(
            r"(?i)\b(?:drones?|uavs?|missiles?|rockets?|air\s+defen[cs]es?|air\s+targets?|shot\s+down|intercept\w*)\b"
        ),
        ru=_cue_score(
            {**RU_CUES, 2: [*RU_CUES[2], rules.pattern("air.ukrainian_governor", UKRAINIAN_GOVERNOR_RE)]}
        ),
    ).sort(*KEYS)
    if rules.active("air.ministry_cue_air_only"):
        # the Russian ministry named where nothing is counted (a capture claim) speaks for the sentence after it
        # at most ("It added that 25 drones had been destroyed"), not for a bomb on Kharkiv sentences later
        weak = pl.col("ministry") * (~pl.col("air_words")).cast(pl.Int64)
    else:
        weak = pl.lit(0, pl.Int64)
    scored = scored.with_columns(ua=pl.col("ua") + pl.col("ministry") - weak, weak=weak)
    own = (
        pl.when(pl.col("ua") > pl.col("ru"))
        .then(pl.lit("UA"))
        .when(pl.col("ru") > pl.col("ua"))
        .then(pl.lit("RU"))
    )
    weak_side = pl.when(pl.col("weak") > pl.col("ru")).then(pl.lit("UA"))
    lean = (
        pl.when(pl.col("ua").sum().over("article_id") > pl.col("ru").sum().over("article_id"))
        .then(pl.lit("UA"))
        .otherwise(pl.lit("RU"))
    )
    scored = scored.with_columns(own=own, weak_side=weak_side)
    return scored.select(
        *KEYS,
        sentence_attacker=pl.coalesce(
            "own",
            pl.when(pl.col("own").is_null()).then(pl.col("weak_side")),
            # (the sentence right before, not only the candidate before)
            pl.when(pl.col("sentence_no").shift(1).over("article_id") == pl.col("sentence_no") - 1).then(
                pl.col("weak_side").shift(1).over("article_id")
            ),
            pl.col("own").forward_fill().over("article_id"),
            lean,
        ),
    )


# --------------------------------------------------------------------------- tokens
def _groups(tokens: pl.DataFrame, pattern: str) -> pl.DataFrame:
    """Unpack the named groups of the pattern that found each token into columns."""
    if tokens.height == 0:
        return tokens
    return tokens.with_columns(g=pl.col("tok").str.extract_groups(anchored(pattern))).unnest("g")


def _class_of(noun: pl.Expr) -> pl.Expr:
    """A matched noun's class; a noun of any class ("targets", "projectiles") is ANY."""
    return pl.coalesce(classify_alias(noun).struct.field("weapon_class"), pl.lit(ANY))


def _side_of_mods(mods: pl.Expr) -> pl.Expr:
    return (
        pl.when(mods.str.contains(r"(?i)\bukrain")).then(pl.lit("UA"))
        .when(mods.str.contains(r"(?i)\brussia|\benemy\b")).then(pl.lit("RU"))
    )  # fmt: skip


def _mention_matches(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """The matches of the mention pattern with their groups, and the mentions inside a match that spans a
    clause: in "killed two people when a missile hit", the leftmost match runs from "two" to "missile" and
    is no count (air.not_a_modifier), and "a missile" inside it is one; the text after such a match's count
    is read again."""
    t = _groups(find_tokens(cand, "norm", p["mention"], kind="mention"), p["mention"])
    found = [t]
    spanning = "(?i)" + NOT_A_MODIFIER
    for _ in range(3):  # a rescan's own clause-spanning matches are read again, a few levels deep
        if not rules.active("air.inner_mention") or t.height == 0:
            break
        tail = pl.concat_str(
            [pl.col(g).fill_null("") for g in ("m_mods", "m_noun", "m_head", "m_compound", "m_each", "m_after", "m_combo")]
        ).str.len_chars().cast(pl.Int64)
        spans = t.filter(pl.col("m_mods").str.contains(spanning)).select(*KEYS, cut=pl.col("end") - tail, stop="end")
        if spans.height == 0:
            break
        # per sentence, the text from the first spanning match's modifiers on (offsets kept by `cut`)
        first = spans.group_by(KEYS).agg(pl.col("cut").min(), pl.col("stop").max())
        rest = first.join(cand.select(*KEYS, "norm"), on=list(KEYS)).with_columns(
            norm=pl.col("norm").str.slice(pl.col("cut"))
        )
        again = find_tokens(rest, "norm", p["mention"], kind="mention")
        again = (
            again.join(first, on=list(KEYS))
            .with_columns(pos=pl.col("pos") + pl.col("cut"), end=pl.col("end") + pl.col("cut"))
            .filter(pl.col("pos") < pl.col("stop"))
            .drop("cut", "stop")
        )
        seen = pl.concat([f.select(*KEYS, "pos") for f in found])
        t = _groups(again.join(seen, on=[*KEYS, "pos"], how="anti"), p["mention"])
        found.append(t)
    return pl.concat(found, how="diagonal_relaxed") if len(found) > 1 else found[0]


def _mention_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Counted weapon phrases -> kind "mention" with count, class, side, flags."""
    t = _mention_matches(cand, p)
    if t.height == 0:
        return _empty_mentions()
    noun = classify_alias(pl.col("m_noun"))
    combo_class = _class_of(pl.col("m_combo").str.extract("(?i)(" + alias_pattern() + r")\s*$", 1))
    own_class = _class_of(pl.col("m_noun"))
    # what stands right before the count: "struck by two missiles" counts a launch; "shot down by a Patriot
    # missile" names the interceptor and "dropped from a drone" the carrier; "likely an X-101" guesses a type
    before = pl.col("norm").str.slice(
        (pl.col("pos") - 30).clip(lower_bound=0), pl.min_horizontal(pl.col("pos") + 1, 31)
    )
    t = t.join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left").with_columns(
        m_by=before.str.extract(r"(?i)((?:\b[a-z]+\s+){0,2}\b(?:by|from))\s*$", 1),
        m_hedge=before.str.extract(r"(?i)\b(" + HEDGE + r")\s*$", 1),
    )
    # "Of the 45 drones, 38 were downed": the whole a sentence opens with is what was launched (the window
    # starts at the sentence's start only for a count in its first 30 characters)
    of_the_whole = (pl.col("pos") < 30) & before.str.contains(
        rules.pattern("air.of_the_whole", r"(?i)^\W*of\s+(?:the|these|those)\s*$")
    )
    # ("attacked overnight by at least six drones": an adverb may stand before the agent)
    by_impact = pl.col("m_by").str.contains(
        r"(?i)(?:^|\s)(?:(?:struck|hit|attacked|targeted|damaged|destroyed)\s+(?:[a-z]+\s+)?by|(?:attacks?|strikes?|barrage|raids?|assault|hits|impacts)\s+(?:by|from|of))$"
    )
    valid = pl.lit(True)
    if rules.active("air.agent"):
        valid = valid & (pl.col("m_by").is_null() | by_impact.fill_null(False))
    if rules.active("air.hedge"):
        valid = valid & pl.col("m_hedge").is_null()
    if rules.active("air.compound"):
        valid = valid & pl.col("m_compound").is_null()
    if rules.active("air.modifier_noun"):
        valid = valid & pl.col("m_after").is_null()
    if rules.active("air.not_a_modifier"):
        valid = valid & ~pl.col("m_mods").str.contains("(?i)" + NOT_A_MODIFIER)
    if rules.active("air.naval_drone"):
        # "four Magura V5 sea drones", "five naval drones": boats, no weapons of the air war
        valid = valid & ~pl.col("m_mods").str.contains(NAVAL_DRONE_MODS)
    if rules.active("air.interceptor"):
        # "destroyed a jet with a Patriot missile": an air-defence interceptor is no attacking weapon
        valid = valid & ~pl.concat_str(pl.col("m_mods").fill_null(""), pl.lit(" "), pl.col("m_noun")).str.contains(
            r"(?i)\b(?:patriot|iris-t|nasams|samp/t|stinger|igla|interceptors?|anti-aircraft|air[\s-]defen[cs]e)\b"
        )
    # one count for two nouns of different classes is a combined count ("40 missiles, drones"); of one
    # class ("112 attack UAVs and decoy drones") it is that class
    weapon_class = (
        pl.when(pl.col("m_combo").is_not_null() & (combo_class != own_class))
        .then(pl.lit(ANY) if rules.active("air.combined") else pl.lit(None, pl.String))
        .otherwise(own_class)
    )
    t = t.with_columns(
        count=parse_count(pl.col("m_num").str.replace_all(r"\s+", " ")),
        qual=qualifier_code(pl.col("m_qual")),
        weapon_class=weapon_class,
        # a mention's own side: the weapon's (ATACMS -> UA), else its adjective ("Ukrainian drones")
        side=pl.coalesce(noun.struct.field("side"), _side_of_mods(pl.col("m_mods"))),
        fixed_role=pl.when(pl.col("m_by").str.contains(HITS_BY_RE) & pl.lit(rules.active("air.hits_by")))
        .then(pl.lit("impacts"))
        .when(pl.col("m_by").is_not_null())
        .then(pl.lit("launched"))
        .when(of_the_whole)
        .then(pl.lit("launched")),
        model=noun.struct.field("model"),
        family=family_of(pl.col("m_noun"), pl.col("m_mods")),
        # the classes a combined count names ("drones and missiles"), so that a part can be derived for them
        combo_classes=pl.when(pl.col("m_combo").is_not_null()).then(pl.concat_list(own_class, combo_class)),
    )
    return t.filter(valid & pl.col("weapon_class").is_not_null()).select(
        *KEYS, "pos", "end", "kind", "count", "weapon_class", "side", "qual",
        all_flag=pl.col("m_all").is_not_null(), each=pl.col("m_each").is_not_null(),
        subset=pl.lit(False), fixed_role="fixed_role", prio=pl.lit(3), model="model", family="family",
        combo_classes="combo_classes",
        additive=pl.col("m_mods").str.contains(r"(?i)(?:^|\s)(?:other|more|additional|further)\s"),
    )  # fmt: skip


def _empty_mentions() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64, "kind": pl.String,
            "count": pl.Int64, "weapon_class": pl.String, "side": pl.String, "qual": pl.String,
            "all_flag": pl.Boolean, "each": pl.Boolean, "subset": pl.Boolean, "fixed_role": pl.String,
            "prio": pl.Int32, "model": pl.String, "family": pl.String, "additive": pl.Boolean,
            "combo_classes": pl.List(pl.String),
        }
    )  # fmt: skip


def _part_of_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "28 out of 31 drones": the part takes the verb's role; the whole, when given, is launched."""
    t = _groups(find_tokens(cand, "norm", p["part_of"], kind="part"), p["part_of"])
    if t.height == 0:
        return _empty_mentions()
    combo_class = _class_of(pl.col("of_combo").str.extract("(?i)(" + alias_pattern() + r")\s*$", 1))
    own_class = _class_of(pl.col("of_noun"))
    t = t.with_columns(noun=classify_alias(pl.col("of_noun"))).with_columns(
        weapon_class=pl.when(pl.col("of_combo").is_not_null() & (combo_class != own_class))
        .then(pl.lit(ANY)).otherwise(own_class),
        side=pl.coalesce(pl.col("noun").struct.field("side"), _side_of_mods(pl.col("of_mods"))),
    )  # fmt: skip
    if rules.active("air.not_a_modifier"):
        t = t.filter(~pl.col("of_mods").str.contains("(?i)" + NOT_A_MODIFIER))
    if rules.active("air.naval_drone"):
        t = t.filter(~pl.col("of_mods").str.contains(NAVAL_DRONE_MODS))
    part = t.select(
        *KEYS, "pos", "end", "kind", count=pl.coalesce(*[c for c in ("of_part", "of_neither") if c in t.columns]).str.replace(r"^\D.*", "0").cast(pl.Int64),
        weapon_class="weapon_class",
        side="side", qual=pl.lit("exact"), all_flag=pl.lit(False), each=pl.lit(False),
        # "21 of the drones" with no whole given is a part of something counted elsewhere
        subset=pl.col("of_whole").is_null(), fixed_role=pl.lit(None, pl.String), prio=pl.lit(0),
        model=pl.col("noun").struct.field("model"), family=family_of(pl.col("of_noun"), pl.col("of_mods")),
    )  # fmt: skip
    # the whole is a second count derived from the same phrase (prio -1: never dropped as nested)
    whole = t.filter(pl.col("of_whole").is_not_null()).select(
        *KEYS, pos=pl.col("pos") + 1, end=pl.col("pos") + 1, kind=pl.lit("mention"),
        count=pl.col("of_whole").str.strip_chars().cast(pl.Int64), weapon_class="weapon_class", side="side",
        qual=qualifier_code(pl.col("of_qual")), all_flag=pl.lit(False), each=pl.lit(False),
        subset=pl.lit(False), fixed_role=pl.lit("launched"), prio=pl.lit(-1),
    )  # fmt: skip
    return pl.concat([part, whole], how="diagonal_relaxed")


def _respectively_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "2 and 39 respectively": one back-reference per figure; `resp_back` says how many weapons before the
    last one named it refers to (the first figure the farthest), so that it takes that weapon's class."""
    t = _groups(find_tokens(cand, "norm", p["respectively"], kind="back_ref"), p["respectively"])
    if t.height == 0:
        return _empty_mentions()
    t = (
        t.with_columns(nums=pl.col("r_nums").str.extract_all(NUM))
        .with_columns(k=pl.col("nums").list.len())
        .explode("nums")
        .with_columns(i=pl.int_range(pl.len()).over(*KEYS, "pos"))
    )
    return t.select(
        # each figure its own span (none inside another), the last one to the match's end, next to its verb
        *KEYS, pos=pl.col("pos") + pl.col("i"),
        end=pl.when(pl.col("i") == pl.col("k") - 1).then(pl.col("end")).otherwise(pl.col("pos") + pl.col("i") + 1),
        kind="kind", count=pl.col("nums").cast(pl.Int64),
        weapon_class=pl.lit(None, pl.String), side=pl.lit(None, pl.String), qual=pl.lit("exact"),
        all_flag=pl.lit(False), each=pl.lit(False), subset=pl.lit(False), fixed_role=pl.lit(None, pl.String),
        prio=pl.lit(2), resp_back=(pl.col("k") - 1 - pl.col("i")).cast(pl.Int64),
    )  # fmt: skip


def _back_ref_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Counts that refer back to the last weapon mentioned; class and attacker are filled in later."""
    t = _groups(find_tokens(cand, "norm", p["back_ref"], kind="back_ref"), p["back_ref"])
    if t.height == 0:
        return _empty_mentions()
    # (the groups of a switched-off alternative are absent: rules.disabled)
    t = t.with_columns(
        pl.lit(None, pl.String).alias(g)
        for g in ("b_all", "b_num", "b_num2", "b_num3", "b_num4", "b_num5", "b_num6", "b_qual5")
        if g not in t.columns
    )
    verb_inside = pl.col("tok").str.contains(
        r"(?i)shot\s+down|destroyed|intercepted|downed|neutrali|eliminated"
    )
    suppressed_inside = pl.col("tok").str.contains(r"(?i)jammed|suppressed|lost|diverted")
    launch_inside = pl.col("b_num4").is_not_null() | pl.col("b_num5").is_not_null()
    return t.select(
        *KEYS, "pos", "end", "kind", count=pl.coalesce(pl.col("b_num").str.replace(r"^\D.*", "0"), "b_num2", "b_num3", "b_num4", "b_num5", "b_num6").cast(pl.Int64),
        weapon_class=pl.lit(None, pl.String), side=pl.lit(None, pl.String),
        qual=pl.coalesce(qualifier_code(pl.col("b_qual5")), pl.lit("exact")),
        all_flag=pl.col("b_all").is_not_null(), each=pl.lit(False),
        # "58 of which" is a part of the launched total; "All 10 were destroyed" is not
        subset=pl.col("tok").str.contains(r"(?i)\bof\s+(?:which|them|those|these)"),
        fixed_role=pl.when(launch_inside).then(pl.lit("launched")).when(verb_inside).then(pl.lit("intercepted")).when(suppressed_inside).then(pl.lit("suppressed")), prio=pl.lit(2),
    )  # fmt: skip


def _referring(
    t: pl.DataFrame, count: pl.Expr, flag: str, *, end: pl.Expr | None = None, fixed_role: str | None = None
) -> pl.DataFrame:
    """Back-reference tokens (weapon and attacker filled in later) with `count`, flagged by column `flag`."""
    return t.select(
        *KEYS, "pos", "kind", count=count, end=pl.col("end") if end is None else end,
        weapon_class=pl.lit(None, pl.String), side=pl.lit(None, pl.String), qual=pl.lit("exact"),
        all_flag=pl.lit(False), each=pl.lit(False), subset=pl.lit(False), fixed_role=pl.lit(fixed_role, pl.String),
        prio=pl.lit(2), **{flag: pl.lit(True)},
    )  # fmt: skip


def _another_impact_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "..., another hit a house": a launched back-reference whose count is made whole in _counted."""
    t = _groups(find_tokens(cand, "norm", p["another_impact"], kind="back_ref"), p["another_impact"])
    if t.height == 0:
        return _empty_mentions()
    count = pl.coalesce(pl.col("an_more").cast(pl.Int64), pl.lit(1, pl.Int64))
    return _referring(t, count, "another", fixed_role="launched")


def _place_ellipsis_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ ", 10 over Kursk": a count that takes the weapon and the role of the count before it (_counted)."""
    t = _groups(find_tokens(cand, "norm", p["place_ellipsis"], kind="back_ref"), p["place_ellipsis"])
    if t.height == 0:
        return _empty_mentions()
    # "six missiles on Sunday and two on Monday" names days, not places
    t = t.filter(~pl.col("el_place").str.to_lowercase().str.contains(_DAY_OR_MONTH))
    # the token ends with its count, so that the next one can see the place after it
    end = pl.col("pos") + pl.col("tok").str.extract(r"^(\D*\d+)", 1).str.len_chars().cast(pl.Int64)
    return _referring(t, pl.col("el_num").cast(pl.Int64), "place_ellipsis", end=end)


def _weapon_noun_tokens(cand: pl.DataFrame) -> pl.DataFrame:
    """Weapons named without a count ("Drones attacked Moscow"): kind "weapon_noun" and their class."""
    t = find_tokens(cand, "norm", r"\b(?:drones|uavs|missiles|rockets|shaheds|gerans)\b", kind="weapon_noun")
    return t.select(*KEYS, "pos", "end", "kind", weapon_class=_class_of(pl.col("tok").str.to_lowercase()))


def _class_part_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "Eleven of them were missiles": a class's figure in the role of the combined count before it."""
    t = _groups(find_tokens(cand, "norm", p["class_part"], kind="class_part"), p["class_part"])
    if t.height == 0:
        return _empty_mentions()
    noun = classify_alias(pl.col("cp_noun"))
    return t.select(
        *KEYS, "pos", "end", "kind", count=pl.coalesce("cp_num", "cp_num_fronted").cast(pl.Int64),
        weapon_class=noun.struct.field("weapon_class"), side=noun.struct.field("side"), qual=pl.lit("exact"),
        all_flag=pl.lit(False), each=pl.lit(False),
        # "about 300 of them were Shaheds": a model is a part of its class, not the class's share of the whole
        subset=pl.lit(rules.active("air.model_part")) & noun.struct.field("model").is_not_null(),
        fixed_role=pl.lit(None, pl.String), prio=pl.lit(-1), model=noun.struct.field("model"),
    ).filter(pl.col("weapon_class").is_not_null())  # fmt: skip


def _the_impact_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "the missile struck" -> launched 1 of that class."""
    t = _groups(find_tokens(cand, "norm", p["the_impact"], kind="mention"), p["the_impact"])
    if t.height == 0:
        return _empty_mentions()
    # a weapon shot down ends at its noun: the verb stays a token of its own, for the counts after it ("The
    # missile was shot down, as were 20 drones")
    end = pl.when(pl.col("ti_down").is_not_null()).then(
        pl.col("pos") + pl.col("tok").str.len_chars().cast(pl.Int64) - pl.col("ti_down").str.len_chars().cast(pl.Int64) - 1
    ).otherwise(pl.col("end"))
    return t.select(
        *KEYS, "pos", end=end, kind="kind", count=pl.lit(1, pl.Int64),
        weapon_class=classify_alias(pl.col("ti_noun")).struct.field("weapon_class"), side=pl.lit(None, pl.String),
        qual=pl.lit("exact"), all_flag=pl.lit(False), each=pl.lit(False), subset=pl.lit(False),
        # "the missile was shot down": the single weapon's outcome
        fixed_role=pl.when(pl.col("ti_down").is_not_null()).then(pl.lit("intercepted")).otherwise(pl.lit("launched")),
        prio=pl.lit(4),
    )  # fmt: skip


# A passive auxiliary right before a verb ("were shot down", "have been successfully intercepted"): the verb
# binds the count just before it.
PASSIVE_AUX_RE = (
    r"(?i)(?:^|[^\w])((?:were|was|have\s+been|has\s+been|had\s+been|being|been|are|is)(?:\s+[a-z]+)?\s*)$"
)
INTRANSITIVE_OUTCOME_RE = (
    r"(?i)\b(?:disappeared|vanished|went\s+missing|(?:did\s+not|didn't|failed\s+to)\s+reach|crashed|fell)\s*$"
)
VERB_ROLES = (
    ("launch", "launched"),
    ("intercept", "intercepted"),
    ("suppress", "suppressed"),
    ("hit_targets", "impacts"),
    ("other_outcome", "other"),
)


def _verb_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """Every verb with its role, in one pass (an alternation of the verb patterns, a named group each),
    and whether a passive auxiliary stands before it (then the token starts at the auxiliary)."""
    combined = "|".join(f"(?P<{name}>{p[name]})" for name, _ in VERB_ROLES)
    t = _groups(find_tokens(cand, "norm", combined, kind="verb"), combined)
    frames = []
    if t.height:
        role = pl.lit(None, pl.String)
        for name, value in reversed(VERB_ROLES):
            role = pl.when(pl.col(name).is_not_null()).then(pl.lit(value)).otherwise(role)
        before = pl.col("norm").str.slice(
            (pl.col("pos") - 40).clip(lower_bound=0), pl.min_horizontal(pl.col("pos"), 40)
        )
        t = t.join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left").with_columns(
            role=role, aux=before.str.extract(PASSIVE_AUX_RE, 1)
        )
        if rules.active("air.launch_noun"):
            # "the HIMARS multiple launch rocket system", "launch sites": "launch" as a noun is no verb
            after = pl.col("norm").str.slice(pl.col("end"), 16)
            t = t.filter(
                ~(
                    pl.col("tok").str.contains(r"(?i)\blaunch\s*$")
                    & after.str.contains(r"(?i)^\s+(?:rocket|sites?|pads?|vehicles?|systems?|platforms?|areas?|points?|positions?|tubes?|zones?)\b")
                )
            )
        if rules.active("air.released_document"):
            # "figures released by the president's office": a document released, no bomb
            t = t.filter(
                ~(
                    pl.col("tok").str.contains(r"(?i)\breleas(?:ed|ing)\s*$")
                    & before.str.contains(
                        r"(?i)\b(?:figures|data|statistics|numbers|report|reports|statement|video|footage|"
                        r"information|images|photos|list|map|update|tally)\s*$"
                    )
                )
            )
        if rules.active("air.weapon_destroys"):
            # "a guided aerial bomb destroyed a house", "two missiles destroyed the bridge": the weapon is the
            # subject that destroys an object, so it struck (an impact), nothing was shot down
            after_obj = pl.col("norm").str.slice(pl.col("end"), 24).str.contains(
                r"(?i)^\s+(?:a|an|the|his|her|their|its|several|two|three|four|five|\d+|dozens|homes?|houses?|"
                r"buildings?|cars?|vehicles?|infrastructure|property)\b"
            )
            weapon_before = before.str.contains(
                r"(?i)\b(?:drones?|missiles?|bombs?|rockets?|shaheds?|gerans?|uavs?|kabs?|munitions?)\s*$"
            )
            destroys = pl.col("tok").str.contains(r"(?i)\bdestroy(?:ed|s)\s*$") & pl.col("aux").is_null()
            t = t.with_columns(
                role=pl.when(destroys & after_obj & weapon_before).then(pl.lit("impact")).otherwise(pl.col("role")),
                aux=pl.when(destroys & after_obj & weapon_before).then(pl.lit("")).otherwise(pl.col("aux")),
            )
        if rules.active("air.carrier_drops"):
            # "a drone dropped an explosive device on a car": the drone carried what it dropped; it struck, as an
            # impact does (launched 1, SCHEMA.md), the weakest figure: a night's counted figures beat it
            drops = (
                pl.col("tok").str.contains(r"(?i)\b(?:dropp(?:ed|ing)|drops)\s*$")
                & pl.col("aux").is_null()
                & before.str.contains(r"(?i)\b(?:drones?|uavs?|quadcopters?|copters?)\s*$")
                & pl.col("norm").str.slice(pl.col("end"), 40).str.contains(
                    r"(?i)^\s+(?:an?\s+|the\s+|two\s+|several\s+)?(?:[a-z-]+\s+)?(?:explosives?|explosive\s+devices?|"
                    r"grenades?|munitions?|ordnance|charges?|mines?|ammunition)\b"
                )
            )
            t = t.with_columns(
                role=pl.when(drops).then(pl.lit("impact")).otherwise(pl.col("role")),
                aux=pl.when(drops).then(pl.lit("")).otherwise(pl.col("aux")),
            )
        if rules.active("air.hits_by"):
            # "Hits by 12 missiles and 40 drones were recorded": recorded hits, not launches
            hits_before = pl.col("norm").str.slice(0, pl.col("pos")).str.contains(HITS_BY_RE)
            t = t.with_columns(
                role=pl.when(hits_before & pl.col("tok").str.contains(r"(?i)recorded|registered\s*$"))
                .then(pl.lit("impacts"))
                .otherwise(pl.col("role"))
            )
        frames.append(
            t.select(
                *KEYS,
                pos=pl.col("pos") - pl.col("aux").str.len_chars().cast(pl.Int64).fill_null(0),
                end="end",
                kind="kind",
                role="role",
                # an intransitive outcome ("46 drones disappeared from radar", "two crashed") cannot describe
                # its count as a participle does ("33 drones launched by Russia"): it binds like a passive
                passive=pl.col("aux").is_not_null()
                | (
                    pl.col("tok").str.contains(INTRANSITIVE_OUTCOME_RE)
                    & pl.lit(rules.active("air.intransitive_outcome"))
                ),
                prio=pl.lit(5),
            )
        )
    # an impact binds the count right before it like a passive; an aiming verb is a participle of the count
    # before it (see _assign_roles)
    for name, passive in (("impact", True), ("aim", False)):
        t = find_tokens(cand, "norm", p[name], kind="verb")
        if t.height:
            frames.append(
                t.select(*KEYS, "pos", "end", "kind", role=pl.lit(name), passive=pl.lit(passive), prio=pl.lit(6))
            )
    if not frames:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                    "kind": pl.String, "role": pl.String, "passive": pl.Boolean, "prio": pl.Int32}
        )  # fmt: skip
    # the same words can be found by two verb passes ("struck ... using" and "hit"): per end, the longest
    return (
        pl.concat(frames)
        .sort(*KEYS, "end", "pos")
        .unique(subset=[*KEYS, "end"], keep="first", maintain_order=True)
    )


def _marker_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "of which", "out of", breakdown and clause markers."""
    frames = [
        find_tokens(cand, "norm", p[name], kind=name).select(*KEYS, "pos", "end", "kind", prio=pl.lit(7))
        for name in ("of_which", "out_of", "breakdown", "clause")
    ]
    return pl.concat(frames, how="diagonal_relaxed")


def _all_passive_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    """ "all were destroyed": an all_except with no exception, in a sentence of its own or not."""
    return find_tokens(cand, "norm", p["all_passive"], kind="all_except").select(
        *KEYS, "pos", "end", "kind", prio=pl.lit(1), exc_count=pl.lit(0, pl.Int64), exc_class=pl.lit(None, pl.String),
        fixed_role=pl.lit("intercepted"),
    )  # fmt: skip


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


# A side named as an agent: "Russian air defence systems", "Ukraine's air force", "Russia also reported",
# "Moscow launched". A side word before another noun ("Ukrainian airfields") is no subject: the subject is
# the nearest side word of this shape before the verb.
# ("the enemy", "the occupiers": Ukrainian officials' words for Russia's forces)
SIDE_WORD = r"(?:(?P<ru>russia|russian|russia's|moscow|moscow's|kremlin|the\s+enemy|the\s+occupiers|the\s+invaders)|(?P<ua>ukraine|ukrainian|ukraine's|kyiv|kyiv's|kiev|kiev's))"
SUBJECT_SHAPE = (
    r"(?i)^\S*\s+(?:(?:[\w-]+\s+){0,2}?(?:forces|troops|military|army|militants|terrorists|formations|air\s+force|air\s+defen[cs]es?|defen[cs]es?|defen[cs]e\s+systems?|units?|"
    r"ministry|command|navy|fleet|mod|officials?|authorities|government|general\s+staff|"
    # "Russian aircraft attacked Zaporizhzhia with four guided bombs"
    r"aircraft|aviation|warplanes|jets|bombers|pilots)\b|"
    r"(?:also\s+|has\s+|have\s+|had\s+|then\s+|later\s+)?(?:said|says|reported|claimed|launched|fired|sent|used|attacked|"
    r"struck|shot|downed|destroyed|intercepted|repelled|targeted|hit|managed|continued|began|tried)\b)"
)
# How far before its verb a subject may stand (characters), within the clause.
SUBJECT_MAX_DISTANCE = 120


def _subject_tokens(cand: pl.DataFrame) -> pl.DataFrame:
    """Every side word, with whether it has the shape of a subject (subject is null when not)."""
    pattern = r"(?i)\b" + SIDE_WORD + r"\b"
    t = find_tokens(cand, "norm", pattern, kind="subject", flags="")
    if t.height == 0 or not rules.active("air.subject_side"):
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                    "kind": pl.String, "subject": pl.String}
        )  # fmt: skip
    t = _groups(t, pattern.removeprefix("(?i)")).join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left")
    shaped = pl.col("norm").str.slice(pl.col("end"), 60).str.contains(SUBJECT_SHAPE)
    side = pl.when(pl.col("ru").is_not_null()).then(pl.lit("RU")).otherwise(pl.lit("UA"))
    return t.select(*KEYS, "pos", "end", "kind", subject=pl.when(shaped).then(side))


# --------------------------------------------------------------------------- roles and aggregation
def _drop_nested(stream: pl.DataFrame) -> pl.DataFrame:
    """Independent passes find overlapping tokens: "28 out of 31 drones" is also a mention "31 drones", and
    "Russia-launched drones" holds the verb "launched". A token that starts inside an earlier (or, at the same
    start, higher-priority) counted phrase is dropped; derived tokens (prio < 0), markers and subjects stay."""
    # at one start and priority the longer phrase wins: "All of them were intercepted" (all_passive, with its
    # verb) over "All of them" (all_except), whose verb would be hidden inside the dropped longer one
    s = stream.with_columns(prio=pl.col("prio").cast(pl.Int32)).sort(
        *KEYS, "pos", "prio", "end", descending=[False, False, False, False, True]
    )
    counted = ~pl.col("kind").is_in(["verb", "subject", "of_which", "out_of", "breakdown", "clause"]) & (
        pl.col("prio") >= 0
    )
    container_end = pl.when(counted).then(pl.col("end")).otherwise(-1)
    prev_end = container_end.cum_max().shift(1).over(KEYS).fill_null(-1)
    keep = (pl.col("prio") < 0) | pl.col("kind").is_in(["subject"]) | (pl.col("pos") >= prev_end)
    return s.filter(keep)


def _assign_roles(stream: pl.DataFrame, asides: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each count takes the role of its verb: a passive or impact verb right after it, else the verb before
    it in the sentence, else the verb after it. Impact verbs bind only when adjacent. The verb's position
    (verb_pos) is kept, so that its subject can be found."""
    s = stream.sort(*KEYS, "pos")
    # a count takes a verb of its own clause: ";", "while", "but" end one
    s = s.with_columns(clause_no=(pl.col("kind") == "clause").cast(pl.Int32).cum_sum().over(KEYS))
    # an aside between dashes or brackets ("used six missiles - four of them were intercepted - and 30
    # drones") is a clause of its own, and the clause around it goes on after it
    # (the asides are spans found once per sentence; each token looks up the last one starting before it)
    s = s.with_columns(aside=pl.lit(-1, pl.Int64))
    if asides is not None and asides.height:
        s = (
            s.drop("aside")
            .sort("pos")
            .join_asof(
                asides.sort("pos").select(*KEYS, "pos", aside="pos", aside_end="end"),
                on="pos", by=list(KEYS), strategy="backward", check_sortedness=False,
            )
            .with_columns(
                aside=pl.when(pl.col("pos") < pl.col("aside_end")).then(pl.col("aside")).otherwise(-1).fill_null(-1)
            )
            .drop("aside_end")
            .sort(*KEYS, "pos")
        )
    # the scope (sentence, clause, aside) as one integer key: the thirty windows below group by it
    s = s.with_columns(_scope=pl.struct(*KEYS, "clause_no", "aside").hash(seed=0))
    scope = ["_scope"]
    is_verb = pl.col("kind") == "verb"
    # a participle right after a count ("33 drones launched by Russia") describes that count: it is no verb
    # for the counts around it ("destroyed 25 of 33 drones launched by Russia, and one of two missiles")
    counted_kinds = ["mention", "part", "back_ref", "class_part"]
    count_end = pl.when(pl.col("kind").is_in(counted_kinds)).then(pl.col("end")).otherwise(-100)
    last_end = count_end.cum_max().shift(1).over(scope)
    # between the count and the participle at most the rest of its noun ("25 of 33 Shahed drones launched")
    between = pl.col("norm").str.slice(last_end.clip(lower_bound=0), (pl.col("pos") - last_end).clip(0, 30))
    participle = (
        is_verb
        & ~pl.col("passive").fill_null(False)
        & (pl.col("pos") - last_end).is_between(0, 30)
        & between.str.contains(r"^(?:\s+[A-Za-z-]+){0,2}\s*$")
        & pl.lit(rules.active("air.participle"))
    )
    s = s.with_columns(participle=participle.fill_null(False))
    directed = is_verb & ~pl.col("role").is_in(["impact", "aim"]) & ~pl.col("participle")
    # the last marker or verb before each token: after "out of" (and before the next verb) counts are launched
    last_mark = pl.when(directed | pl.col("kind").is_in(["out_of", "of_which"])).then(pl.col("kind"))
    s = s.with_columns(
        role_before=pl.when(directed).then(pl.col("role")).forward_fill().over(scope),
        role_after=pl.when(directed).then(pl.col("role")).backward_fill().over(scope),
        # a passive verb's subject is the weapons, not a side: only active verbs lend their subject
        vpos_before=pl.when(directed)
        .then(pl.when(~pl.col("passive")).then(pl.col("pos")).otherwise(-1))
        .forward_fill()
        .over(scope),
        vpos_after=pl.when(directed)
        .then(pl.when(~pl.col("passive")).then(pl.col("pos")).otherwise(-1))
        .backward_fill()
        .over(scope),
        vend_before=pl.when(directed).then(pl.col("end")).forward_fill().over(scope),
        next_role=pl.col("role").shift(-1).over(scope),
        next_passive=pl.col("passive").shift(-1).over(scope),
        next_participle=pl.col("participle").shift(-1).over(scope),
        next_kind=pl.col("kind").shift(-1).over(scope),
        next_pos=pl.col("pos").shift(-1).over(scope),
        next_end=pl.col("end").shift(-1).over(scope),
        # the token after a participle ("15 drones launched by Russia overnight were destroyed")
        next2_role=pl.col("role").shift(-2).over(scope),
        next2_passive=pl.col("passive").shift(-2).over(scope),
        next2_kind=pl.col("kind").shift(-2).over(scope),
        next2_pos=pl.col("pos").shift(-2).over(scope),
        # counts after "of which" in the sentence are parts that take the verb after them
        after_of_which=(pl.col("kind") == "of_which").cast(pl.Int32).cum_sum().over(scope) > 0,
        after_out_of=last_mark.forward_fill().over(scope) == "out_of",
        # how deep in breakdowns a count stands: "472 weapons: 440 drones and 32 missiles - 28 Kh-101 and 4
        # Iskander-M" gives 0, 1, 1, 2, 2
        breakdown_level=(pl.col("kind") == "breakdown").cast(pl.Int32).cum_sum().over(scope),
        in_breakdown=(pl.col("kind") == "breakdown").cast(pl.Int32).cum_sum().over(scope) > 0,
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
    # ... or the one after the participle that describes it: "all 15 drones launched by Russia overnight were
    # destroyed" (a short phrase, no comma, no other count)
    gap2 = pl.col("norm").str.slice(
        pl.col("next_end"), (pl.col("next2_pos") - pl.col("next_end")).clip(lower_bound=0)
    )
    bound_past_participle = (
        pl.col("next_participle").fill_null(False)
        & (pl.col("next2_kind") == "verb")
        & pl.col("next2_passive").fill_null(False)
        & ~pl.col("next2_role").is_in(["impact", "aim"])
        # after the participle, not the same words found by another verb pass ("hit" as impact and verb)
        & (pl.col("next2_pos") >= pl.col("next_end"))
        & ((pl.col("next2_pos") - pl.col("next_end")) <= 40)
        & ~gap2.str.contains(r"[,;:]|(?:^|\s)\d+(?:\s|$)")
        & pl.lit(rules.active("air.participle_passive"))
    )
    if not rules.active("air.bound_passive"):
        bound_after = pl.lit(False)
    next_bound = (
        pl.when(pl.col("next_role") == "impact").then(pl.lit("launched")).otherwise(pl.col("next_role"))
    )
    # a list of counts shares the passive verb bound to its last one ("..., adding that 60 drones and five
    # missiles had been downed"), when the list opens its clause: no verb right before it ("destroyed 30
    # drones, 5 missiles hit" keeps its verb)
    is_count = pl.col("kind").is_in(counted_kinds)
    linked_next = (
        is_count
        & pl.col("next_kind").is_in(counted_kinds)
        & gap.str.contains(r"^\s*(?:,|and)\s*$")
        & pl.lit(rules.active("air.shared_passive"))
    ).fill_null(False)
    prev_end = pl.col("end").shift(1).over(scope)
    opening = pl.col("norm").str.slice(prev_end.fill_null(0), (pl.col("pos") - prev_end.fill_null(0)).clip(lower_bound=0))
    s = s.with_columns(
        _linked=linked_next,
        _bound=pl.when(bound_after).then(next_bound)
        # ("..., with 30 drones and two missiles targeting the city")
        .when(pl.col("next_participle").fill_null(False) & (pl.col("next_role") == "aim")).then(pl.lit("launched")),
        _opens=prev_end.is_null() | opening.str.contains(r",|\bthat\b"),
    ).with_columns(_list=(~pl.col("_linked").shift(1).over(scope).fill_null(False)).cast(pl.Int32).cum_sum().over(scope))
    in_list = [*scope, "_list"]
    shared = (
        pl.when((pl.len().over(in_list) > 1) & pl.col("_opens").first().over(in_list) & is_count)
        .then(pl.col("_bound").last().over(in_list))
    )
    # back-references ("58 of which", "18 of those") always look forward to their verb
    # ... unless one is the object of the verb right before it: "shot down 47 of them, the Air Force said,
    # adding that the remaining drones fell"
    object_of_before = (pl.col("pos") - pl.col("vend_before")).is_between(0, 2).fill_null(False) & pl.lit(
        rules.active("air.back_ref_object")
    )
    forward = ((pl.col("kind") == "back_ref") & ~object_of_before) | (
        pl.col("after_of_which") & pl.lit(rules.active("air.of_which"))
    )
    out_of = pl.col("after_out_of").fill_null(False) & pl.lit(rules.active("air.out_of"))
    # "Eight drones targeted the capital": a count whose participle aims it was launched (when no verb
    # before it in its clause says otherwise: "shot down 18 drones heading for Kyiv")
    participle_role = pl.when(pl.col("next_participle").fill_null(False)).then(
        pl.when(pl.col("next_role") == "aim").then(pl.lit("launched")).otherwise(pl.col("next_role"))
    )
    role = (
        pl.when(pl.col("fixed_role").is_not_null()).then(pl.col("fixed_role"))
        .when(bound_after).then(next_bound)
        .when(bound_past_participle).then(pl.col("next2_role"))
        .when(shared.is_not_null()).then(shared)
        .when(out_of).then(pl.lit("launched"))
        .when(forward).then(pl.coalesce("role_after", "role_before", participle_role))
        .otherwise(pl.coalesce("role_before", participle_role, "role_after"))
    )  # fmt: skip
    verb_pos = (
        pl.when(pl.col("fixed_role").is_not_null() | out_of).then(None)
        .when(bound_after | bound_past_participle | shared.is_not_null()).then(None)
        .when(forward).then(pl.coalesce("vpos_after", "vpos_before"))
        .otherwise(pl.coalesce("vpos_before", "vpos_after"))
    )  # fmt: skip
    verb_pos = pl.when(verb_pos >= 0).then(verb_pos)
    # a single weapon reported by its impact ("a drone struck a block") is the weakest launch evidence
    from_impact = (
        pl.when(pl.col("fixed_role").is_not_null())
        .then(pl.col("prio") == 4)
        .otherwise(
            (bound_after & (pl.col("next_role") == "impact"))
            # ("A drone attacked the refinery" says no more than "a drone hit the refinery")
            | (
                pl.col("role_before").is_null()
                & pl.col("next_participle").fill_null(False)
                & (pl.col("next_role") == "aim")
            )
        )
    )
    s = s.with_columns(role=role, verb_pos=verb_pos, from_impact=from_impact.fill_null(False))
    # a breakdown with no verb of its own is of its total's role: "Ukraine was attacked by 220 drones and
    # missiles, including 20 cruise missiles" (the agent gave the total its role, and the clause has no verb)
    if rules.active("air.breakdown_role"):
        s = s.with_columns(
            role=pl.when(pl.col("role").is_null() & pl.col("in_breakdown") & is_count)
            .then(pl.col("role").forward_fill().over(scope))
            .otherwise(pl.col("role"))
        )
    if rules.active("air.all_list") and "all_flag" in s.columns:
        # "All 12 missiles, four attack drones and two reconnaissance drones launched were destroyed": the "all"
        # of a list's first item is every item's
        all_list = (pl.len().over(in_list) > 1) & is_count & pl.col("all_flag").fill_null(False).first().over(in_list)
        s = s.with_columns(all_flag=pl.when(all_list).then(True).otherwise(pl.col("all_flag")))
    return s.drop("_linked", "_bound", "_opens", "_list", "_scope")


def _subject_sides(stream: pl.DataFrame, subjects: pl.DataFrame) -> pl.DataFrame:
    """(keys, verb_pos) -> subject: the nearest subject before the verb in its clause."""
    verbs = stream.filter(pl.col("verb_pos").is_not_null()).select(*KEYS, "verb_pos", "norm").unique()
    if verbs.height == 0 or subjects.height == 0:
        return verbs.select(*KEYS, "verb_pos").with_columns(subject=pl.lit(None, pl.String))
    # a subject belongs to the first verb after it: one of the other role in between has it ("Russia fired
    # 69 missiles, with air defences intercepting 56": Russia did not intercept). Linear: per sentence, the
    # last launch and the last intercept verb before each verb.
    directed = stream.filter(
        (pl.col("kind") == "verb")
        & pl.col("role").is_in(["launched", "intercepted"])
        & ~pl.col("participle").fill_null(False)
    ).sort(*KEYS, "pos")
    last_of = {
        role: pl.when(pl.col("role") == role).then(pl.col("pos")).forward_fill().shift(1).over(KEYS)
        for role in ("launched", "intercepted")
    }
    blockers = directed.select(
        *KEYS,
        verb_pos="pos",
        blocker=pl.when(pl.col("role") == "launched").then(last_of["intercepted"]).otherwise(last_of["launched"]),
    ).unique(subset=[*KEYS, "verb_pos"], keep="first")
    if not rules.active("air.subject_own_verb"):
        blockers = blockers.with_columns(blocker=pl.lit(None, pl.Int64))
    verbs = verbs.join(blockers, on=[*KEYS, "verb_pos"], how="left")
    near = (
        verbs.join(subjects.select(*KEYS, s_pos="pos", subject="subject"), on=list(KEYS), how="inner")
        .filter(
            (pl.col("s_pos") < pl.col("verb_pos"))
            & (pl.col("verb_pos") - pl.col("s_pos") <= SUBJECT_MAX_DISTANCE)
            & (pl.col("blocker").is_null() | (pl.col("s_pos") > pl.col("blocker")))
        )
        .filter(
            ~pl.col("norm")
            .str.slice(pl.col("s_pos"), pl.col("verb_pos") - pl.col("s_pos"))
            .str.contains(r";|\s(?:but|while|whereas|and\s+that)\s")
        )
        .filter(pl.col("subject").is_not_null())
        .sort("s_pos")
        .group_by(*KEYS, "verb_pos", maintain_order=True)
        .agg(pl.col("subject").last())
    )
    return verbs.select(*KEYS, "verb_pos").join(near, on=[*KEYS, "verb_pos"], how="left")


def _opposite(side: pl.Expr) -> pl.Expr:
    return pl.when(side == "RU").then(pl.lit("UA")).when(side == "UA").then(pl.lit("RU"))


# How far around a count its clause is read for time and modality cues (characters): enough for a clause,
# and a bound, so that a sentence of a megabyte with thousands of counts is read in linear time and memory.
CLAUSE_REACH = 400


def _background() -> pl.Expr:
    """Whether the count's clause, or what stands before it in its sentence (up to CLAUSE_REACH), speaks of
    another time, or its clause of what could, would or will happen. Tallies are read per sentence (flags)."""
    rest = pl.col("norm").str.slice(pl.col("end"), CLAUSE_REACH)
    clause_end = pl.col("end") + rest.str.find(CLAUSE_END).cast(pl.Int64).fill_null(
        rest.str.len_chars().cast(pl.Int64)
    )
    start = (pl.col("end") - CLAUSE_REACH).clip(lower_bound=0)
    head = pl.col("norm").str.slice(start, clause_end - start)
    # the count's own clause: from the boundary before it to the one after it
    clause = head.str.replace(r"(?s)^.*(?:" + CLAUSE_END + r")", "")
    irrealis = clause.str.contains(rules.pattern("air.irrealis", IRREALIS_RE))
    if rules.active("air.could_be_downed"):
        # "72 drones could be neutralised" (translated reports: "konnten neutralisiert werden") tells what was
        # done; the modal of an interception right after its count is no guess
        clause_without = clause.str.replace_all(
            r"(?i)\bcould\s+be\s+(?:shot\s+down|neutrali[sz]ed|intercepted|destroyed|downed|repelled)\b", " "
        )
        irrealis = irrealis & clause_without.str.contains(IRREALIS_RE)
    # a calendar date days before the report, before the count or in its clause ("The largest attack, on
    # Oct. 3, involved 35 missiles"): another attack's figures
    dated = (pl.col("dated_pos") < clause_end).fill_null(False)
    return (
        irrealis
        | dated
        | vocabulary.without_rankings(head).str.contains(rules.pattern("air.background", TIME_RE))
    )


def _carried_background(cand: pl.DataFrame) -> pl.DataFrame:
    """keys, carried_background: the sentence right after one whose first clause is background ("Just over two
    weeks ago, Kyiv came under ... Russia launched 75 drones ...") and names no time of its own."""
    if not rules.active("air.background_carry"):
        return cand.select(*KEYS, carried_background=pl.lit(False))
    s = cand.sort(*KEYS).select(
        *KEYS,
        # the cue stands in the sentence's first clause ("Just over two weeks ago, ...", "The fighting followed
        # an attack on ..."), not in a clause about something else ("..., where troops launched an
        # incursion in August")
        background=vocabulary.without_rankings(pl.col("norm").str.replace(r"(?s),.*$", "")).str.contains(
            BACKGROUND_RE
        ),
        anchored=pl.col("norm").str.contains(TIME_ANCHOR_RE),
    )
    prev = [pl.col(c).shift(1).over("article_id") for c in ("sentence_no", "background")]
    carried = (prev[0] == pl.col("sentence_no") - 1) & prev[1].fill_null(False) & ~pl.col("anchored")
    return s.select(*KEYS, carried_background=carried)


def _counted(cand: pl.DataFrame, p: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(counted, stream, attackers): every count with its role, class, attacker and flags; the token
    stream; the sentences' cue attackers."""
    counts = pl.concat(
        [
            _mention_tokens(cand, p),
            _part_of_tokens(cand, p),
            _back_ref_tokens(cand, p),
            _respectively_tokens(cand, p),
            _class_part_tokens(cand, p),
            _the_impact_tokens(cand, p),
            _another_impact_tokens(cand, p),
            _place_ellipsis_tokens(cand, p),
        ],
        how="diagonal_relaxed",
    )
    # verbs, markers and subjects only matter where something is counted, or said to be all shot down
    excepts = pl.concat([_all_except_tokens(cand, p), _all_passive_tokens(cand, p)], how="diagonal_relaxed")
    counting = cand.join(
        pl.concat([counts.select(*KEYS), excepts.select(*KEYS)]).unique(), on=list(KEYS), how="semi"
    )
    stream = pl.concat(
        [counts, _verb_tokens(counting, p), excepts, _marker_tokens(counting, p)],
        how="diagonal_relaxed",
    )
    # asides between dashes or brackets: "used six missiles - four of them were intercepted - and 30 drones"
    asides = (
        find_tokens(counting, "norm", r"\s[-–—]\s[^-–—]{1,200}?\s[-–—](?:\s|$)|\([^()]{1,200}\)", kind="aside")
        if rules.active("air.aside")
        else None
    )
    stream = _assign_roles(
        _drop_nested(stream).join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left"), asides
    )
    is_count = pl.col("kind").is_in(["mention", "part"])
    stream = stream.sort(*KEYS, "pos").with_columns(
        # back-references take the class of the last weapon counted before them in the article
        weapon_class=pl.coalesce(
            "weapon_class", pl.when(is_count).then(pl.col("weapon_class")).forward_fill().over("article_id")
        ),
    )
    if rules.active("air.noun_referent"):
        # "Drones attacked Moscow overnight; five were shot down": with no weapon counted before it, a
        # back-reference takes the class of the last weapon named (read only in the articles that need it)
        orphans = stream.filter((pl.col("kind") == "back_ref") & pl.col("weapon_class").is_null()).select(
            "article_id"
        ).unique()
        named = _weapon_noun_tokens(cand.join(orphans, on="article_id", how="semi")) if orphans.height else None
        if named is not None and named.height:
            noun_class = pl.when(pl.col("kind") == "weapon_noun").then(pl.col("weapon_class")).forward_fill()
            needy = stream.join(orphans, on="article_id", how="semi")
            needy = (
                pl.concat([needy, named], how="diagonal_relaxed")
                .sort(*KEYS, "pos")
                .with_columns(weapon_class=pl.coalesce("weapon_class", noun_class.over("article_id")))
                .filter(pl.col("kind") != "weapon_noun")
            )
            stream = pl.concat(
                [stream.join(orphans, on="article_id", how="anti"), needy], how="diagonal_relaxed"
            ).sort(*KEYS, "pos")
    if "resp_back" in stream.columns:
        # "2 and 39 respectively": the figure resp_back weapons before the last one named takes that one's class
        rank = is_count.cast(pl.Int64).cum_sum().over("article_id")
        stream = stream.with_columns(__rank=rank)
        named = stream.filter(is_count).select("article_id", "__rank", __class="weapon_class")
        stream = (
            stream.with_columns(__target=pl.col("__rank") - pl.col("resp_back"))
            .join(named, left_on=["article_id", "__target"], right_on=["article_id", "__rank"], how="left")
            .with_columns(
                weapon_class=pl.when(pl.col("resp_back").is_not_null())
                .then(pl.col("__class"))
                .otherwise(pl.col("weapon_class"))
            )
            .drop("__rank", "__target", "__class")
            .sort(*KEYS, "pos")
        )
    # the count before each count of its sentence (tokens in between that count nothing are skipped)
    is_cnt = pl.col("kind").is_in(["mention", "part", "back_ref", "class_part"])

    def before(col: str) -> pl.Expr:
        return pl.when(is_cnt).then(pl.col(col)).forward_fill().shift(1).over(KEYS)

    if "place_ellipsis" in stream.columns:
        # ", 10 over Kursk" follows a count that names its own place ("15 drones over the Bryansk region"): it
        # is that count's weapon and role; otherwise it is no count
        preps = "over|above|in|near" + ("|at|on|against|towards?" if rules.active("air.target_ellipsis") else "")
        own_place = r"^(?:\s+[a-z]+){0,3}\s+(?:" + preps + r")\s+(?:the\s+)?([A-Z][a-z]*)"

        def names_place(start: pl.Expr) -> pl.Expr:
            # a place after the count: a capitalised word that is no day or month ("on Sunday")
            word = pl.col("norm").str.slice(start, 60).str.extract(own_place, 1).str.to_lowercase()
            return word.is_not_null() & ~word.str.contains(_DAY_OR_MONTH).fill_null(False)

        placed = names_place(before("end"))
        ell = is_cnt & pl.col("place_ellipsis").fill_null(False)
        if rules.active("air.ellipsis_head"):
            # the run's first count must name its own place too: "30 drones overnight, 12 over Kharkiv, 10 over
            # Sumy" breaks a total down (its parts are no further drones), where "15 drones over Bryansk, 10
            # over Kursk" lists one figure per place
            head_placed = pl.when(is_cnt & ~ell).then(names_place(pl.col("end"))).forward_fill().over(KEYS)
            placed = placed & head_placed.fill_null(False)
        # a run of them: each takes the role of the count that starts the run
        run_role = pl.when(is_cnt & ~ell).then(pl.col("role")).forward_fill().over(KEYS)
        stream = (
            stream.with_columns(
                __ok=~ell | (placed & pl.col("weapon_class").is_not_null()).fill_null(False),
                role=pl.when(ell).then(run_role).otherwise(pl.col("role")),
            )
            .filter("__ok")
            .drop("__ok")
        )
    if "another" in stream.columns:
        # "one missile was shot down, another hit": the ones intercepted just before, and one more, were launched
        prev_fits = (
            before("kind").is_in(["mention", "part", "back_ref"])
            & (before("role") == "intercepted")
            & (before("weapon_class") == pl.col("weapon_class"))
        )
        stream = stream.with_columns(
            count=pl.when(is_cnt & pl.col("another").fill_null(False) & prev_fits.fill_null(False))
            .then(pl.col("count") + before("count"))
            .otherwise(pl.col("count"))
        )
    # "Eleven of them were missiles": the role of the combined count before it
    combined_role = pl.when(is_count & (pl.col("weapon_class") == ANY)).then(pl.col("role"))
    stream = stream.with_columns(
        role=pl.when(pl.col("kind") == "class_part")
        .then(combined_role.forward_fill().over("article_id"))
        .otherwise(pl.col("role"))
    )
    subjects = _subject_sides(stream, _subject_tokens(counting))
    attackers = sentence_attackers(cand)
    intercept_re = "(?i)" + p["intercept"]
    # sentence flags, for the sentences that count something only
    partial_re = partial_pattern()
    partial_groups = set(re.findall(r"\(\?P<(region\d?)>", partial_re))
    partial = _origin_masked(pl.col("norm")).str.extract_groups(partial_re)
    flags = counting.select(
        *KEYS,
        # a sentence that shoots weapons down is about an attack, whatever else it mentions
        tally=_tally(vocabulary.without_rankings(pl.col("norm")))
        # "Russia has fired more than 9,000 missiles at Ukraine": the perfect with no attack and no time of the
        # news is a war-long tally
        | (
            pl.col("norm").str.contains(rules.pattern("air.perfect_tally", PERFECT_RE))
            & ~pl.col("norm").str.contains(vocabulary.NEWS_TIME_RE)
            & ~pl.col("norm").str.contains(ONE_ATTACK_RE)
            # "Russian forces have dropped two bombs on Kharkiv, killing three": one attack told by its toll
            & ~pl.col("norm").str.contains(rules.pattern("air.perfect_toll", PERFECT_TOLL_RE))
        ),
        dated_pos=pl.col("dated_pos") if "dated_pos" in counting.columns else pl.lit(None, pl.Int64),
        supply=pl.col("norm").str.contains(rules.pattern("air.supply", SUPPLY_RE))
        & ~pl.col("norm").str.contains(intercept_re),
        # (a sentence that aims its weapons at one side is an attack, whatever drills it mentions beside it)
        exercise=pl.col("norm").str.contains(rules.pattern("air.exercise", EXERCISE_RE))
        & ~pl.col("norm").str.contains(r"(?i)\b(?:at|on|against|across)\s+(?:the\s+)?(?:ukrain\w*|kyiv|russia\w*)\b"),
        partial_region=(
            pl.coalesce(
                *[
                    partial.struct.field(f)
                    for f in ("region", "region2", "region3", "region4", "region5", "region6", "region7", "region8")
                    if f in partial_groups
                ]
            )
            if rules.active("air.partial_region")
            else pl.lit(None, pl.String)
        )
        .str.to_lowercase()
        # one capital by three names: "over the capital ... on approach to Kyiv" is one city's figure
        .str.replace(r"^(?:the\s+capital|kiev)$", "kyiv"),
        # where the first region word stands (cheaper than finding PARTIAL_RE again)
        partial_pos=pl.col("norm").str.find(r"(?i)\b(?:region|oblast|province|krai|republic)\b").cast(pl.Int64),
        # regions named: "the Bryansk region ... and the Lipetsk region", "the Bryansk and Lipetsk regions"
        region_mentions=pl.col("norm").str.count_matches(r"(?i)\bregion\b|\boblast\b")
        + 2 * pl.col("norm").str.count_matches(r"(?i)\b[a-z'-]+\s+and\s+[a-z'-]+\s+(?:regions|oblasts)\b"),
    )
    counted = (
        stream.filter(pl.col("kind").is_in(["mention", "part", "back_ref", "class_part"]))
        .filter(pl.col("role").is_in(list(OUTCOMES)) & pl.col("weapon_class").is_not_null())
        .join(subjects, on=[*KEYS, "verb_pos"], how="left")
        .join(attackers, on=list(KEYS), how="left")
        .join(flags, on=list(KEYS), how="left")
        .join(_carried_background(cand), on=list(KEYS), how="left")
        .filter(
            ~pl.col("supply")
            & ~pl.col("exercise")
            & ~pl.col("tally")
            & ~_background()
            & ~pl.col("carried_background").fill_null(False)
        )
    )
    if rules.active("air.region_clause"):
        # "destroyed 55 of 59 drones; in the Kyiv region alone, 20 were downed": a region named in a later clause
        # of the sentence is not that of the counts before it
        # (nor, after it, that of the counts in a later clause: "In the Kyiv region, 20 were downed; across the
        # country, 55 of 59")
        before = pl.col("norm").str.slice(pl.col("end"), (pl.col("partial_pos") - pl.col("end")).clip(lower_bound=0))
        after = pl.col("norm").str.slice(pl.col("partial_pos"), (pl.col("pos") - pl.col("partial_pos")).clip(lower_bound=0))
        other_clause = ((pl.col("partial_pos") > pl.col("end")) & before.str.contains(";")) | (
            (pl.col("partial_pos") < pl.col("pos")) & after.str.contains(";")
        )
        counted = counted.with_columns(
            partial_region=pl.when(other_clause.fill_null(False)).then(None).otherwise(pl.col("partial_region"))
        )
    if rules.active("air.regional_breakdown"):
        # "48 drones were destroyed over seven regions, including six over the Lipetsk region": a total broken
        # down by region after it is the whole night's, not the first region's
        between = pl.col("norm").str.slice(pl.col("end"), (pl.col("partial_pos") - pl.col("end")).clip(lower_bound=0))
        broken_down = between.str.contains(r"(?i)\bincluding\b|\bamong\s+them\b|\bof\s+(?:them|which)\b|:\s")
        counted = counted.with_columns(
            partial_region=pl.when(
                (pl.col("breakdown_level").fill_null(0) == 0)
                & (pl.col("partial_pos") > pl.col("end"))
                & broken_down.fill_null(False)
            )
            .then(None)
            .otherwise(pl.col("partial_region"))
        )
    # the side of the verb's subject: who launched, or the other side of the one who shot down
    verb_side = (
        pl.when(pl.col("role").is_in(["launched", "impacts"])).then(pl.col("subject"))
        .when(pl.col("role").is_in(["intercepted", "suppressed"])).then(_opposite(pl.col("subject")))
    )  # fmt: skip
    cue = pl.col("sentence_attacker") if rules.active("air.sentence_cues") else pl.lit(None, pl.String)
    # the counts of one verb are one side's: "shot down two Storm Shadow missiles and 45 drones" are all
    # Ukraine's (when the weapons that name a side all name the same one)
    own_sides = pl.col("side").drop_nulls().over(*KEYS, "verb_pos", mapping_strategy="join")
    verb_list_side = (
        pl.when(own_sides.list.n_unique() == 1).then(own_sides.list.first())
        if rules.active("air.shared_side")
        else pl.lit(None, pl.String)
    )
    counted = counted.sort(*KEYS, "pos").with_columns(
        attacker=pl.coalesce(
            "side", verb_side if rules.active("air.subject_side") else None, verb_list_side, cue, pl.lit("RU")
        )
    )
    # a back-reference counts the weapons of the mention it refers to, so it has their attacker
    referent = (
        pl.when(pl.col("kind") != "back_ref").then(pl.col("attacker")).forward_fill().over("article_id")
    )
    counted = counted.with_columns(
        attacker=pl.when(pl.col("kind") == "back_ref")
        .then(pl.coalesce(referent, "attacker"))
        .otherwise(pl.col("attacker")),
    )
    if rules.active("air.each"):
        # "one drone each in Bryansk region ... and in Lipetsk region" counts once per region named
        counted = counted.with_columns(
            count=pl.when(pl.col("each") & (pl.col("region_mentions") > 1))
            .then(pl.col("count") * pl.col("region_mentions"))
            .otherwise(pl.col("count"))
        )
    if rules.active("air.all_launched"):
        # "all 24 drones ... shot down": the 24 were also launched
        all_launched = counted.filter(pl.col("all_flag") & (pl.col("role") == "intercepted"))
        if rules.active("air.all_part"):
            # "destroyed 81 missiles, including all 11 Kalibrs": all of a part, which says nothing of the whole
            all_launched = all_launched.filter(pl.col("breakdown_level").fill_null(0) == 0)
        all_launched = all_launched.with_columns(role=pl.lit("launched"), subset=pl.lit(False))
        if rules.active("air.all_restates_launch"):
            # "launched six cruise missiles; all six were destroyed": the sentence already gives the launch
            # figure of that class, which the 'all' figure repeats rather than adds to
            same = ["article_id", "sentence_no", "attacker", "weapon_class"]
            launched = counted.filter((pl.col("role") == "launched") & ~pl.col("subset").fill_null(False))
            all_launched = all_launched.join(launched.select(same).unique(), on=same, how="anti", nulls_equal=True)
        counted = pl.concat([counted, all_launched], how="diagonal_relaxed")
    return counted, stream, attackers


def _per_sentence(counted: pl.DataFrame) -> pl.DataFrame:
    """One figure per (article, attacker, class, role, sentence, subset, region): the sentence's counts
    summed, a breakdown after "including" or a colon only when the sentence gives no total before it."""
    key = ["article_id", "attacker", "weapon_class", "role", "sentence_no", "subset", "partial_region"]
    # the counts of the shallowest breakdown level the class has in the sentence: a total and not its parts,
    # or the parts when no total is given
    level = pl.col("breakdown_level").fill_null(0) if rules.active("air.breakdown") else pl.lit(0)
    top = level == level.min()
    if rules.active("air.partitive_sibling"):
        # "destroyed five of the Kalibrs and two Kh-59s": a part ("five of the Kalibrs") listed before a whole
        # figure of its class, role and breakdown level in its sentence is one more item of that list, not a
        # part of something counted elsewhere (after the whole it stays a part: "20 missiles, five of the
        # Kalibrs over Odesa")
        sibling = ["article_id", "attacker", "weapon_class", "role", "sentence_no", "__level"]
        whole_after = (
            pl.when(~pl.col("subset")).then(pl.col("pos")).max().over(sibling)
        )
        counted = (
            counted.with_columns(__level=level)
            .with_columns(subset=pl.col("subset") & ~(whole_after > pl.col("pos")).fill_null(False))
            .drop("__level")
        )
    if rules.active("air.neutralised_parts"):
        # "86 drones were neutralised: 64 shot down and 22 locationally lost": a total whose breakdown has a
        # suppressed part is a combined figure; the shot-down part under it is the intercepted one
        group = ["article_id", "attacker", "weapon_class", "sentence_no"]
        intercepted = pl.col("role") == "intercepted"
        supp_level = pl.when(pl.col("role") == "suppressed").then(level).min().over(group)
        deeper_intercept = pl.when(intercepted).then(level).max().over(group)
        combined = intercepted & (level < supp_level) & (deeper_intercept > level)
        counted = counted.filter(~combined.fill_null(False))
    # (lazy, so that the shallowest level is found once per group: the qualifier reads it several times)
    per = (
        counted.lazy()
        .with_columns(breakdown_level=level)
        .group_by(key)
        .agg(
            value=pl.when(
                # "eight missiles, six Kh-101 cruise missiles and two Iskander-K": a figure followed by parts
                # that add up to it exactly is a total with its breakdown, however it is punctuated
                (pl.col("count").filter(top).len() >= 3)
                & (pl.col("count").filter(top).max() * 2 == pl.col("count").filter(top).sum())
                & (pl.col("count").filter(top).first() == pl.col("count").filter(top).max())
                # ... the parts each a model or family of the plain total ("10 over Kyiv, 6 over Zhytomyr and
                # 4 over Cherkasy" are regions, to be added)
                & pl.col("model").filter(top).first().is_null()
                & pl.col("family").filter(top).first().is_null()
                & (pl.col("model").filter(top).is_not_null() | pl.col("family").filter(top).is_not_null())
                .slice(1)
                .all()
                & pl.lit(rules.active("air.total_with_parts"))
            )
            .then(pl.col("count").filter(top).max())
            .otherwise(pl.col("count").filter(top).sum()),
            qual=_summed_qualifier(pl.col("qual").filter(top)),
            impact=pl.col("from_impact").fill_null(False).all(),
            additive=pl.col("additive").fill_null(False).all(),
            # "about 300 of them were Shaheds" alone: a model's share (air.model_part)
            model_part=((pl.col("kind") == "class_part") & pl.col("model").is_not_null()).all(),
            # the one missile family the figure counts ("eight of the nine cruise missiles"), else null
            family=pl.when(
                (pl.col("family").filter(top).null_count() == 0) & (pl.col("family").filter(top).n_unique() == 1)
            ).then(pl.col("family").filter(top).first()),
        )
        .collect()
    )
    if not rules.active("air.other_more"):
        return per.drop("additive")
    # "The attack included eight other missiles": added to the largest whole figure of the sentences before
    whole = ~pl.col("subset") & pl.col("partial_region").is_null()
    before = (
        pl.when(whole)
        .then(pl.col("value"))
        .cum_max()
        .shift(1)
        .over("article_id", "attacker", "weapon_class", "role")
    )
    per = per.sort(*key).with_columns(
        value=pl.when(pl.col("additive") & whole)
        .then(pl.col("value") + before.fill_null(0))
        .otherwise(pl.col("value"))
    )
    return per.drop("additive")


# The parties of other wars that news about this one compares it with (Iran and Israel, the Red Sea).
OTHER_WAR_RE = (
    r"(?i)\b(?:houthis?|hezbollah|hamas|israel|israeli|israelis|idf|tehran|gaza|lebanon|lebanese|yemen|yemeni|"
    r"red\s+sea|centcom|central\s+command|iran\s+(?:launched|fired|attacked)|iran's\s+(?:strike|attack|barrage))\b"
)
THIS_WAR_RE = r"(?i)\b(?:russia|russian|russians|russia's|moscow|kremlin|ukraine|ukrainian|ukrainians|ukraine's|kyiv|kiev)\b"


def extract_air(sentences: pl.DataFrame) -> AirResult:
    """sentences (split_sentences output, with published_at) -> air attack rows with evidence columns:
    article_id, attacker, weapon_class, launched, intercepted, launched_qualifier, event_date,
    sentence_no (of the evidence)."""
    p = patterns()
    cand = sentences.filter(pl.col("has_event_words") & ~pl.col("bullet") & ~pl.col("timeline")).filter(
        contains_any_word(pl.col("norm"), PREFILTER_WORDS)
    )
    if rules.active("air.other_war"):
        # "Tehran launched more than 300 drones and missiles", "US ships shot down seven Houthi drones": another
        # war's figures, in a sentence that names neither side of this one
        cand = cand.filter(~(pl.col("norm").str.contains(OTHER_WAR_RE) & ~pl.col("norm").str.contains(THIS_WAR_RE)))
    if cand.height == 0:
        return AirResult(rows=_empty_rows(), outcomes=_empty_ledger())
    if rules.active("air.colon_list"):
        # "287 means of air attack, namely: - 50 Kh-101 (from ...); - 29 Kalibr (...); - 193 Shaheds": after a
        # colon, semicolons and dashes set the items of one list apart, not clauses or breakdowns of their own
        # (the same length, so offsets hold)
        norm = pl.col("norm").str.replace_all(r"([:;,]\s*)[-\u2013\u2014](\s+\d)", "${1} ${2}")
        for _ in range(4):
            norm = norm.str.replace_all(r"(:[^;.]*?);(\s*\d)", "${1},${2}")
        cand = cand.with_columns(norm=norm)
    if rules.active("air.participle_aside"):
        # "Both missiles, fired from Su-34 jets over the Belgorod region, were destroyed": the aside read out,
        # so the weapons meet their verb
        cand = cand.with_columns(
            norm=pl.col("norm").str.replace_all(
                r"(?i)(\b(?:missiles?|drones?|rockets?|bombs?|uavs?|shaheds?|kalibrs?|iskanders?|kinzhals?)),\s+"
                r"(?:fired|launched|sent|dropped|flying|heading)\s[^,;.]{1,80},(\s+(?:were|was|had\s+been|have\s+been)\s)",
                "${1}${2}",
            )
        )
    if rules.active("air.family_ones"):
        # "19 of the cruise missiles and two of the ballistic ones": a missile family's "ones" are missiles
        cand = cand.with_columns(
            norm=pl.col("norm").str.replace_all(
                r"(?i)\b(cruise|ballistic|aeroballistic|hypersonic|anti-ship)\s+ones\b", "${1} missiles"
            )
        )
    if rules.active("air.not_intercepted"):
        # "The missiles, Iskander-Ms launched from Kursk, were not intercepted": none of them were (the aside
        # read out)
        cand = cand.with_columns(
            norm=pl.col("norm").str.replace_all(
                r"(?i)\b(?:the|both|these|those)\s+((?:[a-z0-9-]+\s+){0,2}(?:missiles|drones|rockets|bombs|uavs))"
                r"(?:,\s+[^,;.]{1,80},)?\s+(?:were|have\s+been|had\s+been)\s+not\s+"
                r"(intercepted|shot\s+down|downed|destroyed)\b",
                "none of the ${1} were ${2}",
            )
        )
    counted, stream, attackers = _counted(cand, p)
    figures = _derive_from_combined(_choose_figures(_per_sentence(counted)), _named_classes(counted))
    rows = figures.pivot(
        on="role",
        index=["article_id", "attacker", "weapon_class"],
        values=["value", "sentence_no", "qual", "impact"],
    )
    rows = _ensure_role_columns(rows)

    # "All the projectiles, except for the Iskander-M missile, were shot down"
    if rules.active("air.all_except"):
        rows = _apply_all_except(rows, stream, attackers)
    if rules.active("air.weak_impact"):
        # "A drone struck a block" in an article whose air defences downed 165 drones: that one impact is not
        # the night's launch figure
        weak = pl.col("impact_launched").fill_null(False) & (
            pl.col("value_intercepted") > pl.col("value_launched")
        )
        rows = rows.with_columns(
            [
                pl.when(weak).then(None).otherwise(pl.col(f"{f}_launched")).alias(f"{f}_launched")
                for f in ("value", "sentence_no", "qual")
            ]
        )
    counted = counted.filter(pl.col("weapon_class") != ANY)
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


def _choose_figures(per_sentence: pl.DataFrame) -> pl.DataFrame:
    """Across sentences: the largest whole-attack figure (a headline often gives one part); else per-region
    figures summed (one per region); else the largest part ("21 of the drones")."""
    key = ["article_id", "attacker", "weapon_class", "role"]
    whole = per_sentence.filter(~pl.col("subset") & pl.col("partial_region").is_null())
    if rules.active("air.largest_whole"):
        # counted figures before impact-only ones, then the largest, then the first
        # ... and a rough figure ("almost a hundred") after a precise one near it ("more than 90"): the precise
        # is the report's, the rough an early estimate or a headline's rounding
        whole = whole.with_row_index("__i")
        rough = pl.lit(False)
        if rules.active("air.precise_over_rough"):
            precise = whole.filter(pl.col("qual") != "approx").select(*key, precise="value")
            near = (
                whole.filter(pl.col("qual") == "approx")
                .join(precise, on=key)
                .filter(pl.col("precise").is_between(pl.col("value") * 0.8, pl.col("value") * 1.2))
                .get_column("__i")
            )
            rough = pl.col("__i").is_in(near.implode())
        order = (
            whole.with_columns(__rough=rough)
            .sort("impact", "__rough", "value", "sentence_no", descending=[False, False, True, False])
            .drop("__rough", "__i")
        )
    else:
        order = whole.sort("impact", "sentence_no", descending=[False, False])
    best_whole = order.group_by(key, maintain_order=True).first()
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
    cols = [*key, "value", "sentence_no", "qual", "impact", "model_part"]
    regional = regional.with_columns(model_part=pl.lit(False))
    # a launch known only from an impact ("a direct missile hit") is the weakest figure: a counted part ("472
    # drones and missiles, 32 of them missiles") beats it
    impact_last = pl.col("impact") & pl.lit(rules.active("air.impact_last"))
    chosen = pl.concat(
        [
            best_whole.select(cols).with_columns(rank=pl.when(impact_last).then(3).otherwise(0)),
            regional.select(cols).with_columns(rank=pl.lit(1)),
            parts.select(cols).with_columns(rank=pl.lit(2)),
        ]
    )
    if rules.active("air.part_over_region"):
        # "85 drones, 64 of which were shot down ... Over the Kyiv region, 12 were destroyed": a part of the
        # launched total is the whole attack's outcome, and the larger of it and the regional figures wins (a
        # part of what was launched is no launch figure)
        chosen = chosen.with_columns(
            rank=pl.when((pl.col("rank") == 2) & (pl.col("role") != "launched")).then(1).otherwise(pl.col("rank"))
        )
    chosen = (
        chosen.sort(["rank", "value"], descending=[False, True])
        .group_by(key, maintain_order=True)
        .first()
        # (a model's share is the figure only while nothing better is known: _derive_from_combined may replace it)
        .with_columns(part=(pl.col("rank") == 2) & pl.col("model_part"))
        .drop("rank", "model_part")
    )
    if not rules.active("air.family_sum") or "family" not in per_sentence.columns:
        return chosen
    # "Eight of the nine cruise missiles were brought down. Only two of the ballistic missiles were
    # intercepted": figures of different missile families in different sentences add up (each family's
    # largest once), and their sum is the attack's figure when no sentence gives a larger one
    by_family = (
        per_sentence.filter(pl.col("family").is_not_null() & pl.col("partial_region").is_null())
        .sort("value", descending=True)
        .group_by([*key, "family"], maintain_order=True)
        .first()
        .group_by(key)
        .agg(
            family_sum=pl.col("value").sum(),
            family_qual=_summed_qualifier(pl.col("qual")),
            families=pl.len(),
        )
        .filter(pl.col("families") > 1)
    )
    larger = pl.col("family_sum") > pl.col("value")
    return (
        chosen.join(by_family, on=key, how="left", maintain_order="left")
        .with_columns(
            value=pl.when(larger).then(pl.col("family_sum")).otherwise(pl.col("value")),
            qual=pl.when(larger).then(pl.col("family_qual")).otherwise(pl.col("qual")),
            part=pl.when(larger).then(pl.lit(False)).otherwise(pl.col("part")),
        )
        .drop("family_sum", "family_qual", "families")
    )


def _named_classes(counted: pl.DataFrame) -> pl.DataFrame:
    """(article_id, attacker, weapon_class): every class an article counts, or names inside a combined count."""
    direct = counted.filter(pl.col("weapon_class") != ANY).select("article_id", "attacker", "weapon_class")
    inside = (
        counted.filter(pl.col("combo_classes").is_not_null())
        .select("article_id", "attacker", weapon_class="combo_classes")
        .explode("weapon_class")
        .filter(pl.col("weapon_class") != ANY)
    )
    # a combined count that names no class, broken down in its own sentence ("367 air attack means, including
    # 67 missiles") counts drones and missiles: what Ukraine's air force counts together ("two airborne
    # objects were downed" beside another report's drone is no such breakdown)
    same = ["article_id", "sentence_no", "attacker", "role"]
    generic = (
        counted.filter((pl.col("weapon_class") == ANY) & pl.col("combo_classes").is_null())
        .join(counted.filter(pl.col("weapon_class") != ANY).select(same).unique(), on=same, how="semi")
        .select("article_id", "attacker", weapon_class=pl.lit(["drone", "missile"]))
        .explode("weapon_class")
        if rules.active("air.combined_generic")
        else direct.clear()
    )
    return pl.concat([direct, inside, generic]).unique()


def _derive_from_combined(figures: pl.DataFrame, named: pl.DataFrame) -> pl.DataFrame:
    """A combined figure ("550 drones and missiles") and the figures of all classes but one that the article
    names for that role give the remaining class its derived figure (550 - 11 missiles = 539 drones); a
    combined figure otherwise gives nothing. Combined figures are dropped either way."""
    combined = figures.filter(pl.col("weapon_class") == ANY)
    classes = figures.filter(pl.col("weapon_class") != ANY)
    if combined.height == 0 or not rules.active("air.combined_parts"):
        return classes.drop("part")
    side = ["article_id", "attacker"]
    # "559 means of air attack, including 40 missiles ... about 300 of them were Shaheds": a part of a class
    # ("300 Shaheds") is not its figure when the combined count less the other classes gives it
    replaceable = pl.col("part") & pl.lit(rules.active("air.model_part"))
    if rules.active("air.impact_under_combined"):
        # "653 drones and missiles, including 20 missiles ... two were killed when a drone hit a building": a
        # class known only from an impact is the combined count's remainder, not a launch of one
        replaceable = replaceable | pl.col("impact").fill_null(False)
    have = classes.filter(~replaceable).group_by(*side, "role").agg(
        known=pl.col("weapon_class"),
        known_sum=pl.col("value").sum(),
        known_sentence=pl.col("sentence_no").min(),
    )
    missing = (
        combined.select(*side, "role", c_value="value", c_sentence="sentence_no", c_qual="qual")
        .join(named, on=side, how="inner")
        .join(have, on=[*side, "role"], how="left")
        .filter(~pl.col("known").fill_null([]).list.contains(pl.col("weapon_class")))
        .with_columns(n_missing=pl.len().over(*side, "role"))
        .filter(pl.col("n_missing") == 1)
        .with_columns(value=pl.col("c_value") - pl.col("known_sum").fill_null(0))
        .filter((pl.col("value") > 0) & pl.col("known_sum").is_not_null())
    )
    derived = missing.select(
        *side, "weapon_class", "role", "value", sentence_no="c_sentence", qual="c_qual", impact=pl.lit(False)
    )
    classes = classes.join(derived, on=[*side, "weapon_class", "role"], how="anti").drop("part")
    return pl.concat([classes, derived.select(classes.columns)], how="vertical_relaxed")


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
    is_count = pl.col("kind").is_in(["mention", "part", "back_ref", "class_part"])
    prev_end = pl.when(is_count).then(pl.col("end")).forward_fill().shift(1).over(KEYS)
    ae = (
        stream.sort(*KEYS, "pos")
        .with_columns(prev_end=prev_end)
        .filter((pl.col("kind") == "all_except") & (pl.col("role") == "intercepted"))
    )
    if ae.height == 0:
        return rows
    # "... and 30 Shaheds, all of which were downed": all of the weapon just counted, not of every class
    gap = pl.col("norm").str.slice(pl.col("prev_end"), (pl.col("pos") - pl.col("prev_end")).clip(lower_bound=0))
    of_the_last = (
        gap.str.contains(r"^\s*,?\s*$")
        & pl.col("norm").str.slice(pl.col("pos"), 20).str.contains(r"(?i)^all\s+of\s+(?:which|them)\b")
        & pl.lit(rules.active("air.all_of_the_last"))
    )
    ae = ae.with_columns(only_class=pl.when(of_the_last.fill_null(False)).then(pl.col("weapon_class")))
    exc = ae.group_by("article_id", "exc_class").agg(exc=pl.col("exc_count").sum())
    every = ae.filter(pl.col("only_class").is_null()).group_by("article_id").agg(all_sentences=pl.col("sentence_no"))
    only = ae.filter(pl.col("only_class").is_not_null()).select("article_id", weapon_class="only_class").unique()
    flagged = (
        rows.join(every, on="article_id", how="left")
        .join(only.with_columns(only_flag=pl.lit(True)), on=["article_id", "weapon_class"], how="left")
        .with_columns(
            all_flag=pl.col("all_sentences").is_not_null() | pl.col("only_flag").fill_null(False),
            of_the_last=pl.col("only_flag").fill_null(False),
        )
        .drop("only_flag")
        .join(exc, left_on=["article_id", "weapon_class"], right_on=["article_id", "exc_class"], how="left")
    )
    applies = pl.col("all_flag").fill_null(False) & pl.col("value_launched").is_not_null()
    if rules.active("air.all_own_figure"):
        # "More than 30 drones were detected over Kyiv, and all of them were destroyed" beside the night's "44
        # of 47 destroyed": an "all" in another sentence than the launch figure does not replace an intercepted
        # figure the article gives
        applies = applies & (
            pl.col("value_intercepted").is_null()
            | pl.col("of_the_last")
            | pl.col("all_sentences").list.contains(pl.col("sentence_no_launched")).fill_null(False)
        )
    return flagged.with_columns(
        value_intercepted=pl.when(applies)
        .then(pl.col("value_launched") - pl.col("exc").fill_null(0))
        .otherwise(pl.col("value_intercepted")),
    ).drop("all_flag", "all_sentences", "of_the_last", "exc")


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
