"""Publishing holds its bounds: a staging copy that fails on a full disk is removed (a real small tmpfs where
the machine lets the test mount one, else a simulated ENOSPC), the published file is left byte for byte, and a
warehouse path that is a symlink stays a symlink, its target updated."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse_rows import batch

from pipelines.warehouse import connect, publish_batch

D0 = dt.date(2025, 8, 1)


def _articles(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.sql("SELECT count(*) FROM articles").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs mounted for the test; skipped where mounting is not allowed."""
    mount = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave: int) -> Path:
    """A file that takes the free space of `folder`'s filesystem down to about `leave` bytes."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "filler"
    with filler.open("wb") as fh:
        fh.write(b"\0" * max(free - leave, 0))
    return filler


def _leftovers(folder: Path, db: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{db.name}.staging-"))


def test_a_staging_copy_that_fills_the_disk_is_removed(small_disk: Path) -> None:
    db = small_disk / "salvo.duckdb"
    publish_batch(db, **batch(D0, n=200, text_bytes=4000))  # a warehouse of about 1-2 MB
    before = db.read_bytes()
    filler = _fill(small_disk, leave=db.stat().st_size // 2)  # room for half a copy
    with pytest.raises(OSError) as failed:
        publish_batch(db, **batch(D0 + dt.timedelta(days=1)))
    assert failed.value.errno in (errno.ENOSPC, errno.EFBIG)
    assert _leftovers(small_disk, db) == []  # the half copy is gone, the space is free again
    assert db.read_bytes() == before  # the published warehouse is untouched
    filler.unlink()
    publish_batch(db, **batch(D0 + dt.timedelta(days=1)))  # with room again, the next publish works
    assert _articles(db) == 203


def test_a_copy_failing_with_enospc_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same on any machine: the copy writes part of the file, then the disk is full."""
    import pipelines.warehouse.publish as publish_mod

    db = tmp_path / "salvo.duckdb"
    publish_batch(db, **batch(D0))
    before = db.read_bytes()

    def full_disk(source: Path, target: Path) -> str:
        with open(source, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read(4096))
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(publish_mod, "copy_file", full_disk)
    with pytest.raises(OSError, match="No space left"):
        publish_batch(db, **batch(D0 + dt.timedelta(days=1)))
    assert _leftovers(tmp_path, db) == []
    assert db.read_bytes() == before


def test_a_warehouse_path_that_is_a_symlink_stays_one(tmp_path: Path) -> None:
    real = tmp_path / "volume" / "salvo.duckdb"
    real.parent.mkdir()
    link = tmp_path / "warehouse" / "salvo.duckdb"
    link.parent.mkdir()
    publish_batch(real, **batch(D0))
    os.symlink(real, link)
    publish_batch(link, **batch(D0 + dt.timedelta(days=1)))
    publish_batch(link, **batch(D0 + dt.timedelta(days=2)))
    assert link.is_symlink() and Path(os.readlink(link)) == real  # still the link, to the same file
    assert _articles(real) == 9 and _articles(link) == 9  # the target holds every publish
    assert _leftovers(real.parent, real) == [] and _leftovers(link.parent, link) == []
    # a relative symlink, created before the warehouse exists (the first publish creates its target)
    rel = tmp_path / "warehouse" / "rel.duckdb"
    os.symlink(os.path.join("..", "volume", "new.duckdb"), rel)
    publish_batch(rel, **batch(D0))
    assert rel.is_symlink() and (tmp_path / "volume" / "new.duckdb").is_file() and _articles(rel) == 3
