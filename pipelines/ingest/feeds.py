"""RSS and Atom feeds (from a URL or a file) with feedparser: each entry's link, title, published date and
summary/content; optionally the full text of the entry's linked page.

A feed that declares entities in a DTD is refused before parsing ("feed_entity_declaration"): no real news feed
needs them, and they are how entity-expansion ("billion laughs") bombs work. feedparser itself is memory-safe
against them here (expat refuses the undefined entity and the loose parser leaves it unexpanded), but the bomb
is bad input and must show up in the quarantine, not as a feed with a strange title.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from pipelines.ingest.html import html_to_text, url_article_id
from pipelines.ingest.items import RawItem

_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.I)


def _entry_date(entry) -> str | None:
    """ISO date of the entry (published, else updated); the raw string when feedparser could not read it."""
    for key in ("published", "updated"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC).date().isoformat()  # feedparser normalises to UTC
        if entry.get(key):
            return str(entry.get(key))
    return None


def _entry_text(entry) -> str | None:
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if value and value.strip():
            return html_to_text(value)
    summary = entry.get("summary")
    return html_to_text(summary) if summary else None


def parse_feed(
    data: bytes,
    origin: str,
    *,
    fetched_on: date | None = None,
    page_fetcher: Callable[[str, str, dict], RawItem | None] | None = None,
) -> Iterator[RawItem]:
    """Feed bytes -> one item per entry, or one rejected item for the whole feed.

    `page_fetcher(link, entry_origin, entry_record)` may replace an entry by its linked page (None: keep the
    entry's own summary/content as its text)."""
    import feedparser

    if _ENTITY_DECL.search(data):
        yield RawItem(origin, None, "feed_entity_declaration", fetched_on)
        return
    try:
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception:  # noqa: BLE001 - whatever feedparser raises, the feed is bad input
        yield RawItem(origin, None, "unparseable_feed", fetched_on)
        return
    if not parsed.get("version") and not parsed.entries:
        yield RawItem(origin, None, "not_a_feed", fetched_on)
        return
    source = (parsed.feed.get("title") or "").strip() or None
    for n, entry in enumerate(parsed.entries, 1):
        link = entry.get("link")
        where = f"{origin}#{entry.get('id') or link or n}"
        record = {
            "id": url_article_id(link) if link else None,
            "url": link,
            "title": entry.get("title"),
            "published_at": _entry_date(entry),
            "source": source,
            "text": _entry_text(entry),
        }
        if page_fetcher is not None and link:
            page = page_fetcher(link, where, record)
            if page is not None:
                yield page
                continue
        yield RawItem(where, record, None, fetched_on)
