"""Progress of long work (pipelines/progress.py): `salvo extract` draws its bar on stderr only when stderr is a
terminal, or when SALVO_PROGRESS=1 / --progress force it; per-batch lines say batch i/n, articles, rows, rate
and time left; batched extraction gives the rows of one pass. The Dagster run's log lines: test_progress_run.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from pipelines import progress
from pipelines.batch import extract_in_batches
from pipelines.cli import main
from pipelines.extract import extract_events

# written for this test: two air attacks, a casualty report and a filler article
TEXTS = [
    "Russia launched 45 drones at Ukraine overnight, and air defences shot down 38 of them, the air force said.",
    "A missile strike on Kharkiv killed three people and injured 12 others, the regional governor said.",
    "Ministers met in Brussels to discuss a trade agreement worth 3 billion euros.",
    "Russian forces fired 6 missiles at Odesa on Tuesday; air defences destroyed four of them.",
]


@pytest.fixture
def articles_file(tmp_path: Path) -> Path:
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "published_at": f"2025-05-0{i + 1}", "text": t}) + "\n"
            for i, t in enumerate(TEXTS)
        ),
        encoding="utf-8",
    )
    return path


class TerminalStream(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _progress_text(err: str) -> str:
    return err.replace("\r", "\n")


def test_extract_is_quiet_off_a_terminal_and_draws_on_one(articles_file, capsys, monkeypatch) -> None:
    monkeypatch.delenv(progress.ENV, raising=False)
    assert main(["extract", str(articles_file), "--chunk", "2"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""  # captured stderr is no terminal: not a character of progress
    assert len(quiet.out.splitlines()) >= 3  # the rows are still written

    terminal = TerminalStream()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["extract", str(articles_file), "--chunk", "2"]) == 0
    drawn = _progress_text(terminal.getvalue())
    assert "salvo extract" in drawn and "4/4" in drawn and "batch 2/2" in drawn
    assert capsys.readouterr().out == quiet.out  # the same rows either way


@pytest.mark.parametrize(
    ("env", "args", "shown"),
    [
        ("1", [], True),  # SALVO_PROGRESS=1: on, though stderr is no terminal
        (None, ["--progress"], True),
        ("1", ["--no-progress"], False),  # the option beats the setting
        ("0", [], False),
    ],
)
def test_progress_can_be_forced(articles_file, capsys, monkeypatch, env, args, shown) -> None:
    if env is None:
        monkeypatch.delenv(progress.ENV, raising=False)
    else:
        monkeypatch.setenv(progress.ENV, env)
    assert main(["extract", str(articles_file), "--chunk", "3", *args]) == 0
    err = _progress_text(capsys.readouterr().err)
    if not shown:
        assert err == ""
        return
    final = [line for line in err.splitlines() if "4/4" in line]
    assert final, err  # every article read, out of the file's 4
    assert "salvo extract" in final[-1] and "batch 2/2" in final[-1] and "rows" in final[-1]
    assert "articles/s" in final[-1]


def test_a_bad_progress_setting_is_one_line(articles_file, capsys, monkeypatch) -> None:
    monkeypatch.setenv(progress.ENV, "sometimes")
    assert main(["extract", str(articles_file)]) == 2
    assert "SALVO_PROGRESS='sometimes' is not a yes/no value" in capsys.readouterr().err


def test_wanted_follows_option_setting_then_terminal() -> None:
    assert progress.wanted(stream=TerminalStream(), environ={}) is True
    assert progress.wanted(stream=io.StringIO(), environ={}) is False
    assert progress.wanted(stream=io.StringIO(), environ={progress.ENV: "1"}) is True
    assert progress.wanted(stream=TerminalStream(), environ={progress.ENV: "0"}) is False
    assert progress.wanted(False, stream=TerminalStream(), environ={progress.ENV: "1"}) is False


def test_batch_lines_and_batched_extraction_equal_one_pass() -> None:
    articles = pl.DataFrame(
        {"article_id": [f"a{i}" for i in range(len(TEXTS))], "text": TEXTS},
    ).with_columns(published_at=pl.lit(None, pl.Date))
    lines: list[str] = []
    batched = extract_in_batches(articles, 3, log=lines.append)
    assert len(lines) == 2
    assert lines[0].startswith("extract: batch 1/2, 3 articles (3/4 done), ")
    assert "rows" in lines[0] and "articles/s" in lines[0] and "ETA" in lines[0]
    assert lines[1].startswith("extract: batch 2/2, 1 articles (4/4 done), ") and "ETA" not in lines[1]
    whole = extract_events(articles)
    assert all(batched[t].equals(whole[t]) for t in whole)
    rows = sum(whole[t].height for t in ("air_attacks", "casualties", "territorial_control"))
    assert f"({rows:,} in all)" in lines[1] and rows >= 3


def test_a_bar_counts_items_as_they_pass() -> None:
    stream = TerminalStream()
    with progress.terminal(True, stream) as bar:
        assert progress.current() is bar
        bar.phase("read", 1200)
        assert sum(1 for _ in progress.counted(range(1200), every=500)) == 1200
    assert progress.current() is None
    assert "1200/1200" in _progress_text(stream.getvalue())
    with progress.terminal(False) as none:
        assert none is None and progress.current() is None
        assert list(progress.counted([1, 2])) == [1, 2]
