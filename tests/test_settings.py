"""pipelines/settings.py: every SALVO_* setting's default, its accepted values, and one readable sentence
for a bad one (the variable, what is wrong, what to do)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import settings
from pipelines.settings import SettingsError


def test_defaults_with_nothing_set() -> None:
    s = settings.load({})
    assert s.db_path == settings.DEFAULT_DB_PATH and s.sql_dir == settings.DEFAULT_SQL_DIR
    assert (s.fetch_timeout_s, s.fetch_max_bytes, s.fetch_max_redirects) == (10.0, 5_000_000, 5)
    assert (s.days_per_run, s.publish_lock_timeout_s, s.read_timeout_s) == (50, 1800.0, 5.0)
    assert s.log_level is None and s.executor == "in_process" and not s.fetch_allow_private
    assert s.feeds == () and s.frames_dir is None


def test_good_values_are_read(tmp_path: Path) -> None:
    (tmp_path / "v.sql").write_text("-- v\nSELECT 1")
    s = settings.load(
        {
            "SALVO_FETCH_TIMEOUT": " 2.5 ",
            "SALVO_DAYS_PER_RUN": "7",
            "SALVO_LOG_LEVEL": "debug",
            "SALVO_FETCH_ALLOW_PRIVATE": "yes",
            "SALVO_FEEDS": "https://a.example/rss, https://b.example/rss",
            "SALVO_SQL_DIR": str(tmp_path),
            "SALVO_DB_PATH": str(tmp_path / "new" / "w.duckdb"),  # a folder that does not exist yet is fine
        }
    )
    assert (s.fetch_timeout_s, s.days_per_run, s.log_level, s.fetch_allow_private) == (2.5, 7, "DEBUG", True)
    assert s.feeds == ("https://a.example/rss", "https://b.example/rss") and s.sql_dir == tmp_path


@pytest.mark.parametrize(
    "name,value,words",
    [
        ("SALVO_FETCH_TIMEOUT", "abc", "is not a number"),
        ("SALVO_FETCH_TIMEOUT", "0", "more than 0"),
        ("SALVO_FETCH_TIMEOUT", "nan", "is not a number"),
        ("SALVO_FETCH_MAX_BYTES", "1.5", "whole number"),
        ("SALVO_FETCH_MAX_REDIRECTS", "-1", "whole number"),
        ("SALVO_DAYS_PER_RUN", "0", "at least 1"),
        ("SALVO_DAYS_PER_RUN", "", "whole number"),
        ("SALVO_PUBLISH_LOCK_TIMEOUT", "soon", "is not a number"),
        ("SALVO_READ_TIMEOUT", "-3", "is not a number"),
        ("SALVO_LOG_LEVEL", "LOUD", "not a log level"),
        ("SALVO_EXECUTOR", "os.system", "not one of"),
        ("SALVO_FETCH_PAGES", "maybe", "yes/no"),
        ("SALVO_DB_PATH", "", "is empty"),
        ("SALVO_DB_PATH", "/dev/null", "not a regular file"),
        ("SALVO_DB_PATH", "/", "is a folder"),
        ("SALVO_SQL_DIR", "/nonexistent/sql", "does not exist"),
        ("SALVO_EXPECTATIONS_DIR", "", "set but empty"),
        ("SALVO_ARTICLES", "/nonexistent/articles", "does not exist"),
        ("SALVO_FRAMES_RETENTION_DAYS", "week", "is not a number"),
    ],
)
def test_a_bad_value_is_one_sentence(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError) as err:
        settings.load({name: value})
    message = str(err.value)
    assert name in message and words in message and "\n" not in message


def test_a_db_path_inside_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingsError, match="cannot be used|is not a folder"):
        settings.check_db_path(tmp_path / "file" / "w.duckdb")


@pytest.mark.integration  # the Dagster resources: the one test of the quick loop that would import Dagster
def test_the_fetch_defaults_are_written_once() -> None:
    """settings.py holds the defaults; the plain FetchPolicy and the Dagster resource take theirs from it."""
    from pipelines.defs.resources import FetchPolicyResource, FramesIOManager
    from pipelines.ingest.fetch import FetchPolicy

    s = settings.load({})
    policy = FetchPolicy()
    assert (policy.timeout_s, policy.max_bytes, policy.max_redirects) == (
        s.fetch_timeout_s,
        s.fetch_max_bytes,
        s.fetch_max_redirects,
    )
    assert FetchPolicyResource().policy() == policy
    assert FramesIOManager().retention_days == s.frames_retention_days


def test_the_warehouse_is_one_uri(tmp_path: Path) -> None:
    """SALVO_WAREHOUSE: a file path (SALVO_DB_PATH's older name still works), or a DuckLake with its data path."""
    assert settings.warehouse({}) == settings.DEFAULT_DB_PATH
    assert settings.warehouse({"SALVO_DB_PATH": str(tmp_path / "a.duckdb")}) == tmp_path / "a.duckdb"
    assert settings.warehouse({"SALVO_WAREHOUSE": str(tmp_path / "b.duckdb"), "SALVO_DB_PATH": "x"}) == (
        tmp_path / "b.duckdb"
    )
    lake = settings.warehouse(
        {"SALVO_WAREHOUSE": "ducklake:postgres:host=/run/pg dbname=salvo", "SALVO_WAREHOUSE_DATA": "s3://b/salvo/"}
    )
    assert lake == settings.Lake(catalog="host=/run/pg dbname=salvo", data_path="s3://b/salvo/")
    assert lake.uri == "ducklake:postgres:host=/run/pg dbname=salvo" and lake.is_remote
    assert lake.files_dir == settings.DEFAULT_DB_PATH.parent  # an object store: the side files stay local
    local = settings.Lake(catalog="dbname=salvo", data_path=str(tmp_path / "data"))
    assert local.files_dir == tmp_path / "data"


@pytest.mark.parametrize(
    "env,words",
    [
        ({"SALVO_WAREHOUSE": ""}, "set but empty"),
        ({"SALVO_WAREHOUSE": "ducklake:postgres:dbname=salvo"}, "SALVO_WAREHOUSE_DATA is unset"),
        ({"SALVO_WAREHOUSE": "ducklake:postgres:", "SALVO_WAREHOUSE_DATA": "/d"}, "names no PostgreSQL database"),
        ({"SALVO_WAREHOUSE": "ducklake:sqlite:x.db", "SALVO_WAREHOUSE_DATA": "/d"}, "catalog is PostgreSQL"),
        ({"SALVO_WAREHOUSE": "/"}, "is a folder"),
    ],
)
def test_a_bad_warehouse_uri_is_one_sentence(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words) as raised:
        settings.load(env)
    assert "\n" not in str(raised.value)
