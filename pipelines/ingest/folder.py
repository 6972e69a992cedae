"""Folders and landing directories: .txt .md .html .json .jsonl files (and saved .xml/.rss/.atom feeds).

The rule for what a folder holds (one rule, for every reader and the landing sensor):
- **Regular files** under the folder, at any depth, are read, hidden ones (`.name`) and those in hidden
  folders included: a file is an input whatever its name.
- **Nothing is followed**: a symlink under the folder (to a file or a folder, inside or outside it, dangling,
  or a loop) is one quarantine row, "symlink_not_followed", and is never opened. The path you configure is
  the exception: it is yours, so a configured path that is a symlink is followed.
- **Anything else** (a FIFO, a socket, a device) is one row, "not_a_regular_file", and is never opened: files
  are opened with O_NONBLOCK | O_NOFOLLOW and checked with fstat, so even an entry swapped for a FIFO or a
  symlink after the listing cannot hang a run or lead outside the folder. A folder that cannot be listed is
  one row, "unreadable_folder"; a folder met twice (a bind mount looping back) is one row, "folder_loop".
- An empty file is one row ("empty_text"), a `.jsonl` with no line as well.

`inventory()` lists, independently of the readers (os.walk, not following links), every entry a folder
holds; the run checks that each one is the origin of at least one item (`unaccounted`).

Files are never read whole past a size cap: a non-JSON-lines file larger than `max_file_bytes` is quarantined
after an fstat, and JSON-lines files are streamed line by line with each line capped at `max_line_bytes`.
"""

from __future__ import annotations

import bisect
import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from pipelines.ingest.items import RawItem, clean_str, decode_bytes

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
    """The day a file landed (its modification time, UTC): its partition when it carries no date. A symlink's
    own time (it is not followed)."""
    try:
        return datetime.fromtimestamp(os.lstat(path).st_mtime, UTC).date()
    except OSError:
        return None


# keys of the front matter that would name the text: the body is the text, so they are refused, not merged
_TEXT_KEYS = ("text", "content", "body")


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


def open_regular(path: Path, *, follow: bool = False) -> tuple[BinaryIO | None, str | None]:
    """(binary file, None) for a regular file, else (None, reason): never blocks on a FIFO (O_NONBLOCK) and,
    unless `follow`, never follows a symlink (O_NOFOLLOW); the type is checked on the open descriptor."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and os.path.islink(path):
            return None, "symlink_not_followed"
        return None, "not_a_regular_file" if exc.errno == errno.ENXIO else "unreadable_file"  # ENXIO: a socket
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None, "not_a_regular_file"
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), None
    except OSError:
        os.close(fd)
        return None, "unreadable_file"


def read_regular(path: Path, cap: int, *, follow: bool = False) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most `cap` bytes, else (None, reason): file_too_large, or one of
    open_regular's reasons."""
    fh, reason = open_regular(path, follow=follow)
    if fh is None:
        return None, reason
    with fh:
        try:
            if os.fstat(fh.fileno()).st_size > cap:
                return None, "file_too_large"
            data = fh.read(cap + 1)
        except OSError:
            return None, "unreadable_file"
    if len(data) > cap:  # it grew since the fstat
        return None, "file_too_large"
    return data, None


def read_file(path: Path, limits: FileLimits = DEFAULT_LIMITS, *, follow: bool = False) -> Iterator[RawItem]:
    """One file -> its items (one for .txt/.md/.html/.json objects, several for .jsonl, JSON arrays, feeds).
    Only a regular file is read (see the module doc); `follow` follows the path if it is a symlink (a path
    configured by name)."""
    origin = str(path)
    suffix = path.suffix.lower()
    day = file_day(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield RawItem(origin, None, "unsupported_file_type", day)
        return
    if suffix in JSONL_SUFFIXES:
        fh, reason = open_regular(path, follow=follow)
        if fh is None:
            yield RawItem(origin, None, reason, day)
            return
        with fh:
            yield from _read_jsonl_file(fh, origin, limits, day)
        return
    data, reason = read_regular(path, limits.max_file_bytes, follow=follow)
    if data is None:
        yield RawItem(origin, None, reason, day)
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
    if any(meta.get(key) is not None for key in _TEXT_KEYS):
        # a `text:` (content:, body:) key would silently replace or shadow the body: refused, visibly
        yield RawItem(origin, None, "front_matter_text_key", day)
        return
    record = {**meta, "id": meta.get("id") or path.stem, "text": body}
    yield RawItem(origin, record, None, day)


def _read_jsonl_file(fh: BinaryIO, origin: str, limits: FileLimits, day: date | None) -> Iterator[RawItem]:
    """Stream a JSON-lines file line by line, never holding more than `max_line_bytes` of one line; a file
    with no item at all (empty, or blank lines only) is one "empty_text" item."""
    cap = limits.max_line_bytes
    n = items = 0
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
            items += 1
            yield RawItem(where, None, "line_too_large", day)
            continue
        line = decode_bytes(raw)
        if line is None:
            items += 1
            yield RawItem(where, None, "undecodable_bytes", day)
            continue
        for item in read_jsonl_lines([line], origin, day):
            items += 1
            yield RawItem(where, item.record, item.reject_reason, day)
    if items == 0:
        yield RawItem(origin, None, "empty_text", day)


def _entries(folder: Path, seen: set[tuple[int, int]]) -> Iterator[tuple[Path, str]]:
    """(path, kind) of every entry under `folder`, depth first in sorted order (as sorted paths are), never
    following a symlink: kind is "file", "symlink", "special", "unreadable_folder" or "folder_loop"."""
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield folder, "folder_loop"
            return
        seen.add(key)
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        yield folder, "unreadable_folder"
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                yield path, "symlink"
            elif entry.is_dir(follow_symlinks=False):
                yield from _entries(path, seen)
            elif entry.is_file(follow_symlinks=False):
                yield path, "file"
            else:
                yield path, "special"
        except OSError:
            yield path, "special"


_REASONS = {
    "symlink": "symlink_not_followed",
    "special": "not_a_regular_file",
    "unreadable_folder": "unreadable_folder",
    "folder_loop": "folder_loop",
}


def list_files(root: Path) -> list[Path]:
    """Every entry under `root` (or `root` itself) that is not a folder: regular files, symlinks and special
    files alike, in sorted order; what `read_folder` makes items of (the landing sensor watches these)."""
    root = Path(root)
    try:
        is_dir = root.is_dir()
    except OSError:
        is_dir = False
    if not is_dir:
        return [root] if os.path.lexists(root) else []
    return [path for path, kind in _entries(root, set()) if kind != "unreadable_folder"]


def read_entry(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Iterator[RawItem]:
    """The items of one entry of a folder, not following it: a regular file's items, else one rejected item."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        yield RawItem(str(path), None, "unreadable_file", None)
        return
    if stat.S_ISLNK(mode):
        yield RawItem(str(path), None, "symlink_not_followed", file_day(path))
    elif stat.S_ISREG(mode):
        yield from guarded(read_file(path, limits), str(path), file_day(path))
    else:
        yield RawItem(str(path), None, "not_a_regular_file", file_day(path))


def guarded(items: Iterable[RawItem], origin: str, day: date | None) -> Iterator[RawItem]:
    """The items of one input, and if reading it fails in a way no rule foresaw, one more item that says so
    ("read_error") instead of an exception that would stop the run."""
    try:
        yield from items
    except Exception:  # noqa: BLE001 - the safety net: bad input never stops a run
        yield RawItem(origin, None, "read_error", day)


def read_folder(folder: Path | str, limits: FileLimits = DEFAULT_LIMITS) -> Iterator[RawItem]:
    """Every entry under `folder` (recursively, in sorted order so runs are deterministic), by the rule of
    the module doc; `folder` may also be a file. Nothing at all for a path that does not exist."""
    root = Path(folder)
    try:
        mode = os.stat(root).st_mode  # the configured path itself is followed
    except OSError:
        if os.path.lexists(root):  # a dangling or looping symlink, or no permission
            yield RawItem(str(root), None, "unreadable_file", file_day(root))
        return
    if stat.S_ISREG(mode):
        yield from guarded(read_file(root, limits, follow=True), str(root), file_day(root))
        return
    if not stat.S_ISDIR(mode):
        yield RawItem(str(root), None, "not_a_regular_file", file_day(root))
        return
    for path, kind in _entries(root, set()):
        if kind == "file":
            yield from guarded(read_file(path, limits), str(path), file_day(path))
        else:
            yield RawItem(str(path), None, _REASONS[kind], file_day(path))


# --------------------------------------------------------------------------- what was found on disk
def inventory(paths: Iterable[str | Path]) -> list[str]:
    """Every entry found on disk under `paths`, listed by os.walk (not following links), independently of
    the readers: each file, symlink or special file, each folder that cannot be listed, and each configured
    path that is not a folder. Paths as item origins spell them (clean_str)."""
    found: list[str] = []
    for p in paths:
        root = Path(p)
        if not os.path.lexists(root):
            continue
        if not root.is_dir():
            found.append(clean_str(str(root)))
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
            names = [*filenames, *(n for n in dirnames if os.path.islink(os.path.join(dirpath, n)))]
            found += [clean_str(os.path.join(dirpath, n)) for n in names]
        found += [clean_str(str(e.filename)) for e in errors if e.filename is not None]
    return found


def unaccounted(found: Iterable[str], origins: Iterable[str]) -> list[str]:
    """The entries of `found` that no item names as its origin (the entry itself, or `entry:line`,
    `entry#entry-id` for the items of a JSON-lines file, a JSON array or a feed)."""
    ordered = sorted(set(origins))
    missing = []
    for path in found:
        i = bisect.bisect_left(ordered, path)
        named = False
        while i < len(ordered) and ordered[i].startswith(path):
            rest = ordered[i][len(path) :]
            if rest == "" or rest[0] in ":#":
                named = True
                break
            i += 1
        if not named:
            missing.append(path)
    return missing
