"""Words every event kind shares: the cues that a figure or a claim belongs to another time than the news.

One vocabulary, so that "since the start of the war" or "two weeks ago" means the same to the air, casualty and
territory extractors; each kind composes these with the few cues of its own (see their BACKGROUND patterns).
Fragments are regex alternations without flags; `pattern(...)` joins them.
"""

from __future__ import annotations

import re

import polars as pl

from pipelines.extract import rules

MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"

# Tallies and periods: a figure over a span of time, not one night's ("since the start of the war", "this
# year", "during the winter", "per day").
TALLY = (
    # "since Russia launched its invasion", "since the war began" ("since midnight Russia has launched 45
    # drones" is the night's: a launch needs what was launched, a war, an invasion)
    r"since\s+(?:the\s+(?:start|beginning|full-scale|(?:very\s+)?first\s+(?:days|weeks|months|hours))|february|march|the\s+full-scale|20\d\d|it\s+began|"
    r"(?:[\w.'-]+\s+){0,3}?(?:began|invaded)\b|"
    r"(?:[\w.'-]+\s+){0,3}?(?:launched|started)\s+(?:its|the|a|their|his|an)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:war|invasion|offensive|aggression|operation)\b)",
    r"since\s+the\s+(?:start|beginning)\s+of",
    # "since Friday", "since last Monday", "since early June": a span of days, not one night ("since midnight" is)
    r"since\s+(?:(?:last|early|late|mid-?)\s*)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"the\s+weekend|" + MONTH + r")",
    r"(?:this|last|past|previous)\s+(?:year|month|week|winter|summer|spring|autumn|fall)\b",
    r"(?:during|over|throughout)\s+the\s+(?:(?:entire|whole)\s+(?:period\s+of\s+(?:the\s+)?)?)?"
    r"(?:(?:full-scale|large-scale|all-out|russian)\s+)?(?:winter|summer|spring|autumn|fall|year|month|week|war|invasion|"
    r"occupation|aggression|period)\b",
    # "since 24 February 2022" ("since February 24" is above), "since Russia's full-scale invasion"
    r"since\s+\d{1,2}\s+" + MONTH,
    r"since\s+(?:russia's|moscow's|the\s+russian)\s+(?:[\w-]+\s+){0,2}?(?:invasion|war|aggression|attack|offensive)",
    r"since\s+the\s+(?:full-scale|large-scale|all-out)\b",
    # ("over the past seven days", "in the last two weeks"; "over the past two days" is recent news to a claim)
    r"(?:past|last|previous)\s+(?:(?:few\s+|several\s+|[a-z]+\s+|\d{1,3}\s+)?(?:weeks|months|years)|"
    r"(?:few\s+|several\s+|four\s+|five\s+|six\s+|seven\s+|eight\s+|nine\s+|ten\s+|[a-z]+teen\s+|twenty\s+|"
    r"thirty\s+|[4-9]\s+|\d{2,3}\s+)?days)",
    # "over the same seven days", "in the same period", "in the first half of June"
    r"(?:over|in|during)\s+the\s+same\s+(?:period|week|month|year|(?:\w+\s+)?days)",
    r"in\s+the\s+(?:first|second|last|past)\s+(?:half|week|weeks|days|ten\s+days|two\s+weeks|three\s+weeks|months?)\s+of\b",
    r"earlier\s+(?:this|in\s+the|last)\s+(?:week|month|year)",
    r"so\s+far\s+(?:this|in)",
    r"in\s+total\s+since",
    r"(?:war|full-scale\s+invasion)\s+began",
    r"per\s+(?:day|night)",
    r"on\s+average",
    # a rate: "100 drones a day", "three times a week" ("a day after the strike" is a point in time)
    r"(?:[a-z]+s|\d)\s+a\s+(?:day|night|week|month)\b",
    r"(?:each|every)\s+(?:day|month)",
    r"weekly|monthly",
    r"to\s+date",
    # "By early August, interceptors had downed more than 1,000 Shaheds": a sum up to a point in time
    r"by\s+(?:(?:early|late|mid-|the\s+end\s+of)\s*" + MONTH + r"|" + MONTH + r"\s*,\s+\w+)",
    # a month or a stretch of the war as the period: "throughout November", "in the first two years of the war",
    # "over the course of the month", "between January and March"
    r"(?:during|throughout|over|for)\s+(?:the\s+(?:whole\s+|entire\s+)?(?:month\s+of\s+)?)?" + MONTH,
    r"(?:in|during|over)\s+the\s+first\s+(?:[\w-]+\s+)?(?:days|weeks|months|years|year|month|week)\s+of",
    r"(?:over|during|in)\s+the\s+course\s+of\s+the\s+(?:month|week|year|war|invasion|winter|summer|spring|autumn)",
    r"(?:between|from)\s+" + MONTH + r"\s+(?:and|to|through|until)\s+" + MONTH,
    # "after a month in which Russia launched a record 5,438 drones", "in a week when it fired 1,200"
    r"(?:a|the)\s+(?:month|week|year|winter|summer|spring|autumn|fall)\s+(?:in\s+which|during\s+which|when|that\s+saw)\b",
)

# Points in time before the news: history, earlier attacks, earlier reports ("in 2022", "in May", "two weeks
# ago", "as reported earlier", "a day earlier", "followed a massive attack on ...").
PAST = (
    r"in\s+(?:early|late|mid-?)?\s*" + MONTH + r"?\s*(?:19|20)\d\d",
    r"in\s+(?:early\s+|late\s+|mid-)?" + MONTH + r"\b",
    r"(?:of|during)\s+(?:its\s+|the\s+)?(?:19|20)\d\d\b",
    # a year as an adjective: "the 2022 strike", "its 2023 counteroffensive"
    r"(?:the|its|a|their)\s+(?:(?:\d{1,2}\s+)?" + MONTH + r"\s+(?:\d{1,2},?\s+)?)?(?:19|20)\d\d\s+(?:[a-z-]+\s+){0,2}?"
    r"(?:attack|strike|shelling|bombing|offensive|counteroffensive|invasion|annexation|assault|massacre|explosion|"
    r"blast)s?",
    # a commemoration is of what happened before: "a ceremony in memory of the victims of the strike"
    r"in\s+memory\s+of|commemorat\w*|memorial\s+(?:service|ceremony|event|day)",
    r"(?:\w+\s+)?(?:weeks?|months?|years?|decades?)\s+ago",
    r"(?:as\s+(?:was\s+)?)?(?:previously|earlier)\s+reported|reported\s+earlier|had\s+earlier\s+reported",
    r"(?:an|the)\s+(?:earlier|previous)\s+(?:attack|strike|night)",
    r"the\s+(?:previous|night)\s+before",
    r"(?:a|one|a\s+few|several|\d+)\s+(?:week|weeks|month|months)\s+(?:earlier|before)",
    r"(?:followed|came\s+after|comes\s+after)\s+(?:an?|the)\s+(?:[\w-]+\s+){0,4}?(?:attack|strike|barrage|assault|bombardment)",
    r"previously|back\s+in|in\s+the\s+past|at\s+the\s+start\s+of\s+the\s+war",
    # "At the time, the Air Force reported ...": told of the time just named, not of the news ("at the time of
    # the strike" is the news: no comma)
    r"at\s+(?:the|that)\s+time\s*,\s*\w+|back\s+then",
    # "Weeks earlier, ...", "In the summer, ...", "At the start of the month, ...", "recalled the strike of July 8"
    r"(?:weeks|months|years)\s+(?:earlier|before)",
    # "Last Saturday, a bomb hit a garden centre": a weekday of the week before ("last night" is the news)
    r"last\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|weekend)",
    r"in\s+(?:the\s+)?(?:early\s+|late\s+)?(?:summer|spring|autumn|fall|winter)\b",
    r"at\s+the\s+(?:start|beginning|end)\s+of\s+(?:the\s+)?(?:month|year|summer|winter|spring|autumn|" + MONTH + r")",
    r"recall(?:ed|s|ing)?\s+(?:the|an|a)\s+(?:[\w-]+\s+){0,3}?(?:attack|strike|shelling|bombing|assault|barrage)",
    # "Earlier, on August 1, a strike killed 31" (SCHEMA.md's own example): a dated earlier event ("earlier on
    # Tuesday", "earlier today" are the news day)
    r"earlier,?\s+on\s+(?:\d{1,2}\s+" + MONTH + r"|" + MONTH + r"\s+\d{1,2})",
    # "the second anniversary of the liberation of Kherson", "a year since the strike"
    r"anniversar(?:y|ies)\s+of|(?:a|one|two|three|\d+)\s+years?\s+since",
    # "For comparison, on Monday night Russia sent 108 drones": another night, set beside the news
    r"for\s+comparison",
    # a newsroom's correction of what it said before: "in our seven o'clock bulletin we said Russia had fired 54
    # missiles", "an earlier version of this story said"
    r"in\s+(?:our|an?|the|its)\s+(?:earlier|previous|last|first|[a-z]+(?:-|\s+)o'clock)\s+(?:bulletin|broadcast|"
    r"edition|report|update|item|post|story)",
    r"(?:an?\s+|the\s+)?(?:earlier|previous|original|first)\s+version\s+of\s+(?:this|the|our)",
)


# The time of the news itself ("overnight", "on Tuesday", "over the past day", "since 18:00"): a figure told in
# the perfect with one of these is the report's, not a tally.
NEWS_TIME = (
    r"overnight|today|tonight|this\s+(?:morning|afternoon|evening)|last\s+night|yesterday",
    r"(?:past|last)\s+(?:day|24\s+hours|night)",
    r"(?:on|early|late)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day",
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:morning|night|evening|afternoon)",
    r"since\s+(?:midnight|\d{1,2}[:.]\d\d|\d{1,2}\s*(?:a\.m|p\.m|am|pm)|(?:18|19|20|21|22|23)\s*(?:h|hours))",
    r"on\s+the\s+night\s+of",
    # the report's own clock and hedges: "as of 09:00", "according to preliminary data"
    r"as\s+of\s+(?:\d{1,2}[:.]\d\d|\d{1,2}\s*(?:a\.m|p\.m|am|pm)|(?:this\s+)?morning)",
    r"preliminary",
    r"on\s+(?:\d{1,2}\s+" + MONTH + r"|" + MONTH + r"\s+\d{1,2})",
)

# Days before the news ("two days ago", "a day earlier"): an earlier attack's figures, but a capture announced
# a day or two before is still news when relayed (SCHEMA.md), so the claim extractor leaves these out.
RECENT_PAST = (
    r"\w+\s+(?:days?|nights?|hours?)\s+ago",
    r"(?:a|one|a\s+few|several|\d+)\s+(?:day|night|days|nights)\s+(?:earlier|before)",
)

# Points in time that speak of what follows them ("..., a day after a strike on the city killed five", "The day
# before, it had sent 88 drones"): what follows is another event; what comes before is the news. Every
# extractor reads them forward from where they stand, never for the whole sentence.
FORWARD_PAST = (
    r"(?:a|one|two|three|four|five|six|seven|several|a\s+few|\d{1,2})\s+(?:day|days|night|nights|week|weeks|"
    r"hours?|months?)\s+after",
    # ("the previous night" is mostly last night, the news itself, in a report published the morning after)
    r"the\s+(?:day|week)\s+before",
    r"the\s+previous\s+(?:day|week)",
)


rules.declare(
    {
        "time.size_not_ranking": "a place's size is no ranking: 'the second-largest city in the region, has been occupied since 2022' keeps its period",
        "time.past_window": "'in the past 24 hours' is the daily report's window, not the idiom 'in the past'",
        "time.ranked_event": "the earlier event a ranking is measured against: 'the deadliest since January, when a missile killed 46' (casualties)",
        "time.comparison": "a ranking's time words are no period: 'the largest attack since the start of the war', "
        "'the deadliest strike on the city this year' (a figure inside the ranking still counts as a tally)",
    }
)

# A ranking of one night against a period ("the largest combined attack this month", "its deadliest strike
# since 2022", "the most massive barrage of the war"): the time words belong to the comparison, not to the
# night's figures. The words between the ranking word and the time cue hold no digits, so "a record 30,000
# drones since the start of the war" stays a tally.
RANKING = (
    r"(?:largest|biggest|heaviest|deadliest|worst|fiercest|strongest|greatest|highest|longest|"
    r"most\s+(?:massive|intense|powerful|extensive|serious|significant|devastating|large-scale|lethal))"
    r"(?:-ever)?|record|unprecedented"
)
# an ordinal ranks too: "the fifth mass strike on the power grid this winter"; the figures after its noun say
# which attacks it ranks among ("the fourth attack of more than 500 aerial threats this month")
ORDINAL_RANKING = (
    r"(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\d{1,2}(?:st|nd|rd|th))"
    r"\s+(?:[a-z-]+\s+)?(?:strike|attack|barrage|assault|wave)"
)


# The earlier event a ranking is measured against, told in a clause of its own after it: "the deadliest attack on
# the city since January, when a missile killed 46 people", "its largest since a strike in March that killed
# four" (the figures after it are that event's; "the largest attack since July, with 700 drones" is the news)
RANKED_EVENT = (
    r"(?:" + RANKING + r")\b[^.;]{0,80}?\bsince\b[^.;]{0,60}?(?:,\s*when|\bthat\s+(?:killed|injured|wounded|left)|"
    r"\bwhich\s+(?:killed|injured|wounded|left)|\bin\s+which)\b"
)


# The periods a ranking compares with. Points in time ("earlier in the week", "in July", "last week") are not
# among them: "its largest assault earlier in the week" is an earlier attack, and stays background.
RANKED_PERIOD = (
    r"since(?:\s+[a-z'-]+){1,6}(?:\s+(?:19|20)\d\d)?|since\s+(?:19|20)\d\d",
    r"(?:so\s+far\s+)?this\s+(?:year|month|week|winter|summer|spring|autumn|fall)",
    r"(?:of|in)\s+(?:the\s+)?(?:(?:full-scale\s+)?war|(?:full-scale\s+)?invasion|conflict|year|month|20\d\d)",
    r"(?:of|in|over)\s+the\s+(?:past|last)\s+(?:few\s+|\w+\s+)?(?:days|weeks|months|years|week|month|year)",
    r"in\s+(?:weeks|months|years|a\s+(?:week|month|year))",
    r"ever|to\s+date",
)


def without_rankings(text: pl.Expr) -> pl.Expr:
    """`text` with every ranking and the period it ranks in blanked, for the background and tally tests; and a
    daily report's own window "in the past 24 hours" read as "in the last 24 hours" (the idiom "in the past"
    is history, the window is the news)."""
    periods = "|".join(f"(?:{f})" for f in RANKED_PERIOD)
    # (a figure inside a ranking by size is still a tally: "a record 30,000 drones this year")
    span = (
        r"(?i)\b(?:(?:" + RANKING + r")\b(?:[\s,]+[a-z'-]+){0,8}?|(?:" + ORDINAL_RANKING + r")\b(?:[\s,]+[\w'-]+){0,8}?)"
        r"[\s,]+(?:" + periods + r")\b"
    )
    if rules.active("time.size_not_ranking"):
        # "Melitopol, the second-largest city in the region, has been occupied since March 2022": a place's size,
        # no ranking of an attack (the period stays the claim's)
        text = text.str.replace_all(r"(?i)-(?:largest|biggest|greatest|highest)\b|\b(?:largest|biggest)\s+(?:city|cities|town|towns|port|country|village|settlement|region|oblast)\b", " size")
    window = r"(?i)\b(in\s+the\s+)past(\s+(?:24\s+hours|day|night|twenty-four\s+hours)\b)"
    text = text.str.replace_all(rules.pattern("time.past_window", window), "${1}last${2}")
    return text.str.replace_all(rules.pattern("time.comparison", span), " ")


def pattern(*groups: tuple[str, ...], extra: tuple[str, ...] = ()) -> str:
    """One case-insensitive alternation of the fragments, each standing on word boundaries."""
    parts = [f for group in groups for f in group] + list(extra)
    return r"(?i)\b(?:" + "|".join(f"(?:{f})" for f in parts) + r")\b"


FORWARD_PAST_RE = pattern(FORWARD_PAST)
NEWS_TIME_RE = pattern(NEWS_TIME)


rules.declare(
    {
        "time.dated_earlier": "a calendar date days before the publication is another attack's: 'On October 17, "
        "drones struck Kyiv, killing four' in a report of November 6",
        "time.named_earlier_attack": "an attack named by its date two days or more before: 'the attack of July 9th, "
        "when Russia sent 728 drones' in a report of July 12",
    }
)

# A calendar date: "October 17", "Oct. 3", "17 October", "3rd of Oct", with its year when given. Month names are
# capitalised ("may" is a verb).
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# the rest of a month's name, or none: "Marhanets 2" and "Novoselivka 3" are places, not dates
_MON_REST = r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\b"
DATE_RE = (
    r"\b(?:(?P<mon1>" + _MON + r")" + _MON_REST + r"\.?\s+(?P<day1>\d{1,2})(?:st|nd|rd|th)?\b(?:\s*-\s*\d{1,2}\b)?"
    r"|(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?:\s*-\s*\d{1,2})?\s+(?:of\s+)?(?P<mon2>" + _MON + r")" + _MON_REST + r"\.?)"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
# (the same without its group names, to sit inside other patterns)
_DATE_PLAIN = re.sub(r"\(\?P<\w+>", "(?:", DATE_RE)
# a cheap gate: a capitalised month abbreviation somewhere in the sentence
MONTH_WORD_RE = r"\b(?:" + _MON + r")"
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# More days than this between a date and the publication: not the news (a report of an attack comes out that
# day or the next, and a weekly round-up tells the week's attacks as its news; "on the night of October 16-17"
# in a report of the 17th is the news).
DATED_EARLIER_DAYS = 6


def dated_earlier_pos(text: pl.Expr, published: pl.Expr) -> pl.Expr:
    """The position in `text` of its first calendar date when that date lies more than DATED_EARLIER_DAYS before
    `published` (a Date), else null. A date without a year is in the publication's year, or the year before
    when it would otherwise lie after the publication."""
    if not rules.active("time.dated_earlier"):
        return pl.lit(None, pl.Int64)
    g = text.str.extract_groups(DATE_RE)
    month = pl.coalesce(g.struct.field("mon1"), g.struct.field("mon2")).replace_strict(_MONTHS, default=None, return_dtype=pl.Int8)
    day = pl.coalesce(g.struct.field("day1"), g.struct.field("day2")).cast(pl.Int64).clip(1, 31)
    year = g.struct.field("year").cast(pl.Int32)
    pub_year = published.dt.year()

    def on(y: pl.Expr) -> pl.Expr:
        return pl.date(y, month, 1) + pl.duration(days=day - 1)

    guess = on(pl.coalesce(year, pub_year))
    date = pl.when(year.is_null() & (guess > published + pl.duration(days=1))).then(on(pub_year - 1)).otherwise(guess)
    days = (published - date).dt.total_days()
    earlier = days > DATED_EARLIER_DAYS
    if rules.active("time.named_earlier_attack"):
        # "the attack of July 9th, when Russia sent 728 drones" in a report of July 12: an attack named by its
        # date, two days or more before, is another one (a round-up tells its own days without that frame)
        framed = text.str.contains(
            r"\b(?:the|an?|its|that)\s+(?:(?:record|massive|mass|previous|earlier|last)\s+)?(?:attack|strike|assault|"
            r"barrage|raid|bombardment)\s+(?:of|on)\s+(?:the\s+night\s+of\s+)?" + _DATE_PLAIN.removeprefix(r"\b")
            + r"|" + _DATE_PLAIN + r",?\s+when\b"
        )
        earlier = earlier | ((days > 1) & framed)
    return pl.when(earlier & month.is_not_null()).then(text.str.find(DATE_RE).cast(pl.Int64))
