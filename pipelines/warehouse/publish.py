"""Publishing a run: readers never wait for a writer and never see a half-written run.

DuckDB lets one process write a file and, while it does, refuses every other process, readers included. So a
run never writes the published file (warehouse/salvo.duckdb). Under an exclusive file lock it:

1. copies the published file to a staging file beside it (`.salvo.duckdb.staging-<pid>-<random>`);
2. loads the batch into the staging file: the per-article tables, `weapons` and every derived table in one
   transaction (`load_batch`), then the report views from sql/ and the COMMENT ONs, then a CHECKPOINT so
   the staging file is complete without a WAL;
3. fsyncs it and swaps it in with `os.replace` (atomic on POSIX), then fsyncs the directory.

A reader opens the published path read-only: it gets the old file or the new one, whole, and never a lock
conflict, because no process writes that path. A connection opened before the swap keeps reading the old
file (its inode lives on until closed); the next connection sees the new one. `connect(read_only=True)` still
retries for a few seconds on a lock conflict, for anyone who opens the file read-write by hand.

Writers are serialized by an `fcntl.flock` on `.salvo.duckdb.lock` (and, in Dagster, by the `salvo_warehouse`
concurrency pool of the warehouse asset): two runs that both copied the old file would otherwise each swap in
a warehouse without the other's load. A crash leaves at most a staging file, removed by the next publish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from .db import connect, ensure_schema
from .docs import apply_comments
from .load import LoadSummary, load_batch

LOCK_TIMEOUT_S = float(os.environ.get("SALVO_PUBLISH_LOCK_TIMEOUT", 1800))


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.lock")


def _staging_prefix(db_path: Path) -> str:
    return f".{db_path.name}.staging-"


@contextlib.contextmanager
def writer_lock(db_path: Path | str, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Exclusive lock of the warehouse's writers (processes and threads alike: one open file each)."""
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


def _stage(db_path: Path) -> Path:
    """A private copy of the published file (with its WAL, if a writer crashed there) to write into."""
    staging = db_path.with_name(f"{_staging_prefix(db_path)}{os.getpid()}-{secrets.token_hex(4)}")
    if db_path.exists():
        shutil.copyfile(db_path, staging)
        if _wal(db_path).exists():
            shutil.copyfile(_wal(db_path), _wal(staging))
    return staging


def _finalize(staging: Path, sql_dir: Path | None) -> list[str]:
    """Views, comments, checkpoint: the staging file becomes a complete warehouse with no WAL."""
    from pipelines.reports import create_views  # reports imports this package; import late

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
    On any error the published file is untouched and the copy is removed."""
    path = Path(db_path)
    with writer_lock(path):
        _remove_stale_staging(path)
        staging = _stage(path)
        try:
            yield staging
            _finalize(staging, sql_dir)
            _swap(staging, path)
        finally:
            for leftover in (staging, _wal(staging)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


def publish_batch(
    db_path: Path | str,
    articles: pl.DataFrame,
    events: Mapping[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    partitions: tuple[dt.date, dt.date] | None = None,
    *,
    sql_dir: Path | None = None,
) -> LoadSummary:
    """`load_batch` (load + consolidation), views and comments into a copy, swapped in atomically."""
    with staged(db_path, sql_dir) as staging:
        return load_batch(staging, articles, events, quarantine, partitions)


def publish_views(db_path: Path | str, sql_dir: Path | None = None) -> None:
    """Republish the warehouse with its views recreated from sql/ (and the derived tables recomputed), e.g.
    after a view file changed, without loading anything."""
    from .load import recompute

    with staged(db_path, sql_dir) as staging:
        recompute(staging)
