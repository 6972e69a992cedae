"""Input items -> the RAW_ARTICLES frame: every item one row, with a `reject_reason` where it cannot be an article.

The readers (folder, feeds, pages) yield `RawItem`s; this module normalises them into frames. It never reads
files or the network and never extracts events.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from pipelines.quarantine import quarantine_ids
from pipelines.schema import ARTICLES, QUARANTINE, RAW_ARTICLES, conform, empty

# The first day of the partitions (the full-scale invasion); a published date before it, or more than a day
# after the item was fetched, is not a date this warehouse can place: the item is quarantined.
PARTITION_START = date(2022, 2, 24)

# Encodings tried in order for bytes that are not valid UTF-8 (cp1252 covers most Western news CMS exports).
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252")
# Decoded text with more control characters than this share is binary, whatever decoded it.
MAX_CONTROL_SHARE = 0.02

_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b")  # 02.03.2025: day first, the European form
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")
# the zone names RFC 822 dates (RSS) may carry, as UTC offsets in seconds; any other name is refused
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600,
          "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600}  # fmt: skip
# two defaults that differ in year, month and day: a date that parses differently with each lacks one of them
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RawItem:
    """One input item before normalisation: a parsed record or the reason it could not be parsed.

    `fetched_on` is the day the item was obtained (a file's modification day, a fetch's day); it is the
    item's partition when the item has no published date of its own."""

    origin: str
    record: dict | None
    reject_reason: str | None = None
    fetched_on: date | None = None


# --------------------------------------------------------------------------- parsing helpers
def parse_date(value: object) -> date | None:
    """The day of a date or instant, by one rule for every source (JSON, front matter, RSS/Atom, HTML); None
    when it cannot be read.

    - **The day is the UTC day.** An instant with an offset or zone is placed on its UTC day
      (`2025-03-02T23:30:00-05:00` is 2025-03-03, from JSON as from RSS); a time without a zone is taken as
      UTC; a bare date is that date. The partitions are UTC days too.
    - **One parser** (python-dateutil), strict about garbage and generous about common forms: ISO 8601
      (`2025-03-02`, `2025-03-02T08:00:00Z`, `2025/03/02`, `20250302`), RFC 822 (`Sun, 02 Mar 2025 08:00:00
      +0000`, with UT/GMT/EST/.../PDT), `March 2, 2025`, `2 March 2025`. Day-month-year with dots
      (`02.03.2025`) is day first; with slashes, month first (`03/02/2025` is March 2).
    - **Refused**: anything with a word or a field the parser does not know (`2025-03-02garbage`,
      `T99:99:99`, `last Tuesday`, `2 days ago`), an impossible date (`2025-13-45`), a date lacking its year,
      month or day (`March 2025`, `Sunday`), a zone name other than the RFC 822 ones, anything but a string
      or a date (a number)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc_day(value)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = normalise_digits(unicodedata.normalize("NFKC", value)).strip()
    if not text or len(text) > 100:
        return None
    from dateutil import parser as dateutil_parser  # imported here: only item normalisation needs it

    dayfirst = bool(_DOTTED_DATE.match(text))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # UnknownTimezoneWarning: a zone we would have to guess
            first, second = (
                dateutil_parser.parse(text, default=d, dayfirst=dayfirst, tzinfos=_ZONES) for d in _DEFAULTS
            )
    except (ValueError, OverflowError, TypeError, Warning):
        return None
    if first.date() != second.date():  # year, month or day came from the default: not in the text
        return None
    return _utc_day(first)


def _utc_day(value: datetime) -> date:
    return value.date() if value.tzinfo is None else value.astimezone(UTC).date()


def normalise_digits(text: str) -> str:
    """Decimal digits of every script (Arabic-Indic, Devanagari, full-width, ...) as ASCII digits."""
    if text.isascii():
        return text
    return _NON_ASCII_DIGIT.sub(_ascii_digit, text)


def _ascii_digit(m: re.Match) -> str:
    ch = m.group()
    value = unicodedata.decimal(ch, None)
    return ch if value is None else str(value)


def normalise_text(text: str) -> str:
    """Unify line endings, drop the byte-order mark, and fold Unicode compatibility forms (NFKC: full-width
    letters and digits, no-break spaces, ligatures) and every script's decimal digits to ASCII digits, so
    "４０ drones" or "٤٠ drones" is "40 drones" to the extractor, never 0. Nothing else changes (NUL bytes,
    control characters, SQL, markup are kept: text is data). Evidence offsets refer to this text."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        return text
    return normalise_digits(unicodedata.normalize("NFKC", text))


def content_hash(text: str) -> str:
    """Hash of the whitespace-collapsed, case-folded text: identical stories hash alike across sources."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    return len(_CONTROL.findall(text[:20000])) > MAX_CONTROL_SHARE * min(len(text), 20000)


def decode_bytes(data: bytes) -> str | None:
    """UTF-8, UTF-16 with a BOM, then the usual fallbacks; None when nothing decodes to text (binary data)."""
    candidates: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append("utf-16")
    candidates += ["utf-8", *FALLBACK_ENCODINGS]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return None if _looks_binary(text) else text
    return None


def sha(text: str, n: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


# --------------------------------------------------------------------------- items -> frames
def clean_str(s: str) -> str:
    """`s` as valid UTF-8: lone surrogates (a JSON "\\ud800", a file name that is not UTF-8) become visible
    backslash escapes instead of failing the frame, Arrow and DuckDB, which accept only valid UTF-8."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")
    return s


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    s = clean_str(str(value)).strip()
    return s or None


def _date_field(rec: dict) -> object:
    for key in ("published_at", "date", "published"):
        if rec.get(key) not in (None, ""):
            return rec[key]
    return None


def raw_articles_frame(
    items: Iterable[RawItem],
    *,
    check_dates: bool = False,
    start: date = PARTITION_START,
    today: date | None = None,
    seen_ids: set[str] | None = None,
) -> pl.DataFrame:
    """Items -> RAW_ARTICLES: normalise fields, give every item an id and a reject_reason where it fails.

    `partition_date` is the published date, else the day the item was fetched. With `check_dates` (the
    warehouse path; `salvo extract` keeps every dated or undated article) a date that is present but cannot be
    read is rejected as "unparseable_date", and one before `start` or after `today` (+1, for time zones) as
    "date_out_of_range": a wrong date would misplace the item's events in time.

    `seen_ids` makes the duplicate-id rule span several calls (a large file read in chunks): ids in it are
    duplicates here too, and the ids this call accepts are added to it."""
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    rows = []
    for item in items:
        rec = item.record or {}
        text = rec.get("text")
        if text is None:
            text = rec.get("content") or rec.get("body")
        reason = item.reject_reason
        if reason is None:
            if text is None:
                reason = "missing_text"
            elif not isinstance(text, str):
                reason = "text_not_a_string"
            elif not text.strip():
                reason = "empty_text"
        raw_date = _date_field(rec)
        published = parse_date(raw_date)
        if check_dates and reason is None and raw_date is not None:
            if published is None:
                reason = "unparseable_date"
            elif published < start or published > latest:
                reason = "date_out_of_range"
        if reason in ("unparseable_date", "date_out_of_range"):
            published = None
        norm = normalise_text(clean_str(text)) if isinstance(text, str) else None
        chash = content_hash(norm) if norm else None
        article_id = _as_str(rec.get("id") or rec.get("article_id"))
        if article_id is None and chash is not None:
            article_id = "sha-" + chash[:16]  # stable across runs: derived from the content
        rows.append(
            {
                "article_id": article_id,
                "url": _as_str(rec.get("url") or rec.get("link")),
                "title": _as_str(rec.get("title")),
                "published_at": published,
                "source": _as_str(rec.get("source")),
                "text": norm if reason is None else None,
                "content_hash": chash,
                "origin": clean_str(item.origin),
                "partition_date": published or item.fetched_on,
                "reject_reason": reason,
            }
        )
    if not rows:
        return empty(RAW_ARTICLES)
    df = pl.DataFrame(rows, schema=RAW_ARTICLES)
    # A second item with an id already seen in this batch is rejected, never silently merged.
    dup = pl.col("article_id").is_not_null() & pl.col("reject_reason").is_null()
    first_seen = pl.int_range(pl.len()).over("article_id", "ok") == 0
    if seen_ids:
        first_seen = first_seen & ~pl.col("article_id").is_in(
            pl.Series(list(seen_ids), dtype=pl.String).implode()
        )
    df = (
        df.with_columns(ok=dup)
        .with_columns(
            reject_reason=pl.when(pl.col("ok") & ~first_seen)
            .then(pl.lit("duplicate_article_id"))
            .otherwise(pl.col("reject_reason"))
        )
        .drop("ok")
    )
    if seen_ids is not None:
        seen_ids.update(df.filter(pl.col("reject_reason").is_null())["article_id"].drop_nulls().to_list())
    return df


def accepted_articles(raw: pl.DataFrame) -> pl.DataFrame:
    """The raw items that became articles, in the ARTICLES schema."""
    return conform(raw.filter(pl.col("reject_reason").is_null()), ARTICLES)


def ingest_quarantine(raw: pl.DataFrame) -> pl.DataFrame:
    """Rejected input items as quarantine rows (stage "ingest"), one per item.

    quarantine_id is "ingest|<origin>|<partition_date>" (plus "|n" for a repeated origin): readable, stable
    across runs, and distinct for the same URL failing on two different days. row_json carries the item's
    `partition_date`, which is how a partition re-run finds and replaces these rows."""
    rejected = raw.filter(pl.col("reject_reason").is_not_null())
    if rejected.height == 0:
        return empty(QUARANTINE)
    # readable and stable across runs and polars versions (pipelines/quarantine.py)
    ids = quarantine_ids(
        rejected, ["ingest", pl.col("origin").fill_null(""), pl.col("partition_date")], hashed=False
    )
    return conform(
        rejected.with_columns(
            ids,
            stage=pl.lit("ingest"),
            table_name=pl.lit("articles"),
            row_id=pl.col("origin"),
            reason=pl.col("reject_reason"),
            expectation=pl.lit(None, pl.String),
            row_json=pl.struct(
                "article_id",
                "url",
                "title",
                "published_at",
                "source",
                "origin",
                "content_hash",
                "language",
                "duplicate_of",
                "partition_date",
            ).struct.json_encode(),
        ),
        QUARANTINE,
    )
