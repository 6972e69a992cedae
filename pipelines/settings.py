"""Every SALVO_* setting: its default, and the one check that turns a bad value into a sentence a person can
act on. No Dagster here: the CLI, the definitions, the warehouse and the tests read their settings through
these functions, so a value is parsed and checked in one place only.

Each getter reads the environment when called (tests and the CLI set variables late) and raises
`SettingsError` with a one-line message: the variable, what is wrong with its value, and what to do. `load()`
reads them all at once, which is how `salvo` and the Dagster code location check the whole environment before
doing anything. An empty value of a single-valued setting is an error (`SALVO_DB_PATH=""` is almost always an
unset shell variable), except where it is documented to mean "none" (lists) or "the default".
"""

from __future__ import annotations

import math
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# --------------------------------------------------------------------------- where things are
# The one place that knows where the checkout is: sql/, expectations/, seeds/ and the default warehouse and
# landing folders are at its top (the layout is fixed). Every other module asks here (or through the SALVO_*
# overrides below), never `Path(__file__).parents[...]`.
REPO_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DB_PATH = REPO_ROOT / "warehouse" / "salvo.duckdb"
DEFAULT_SQL_DIR = REPO_ROOT / "sql"
DEFAULT_EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_LANDING_DIR = REPO_ROOT / "landing"
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"
DEFAULT_BENCH_DIR = Path(tempfile.gettempdir()) / "salvo-bench"

ENV_SQL_DIR = "SALVO_SQL_DIR"
ENV_EXPECTATIONS_DIR = "SALVO_EXPECTATIONS_DIR"

# --------------------------------------------------------------------------- defaults
# Every default of a SALVO_* value, once: the getters below, pipelines.ingest.fetch.FetchPolicy and the Dagster
# resources take them from here.
DEFAULT_FETCH_TIMEOUT_S = 10.0
DEFAULT_FETCH_MAX_BYTES = 5_000_000
DEFAULT_FETCH_MAX_REDIRECTS = 5
DEFAULT_READ_TIMEOUT_S = 5.0
DEFAULT_PUBLISH_LOCK_TIMEOUT_S = 1800.0
DEFAULT_DAYS_PER_RUN = 50
DEFAULT_FRAMES_RETENTION_DAYS = 7.0
DEFAULT_EXTRACT_BATCH = 20_000

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# the executors `pipelines.definitions` can build (name -> the Dagster executor lives there)
EXECUTOR_NAMES = ("multiprocess", "in_process", "k8s", "celery", "celery_k8s", "docker")
# one process: a day's run is a few seconds of work, and each step of a multiprocess run starts its own
# interpreter and imports Dagster, polars and GX (~3x slower on one machine); runs still go concurrently
DEFAULT_EXECUTOR = "in_process"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class SettingsError(ValueError):
    """A setting (environment variable or command-line option) that cannot be used; the message is one line
    saying which, what is wrong, and what to do."""


Env = Mapping[str, str] | None


def _env(environ: Env) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _raw(name: str, environ: Env) -> str | None:
    """The variable's value, None when unset."""
    return _env(environ).get(name)


def _number(name: str, default: float, environ: Env, *, integer: bool, minimum: float, unit: str) -> float:
    raw = _raw(name, environ)
    if raw is None:
        return default
    text = raw.strip()
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or (not integer and not math.isfinite(value)) or value < minimum:
        kind = "a whole number" if integer else "a number"
        bound = f" of at least {minimum:g}" if minimum else ""
        raise SettingsError(
            f"{name}={raw!r} is not {kind}{bound} ({unit}); set it to e.g. {name}={default:g}, or unset it "
            f"for the default ({default:g})"
        )
    return value


def _flag(name: str, environ: Env) -> bool:
    raw = _raw(name, environ)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value; use {name}=1 or {name}=0")


def _list(name: str, environ: Env) -> list[str]:
    """Whitespace- or comma-separated values (URLs contain ':', so not os.pathsep); empty = none."""
    return [v for v in re.split(r"[\s,]+", _raw(name, environ) or "") if v]


def _folder(name: str, default: Path, environ: Env, *, must_exist: bool, what: str) -> Path:
    raw = _raw(name, environ)
    if raw is None:
        return default
    if not raw.strip():
        raise SettingsError(f"{name} is set but empty; unset it to use {default}, or give {what}")
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{name}={raw} is not a folder; point it at {what}")
    if must_exist and not path.is_dir():
        raise SettingsError(f"{name}={raw} does not exist; point it at {what}, or unset it to use {default}")
    return path


# --------------------------------------------------------------------------- the warehouse file
def check_db_path(value: str | os.PathLike[str], source: str = "--db") -> Path:
    """A warehouse path a run can write and a report can read: not empty, not a folder, not a device or other
    special file, in a folder (or where one can be created). `source` names where the value came from."""
    text = os.fspath(value)
    if not text.strip():
        raise SettingsError(f"{source} is empty; give the warehouse file's path, e.g. warehouse/salvo.duckdb")
    path = Path(text)
    if path.is_dir():
        raise SettingsError(
            f"{source} {text} is a folder; give a file path inside it, e.g. {path / 'salvo.duckdb'}"
        )
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SettingsError(f"{source} {text} cannot be used ({exc.strerror}); give another file path") from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SettingsError(
            f"{source} {text} is not a regular file (a device, pipe or socket); give a file path such as "
            "warehouse/salvo.duckdb"
        )
    parent = path.absolute().parent
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise SettingsError(f"{source} {text}: {folder} is not a folder; give another file path")
            break
    return path


def db_path(environ: Env = None) -> Path:
    """SALVO_DB_PATH (default warehouse/salvo.duckdb)."""
    raw = _raw("SALVO_DB_PATH", environ)
    if raw is None:
        return DEFAULT_DB_PATH
    return check_db_path(raw, "SALVO_DB_PATH")


# --------------------------------------------------------------------------- the warehouse: a file or a lake
LAKE_SCHEME = "ducklake:postgres:"


@dataclass(frozen=True)
class Lake:
    """A DuckLake warehouse: its catalog in PostgreSQL (`catalog`, a libpq connection string such as
    `host=/run/postgresql dbname=salvo user=salvo`) and its data files (Parquet) under `data_path`, a local
    folder or an object-store prefix (`s3://bucket/salvo/`). Plain data: pipelines/warehouse/db.py connects."""

    catalog: str
    data_path: str

    @property
    def uri(self) -> str:
        return LAKE_SCHEME + self.catalog

    def __str__(self) -> str:  # what a log line or a summary names; the catalog string holds no password
        return f"{self.uri} (data {self.data_path})"

    @property
    def is_remote(self) -> bool:
        return "://" in self.data_path

    @property
    def files_dir(self) -> Path:
        """Where the files a run writes beside the warehouse go (data_docs/, reports/, export/,
        run_failures.jsonl): the data folder when it is local (DuckLake keeps its Parquet files under
        `<data>/main/`, so the names never meet), else the default warehouse/ folder of this checkout."""
        return DEFAULT_DB_PATH.parent if self.is_remote else Path(self.data_path)


Warehouse = Path | Lake


def is_lake_uri(text: str) -> bool:
    return text.strip().lower().startswith("ducklake:")


def check_warehouse_uri(value: str | os.PathLike[str], data: str | None, source: str = "--db") -> Warehouse:
    """A warehouse a run can write and a report can read: a DuckDB file path (check_db_path), or
    `ducklake:postgres:<libpq string>` with its data path `data` (SALVO_WAREHOUSE_DATA)."""
    text = os.fspath(value)
    if not is_lake_uri(text):
        return check_db_path(text, source)
    if not text.lower().startswith(LAKE_SCHEME):
        raise SettingsError(
            f"{source} {text}: salvo's DuckLake catalog is PostgreSQL; write ducklake:postgres:<libpq string>, "
            "e.g. ducklake:postgres:host=/run/postgresql dbname=salvo user=salvo"
        )
    catalog = text[len(LAKE_SCHEME) :].strip()
    if not catalog:
        raise SettingsError(
            f"{source} {text} names no PostgreSQL database; add a libpq string, e.g. "
            "ducklake:postgres:host=/run/postgresql dbname=salvo user=salvo"
        )
    if data is None or not data.strip():
        raise SettingsError(
            f"{source} is a DuckLake ({text}) but SALVO_WAREHOUSE_DATA is unset or empty; set it to the folder "
            "or object-store prefix of its data files, e.g. SALVO_WAREHOUSE_DATA=s3://bucket/salvo/"
        )
    data = data.strip()
    if "://" not in data and Path(data).exists() and not Path(data).is_dir():
        raise SettingsError(f"SALVO_WAREHOUSE_DATA={data} is not a folder; point it at a folder or an s3:// prefix")
    return Lake(catalog=catalog, data_path=data)


def warehouse_data(environ: Env = None) -> str | None:
    """SALVO_WAREHOUSE_DATA: a DuckLake's data folder or object-store prefix (None: unset)."""
    return _raw("SALVO_WAREHOUSE_DATA", environ)


def as_warehouse(db_path: Warehouse | str | os.PathLike[str]) -> Warehouse:
    """A warehouse argument as a file Path or a Lake: a `ducklake:` string takes its data path from
    SALVO_WAREHOUSE_DATA (check_warehouse_uri), anything else is a file path."""
    if isinstance(db_path, Lake):
        return db_path
    text = os.fspath(db_path)
    if is_lake_uri(text):
        return check_warehouse_uri(text, warehouse_data(), "the warehouse")
    return Path(text)


def files_dir(db_path: Warehouse | str | os.PathLike[str]) -> Path:
    """The folder of the files a run writes beside the warehouse (data_docs/, reports/, export/,
    run_failures.jsonl): the file's folder, or a lake's (Lake.files_dir). Here, not in warehouse/, because
    validate (Data Docs) needs it too and stages import no other stage."""
    target = as_warehouse(db_path)
    return target.files_dir if isinstance(target, Lake) else target.parent


def warehouse(environ: Env = None) -> Warehouse:
    """SALVO_WAREHOUSE: a DuckDB file path or `ducklake:postgres:<libpq string>` (with SALVO_WAREHOUSE_DATA);
    unset, SALVO_DB_PATH (the older name of a file path), else warehouse/salvo.duckdb."""
    raw = _raw("SALVO_WAREHOUSE", environ)
    if raw is None:
        return db_path(environ)
    if not raw.strip():
        raise SettingsError(
            "SALVO_WAREHOUSE is set but empty; unset it for warehouse/salvo.duckdb, or give a file path or "
            "ducklake:postgres:<libpq string>"
        )
    return check_warehouse_uri(raw, warehouse_data(environ), "SALVO_WAREHOUSE")


def warehouse_from(given: str | os.PathLike[str] | None, environ: Env = None) -> Warehouse:
    """An explicit --db (a path or a URI; a lake's data path from SALVO_WAREHOUSE_DATA), else `warehouse()`."""
    if given is None:
        return warehouse(environ)
    return check_warehouse_uri(given, warehouse_data(environ), "--db")


def read_timeout_s(environ: Env = None) -> float:
    """SALVO_READ_TIMEOUT: seconds a reader retries to open a warehouse someone holds open read-write (5)."""
    return _number(
        "SALVO_READ_TIMEOUT", DEFAULT_READ_TIMEOUT_S, environ, integer=False, minimum=0, unit="seconds"
    )


def publish_lock_timeout_s(environ: Env = None) -> float:
    """SALVO_PUBLISH_LOCK_TIMEOUT: seconds a run waits for another run's publish (1800): for the writers' lock
    of a file, or on a DuckLake for as long as it retries a transaction that conflicted with another run's."""
    return _number(
        "SALVO_PUBLISH_LOCK_TIMEOUT",
        DEFAULT_PUBLISH_LOCK_TIMEOUT_S,
        environ,
        integer=False,
        minimum=0,
        unit="seconds",
    )


# --------------------------------------------------------------------------- sources
def article_paths(environ: Env = None) -> list[str]:
    """SALVO_ARTICLES (os.pathsep-separated; default seeds/ and the landing folder). Every path it names must
    exist: a typo would otherwise read nothing and succeed."""
    raw = _raw("SALVO_ARTICLES", environ)
    if not raw:
        return [str(DEFAULT_SEEDS_DIR), str(landing_dir(environ))]
    paths = [p for p in raw.split(os.pathsep) if p]
    for p in paths:
        if not os.path.lexists(p):
            raise SettingsError(
                f"SALVO_ARTICLES names {p}, which does not exist; fix the path or remove it "
                f"(paths are separated by {os.pathsep!r})"
            )
    return paths


def landing_dir(environ: Env = None) -> Path:
    """SALVO_LANDING_DIR (default landing/): the folder the sensor watches; it may not exist yet."""
    return _folder("SALVO_LANDING_DIR", DEFAULT_LANDING_DIR, environ, must_exist=False, what="a folder")


def feeds(environ: Env = None) -> list[str]:
    return _list("SALVO_FEEDS", environ)


def pages(environ: Env = None) -> list[str]:
    return _list("SALVO_PAGES", environ)


def fetch_pages(environ: Env = None) -> bool:
    return _flag("SALVO_FETCH_PAGES", environ)


def fetch_timeout_s(environ: Env = None) -> float:
    """SALVO_FETCH_TIMEOUT: seconds one fetch may take in all (connect, headers, body, redirects)."""
    value = _number(
        "SALVO_FETCH_TIMEOUT", DEFAULT_FETCH_TIMEOUT_S, environ, integer=False, minimum=0, unit="seconds"
    )
    if value <= 0:
        raise SettingsError("SALVO_FETCH_TIMEOUT must be more than 0 seconds; e.g. SALVO_FETCH_TIMEOUT=10")
    return value


def fetch_max_bytes(environ: Env = None) -> int:
    return int(
        _number(
            "SALVO_FETCH_MAX_BYTES", DEFAULT_FETCH_MAX_BYTES, environ, integer=True, minimum=1, unit="bytes"
        )
    )


def fetch_max_redirects(environ: Env = None) -> int:
    return int(
        _number(
            "SALVO_FETCH_MAX_REDIRECTS",
            DEFAULT_FETCH_MAX_REDIRECTS,
            environ,
            integer=True,
            minimum=0,
            unit="redirects",
        )
    )


def allowed_hosts(environ: Env = None) -> list[str]:
    return _list("SALVO_ALLOWED_HOSTS", environ)


def fetch_allow_private(environ: Env = None) -> bool:
    """SALVO_FETCH_ALLOW_PRIVATE=1 lets fetches reach loopback, link-local and private addresses (refused by
    default: a feed must not turn the pipeline into a reader of the internal network)."""
    return _flag("SALVO_FETCH_ALLOW_PRIVATE", environ)


# --------------------------------------------------------------------------- runs
def extract_batch(environ: Env = None) -> int:
    """SALVO_EXTRACT_BATCH: articles per extraction pass (20,000), in a run's extraction asset and as the
    default of `salvo extract --chunk`: memory holds one batch's sentences, and progress is told per batch."""
    return int(
        _number(
            "SALVO_EXTRACT_BATCH", DEFAULT_EXTRACT_BATCH, environ, integer=True, minimum=1, unit="articles"
        )
    )


def progress(environ: Env = None) -> bool | None:
    """SALVO_PROGRESS: 1 draws the progress bar of `salvo extract` and `salvo run` on stderr even when it is
    not a terminal, 0 never draws it; unset (None), it is drawn on a terminal only (pipelines/progress.py)."""
    if _raw("SALVO_PROGRESS", environ) is None:
        return None
    return _flag("SALVO_PROGRESS", environ)


def days_per_run(environ: Env = None) -> int:
    """SALVO_DAYS_PER_RUN: the most days one run of a backfill covers (50)."""
    return int(
        _number("SALVO_DAYS_PER_RUN", DEFAULT_DAYS_PER_RUN, environ, integer=True, minimum=1, unit="days")
    )


def log_level(environ: Env = None) -> str | None:
    """SALVO_LOG_LEVEL: the level of Dagster's console log in `salvo run` (None: unset, the CLI's quiet
    default)."""
    raw = _raw("SALVO_LOG_LEVEL", environ)
    if raw is None:
        return None
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"SALVO_LOG_LEVEL={raw!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
    return level


def executor(environ: Env = None) -> str:
    raw = _raw("SALVO_EXECUTOR", environ)
    name = (raw or DEFAULT_EXECUTOR).strip().lower()
    if name not in EXECUTOR_NAMES:
        raise SettingsError(f"SALVO_EXECUTOR={raw!r} is not one of {', '.join(sorted(EXECUTOR_NAMES))}")
    return name


def frames_dir(environ: Env = None) -> Path | None:
    """SALVO_FRAMES_DIR: where runs keep their intermediate frames (default: the Dagster instance's storage)."""
    raw = _raw("SALVO_FRAMES_DIR", environ)
    if not raw:
        return None
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise SettingsError(f"SALVO_FRAMES_DIR={raw} is not a folder; point it at a folder, or unset it")
    return path


def frames_retention_days(environ: Env = None) -> float:
    """SALVO_FRAMES_RETENTION_DAYS: how long the frames of a run that did not finish cleanly are kept (7)."""
    return _number(
        "SALVO_FRAMES_RETENTION_DAYS",
        DEFAULT_FRAMES_RETENTION_DAYS,
        environ,
        integer=False,
        minimum=0,
        unit="days",
    )


def _content_folder(
    name: str,
    default: Path,
    given: str | os.PathLike[str] | None,
    environ: Env,
    *,
    what: str,
    pattern: str | None,
) -> Path:
    """`given` (a caller's explicit folder), else the variable `name`, else `default`; it must be a folder
    (and hold at least one `pattern` file, with a pattern), whichever of the three it came from: a folder that is
    not there would otherwise give a warehouse without views, or a run without checks, and call it a success."""
    if given is not None:
        path, source, fix = Path(given), f"the folder {os.fspath(given)}", f"give {what}"
    elif _raw(name, environ) is None:
        path, source = default, f"the default folder {default}"
        fix = f"point {name} at {what} (salvo looks for it at the top of its checkout)"
    else:
        path = _folder(name, default, environ, must_exist=True, what=what)
        source, fix = f"{name}={_raw(name, environ)}", f"point it at {what}, or unset it"
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{source} is not a folder; {fix}")
    if not path.is_dir():
        raise SettingsError(f"{source} does not exist; {fix}")
    if pattern is not None and not any(path.glob(pattern)):
        raise SettingsError(f"{source} holds no {pattern.lstrip('*')} files; {fix}")
    return path


def sql_dir(environ: Env = None, given: str | os.PathLike[str] | None = None) -> Path:
    """The report views' folder: `given`, else SALVO_SQL_DIR, else sql/. It must be a folder holding at least
    one .sql file, or a run would publish a warehouse without views and call it a success."""
    return _content_folder(
        ENV_SQL_DIR, DEFAULT_SQL_DIR, given, environ, what="the folder of report .sql files", pattern="*.sql"
    )


def expectations_dir(environ: Env = None, given: str | os.PathLike[str] | None = None) -> Path:
    """The GX suites' folder: `given`, else SALVO_EXPECTATIONS_DIR, else expectations/; it must exist (a table
    whose suite file is missing fails when it is validated)."""
    return _content_folder(
        ENV_EXPECTATIONS_DIR,
        DEFAULT_EXPECTATIONS_DIR,
        given,
        environ,
        what="the folder of GX suites (*.json)",
        pattern=None,
    )


def bench_dir(environ: Env = None) -> Path:
    """SALVO_BENCH_DIR: the benchmark's generated articles and scratch warehouses (default <tmp>/salvo-bench;
    empty = the default). Read by `make bench` only, so not part of `load()`."""
    raw = _raw("SALVO_BENCH_DIR", environ)
    return Path(raw) if raw else DEFAULT_BENCH_DIR


# --------------------------------------------------------------------------- all at once
@dataclass(frozen=True)
class Settings:
    db_path: Path
    warehouse: Warehouse
    article_paths: tuple[str, ...]
    landing_dir: Path
    feeds: tuple[str, ...]
    pages: tuple[str, ...]
    fetch_pages: bool
    fetch_timeout_s: float
    fetch_max_bytes: int
    fetch_max_redirects: int
    allowed_hosts: tuple[str, ...]
    fetch_allow_private: bool
    days_per_run: int
    extract_batch: int
    progress: bool | None
    publish_lock_timeout_s: float
    read_timeout_s: float
    log_level: str | None
    executor: str
    frames_dir: Path | None
    frames_retention_days: float
    sql_dir: Path
    expectations_dir: Path


def load(environ: Env = None) -> Settings:
    """Every setting, each checked; the first bad one raises SettingsError."""
    return Settings(
        db_path=db_path(environ),
        warehouse=warehouse(environ),
        article_paths=tuple(article_paths(environ)),
        landing_dir=landing_dir(environ),
        feeds=tuple(feeds(environ)),
        pages=tuple(pages(environ)),
        fetch_pages=fetch_pages(environ),
        fetch_timeout_s=fetch_timeout_s(environ),
        fetch_max_bytes=fetch_max_bytes(environ),
        fetch_max_redirects=fetch_max_redirects(environ),
        allowed_hosts=tuple(allowed_hosts(environ)),
        fetch_allow_private=fetch_allow_private(environ),
        days_per_run=days_per_run(environ),
        extract_batch=extract_batch(environ),
        progress=progress(environ),
        publish_lock_timeout_s=publish_lock_timeout_s(environ),
        read_timeout_s=read_timeout_s(environ),
        log_level=log_level(environ),
        executor=executor(environ),
        frames_dir=frames_dir(environ),
        frames_retention_days=frames_retention_days(environ),
        sql_dir=sql_dir(environ),
        expectations_dir=expectations_dir(environ),
    )
