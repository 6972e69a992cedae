"""Casualties: killed / injured counts -> one row per (article, place).

1. counts: "three people were killed", "killing one person and injuring at least 26", "one dead and one
   wounded", "24 adults and 4 children are known to be injured", "the number of injured has risen to 63";
   parts ("including four children", "four of whom", "among the injured") and military losses are skipped;
2. places: locative phrases ("in Dnipro", "attack on Odesa", "in the Kherson region", "district of
   Kharkiv") resolved to admin1 by the gazetteer; "across Ukraine" marks a nationwide figure (no row);
3. each count takes the nearest place in its clause (clauses split at ";", "while", "whereas"), else in its
   sentence, else the last place named in the sentences before it;
4. counts of one field in one sentence and place are summed (different people); across sentences the
   largest wins (updates only grow: "rose to 63"); a region-level row is dropped when a named place inside
   that region has its own row.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.extract.gazetteer import resolve_places
from pipelines.extract.numbers import QUALIFIER_RE, qualifier_code
from pipelines.extract.tokens import ARTICLE_KEY, anchored, find_tokens

KEYS = ("article_id", "sentence_no")
NUM = r"\d{1,6}"
LEFT = r"(?:^|[\s(\[,;:])"
CNT = r"(?:\d{1,6}|an?|another|one)"
# a word inside a victim phrase: "elderly", "other", "56-year-old"
MODWORD = r"(?:[a-z][\w'./-]*|\d{1,3}-year-old)"
PERSON = (
    r"(?:people|persons?|civilians?|residents?|men|man|women|woman|children|child|kids?|teenagers?|teens?|boys?|"
    r"girls?|others|adults?|(?:police|law\s+enforcement)\s+officers?|officers?|rescuers?|firefighters?|medics?|"
    r"paramedics?|workers?|employees?|individuals|passengers?|victims|pensioners?|infants?|babies|baby|"
    r"toddlers?|journalists?|volunteers?|locals|drivers?|patients?|citizens?|inhabitants|minors?|"
    r"family\s+members|students?|pupils?|doctors?|nurses?|guards?|farmers?|fishermen)"
)
# Military losses are tallies of another kind (SCHEMA.md hard negatives): never a casualty row.
MILITARY = r"(?:soldiers?|troops|servicemen|servicemembers|service\s+members|personnel|fighters|militants|mercenaries|combatants|marines|paratroopers|invaders|occupiers)"
KILLED_WORDS = r"(?:killed|dead|died|perished|kill(?:ed|ing|s)?|lives|death)"
NOT_A_MODIFIER = r"\b(?:of|the|their|its|his|her|with|from|to|at|in|on|by|were|was|is|are|been|has|have|had|that|which|whom|for|after|than|as|said|says|and|or)\b"


@lru_cache(maxsize=1)
def patterns() -> dict[str, str]:
    p: dict[str, str] = {}
    aux = r"(?:(?:were|was|have\s+been|has\s+been|had\s+been|are|is|being|been|got|reportedly|also|later|known\s+to\s+be|confirmed|reported|all|both)\s+){0,3}"
    # count first: "three people were killed", "13 were killed", "one dead", "eight injured",
    # "24 adults and 4 children are known to be injured", "Seven people, including a teenager, have been injured"
    p["count_first"] = (
        LEFT + r"(?P<a_qual>" + QUALIFIER_RE + r"\s+)?(?P<a_num>" + CNT + r")"
        r"(?:\s+(?P<a_mods>(?:"
        + MODWORD
        + r"\s+){0,3}?)(?:(?P<a_mil>"
        + MILITARY
        + r")|(?P<a_noun>"
        + PERSON
        + r")))?"
        r"(?:\s+and\s+(?P<a_num2>" + NUM + r")(?:\s+(?:" + MODWORD + r"\s+){0,2}?" + PERSON + r")?)?"
        r"(?P<a_paren>\s*,[^,]{1,80},)?\s+"
        + aux
        + r"(?P<a_verb>killed|dead|died|perished|injured|wounded|hurt)\b(?P<a_and>\s+and\s+(?:injured|wounded))?"
    )
    # verb first: "killing one person", "injuring at least 26 people", "killed a man", "kills 1, injures 1",
    # "wounded two other men", "left two dead"
    p["verb_first"] = (
        r"\b(?P<b_verb>kill(?:ed|ing|s)?|injur(?:ed|ing|es)|wound(?:ed|ing|s)|hurt(?:ing)?|claim(?:ed|ing)?\s+the\s+lives\s+of|"
        r"left)\s+(?P<b_qual>" + QUALIFIER_RE + r"\s+)?(?P<b_num>" + CNT + r")\b"
        r"(?:\s+(?P<b_mods>(?:"
        + MODWORD
        + r"\s+){0,3}?)(?:(?P<b_mil>"
        + MILITARY
        + r")|(?P<b_noun>"
        + PERSON
        + r"))\b)?"
        r"(?P<b_left>\s+(?:dead|injured|wounded))?"
    )
    # updates: "the death toll rose to 5", "the number of injured has risen to 63"
    p["update"] = (
        r"\b(?:(?P<c_toll>death\s+toll|toll)|number\s+of\s+(?:the\s+)?(?:people\s+)?(?P<c_field>dead|killed|injured|wounded|deaths|injuries))"
        r"\s+(?:[\w'-]+\s+){0,10}?(?:rose|risen|climbed|increased|grew|jumped|reached|stands\s+at|stood\s+at|is\s+now|now\s+stands\s+at)\s+"
        r"(?:to\s+)?(?P<c_qual>" + QUALIFIER_RE + r"\s+)?(?P<c_num>" + NUM + r")\b"
    )
    adj = (
        r"(?:(?:the|southern|northern|eastern|western|central|north-?eastern|north-?western|south-?eastern|"
        r"south-?western|frontline|front-line|Ukrainian|Russian|Ukraine's|Russia's|neighbouring|neighboring|nearby|"
        r"embattled|besieged|occupied|Russian-occupied|Russian-controlled|industrial|port|capital|regional|southeastern|"
        r"northeastern|northwestern|southwestern)\s+)*"
    )
    kind = r"(?:(?:city|town|village|settlement|capital|port\s+city|regional\s+(?:capital|centre|center)|suburb|district|community)\s+(?:of\s+)?)?"
    name = r"[A-Z][a-z'-]+(?:[ -][A-Z][a-z'-]+){0,2}"
    suffix = r"(?P<suffix>\s+(?:region|oblast|Oblast|Region|district|District|raion|province|Province))?"
    tail = (
        r"(?:\s+(?:district|raion)\s+of\s+(?:the\s+)?(?:city\s+of\s+)?(?P<place_of>" + name + r"))?"
        r"(?P<not_place>\s+(?:river|River|direction|front|axis|sector|Fleet|Sea|Reservoir|Dam|Bay|Strait|Channel))?"
        r"(?P<and_place>\s+and\s+(?:the\s+)?" + name + r")?"
    )
    # "in Dnipro", "in the Kherson region", "on the city of Sumy", "near Kramatorsk", "of Kharkiv",
    # "attack on Odesa", "strike Kyiv", "hit Zaporizhzhia", "attacked the Izmail district"
    p["place"] = (
        r"\b(?:[Ii]n|[Oo]n|[Aa]t|[Nn]ear|[Oo]f|[Oo]utside|[Oo]ver|(?:[Aa]ttacks?|[Ss]trikes?|[Aa]ssault|[Ss]helling|[Bb]ombardment|"
        r"[Rr]aids?|hit|struck|attacked|shelled|targeted|pounded)(?:\s+(?:on|against))?)\s+"
        + adj
        + kind
        + r"(?P<place>"
        + name
        + r")"
        + suffix
        + tail
    )
    # "Zaporizhzhia attack: ...", "the Kharkiv strike": the place named as the attack's target
    p["place_attack"] = (
        r"\b(?P<place>"
        + name
        + r")"
        + suffix
        + r"(?:'s)?\s+(?:attacks?|strikes?|shelling|bombing|explosions?|blasts?)\b"
    )
    p["nationwide"] = (
        r"(?i)\b(?:across|throughout|all\s+over)\s+(?:the\s+)?(?:ukraine|country|nation)\b|\bnationwide\b|"
        r"\bin\s+(?:several|multiple|various|different|\d+)\s+regions\b|\bacross\s+(?:several|multiple|\d+)\s+regions\b"
    )
    p["clause"] = r"(?i);|\bwhile\b|\bwhereas\b|\bmeanwhile\b"
    p["subset"] = r"(?i)\b(?:including|among\s+them|among\s+(?:the\s+)?(?:injured|wounded|dead|victims))\b"
    return p


PREFILTER_RE = r"(?i)kill|dead|died|death|injur|wound|hurt|perish|lives\b|toll"
# Cumulative tallies ("since the full-scale invasion began", "in 2023", "this year") are not one attack's
# toll (SCHEMA.md): their counts give no row. "Over the past day" / "24 hours" are daily reports and stay.
BACKGROUND_RE = (
    r"(?i)\b(?:since\s+(?:the\s+(?:start|beginning|full-scale)|february|march|20\d\d|it\s+began|russia\s+(?:launched|began|invaded))|"
    r"(?:this|last|past|previous)\s+(?:year|month|week)\b|(?:past|last)\s+(?:few\s+)?(?:weeks|months|years)|"
    r"in\s+(?:early\s+|late\s+)?(?:19|20)\d\d|during\s+(?:the\s+)?(?:war|invasion|occupation)|so\s+far\s+(?:this|in)|"
    r"in\s+total\s+since|war\s+began|full-scale\s+invasion\s+began|throughout\s+the\s+war|to\s+date)\b"
)


def _count_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    frames = []
    t = find_tokens(cand, "norm", p["count_first"], kind="count")
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["count_first"]))).unnest("g")
        frames.append(
            t.filter(
                pl.col("a_mil").is_null()
                & pl.col("a_and").is_null()  # "killed and wounded" is a combined (loss) tally
                & ~pl.col("a_mods").fill_null("").str.contains("(?i)" + NOT_A_MODIFIER)
            ).select(
                *KEYS, "pos", "end", "kind",
                field=pl.when(pl.col("a_verb").str.contains("(?i)" + KILLED_WORDS)).then(pl.lit("killed")).otherwise(pl.lit("injured")),
                count=_count(pl.col("a_num")) + pl.col("a_num2").cast(pl.Int64).fill_null(0),
                qual=_qual(pl.col("a_qual")),
            )
        )  # fmt: skip
    t = find_tokens(cand, "norm", p["verb_first"], kind="count")
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["verb_first"]))).unnest("g")
        is_left = pl.col("b_verb").str.to_lowercase() == "left"
        field_word = pl.when(is_left).then(pl.col("b_left")).otherwise(pl.col("b_verb"))
        frames.append(
            t.filter(
                pl.col("b_mil").is_null()
                & (~is_left | pl.col("b_left").is_not_null())
                & ~pl.col("b_mods").fill_null("").str.contains("(?i)" + NOT_A_MODIFIER)
            ).select(
                *KEYS, "pos", "end", "kind",
                field=pl.when(field_word.str.contains("(?i)" + KILLED_WORDS)).then(pl.lit("killed")).otherwise(pl.lit("injured")),
                count=_count(pl.col("b_num")),
                qual=_qual(pl.col("b_qual")),
            )
        )  # fmt: skip
    t = find_tokens(cand, "norm", p["update"], kind="count")
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["update"]))).unnest("g")
        frames.append(
            t.select(
                *KEYS, "pos", "end", "kind",
                field=pl.when(pl.col("c_toll").is_not_null() | pl.col("c_field").str.contains("(?i)dead|kill|death"))
                .then(pl.lit("killed")).otherwise(pl.lit("injured")),
                count=pl.col("c_num").cast(pl.Int64),
                qual=_qual(pl.col("c_qual")),
            )
        )  # fmt: skip
    if not frames:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64,
                    "kind": pl.String, "field": pl.String, "count": pl.Int64, "qual": pl.String}
        )  # fmt: skip
    # overlapping finds of the same words by two passes: keep the earliest-starting, longest
    counts = pl.concat(frames).sort(*KEYS, "pos", pl.col("end"), descending=[False, False, False, True])
    prev_end = pl.col("end").cum_max().shift(1).over(KEYS).fill_null(-1)
    return counts.filter(pl.col("pos") >= prev_end)


def _count(expr: pl.Expr) -> pl.Expr:
    low = expr.str.to_lowercase()
    return (
        pl.when(low.is_in(["a", "an", "another", "one"]))
        .then(pl.lit(1, pl.Int64))
        .otherwise(low.cast(pl.Int64, strict=False))
    )


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


def _place_tokens(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = find_tokens(cand, "norm", p["place"], kind="place", flags="")
    a = find_tokens(cand, "norm", p["place_attack"], kind="place", flags="")
    if a.height:
        a = a.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["place_attack"], flags=""))).unnest(
            "g"
        )
        a = a.with_columns(
            place_of=pl.lit(None, pl.String),
            not_place=pl.lit(None, pl.String),
            and_place=pl.lit(None, pl.String),
        )
    schema = {"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "end": pl.Int64, "kind": pl.String,
              "location": pl.String, "admin1": pl.String, "place_kind": pl.String, "nationwide": pl.Boolean}  # fmt: skip
    frames = []
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["place"], flags=""))).unnest("g")
        if a.height:
            t = pl.concat([t, a], how="diagonal_relaxed")
        t = t.filter(pl.col("not_place").is_null()).with_columns(
            location=pl.when(pl.col("place_of").is_not_null())
            .then(pl.col("place_of"))
            .otherwise(pl.concat_str(pl.col("place"), pl.col("suffix").fill_null(""))),
            ambiguous=pl.col("and_place").is_not_null() & pl.col("suffix").is_null(),
        )
        t = resolve_places(t, "location").filter(pl.col("admin1").is_not_null())
        frames.append(
            t.select(
                *KEYS,
                "pos",
                "end",
                "kind",
                pl.col("location").str.strip_chars(),
                "admin1",
                "place_kind",
                # "the cities of Zaporizhzhia and Kyiv": the figure cannot be split by place
                nationwide=pl.col("ambiguous"),
            )
        )
    n = find_tokens(cand, "norm", p["nationwide"], kind="place", flags="")
    if n.height:
        frames.append(
            n.select(*KEYS, "pos", "end", "kind", location=pl.lit(None, pl.String), admin1=pl.lit(None, pl.String),
                     place_kind=pl.lit(None, pl.String), nationwide=pl.lit(True))
        )  # fmt: skip
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def extract_casualties(sentences: pl.DataFrame) -> pl.DataFrame:
    """sentences -> casualty rows: article_id, location, admin1, killed, injured, qualifier, event_date,
    sentence_no (of the evidence)."""
    p = patterns()
    # places come from sentences that speak of an attack or its toll (any event word); a place in a
    # sentence about something else is not where casualties happened
    cand_all = sentences.filter(pl.col("has_event_words") & ~pl.col("bullet") & ~pl.col("timeline"))
    cand = cand_all.filter(
        pl.col("norm").str.contains(PREFILTER_RE) & ~pl.col("norm").str.contains(BACKGROUND_RE)
    )
    if cand.height == 0:
        return _empty_rows()
    counts = _count_tokens(cand, p)
    # the place can sit in the sentences before the count ("Russia hit Zaporizhzhia ... 13 were killed")
    context = cand_all.join(cand.select("article_id").unique(), on="article_id", how="semi")
    places = _place_tokens(context, p)
    subsets = find_tokens(cand, "norm", p["subset"], kind="subset", flags="").select(*KEYS, "pos")
    clauses = find_tokens(cand, "norm", p["clause"], kind="clause", flags="").select(*KEYS, "pos", "kind")
    if counts.height == 0:
        return _empty_rows()

    # parts of a count given before ("28 injured, including four children")
    counts = (
        counts.join(subsets.rename({"pos": "subset_pos"}), on=list(KEYS), how="left")
        .with_columns(
            is_part=pl.col("subset_pos").is_not_null()
            & (pl.col("subset_pos") < pl.col("pos"))
            & (pl.col("pos") - pl.col("subset_pos") < 40)
        )
        .group_by([*KEYS, "pos", "end", "kind", "field", "count", "qual"], maintain_order=True)
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
    sent_place = (
        places.sort(*KEYS, "pos")
        .group_by(KEYS, maintain_order=True)
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

    place_key = pl.col("location").str.to_lowercase()
    per_sentence = placed.group_by("article_id", "sentence_no", "field", place_key.alias("place_key")).agg(
        value=pl.col("count").sum(),
        qual=pl.col("qual"),
        location=pl.col("location").first(),
        admin1=pl.col("admin1").first(),
        place_kind=pl.col("place_kind").first(),
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
        sentence_no=pl.col("sentence_no").min(),
        quals=pl.col("quals").list.explode(keep_nulls=False, empty_as_null=False),
    )
    qualifier = (
        pl.when(pl.col("quals").list.contains("at_least")).then(pl.lit("at_least"))
        .when(pl.col("quals").list.contains("approx")).then(pl.lit("approx"))
        .otherwise(pl.lit("exact"))
    )  # fmt: skip
    rows = rows.with_columns(qualifier=qualifier)
    # a region-wide row is dropped when a named place in the same region has a row of its own
    has_local = (pl.col("place_kind") != "admin1").any().over("article_id", "admin1")
    rows = rows.filter(~((pl.col("place_kind") == "admin1") & has_local))
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
    counts = out.filter(pl.col("kind") == "count")

    def pick(tag: str) -> pl.Expr:
        # gaps between the count and the place on either side, edge to edge; a place right after the count
        # ("was killed in Kurakhove") binds tighter than one fronted before it ("In the Donetsk region, ...")
        d_prev = pl.col("pos") - pl.col(f"{tag}_prev_end")
        d_next = pl.col(f"{tag}_next_pos") - pl.col("end")
        return (
            pl.when(d_next.is_not_null() & (d_next <= 6))
            .then(pl.lit("next"))
            .when(pl.col(f"{tag}_next_pos").is_null() | (d_prev.is_not_null() & (d_prev <= d_next)))
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
        .select(*KEYS, "pos", "field", "count", "qual", "location", "admin1", "place_kind", "nationwide")
    )


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "location": pl.String, "admin1": pl.String, "killed": pl.Int64,
                "injured": pl.Int64, "qualifier": pl.String, "sentence_no": pl.Int32, "event_date": pl.Date}
    )  # fmt: skip
