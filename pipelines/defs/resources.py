"""Resources: everything external to the asset code (the DuckDB file, the article sources, the fetch policy, where
intermediate frames are kept), in one place, configured from the environment so `make run`, `dagster dev` and
tests differ only in settings.

Sources, several at once and each configurable:
- `article_source` (ArticleSourceResource): folders or files (.txt .md .html .json .jsonl, saved feeds);
- `feed_source` (FeedSourceResource): RSS/Atom feeds by URL or file, optionally with their linked pages;
- `page_source` (PageSourceResource): HTML pages by URL, saved file, or a file listing URLs.
Feeds and pages are fetched under `fetch_policy` (FetchPolicyResource).
"""

from __future__ import annotations

import contextlib
import pickle
import shutil
import time
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines import settings
from pipelines.ingest import raw_articles_frame as _raw_frame
from pipelines.ingest.fetch import FetchPolicy
from pipelines.ingest.folder import DEFAULT_LIMITS, FileLimits
from pipelines.ingest.screen import NEIGHBOUR_DAYS, Window
from pipelines.ingest.sources import read_feeds, read_folders, read_pages


# --------------------------------------------------------------------------- environment
# Every value comes from pipelines/settings.py, which checks it (a bad one raises SettingsError, one line).
def default_db_path() -> str:
    return str(settings.db_path())


def default_warehouse() -> WarehouseResource:
    """SALVO_WAREHOUSE (with SALVO_WAREHOUSE_DATA), else SALVO_DB_PATH, else warehouse/salvo.duckdb."""
    return WarehouseResource.of(settings.warehouse())


def default_article_paths() -> list[str]:
    """SALVO_ARTICLES (os.pathsep-separated) or the seeds folder plus the landing folder."""
    return settings.article_paths()


def default_landing_dir() -> str:
    return str(settings.landing_dir())


def default_feeds() -> list[str]:
    return settings.feeds()


def default_pages() -> list[str]:
    return settings.pages()


# --------------------------------------------------------------------------- warehouse
class WarehouseResource(dg.ConfigurableResource):
    """The warehouse: an embedded DuckDB file (`db_path` a path), or a DuckLake (`db_path` the URI
    `ducklake:postgres:<libpq string>`, `data_path` its data folder or object-store prefix). Every asset reads
    and writes through `target()`, so the graph is the same on both."""

    db_path: str
    data_path: str | None = None

    @classmethod
    def of(cls, target: settings.Warehouse) -> WarehouseResource:
        """The resource of a file path or a settings.Lake."""
        if isinstance(target, settings.Lake):
            return cls(db_path=target.uri, data_path=target.data_path)
        return cls(db_path=str(target))

    def target(self) -> settings.Warehouse:
        """The file Path or the Lake, checked (settings.check_warehouse_uri)."""
        return settings.check_warehouse_uri(self.db_path, self.data_path, "the warehouse resource's db_path")

    def path(self) -> Path:
        """The warehouse file (a file warehouse only; assets use `target()`)."""
        target = self.target()
        if isinstance(target, settings.Lake):
            raise TypeError(f"{target.uri} is a DuckLake, not a file; use target()")
        return target

    def files_dir(self) -> Path:
        """Where data_docs/, reports/, export/ and run_failures.jsonl go: beside the file, or the lake's
        (settings.Lake.files_dir)."""
        from pipelines.warehouse.db import files_dir

        return files_dir(self.target())

    def seen_articles(self, window: Window, neighbour_days: int = NEIGHBOUR_DAYS) -> pl.DataFrame:
        """The warehouse's articles outside `window` (SEEN_SCHEMA): what earlier runs loaded. Texts only for
        the days around the window, where near-duplicates are looked for."""
        from pipelines.batch import read_seen

        return read_seen(self.target(), window, text_days=neighbour_days)


# --------------------------------------------------------------------------- sources
_POLICY = FetchPolicy()  # its defaults are the resource's (pipelines/settings.py holds them)


class FetchPolicyResource(dg.ConfigurableResource):
    """How feeds and pages are fetched: http(s) only, a timeout, a size cap, bounded redirects, an optional host
    allowlist and a User-Agent naming the project. Failures become quarantine rows, never exceptions."""

    timeout_s: float = _POLICY.timeout_s
    max_bytes: int = _POLICY.max_bytes
    max_redirects: int = _POLICY.max_redirects
    allowed_hosts: list[str] = list(_POLICY.allowed_hosts)
    user_agent: str = _POLICY.user_agent
    use_env_proxy: bool = _POLICY.use_env_proxy
    # loopback, link-local and private addresses are refused unless this is set (SALVO_FETCH_ALLOW_PRIVATE=1)
    allow_private_addresses: bool = _POLICY.allow_private_addresses

    def policy(self) -> FetchPolicy:
        return FetchPolicy(
            timeout_s=self.timeout_s,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            allowed_hosts=tuple(self.allowed_hosts),
            user_agent=self.user_agent,
            use_env_proxy=self.use_env_proxy,
            allow_private_addresses=self.allow_private_addresses,
        )


class ArticleSourceResource(dg.ConfigurableResource):
    """Folders or files of articles (.txt/.md/.html/.json/.jsonl, saved .xml/.rss/.atom feeds); missing paths are
    skipped, not errors, so an empty landing folder does not fail a run."""

    paths: list[str]
    max_file_bytes: int = DEFAULT_LIMITS.max_file_bytes
    max_line_bytes: int = DEFAULT_LIMITS.max_line_bytes
    min_page_words: int = DEFAULT_LIMITS.min_page_words

    def limits(self) -> FileLimits:
        return FileLimits(self.max_file_bytes, self.max_line_bytes, self.min_page_words)

    def items(self):
        return read_folders(self.paths, self.limits())

    def read(self) -> pl.DataFrame:
        """Every input item of every configured path, as one RAW_ARTICLES frame."""
        return _raw_frame(self.items())


class FeedSourceResource(dg.ConfigurableResource):
    """RSS/Atom feeds (URLs or files). With `fetch_pages`, an entry's text is its linked page's main text."""

    feeds: list[str] = []
    fetch_pages: bool = False

    def items(
        self, policy: FetchPolicy, fetched_on: date, *, in_window=None, seen_url=None, limits=DEFAULT_LIMITS
    ):
        return read_feeds(
            self.feeds,
            policy,
            fetched_on,
            fetch_pages=self.fetch_pages,
            in_window=in_window,
            seen_url=seen_url,
            limits=limits,
        )


class PageSourceResource(dg.ConfigurableResource):
    """HTML pages: URLs, saved .html files, or text files listing URLs."""

    pages: list[str] = []

    def items(self, policy: FetchPolicy, fetched_on: date, *, seen_url=None, limits=DEFAULT_LIMITS):
        return read_pages(self.pages, policy, fetched_on, seen_url=seen_url, limits=limits)


# --------------------------------------------------------------------------- intermediate frames
FRAMES_FOLDER = "salvo_frames"
# runs whose frames the next run may remove: finished, and not to be re-executed from their outputs
_DONE = (dg.DagsterRunStatus.SUCCESS,)
_ENDED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def frames_base(instance: dg.DagsterInstance) -> Path:
    """The folder every run keeps its intermediate frames under: SALVO_FRAMES_DIR, else the instance's
    storage folder."""
    return settings.frames_dir() or Path(instance.storage_directory()) / FRAMES_FOLDER


def remove_run_frames(base: Path, run_id: str) -> None:
    """Delete one run's intermediate frames (its folder); nothing happens when it has none."""
    folder = base / run_id
    if folder.parent == base and folder.name == run_id:  # a run id is one path component
        shutil.rmtree(folder, ignore_errors=True)


def sweep_frames(base: Path, instance: dg.DagsterInstance | None, retention_days: float) -> list[str]:
    """The retention rule for frames left behind by runs that did not remove their own (`salvo run` removes
    them when a run succeeds): a folder is removed when its run is known to this instance and succeeded, when its
    run ended otherwise (failed, canceled) more than `retention_days` ago, or when no run of this instance has
    its name and nothing in it changed for `retention_days`. Folders of runs in progress are never touched.
    Returns the names removed."""
    if not base.is_dir():
        return []
    cutoff = time.time() - retention_days * 86400
    removed = []
    for folder in base.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        run = None
        if instance is not None:
            with contextlib.suppress(Exception):  # a name that is no run id
                run = instance.get_run_by_id(folder.name)
        try:
            old = folder.stat().st_mtime < cutoff
        except OSError:
            continue
        if run is None:
            remove = old
        else:
            remove = run.status in _DONE or (run.status in _ENDED and old)
        if remove:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


class _FramesIOManager(dg.IOManager):
    """Pickles each asset's output per run and partition range: `<base>/<run id>/<asset key>/<range>.pkl`.

    Intermediate outputs belong to their run: two runs of the same days, with different inputs or warehouses,
    at once and sharing one Dagster home, never read each other's frames. An input is read from the run that
    produced it (`upstream_output.run_id`: the run itself, or the parent run of a re-execution that skips the
    upstream step). Dagster's default filesystem IO manager keys by asset and partition only (runs would mix)
    and refuses outputs spanning several partitions, and a backfill or `make run` materializes a range of days
    in one run. Every job of this project materializes the whole graph for one partition or range, so an input
    is always the same range of its upstream asset."""

    def __init__(self, base: Path):
        self.base = base

    def _path(self, context, run_id: str) -> Path:
        if context.has_asset_partitions:
            r = context.asset_partition_key_range
            name = r.start if r.start == r.end else f"{r.start}..{r.end}"
        else:
            name = "all"
        return self.base.joinpath(run_id, *context.asset_key.path) / f"{name}.pkl"

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is None:
            return
        path = self._path(context, context.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    def load_input(self, context: dg.InputContext):
        upstream = context.upstream_output
        run_id = upstream.run_id if upstream is not None and upstream.run_id else context.run_id
        path = self._path(context, run_id)
        if not path.exists():
            raise dg.DagsterInvariantViolationError(
                f"no stored output of {context.asset_key.to_user_string()} for {path.stem} in run {run_id}: "
                "materialize the upstream assets in the same run (the salvo_all job does the whole graph)"
            )
        with path.open("rb") as fh:
            return pickle.load(fh)


class FramesIOManager(dg.ConfigurableIOManagerFactory):
    """Where intermediate frames are kept between steps: one folder per run under `base_dir` (default: the
    Dagster instance's storage folder, or SALVO_FRAMES_DIR). Creating it applies the retention rule
    (`sweep_frames`) to the folders of other runs."""

    base_dir: str | None = None
    retention_days: float = settings.DEFAULT_FRAMES_RETENTION_DAYS

    def create_io_manager(self, context) -> _FramesIOManager:
        instance = getattr(context, "instance", None)
        if self.base_dir:
            base = Path(self.base_dir)
        elif instance is not None:
            base = frames_base(instance)
        else:
            raise dg.DagsterInvariantViolationError("FramesIOManager needs a base_dir or a Dagster instance")
        sweep_frames(base, instance, self.retention_days)
        return _FramesIOManager(base)


# --------------------------------------------------------------------------- all of them
def default_resources(**overrides) -> dict:
    """Every resource the asset graph needs, configured from the environment (pipelines/settings.py checks
    every value); keyword arguments replace one (e.g. `article_source=ArticleSourceResource(paths=[...])`). Used
    by `salvo run`, the tests and the defs."""
    frames = settings.frames_dir()
    resources = {
        "warehouse": default_warehouse(),
        "article_source": ArticleSourceResource(paths=default_article_paths()),
        "feed_source": FeedSourceResource(feeds=default_feeds(), fetch_pages=settings.fetch_pages()),
        "page_source": PageSourceResource(pages=default_pages()),
        "fetch_policy": FetchPolicyResource(
            timeout_s=settings.fetch_timeout_s(),
            max_bytes=settings.fetch_max_bytes(),
            max_redirects=settings.fetch_max_redirects(),
            allowed_hosts=settings.allowed_hosts(),
            allow_private_addresses=settings.fetch_allow_private(),
        ),
        "io_manager": FramesIOManager(
            base_dir=str(frames) if frames else None, retention_days=settings.frames_retention_days()
        ),
    }
    resources.update(overrides)
    return resources


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=default_resources())
