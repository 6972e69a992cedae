"""Publishing a run: readers never wait for a writer and never see a half-written run.

DuckDB lets one process write a file and, while it does, refuses every other process, readers included. So a
run never writes the published file (warehouse/salvo.duckdb). Under an exclusive file lock it:

1. copies the published file to a staging file beside it (`.salvo.duckdb.staging-<pid>-<random>`): a reflink
   where the filesystem shares blocks between files (btrfs, XFS), else an in-kernel copy;
2. loads the run's batches into the staging file, each in one transaction (`load_batch`: the per-article
   tables, `weapons` and the derived rows of the event keys it touched), then the report views from sql/ and
   the COMMENT ONs, then a CHECKPOINT so the staging file is complete without a WAL;
3. fsyncs it and swaps it in with `os.replace` (atomic on POSIX), then fsyncs the directory.

A reader opens the published path read-only: it gets the old file or the new one, whole, and never a lock
conflict, because no process writes that path. A connection opened before the swap keeps reading the old
file (its inode lives on until closed); the next connection sees the new one. `connect(read_only=True)` still
retries for a few seconds on a lock conflict, for anyone who opens the file read-write by hand.

Writers are serialized by an `fcntl.flock` on `.salvo.duckdb.lock` (and, in Dagster, by the `salvo_warehouse`
concurrency pool of the warehouse asset): two runs that both copied the old file would otherwise each swap in
a warehouse without the other's load. A crash leaves at most a staging file, removed by the next publish.

The copy is the one cost of a publish that grows with the warehouse (on ext4, a full read and write of the
file). A run of several batches, such as a backfill, therefore loads them all into one copy and publishes once
(`publish_batches`, or `publish_session` for a caller that produces its batches one by one); readers see the
warehouse before the run or after it, never in between.

On a DuckLake (SALVO_WAREHOUSE=ducklake:postgres:..., pipelines/warehouse/db.py) there is no file to copy
and no lock: a publish is one DuckLake transaction (snapshot isolation) holding every batch of the run, the
views when their sql/ file changed, and the comments when they changed; readers attach read-only and see the
last committed snapshot. Two runs that commit at once always conflict, since every load rewrites `weapons`
(DuckLake refuses two transactions deleting from one data file); that is what makes the last seen-before
screen sound across runs. The one that loses gets DuckLake's "Transaction conflict" at COMMIT, nothing of it
is written, and `retrying` runs the whole publish again against
the new snapshot (for up to SALVO_PUBLISH_LOCK_TIMEOUT seconds), re-reading what it reads (the seen-before
screen of pipelines/batch.py included). Retried whole, a publish never loses or duplicates a row.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import os
import random
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from pipelines import settings
from pipelines.settings import Lake, Warehouse

from .db import (
    as_warehouse,
    committed_snapshot,
    connect,
    ensure_schema,
    in_transaction,
    is_conflict,
    transaction,
)
from .docs import apply_comments
from .load import LoadSummary, load_batch, load_into, recompute_into
from .views import create_views

T = TypeVar("T")


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.lock")


def _staging_prefix(db_path: Path) -> str:
    return f".{db_path.name}.staging-"


@contextlib.contextmanager
def writer_lock(db_path: Path | str, timeout_s: float | None = None) -> Iterator[None]:
    """Exclusive lock of the warehouse's writers (processes and threads alike: one open file each); waits at
    most `timeout_s` (default SALVO_PUBLISH_LOCK_TIMEOUT, 1800 s)."""
    if timeout_s is None:
        timeout_s = settings.publish_lock_timeout_s()
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    with open(_lock_path(path), "a+") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"another run has been publishing {path} for {timeout_s:.0f}s"
                    ) from exc
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _remove_stale_staging(db_path: Path) -> None:
    """Staging files left by a crashed publish (only the lock holder creates them, so every one is stale)."""
    for stale in db_path.parent.glob(_staging_prefix(db_path) + "*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ioctl FICLONE (linux/fs.h): make the destination share the source's blocks, copy-on-write.
_FICLONE = 0x40049409
# errors meaning "this filesystem or kernel cannot do that here": try the next way of copying
_UNSUPPORTED = {
    errno.EOPNOTSUPP,
    errno.ENOTTY,
    errno.EXDEV,
    errno.EINVAL,
    errno.ENOSYS,
    errno.EBADF,
    errno.EPERM,
}


def copy_file(source: Path, target: Path) -> str:
    """Copy `source` to a new file `target`; returns how: "reflink", "copy_file_range" or "shutil".

    A reflink (btrfs, XFS, bcachefs; where the filesystem supports it) shares the blocks copy-on-write: the
    copy is instant whatever the file's size, and writes to either file never show in the other.
    copy_file_range copies inside the kernel (no user-space buffer; NFS copies on the server, and some
    filesystems share blocks this way too). A buffered read and write is the portable fallback."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            return "reflink"
        except OSError as exc:
            if exc.errno not in _UNSUPPORTED:
                raise
        size, done = os.fstat(src.fileno()).st_size, 0
        try:
            while done < size:
                n = os.copy_file_range(src.fileno(), dst.fileno(), size - done)
                if n == 0:  # a filesystem that copies nothing this way (or a source that shrank)
                    break
                done += n
        except (OSError, AttributeError) as exc:  # AttributeError: a platform without os.copy_file_range
            if done or (isinstance(exc, OSError) and exc.errno not in _UNSUPPORTED):
                raise
        if done == size:
            return "copy_file_range"
        if done:
            raise OSError(f"copying {source} stopped after {done} of {size} bytes")
        src.seek(0)
        dst.seek(0)
        shutil.copyfileobj(src, dst, 16 * 1024 * 1024)
        return "shutil"


def _staging_path(db_path: Path) -> Path:
    return db_path.with_name(f"{_staging_prefix(db_path)}{os.getpid()}-{secrets.token_hex(4)}")


def _stage(db_path: Path, staging: Path) -> None:
    """Make `staging` a private copy of the published file (with its WAL, if a writer crashed there) to write
    into. A copy that fails half-way (a full disk) is removed by the caller."""
    if db_path.exists():
        copy_file(db_path, staging)
        if _wal(db_path).exists():
            copy_file(_wal(db_path), _wal(staging))


def published_file(db_path: Path | str) -> Path:
    """The file a warehouse path names: a symlink (or a chain of them) is followed, so that a publish replaces
    its target and the link stays a link; the lock and the staging copy live beside that target."""
    return Path(os.path.realpath(db_path))


def _finalize(staging: Path, sql_dir: Path | None) -> list[str]:
    """Views, comments, checkpoint: the staging file becomes a complete warehouse with no WAL."""
    con = connect(staging)
    try:
        ensure_schema(con)
        views = create_views(con, sql_dir)
        apply_comments(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if _wal(staging).exists():  # pragma: no cover - a clean close checkpoints; never swap in half a file
        raise RuntimeError(f"{staging} still has a WAL after CHECKPOINT and close")
    return views


def _swap(staging: Path, db_path: Path) -> None:
    _fsync(staging)
    os.replace(staging, db_path)
    # A WAL beside the old file belongs to it (it was copied into the staging file); DuckDB would refuse to
    # replay it onto the new one. Readers that meet it in the meantime retry (db.connect).
    with contextlib.suppress(FileNotFoundError):
        _wal(db_path).unlink()
    _fsync(db_path.parent, directory=True)


@contextlib.contextmanager
def staged(db_path: Path | str, sql_dir: Path | None = None) -> Iterator[Path]:
    """Lock, copy the published warehouse, let the caller write the copy, then finalize and swap it in.
    On any error (the copy itself failing on a full disk included) the published file is untouched and the
    copy is removed. A `db_path` that is a symlink stays one: its target is what is replaced."""
    path = published_file(db_path)
    with writer_lock(path):
        _remove_stale_staging(path)
        staging = _staging_path(path)
        try:
            _stage(path, staging)
            yield staging
            _finalize(staging, sql_dir)
            _swap(staging, path)
        finally:
            for leftover in (staging, _wal(staging)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


@dataclass(frozen=True)
class PublishSession:
    """One publish: batches loaded here are published together when the session ends. For a file, `path` is
    the staging copy and `con` is None (each batch is a transaction of its own into the copy); for a lake,
    `con` is the connection whose one transaction is the publish and `path` is None."""

    path: Path | None
    con: duckdb.DuckDBPyConnection | None = None
    # a lake's snapshot, once the session committed it
    committed: list[int] = field(default_factory=list)

    def load(
        self,
        articles: pl.DataFrame,
        events: Mapping[str, pl.DataFrame],
        quarantine: pl.DataFrame,
        partitions: tuple[dt.date, dt.date] | None = None,
    ) -> LoadSummary:
        """`load_batch` into the copy (one transaction per batch), or into the lake's transaction."""
        if self.con is not None:
            return load_into(self.con, articles, events, quarantine, partitions)
        assert self.path is not None
        return load_batch(self.path, articles, events, quarantine, partitions)


def _finalize_lake(con: duckdb.DuckDBPyConnection, sql_dir: Path | None) -> list[str]:
    """The views and comments of a lake publish, inside its transaction: only those that differ from what
    the lake holds. Two runs that both rewrote an unchanged view would conflict on it at every commit."""
    ensure_schema(con)
    views = create_views(con, sql_dir, only_changed=True)
    apply_comments(con, only_changed=True)
    return views


@contextlib.contextmanager
def _lake_session(lake: Lake, sql_dir: Path | None) -> Iterator[PublishSession]:
    """db.in_transaction, plus the snapshot the commit made, read on the same connection before it closes."""
    con = connect(lake)
    try:
        with in_transaction(con):
            ensure_schema(con)
            session = PublishSession(None, con)
            yield session
            _finalize_lake(con, sql_dir)
        # a conflict raises at the COMMIT, its transaction already ended (see db.in_transaction)
        session.committed.append(committed_snapshot(con))
    finally:
        con.close()


def retrying(db_path: Warehouse | str, attempt: Callable[[], T]) -> T:
    """`attempt()` (one whole publish); on a lake, again while it loses a commit to another run's
    (db.is_conflict), with a growing, jittered pause, for up to SALVO_PUBLISH_LOCK_TIMEOUT seconds. A file's
    publishes are serialized by the writers' lock and never conflict: called once."""
    if not isinstance(as_warehouse(db_path), Lake):
        return attempt()
    deadline = time.monotonic() + settings.publish_lock_timeout_s()
    pause = 0.05
    while True:
        try:
            return attempt()
        except duckdb.Error as exc:
            if not is_conflict(exc) or time.monotonic() >= deadline:
                raise
        # jittered: two runs that conflicted must not come back in step and conflict again
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, 2.0)


@contextlib.contextmanager
def publish_session(db_path: Warehouse | str, sql_dir: Path | None = None) -> Iterator[PublishSession]:
    """Load any number of batches into one copy of the warehouse, published (views, comments, checkpoint, atomic
    swap) when the block ends without an error; on an error nothing is published. One copy for the whole run,
    instead of one per batch. The writers' lock is held throughout. `session.path` is the copy, for reads that
    must see the batches loaded so far (e.g. seen-before), through connections closed before the next load.

    On a lake: one transaction, committed when the block ends. A commit that conflicts raises
    duckdb.TransactionException ("Transaction conflict"); wrap the whole block in `retrying` to run it again."""
    target = as_warehouse(db_path)
    if isinstance(target, Lake):
        with _lake_session(target, sql_dir) as session:
            yield session
        return
    with staged(target, sql_dir) as staging:
        yield PublishSession(staging)


def publish_batches(
    db_path: Warehouse | str, batches: Iterable[Mapping[str, Any]], *, sql_dir: Path | None = None
) -> list[LoadSummary]:
    """Load several batches (each a mapping of `load_batch`'s arguments: articles, events, quarantine and
    optionally partitions) into one copy and publish it once: readers see all of them or none. Batches are
    taken one at a time, so a generator keeps memory to one batch (on a lake, the batches taken are kept for a
    retry of the transaction)."""
    taken: list[Mapping[str, Any]] = []
    source = iter(batches)

    def feed() -> Iterator[Mapping[str, Any]]:
        yield from taken  # an attempt after a conflict replays what the first one took
        for batch in source:
            if lake:
                taken.append(batch)
            yield batch

    lake = isinstance(as_warehouse(db_path), Lake)

    def attempt() -> list[LoadSummary]:
        with publish_session(db_path, sql_dir) as session:
            return [session.load(**batch) for batch in feed()]

    return retrying(db_path, attempt)


def publish_batch(
    db_path: Warehouse | str,
    articles: pl.DataFrame,
    events: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    partitions: tuple[dt.date, dt.date] | None = None,
    *,
    sql_dir: Path | None = None,
) -> LoadSummary:
    """`load_batch` (load + consolidation), views and comments into a copy, swapped in atomically (on a lake,
    in one transaction, retried on a conflict)."""
    target = as_warehouse(db_path)
    if not isinstance(target, Lake):
        with staged(target, sql_dir) as staging:
            return load_batch(staging, articles, events, quarantine, partitions)

    def attempt() -> LoadSummary:
        with publish_session(target, sql_dir) as session:
            summary = session.load(articles, events, quarantine, partitions)
        return dataclasses.replace(summary, snapshot=session.committed[-1])

    return retrying(target, attempt)


def publish_views(db_path: Warehouse | str, sql_dir: Path | None = None) -> None:
    """Republish the warehouse with its views recreated from sql/ (and the derived tables recomputed whole), e.g.
    after a view file or the consolidation rules changed, without loading anything."""
    from .load import recompute

    target = as_warehouse(db_path)
    if not isinstance(target, Lake):
        with staged(target, sql_dir) as staging:
            recompute(staging)
        return

    def attempt() -> None:
        with publish_session(target, sql_dir) as session:
            assert session.con is not None
            recompute_into(session.con)

    retrying(target, attempt)


def _held_weapons(target: Warehouse) -> pl.DataFrame | None:
    """The warehouse's weapons table (None: no warehouse, or no such table yet), read read-only."""
    from .db import LakeUnavailable, existing_tables, read_table

    if isinstance(target, Path) and not target.exists():
        return None
    try:
        con = connect(target, read_only=True)
    except LakeUnavailable as exc:
        if "creating a new DuckLake is explicitly disabled" in str(exc):
            return None  # a catalog database without a lake yet: the publish below creates it
        raise
    try:
        return read_table(con, "weapons").sort("alias") if "weapons" in existing_tables(con) else None
    finally:
        con.close()


def publish_weapons(db_path: Warehouse | str, sql_dir: Path | None = None) -> tuple[int, bool]:
    """Make the published `weapons` table equal weapons.csv; returns (rows, whether a publish was needed).

    Every load rewrites the table from the CSV too (load_batch), so this publishes only when the warehouse does
    not exist yet or the CSV changed since the last load: a read-only comparison otherwise."""
    from .load import replace_table, weapons_frame

    want = weapons_frame()
    target = as_warehouse(db_path)
    held = _held_weapons(target)
    if held is not None and held.equals(want):
        return want.height, False
    if not isinstance(target, Lake):
        with staged(target, sql_dir) as staging, transaction(staging) as con:
            ensure_schema(con)
            replace_table(con, "weapons", want)
        return want.height, True

    def attempt() -> None:
        with publish_session(target, sql_dir) as session:
            assert session.con is not None
            replace_table(session.con, "weapons", want)

    retrying(target, attempt)
    return want.height, True
