"""Ingest: sources (folders, RSS/Atom feeds, HTML pages) -> raw_articles -> articles.

Every input item becomes exactly one raw_articles row. Items that cannot become an article keep a
`reject_reason` (and go to the quarantine table); the rest are normalised into the ARTICLES schema.
This package reads files, fetches URLs and parses formats; it never extracts events.

- items:    RawItem, dates, text normalisation, items -> RAW_ARTICLES frame, quarantine rows
- folder:   .txt .md .html .json .jsonl (and saved feeds) from folders, with size caps
- fetch:    http(s) with a timeout, a size cap, bounded redirects, a host allowlist
- feeds:    RSS/Atom with feedparser
- html:     main text and metadata of HTML pages with trafilatura
- language: a script + stopword language guess
- dedup:    canonical URLs, near-duplicate clusters (MinHash + Jaccard)
- screen:   partitions, language, duplicates and seen-before items of one batch
- sources:  the three source kinds as item iterators
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.ingest.folder import (
    DEFAULT_LIMITS,
    SUPPORTED_SUFFIXES,
    FileLimits,
    read_file,
    read_folder,
    read_jsonl_lines,
)
from pipelines.ingest.items import (
    PARTITION_START,
    RawItem,
    accepted_articles,
    content_hash,
    decode_bytes,
    ingest_quarantine,
    normalise_text,
    parse_date,
    raw_articles_frame,
)

MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_FILE_BYTES",
    "PARTITION_START",
    "SUPPORTED_SUFFIXES",
    "FileLimits",
    "RawItem",
    "accepted_articles",
    "content_hash",
    "decode_bytes",
    "ingest_quarantine",
    "normalise_text",
    "parse_date",
    "raw_articles_frame",
    "read_articles",
    "read_file",
    "read_folder",
    "read_jsonl_lines",
]


def read_articles(path: Path | str) -> pl.DataFrame:
    """A folder or a single file -> RAW_ARTICLES frame (what `salvo extract` reads: no partitions, no
    date screening, no deduplication)."""
    return raw_articles_frame(read_folder(path))
