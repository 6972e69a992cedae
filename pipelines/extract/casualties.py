"""Casualties: killed / injured counts -> one row per (article, place).

1. counts: a victim list and its verb ("three people were killed", "a woman and two children were killed",
   "a 16-year-old boy and a 23-year-old man were wounded", "five residents of Skadovsk were killed"), a
   verb and its victims ("killing one person and injuring at least 26", "claimed the lives of 3 people"),
   injury and death nouns ("two residents suffered injuries", "a man lost his life", "one fatality"),
   updates ("the number of dead rose to 14, and injured to 61", "the number of victims has risen to 12"),
   and elliptical lists that keep the last count's field ("three were wounded in A, three more in B, and
   one in C"); parts ("including four children", "four of whom"), military losses, combined "killed or
   injured" tallies and hospital counts beside an injured count are not added;
2. places: locative phrases ("in Dnipro", "attack on Odesa", "in the Kherson region", "Ponyativka, Kherson
   region") resolved to admin1 by the gazetteer; the region the text names wins over the gazetteer for a
   small place or one it does not know ("In Donetsk Oblast, ... three in Vyshneve"); a place that names an
   authority ("the Kherson occupation administration", "Kharkiv governor") is no scene; "across Ukraine"
   marks a nationwide figure (no row);
3. each count takes the nearest place in its clause (clauses split at ";", "while", "whereas"), else in its
   sentence, else the last place named in the sentences before it;
4. counts of one field in one sentence and place are summed (different people); across sentences the
   largest wins (updates only grow: "rose to 63"); a region-level row is dropped when a named place inside
   that region has its own row.
"""

from __future__ import annotations

import polars as pl

from pipelines.extract import rules, vocabulary, weapons
from pipelines.extract.gazetteer import (
    NOT_PLACE_NAME_RE,
    NOT_PLACE_WORD_RE,
    SETTLEMENT_SHAPE_RE,
    admin1_countries,
    resolve_places,
)
from pipelines.extract.numbers import QUALIFIER_RE, qualifier_code
from pipelines.extract.tokens import (
    ARTICLE_KEY,
    anchored,
    contains_any_word,
    find_near_triggers,
    find_tokens,
    literal_pattern,
    text_after,
    text_before,
)

KEYS = ("article_id", "sentence_no")

rules.declare(
    {
        "cas.count_first": "a victim list, then its verb: 'three people were killed', 'a woman and two children were killed'",
        "cas.ordinal": "the ordinal of the latest victim is the toll so far: 'a third person died in hospital'",
        "cas.couple": "a couple is two people: 'an elderly couple was killed'",
        "cas.victim_list": "victims joined by 'and' or commas are added: 'a 16-year-old boy and a 23-year-old man were wounded'",
        "cas.including_aside": "'the toll rose to 11, including a child, and 52 people were injured': the victim after 'including' is no item of the list after it",
        "cas.victims_of_org": "whose people the victims are is part of them: 'three employees of the enterprise were killed'",
        "cas.victims_of_the_place": "victims of the place named before: 'Eight more residents of the city were wounded'",
        "cas.victims_of_place": "victims of a place before the verb: 'five residents of Skadovsk were killed'",
        "cas.relative_clause": "a relative clause between the victim and the verb: 'a man who was near the site was wounded'",
        "cas.verb_first": "a verb, then its victims: 'killing one person and injuring at least 26', 'left two dead'",
        "cas.injury_noun": "injuries as a noun: 'two residents suffered injuries', 'sustained minor injuries'",
        "cas.affected": "'six people were affected by the strike' (translated reports) are injured; 'affected by power cuts' are not",
        "cas.injury_count": "injuries counted as a noun with a reporting verb: 'one fatality and four injuries were reported'",
        "cas.death_noun": "deaths as a noun: 'a man lost his life', 'one fatality', 'claimed three lives', 'the bodies of five people'",
        "cas.no_one": "'no one was injured' counts nobody",
        "cas.update": "a toll that rises: 'the death toll rose to 5', 'the number of injured has risen to 63'",
        "cas.more_than_killed": "'A man was killed. Five more people were injured': more than the dead just named, not added to an earlier injured figure",
        "cas.more_added": "'two more people died' adds to the figure given for the place before",
        "cas.toll_is_total": "a toll in a sentence is its total: 'two died in hospital, bringing the toll to 18' is 18",
        "cas.update_second_field": "a second field in the same update: 'rose to 14, and injured to 61'",
        "cas.update_split": "an update giving each figure its field after it: 'the number of victims rose to five "
        "killed and 32 injured'",
        "cas.treated_for_injuries": "'21 people were being treated for injuries' counts the injured",
        "cas.city_then_districts": "'In Kherson, the Dniprovskyi and Korabelnyi districts': the city before the comma is the place, the districts its parts",
        "cas.locator_not_place": "'about 200km south-east of Moscow' and 'the bank of the Dnipro' locate, they name no place of the casualties",
        "cas.districts_pair": "'the Kyivskyi and Saltivskyi districts' are parts of the city named before, no place of their own",
        "cas.village_shape": "an unknown name shaped like a village ('-ivka', '-ske', '-skaya') lies in the one region its article names",
        "cas.victim_modifier": "'three women working at the farm were wounded', 'two people in the car were killed': a modifier between victims and verb",
        "cas.named_settlement": "'the village of X', 'the X hromada': a settlement the gazetteer lacks lies in the one region its article names",
        "cas.ellipsis_gapped": "'three were wounded in Kramatorsk, and in Sloviansk two': a count after its place, its field left out",
        "cas.weapon_not_place": "'three were wounded in Shahed strikes': a weapon's name in a place's slot is no village",
        "cas.ordinal_found": "'rescuers pulled a second body from the rubble': the ordinal after its verb is the toll so far",
        "cas.death_count": "'the mayor initially reported one death', 'two deaths were confirmed': deaths counted as a noun",
        "cas.update_aside": "'the number of injured, initially put at 37, had risen to 112': an aside between commas inside an update",
        "cas.hospitalized_floor": "'117 taken to hospital' after '57 wounded': the injured are at least those in hospital",
        "cas.apposition_time": "'In Chernivtsi, a city that had been spared until this summer, two were killed': an apposition's time words describe the place",
        "cas.background_aside": "'In Kherson, which Ukrainian forces recaptured in November, three were killed': history in a relative clause leaves the toll news",
        "cas.titled_region": "'Serhiy Lysak, governor of the Dnipropetrovsk region, said ...': the region's official speaks for the town named before",
        "cas.count_slot_place": "a name right after a count or a casualty verb and 'in' ('and one in Kizomys') is a place, known to the gazetteer or not",
        "cas.person_of_age": "'a man of 67 died': the age after the person is no count",
        "cas.ellipsis_person": "'killed a man in A and a woman in B': the second victim, any person noun, keeps the verb",
        "cas.listed_again": "'Two more civilians, a man and a woman, were injured': the list after a count is that count again",
        "cas.heading_brunt": "a sentence opening with the place that bore the brunt names the place of the counts after it: 'Kharkiv bore the brunt of the attack.'",
        "cas.focus_named_before": "the article's one region is the context only of places after its first mention",
        "cas.bringing_number": "'bringing the number of injured in Belgorod to seven': the field's new figure",
        "cas.focus_per_country": "an article's one region is counted per country: 'the border with Russia's Belgorod region' leaves a Kharkiv report's focus",
        "cas.subset_aside": "'Five civilians, among them a girl, sustained injuries': the aside between count and verb is read out",
        "cas.possessor_host": "a possessed district merges only with its possessor: 'Donetsk's Kuibyshevsky district' is no part of Makiivka",
        "cas.plural_regions": "'strikes on Russia's border regions', 'in the frontline regions': several regions, no one place for the figure",
        "cas.place_apposition": "a place named in apposition: 'on Ukraine's second-largest city, Kharkiv' (comma or not)",
        "cas.origin_part": "where the weapons came from, told by its part: 'fired from the occupied part of the Zaporizhzhia region'",
        "cas.place_origin": "where the weapons came from is no place of casualties: 'bombers flying over Russia's Kursk region'",
        "cas.speaker_region": "a region's authority is who speaks, not where, once a place of its region is named: "
        "'Drones hit Kharkiv. Eight were injured, the Kharkiv regional administration said'",
        "cas.victims_are_injured": "'the number of victims' in an update counts the injured",
        "cas.ellipsis": "an elliptical list keeps the field of the count before it: '..., three more in B, and one in C'",
        "cas.district_other_oblast": "a district the gazetteer places in another oblast than the city named before it is that city's: 'Zaporizhzhia ... in the Oleksandrivskyi district'",
        "cas.district_of_city": "an unknown district lies in the city named before it: 'In Kharkiv, three were hurt in the Kyivskyi district'",
        "cas.on_site": "the injured treated at the scene are those not taken to hospital: 'four were hospitalised and three were treated at the scene' is seven",
        "cas.hospitalized": "hospitalised victims count as injured when no injured figure is given for the place",
        "cas.possessive_parts": "'in Kyiv's Darnytskyi and Solomianskyi districts': the parts of one place, not places sharing a figure",
        "cas.birth_year": "a year of birth is no count and no date: 'two were killed: a man born in 1956 and a woman born in 1960'",
        "cas.inverted": "a sentence that opens with its field: 'Killed were a 20-year-old man and his mother'",
        "cas.after_event": "counts after 'a day after', 'the day before' are another event's: 'three injured on Friday, a day after a strike killed five'",
        "cas.perfect_tally": "a war-long tally in the perfect with no time of the news: 'Russian shelling has killed more than 700 civilians in Kherson'",
        "cas.both": "'both drivers were injured': two people",
        "cas.relative_pair": "two relatives under one possessive: 'his wife and daughter were injured' is two",
        "cas.relative_count": "a counted plural relative: 'her two sons were wounded'",
        "cas.more_others": "'four more were injured', 'two others wounded': the count still takes its verb",
        "cas.of_them": "'6 of them children' is a part of the count before it, not a list item: 'killed 9 people, 6 of them children'",
        "cas.apposed_age": "an age in commas after its person is no count: 'a woman, 38, and her son were wounded'",
        "cas.ages": "ages are not counts: 'two men aged 50 and 48 were killed'",
        "cas.part": "a part of a count given before is not added: 'including four children', 'among the injured'",
        "cas.military": "military losses are another tally: '12 soldiers were killed' gives no row",
        "cas.combined": "combined tallies ('killed or injured', 'killed and wounded') give no figure",
        "cas.background": "war-long and earlier tallies: 'since the full-scale invasion began', 'as reported earlier'",
        "cas.place": "a locative phrase with a known place: 'in Dnipro', 'attack on Odesa', 'in the Kherson region'",
        "cas.possessor_place": "a possessor is the place: 'a strike on Odesa's port', 'Kharkiv's mayor said'",
        "cas.place_attack": "a place named as the attack's target: 'the Kharkiv strike'",
        "cas.local_part": "a part with its own place counts when the whole is nationwide: 'killed 14 across Ukraine, including nine in Kyiv'",
        "cas.breakdown": "parts after a colon, dash or comma that add up to a whole of no place or of a region replace it: 'killed three in the Donetsk region - two in A and one in B'",
        "cas.split_whole": "a whole with no place split into parts that add up to it: the parts are the rows ('seven wounded, including four in Sumy and three in Shostka')",
        "cas.place_heading": "a sentence that opens with its place: 'Odesa: three killed', 'Dnipro was hit overnight: ...'",
        "cas.shared_region": "one figure for several places of one oblast is the oblast's: 'four killed in Kramatorsk and Sloviansk'",
        "cas.place_with_region": "a place with its region beside it: 'Ponyativka, Kherson region' -> Kherson",
        "cas.place_authority": "an authority speaks for its place: 'the Kherson regional administration' -> the Kherson region, 'Kharkiv Mayor' -> Kharkiv",
        "cas.context_region": "the region the text names wins for a small or unknown place: 'In Donetsk Oblast, ... in Vyshneve'",
        "cas.article_region": "the one region an article names is the region of its small places named without one: 'Kharkiv region ... In Petropavlivka, a man was killed'",
        "cas.injured_then_died": "one injured who then died is a death only: 'an employee, who was seriously injured, died in hospital'",
        "cas.update_from": "a toll that rose from one figure to another is the second: 'the number of injured had risen from 17 to 29'",
        "cas.first_report": "a first report the sentence then updates is replaced: 'first reported two dead, but by 11:00 he said three had been killed'",
        "cas.toll_is": "a toll stated with 'is': 'the confirmed death toll is seven'",
        "cas.put_toll_at": "'officials put the death toll at eight', 'the toll was put at eight'",
        "cas.correction": "a correction's figure replaces the others of its place, even larger ones: 'the governor now says six were injured, not eight'",
        "cas.earlier_figure": "a figure the news replaces: '..., updating his earlier report of one dead and nine wounded', 'up from four'",
        "cas.definite_victim": "one person named with 'the': 'killing the driver and injuring two passengers', 'its driver was killed'",
        "cas.place_capital": "'in the capital' is Kyiv in an article that names Kyiv and not Moscow",
        "cas.capital_unnamed": "'in the capital' is Kyiv also where no event sentence names Kyiv, as long as none names Moscow",
        "cas.and_in_place": "', and in X' opens the clause of another place: 'In Nikopol, two were wounded, and in Marhanets a man was injured'",
        "cas.agent_phrase": "the cause after the verb belongs to the count: 'two women were wounded by shelling in Zolochiv' is Zolochiv's",
        "cas.title_not_place": "a word of an office's title names no place, the region the text names does: 'Regional governor Oleh Kiper said two were injured'",
        "cas.time_not_place": "a weekday or month is no place, even with a region beside it: 'injured three on Friday, Donetsk region governor said'",
        "cas.nationwide": "'across Ukraine', 'in several regions': a nationwide figure gets no row",
        "cas.region_ref": "'in the region' is the region of the place named last: 'In Kharkiv, 21 were wounded; in the region, another seven'",
        "cas.count_between": "a place right after a count binds tight only with no other count between: 'five were killed: three in Kharkiv'",
        "cas.clause": "clause boundaries (';', 'while') keep a count with its own clause's place",
        "cas.district_city": "a city's district with no row of its city is the city's: 'In Odesa, ... in the Prymorskyi district. One was killed' is Odesa's",
        "cas.district_host_size": "only a city large enough to have districts takes a district's figures, not a village of its region",
        "cas.shared_region_apart": "a figure several towns share is theirs: it does not merge into the row of another town of the region",
        "cas.district_first_city": "an unknown district belongs to the city the article names first in its region: 'struck Kryvyi Rih ... in the Metalurhiinyi district, four died ... In Nikopol, a man was wounded' keeps two rows",
        "cas.city_districts": "a city's districts are parts of it: 'In the Sviatoshynskyi district, two were killed ... In the Darnytskyi district, four were injured' is one Kyiv row",
        "cas.region_row_dropped": "a region-wide row is dropped when a named place inside the region has its own row",
        "cas.including_not_inherited": "'29 settlements of Kherson region, including the city of Kherson': the example is no place for the next sentence's counts, the region is",
        "cas.inherit_place": "a count without a place in its sentence takes the place of the sentence before",
    }
)

NUM = r"\d{1,6}"
# a place's name as the casualty patterns read it: up to three capitalised words ("Velyka Pysarivka")
# ("Rostov-on-Don", "Slavyansk-na-Kubani": the connector is part of the name, not its end)
PLACE_NAME = r"[A-Z][a-z']+(?:-(?:on|na|upon)-[A-Z][a-z']+)?(?:[ -][A-Z][a-z']+){0,2}"
# a region as any sentence names it: "Kharkiv region", "the Sumy Oblast", "Kherson regional administration"
# (with the word before it: where weapons came from, "bombers from Belgorod region", is not what an article is about)
ARTICLE_REGION_RE = (
    r"(?:\b(?:[Ff]rom|[Oo]ver|[Aa]bove)\s+(?:the\s+)?)?\b[A-Z][a-z'-]+\s+(?:[Rr]egion|[Oo]blast|[Pp]rovince|[Rr]egional)\b"
)
# a figure given earlier and now replaced: "updating his earlier report of one dead", "revising an initial toll of
# three", "up from four"
EARLIER_FIGURE_RE = (
    r"(?i)\b(?:(?:updat|revis|correct|rais)(?:ing|ed)\s+(?:(?:his|her|its|their|the|an?)\s+)?(?:(?:earlier|previous|"
    r"initial|preliminary|first)\s+)?(?:report|toll|figure|count|tally|estimate|information|data)s?\s+of|"
    r"(?:up|down)\s+from|(?:an?\s+|the\s+)?(?:earlier|previous|initial|preliminary)\s+(?:report|toll|figure|count|"
    r"tally|estimate)s?\s+of"
    # a newsroom's correction: "an earlier version of this story said nine people had been killed"
    r"|(?:an?\s+|the\s+)?(?:earlier|previous|original|first)\s+version\s+of\s+(?:this|the|our)\b)\b"
)
# A sentence that corrects a figure given before ("Correction: ...", "the governor now says six were injured,
# not eight", "has since said the confirmed toll is seven", "the figure was revised"): its figures replace the
# article's others for their place, even the larger ones (updates otherwise only grow).
CORRECTION_RE = (
    r"(?i)\b(?:correct(?:ion|ions|ed|s|ing)|revis(?:ed|es|ing)|"
    r"(?:now|has\s+since|have\s+since|had\s+since|since)\s+(?:says?|said|puts?|reported|reports|confirmed|gave|given)|"
    r"updated\s+(?:figure|toll|data|count|number|information)s?|"
    r"(?:lowered|reduced|cut|downgraded)\s+(?:the|its|his|her|their)\s+(?:death\s+)?(?:toll|figure|count|number))\b"
)
# A victim's relative clause of injury before "died": "a man, who was seriously injured, died in hospital"
INJURED_THEN_DIED_RE = (
    r"(?i)\s*,?\s+who\s+(?:was|were|had\s+been)\s+(?:[a-z]+\s+){0,2}?(?:injured|wounded|hurt)\b[^,.;]{0,40}?\s*,?\s+"
    r"(?:later\s+|then\s+|subsequently\s+|also\s+)?died\b"
)
# A first report the sentence then updates: "(he) first reported two dead, but by noon ..." (the turn: "but",
# "; ", "then", "later", "now", "by <time>")
FIRST_REPORT_RE = (
    r"(?i)\b(?:first|initially|at\s+first|originally|earlier"
    # the pluperfect of a report: "In the morning the service had reported six dead; by 14:00 ..."
    r"|had(?:\s+(?:first|initially|earlier|previously))?)\s+(?:(?:he|she|they|it|officials?)\s+)?"
    r"(?:reported|said|spoke(?:n)?\s+of|put\s+the\s+(?:death\s+)?toll\s+at|gave\s+(?:a\s+)?(?:toll|figure)\s+of|given\s+(?:a\s+)?(?:toll|figure)\s+of)\b"
)
FIRST_REPORT_TURN_RE = r"[^;]*?(?:\bbut\b|;|\bthen\b|\blater\b|\bnow\b|\bby\s+(?:\d|noon|midday|the\s+evening|evening|morning))"
# the cause told after a victim's verb: "was killed by artillery fire", "were wounded in a drone strike"
AGENT_PHRASE_RE = (
    r"(?i)^(\s+(?:by|from|in|during|after|as\s+a\s+result\s+of)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:fire|shelling|strikes?|attacks?|drones?|missiles?|bombs?|shells?|explosions?|debris|shrapnel|bombardment))\b"
)
# days and months, which stand where a place could ("on Friday", "in March")
TIME_WORD_RE = (
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December)$"
)
# capitalised words of an office's title, which stand where a place could ("Regional governor Oleh Kiper")
TITLE_WORD_RE = r"^(?:Regional|Local|City|District|Military|State|Civil)\b"
LEFT = r"(?:^|[\s(\[,;:])"
CNT = r"(?:\d{1,6}|an?|another|one)\b"
# a word inside a victim phrase: "elderly", "other", "56-year-old"
MODWORD = r"(?:[a-z][\w'./-]*|\d{1,3}-year-old)"
PERSON = (
    r"(?:people|persons?|civilians?|residents?|men|man|women|woman|children|child|kids?|teenagers?|teens?|boys?|"
    r"girls?|others|adults?|(?:police|law\s+enforcement)\s+officers?|officers?|rescuers?|firefighters?|medics?|"
    r"paramedics?|workers?|employees?|individuals|passengers?|victims|pensioners?|infants?|babies|baby|"
    r"toddlers?|journalists?|volunteers?|locals|drivers?|patients?|citizens?|inhabitants|minors?|villagers?|"
    r"family\s+members|students?|pupils?|doctors?|nurses?|guards?|farmers?|fishermen|policem[ae]n|policewom[ae]n|neighbou?rs|"
    r"electricians?|engineers?|miners?|teachers?|husband|wife|son|daughter|"
    r"mother|father|grandmother|grandfather)"
)
# Military losses are tallies of another kind (SCHEMA.md hard negatives): never a casualty row.
MILITARY = r"(?:soldiers?|troops|servicemen|servicemembers|service\s+members|personnel|fighters|militants|mercenaries|combatants|marines|paratroopers|invaders|occupiers)"
KILLED_WORDS = r"(?:killed|dead|died|perished|kill(?:ed|ing|s)?|lives|life|death|deaths|fatalit)"
NOT_A_MODIFIER = r"\b(?:of|the|its|with|from|to|at|in|on|by|were|was|is|are|been|has|have|had|that|which|whom|for|after|than|as|said|says)\b"
AUX = (
    r"(?:(?:were|was|have|has|had|been|are|is|being|be|got|reportedly|also|later|known|to|confirmed|reported|all|"
    r"both|now|so\s+far|seriously|critically|severely|slightly|lightly|fatally|mortally|badly|allegedly|still)\s+){0,6}"
)
# "a third victim": the ordinal of the latest victim is the toll so far
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
            "tenth": 10}  # fmt: skip
# A relative of someone named before: "her husband", "their son"
KIN = (
    r"(?:husband|wife|son|daughter|mother|father|brother|sister|grandson|granddaughter|grandmother|grandfather|"
    r"child|neighbou?r)"
)
KIN_PLURAL = r"(?:sons|daughters|children|brothers|sisters|grandsons|granddaughters|grandchildren|neighbou?rs|parents)"
# "his wife and daughter", "their two sons": a plural relative needs its count ("their children" counts none)
RELATIVE_COUNT = r"|\d{1,6}\s+(?:" + MODWORD + r"\s+){0,2}?" + KIN_PLURAL + r"\b"
RELATIVE = r"(?:his|her|their)\s+(?:(?:" + MODWORD + r"\s+){0,2}?" + KIN + r"\b" + RELATIVE_COUNT + r")"
# "both drivers": two people
BOTH = (
    r"|both\s+(?:of\s+)?(?:" + MODWORD + r"\s+){0,2}?(?:" + MILITARY + r"|" + PERSON + r"|" + KIN_PLURAL + r")\b"
)
# "an elderly couple": two people ("a couple of people" is a vague few, and needs its verb right after)
COUPLE = r"an?\s+(?:" + MODWORD + r"\s+){0,2}?couple\b"
# A victim phrase: a count, "more"/"others", modifiers and a person (or soldier) noun. A list of them repeats
# it, so it names no groups; _list_ok reads soldiers and stray words out of the matched list.
VICTIM = (
    # a number, with or without its people ("killing one and injuring 5", "three more", "injured another")
    r"(?:(?:\d{1,6}|one|another)\b(?:\s+(?:more|others?|other\s+people))?(?:\s+(?:"
    + MODWORD
    + r"\s+){0,3}?(?:"
    + MILITARY
    + r"|"
    + PERSON
    + r")\b)?"
    + r"|" + RELATIVE
    # an article needs its people: "a 16-year-old boy", not "a house"
     + r"|an?\s+(?:" + MODWORD + r"\s+){0,3}?(?:" + MILITARY + r"|" + PERSON + r")\b"
    # an age stands for its person: "a 33-year-old was injured"
    + r"|an?\s+\d{1,3}-year-old\b"
    + BOTH
    + r"|" + COUPLE + r")"
)


# Whose people the victims are: "three employees of the enterprise", "two workers of the local utilities service"
VICTIMS_OF_ORG_RE = (
    r"\s+of\s+(?:the|a|an|its|their)\s+(?:[A-Za-z-]+\s+){0,4}?(?:enterprise|plant|factory|company|firm|mine|"
    r"hospital|school|shop|store|market|station|depot|facility|service|utility|utilities|administration|council|"
    r"office|team|crew|organi[sz]ation|kindergarten|university|railway|port|farm|boiler\s+house|shelter|centre|"
    r"center)\b"
)
# One person named by a definite article, a victim of the scene the sentence tells: "killing the driver"
SINGULAR_PERSON = (
    r"(?:driver|passenger|man|woman|resident|pensioner|owner|pedestrian|cyclist|motorcyclist|watchman|guard|boy|girl|"
    r"worker|employee)"
)
DEFINITE_VICTIM = r"(?:the|its)\s+(?:" + MODWORD + r"\s+){0,2}?" + SINGULAR_PERSON + r"\b"

# Items after the first of a victim list name their people ("a woman and two children"): a bare count
# there starts something else ("injured 8 people, 4 of whom were hospitalised").
VICTIM_ITEM = (
    r"(?:"
    + CNT
    + r"(?:\s+(?:more|others?|other\s+people)|\s+(?:"
    + MODWORD
    + r"\s+){0,3}?(?:"
    + MILITARY
    + r"|"
    + PERSON
    + r")\b)|"
    + RELATIVE
    + r"|"
    + COUPLE
    + r")"
)


@rules.cached
def patterns() -> dict[str, str]:
    r = rules.pattern
    p: dict[str, str] = {}
    of_place = r(
        "cas.victims_of_place",
        r"(?:\s+(?:of|in|from)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?(?-i:[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?))?",
    )
    # "three employees of the enterprise were killed", "two workers of the local utilities service": whose
    # people they are, no place
    of_org = r"(?:" + r("cas.victims_of_org", VICTIMS_OF_ORG_RE) + r")?"
    # "eight more residents of the city were wounded": the place named before, referred back to
    of_the_place = (
        r"(?:"
        + r(
            "cas.victims_of_the_place",
            r"\s+of\s+the\s+(?:city|town|village|settlement)",
        )
        + r")?"
    )
    of_place += of_the_place + of_org
    sep = r("cas.victim_list", r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)")
    relative = r("cas.relative_clause", r"(?:\s*,?\s+who\s+[^,.;]{1,60}?,?)?")
    # "three women working at the farm were wounded", "two people in the car were killed": a short lowercase
    # modifier between the victims and their verb
    modifier = (
        r"(?:"
        + r(
            "cas.victim_modifier",
            # (lowercase words only: "three civilians in Kostiantynivka and Sloviansk" is a place, not a modifier)
            r"(?-i:\s+(?:[a-z]{2,}ing|in|on|at|inside|aboard|near)\s+(?:(?:the|a|an|their|his|her)\s+)?(?:[a-z-]+\s+){0,3}?[a-z-]+)",
        )
        + r")?"
    )
    more = r("cas.more_others", r"(?:\s+(?:more|others?|other\s+people))?")
    victim = VICTIM.replace(r"(?:\s+(?:more|others?|other\s+people))?", more, 1)
    victim_item = VICTIM_ITEM
    # optional parts and alternatives of a victim phrase: a disabled one is left out
    for frag, rule in ((RELATIVE_COUNT, "cas.relative_count"), (BOTH, "cas.both")):
        victim = victim.replace(frag, frag if rules.active(rule) else "")
        victim_item = victim_item.replace(frag, frag if rules.active(rule) else "")
    # "killing the driver and injuring two passengers", "its driver was killed": one person of the scene told
    definite = r("cas.definite_victim", r"|" + DEFINITE_VICTIM)
    victim, victim_item = victim[:-1] + definite + ")", victim_item[:-1] + definite + ")"
    victims = r"(?P<a_list>" + victim + of_place + r"(?:" + sep + victim_item + of_place + r")*)"
    # count first: "three people were killed", "13 were killed", "one dead", "eight injured",
    # "24 adults and 4 children are known to have been injured", "Seven people, including a teenager, have
    # been injured", "a man, 65, was killed"
    p["count_first"] = r(
        "cas.count_first",
        LEFT
        + r"(?P<a_qual>"
        + QUALIFIER_RE
        + r"\s+)?"
        + victims
        + relative
        + modifier
        + r"(?P<a_paren>\s*,[^,]{1,80},)?\s+"
        + AUX
        + r"(?P<a_verb>killed|dead|died|perished|injured|wounded|hurt|hospitali[sz]ed|"
        # translated reports: "two people suffered in the attack" (were hurt)
        r"suffered\s+(?:from|in|as|during|due|after|when|because)|(?:taken|rushed|admitted|brought)\s+to\s+(?:a\s+|the\s+)?hospitals?|"
        # "six people were affected by the strike" (translated reports: hurt); "affected by power cuts" is not
        + r(
            "cas.affected",
            r"affected\s+(?:by|in|during|as\s+a\s+result\s+of)\s+(?:the\s+|a\s+|an\s+)?(?:[a-z-]+\s+){0,2}?(?:strikes?|attacks?|shelling|"
            r"explosions?|blasts?|bombing|bombardment|drones?|missiles?|shells?)",
        )
        + r"|(?:sought|received|needed|required|requested)\s+medical\s+(?:help|aid|attention|assistance|care|treatment)"
        # "three others were treated at the scene": the injured not taken to hospital
        + r("cas.on_site", r"(?:\s+(?:at\s+the\s+scene|on\s+(?:the\s+)?(?:spot|site)))?|treated\s+(?:at\s+the\s+scene|on\s+(?:the\s+)?(?:spot|site))")
        # "21 people were now being treated for injuries"
        + r"|" + r("cas.treated_for_injuries", r"(?:now\s+)?(?:being\s+)?treated\s+for\s+(?:their\s+)?(?:injuries|wounds)")
        + r")\b",
    )
    # "... were killed or injured": a combined tally (read after the verb the count_first match ends with)
    p["combined_after"] = r"(?i)^\s+(?:and|or)\s+(?:injured|wounded|killed)\b"
    # verb first: "killing one person", "injuring at least 26 people", "killed a man", "kills 1, injures 1",
    # "wounded two other men", "left two dead", "claimed the lives of 3 people", "hospitalized a 35-year-old man"
    p["verb_first"] = r(
        "cas.verb_first",
        r"(?P<b_comb>\b(?:kill(?:ed|ing|s)?|dead)\s+(?:or|and)\s+)?\b(?P<b_verb>kill(?:ed|ing|s)?|injur(?:ed|ing|es)|wound(?:ed|ing|s)|hurt(?:ing)?|claim(?:ed|ing|s)?\s+the\s+lives\s+of|"
        r"left|hospitali[sz](?:ed|ing))\s+(?P<b_qual>"
        + QUALIFIER_RE
        + r"\s+)?(?P<b_list>"
        + victim
        + r"(?:"
        + sep
        + victim_item
        + r")*)(?P<b_left>\s+(?:dead|injured|wounded))?",
    )
    # inverted: "Killed were a 20-year-old man and his mother", "Injured were three women" (a sentence or clause
    # opens with the field)
    p["inverted"] = r(
        "cas.inverted",
        r"(?:^|[.;:]\s*)\s*(?P<v_verb>(?i:killed|injured|wounded|dead|hurt))\s+(?:were|are|was|is)\s+(?P<v_qual>"
        + QUALIFIER_RE
        + r"\s+)?(?P<v_list>"
        + victim
        + r"(?:"
        + sep
        + victim_item
        + r")*)",
    )
    # nouns: "two residents suffered injuries", "an 83-year-old woman sustained minor injuries",
    # "one person sustaining injuries", "a man lost his life", "one fatality", "the loss of 6 workers' lives"
    p["injury_noun"] = r(
        "cas.injury_noun",
        LEFT
        + r"(?P<n_qual>"
        + QUALIFIER_RE
        + r"\s+)?(?P<n_list>"
        + victim
        + of_place
        + r"(?:"
        + sep
        + victim_item
        + r")*)"
        + relative
        + r"\s+"
        + AUX
        + r"(?:suffer(?:ed|ing|s)?|sustain(?:ed|ing|s)?|receiv(?:ed|ing|es)|got|had)\s+(?:[a-z-]+\s+){0,2}?"
        r"(?:injuries|injury|wounds|burns|trauma|shrapnel\s+wounds)\b",
    )
    # "one fatality and four injuries were reported": injuries counted as a noun, with a reporting verb
    p["injury_count"] = r(
        "cas.injury_count",
        LEFT + r"(?P<j_qual>" + QUALIFIER_RE + r"\s+)?(?P<j_num>" + NUM + r"|one|an?)\s+(?:(?:more|other|serious|minor|"
        r"further)\s+)?injur(?:y|ies)\s+(?:(?:were|was|have\s+been|has\s+been|had\s+been)\s+)?"
        r"(?:reported|recorded|registered|confirmed)\b",
    )
    p["death_noun"] = r(
        "cas.death_noun",
        LEFT
        + r"(?P<d_list>"
        + victim
        + of_place
        + r")"
        + relative
        + r"\s+"
        + AUX
        + r"lost\s+(?:his|her|their)\s+li(?:fe|ves)\b|"
        + LEFT
        + r"(?P<d_qual>"
        + QUALIFIER_RE
        + r"\s+)?(?P<d_num>"
        + NUM
        + r"|one|an?)\s+(?:civilian\s+)?fatalit(?:y|ies)\b|"
        r"\b(?:loss|bodies|body)\s+of\s+(?P<d_num2>"
        + CNT
        + r")\s+(?:"
        + MODWORD
        + r"\s+){0,3}?"
        + PERSON
        + r"(?:'?\s+lives)?\b|"
        r"\bclaim(?:ed|s|ing)?\s+(?P<d_num3>"
        + CNT
        + r")\s+(?:civilian\s+)?lives?\b|"
        # "two more bodies were found under the rubble"
        + LEFT
        + r"(?P<d_num4>"
        + CNT
        + r")\s+(?:more\s+)?bodies\s+(?:(?:were|have\s+been|had\s+been)\s+)?(?:found|recovered|pulled|retrieved)\b|"
        # "rescuers pulled 23 bodies from the rubble", "recovered the bodies of ..." (read above)
        r"\b(?:found|recovered|pulled|retrieved|removed|dug\s+out)\s+(?:another\s+)?(?P<d_num5>"
        + NUM
        + r"|one|an?)\s+(?:more\s+)?bodies\b"
        # "the mayor initially reported one death", "two deaths were confirmed" (not "the death toll")
        # (a monitor "has recorded 227 civilian deaths" counts the war: no such verb before the count)
        + r("cas.death_count", r"|\b(?:reported|caused|announced|leaving|left|with)\s+(?P<d_num6>" + NUM + r"|one)\s+(?:more\s+)?"
            r"(?:civilian\s+)?deaths?\b|" + LEFT + r"(?P<d_num7>" + NUM + r"|one)\s+(?:more\s+)?(?:civilian\s+)?deaths?\s+"
            r"(?:were|was|have\s+been|has\s+been|had\s+been)\s+(?:reported|recorded|confirmed)\b"),
    )
    p["ordinal"] = r(
        "cas.ordinal",
        r"(?i)" + LEFT + r"(?:a|the)\s+(?P<o_num>" + "|".join(ORDINALS) + r")\s+(?:[a-z-]+\s+){0,2}?"
        r"(?:person|victim|man|woman|child|resident|civilian|casualty|fatality|death|body)\b"
        # its verb, close after (an apposition between commas may stand in between)
        r"[^.;]{0,60}?\b(?P<o_verb>died|killed|dead|death|fatality|recovered|found|injured|wounded|hurt|hospitali[sz]ed|"
        r"(?:taken|rushed|admitted)\s+to\s+(?:a\s+|the\s+)?hospital|(?:sought|received|needed)\s+medical)\b"
        # "rescuers pulled a second body from the rubble", "found the body of a third victim": the verb before
        + r"|" + r("cas.ordinal_found", r"\b(?P<o_verb2>found|pulled|recovered|retrieved|removed)\s+(?:out\s+)?(?:the\s+body\s+of\s+)?"
            r"(?:a|the)\s+(?P<o_num2>" + "|".join(ORDINALS) + r")\s+(?:[a-z-]+\s+){0,2}?(?:body|victim|person|man|woman|child|resident)\b"),
    )
    victims_word = r("cas.victims_are_injured", r"victims")
    second = r(
        "cas.update_second_field",
        r"(?P<c_tail>,?\s+(?:and|while|with)\s+(?:the\s+number\s+of\s+)?(?:the\s+)?(?P<c_field2>injured|wounded|dead|killed|"
        r"deaths|injuries)\s+(?:[\w'-]+\s+){0,2}?(?:to\s+)?(?P<c_num2>\d{1,6})\b)?",
    )
    # updates: "the death toll rose to 5", "the number of injured has risen to 63", "... rose to 14, and injured to 61"
    p["update"] = r(
        "cas.update",
        r"\b(?:(?P<c_toll>death\s+toll|toll)|number\s+of\s+(?:the\s+)?(?:people\s+)?(?P<c_field>dead|killed|injured|wounded|deaths|injuries|"
        + victims_word
        + r"))"
        + (",?" if rules.active("cas.update_aside") else "") + r"\s+(?:[\w'-]+(?:" + r("cas.update_aside", r",") + r")?\s+){0,16}?(?:rose|risen|climbed|increased|grew|grown|jumped|surged|soared|reached|stands\s+at|stood\s+at|is\s+now|now\s+stands\s+at|went\s+up|gone\s+up"
        # "the death toll in Odesa was put at eight"
        + r("cas.put_toll_at", r"|(?:was|were|has\s+been|had\s+been)\s+put\s+at")
        # "the confirmed death toll is seven"
        + r("cas.toll_is", r"|is|was") + r")\s+"
        # "had risen from 17 to 29": the figure it rose from is the one replaced
        + r"(?:" + r("cas.update_from", r"from\s+" + NUM + r"\s+to\s+") + r"|to\s+)?(?P<c_qual>"
        + QUALIFIER_RE
        + r"\s+)?(?P<c_num>"
        + NUM
        + r")\b(?:\s+(?:people|persons))?"
        # "the number of victims has risen to five killed and 32 injured": each figure with its field after it
        + r"(?:"
        + r(
            "cas.update_split",
            r"\s+(?P<c_field1>killed|dead)\s*,?\s+and\s+(?P<c_num4>\d{1,6})\s+(?:people\s+|persons\s+)?"
            r"(?P<c_field4>injured|wounded|hurt)\b",
        )
        + r")?"
        + second
        # "..., bringing the death toll from the strike to 18"
        + r"|\bbring(?:ing|s)?\s+the\s+(?:(?P<c_toll2>(?:death\s+)?toll)|"
        # "bringing the number of injured in Belgorod to seven"
        + r("cas.bringing_number", r"number\s+of\s+(?:the\s+)?(?:people\s+)?(?P<c_field3>dead|killed|injured|wounded|victims|casualties)")
        + r")\s+(?:[\w'-]+\s+){0,8}?to\s+(?P<c_num3>"
        + NUM
        + r")\b"
        # "Regional officials put the death toll in Odesa at eight"
        + r("cas.put_toll_at", r"|\b(?:put|puts|putting|placed|places|placing)\s+the\s+(?:(?P<c_toll5>(?:death\s+)?toll)|"
            r"number\s+of\s+(?:the\s+)?(?:people\s+)?(?P<c_field5>dead|killed|injured|wounded|victims|casualties))\s+"
            r"(?:[\w'-]+\s+){0,8}?at\s+(?P<c_qual5>" + QUALIFIER_RE + r"\s+)?(?P<c_num5>" + NUM + r")\b"),
    )
    # "three were wounded in A, three more in B, and one in C": counts that keep the field before them
    p["ellipsis"] = r(
        "cas.ellipsis",
        r"(?:(?P<e_sep>[,:]|\s*[\u2014\u2013]|\s-)|\band\b|(?P<e_part>\bincluding\b))\s+(?:another\s+|a\s+further\s+)?(?P<e_num>\d{1,6}|one|an?)\s+(?i:(?:more|others?|other\s+people|"
        r"people|residents|civilians|persons)\s+"
        # "killed a man in A and a woman in B": any person, with a word or two before it
        + r"|" + r("cas.ellipsis_person", r"(?i:(?:" + MODWORD + r"\s+){0,2}?" + PERSON + r"\s+)")
        + r")?(?i:in|near|at)\s+(?:the\s+)?(?i:(?:village|town|city)\s+of\s+)?\p{Lu}",
    )
    # "In Kramatorsk three people were wounded, and in Sloviansk two": the count after its place, the field
    # left out
    p["ellipsis_gapped"] = r(
        "cas.ellipsis_gapped",
        r"(?:,\s*|\s+)and\s+(?i:in|near|at)\s+(?:the\s+)?(?i:(?:village|town|city)\s+of\s+)?" + PLACE_NAME
        + r"(?:\s+(?i:region|district|oblast|hromada|community))?\s*,?\s+(?:another\s+)?(?P<g_num>\d{1,6}|one)"
        r"(?:\s+(?i:more|others?|people|residents|civilians))?\s*(?:[.;]|$)",
    )
    adj = (
        r"(?:(?:the|southern|northern|eastern|western|central|north-?eastern|north-?western|south-?eastern|"
        r"south-?western|frontline|front-line|Ukrainian|Russian|Ukraine's|Russia's|neighbouring|neighboring|nearby|"
        r"embattled|besieged|occupied|Russian-occupied|Russian-controlled|Russian-held|Ukraine-controlled|industrial|"
        r"port|capital|regional|southeastern|northeastern|northwestern|southwestern)\s+)*"
    )
    kind = (
        r"(?:(?P<region_of>(?:region|oblast|province)\s+of\s+)|(?:city|town|village|settlement|capital|port\s+city|"
        r"regional\s+(?:capital|centre|center)|suburb|district|community|subdistrict)\s+(?:of\s+)?"
        # "Ukraine's second-largest city, Kharkiv": the name in apposition
        + r"|"
        + r("cas.place_apposition", r"(?:[a-z][a-z'-]*\s+){1,3}(?:city|town|port|capital)\s*,?\s+")
        + r")?"
    )
    name = PLACE_NAME
    # (a whole word: "the Dnipropetrovsk regional administration" is its authority, not its region)
    suffix = r"(?P<suffix>\s+(?:region|oblast|Oblast|Region|district|District|raion|province|Province|subdistrict|community|hromada)\b)?"
    authority = r(
        "cas.place_authority",
        # (any case: "Head of Poltava Regional Military Administration")
        r"(?i:\s+(?:regional\s+|city\s+|military\s+|occupation\s+|state\s+|local\s+|civil-military\s+)*(?:administration|"
        r"governor|mayor|authorities|officials|council|police|prosecutors?|head|chief|spokes\w+|emergency\s+service|"
        r"operator|court)\b)",
    )
    with_region = r(
        "cas.place_with_region",
        r"(?:(?:,\s+(?:also\s+)?(?:in\s+)?|\s+in\s+)(?:the\s+)?(?P<wr>[A-Z][a-z'-]+)\s+(?:region|oblast|Oblast|Region|province)\b)?",
    )
    tail = (
        r"(?:\s+(?:district|raion)\s+of\s+(?:the\s+)?(?:city\s+of\s+)?(?P<place_of>" + name + r"))?"
        r"(?P<not_place>\s+(?:river|River|direction|front|axis|sector|Fleet|Sea|Reservoir|Dam|Bay|Strait|Channel))?"
        + r"(?P<authority>"
        + authority
        + r")?"
        # "in Kramatorsk and Sloviansk", "in A, B and C": places that share one figure
        r"(?P<and_place>(?:\s*,\s*(?:the\s+)?" + name + r"){0,4}\s*,?\s+and\s+(?:the\s+)?" + name + r")?" + with_region
    )
    # "in Dnipro", "in the Kherson region", "on the city of Sumy", "near Kramatorsk", "of Kharkiv",
    # "attack on Odesa", "strike Kyiv", "hit Zaporizhzhia", "attacked the Izmail district"
    p["place"] = r(
        "cas.place",
        # "bombers flying over Russia's Kursk region": where the weapons came from, not where they struck
        r"\b(?:"
        + r("cas.place_origin", r"(?P<origin>(?:flying|flew|flown|patrolling|bombers|aircraft|jets|planes|warships|ships|"
            r"vessels|submarines)\s+(?:over|in|above|from))")
        + r"|[Ii]n|[Oo]n|[Aa]t|[Nn]ear|[Oo]f|[Oo]utside|[Oo]ver|[Aa]gainst|(?:[Aa]ttacks?|[Ss]trikes?|[Aa]ssault|[Ss]helling|[Bb]ombardment|"
        r"[Rr]aids?|hit|struck|attacked|shelled|targeted|pounded)(?:\s+(?:on|against))?)\s+"
        + adj
        + kind
        + r"(?P<place>"
        + name
        + r")"
        + suffix
        + tail,
    )
    # "Kharkiv Mayor Ihor Terekhov said", "the Sumy regional governor": the authority speaks for its place
    p["place_official"] = r(
        "cas.place_authority",
        # ("The Kherson regional governor": the article is no part of the name)
        r"\b(?:The\s+)?(?P<place>"
        + name
        + r")(?P<authority>\s+(?:[Rr]egional\s+|[Cc]ity\s+|[Mm]ilitary\s+|[Oo]blast\s+|[Rr]egion\s+)*(?:[Gg]overnor|[Mm]ayor|"
        r"[Aa]dministration|[Pp]olice)\b)",
    )
    # "Zaporizhzhia attack: ...", "the Kharkiv strike": the place named as the attack's target
    p["place_attack"] = r(
        "cas.place_attack",
        r"\b(?P<place>"
        + name
        + r")"
        + suffix
        + r"(?:'s)?\s+(?:attacks?|strikes?|shelling|bombing|explosions?|blasts?)\b",
    )
    # "Odesa: three killed, eight injured", "Dnipro was hit overnight: ...": a sentence that opens with the
    # place it reports on (live blogs, briefings); a name the gazetteer does not know is dropped with the
    # other unknown places (_context_region)
    p["place_heading"] = r(
        "cas.place_heading",
        # ("The city of Belgorod came under attack")
        r"^\s*(?:The\s+(?:city|town|village|settlement)\s+of\s+)?(?P<place>"
        + name
        + r")"
        + suffix
        + r"(?P<heading>\s*:|\s+(?:was|were)\s+(?:hit|attacked|struck|shelled|targeted)\b|\s+came\s+under\b"
        # "Kharkiv bore the brunt of the attack.", "Odesa took the worst of it.", "Sumy was the hardest hit"
        + r"|" + r("cas.heading_brunt", r"\s+(?:took|bore|suffered)\s+the\s+(?:brunt|worst)\b|\s+(?:was|were)\s+(?:the\s+)?(?:worst|hardest)[\s-]hit\b")
        + r")",
    )
    # "in the capital" (which capital: see _place_tokens)
    p["place_capital"] = r(
        "cas.place_capital",
        # ("the capital of the republic" is another one's: cap_of)
        r"\b(?:[Ii]n|[Oo]n|[Aa]t|[Oo]ver|[Aa]cross)\s+the\s+(?:Ukrainian\s+)?(?P<place>capital)\b(?P<cap_of>\s+of\b)?(?:\s*,\s+Kyiv\b)?"
        # the sentence's subject: "The capital bore the brunt."
        r"|^\s*The\s+(?:Ukrainian\s+)?(?P<place2>capital)\b",
    )
    p["nationwide"] = r(
        "cas.nationwide",
        r"(?i)\b(?:across|throughout|all\s+over)\s+(?:the\s+)?(?:ukraine|country|nation)\b|\bnationwide\b|"
        r"\bin\s+(?:several|multiple|various|different|\d+)\s+regions\b|\bacross\s+(?:several|multiple|\d+)\s+regions\b"
        # "strikes on Russia's border regions", "in the frontline regions": several regions, no one place
        + r"|" + r("cas.plural_regions", r"\b(?:in|on|across|over|of)\s+(?:the\s+|russia's\s+|ukraine's\s+)?"
            r"(?:border|frontline|front-line|southern|northern|eastern|western|central|south-?eastern|north-?eastern)\s+regions\b"),
    )
    p["region_ref"] = r(
        "cas.region_ref",
        r"(?i)\b(?:in|across|elsewhere\s+in|throughout)\s+the\s+(?:same\s+|wider\s+|surrounding\s+)?(?:region|oblast|province)\b",
    )
    p["clause"] = r(
        "cas.clause",
        r"(?i);|\bwhile\b|\bwhereas\b|\bmeanwhile\b"
        # "In Nikopol, two women were wounded, and in Marhanets a man was injured": a clause per place
        + r"|" + r("cas.and_in_place", r",\s+and\s+(?:in|on|at)\s+(?:the\s+)?(?-i:[A-Z])"),
    )
    p["subset"] = r(
        "cas.part", r"(?i)\b(?:including|among\s+them|among\s+(?:the\s+)?(?:injured|wounded|dead|victims))\b"
    )
    return p


PREFILTER_WORDS = (
    "kill", "dead", "died", "death", "injur", "wound", "hurt", "perish", "lives", "lost his life", "lost her life",
    "lost their life", "toll", "victim", "affected", "fatalit", "hospitali", "to hospital", "to a hospital", "to the hospital",
    "burns", "bodies", "body of", "body from", "body out", "body had", "body was", "body has", "suffered", "medical help", "medical aid", "medical attention", "medical assistance", "medical care",
    "medical treatment",
)  # fmt: skip
# Words of a sentence that can name where casualties happened without counting any ("debris fell in several
# streets of Kursk"): such sentences are kept as the place context of the counts after them.
# "Russia attacked Kyiv overnight.": the verbs of an attack name its place too
CONTEXT_WORDS = (
    "debris", "hit", "target", "damaged", "shelling", "shelled", "explosion", "struck", "strike", "attacked", "targeted", "pounded", "bombarded",
    "brunt", "under attack", "under fire", "the worst of it", "worst-hit", "worst hit", "hardest-hit", "hardest hit",
    # "the Korabelnyi district was under the heaviest fire", "the town came under mortar fire"
    "heavy fire", "heaviest fire", "artillery fire", "mortar fire", "came under",
)  # fmt: skip
PREFILTER_RE = literal_pattern(PREFILTER_WORDS)
# Cumulative tallies ("since the full-scale invasion began", "in 2023", "this year") are not one attack's
# toll (SCHEMA.md): their counts give no row. "Over the past day" / "24 hours" are daily reports and stay.
BACKGROUND_RE = (
    vocabulary.pattern(vocabulary.TALLY, vocabulary.PAST, vocabulary.RECENT_PAST)
    # a recap of the day before, fronted: "Yesterday, six people were killed ..."
    + r"|^\s*(?:yesterday|the\s+day\s+before|the\s+previous\s+day|a\s+day\s+earlier),"
)
# A war-long tally told in the perfect with a generic subject and no time of the news ("Russian shelling has
# killed more than 700 civilians in Kherson"): a sum over the war, not one attack's toll
PERFECT_TALLY_RE = (
    r"(?i)\b(?:attacks|strikes|shelling|bombardments?|war|invasion|aggression|russia|russian\s+(?:forces|troops|"
    r"army|military))\b[^.;]{0,40}?\b(?:has|have)\s+(?:so\s+far\s+|now\s+|already\s+)?(?:killed|injured|wounded|"
    r"claimed)\b"
)
# Ages are not counts ("two men aged 50 and 48"): masked in the casualty working copy.
AGES_RE = r"(?i)\b(?:aged|ages)\s+\d{1,3}(?:\s*(?:,|and|to|-)\s*\d{1,3})*\b|\(\d{1,3}\)"
# An age set off by commas after its person is no count: "a woman, 38, and her son", "her grandmother, 64."
# (the delimiter after it tells an age from a count that starts the next item: "a man, 3 women and a child")
_AGED_PERSON = (
    r"(?i)\b(" + SINGULAR_PERSON + r"|" + KIN + r"|teenager|nurse|doctor|volunteer|rescuer|paramedic|farmer|"
    r"journalist|policeman|police\s+officer)\s*,\s*\d{1,3}"
)
# ("a man, 45, and a woman, 52, were injured" reads "a man and a woman were injured")
APPOSED_AGE_RE = _AGED_PERSON + r"\s*,\s+(and|were|was|died|suffered|sustained|received)\b"
APPOSED_AGE_END_RE = _AGED_PERSON + r"(\s*(?:[.;)]|$))"
# "Two more civilians, a man and a woman, were injured": the people listed after a count are that count again
_ONE_PERSON = r"(?:an?|one)\s+(?:" + MODWORD + r"\s+){0,2}?(?:" + PERSON + r")"
LISTED_AGAIN_RE = (
    r"(?i)\b(\d{1,6}\s+(?:more\s+|other\s+)?(?:" + MODWORD + r"\s+){0,2}?(?:" + PERSON + r"))\s*(?:,|\s[\u2013\u2014-])\s+"
    + r"(?:" + _ONE_PERSON + r"\s*(?:,|\band\b)\s*)+" + _ONE_PERSON + r"\s*(?:,|\s[\u2013\u2014-])\s*"
)
SUBSET_ASIDE_RE = (
    r"(?i),\s+(?:among\s+them|including)\s+[^,;]{1,60},\s+((?:were|was|sustained|suffered|received|died|had|have|"
    r"are|is)\b)"
)
# "a man of 67 died": the age after "of" (with no noun after it) is no count
# what stands right before "in X" when X is where the victims were: a count ("and one in X", "two more in X")
# or a casualty verb ("were killed in X")
COUNT_SLOT_RE = (
    r"(?i)(?:\b(?:\d{1,6}|one|an?other)(?:\s+(?:more|others?|people|persons|residents|civilians))?|"
    r"\b(?:killed|injured|wounded|hurt|died|dead|perished))\s+$"
)
PERSON_OF_AGE_RE = (
    r"(?i)\b(" + SINGULAR_PERSON + r"|" + KIN + r")\s+of\s+\d{1,3}(?:\s+years(?:\s+old)?)?\b(\s*(?:[,.;)]|$|(?:was|died|is|has|had|were|suffered|sustained|received|and)\b))"
)
# Years of birth are no counts and no dates of the attack: "a man born in 1956" (official reports)
BIRTH_YEAR_RE = r"(?i),?\s+(?:born\s+(?:in\s+)?(?:19|20)\d\d|\((?:b\.|born)\s*(?:19|20)\d\d\)|of\s+(?:19|20)\d\d\s+year\s+of\s+birth)\b"


def _count_col(expr: pl.Expr) -> pl.Expr:
    """Every civilian victim count in a victim list, summed: "a woman and two children" -> 3; "two soldiers
    and a civilian" -> 1 (military losses are another tally)."""
    items = expr.str.replace_all(r"(?i),\s*(?:and\s+)?|\s+and\s+", "|").str.split("|")
    if rules.active("cas.military"):
        items = items.list.eval(pl.element().filter(~pl.element().str.contains(r"(?i)\b" + MILITARY + r"\b")))
    values = items.list.eval(
        pl.when(pl.element().str.contains(r"(?i)^\s*an?\b.*\bcouple$") & pl.lit(rules.active("cas.couple")))
        .then(pl.lit("2"))
        .otherwise(
            pl.coalesce(
                # "their two sons" (an age is no count: "her 65-year-old husband")
                pl.element().str.extract(r"(?i)^\s*(?:his|her|their)\s+(\d{1,6})\s", 1),
                pl.element().str.extract(r"(?i)^\s*(\d{1,6}|an?|another|one|his|her|their|both|the|its)\b", 1).str.to_lowercase(),
                # the second of "his wife and daughter" (the victim pattern reads the pair as one relative)
                pl.element().str.extract(r"(?i)^\s*(" + KIN + r")\b", 1).str.replace(r".+", "one")
                if rules.active("cas.relative_pair")
                else pl.lit(None, pl.String),
            )
        )
    ).list.eval(
        pl.when(pl.element().is_in(["a", "an", "another", "one", "his", "her", "their", "the", "its"]))
        .then(pl.lit(1, pl.Int64))
        .when(pl.element() == "both")
        .then(pl.lit(2, pl.Int64))
        .otherwise(pl.element().cast(pl.Int64, strict=False))
    )
    if not rules.active("cas.victim_list"):
        return values.list.first()
    return pl.when(values.list.len() > 0).then(values.list.sum())


def _tokens(t: pl.DataFrame, pattern: str) -> pl.DataFrame:
    return t.with_columns(g=pl.col("tok").str.extract_groups(anchored(pattern))).unnest("g")


def _field(word: pl.Expr) -> pl.Expr:
    return (
        pl.when(word.str.contains("(?i)hospital"))
        .then(pl.lit("hospitalized"))
        .when(word.str.contains(r"(?i)\b(?:scene|spot|site)$"))
        .then(pl.lit("on_site"))
        .when(word.str.contains("(?i)" + KILLED_WORDS))
        .then(pl.lit("killed"))
        .otherwise(pl.lit("injured"))
    )


def _list_ok(col: str) -> pl.Expr:
    """A victim list is usable when it holds no word of another clause ("one of the men")."""
    clean = pl.col(col).str.replace_all(
        r"\b(?:of|in|from)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?", ""
    ).str.replace_all(r"(?i)\bboth\s+of\b", "both")
    if rules.active("cas.victims_of_the_place"):
        # ("of the city" refers back to a place)
        clean = clean.str.replace_all(
            r"\bof\s+the\s+(?:city|town|village|settlement)\b", ""
        )
    if rules.active("cas.victims_of_org"):
        # ("of the enterprise" says whose people they are)
        clean = clean.str.replace_all(VICTIMS_OF_ORG_RE, "")
    if rules.active("cas.definite_victim"):
        # ("the driver" is a victim phrase of its own: its article is no word of another clause)
        clean = clean.str.replace_all(r"(?i)\b(?:the|its)\s+((?:" + MODWORD + r"\s+){0,2}?" + SINGULAR_PERSON + r")\b", "a $1")
    ok = ~clean.str.contains("(?i)" + NOT_A_MODIFIER)
    return ok


def _count_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    frames = []
    seconds = []  # the second field of an update ("and injured to 61") shares its words with the first
    combined = rules.active("cas.combined")
    # the victims stand before their verb: looked for only before the verbs (tokens.find_near_triggers)
    t = find_near_triggers(cand, "cnorm", p["count_first"], trigger="a_verb", forward=False, kind="count")
    if t.height:
        after = t.join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left", maintain_order="left").select(
            pl.col("cnorm").str.slice(pl.col("end"), 30).str.contains(p["combined_after"])
        )
        t = t.with_columns(a_and=after.to_series())
        if rules.active("cas.including_aside"):
            # "The toll has risen to 11, including a child, and 52 people were injured": the leftmost match runs
            # from the part after "including" across ", and" to the next verb; that first victim belongs to the
            # figure before, the victims after it are this verb's
            rest = pl.col("a_list").str.replace(r"^.*?(?:,\s*(?:and\s+)?|\s+and\s+)", "")
            aside = text_before(t, cand, "cnorm", 14).str.contains(r"(?i)\b(?:including|among\s+them)\s*$") & (
                rest != pl.col("a_list")
            )
            t = t.with_columns(
                pos=pl.when(aside).then(pl.col("pos") + pl.col("a_list").str.len_chars() - rest.str.len_chars())
                .otherwise(pl.col("pos")),
                a_list=pl.when(aside).then(rest).otherwise(pl.col("a_list")),
            )
        frames.append(
            t.filter(_list_ok("a_list") & (~pl.col("a_and") | pl.lit(not combined))).select(
                *KEYS, "pos", "end", "kind", field=_field(pl.col("a_verb")), count=_count_col(pl.col("a_list")),
                qual=_qual(pl.col("a_qual")),
            )
        )  # fmt: skip
    t = find_tokens(cand, "cnorm", p["verb_first"], kind="count")
    if t.height:
        t = _tokens(t, p["verb_first"])
        is_left = pl.col("b_verb").str.to_lowercase() == "left"
        field_word = pl.when(is_left).then(pl.col("b_left")).otherwise(pl.col("b_verb"))
        frames.append(
            t.filter(
                _list_ok("b_list")
                & (~is_left | pl.col("b_left").is_not_null())
                & (pl.col("b_comb").is_null() | pl.lit(not combined))
            ).select(
                *KEYS, "pos", "end", "kind", field=_field(field_word), count=_count_col(pl.col("b_list")),
                qual=_qual(pl.col("b_qual")),
            )
        )  # fmt: skip
    # victim lists with their field: "Killed were a man and his mother", "two residents suffered injuries"
    for name, prefix, field in (("inverted", "v", _field(pl.col("v_verb"))), ("injury_noun", "n", pl.lit("injured"))):
        t = find_tokens(cand, "cnorm", p[name], kind="count")
        if t.height:
            t = _tokens(t, p[name])
            frames.append(
                t.filter(_list_ok(f"{prefix}_list")).select(
                    *KEYS, "pos", "end", "kind", field=field, count=_count_col(pl.col(f"{prefix}_list")),
                    qual=_qual(pl.col(f"{prefix}_qual")),
                )
            )  # fmt: skip
    t = find_tokens(cand, "cnorm", p["injury_count"], kind="count")
    if t.height:
        t = _tokens(t, p["injury_count"])
        frames.append(
            t.select(
                *KEYS, "pos", "end", "kind", field=pl.lit("injured"), count=_count_col(pl.col("j_num")),
                qual=_qual(pl.col("j_qual")),
            )
        )  # fmt: skip
    t = find_tokens(cand, "cnorm", p["death_noun"], kind="count")
    if t.height:
        t = _tokens(t, p["death_noun"])
        ok = pl.col("d_list").is_null() | _list_ok("d_list")
        frames.append(
            t.filter(ok).select(
                *KEYS, "pos", "end", "kind", field=pl.lit("killed"),
                count=pl.coalesce(*[_count_col(pl.col(c)) for c in ("d_list", "d_num", "d_num2", "d_num3", "d_num4", "d_num5", "d_num6", "d_num7") if c in t.columns]),
                qual=_qual(pl.col("d_qual")),
            )
        )  # fmt: skip
    t = find_tokens(cand, "cnorm", p["update"], kind="count")
    if t.height:
        t = _tokens(t, p["update"])
        split = "c_field1" in t.columns
        death = (
            pl.col("c_toll").is_not_null()
            | pl.col("c_toll2").is_not_null()
            | pl.col("c_field").str.contains("(?i)dead|kill|death")
            | (pl.col("c_field1").is_not_null() if split else pl.lit(False))
            | (pl.col("c_field3").str.contains("(?i)dead|kill") if "c_field3" in t.columns else pl.lit(False))
            | (
                pl.col("c_toll5").is_not_null() | pl.col("c_field5").str.contains("(?i)dead|kill")
                if "c_toll5" in t.columns
                else pl.lit(False)
            )
        ).fill_null(False)
        put = "c_num5" in t.columns
        first = t.select(
            *KEYS, "pos", "end", kind=pl.lit("toll"),
            field=pl.when(death).then(pl.lit("killed")).otherwise(pl.lit("injured")),
            count=pl.coalesce("c_num", "c_num3", *(["c_num5"] if put else [])).cast(pl.Int64),
            qual=_qual(pl.coalesce("c_qual", *(["c_qual5"] if put else []))),
        )  # fmt: skip
        second = t.filter(pl.col("c_num2").is_not_null()).select(
            *KEYS, pos=pl.col("pos") + 1, end="end", kind=pl.lit("toll"),
            field=_field(pl.col("c_field2")), count=pl.col("c_num2").cast(pl.Int64), qual=pl.lit("exact"),
        )  # fmt: skip
        if split:
            second = pl.concat(
                [
                    second,
                    t.filter(pl.col("c_num4").is_not_null()).select(
                        *KEYS, pos=pl.col("pos") + 2, end="end", kind=pl.lit("toll"), field=pl.lit("injured"),
                        count=pl.col("c_num4").cast(pl.Int64), qual=pl.lit("exact"),
                    ),
                ]
            )
        frames.append(first)
        seconds.append(second)
    t = find_tokens(cand, "cnorm", p["ordinal"], kind="count")
    if t.height:
        # "a third victim ... sought medical help", "A fourth person died in hospital": the toll is the ordinal
        t = _tokens(t, p["ordinal"])
        frames.append(
            t.select(
                *KEYS, "pos", "end", kind=pl.lit("toll"),
                field=pl.when(pl.coalesce(*[c for c in ("o_verb", "o_verb2") if c in t.columns]).str.contains("(?i)" + KILLED_WORDS + "|died|death|recovered|found|pulled|retrieved|removed"))
                .then(pl.lit("killed")).otherwise(pl.lit("injured")),
                count=pl.coalesce(*[c for c in ("o_num", "o_num2") if c in t.columns]).str.to_lowercase().replace_strict(ORDINALS, default=None, return_dtype=pl.Int64),
                qual=pl.lit("exact"),
            )
        )  # fmt: skip
    if not frames:
        return _empty_counts()

    # a toll is a count that is its sentence's total (kind "toll" marks the update pattern's counts)
    def tolled(f: pl.DataFrame) -> pl.DataFrame:
        return f.with_columns(toll=pl.col("kind") == "toll", kind=pl.lit("count"))

    # a count that names soldiers only (or nothing countable) is no casualty figure
    counts = tolled(pl.concat(frames)).filter(pl.col("count").is_not_null())
    seconds = [tolled(f) for f in seconds]
    if rules.active("cas.no_one"):
        # "No one was injured": the count word belongs to "no one"
        counts = (
            counts.join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left")
            .filter(
                ~pl.col("cnorm")
                .str.slice((pl.col("pos") - 4).clip(lower_bound=0), 10)
                .str.contains(r"(?i)\bno\s+(?:one|1)\b")
            )
            .drop("cnorm")
        )
    # overlapping finds of the same words by two passes: keep the earliest-starting, longest
    # a toll's words are its own: a count that overlaps one ("risen to 19 and a third person had died" read
    # as the list "19 and a third person") is dropped first, so that it hides nothing after it
    counts = counts.sort(*KEYS, "pos", "end", descending=[False, False, False, True])
    toll_end = pl.when(pl.col("toll")).then(pl.col("end")).cum_max().shift(1).over(KEYS)
    next_toll_pos = pl.when(pl.col("toll")).then(pl.col("pos")).backward_fill().shift(-1).over(KEYS)
    counts = counts.filter(
        pl.col("toll")
        | ((toll_end.is_null() | (pl.col("pos") >= toll_end)) & (next_toll_pos.is_null() | (pl.col("end") <= next_toll_pos)))
    )
    # (at one span a toll wins: "A third person died" is the ordinal's 3, not the victim list's 1)
    counts = counts.sort(*KEYS, "pos", "end", "toll", descending=[False, False, False, True, True])
    prev_end = pl.col("end").cum_max().shift(1).over(KEYS).fill_null(-1)
    counts = pl.concat([counts.filter(pl.col("pos") >= prev_end), *seconds])
    counts = _with_ellipsis(cand, p, counts)
    if rules.active("cas.after_event"):
        # "Three were injured on Friday, a day after a strike killed five": the counts after such a point in time
        # are the other event's (those before it are the news)
        # ("the deadliest attack since January, when a missile killed 46": the event a ranking is measured
        # against, told after it)
        forward = vocabulary.pattern(
            vocabulary.FORWARD_PAST, extra=(rules.pattern("time.ranked_event", vocabulary.RANKED_EVENT),)
        )
        cue = cand.select(*KEYS, cue=pl.col("cnorm").str.find(forward))
        counts = (
            counts.join(cue, on=list(KEYS), how="left")
            .filter(pl.col("cue").is_null() | (pl.col("pos") < pl.col("cue")))
            .drop("cue")
        )
    if rules.active("cas.earlier_figure"):
        # "..., updating his earlier report of one dead and nine wounded", "up from four": the counts after it
        # are the figure the news replaces
        cue = cand.select(*KEYS, cue=pl.col("cnorm").str.find(EARLIER_FIGURE_RE))
        counts = (
            counts.join(cue, on=list(KEYS), how="left")
            .filter(pl.col("cue").is_null() | (pl.col("pos") < pl.col("cue")))
            .drop("cue")
        )
    if rules.active("cas.first_report"):
        # "first reported two dead, but by 11:00 he said three had been killed": the first report's counts, up
        # to the turn that gives the later figure, are replaced by it (with no later figure they stand)
        first = cand.select(
            *KEYS,
            f_pos=pl.col("cnorm").str.find(FIRST_REPORT_RE),
        ).filter(pl.col("f_pos").is_not_null())
        if first.height:
            turn = first.join(cand.select(*KEYS, "cnorm"), on=list(KEYS)).select(
                *KEYS, "f_pos",
                turn_pos=pl.col("cnorm").str.slice(pl.col("f_pos"))
                .str.extract(r"(?s)^(" + FIRST_REPORT_RE[4:] + FIRST_REPORT_TURN_RE + r")", 1)
                .str.len_chars().cast(pl.Int64) + pl.col("f_pos"),
            ).filter(pl.col("turn_pos").is_not_null())
            # (only a field the later figure gives again: "one dead, then five wounded as well" keeps both)
            later = (
                counts.join(turn, on=list(KEYS), how="inner")
                .filter(pl.col("pos") >= pl.col("turn_pos"))
                .select(*KEYS, "field").unique()
            )
            replaced = (
                counts.join(turn, on=list(KEYS), how="inner")
                .join(later, on=[*KEYS, "field"], how="semi")
                .filter((pl.col("pos") >= pl.col("f_pos")) & (pl.col("pos") < pl.col("turn_pos")))
                .select(*KEYS, "pos")
            )
            counts = counts.join(replaced, on=[*KEYS, "pos"], how="anti")
    # "two more people died": a count that adds to one given before
    more = pl.col("cnorm").str.slice(pl.col("pos"), 25).str.contains(r"(?i)^\W*\S+\s+more\b") & pl.lit(
        rules.active("cas.more_added")
    )
    counts = counts.join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left").with_columns(more=more)

    if rules.active("cas.agent_phrase"):
        # "two women were wounded by shelling in Zolochiv": the cause after the verb is part of the count's
        # phrase, so the place after it is the one right after the count
        agent = pl.col("cnorm").str.slice(pl.col("end"), 60).str.extract(AGENT_PHRASE_RE, 1)
        counts = counts.with_columns(
            end=pl.col("end") + agent.str.len_chars().fill_null(0).cast(pl.Int64)
        )
    return counts.drop("cnorm")


def _with_ellipsis(cand: pl.DataFrame, p: dict[str, str], counts: pl.DataFrame) -> pl.DataFrame:
    """counts plus the elliptical ones ("..., three more in B, and one in C"), each with the field of the last
    count before it in its sentence."""
    t = find_tokens(cand, "cnorm", p["ellipsis"], kind="count", flags="")
    g = find_tokens(cand, "cnorm", p["ellipsis_gapped"], kind="count", flags="")
    if t.height == 0 and g.height == 0:
        return counts
    t = _tokens(t, p["ellipsis"]).select(
        *KEYS, "pos", end=pl.col("pos") + pl.col("tok").str.find(r"(?i)\s(?:in|near|at)\s").cast(pl.Int64),
        kind="kind", count=_count_col(pl.col("e_num")), qual=pl.lit("exact"),
        local_part=pl.col("e_part").is_not_null(),
        # after a colon, a dash or a comma, a part may break its whole down ("killed three: two in A, one in B")
        breakdown=pl.col("e_sep").is_not_null() & pl.lit(rules.active("cas.breakdown")),
    )  # fmt: skip
    if g.height:
        g = _tokens(g, p["ellipsis_gapped"]).with_columns(
            at=pl.col("tok").str.find(r"(?:\d{1,6}|one)(?:\s+\w+)?\s*[.;]?$").cast(pl.Int64)
        )
        t = pl.concat(
            [
                t,
                g.select(
                    *KEYS, pos=pl.col("pos") + pl.col("at"), end=pl.col("pos") + pl.col("tok").str.len_chars(),
                    kind="kind", count=_count_col(pl.col("g_num")), qual=pl.lit("exact"), local_part=pl.lit(False),
                    breakdown=pl.lit(False), gapped=pl.lit(True),
                ),
            ],
            how="diagonal_relaxed",
        )  # fmt: skip
    # a count the other passes already read is not read again
    overlapping = (
        t.join(counts.select(*KEYS, c_pos="pos", c_end="end"), on=list(KEYS), how="inner")
        .filter((pl.col("pos") < pl.col("c_end")) & (pl.col("end") > pl.col("c_pos")))
        .select(*KEYS, "pos")
        .unique()
    )
    t = t.join(overlapping, on=[*KEYS, "pos"], how="anti").with_columns(ellipsis=pl.lit(True))
    # "killed 14 across Ukraine, including nine in Kyiv": the part names its own place, and counts only where
    # the whole is nationwide (no row of its own); a part of a place's figure stays inside that figure
    dropped = None
    if rules.active("cas.local_part"):
        nationwide = cand.filter(pl.col("cnorm").str.contains(p["nationwide"])).select(*KEYS)
        split_whole = _split_whole(cand, counts, t) if rules.active("cas.split_whole") else None
        if split_whole is not None and split_whole.height:
            # the whole is its parts' sum and names no place: the parts are the rows, the whole is dropped
            nationwide = pl.concat([nationwide, split_whole.select(*KEYS)]).unique()
            dropped = split_whole.select(*KEYS, pos="whole_pos", split_whole=pl.lit(True))
        t = pl.concat(
            [
                t.filter(~pl.col("local_part")),
                t.filter("local_part").join(nationwide, on=list(KEYS), how="semi"),
            ]
        )
    else:
        t = t.filter(~pl.col("local_part"))
    t = t.drop("local_part", "breakdown")
    both = pl.concat([counts.with_columns(ellipsis=pl.lit(False)), t], how="diagonal_relaxed").sort(
        *KEYS, "pos"
    )
    both = both.with_columns(field=pl.col("field").forward_fill().over(KEYS))
    if "gapped" in both.columns:
        # "... wounded three; shells damaged 12 houses there and in B two": another number between the count
        # and the gapped one is what it counts, not the people
        prev_end = pl.when(~pl.col("gapped").fill_null(False)).then(pl.col("end")).forward_fill().over(KEYS)
        between = (
            both.select(*KEYS, "pos", prev_end=prev_end)
            .join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left", maintain_order="left")
            .select(
                pl.col("cnorm")
                .str.slice(pl.col("prev_end"), (pl.col("pos") - pl.col("prev_end")).clip(0))
                .str.contains(r"\d")
                .fill_null(True)
            )
            .to_series()
        )
        both = both.filter(~(pl.col("gapped").fill_null(False) & between)).drop("gapped")
    if dropped is not None:
        # the split whole lends its field to its parts, then leaves
        both = both.join(dropped, on=[*KEYS, "pos"], how="left").filter(pl.col("split_whole").is_null())
        both = both.drop("split_whole")
    return both.filter(pl.col("field").is_not_null()).drop("ellipsis")


# A place named in a clause ("in Sumy", "near the town of Izium"): a whole before "including" that has one is
# that place's figure.
LOCATIVE_RE = r"\b(?:[Ii]n|[Oo]n|[Nn]ear|[Aa]t|[Oo]utside)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}(?:of\s+)?\p{Lu}\p{Ll}"


# a region as the place of a whole its towns break down
WHOLE_REGION_RE = (
    r"\b(?:[Ii]n|[Aa]cross|[Tt]hroughout)\s+(?:the\s+)?(?:\p{Lu}[\p{Ll}'-]+\s+)?(?i:region|oblast)\b|"
    r"\b(?:[Ii]n|[Aa]cross|[Tt]hroughout)\s+\p{Lu}[\p{Ll}'-]+\s+(?:Oblast|Region)\b"
)


def _split_whole(cand: pl.DataFrame, counts: pl.DataFrame, ellipses: pl.DataFrame) -> pl.DataFrame:
    """Sentences whose whole names no place and is split into parts that do ("Seven civilians were wounded,
    including four in Sumy and three in Shostka"): keys and whole_pos, where the parts add up to the whole."""
    parts = ellipses.filter(pl.col("local_part") | pl.col("breakdown")).group_by(KEYS).agg(part_pos=pl.col("pos").min())
    if parts.height == 0 or counts.height == 0:
        return parts.select(*KEYS, whole_pos=pl.lit(None, pl.Int64))
    before = pl.col("cnorm").str.slice(0, pl.col("part_pos"))
    if rules.active("cas.breakdown"):
        # a whole of a region is split by its towns too: "killed three in the Donetsk region - two in A, one in B"
        before = before.str.replace_all(WHOLE_REGION_RE, " ")
    placeless = (
        parts.join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left")
        .filter(~before.str.contains(LOCATIVE_RE))
        .select(*KEYS, "part_pos")
    )
    sums = (
        ellipses.join(placeless, on=list(KEYS), how="inner")
        .filter(pl.col("pos") >= pl.col("part_pos"))
        .group_by(KEYS)
        .agg(parts_sum=pl.col("count").sum())
    )
    wholes = (
        counts.join(placeless, on=list(KEYS), how="inner")
        .filter(pl.col("end") <= pl.col("part_pos"))
        .sort(*KEYS, "pos")
        .group_by(KEYS)
        .agg(whole_pos=pl.col("pos").last(), whole=pl.col("count").last())
    )
    return (
        wholes.join(sums, on=list(KEYS), how="inner")
        .filter(pl.col("whole") == pl.col("parts_sum"))
        .select(*KEYS, "whole_pos")
    )


def _empty_counts() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                "kind": pl.String, "field": pl.String, "count": pl.Int64, "qual": pl.String, "toll": pl.Boolean,
                "more": pl.Boolean}
    )  # fmt: skip


def _qual(expr: pl.Expr) -> pl.Expr:
    code = qualifier_code(expr)
    # SCHEMA.md's casualty qualifiers have no "more_than": "more than 30" is at least 31
    return (
        pl.when(code == "more_than")
        .then(pl.lit("at_least"))
        .when(code == "at_most")
        .then(pl.lit("approx"))
        .otherwise(code)
    )


def _shared_region(t: pl.DataFrame) -> pl.DataFrame:
    """Places that share one figure ("four were killed in Kramatorsk and Sloviansk"): when every one of them
    lies in the same oblast, the figure is that oblast's (SCHEMA.md: one number shared by several places of
    one oblast -> one row for the oblast); otherwise it cannot be split by place (left `ambiguous`)."""
    if not rules.active("cas.shared_region") or t.height == 0:
        return t
    others = (
        t.with_row_index("__tok")
        .filter(pl.col("ambiguous"))
        .select("__tok", "admin1", other=pl.col("and_place").str.extract_all(PLACE_NAME))
        .explode("other")
    )
    if others.height == 0:
        return t
    others = resolve_places(others.select("__tok", first=pl.col("admin1"), text="other"), "text")
    one_region = (
        others.group_by("__tok")
        .agg(
            same=((pl.col("admin1") == pl.col("first")) & pl.col("admin1").is_not_null()).all(),
            # none known ("the Darnytskyi and Dniprovskyi districts"): the region the text names decides
            unknown=(pl.col("admin1").is_null() & pl.col("first").is_null()).all(),
        )
        .filter(pl.col("same") | pl.col("unknown"))
        .select("__tok", shared=pl.col("same"), unknown=pl.col("unknown"))
    )
    t = t.with_row_index("__tok").join(one_region, on="__tok", how="left").drop("__tok")
    shared = pl.col("shared").fill_null(False)
    return t.with_columns(
        location=pl.when(shared).then(pl.concat_str(pl.col("admin1"), pl.lit(" region"))).otherwise("location"),
        # (a kind of its own: the figure is the other towns', and never merges into the row of one town of the
        # region as a region-wide report of the same attack would)
        place_kind=pl.when(shared)
        .then(pl.lit("shared" if rules.active("cas.shared_region_apart") else "admin1"))
        .otherwise("place_kind"),
        place_population=pl.when(shared).then(pl.lit(None, pl.Int64)).otherwise("place_population"),
        ambiguous=pl.col("ambiguous") & ~shared & ~pl.col("unknown").fill_null(False),
    ).drop("shared", "unknown")


def _place_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = find_tokens(cand, "cnorm", p["place"], kind="place", flags="")
    extra = []
    for name in ("place_attack", "place_official", "place_heading", "place_capital"):
        a = find_tokens(cand, "cnorm", p[name], kind="place", flags="")
        if a.height and name == "place_capital":
            # "In the capital, police say at least five people were killed": Kyiv, in an article that names Kyiv
            # and not Moscow (a Russian report's capital is Moscow, and one naming both is left unread)
            names = cand.group_by("article_id").agg(
                kyiv=pl.col("cnorm").str.contains(r"\b(?:Kyiv|Kiev)\b").any(),
                moscow=pl.col("cnorm").str.contains(r"\bMoscow\b|\b[Rr]ussian\s+capital\b").any(),
            )
            # (the sentences read here are the ones with event words: "2. Kyiv." or "Kyiv residents were left
            # without water" are not among them, so an article about Ukraine that names neither capital in its
            # event sentences speaks of Kyiv too)
            kyiv = pl.col("kyiv") | pl.lit(rules.active("cas.capital_unnamed"))
            a = a.join(names, on="article_id", how="left").filter(kyiv & ~pl.col("moscow")).drop("kyiv", "moscow")
        if a.height:
            a = a.with_columns(g=pl.col("tok").str.extract_groups(anchored(p[name], flags=""))).unnest("g")
            if name == "place_capital":
                a = a.filter(pl.col("cap_of").is_null()).with_columns(place=pl.lit("Kyiv")).drop("place2", "cap_of", strict=False)
            extra.append(
                a.with_columns(
                    [
                        pl.lit(None, pl.String).alias(c)
                        for c in (
                            "place_of",
                            "not_place",
                            "and_place",
                            "wr",
                            "region_of",
                            "authority",
                            "suffix",
                            "heading",
                        )
                        if c not in a.columns
                    ]
                )
            )
    a = pl.concat(extra, how="diagonal_relaxed") if extra else pl.DataFrame()
    schema = {"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64, "kind": pl.String,
              "location": pl.String, "admin1": pl.String, "place_kind": pl.String, "place_population": pl.Int64,
              "nationwide": pl.Boolean}  # fmt: skip
    frames = []
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["place"], flags=""))).unnest("g")
    if a.height:
        t = pl.concat([t, a], how="diagonal_relaxed") if t.height else a
    if t.height:
        # "Odesa's port", "Kharkiv's mayor": the possessor is the place
        t = t.filter(pl.col("not_place").is_null())
        if "origin" in t.columns:
            t = t.filter(pl.col("origin").is_null())
        if rules.active("cas.origin_part"):
            # "fired from the occupied part of the Zaporizhzhia region", "launched from the territory of Kursk
            # region": where the weapons came from, through the part of it they came from
            from_part = text_before(t, cand, "cnorm", 50).str.contains(
                r"(?i)\bfrom\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:part|parts|side|territory|area|areas|direction|outskirts)\s*$"
            ) & pl.col("tok").str.contains(r"^\s*of\b")
            t = t.filter(~from_part.fill_null(False))
        if rules.active("cas.time_not_place"):
            # "killed two and injured three on Friday, Donetsk region governor said": the day, not a village
            # of that region
            t = t.filter(~pl.col("place").str.contains(TIME_WORD_RE))
        if rules.active("cas.locator_not_place"):
            # "In Ryazan, about 200km south-east of Moscow": the distance's reference point; "artillery from the
            # eastern bank of the Dnipro", "the Dnipro river": the river, not the city
            before = text_before(t, cand, "cnorm", 45)
            after = text_after(t, cand, "cnorm", 8)
            locator = before.str.contains(
                r"(?i)\b\d+\s*(?:km|kilometres|kilometers|miles)\s+(?:\(\d+\s*\w+\)\s+)?(?:(?:north|south|east|west)"
                r"(?:-?(?:east|west))?(?:ern)?|from|away\s+from|outside)(?:\s+of)?\s*$"
            )
            river = r"(?:Dnipro|Dnieper|Dniester|Desna|Donets|Oskil|Inhulets)"
            # (the word right before the river's name: "the bank of the Dnipro", not "the strike on Dnipro")
            named = (before + pl.Series(t["tok"])).str.contains(r"(?i)\bthe\s+" + river + r"\s*$") | (
                pl.Series(t["tok"]).str.contains(river + r"\s*$") & after.str.contains(r"(?i)^\s+river\b")
            )
            locator = locator | named
            t = t.filter(~locator.fill_null(False))
        if rules.active("cas.districts_pair"):
            # "hit the Kyivskyi and Saltivskyi districts": parts of the city named before, no place of their own
            after = (
                t.select(*KEYS, "end")
                .join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left", maintain_order="left")
                .select(pl.col("cnorm").str.slice(pl.col("end"), 12).str.contains(r"^\s+districts\b"))
                .to_series()
            )
            # ("Kyiv's Darnytskyi and Solomianskyi districts" name their city)
            pair = pl.col("and_place").is_not_null() & after & ~pl.col("place").str.contains(r"'s\s")
            if rules.active("cas.city_then_districts"):
                # "In Kherson, the Dniprovskyi and Korabelnyi districts": the city before the comma is the place,
                # the pair after it its parts
                city_first = pair & pl.col("and_place").str.contains(r"^\s*,\s*the\s")
                t = t.with_columns(and_place=pl.when(city_first).then(None).otherwise(pl.col("and_place")))
                pair = pair & ~city_first
            t = t.filter(~pair)
        if rules.active("cas.possessor_place"):
            # (capitals stand for their governments: "Moscow's attack", "Kyiv's forces" name no place)
            t = t.with_columns(
                # ("Kyiv's military administration" is the city's own: the authority makes it a place)
                pl.when(
                    pl.col("place").str.contains(r"^(?:Moscow|Kyiv|Kiev|Russia|Ukraine)'s$")
                    & pl.col("authority").is_null()
                )
                .then(pl.col("place"))
                .otherwise(pl.col("place").str.replace(r"'s$", ""))
            )
        if rules.active("cas.count_slot_place"):
            # "two were killed in Bilozerka and one in Kizomys", "three were wounded in Kizomys": a name right
            # after a count or a casualty verb and "in/near/at" is where they were, known to the gazetteer or
            # not (_context_region gives it the article's region)
            before = (
                t.select(*KEYS, "pos", "tok")
                .join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left", maintain_order="left")
                .select(
                    pl.col("tok").str.contains(r"^(?:[Ii]n|[Nn]ear|[Aa]t)\s")
                    & pl.col("cnorm")
                    .str.slice(pl.max_horizontal(pl.col("pos") - 30, 0), pl.min_horizontal(pl.col("pos"), 30))
                    .str.contains(COUNT_SLOT_RE)
                )
                .to_series()
            )
            # ("killed in Tuesday's Russian strike": a possessor before another word, or a weekday, is no place)
            first_word = pl.col("place").str.extract(r"^([\w-]+)").fill_null("")
            t = t.with_columns(
                slot=before
                & ~pl.col("place").str.contains(r"'s\s")
                & ~first_word.str.contains(NOT_PLACE_NAME_RE)
            )
        else:
            t = t.with_columns(slot=pl.lit(False))
        titled = pl.lit(False)
        if rules.active("cas.titled_region"):
            # "Serhiy Lysak, governor of the Dnipropetrovsk region, said 11 were killed": the region's official
            # speaking, as "the Dnipropetrovsk governor" is (_place_tokens' speaker)
            titled = (
                t.select(*KEYS, "pos", "tok")
                .join(cand.select(*KEYS, "cnorm"), on=list(KEYS), how="left", maintain_order="left")
                .select(
                    pl.col("tok").str.contains(r"^[Oo]f\s")
                    & pl.col("cnorm")
                    .str.slice(pl.max_horizontal(pl.col("pos") - 30, 0), pl.min_horizontal(pl.col("pos"), 30))
                    .str.contains(r"(?i)\b(?:governor|head|chief|administration|spokes(?:man|woman|person))\s+$")
                )
                .to_series()
            )
        t = t.with_columns(titled=titled)
        if rules.active("cas.named_settlement"):
            # "in the village of Novye Yurkovichi", "in the Kutsurub hromada": the text says it is a settlement
            t = t.with_columns(
                slot=pl.col("slot")
                | pl.col("tok").str.contains(r"(?i)\b(?:village|town|settlement|hamlet)\s+of\s")
                | pl.col("suffix").str.contains(r"(?i)hromada|community").fill_null(False)
            )
        t = t.with_columns(
            location=pl.when(pl.col("place_of").is_not_null())
            .then(pl.col("place_of"))
            # "the region of Kherson" is the Kherson region
            .when(pl.col("region_of").is_not_null())
            .then(pl.concat_str(pl.col("place"), pl.lit(" region")))
            # a mayor speaks for the city, a governor or administration for the region
            # ("the Kyiv City Military Administration" is the city's)
            .when(
                pl.col("authority").is_not_null()
                & ~pl.col("authority").str.contains(r"(?i)mayor|city")
                & ~pl.col("place").str.contains(r"\sCity\b")
                # Kyiv's administrations are the capital's (the region's is "the Kyiv regional ...")
                & ~(pl.col("place").str.contains(r"^(?:Kyiv|Kiev)$") & ~pl.col("authority").str.contains(r"(?i)regional|oblast"))
            )
            .then(
                pl.concat_str(
                    pl.col("place").str.replace(
                        r"(?:\s+(?:Oblast|Region|Regional|City|Military|State|Civil))+$", ""
                    ),
                    pl.lit(" region"),
                )
            )
            .when(pl.col("authority").is_not_null())
            .then(pl.col("place").str.replace(r"(?:\s+(?:City|Military|State|Civil))+$", ""))
            .otherwise(pl.concat_str(pl.col("place"), pl.col("suffix").fill_null(""))),
            # "Kyiv's Darnytskyi and Solomianskyi districts" are parts of the possessor, not places of their own
            ambiguous=pl.col("and_place").is_not_null() & pl.col("suffix").is_null() & ~(pl.col("place").str.contains(r"'s\s") & pl.lit(rules.active("cas.possessive_parts"))),
            region_text=pl.when(pl.col("wr").is_not_null()).then(
                pl.concat_str(pl.col("wr"), pl.lit(" region"))
            ),
        )
        t = resolve_places(t, "location")
        t = _shared_region(t)
        named_region = resolve_places(t.select(text="region_text"), "text")
        t = t.with_columns(
            # the region written beside the place wins: "Ponyativka, Kherson region"
            admin1=pl.coalesce(named_region["admin1"], pl.col("admin1")),
            place_kind=pl.when(named_region["admin1"].is_not_null() & pl.col("admin1").is_null())
            .then(pl.lit("settlement"))
            .otherwise(pl.col("place_kind")),
            unknown=pl.col("admin1").is_null(),
        )
        frames.append(
            t.select(
                *KEYS, "pos", "end", "kind", pl.col("location").str.strip_chars(), "admin1", "place_kind",
                "place_population",
                # "the cities of Zaporizhzhia and Kyiv": the figure cannot be split by place
                nationwide=pl.col("ambiguous"),
                # "the head of the Kharkiv Regional Military Administration said": a region's authority speaking
                speaker=(pl.col("authority").is_not_null() | pl.col("titled").fill_null(False)) & (pl.col("place_kind") == "admin1"),
                slot=pl.col("slot").fill_null(False),
            )
        )  # fmt: skip
    r = find_tokens(cand, "cnorm", p["region_ref"], kind="place", flags="") if frames else None
    if r is not None and r.height:
        # "in the region, another seven were hurt": the region of the place named last before it
        known = pl.concat(frames).filter(pl.col("admin1").is_not_null())
        refs = r.select(*KEYS, "pos", "end", "kind", ref=pl.lit(True))
        both = pl.concat([known.with_columns(ref=pl.lit(False)), refs], how="diagonal_relaxed").sort(*KEYS, "pos")
        both = both.with_columns(
            prev_admin1=pl.when(~pl.col("ref")).then(pl.col("admin1")).forward_fill().over("article_id")
        )
        frames.append(
            both.filter(pl.col("ref") & pl.col("prev_admin1").is_not_null()).select(
                *KEYS, "pos", "end", "kind", location=pl.concat_str(pl.col("prev_admin1"), pl.lit(" region")),
                admin1="prev_admin1", place_kind=pl.lit("admin1"), place_population=pl.lit(None, pl.Int64),
                nationwide=pl.lit(False), speaker=pl.lit(False), slot=pl.lit(False),
            )
        )  # fmt: skip
    n = find_tokens(cand, "cnorm", p["nationwide"], kind="place", flags="")
    if n.height:
        frames.append(
            n.select(*KEYS, "pos", "end", "kind", location=pl.lit(None, pl.String), admin1=pl.lit(None, pl.String),
                     place_kind=pl.lit(None, pl.String), place_population=pl.lit(None, pl.Int64), nationwide=pl.lit(True),
                     speaker=pl.lit(False), slot=pl.lit(False))
        )  # fmt: skip
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def extract_casualties(sentences: pl.DataFrame) -> pl.DataFrame:
    """sentences -> casualty rows: article_id, location, admin1, killed, injured, qualifier, event_date,
    sentence_no (of the evidence)."""
    p = patterns()
    sentences = sentences.with_columns(cnorm=_working_copy(pl.col("norm")))
    # places come from sentences that speak of an attack or its toll (any event word); a place in a
    # sentence about something else is not where casualties happened
    cand_all = sentences.filter(pl.col("has_event_words") & ~pl.col("bullet") & ~pl.col("timeline"))
    background_text = vocabulary.without_rankings(pl.col("cnorm"))
    if rules.active("cas.background_aside"):
        # "In Kherson, which Ukrainian forces recaptured in November, three people were killed": the history in
        # a relative clause between commas is the place's, not the toll's
        background_text = background_text.str.replace_all(r",\s+(?:which|who|where)\s+[^,;.]{1,150},", ",")
    if rules.active("cas.apposition_time"):
        # "In Chernivtsi, a city near the border that had been spared until this summer, two were killed": the
        # apposition describes the place; its time words are not the toll's
        background_text = background_text.str.replace_all(
            r",\s+(?:an?|the)\s+(?:[a-z-]+\s+){0,2}(?:city|town|village|port|settlement|community|hromada)\s+"
            r"(?:of|near|on|in|that|which|where|close\s+to|just)\b[^,;.]{1,150},",
            ",",
        )
    cand = cand_all.filter(
        contains_any_word(pl.col("cnorm"), PREFILTER_WORDS)
        & ~background_text.str.contains(rules.pattern("cas.background", BACKGROUND_RE))
        & ~(
            pl.col("cnorm").str.contains(rules.pattern("cas.perfect_tally", PERFECT_TALLY_RE))
            & ~pl.col("cnorm").str.contains(vocabulary.NEWS_TIME_RE)
        )
        # "On October 17, drones struck Kyiv, killing four" in a report of November 6: another attack's toll
        # (a toll that rises since is news: "the toll of the October 3 strike rose to 20")
        & ~(
            (pl.col("dated_pos").is_not_null() if "dated_pos" in sentences.columns else pl.lit(False))
            & ~pl.col("cnorm").str.contains(r"(?i)\b(?:rose|risen|rises|climbed|increased|reached|now\s+stands)\b")
        )
    )
    if cand.height == 0:
        return _empty_rows()
    counts = _count_tokens(cand, p)
    # the place can sit in the sentences before the count ("Russia hit Zaporizhzhia ... 13 were killed")
    context = cand_all.join(cand.select("article_id").unique(), on="article_id", how="semi")
    places = _place_tokens(context, p)
    article_focus = None
    if rules.active("cas.article_region"):
        # an article that names one region only (a governor's daily report) is about that region: its
        # villages lie there, not in the namesake the gazetteer ranks first
        article_focus = _article_focus(sentences.join(cand.select("article_id").unique(), on="article_id", how="semi"))
    places = _context_region(places, context, article_focus)
    if rules.active("cas.speaker_region") and "speaker" in places.columns:
        # a region's authority is who speaks, not where: "Russia attacked Kharkiv ... eight were injured, the
        # head of the Kharkiv regional administration said" is Kharkiv's. It is dropped where a place of its
        # region is named before it in the article or in its sentence.
        local = places.filter((pl.col("place_kind") != "admin1") & pl.col("admin1").is_not_null())
        first_local = local.group_by("article_id", "admin1").agg(first=pl.col("sentence_no").min())
        places = (
            places.join(first_local, on=["article_id", "admin1"], how="left")
            .filter(~(pl.col("speaker").fill_null(False) & (pl.col("first") <= pl.col("sentence_no")).fill_null(False)))
            .drop("first")
        )
    subsets = find_tokens(cand, "cnorm", p["subset"], kind="subset", flags="").select(*KEYS, "pos", "end")
    clauses = find_tokens(cand, "cnorm", p["clause"], kind="clause", flags="").select(*KEYS, "pos", "kind")
    if counts.height == 0:
        return _empty_rows()

    # parts of a count given before ("28 injured, including four children")
    counts = (
        counts.join(subsets.rename({"pos": "subset_pos", "end": "subset_end"}), on=list(KEYS), how="left")
        .with_columns(
            # the count right after the word: "including 2 children", not "including 2 children, injured 89"
            is_part=pl.col("subset_end").is_not_null()
            & (pl.col("pos") >= pl.col("subset_end") - 1)
            & (pl.col("pos") - pl.col("subset_end") <= 3)
        )
        .group_by(
            [*KEYS, "pos", "end", "kind", "field", "count", "qual", "toll", "more"], maintain_order=True
        )
        .agg(is_part=pl.col("is_part").any())
    )
    counts = counts.filter(~pl.col("is_part")).drop("is_part")

    # clause number of every token in its sentence
    stream = pl.concat(
        [counts, places.filter(pl.col("sentence_no").is_not_null()), clauses], how="diagonal_relaxed"
    )
    stream = stream.join(cand.select(*KEYS), on=list(KEYS), how="full", coalesce=True)
    stream = stream.sort(*KEYS, "pos").with_columns(
        clause_no=(pl.col("kind") == "clause").cast(pl.Int32).cum_sum().over(KEYS)
    )
    placed = _nearest_place(stream)
    # sentences without a place inherit the place of the last earlier sentence that named one (the whole
    # place of that sentence, so a name and a nationwide flag never mix across sentences)
    inheritable = places.sort(*KEYS, "pos")
    if rules.active("cas.including_not_inherited") and inheritable.height:
        # "shelled 29 settlements of Kherson region, including the city of Kherson. As a result, one person was
        # killed": a place the sentence names as one of its examples is no place of the next sentence's
        # counts; the region it belongs to is (when the sentence names one before it)
        example = (
            text_before(inheritable, context, "cnorm", 30)
            .str.contains(r"(?i)\b(?:including|among\s+them|such\s+as)(?:\s+the\s+(?:city|town|village)(?:\s+of)?)?\s*(?:in\s+)?$")
            .fill_null(False)
        )
        inheritable = inheritable.with_columns(__example=example).filter(
            ~pl.col("__example") | ~(~pl.col("__example")).any().over(KEYS)
        ).drop("__example")
    sent_place = (
        inheritable.group_by(KEYS, maintain_order=True)
        .agg(
            pl.col("location").last(),
            pl.col("admin1").last(),
            pl.col("place_kind").last(),
            pl.col("nationwide").last(),
        )
    )
    source = (
        sentences.select(*KEYS)
        .join(sent_place.select(*KEYS, has_place=pl.lit(True)), on=list(KEYS), how="left")
        .sort(*KEYS)
        .with_columns(
            src=pl.when(pl.col("has_place"))
            .then(pl.col("sentence_no"))
            .forward_fill()
            .shift(1)
            .over("article_id")
        )
        .select(*KEYS, "src")
    )
    inherited = source.join(
        sent_place.rename({"sentence_no": "src", "location": "prev_location", "admin1": "prev_admin1",
                           "place_kind": "prev_place_kind", "nationwide": "prev_nationwide"}),
        on=["article_id", "src"], how="left",
    ).drop("src")  # fmt: skip
    if not rules.active("cas.inherit_place"):
        inherited = inherited.with_columns(
            [pl.lit(None, inherited.schema[c]).alias(c) for c in inherited.columns if c.startswith("prev_")]
        )
    placed = placed.join(inherited, on=list(KEYS), how="left").with_columns(
        location=pl.coalesce("location", "prev_location"),
        admin1=pl.when(pl.col("location").is_not_null())
        .then(pl.col("admin1"))
        .otherwise(pl.col("prev_admin1")),
        place_kind=pl.when(pl.col("location").is_not_null())
        .then(pl.col("place_kind"))
        .otherwise(pl.col("prev_place_kind")),
        nationwide=pl.when(pl.col("location").is_not_null() | pl.col("nationwide").fill_null(False))
        .then(pl.col("nationwide").fill_null(False))
        .otherwise(pl.col("prev_nationwide").fill_null(False)),
    )
    placed = placed.filter(~pl.col("nationwide") & pl.col("admin1").is_not_null())
    if rules.active("cas.correction"):
        # a count after a correction's cue ("now says six were injured") corrects the figures before it
        cue = cand.select(*KEYS, __cue=pl.col("cnorm").str.find(CORRECTION_RE))
        placed = placed.join(cue, on=list(KEYS), how="left").with_columns(
            __corr=(pl.col("pos") > pl.col("__cue")).fill_null(False)
        ).drop("__cue")
    else:
        placed = placed.with_columns(__corr=pl.lit(False))

    place_key = pl.col("location").str.to_lowercase()
    per_sentence = placed.group_by("article_id", "sentence_no", "field", place_key.alias("place_key")).agg(
        # a toll ("bringing the death toll to 18") is the total: the other counts of its sentence are in it
        value=pl.when(pl.col("toll").any() & pl.lit(rules.active("cas.toll_is_total")))
        .then(pl.col("count").filter(pl.col("toll")).max())
        .otherwise(pl.col("count").sum()),
        qual=pl.col("qual"),
        more=pl.col("more").fill_null(False).all(),
        location=pl.col("location").first(),
        admin1=pl.col("admin1").first(),
        place_kind=pl.col("place_kind").first(),
        corrects=pl.col("__corr").any(),
    )
    # the figures told before the last correction of a place and field are replaced by it (the ones after it
    # still rise above it: "now says 12 were killed ... At least 15 are now known to have died")
    last_correction = pl.when(pl.col("corrects")).then(pl.col("sentence_no")).max().over("article_id", "place_key", "field")
    per_sentence = per_sentence.filter(
        last_correction.is_null() | (pl.col("sentence_no") >= last_correction)
    ).drop("corrects")
    if rules.active("cas.more_than_killed"):
        # "A 51-year-old employee was killed. Five more people were injured": "more" than the dead just named,
        # not more injured than an earlier figure (the lead's "one killed and five injured" says the same)
        fields = per_sentence.group_by("article_id", "place_key", "sentence_no").agg(__fields=pl.col("field").unique())
        prev = fields.with_columns(sentence_no=pl.col("sentence_no") + 1).rename({"__fields": "__prev"})
        per_sentence = (
            per_sentence.join(fields, on=["article_id", "place_key", "sentence_no"], how="left")
            .join(prev, on=["article_id", "place_key", "sentence_no"], how="left")
            .with_columns(
                more=pl.col("more")
                & ~(
                    (pl.col("field") == "injured")
                    # (the sentence before named the dead and no injured; in one sentence "a second body ... and
                    # two more sought help" adds to the injured)
                    & ~pl.col("__fields").list.contains("killed")
                    & pl.col("__prev").list.contains("killed").fill_null(False)
                    & ~pl.col("__prev").list.contains("injured").fill_null(False)
                ).fill_null(False)
            )
            .drop("__fields", "__prev")
        )
    # "Later, two more bodies were found": added to the largest figure given for the place before
    before = pl.col("value").cum_max().shift(1).over("article_id", "place_key", "field")
    per_sentence = per_sentence.sort("article_id", "place_key", "field", "sentence_no").with_columns(
        value=pl.when(pl.col("more")).then(pl.col("value") + before.fill_null(0)).otherwise(pl.col("value"))
    )
    per_place = (
        per_sentence.sort("value", "sentence_no", descending=[True, False])
        .group_by("article_id", "place_key", "field", maintain_order=True)
        .agg(
            value=pl.col("value").first(),
            sentence_no=pl.col("sentence_no").first(),
            quals=pl.col("qual").list.explode(keep_nulls=False, empty_as_null=False),
            location=pl.col("location").first(),
            admin1=pl.col("admin1").first(),
            place_kind=pl.col("place_kind").first(),
        )
    )
    rows = per_place.group_by("article_id", "place_key", maintain_order=True).agg(
        location=pl.col("location").first(),
        admin1=pl.col("admin1").first(),
        place_kind=pl.col("place_kind").first(),
        killed=pl.col("value").filter(pl.col("field") == "killed").first(),
        injured=pl.col("value").filter(pl.col("field") == "injured").first(),
        hospitalized=pl.col("value").filter(pl.col("field") == "hospitalized").first(),
        on_site=pl.col("value").filter(pl.col("field") == "on_site").first(),
        sentence_no=pl.col("sentence_no").min(),
        quals=pl.col("quals").list.explode(keep_nulls=False, empty_as_null=False),
    )
    qualifier = (
        pl.when(pl.col("quals").list.contains("at_least")).then(pl.lit("at_least"))
        .when(pl.col("quals").list.contains("approx")).then(pl.lit("approx"))
        .otherwise(pl.lit("exact"))
    )  # fmt: skip
    rows = rows.with_columns(qualifier=qualifier)
    # the hospitalised are among the injured: their count stands in only where no injured count is given
    hospitalized = pl.col("hospitalized") if rules.active("cas.hospitalized") else pl.lit(None, pl.Int64)
    # ... and those treated on the spot are the others: "four were hospitalised and three treated at the scene"
    injured = pl.col("injured")
    if rules.active("cas.hospitalized_floor"):
        # "29 killed and 117 taken to hospital" after an earlier "57 wounded": the injured are at least those
        # in hospital
        injured = pl.when(injured.is_not_null()).then(pl.max_horizontal(injured, hospitalized))
    rows = rows.with_columns(
        injured=pl.coalesce(injured, hospitalized + pl.col("on_site"), hospitalized, "on_site")
    ).drop("on_site").filter(
        pl.col("killed").is_not_null() | pl.col("injured").is_not_null()
    )
    if rules.active("cas.city_districts"):
        # the city each article names first in each region: the home of a district no city row stands for
        cities = places.filter(
            (pl.col("place_kind") == "city") & ~pl.col("location").str.contains(r"(?i)\bdistricts?$")
        )
        if rules.active("cas.district_host_size"):
            # (a village has no districts: the home of one is a city of some size, as for a host row below)
            pop = resolve_places(cities.select(text="location"), "text")["place_population"]
            cities = cities.filter(pop.fill_null(CONTEXT_REGION_MAX_POPULATION) >= CONTEXT_REGION_MAX_POPULATION)
        cities = (
            cities.sort(*KEYS, "pos")
            .group_by("article_id", "admin1", maintain_order=True)
            .agg(city_name=pl.col("location").first())
        )
        rows = _fold_city_districts(rows, cities if rules.active("cas.district_city") else None)
    if rules.active("cas.region_row_dropped"):
        rows = _fold_region_rows(rows)
    dates = (
        sentences.group_by("article_id").agg(event_date=pl.col("published_at").first())
        if "published_at" in sentences.columns
        else None
    )
    out = rows.select("article_id", "location", "admin1", "killed", "injured", "qualifier", "sentence_no")
    if dates is not None:
        out = out.join(dates, on="article_id", how="left")
    else:
        out = out.with_columns(event_date=pl.lit(None, pl.Date))
    return out


def _fold_city_districts(rows: pl.DataFrame, cities: pl.DataFrame | None = None) -> pl.DataFrame:
    """A city's districts are parts of the city ("In the Sviatoshynskyi district, two were killed ... In the
    Darnytskyi district, four were injured"): rows of a city district (one the gazetteer lists as such, or does
    not know; a raion is named after its town: "Izmail district"), or of a possessive district ("Kyiv's Obolonskyi
    district"), merge with the row of their city (the one city row of that admin1 in the article, or the one
    named like it) into one row, each field the larger of the city's own figure and the districts' sum. Parts
    with no city row take their city's name: the possessor ("Sumy's Zarichnyi district"), else the city of their
    region the article names first (`cities`: article_id, admin1, city_name)."""
    if rows.height == 0:
        return rows
    loc = pl.col("location")
    is_district = loc.str.contains(r"(?i)\bdistricts?$")
    if not rows.select(is_district.any()).item():
        return rows
    # a raion resolves through its town, which has a population; the gazetteer's city districts have none
    known = resolve_places(rows.select(text=pl.when(is_district).then(loc.str.replace(r"^(?i:the)\s+", ""))), "text")
    not_raion = known["admin1"].is_null() | known["place_population"].is_null()
    if rules.active("cas.district_other_oblast"):
        # (a district the text places in another oblast than the gazetteer's is no raion of that name)
        not_raion = not_raion | (known["admin1"] != rows["admin1"]).fill_null(False)
    city = (pl.col("place_kind") == "city") & ~is_district
    if rules.active("cas.district_host_size"):
        # only a city large enough to have districts hosts them: a village row of the same region does not
        # take a city district's figures ("Kharkiv's Saltivskyi district ... the village of Petropavlivka")
        rows = rows.with_columns(__pop=resolve_places(rows.select(text=loc), "text")["place_population"])
        # (the curated cities carry no population: Kyiv is big)
        city = city & (pl.col("__pop").fill_null(CONTEXT_REGION_MAX_POPULATION) >= CONTEXT_REGION_MAX_POPULATION)
    rows = rows.with_row_index("__row").with_columns(
        part=is_district & (not_raion | loc.str.contains(r"['’]s\s")) & pl.col("admin1").is_not_null(),
        city=city,
    )
    group = ["article_id", "admin1"]
    n_city = pl.col("city").sum().over(group)
    named = pl.col("city") & (
        loc.str.to_lowercase() == pl.col("admin1").str.to_lowercase().str.replace(r" city$", "")
    )
    possessor = loc.str.extract(r"^(?:(?i:the)\s+)?(\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)['’]s\s")
    host_ok = pl.lit(True)
    if rules.active("cas.possessor_host"):
        # "Donetsk's Kuibyshevsky district" is part of Donetsk, not of the one other city of its region the
        # article names (Makiivka): a possessed district has only its possessor for host
        owner = pl.when(pl.col("part")).then(possessor).drop_nulls().first().over(group)
        host_ok = owner.is_null() | (loc == owner)
    if cities is not None and rules.active("cas.district_first_city"):
        # the one city row of the region hosts its districts only when it is the city the article names first
        # there: "struck Kryvyi Rih ... in the Metalurhiinyi district, four died ... In Nikopol, a man was
        # wounded" keeps Nikopol's row apart (the district's figures go to Kryvyi Rih)
        rows = rows.join(cities.rename({"city_name": "__first_city"}), on=group, how="left", maintain_order="left")
        host_ok = host_ok & (named | pl.col("__first_city").is_null() | (loc == pl.col("__first_city")))
    rows = rows.with_columns(
        host=pl.when(pl.col("city") & ((n_city == 1) | named) & host_ok).then(pl.col("__row")).min().over(group),
        has_part=pl.col("part").any().over(group),
    )
    # the rows that merge: the parts and their host city (without a host, the parts alone)
    # (without a host the comparison is null: fill it, or the rows that are neither would drop out of both sides)
    merging = pl.col("has_part") & (pl.col("part") | (pl.col("__row") == pl.col("host")).fill_null(False))
    folded = rows.filter(merging)
    if folded.height == 0:
        return rows.drop("__row", "part", "city", "host", "has_part", "__pop", "__first_city", strict=False)
    is_host = (pl.col("__row") == pl.col("host")).fill_null(False)
    fields = ("killed", "injured")
    # every other column: the host's, else the first part's
    carried = [c for c in rows.columns if c not in (*group, *fields, "qualifier", "sentence_no", "__row", "part",
                                                     "city", "host", "has_part")]  # fmt: skip
    merged = (
        folded.sort(is_host, "__row", descending=[True, False])
        .group_by(group, maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in carried],
            **{
                f: pl.max_horizontal(pl.col(f).filter(is_host).first(), pl.col(f).filter(pl.col("part")).sum())
                .cast(pl.Int64)
                for f in fields
            },
            **{f"__any_{f}": pl.col(f).is_not_null().any() for f in fields},
            qualifier=pl.col("qualifier").sort_by(pl.col("qualifier") == "exact").first(),
            sentence_no=pl.col("sentence_no").min(),
            __row=pl.col("__row").min(),
            __hosted=is_host.any(),
        )
        # a field no merged row gives stays unknown (a sum over nothing is no zero)
        .with_columns(**{f: pl.when(pl.col(f"__any_{f}")).then(pl.col(f)) for f in fields})
    )
    if cities is not None:
        merged = (
            merged.join(cities, on=["article_id", "admin1"], how="left", maintain_order="left")
            .with_columns(
                location=pl.when(pl.col("__hosted"))
                .then(loc)
                .otherwise(pl.coalesce(possessor, pl.col("city_name"), loc))
            )
            .drop("city_name")
        )
    keep = rows.filter(~merging).drop("part", "city", "host", "has_part", "__pop", "__first_city", strict=False)
    out = pl.concat([keep, merged.select(keep.columns)], how="vertical_relaxed").sort("__row")
    return out.drop("__row")


def _fold_region_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """A region-wide row where named places in the same region have rows of their own:
    - with one such place whose row gives no figure differently ("a drone attack on the Sumy region killed 7"
      + "12 wounded in Hlukhiv"), the two are one report and merge into the place's row;
    - else the region row stays only for a figure no place gives (SCHEMA.md: "a region-wide total gets its
      own row only when it carries numbers not given for any named place inside it");
    - else it is the places' total and is dropped."""
    region = pl.col("place_kind") == "admin1"
    group = ["article_id", "admin1"]
    fields = ("killed", "injured")
    rows = rows.with_columns(
        n_local=(~region).sum().over(group),
        **{f"r_{f}": pl.col(f).filter(region).first().over(group) for f in fields},
        **{f"l_{f}": pl.col(f).filter(~region).count().over(group) for f in fields},
    )
    compatible = (
        ~region
        & (pl.col("n_local") == 1)
        & pl.all_horizontal(
            [
                pl.col(f"r_{f}").is_null() | pl.col(f).is_null() | (pl.col(f"r_{f}") == pl.col(f))
                for f in fields
            ]
        )
    )
    merge = compatible.any().over(group)
    rows = rows.with_columns(
        **{f: pl.when(~region & merge).then(pl.coalesce(f, f"r_{f}")).otherwise(pl.col(f)) for f in fields}
    )
    own_figure = pl.any_horizontal([pl.col(f).is_not_null() & (pl.col(f"l_{f}") == 0) for f in fields])
    keep = ~region | (pl.col("n_local") == 0) | (~merge & own_figure)
    return rows.filter(keep).drop("n_local", *[f"{x}_{f}" for x in "rl" for f in fields])


def _working_copy(norm: pl.Expr) -> pl.Expr:
    """The casualty patterns' copy of the matching text: ages masked, so "two men aged 50 and 48 were
    killed" counts two men."""
    if rules.active("cas.of_them"):
        # "killed 9 people, 6 of them children": a part of the count before, read as "among them"
        norm = norm.str.replace_all(r"(?i),\s+(?:\d{1,6}|one)\s+of\s+(?:them|whom|those)\b", ", among them")
    if not rules.active("cas.ages"):
        return norm
    if rules.active("cas.birth_year"):
        norm = norm.str.replace_all(BIRTH_YEAR_RE, "")
    if rules.active("cas.injured_then_died"):
        # "an employee, who was seriously injured, died in hospital": one dead, not one injured as well (the
        # relative clause is read out)
        norm = norm.str.replace_all(INJURED_THEN_DIED_RE, " died")
    if rules.active("cas.subset_aside"):
        # "Five more civilians, among them a 16-year-old girl, sustained blast injuries": the aside is read out,
        # so the count meets its verb (the part it names is inside the count anyway)
        norm = norm.str.replace_all(SUBSET_ASIDE_RE, " $1")
    if rules.active("cas.listed_again"):
        norm = norm.str.replace_all(LISTED_AGAIN_RE, "$1 ")
    if rules.active("cas.person_of_age"):
        norm = norm.str.replace_all(PERSON_OF_AGE_RE, "$1$2")
    if rules.active("cas.apposed_age"):
        norm = norm.str.replace_all(APPOSED_AGE_RE, "$1 $2").str.replace_all(APPOSED_AGE_END_RE, "$1$2")
    return norm.str.replace_all(AGES_RE, "").str.replace_all(r"  +", " ")


# A place this small (or unknown to the gazetteer) takes the region the text names around it: villages and
# towns share names across oblasts (Vyshneve), the gazetteer holds one of them, and the text knows which.
CONTEXT_REGION_MAX_POPULATION = 100_000


def _in_sentence_before(context: pl.DataFrame, places: pl.DataFrame, name: str) -> pl.DataFrame:
    """keys, `name`: the admin1 of the last of `places` in the sentence right before each sentence of
    `context` (null when that sentence names none or is not the one right before)."""
    last = places.group_by(KEYS).agg(pl.col("admin1").sort_by("pos").last().alias("__last"))
    return (
        context.select(*KEYS)
        .join(last, on=list(KEYS), how="left")
        .sort(*KEYS)
        .select(
            *KEYS,
            pl.when(pl.col("sentence_no").shift(1).over("article_id") == pl.col("sentence_no") - 1)
            .then(pl.col("__last").shift(1).over("article_id"))
            .alias(name),
        )
    )


def _article_focus(sentences: pl.DataFrame) -> pl.DataFrame:
    """article_id, article_focus: the one region an article names, in any of its sentences ("the occupiers
    attacked 16 settlements of Kharkiv region", "Kharkiv regional governor"); no row for an article that names
    none or several."""
    named = (
        sentences.select("article_id", "sentence_no", name=pl.col("cnorm").str.extract_all(ARTICLE_REGION_RE))
        .explode("name")
        .drop_nulls("name")
        .filter(~pl.col("name").str.contains(r"^(?:[Ff]rom|[Oo]ver|[Aa]bove)\s"))
        .select("article_id", "sentence_no", text=pl.col("name").str.replace(r"\s+\w+$", " region"))
    )
    regions = resolve_places(named, "text").filter(pl.col("place_kind") == "admin1")
    if not rules.active("cas.focus_per_country"):
        regions = regions.with_columns(country=pl.lit(None, pl.String))
    # one region per country: "the border with Russia's Belgorod region" leaves a Kharkiv report's focus
    # on Kharkiv (a place takes the focus of its own country; see _context_region)
    return (
        regions.group_by("article_id", "country")
        .agg(
            article_focus=pl.col("admin1").first(),
            regions=pl.col("admin1").n_unique(),
            focus_from=pl.col("sentence_no").min(),
        )
        .filter(pl.col("regions") == 1)
        .drop("regions")
    )


def _context_region(
    places: pl.DataFrame, context: pl.DataFrame, article_focus: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Places with admin1 replaced by the region named before them in their sentence, or in the sentence
    before, or else the one region their article names (`_article_focus`), when the place is unknown or small
    and lies elsewhere by the gazetteer; unknown places without such a region are dropped."""
    if places.height == 0:
        return places
    places = places.sort(*KEYS, "pos")
    is_region = (pl.col("place_kind") == "admin1") & ~pl.col("nationwide")
    region = pl.when(is_region).then(pl.col("admin1"))
    # an unknown district lies in the city named before it: "In Kharkiv, three in the Kyivskyi district" (a
    # district name the gazetteer finds in several oblasts is unknown)
    is_city = pl.col("place_kind") == "city"
    if rules.active("cas.district_other_oblast"):
        # (a district the gazetteer files as a city is no city the next district lies in)
        is_city = is_city & ~pl.col("location").str.contains(r"(?i)\sdistricts?$")
    city = pl.when(is_city).then(pl.col("admin1"))
    same = places.with_columns(focus=region.forward_fill().over(KEYS), city_focus=city.forward_fill().over(KEYS))
    # only the sentence right before counts: a region named further back may be another story's
    last_region = _in_sentence_before(context, places.filter(is_region), "prev_focus")
    last_city = _in_sentence_before(context, places.filter(is_city), "prev_city")
    out = (
        same.join(last_region, on=list(KEYS), how="left")
        .join(last_city, on=list(KEYS), how="left")
        .with_columns(focus=pl.coalesce("focus", "prev_focus"), city_focus=pl.coalesce("city_focus", "prev_city"))
    )
    if article_focus is not None:
        # (for a place the gazetteer knows: an unknown capitalised word is no village for being in the article)
        # (... or one shaped like a village: "a man was killed in Kamenka-Dneprovskaya", in an article about
        # the Zaporizhzhia region)
        known_or_shaped = pl.col("admin1").is_not_null()
        if rules.active("cas.village_shape"):
            known_or_shaped = known_or_shaped | pl.col("location").str.contains(SETTLEMENT_SHAPE_RE)
        if "slot" in out.columns:
            known_or_shaped = known_or_shaped | pl.col("slot")
        # (a region first named after the place is no context of it: "... Kurchatov ... In the neighbouring
        # Belgorod region, five were wounded")
        named_before = pl.lit(True)
        if rules.active("cas.focus_named_before"):
            named_before = pl.col("focus_from") <= pl.col("sentence_no")
        # the focus of the place's own country (by its admin1), else (a place the gazetteer does not know, or
        # puts in a country the article names no region of) the one region of the article's first-named country
        own = out.select("article_id", "admin1").join(admin1_countries(), on="admin1", how="left", maintain_order="left")
        first = article_focus.sort("focus_from").group_by("article_id", maintain_order=True).first()
        by_country = own.join(article_focus, on=["article_id", "country"], how="left", maintain_order="left")
        by_first = own.join(first.drop("country"), on="article_id", how="left", maintain_order="left")
        if not rules.active("cas.focus_per_country"):
            by_country = by_first
        unknown_country = pl.lit(own["country"]).is_null() | pl.lit(by_country["article_focus"]).is_null()
        out = out.with_columns(
            **{
                c: pl.when(unknown_country).then(pl.lit(by_first[c])).otherwise(pl.lit(by_country[c]))
                for c in ("article_focus", "focus_from")
            }
        )
        out = out.with_columns(
            focus=pl.when(pl.col("focus").is_null() & known_or_shaped & named_before)
            .then(pl.col("article_focus"))
            .otherwise(pl.col("focus"))
        ).drop("article_focus", "focus_from")
    if rules.active("cas.district_of_city"):
        district = pl.col("admin1").is_null() & pl.col("location").str.contains(r"(?i)\s(?:district|raion)$")
        out = out.with_columns(
            focus=pl.when(district).then(pl.coalesce("city_focus", "focus")).otherwise(pl.col("focus"))
        )
    if rules.active("cas.district_other_oblast"):
        # "a missile hit a building in Zaporizhzhia ... in the Oleksandrivskyi district": city districts share
        # names across cities (Oleksandrivskyi, Kuibyshevsky, Leninsky), and the gazetteer holds one of them; a
        # district of another oblast than the city just named, with no other region named, is that city's
        elsewhere = (
            pl.col("location").str.contains(r"(?i)\sdistrict$")
            & pl.col("admin1").is_not_null()
            & pl.col("city_focus").is_not_null()
            & (pl.col("admin1") != pl.col("city_focus"))
            & (pl.col("focus").is_null() | (pl.col("focus") == pl.col("city_focus")))
        )
        out = out.with_columns(
            admin1=pl.when(elsewhere).then(pl.col("city_focus")).otherwise(pl.col("admin1")),
            focus=pl.when(elsewhere).then(pl.col("city_focus")).otherwise(pl.col("focus")),
        )
    if rules.active("cas.context_region"):
        # a town the gazetteer counts as small; curated cities and districts carry no population and stay
        small = (pl.col("place_kind") != "admin1") & (
            pl.col("place_population") < CONTEXT_REGION_MAX_POPULATION
        )
        # an unknown name is taken for a village only when it is no demonym, body, weekday or the like
        village = ~pl.col("location").str.contains(NOT_PLACE_NAME_RE) & ~pl.col("location").str.contains(
            NOT_PLACE_WORD_RE
        )
        if rules.active("cas.weapon_not_place"):
            # "wounded in Shahed strikes", "killed in an Iskander attack": the weapon, not a village
            village = village & ~pl.col("location").str.contains(f"(?i)^{weapons.alias_pattern()}$")
        unknown = pl.col("admin1").is_null() & village
        # a regional centre (Kherson in Kherson oblast) is where its name says
        centre = pl.col("location").str.to_lowercase().str.starts_with(pl.col("admin1").str.to_lowercase())
        moved = small & ~centre & (pl.col("focus") != pl.col("admin1"))
        use_focus = pl.col("focus").is_not_null() & (unknown | moved)
        if rules.active("cas.title_not_place"):
            # "Regional governor Oleh Kiper said two were injured": the office's words name no place; the
            # region the text names is the place
            title = use_focus & pl.col("location").str.contains(TITLE_WORD_RE)
            out = out.with_columns(
                location=pl.when(title).then(pl.concat_str(pl.col("focus"), pl.lit(" region"))).otherwise("location"),
                place_kind=pl.when(title).then(pl.lit("admin1")).otherwise("place_kind"),
            )
        out = out.with_columns(
            admin1=pl.when(use_focus).then(pl.col("focus")).otherwise(pl.col("admin1")),
            place_kind=pl.when(use_focus & pl.col("place_kind").is_null())
            .then(pl.lit("settlement"))
            .otherwise(pl.col("place_kind")),
        )
    return out.filter(pl.col("admin1").is_not_null() | pl.col("nationwide")).drop(
        "focus", "prev_focus", "city_focus", "prev_city"
    )


def _nearest_place(stream: pl.DataFrame) -> pl.DataFrame:
    """For every count, the nearest place token in its clause, else in its sentence (by character distance)."""
    is_place = pl.col("kind") == "place"
    out = stream
    for scope, tag in (
        (["article_id", "sentence_no", "clause_no"], "c"),
        (["article_id", "sentence_no"], "s"),
    ):
        out = out.with_columns(
            [
                pl.when(is_place).then(pl.col(c)).forward_fill().over(scope).alias(f"{tag}_prev_{c}")
                for c in ("pos", "end", "location", "admin1", "place_kind", "nationwide")
            ]
            + [
                pl.when(is_place).then(pl.col(c)).backward_fill().over(scope).alias(f"{tag}_next_{c}")
                for c in ("pos", "end", "location", "admin1", "place_kind", "nationwide")
            ]
        )
    # the token right after a count: a place there binds tight, unless another count stands between ("five
    # were killed: three in Kharkiv" is not Kharkiv's five)
    out = out.with_columns(next_is_place=(pl.col("kind").shift(-1).over(KEYS) == "place").fill_null(False))
    counts = out.filter(pl.col("kind") == "count")

    def pick(tag: str) -> pl.Expr:
        # gaps between the count and the place on either side, edge to edge; a place right after the count
        # ("was killed in Kurakhove") binds tighter than one fronted before it ("In the Donetsk region, ...")
        d_prev = pl.col("pos") - pl.col(f"{tag}_prev_end")
        d_next = pl.col(f"{tag}_next_pos") - pl.col("end")
        return (
            pl.when(d_next.is_not_null() & (d_next <= 6) & (pl.col("next_is_place") | ~pl.lit(rules.active("cas.count_between"))))
            .then(pl.lit("next"))
            # no place on either side leaves the side null, so the sentence's place stands in for the clause's
            .when(d_prev.is_not_null() & (pl.col(f"{tag}_next_pos").is_null() | (d_prev <= d_next)))
            .then(pl.lit("prev"))
            .when(pl.col(f"{tag}_next_pos").is_not_null())
            .then(pl.lit("next"))
        )

    counts = counts.with_columns(c_side=pick("c"), s_side=pick("s"))
    cols = {}
    for c in ("location", "admin1", "place_kind", "nationwide"):
        in_clause = (
            pl.when(pl.col("c_side") == "prev").then(pl.col(f"c_prev_{c}")).otherwise(pl.col(f"c_next_{c}"))
        )
        in_sentence = (
            pl.when(pl.col("s_side") == "prev").then(pl.col(f"s_prev_{c}")).otherwise(pl.col(f"s_next_{c}"))
        )
        # the clause's own place wins outright, even a nationwide one ("across Ukraine" has no name)
        cols[c] = (
            pl.when(pl.col("c_side").is_not_null()).then(in_clause)
            .when(pl.col("s_side").is_not_null()).then(in_sentence)
        )  # fmt: skip
    return (
        counts.with_columns(**cols)
        .with_columns(
            nationwide=pl.when(pl.col("c_side").is_not_null() | pl.col("s_side").is_not_null()).then(
                pl.col("nationwide").fill_null(False)
            )
        )
        .select(
            *KEYS,
            "pos",
            "field",
            "count",
            "qual",
            "toll",
            "more",
            "location",
            "admin1",
            "place_kind",
            "nationwide",
        )
    )


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "location": pl.String, "admin1": pl.String, "killed": pl.Int64,
                "injured": pl.Int64, "qualifier": pl.String, "sentence_no": pl.Int32, "event_date": pl.Date}
    )  # fmt: skip
