"""Resources: everything external to the asset code (the DuckDB file, where articles come from), in one
place, configured from the environment so `make run`, `dagster dev` and tests differ only in settings."""

import os
from pathlib import Path

import dagster as dg

from pipelines.ingest import raw_articles_frame as _raw_frame
from pipelines.ingest import read_folder

REPO_ROOT = Path(__file__).resolve().parents[2]


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


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse file."""

    db_path: str

    def path(self) -> Path:
        return Path(self.db_path)


class ArticleSourceResource(dg.ConfigurableResource):
    """Folders or files of articles (.txt/.md/.json/.jsonl); missing paths are skipped, not errors, so
    an empty landing folder does not fail a run."""

    paths: list[str]

    def read(self):
        """Every input item of every configured path, as one RAW_ARTICLES frame."""
        items = []
        for p in self.paths:
            path = Path(p)
            if path.exists():
                items.extend(read_folder(path))
        return _raw_frame(items)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(db_path=default_db_path()),
            "article_source": ArticleSourceResource(paths=default_article_paths()),
        }
    )
