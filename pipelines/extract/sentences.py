"""Articles -> sentences with character offsets, as one polars pass over the whole text column.

The splitting regex is written so its matches tile the text: every character belongs to exactly one
match, so a sentence's start offset is the running sum of the lengths of the matches before it, computed
with a cumulative sum instead of a search. Offsets count characters (Python str indices), not bytes.
"""

from __future__ import annotations

import polars as pl

from pipelines.extract import rules, vocabulary
from pipelines.extract.air import PREFILTER_WORDS as AIR_PREFILTER
from pipelines.extract.casualties import CONTEXT_WORDS as CASUALTY_CONTEXT
from pipelines.extract.casualties import PREFILTER_WORDS as CASUALTY_PREFILTER
from pipelines.extract.numbers import normalise_for_matching
from pipelines.extract.territorial_control import PREFILTER_WORDS as TERRITORY_PREFILTER
from pipelines.extract.tokens import contains_any_word, literal_pattern

# Abbreviations whose period does not end a sentence ("U.S.", "a.m.", "No. 10", "Lt. Gen.", "St.").
# The word boundary is the ASCII one, (?-u:\b): the abbreviations are ASCII, and a Unicode \b makes the
# regex engine leave its fast DFA for every text holding a non-ASCII character (a curly quote, a dash),
# which is most real articles: three times slower.
_ASCII_B = r"(?-u:\b)"
_ABBREV = (
    rf"(?:{_ASCII_B}(?:[A-Z]\.){{2,}}|{_ASCII_B}[ap]\.m\.|{_ASCII_B}(?:No|Nos|Mr|Mrs|Ms|Dr|St|Lt|Gen|Col|Maj|Capt|"
    r"Sgt|Jr|Sr|Gov|Rep|Sen|Prof|Inc|Ltd|Co|Corp|vs|approx|est|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|"
    r"Dec)\.)"
)
# One sentence: abbreviations, decimal points ("54.9") or any character but a terminator or newline,
# then terminators (with closing quotes/brackets) or a newline, then the whitespace after it.
SENTENCE_RE = r"(?:" + _ABBREV + r"|\.\d|[^.!?\n|])*(?:[.!?|]+[\"')\]\u201d\u2019]*|\n)?[ \t\n\r\f\v]*"

# A "sentence" longer than this is no prose sentence: it is cut into pieces of at most LONG_PIECE_CHARS, at
# the end of the word each reaches; a word of over 100 characters is cut where it reaches the bound.
MAX_SENTENCE_CHARS = 4000
LONG_PIECE_CHARS = 2000
# (greedy up to the bound, then to the end of the word it reached: one alternative that always matches, linear
# on text without any whitespace)
LONG_PIECE_RE = rf"(?s).{{1,{LONG_PIECE_CHARS - 100}}}\S{{0,100}}\s*"

# Words without which no event pattern can match: the union of the event kinds' pre-filter words, so that
# a word one kind listens for is never dropped before it gets there. Matched as literals in one
# Aho-Corasick pass (a regex alternation of the ~300 weapon aliases is many times slower).
EVENT_WORDS = tuple(
    sorted(set(AIR_PREFILTER) | set(CASUALTY_PREFILTER) | set(CASUALTY_CONTEXT) | set(TERRITORY_PREFILTER))
)
EVENT_WORDS_RE = literal_pattern(EVENT_WORDS)

# A line that is a date and nothing else ("May 20, 2022", "2022-05-20"): a timeline's heading. An article with
# several is a timeline (or a chronology box), whose entries are history, not the news being reported.
DATE_LINE_RE = (
    r"(?i)^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|"
    r"nov|dec)[a-z]*\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2})\s*[:.]?\s*$"
)
TIMELINE_MIN_DATE_LINES = 3

rules.declare(
    {
        "sent.list_lines": "the counting lines of a list ('- 29 Kalibr missiles;') that a line ending in a colon opens are one sentence with it",
        "sent.region_context": "a sentence without event words that names a region is kept as context: 'attacks on 34 settlements of Sumy region' places the next sentence's village",
        "sent.timeline": "an article with several date-only lines is a timeline: its entries give no rows",
        "sent.bullet_sentence": "a bulleted line that ends as a sentence is the article's own (a digest's items); one without a full stop is a link or a key point",
    }
)

# Lines that start with a bullet are "read also" links or key-point summaries repeating the body in other
# words; their figures are not the article's own report.
BULLET_RE = r"^\s*[\u2022\u25cf\u25aa\u2023\u25e6]"
# A bulleted line at least this long is a sentence of the article's own (a digest's items), not a link.
BULLET_LINK_MAX_CHARS = 120
# A bulleted sentence: words and a full stop at its end; a link says so ("Read also: ...")
BULLET_SENTENCE_RE = r"\w[\w\s,;:()'’%\-–—/.]{20,}[.!?][\"”’)]?$"
BULLET_LINK_RE = r"(?i)^\W*(?:read|see)\s+(?:also|more)\b|^\W*related\b"


def split_sentences(
    articles: pl.DataFrame, *, keep: tuple[str, ...] = ("published_at",), events_only: bool = False
) -> pl.DataFrame:
    """articles(article_id, text, ...) -> one row per sentence: article_id, sentence_no, start, end,
    sentence (stripped original text), norm (the matching copy, see numbers.normalise_for_matching),
    bullet, has_event_words (a cheap pre-filter every event kind starts from), plus the columns in `keep`.
    Empty pieces (pure whitespace) are dropped.

    With `events_only`, only the sentences with event words are returned (with the numbering and offsets
    they have among all sentences): every extractor starts from them, and about nine sentences in ten of a
    news article have none, so stripping, bullet tests and the matching copy are computed for a tenth."""
    keep = tuple(c for c in keep if c in articles.columns)
    pieces = _cut_long(
        _join_list_lines(
            articles.select("article_id", *keep, piece=pl.col("text").fill_null("").str.extract_all(SENTENCE_RE))
            .explode("piece")
            .filter(pl.col("piece").is_not_null() & (pl.col("piece") != ""))
        )
    )
    pieces = (
        pieces.with_columns(length=pl.col("piece").str.len_chars().cast(pl.Int64))
        .with_columns(piece_start=(pl.col("length").cum_sum() - pl.col("length")).over("article_id"))
        # a piece of whitespace alone (leading blank lines, a line of no-break spaces) is not a sentence;
        # strip_chars and \s agree on what whitespace is (Unicode White_Space)
        .filter(~pl.col("piece").str.contains(r"^\s*$"))
        .with_columns(
            sentence_no=pl.int_range(pl.len()).over("article_id").cast(pl.Int32),
            # no event word starts or ends with whitespace, so the unstripped piece gives the same answer
            has_event_words=contains_any_word(pl.col("piece"), EVENT_WORDS),
        )
        .with_columns(timeline=_timeline())
    )

    if events_only:
        keep_row = pl.col("has_event_words")
        if rules.active("sent.region_context"):
            # a sentence that names a region is the context of the villages after it ("Russian troops carried
            # out 97 attacks on settlements of Sumy region. In the Myropillia hromada, two were injured"): kept,
            # without event words, so that no extractor reads it for events
            keep_row = keep_row | contains_any_word(pl.col("piece"), REGION_WORDS)
        if rules.active("ter.anaphoric_speaker"):
            # a sentence that names a ministry is the antecedent of a later "the ministry also said" or "it
            # said" (territorial_control._anaphor_sides): kept, without event words
            keep_row = keep_row | contains_any_word(pl.col("piece"), SPEAKER_WORDS)
        pieces = pieces.filter(keep_row)
    pieces = pieces.with_columns(
        lead=pl.col("length") - pl.col("piece").str.strip_chars_start().str.len_chars(),
        sentence=pl.col("piece").str.strip_chars(),
    )
    out = pieces.select(
        "article_id",
        *keep,
        "sentence_no",
        start=pl.col("piece_start") + pl.col("lead").cast(pl.Int64),
        end=pl.col("piece_start") + pl.col("lead").cast(pl.Int64) + pl.col("sentence").str.len_chars(),
        sentence="sentence",
        # a long bulleted sentence is the body of a digest, not a link
        bullet=pl.col("sentence").str.contains(BULLET_RE)
        & (pl.col("sentence").str.len_chars() < BULLET_LINK_MAX_CHARS)
        # a bulleted line that ends as a sentence is the article's own ("• Downed: 3 Kh-101 and 70 drones.",
        # a digest's key takeaways); links and key points are headlines, without the full stop
        & ~(
            pl.col("sentence").str.contains(BULLET_SENTENCE_RE)
            & ~pl.col("sentence").str.contains(BULLET_LINK_RE)
            & pl.lit(rules.active("sent.bullet_sentence"))
        ),
        timeline="timeline",
        has_event_words="has_event_words",
    )
    out = out.with_columns(norm=_norm_column(out))
    return out.with_columns(dated_pos=_dated_column(out))


# A line of a list that counts ("- 29 Kalibr cruise missiles (from the Black Sea);"), after a line that ends with
# a colon ("... 287 means of air attack, namely:"): the list's items belong to the sentence that opens it.
REGION_WORDS = ("region", "oblast", "province")
SPEAKER_WORDS = ("ministry", "general staff")
LIST_ITEM_RE = r"^\s*[-\u2013\u2014\u2022*]\s*\d"
LIST_OPENER_RE = r":\s*$"


def _join_list_lines(pieces: pl.DataFrame) -> pl.DataFrame:
    """Pieces (article_id, ..., piece, in text order) with the item lines of a list that a line ending in a
    colon opens joined onto that line (the text unchanged: the pieces are concatenated as they are)."""
    if not rules.active("sent.list_lines") or pieces.height == 0:
        return pieces
    blank = pl.col("piece").str.contains(r"^\s*$")
    item = pl.col("piece").str.contains(LIST_ITEM_RE)
    if not pieces.select((item & pl.col("piece").str.contains(LIST_OPENER_RE).any().over("article_id")).any()).item():
        return pieces
    lines = pieces.with_row_index("__row").filter(~blank)
    prev_item = item.shift(1).over("article_id").fill_null(False)
    prev_opener = pl.col("piece").str.contains(LIST_OPENER_RE).shift(1).over("article_id").fill_null(False)
    # a run of item lines is joined when the line before its first item opens a list
    lines = lines.with_columns(
        __joined=item & pl.when(item & ~prev_item).then(prev_opener).otherwise(None).forward_fill().over("article_id")
    )
    # each piece's group: a new one at every line that is not joined (blank pieces go with the line before)
    group = (
        pieces.with_row_index("__row")
        .join(lines.select("__row", "__joined"), on="__row", how="left", maintain_order="left")
        .with_columns(
            __new=pl.when(blank).then(pl.lit(False)).otherwise(~pl.col("__joined").fill_null(False)),
        )
        .with_columns(__group=pl.col("__new").cast(pl.Int32).cum_sum().over("article_id"))
    )
    keep = [c for c in pieces.columns if c not in ("article_id", "piece")]
    return (
        group.group_by("article_id", "__group", maintain_order=True)
        .agg(*[pl.col(c).first() for c in keep], piece=pl.col("piece").str.join(""))
        .select(pieces.columns)
    )


def _cut_long(pieces: pl.DataFrame) -> pl.DataFrame:
    """Pieces longer than MAX_SENTENCE_CHARS (no prose sentence is; a page without terminators, or a hostile
    one, is) cut into pieces of about LONG_PIECE_CHARS at a word's end, so that every later step that reads around
    a count within its sentence stays linear in the article's length. The cuts still tile the text."""
    long = pl.col("piece").str.len_bytes() > MAX_SENTENCE_CHARS
    if not pieces.select(long.any()).item():
        return pieces
    pieces = pieces.with_row_index("__piece")
    cut = (
        pieces.filter(long)
        .with_columns(pl.col("piece").str.extract_all(LONG_PIECE_RE))
        .explode("piece")
        .filter(pl.col("piece").is_not_null() & (pl.col("piece") != ""))
    )
    return pl.concat([pieces.filter(~long), cut]).sort("__piece", maintain_order=True).drop("__piece")


def _timeline() -> pl.Expr:
    """True for every sentence of an article with TIMELINE_MIN_DATE_LINES date-only lines or more."""
    if not rules.active("sent.timeline"):
        return pl.lit(False)
    date_lines = pl.col("piece").str.contains(DATE_LINE_RE).cast(pl.Int32).sum().over("article_id")
    return date_lines >= TIMELINE_MIN_DATE_LINES


def _dated_column(sentences: pl.DataFrame) -> pl.Series:
    """vocabulary.dated_earlier_pos of every event sentence's matching copy (null without a publication date),
    computed once for all kinds, on the sentences that name a month only and scattered back."""
    empty = pl.Series("dated_pos", [None] * sentences.height, dtype=pl.Int64)
    if "published_at" not in sentences.columns or sentences.height == 0:
        return empty
    idx = sentences.select(
        pl.col("has_event_words") & pl.col("norm").str.contains(vocabulary.MONTH_WORD_RE)
    ).to_series().arg_true()
    if idx.len() == 0:
        return empty
    published = pl.col("published_at")
    published = (
        published.str.to_date(strict=False)
        if sentences.schema["published_at"] == pl.String
        else published.cast(pl.Date, strict=False)
    )
    dated = sentences[idx].select(vocabulary.dated_earlier_pos(pl.col("norm"), published)).to_series()
    return empty.scatter(idx, dated)


def _norm_column(sentences: pl.DataFrame) -> pl.Series:
    """The matching copy of every sentence. The number/punctuation rewrite is the costliest step of the
    split, and polars evaluates both branches of a when/then over every row, so it runs only on the rows
    that have event words (a minority) and is scattered back; other sentences keep their text, padded."""
    padded = sentences.select(pl.concat_str(pl.lit(" "), pl.col("sentence"), pl.lit(" "))).to_series()
    idx = sentences["has_event_words"].arg_true()
    if idx.len() == 0:
        return padded.alias("norm")
    normed = sentences[idx].select(normalise_for_matching(pl.col("sentence"))).to_series()
    return padded.scatter(idx, normed).alias("norm")
