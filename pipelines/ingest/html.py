"""HTML pages (saved files or fetched URLs): the main article text with trafilatura, boilerplate (menus, share
buttons, comments) removed; title and date from the page's metadata where present."""

from __future__ import annotations

import logging
import urllib.parse
from datetime import date

from pipelines.ingest.items import RawItem, sha

# htmldate's "extensive search" guesses dates from any digits on the page; only metadata and markup count here.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)


def url_article_id(url: str) -> str:
    """A stable article id for a web article: derived from its canonical URL."""
    from pipelines.ingest.dedup import canonical_url

    return "url-" + sha(canonical_url(url) or url)


def html_to_text(fragment: str) -> str:
    """Feed summaries and content are HTML fragments: their text, one block per line."""
    if "<" not in fragment:
        return fragment
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - lxml raises several types on junk; junk is not an article
        return ""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
        el.tail = "\n" + (el.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().splitlines()]
    return "\n".join(line for line in lines if line)


def page_item(
    data: bytes | str,
    origin: str,
    *,
    url: str | None,
    fetched_on: date | None,
    min_words: int = 20,
    default_id: str | None = None,
    source: str | None = None,
) -> RawItem:
    """One HTML page -> one item: its main text and metadata, or "no_article_text"."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            data,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception:  # noqa: BLE001 - a page that breaks the parser is bad input, not a crash
        return RawItem(origin, None, "unparseable_html", fetched_on)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text.split()) < min_words:
        return RawItem(origin, None, "no_article_text", fetched_on)
    page_url = url or getattr(doc, "url", None)
    host = urllib.parse.urlsplit(page_url).hostname if page_url else None
    record = {
        "id": default_id or (url_article_id(page_url) if page_url else None),
        "url": page_url,
        "title": getattr(doc, "title", None),
        "published_at": getattr(doc, "date", None),
        "source": source or getattr(doc, "sitename", None) or host,
        "text": text,
    }
    return RawItem(origin, record, None, fetched_on)
