"""RSS and Atom feeds (from a URL or a file) with feedparser: each entry's link, title, published date and
summary/content; optionally the full text of the entry's linked page.

A feed with a DTD is refused before parsing: "feed_entity_declaration" when it declares entities (how
entity-expansion "billion laughs" bombs and XXE work), "feed_dtd" for any other DOCTYPE. No news feed needs
one. The check runs on the text as the parser would see it, decoded the way feedparser decodes it (UTF-16,
UTF-32, UTF-7 and other declared encodings included), and on the raw bytes with NULs removed (UTF-16/32
without a declaration), so no encoding hides a declaration from it. feedparser itself is memory-safe against
such feeds here, but a bomb is bad input and must show up in the quarantine, not as an article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from pipelines.ingest.html import html_to_text, url_article_id
from pipelines.ingest.items import RawItem

_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.I)
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.I)


def dtd_reason(data: bytes) -> str | None:
    """"feed_entity_declaration" or "feed_dtd" when the feed, decoded as feedparser decodes it (or read with
    NULs removed), declares entities or a DOCTYPE; else None."""
    from feedparser.encodings import convert_to_utf8

    views = [data, data.replace(b"\x00", b"")]
    try:
        views.append(convert_to_utf8({}, data, {}))
    except Exception:  # noqa: BLE001 - undecodable: the raw views are checked, feedparser will refuse it
        pass
    if any(_ENTITY_DECL.search(v) for v in views):
        return "feed_entity_declaration"
    if any(_DOCTYPE.search(v) for v in views):
        return "feed_dtd"
    return None


def _entry_date(entry) -> str | None:
    """The entry's date as the feed writes it (published, else updated), for `parse_date`: the one date rule
    of every source, not feedparser's own more lenient one. Only a date feedparser found in a form it alone
    gives (parsed, without the string) is taken from its parse, as a UTC instant."""
    for key in ("published", "updated"):
        if entry.get(key):
            return str(entry.get(key))
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()  # feedparser normalises to UTC
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

    refused = dtd_reason(data)
    if refused:
        yield RawItem(origin, None, refused, fetched_on)
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
