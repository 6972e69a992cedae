"""Folders and landing directories: .txt .md .html .json .jsonl files (and saved .xml/.rss/.atom feeds).

Files are never read whole past a size cap: a non-JSON-lines file larger than `max_file_bytes` is quarantined
after a `stat`, and JSON-lines files are streamed line by line with each line capped at `max_line_bytes`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.ingest.items import RawItem, decode_bytes

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl",)
FEED_SUFFIXES = (".xml", ".rss", ".atom")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + FEED_SUFFIXES

_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<body>.*?)\n---\s*\n", re.S)


@dataclass(frozen=True)
class FileLimits:
    """Caps on what a file may cost. An article is a few KB; a 50 MB "article" is a dump or an attack."""

    max_file_bytes: int = 5_000_000  # any file but .jsonl
    max_line_bytes: int = 5_000_000  # one line of a .jsonl file
    min_page_words: int = 20  # an HTML page whose main text is shorter has no article


DEFAULT_LIMITS = FileLimits()


def file_day(path: Path) -> date | None:
    """The day a file landed (its modification time, UTC): its partition when it carries no date."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    except OSError:
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


def read_jsonl_lines(lines: Iterable[str], origin: str, fetched_on: date | None = None) -> Iterator[RawItem]:
    """JSON-lines (the ../shared/eval/SCHEMA.md input format): one item per non-blank line."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{origin}:{n}"
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            yield RawItem(where, None, "invalid_json", fetched_on)
            continue
        if not isinstance(obj, dict):
            yield RawItem(where, None, "not_an_object", fetched_on)
            continue
        yield RawItem(where, obj, None, fetched_on)


def read_file(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Iterator[RawItem]:
    """One file -> its items (one for .txt/.md/.html/.json objects, several for .jsonl, JSON arrays, feeds)."""
    origin = str(path)
    suffix = path.suffix.lower()
    day = file_day(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield RawItem(origin, None, "unsupported_file_type", day)
        return
    try:
        size = path.stat().st_size
    except OSError:
        yield RawItem(origin, None, "unreadable_file", day)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl_file(path, limits, day)
        return
    if size > limits.max_file_bytes:
        yield RawItem(origin, None, "file_too_large", day)
        return
    try:
        data = path.read_bytes()
    except OSError:
        yield RawItem(origin, None, "unreadable_file", day)
        return
    if suffix in FEED_SUFFIXES:
        from pipelines.ingest.feeds import parse_feed

        yield from parse_feed(data, origin, fetched_on=day)
        return
    if suffix in HTML_SUFFIXES:
        from pipelines.ingest.html import page_item

        yield page_item(data, origin, url=None, fetched_on=day, min_words=limits.min_page_words)
        return
    text = decode_bytes(data)
    if text is None:
        yield RawItem(origin, None, "undecodable_bytes", day)
        return
    if suffix in JSON_SUFFIXES:
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: [[[[...]]]] nested past the parser's depth
            yield RawItem(origin, None, "invalid_json", day)
            return
        objs = obj if isinstance(obj, list) else [obj]
        if not objs:
            yield RawItem(origin, None, "empty_json", day)
        for i, o in enumerate(objs):
            where = origin if len(objs) == 1 else f"{origin}:{i + 1}"
            yield (
                RawItem(where, o, None, day)
                if isinstance(o, dict)
                else RawItem(where, None, "not_an_object", day)
            )
        return
    meta, body = _split_front_matter(text)
    record = {"id": meta.pop("id", None) or path.stem, "text": body, **meta}
    yield RawItem(origin, record, None, day)


def _read_jsonl_file(path: Path, limits: FileLimits, day: date | None) -> Iterator[RawItem]:
    """Stream a JSON-lines file line by line, never holding more than `max_line_bytes` of one line."""
    origin = str(path)
    cap = limits.max_line_bytes
    try:
        fh = path.open("rb")
    except OSError:
        yield RawItem(origin, None, "unreadable_file", day)
        return
    with fh:
        n = 0
        while True:
            raw = fh.readline(cap + 1)
            if not raw:
                break
            n += 1
            where = f"{origin}:{n}"
            if len(raw) > cap and not raw.endswith(b"\n"):
                # skip the rest of the over-long line in bounded chunks
                while True:
                    chunk = fh.readline(1 << 20)
                    if not chunk or chunk.endswith(b"\n"):
                        break
                yield RawItem(where, None, "line_too_large", day)
                continue
            line = decode_bytes(raw)
            if line is None:
                yield RawItem(where, None, "undecodable_bytes", day)
                continue
            for item in read_jsonl_lines([line], origin, day):
                yield RawItem(where, item.record, item.reject_reason, day)


def list_files(root: Path) -> list[Path]:
    """Every non-hidden file under `root` (or `root` itself), sorted so runs are deterministic."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def guarded(items: Iterable[RawItem], origin: str, day: date | None) -> Iterator[RawItem]:
    """The items of one input, and if reading it fails in a way no rule foresaw, one more item that says so
    ("read_error") instead of an exception that would stop the run."""
    try:
        yield from items
    except Exception:  # noqa: BLE001 - the safety net: bad input never stops a run
        yield RawItem(origin, None, "read_error", day)


def read_folder(folder: Path | str, limits: FileLimits = DEFAULT_LIMITS) -> Iterator[RawItem]:
    """Every file under `folder` (recursively, in sorted order so runs are deterministic)."""
    for path in list_files(Path(folder)):
        yield from guarded(read_file(path, limits), str(path), file_day(path))
