"""Ingest: input items (folders of .txt/.md/.json/.jsonl files, JSON-lines streams) -> raw_articles -> articles.

Every input item becomes exactly one raw_articles row. Items that cannot become an article keep a
`reject_reason` (and go to the quarantine table); the rest are normalised into the ARTICLES schema.
This module reads files and parses formats; it never extracts events.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from pipelines.schema import ARTICLES, QUARANTINE, RAW_ARTICLES, conform, empty

TEXT_SUFFIXES = (".txt", ".md")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES

# A file larger than this is not read whole: it is quarantined (an article is a few KB; a 50 MB "article"
# is a dump or an attack on memory).
MAX_FILE_BYTES = 5_000_000
# Encodings tried in order for files that are not valid UTF-8 (cp1252 covers most Western news CMS exports).
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)
_DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class RawItem:
    """One input item before normalisation: a parsed record or the reason it could not be parsed."""

    origin: str
    record: dict | None
    reject_reason: str | None = None


# --------------------------------------------------------------------------- parsing helpers
def parse_date(value: object) -> date | None:
    """ISO date or datetime strings (what feeds and the JSONL contract carry) -> date; anything else None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE_PREFIX.match(str(value))
    if not m:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


def normalise_text(text: str) -> str:
    """Unify line endings and drop the BOM and NUL bytes; evidence offsets refer to this normalised text."""
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def content_hash(text: str) -> str:
    """Hash of the whitespace-collapsed, case-folded text: identical stories hash alike across sources."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()


def decode_bytes(data: bytes) -> str | None:
    """Decode with UTF-8 first, then the usual fallbacks; None when nothing decodes cleanly."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for enc in FALLBACK_ENCODINGS[:-1]:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _split_front_matter(text: str) -> tuple[dict, str]:
    """Optional `---` key: value front matter at the top of .txt/.md files (title, url, published_at, ...)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m.group("body").splitlines():
        if ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip() or None
    return meta, text[m.end() :]


# --------------------------------------------------------------------------- readers
def read_jsonl_lines(lines: Iterable[str], origin: str) -> Iterator[RawItem]:
    """JSON-lines (the ../shared/eval/SCHEMA.md input format): one item per non-blank line."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{n}"
        try:
            obj = json.loads(line)
        except ValueError:
            yield RawItem(where, None, "invalid_json")
            continue
        if not isinstance(obj, dict):
            yield RawItem(where, None, "not_an_object")
            continue
        yield RawItem(where, obj)


def read_file(path: Path) -> Iterator[RawItem]:
    """One file -> its items (one for .txt/.md/.json objects, several for .jsonl and JSON arrays)."""
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield RawItem(origin, None, "unsupported_file_type")
        return
    try:
        size = path.stat().st_size
    except OSError:
        yield RawItem(origin, None, "unreadable_file")
        return
    if size > MAX_FILE_BYTES and suffix not in JSONL_SUFFIXES:
        yield RawItem(origin, None, "file_too_large")
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl_file(path)
        return
    data = path.read_bytes()
    text = decode_bytes(data)
    if text is None:
        yield RawItem(origin, None, "undecodable_bytes")
        return
    if suffix in JSON_SUFFIXES:
        try:
            obj = json.loads(text)
        except ValueError:
            yield RawItem(origin, None, "invalid_json")
            return
        objs = obj if isinstance(obj, list) else [obj]
        for i, o in enumerate(objs):
            where = origin if len(objs) == 1 else f"{origin}:{i + 1}"
            yield RawItem(where, o) if isinstance(o, dict) else RawItem(where, None, "not_an_object")
        return
    meta, body = _split_front_matter(text)
    record = {"id": meta.pop("id", None) or path.stem, "text": body, **meta}
    yield RawItem(origin, record)


def _read_jsonl_file(path: Path) -> Iterator[RawItem]:
    """Stream a JSON-lines file line by line (never whole), capping each line's size."""
    origin = str(path)
    with path.open("rb") as fh:
        n = 0
        for raw in fh:
            n += 1
            where = f"{origin}:{n}"
            if len(raw) > MAX_FILE_BYTES:
                yield RawItem(where, None, "line_too_large")
                continue
            line = decode_bytes(raw)
            if line is None:
                yield RawItem(where, None, "undecodable_bytes")
                continue
            for item in read_jsonl_lines([line], origin):
                yield RawItem(where, item.record, item.reject_reason)


def read_folder(folder: Path | str) -> Iterator[RawItem]:
    """Every supported file under `folder` (recursively, in sorted order so runs are deterministic)."""
    root = Path(folder)
    if root.is_file():
        yield from read_file(root)
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        yield from read_file(path)


# --------------------------------------------------------------------------- items -> frames
def _as_str(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def raw_articles_frame(items: Iterable[RawItem]) -> pl.DataFrame:
    """Items -> RAW_ARTICLES: normalise fields, give every item an id and a reject_reason where it fails."""
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
        norm = normalise_text(text) if isinstance(text, str) else None
        chash = content_hash(norm) if norm else None
        article_id = _as_str(rec.get("id") or rec.get("article_id"))
        if article_id is None and chash is not None:
            article_id = "sha-" + chash[:16]  # stable across runs: derived from the content
        rows.append(
            {
                "article_id": article_id,
                "url": _as_str(rec.get("url") or rec.get("link")),
                "title": _as_str(rec.get("title")),
                "published_at": parse_date(rec.get("published_at") or rec.get("date")),
                "source": _as_str(rec.get("source")),
                "text": norm if reason is None else None,
                "content_hash": chash,
                "origin": item.origin,
                "reject_reason": reason,
            }
        )
    if not rows:
        return empty(RAW_ARTICLES)
    df = pl.DataFrame(rows, schema=RAW_ARTICLES)
    # A second item with an id already seen in this batch is rejected, never silently merged.
    dup = pl.col("article_id").is_not_null() & pl.col("reject_reason").is_null()
    first_seen = pl.int_range(pl.len()).over("article_id", "ok") == 0
    return (
        df.with_columns(ok=dup)
        .with_columns(
            reject_reason=pl.when(pl.col("ok") & ~first_seen)
            .then(pl.lit("duplicate_article_id"))
            .otherwise(pl.col("reject_reason"))
        )
        .drop("ok")
    )


def accepted_articles(raw: pl.DataFrame) -> pl.DataFrame:
    """The raw items that became articles, in the ARTICLES schema."""
    return conform(raw.filter(pl.col("reject_reason").is_null()), ARTICLES)


def ingest_quarantine(raw: pl.DataFrame) -> pl.DataFrame:
    """Rejected input items as quarantine rows (stage "ingest"), one per item, keyed by origin."""
    rejected = raw.filter(pl.col("reject_reason").is_not_null())
    if rejected.height == 0:
        return empty(QUARANTINE)
    return conform(
        rejected.with_columns(
            # readable and stable across runs and polars versions (polars' hash() is neither)
            quarantine_id=pl.concat_str(pl.lit("ingest|"), pl.col("origin")),
            stage=pl.lit("ingest"),
            table_name=pl.lit("articles"),
            row_id=pl.col("origin"),
            reason=pl.col("reject_reason"),
            expectation=pl.lit(None, pl.String),
            row_json=pl.struct(
                "article_id", "url", "title", "published_at", "source", "origin", "content_hash"
            ).struct.json_encode(),
        ),
        QUARANTINE,
    )


def read_articles(path: Path | str) -> pl.DataFrame:
    """A folder or a single file -> RAW_ARTICLES frame."""
    return raw_articles_frame(read_folder(path))
