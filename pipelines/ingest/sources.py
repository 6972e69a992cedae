"""The three kinds of source, as plain functions yielding RawItems: folders, feeds, pages.

Network items take `fetched_on` from the caller (the run's fetch day); file items take their modification day.
A failure anywhere (a path that is gone, a feed that times out, a page that 404s) is an item with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from pipelines.ingest.fetch import FetchPolicy, fetch
from pipelines.ingest.folder import (
    DEFAULT_LIMITS,
    HTML_SUFFIXES,
    FileLimits,
    file_day,
    guarded,
    read_folder,
    read_regular,
)
from pipelines.ingest.html import page_item
from pipelines.ingest.items import RawItem, parse_date

# url -> the article_id the warehouse already holds for it (skip the fetch), or None
SeenUrl = Callable[[str], str | None]
# a day -> whether it is one of the run's partitions (entries of other days are not fetched)
InWindow = Callable[[date], bool]


def is_url(spec: str) -> bool:
    return spec.split("://", 1)[0].lower() in ("http", "https") and "://" in spec


def read_folders(paths: Iterable[str], limits: FileLimits = DEFAULT_LIMITS) -> Iterator[RawItem]:
    """Folders or files; a path that does not exist is skipped (an empty landing folder is not an error)."""
    for p in paths:
        path = Path(p)
        if path.exists():
            yield from read_folder(path, limits)


def _fetch_page(
    url: str,
    origin: str,
    policy: FetchPolicy,
    fetched_on: date,
    limits: FileLimits,
    *,
    seen_url: SeenUrl | None = None,
    source: str | None = None,
) -> RawItem:
    if seen_url is not None and (known := seen_url(url)):
        return RawItem(origin, {"url": url, "id": known}, "already_loaded", fetched_on)
    res = fetch(url, policy)
    if not res.ok:
        return RawItem(origin, {"url": url}, res.error, fetched_on)
    return page_item(
        res.body, origin, url=url, fetched_on=fetched_on, min_words=limits.min_page_words, source=source
    )


def read_feeds(
    feeds: Iterable[str],
    policy: FetchPolicy,
    fetched_on: date,
    *,
    fetch_pages: bool = False,
    in_window: InWindow | None = None,
    seen_url: SeenUrl | None = None,
    limits: FileLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem]:
    """RSS/Atom feeds from URLs or files. With `fetch_pages`, each entry of the window whose link the
    warehouse does not hold yet is replaced by its linked page's main text."""
    for spec in feeds:
        yield from guarded(
            _read_feed(spec, policy, fetched_on, fetch_pages, in_window, seen_url, limits), spec, fetched_on
        )


def _read_feed(
    spec: str,
    policy: FetchPolicy,
    fetched_on: date,
    fetch_pages: bool,
    in_window: InWindow | None,
    seen_url: SeenUrl | None,
    limits: FileLimits,
) -> Iterator[RawItem]:
    from pipelines.ingest.feeds import parse_feed

    if is_url(spec):
        res = fetch(spec, policy)
        if not res.ok:
            yield RawItem(spec, {"url": spec}, res.error, fetched_on)
            return
        data, day = res.body, fetched_on
    else:
        path = Path(spec)
        day = file_day(path) or fetched_on
        data, reason = read_regular(path, limits.max_file_bytes, follow=True)  # a configured path: followed
        if data is None:
            yield RawItem(spec, None, reason, day)
            return

    fetcher = None
    if fetch_pages:

        def fetcher(link: str, origin: str, record: dict, _day: date = day) -> RawItem | None:
            published = parse_date(record.get("published_at"))
            if in_window is not None and not in_window(published or _day):
                return None  # another partition's entry: not this run's to fetch
            item = _fetch_page(
                link, origin, policy, _day, limits, seen_url=seen_url, source=record.get("source")
            )
            if item.record is not None and item.reject_reason is None:
                # the feed knows the entry's date and title better than page heuristics do
                rec = dict(item.record)
                for key in ("title", "published_at"):
                    if record.get(key):
                        rec[key] = record[key]
                item = RawItem(item.origin, rec, None, item.fetched_on)
            return item

    yield from parse_feed(data, spec, fetched_on=day, page_fetcher=fetcher)


def read_pages(
    pages: Iterable[str],
    policy: FetchPolicy,
    fetched_on: date,
    *,
    seen_url: SeenUrl | None = None,
    limits: FileLimits = DEFAULT_LIMITS,
) -> Iterator[RawItem]:
    """HTML pages: a URL, a saved .html file, or a text file listing URLs (one a line, # comments)."""
    for spec in pages:
        yield from guarded(_read_page_spec(spec, policy, fetched_on, seen_url, limits), spec, fetched_on)


def _read_page_spec(
    spec: str, policy: FetchPolicy, fetched_on: date, seen_url: SeenUrl | None, limits: FileLimits
) -> Iterator[RawItem]:
    if is_url(spec):
        yield _fetch_page(spec, spec, policy, fetched_on, limits, seen_url=seen_url)
        return
    path = Path(spec)
    if path.suffix.lower() in HTML_SUFFIXES or path.is_dir():
        yield from read_folder(path, limits)
        return
    data, reason = read_regular(path, limits.max_file_bytes, follow=True)
    if data is None:
        yield RawItem(spec, None, reason, fetched_on)
        return
    lines = data.decode("utf-8", errors="replace").splitlines()
    for n, line in enumerate(lines, 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        if not is_url(url):
            yield RawItem(f"{spec}:{n}", {"url": url}, "unsupported_url_scheme", fetched_on)
            continue
        yield _fetch_page(url, url, policy, fetched_on, limits, seen_url=seen_url)
