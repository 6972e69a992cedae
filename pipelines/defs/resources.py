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

import os
import pickle
import re
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.ingest import raw_articles_frame as _raw_frame
from pipelines.ingest.fetch import USER_AGENT, FetchPolicy
from pipelines.ingest.folder import DEFAULT_LIMITS, FileLimits
from pipelines.ingest.screen import NEIGHBOUR_DAYS, SEEN_SCHEMA, Window
from pipelines.ingest.sources import read_feeds, read_folders, read_pages

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- environment
def _env_list(name: str) -> list[str]:
    """Whitespace- or comma-separated values (URLs contain ':', so not os.pathsep)."""
    return [v for v in re.split(r"[\s,]+", os.environ.get(name, "")) if v]


def default_db_path() -> str:
    return os.environ.get("SALVO_DB_PATH", str(REPO_ROOT / "warehouse" / "salvo.duckdb"))


def default_article_paths() -> list[str]:
    """SALVO_ARTICLES (os.pathsep-separated) or the seeds folder plus the landing folder."""
    env = os.environ.get("SALVO_ARTICLES")
    if env:
        return [p for p in env.split(os.pathsep) if p]
    return [str(REPO_ROOT / "seeds"), default_landing_dir()]


def default_landing_dir() -> str:
    return os.environ.get("SALVO_LANDING_DIR", str(REPO_ROOT / "landing"))


def default_feeds() -> list[str]:
    return _env_list("SALVO_FEEDS")


def default_pages() -> list[str]:
    return _env_list("SALVO_PAGES")


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


# --------------------------------------------------------------------------- warehouse
class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse file."""

    db_path: str

    def path(self) -> Path:
        return Path(self.db_path)

    def seen_articles(self, window: Window, neighbour_days: int = NEIGHBOUR_DAYS) -> pl.DataFrame:
        """The warehouse's articles outside `window` (SEEN_SCHEMA): what earlier runs loaded. Texts only for
        the days around the window, where near-duplicates are looked for."""
        from pipelines.warehouse import connect, existing_tables

        if not self.path().exists():
            return pl.DataFrame(schema=SEEN_SCHEMA)
        con = connect(self.path(), read_only=True)
        try:
            if "articles" not in existing_tables(con):
                return pl.DataFrame(schema=SEEN_SCHEMA)
            lo, hi = (
                window.start - timedelta(days=neighbour_days),
                window.end + timedelta(days=neighbour_days),
            )
            frame = con.sql(
                "SELECT article_id, url, content_hash, "
                "CASE WHEN partition_date BETWEEN $lo AND $hi THEN text END AS text, duplicate_of, partition_date "
                "FROM articles WHERE partition_date NOT BETWEEN $s AND $e",  # rows without a day are replaced
                params={"lo": lo, "hi": hi, "s": window.start, "e": window.end},
            ).pl()
        finally:
            con.close()
        return frame.cast(SEEN_SCHEMA)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- sources
class FetchPolicyResource(dg.ConfigurableResource):
    """How feeds and pages are fetched: http(s) only, a timeout, a size cap, bounded redirects, an optional host
    allowlist and a User-Agent naming the project. Failures become quarantine rows, never exceptions."""

    timeout_s: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allowed_hosts: list[str] = []
    user_agent: str = USER_AGENT
    use_env_proxy: bool = True

    def policy(self) -> FetchPolicy:
        return FetchPolicy(
            timeout_s=self.timeout_s,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            allowed_hosts=tuple(self.allowed_hosts),
            user_agent=self.user_agent,
            use_env_proxy=self.use_env_proxy,
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
class _FramesIOManager(dg.IOManager):
    """Pickles each asset's output per partition range: `<base>/<asset key>/<first>..<last>.pkl`.

    Dagster's default filesystem IO manager refuses outputs that span several partitions, and a backfill or
    `make run` materializes a range of days in one run. Every job of this project materializes the whole
    graph for one partition or range, so an input is always the same range of its upstream asset."""

    def __init__(self, base: Path):
        self.base = base

    def _path(self, context) -> Path:
        if context.has_asset_partitions:
            r = context.asset_partition_key_range
            name = r.start if r.start == r.end else f"{r.start}..{r.end}"
        else:
            name = "all"
        return self.base.joinpath(*context.asset_key.path) / f"{name}.pkl"

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is None:
            return
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    def load_input(self, context: dg.InputContext):
        path = self._path(context)
        if not path.exists():
            raise dg.DagsterInvariantViolationError(
                f"no stored output of {context.asset_key.to_user_string()} for {path.stem}: materialize the "
                "upstream assets for the same partition(s) first (the salvo_all job does the whole graph)"
            )
        with path.open("rb") as fh:
            return pickle.load(fh)


class FramesIOManager(dg.ConfigurableIOManagerFactory):
    """Where intermediate frames are kept between steps (default: the Dagster instance's storage folder)."""

    base_dir: str | None = None

    def create_io_manager(self, context) -> _FramesIOManager:
        base = (
            Path(self.base_dir)
            if self.base_dir
            else Path(context.instance.storage_directory()) / "salvo_frames"
        )
        return _FramesIOManager(base)


# --------------------------------------------------------------------------- all of them
def default_resources(**overrides) -> dict:
    """Every resource the asset graph needs, configured from the environment; keyword arguments replace one
    (e.g. `article_source=ArticleSourceResource(paths=[...])`). Used by `salvo run`, the tests and the defs."""
    resources = {
        "warehouse": WarehouseResource(db_path=default_db_path()),
        "article_source": ArticleSourceResource(paths=default_article_paths()),
        "feed_source": FeedSourceResource(
            feeds=default_feeds(), fetch_pages=os.environ.get("SALVO_FETCH_PAGES", "") in ("1", "true", "yes")
        ),
        "page_source": PageSourceResource(pages=default_pages()),
        "fetch_policy": FetchPolicyResource(
            timeout_s=_env_float("SALVO_FETCH_TIMEOUT", 10.0),
            max_bytes=int(_env_float("SALVO_FETCH_MAX_BYTES", 5_000_000)),
            max_redirects=int(_env_float("SALVO_FETCH_MAX_REDIRECTS", 5)),
            allowed_hosts=_env_list("SALVO_ALLOWED_HOSTS"),
        ),
        "io_manager": FramesIOManager(base_dir=os.environ.get("SALVO_FRAMES_DIR") or None),
    }
    resources.update(overrides)
    return resources


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=default_resources())
