"""A real PostgreSQL server for the DuckLake tests: `initdb` into a temporary folder and `pg_ctl start` on a
Unix socket in that folder (no TCP port), stopped and removed afterwards. PostgreSQL refuses to run as root,
and CI runs as root: then the server runs as the `postgres` system user that Debian's package creates, in a
folder owned by it. `start` raises `Unavailable` (with the reason) when no server can be started here; the
tests skip with that message, and only then."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.settings import Lake

USER = "salvo"  # the database superuser initdb creates (-U); trust authentication on the socket only


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started on this machine; the message says why."""


def server_bin() -> Path | None:
    """The bin folder of the newest PostgreSQL installed (Debian: /usr/lib/postgresql/<version>/bin, not on
    PATH), else the one of an `initdb` on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass(frozen=True)
class Postgres:
    """A running server: its socket folder (`host=` in libpq strings) and its bin folder."""

    socket_dir: Path
    bin: Path

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its libpq connection string."""
        subprocess.run(
            [str(self.bin / "createdb"), "-h", str(self.socket_dir), "-U", USER, name],
            check=True,
            capture_output=True,
            text=True,
        )
        return f"host={self.socket_dir} dbname={name} user={USER}"

    def lake(self, name: str, data_path: Path) -> Lake:
        """A new database `name` as a salvo DuckLake with its data under `data_path`."""
        return Lake(catalog=self.create_database(name), data_path=str(data_path))


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix to run the server's programs with, and the uid that must own its folder."""
    if os.geteuid() != 0:
        return [], None
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError as exc:
        raise Unavailable("running as root and there is no `postgres` user to run the server as") from exc
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root and there is no runuser to start the server as `postgres`")
    return [runuser, "-u", "postgres", "--"], uid


@contextlib.contextmanager
def running() -> Iterator[Postgres]:
    """A PostgreSQL server for the length of the block (see the module doc)."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise Unavailable("no PostgreSQL server programs (initdb, pg_ctl); `apt-get install -y postgresql`")
    prefix, uid = _as_server_user()
    # a short path of its own: a Unix socket's path must fit in 107 bytes, pytest's tmp_path may not
    base = Path(tempfile.mkdtemp(prefix="salvo-pg-"))
    base.chmod(0o755)  # the socket's folder: every client of the tests may reach it
    if uid is not None:
        os.chown(base, uid, -1)
    data, log = base / "data", base / "server.log"
    started = False
    try:
        done = subprocess.run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-N"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise Unavailable(f"initdb failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
        # no TCP, the socket in our folder; fsync off: a test server, whose durability is not what is tested
        options = f"-k {base} -c listen_addresses='' -c fsync=off -c max_connections=60"
        done = subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise Unavailable(f"pg_ctl start failed: {done.stderr.strip() or done.stdout.strip()} {tail}")
        started = True
        yield Postgres(socket_dir=base, bin=bin_dir)
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)
