"""Territorial claims: "captured the village of X", "liberation of X", "X has been liberated" -> one row
per (article, settlement), with the side that took it and who says so.

Claims in sentences that speak of intent or doubt ("efforts to capture", "will likely capture",
"whether Russia will abandon the capture") or of the past ("recaptured during its 2022 offensive",
"last month") are not news of a capture and get no row (SCHEMA.md).
Actor: the nearest side word before the claim in its sentence ("Russia's capture", "Kyiv's forces"), else
the first side word of the nearest earlier sentence that has one, else Russia. Side words used as place
adjectives ("the Ukrainian city of", "Ukraine's Donetsk region") do not count.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.extract.gazetteer import resolve_places
from pipelines.extract.tokens import ARTICLE_KEY, anchored, find_tokens

KEYS = ("article_id", "sentence_no")
NAME = r"[A-Z][a-zA-Z'-]+(?:[ -][A-Z][a-zA-Z'-]+){0,2}"
ADJ = (
    r"(?:(?:small|key|strategic|frontline|front-line|eastern|western|southern|northern|central|nearby|"
    r"Ukrainian|Russian|Ukraine's|Russia's|industrial|embattled|besieged|tiny|fortress|logistics|mining|"
    r"border|former|important|eastern\s+Ukrainian|first|another|last|north-?eastern|south-?eastern|north-?western|"
    r"south-?western)\s+)*"
)
PLACE_NOUN = r"(?:village|town|city|settlement|hamlet|locality|urban-type\s+settlement|villages|settlements|towns|cities|hamlets|localities|stronghold|hub)"
NAMES = NAME + r"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)" + NAME + r")*"
# A capitalised word that follows the verb but is no settlement.
NOT_SETTLEMENT = (
    r"^(?:Ukraine|Russia|Russian|Ukrainian|Moscow|Kyiv|Kiev|Crimea|Donbas|Donbass|Europe|The|A|An|It|This|That|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Wagner|Kremlin|Telegram|NATO|Defence|Defense|Ministry|Army|"
    r"General|Staff|Forces|President|Putin|Zelensky|Zelenskyy)$"
)


@lru_cache(maxsize=1)
def patterns() -> dict[str, str]:
    p: dict[str, str] = {}
    # "captured the village of Sokil", "had taken the villages of A, B, and C", "took full control of the
    # Ukrainian city of X", "liberated X", "completed the capture of X"
    p["verb"] = (
        r"(?i:\b(?P<t_verb>captur(?:ed|es)|(?:took|taken|gained|regained|established)\s+(?:full\s+|complete\s+)?control\s+(?:of|over)|"
        r"seized|liberat(?:ed|es)|recaptur(?:ed|es)|retook|retaken|regained|took|taken|completed\s+the\s+capture\s+of|"
        r"(?:have|has|had)\s+occupied|"
        r"completed\s+the\s+liberation\s+of)\s+(?:the\s+)?)" + ADJ + r"(?i:(?:" + PLACE_NOUN + r")\s+of\s+)?"
        r"(?P<t_names>"
        + NAMES
        + r")(?P<t_after>\s+(?i:region|oblast|district|direction|axis|front|river|sector|offensive|counteroffensive))?"
    )
    # "Russia's capture of the village of Berezove", "the liberation of X"
    p["noun"] = (
        r"(?i:\b(?P<n_noun>capture|liberation|recapture|seizure|fall)\s+of\s+(?:the\s+)?)"
        + ADJ
        + r"(?i:(?:"
        + PLACE_NOUN
        + r")\s+of\s+)?(?P<n_names>"
        + NAMES
        + r")(?P<n_after>\s+(?i:region|oblast|district|direction|axis|front|river))?"
    )
    # "Urozhaine has been liberated", "the city of Bakhmut captured" (headline)
    p["passive"] = (
        r"(?P<p_name>"
        + NAME
        + r")\s+(?i:(?:has|had|have)\s+been\s+(?:fully\s+|completely\s+)?(?:liberated|captured|taken|recaptured|retaken|seized))\b"
        r"|(?i:\b(?:village|town|city|settlement)\s+of\s+)(?P<h_name>"
        + NAME
        + r")\s+(?i:captured|liberated|taken)\b"
    )
    # side words (actors); place adjectives ("the Ukrainian city of", "Ukraine's eastern Donetsk region")
    # are matched too, so that they can be told apart and ignored
    p["side"] = (
        r"(?i)\b(?:(?P<ru>russia|russian|russia's|russians|moscow|moscow's|kremlin|wagner|prigozhin|pro-russian|"
        r"russian-backed|separatists?|rogov|pushilin)|(?P<ua>ukraine|ukrainian|ukraine's|ukrainians|kyiv|kyiv's|kiev|kiev's|"
        r"zelensky\w*|syrskyi|maliar))\b"
        r"(?P<as_place>(?:\s+(?:eastern|western|southern|northern|central|north-?eastern|south-?eastern|frontline|"
        r"front-line|key|strategic|small|industrial|embattled|besieged|occupied))?(?:\s+[A-Z][a-z]+)?\s+(?:city|town|village|"
        r"villages|region|territory|settlement|oblast|capital|positions?|soil|border|side|lands?))?"
    )
    # the region the settlement lies in, when the sentence names it
    p["region"] = (
        r"(?:\b(?:in|of|into)\s+(?:the\s+)?(?:Ukraine's\s+|Ukrainian\s+|Russia's\s+)?"
        + ADJ
        + r"(?P<r1>[A-Z][a-z'-]+)\s+(?i:region|oblast))|(?:\b(?i:region)\s+of\s+(?P<r2>[A-Z][a-z'-]+))"
    )
    return p


# Intent, doubt and prediction near a claim ("efforts to capture", "will likely capture", "whether Russia will
# abandon the capture of"): no capture is reported. Checked in a window around the claim, not the whole
# sentence, so an unrelated clause ("the region Moscow claimed to have annexed") does not hide a real claim.
IRREALIS_RE = (
    r"(?i)\b(?:will|would|could|might|may|whether|plans?\s+to|planning\s+to|aims?\s+to|aim\s+is|intends?\s+to|"
    r"attempt(?:s|ed|ing)?\s+to|efforts?\s+to|trying\s+to|tries\s+to|try\s+to|goal|abandon\w*|expected\s+to|likely|"
    r"possible|possibly|threat\w*|seek(?:s|ing)?\s+to|bid\s+to|wants?\s+to|wanted\s+to|if|unless|predict\w*|forecast\w*)\b"
)
# Negation right before a claim ("has not captured", "failed to take"). A denial by the other side is not
# here: a disputed claim is still a claim (the warehouse records who claims it).
NEGATION_RE = r"(?i)\b(?:not|never|no\s+longer|yet\s+to|failed\s+to|fails\s+to|unable\s+to|n't)\b"
BACKGROUND_RE = (
    r"(?i)\b(?:previously|earlier\s+(?:this|last)\s+(?:week|month|year)|(?:last|past|previous)\s+(?:week|month|year)|"
    r"(?:early|late|earlier)\s+(?:this|last)\s+month|in\s+(?:early\s+|late\s+)?(?:19|20)\d\d|during\s+(?:its|the)\s+(?:19|20)\d\d|"
    r"back\s+in|(?:months|years|weeks)\s+ago|since\s+(?:19|20)\d\d|in\s+the\s+past|once\s+again|at\s+the\s+start\s+of\s+the\s+war)\b"
)
PREFILTER_RE = r"(?i)captur|control|seiz|liberat|took|taken|retook|retaken|regained|occupied|fall\s+of"


def _claims(cand: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    frames = []
    for name, names_col, after_col in (("verb", "t_names", "t_after"), ("noun", "n_names", "n_after")):
        t = find_tokens(cand, "norm", p[name], kind="claim", flags="")
        if t.height:
            t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p[name], flags=""))).unnest("g")
            frames.append(
                t.filter(pl.col(after_col).is_null()).select(
                    *KEYS, "pos", "end", names=pl.col(names_col), passive=pl.lit(False),
                    recapture=pl.col("tok").str.contains(r"(?i)\b(?:recaptur|retook|retaken|regained)"),
                )
            )  # fmt: skip
    t = find_tokens(cand, "norm", p["passive"], kind="claim", flags="")
    if t.height:
        t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["passive"], flags=""))).unnest("g")
        frames.append(
            t.select(
                *KEYS,
                "pos",
                "end",
                names=pl.coalesce("p_name", "h_name"),
                passive=pl.lit(True),
                recapture=pl.lit(False),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "article_id": ARTICLE_KEY,
                "sentence_no": pl.Int32,
                "pos": pl.Int64,
                "end": pl.Int64,
                "settlement": pl.String,
            }
        )
    claims = pl.concat(frames)
    # "the villages of A, B, and C" -> one claim per name
    return (
        claims.with_columns(settlement=pl.col("names").str.replace_all(r"\s+and\s+", ",").str.split(","))
        .explode("settlement")
        .with_columns(settlement=pl.col("settlement").str.replace(r"^\s*and\s+", "").str.strip_chars())
        .filter((pl.col("settlement") != "") & ~pl.col("settlement").str.contains(NOT_SETTLEMENT))
        .select(*KEYS, "pos", "end", "settlement")
    )


def _sides(frame: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = find_tokens(frame, "norm", p["side"], kind="side", flags="")
    if t.height == 0:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "pos": pl.Int64, "side": pl.String}
        )
    t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["side"]))).unnest("g")
    return t.filter(pl.col("as_place").is_null()).select(
        *KEYS, "pos", side=pl.when(pl.col("ru").is_not_null()).then(pl.lit("RU")).otherwise(pl.lit("UA"))
    )


CLAIMANTS = [
    # (pattern, claimant when the actor is RU, when UA)
    (r"(?i)\bISW\b|institute\s+for\s+(?:the\s+)?study\s+of\s+war", "ISW", "ISW"),
    (r"(?i)\bwagner\b|prigozhin", "Wagner", "Wagner"),
    (r"(?i)general\s+staff", "RU General Staff", "UA General Staff"),
    (
        r"(?i)defen[cs]e\s+ministry|ministry\s+of\s+defen[cs]e|\bmod\b|defen[cs]e\s+minist",
        "RU MoD",
        "UA officials",
    ),
    (
        r"(?i)state\s+media|\bria\b|\btass\b|war\s+bloggers?|milbloggers?|officials?|governor|spokes\w+|commander|"
        r"president|kremlin|army|military|minister|rogov|pushilin|maliar|syrskyi|zelensk\w+",
        "RU officials",
        "UA officials",
    ),
]


def _claimant(actor: pl.Expr) -> pl.Expr:
    expr = None
    for pat, ru, ua in CLAIMANTS:
        hit = pl.col("context").str.contains(pat)
        val = pl.when(actor == "RU").then(pl.lit(ru)).otherwise(pl.lit(ua))
        expr = pl.when(hit).then(val) if expr is None else expr.when(hit).then(val)
    return expr.otherwise(pl.lit(None, pl.String))


def extract_territorial_control(sentences: pl.DataFrame) -> pl.DataFrame:
    """sentences -> claim rows: article_id, settlement, admin1, actor, claimed_by, event_date, sentence_no."""
    p = patterns()
    base = sentences.filter(~pl.col("bullet"))
    # Headlines in Title Case make every word look like a name ("Ukraine Recaptures Key Village"): skipped.
    long_words = pl.col("norm").str.count_matches(r"\b[A-Za-z]{4,}")
    capitalised = pl.col("norm").str.count_matches(r"\b[A-Z][a-z]{3,}")
    title_case = (long_words >= 4) & (capitalised >= long_words * 0.7)
    cand = (
        base.filter(pl.col("has_event_words"))
        .filter(pl.col("norm").str.contains(PREFILTER_RE))
        .filter(~title_case)
    )
    claims = _claims(cand, p)
    if claims.height == 0:
        return _empty_rows()
    start = (pl.col("pos") - 70).clip(lower_bound=0)
    claims = (
        claims.join(cand.select(*KEYS, "norm"), on=list(KEYS), how="left")
        .with_columns(
            window=pl.col("norm").str.slice(start, pl.col("end") + 90 - start),
            just_before=pl.col("norm").str.slice(
                (pl.col("pos") - 40).clip(lower_bound=0), pl.min_horizontal(pl.col("pos"), 40)
            ),
        )
        .filter(
            ~pl.col("window").str.contains(IRREALIS_RE)
            & ~pl.col("window").str.contains(BACKGROUND_RE)
            & ~pl.col("just_before").str.contains(NEGATION_RE)
        )
        .drop("norm", "window", "just_before")
    )
    if claims.height == 0:
        return _empty_rows()
    context = base.join(claims.select("article_id").unique(), on="article_id", how="semi")

    # actor: nearest side word before the claim in its sentence, else the first side word of the nearest
    # earlier sentence with one, else RU
    sides = _sides(context, p)
    before = (
        claims.join(sides.rename({"pos": "side_pos"}), on=list(KEYS), how="left")
        .sort("side_pos", nulls_last=False)
        .group_by([*KEYS, "pos", "end", "settlement"], maintain_order=True)
        .agg(near_side=pl.col("side").filter(pl.col("side_pos") < pl.col("pos")).last())
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
    claims = before.join(earlier, on=list(KEYS), how="left").with_columns(
        actor=pl.coalesce("near_side", "earlier_side", pl.lit("RU"))
    )

    # admin1: a region named in the claim's sentence, else the settlement itself in the gazetteer,
    # else the last region named earlier in the article
    regions = _regions(context, p)
    last_region = (
        context.select(*KEYS)
        .join(regions, on=list(KEYS), how="left")
        .sort(*KEYS)
        .with_columns(prev_region=pl.col("region_admin1").forward_fill().over("article_id"))
        .select(*KEYS, "region_admin1", "prev_region")
    )
    claims = (
        resolve_places(claims, "settlement")
        .rename({"admin1": "own_admin1"})
        .drop("country", "place_kind", strict=False)
    )
    claims = claims.join(last_region, on=list(KEYS), how="left").with_columns(
        admin1=pl.coalesce("region_admin1", "own_admin1", "prev_region")
    )
    # claimant: the claim's sentence, else the one before it
    ctx = context.sort(*KEYS).with_columns(
        context=pl.concat_str(
            pl.col("norm").shift(1).over("article_id").fill_null(""), pl.lit(" "), pl.col("norm")
        )
    )
    own = context.select(*KEYS, own=pl.col("norm"))
    claims = (
        claims.join(own, on=list(KEYS), how="left")
        .with_columns(context=pl.col("own"))
        .with_columns(claimed_by=_claimant(pl.col("actor")))
        .drop("context")
        .join(ctx.select(*KEYS, "context"), on=list(KEYS), how="left")
        .with_columns(claimed_by=pl.coalesce("claimed_by", _claimant(pl.col("actor"))))
    )
    key = pl.col("settlement").str.to_lowercase()
    rows = claims.sort(*KEYS, "pos").group_by("article_id", key.alias("skey"), maintain_order=True).first()
    dates = (
        sentences.group_by("article_id").agg(event_date=pl.col("published_at").first())
        if "published_at" in sentences.columns
        else None
    )
    out = rows.select("article_id", "settlement", "admin1", "actor", "claimed_by", "sentence_no")
    if dates is not None:
        out = out.join(dates, on="article_id", how="left")
    else:
        out = out.with_columns(event_date=pl.lit(None, pl.Date))
    return out


def _regions(frame: pl.DataFrame, p: dict[str, str]) -> pl.DataFrame:
    t = find_tokens(frame, "norm", p["region"], kind="region", flags="")
    if t.height == 0:
        return pl.DataFrame(
            schema={"article_id": ARTICLE_KEY, "sentence_no": pl.Int32, "region_admin1": pl.String}
        )
    t = t.with_columns(g=pl.col("tok").str.extract_groups(anchored(p["region"], flags=""))).unnest("g")
    t = t.with_columns(region=pl.concat_str(pl.coalesce("r1", "r2"), pl.lit(" region")))
    t = resolve_places(t, "region").filter(pl.col("admin1").is_not_null())
    return (
        t.sort(*KEYS, "pos").group_by(KEYS, maintain_order=True).agg(region_admin1=pl.col("admin1").first())
    )


def _empty_rows() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"article_id": ARTICLE_KEY, "settlement": pl.String, "admin1": pl.String, "actor": pl.String,
                "claimed_by": pl.String, "sentence_no": pl.Int32, "event_date": pl.Date}
    )  # fmt: skip
