"""Same fact, same answer: one date rule (the UTC day) and one strict parser for every source, digits of any
script read as digits, a front-matter `text:` key refused rather than silently replacing the body, feeds with
a DTD refused in any encoding, and an exact copy loaded once even when two runs publish it at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.batch import publish_run
from pipelines.extract import extract_events
from pipelines.ingest import accepted_articles, parse_date, raw_articles_frame, read_folder
from pipelines.ingest.feeds import parse_feed
from pipelines.ingest.screen import Window, screen_batch
from pipelines.schema import QUARANTINE
from pipelines.warehouse import connect

ACCEPTED = {
    "2025-03-02": date(2025, 3, 2),
    "2025-03-02T08:00:00Z": date(2025, 3, 2),
    "2025-03-02T23:30:00-05:00": date(2025, 3, 3),  # an instant: its UTC day
    "2025-03-03T01:30:00+03:00": date(2025, 3, 2),
    "2025-03-02 23:30": date(2025, 3, 2),  # no zone: taken as UTC
    "2025/03/02": date(2025, 3, 2),
    "20250302": date(2025, 3, 2),
    "Sun, 02 Mar 2025 23:30:00 -0500": date(2025, 3, 3),
    "Mon, 3 Mar 2025 08:00:00 GMT": date(2025, 3, 3),
    "Sun, 02 Mar 2025 22:00:00 EST": date(2025, 3, 3),
    "March 2, 2025": date(2025, 3, 2),
    "2 March 2025": date(2025, 3, 2),
    "02.03.2025": date(2025, 3, 2),  # dots: day first
    "03/02/2025": date(2025, 3, 2),  # slashes: month first
    "２０２５-０３-０２": date(2025, 3, 2),  # full-width digits
}
REFUSED = [
    "2025-03-02garbage",
    "2025-03-02 garbage",
    "2025-03-02T99:99:99",
    "T99:99:99",
    "2025-13-45",
    "last Tuesday",
    "2 days ago",
    "yesterday",
    "March 2025",  # no day
    "2025",
    "Sunday",
    "Sun, 02 Mar 2025 08:00:00 XYZ",  # a zone that would have to be guessed
    "Blursday, 99 Foo 2025 25:61:00 XYZ",
    "",
]


@pytest.mark.parametrize("text,day", ACCEPTED.items())
def test_common_forms_are_read(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", REFUSED)
def test_garbage_is_refused(text: str) -> None:
    assert parse_date(text) is None
    assert parse_date(20250302) is None  # a number is not a date


def _rss(pub: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<item><title>t</title><link>https://news.example.org/a</link><pubDate>{pub}</pubDate>"
        "<description>Russia launched 12 drones at Sumy overnight.</description></item></channel></rss>"
    )


def test_one_instant_is_one_day_from_json_and_from_rss(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps({"id": "j", "published_at": "2025-03-02T23:30:00-05:00", "text": "Russia launched 12 drones."})
    )
    (tmp_path / "feed.xml").write_text(_rss("Sun, 02 Mar 2025 23:30:00 -0500"))
    (tmp_path / "front.md").write_text("---\npublished_at: 2025-03-02T23:30:00-05:00\n---\nRussia launched 12 drones.")
    raw = raw_articles_frame(read_folder(tmp_path), check_dates=True, today=date(2025, 4, 1))
    assert raw["reject_reason"].null_count() == 3
    assert set(raw["partition_date"].to_list()) == {date(2025, 3, 3)}
    assert set(raw["published_at"].to_list()) == {date(2025, 3, 3)}


def test_an_rss_date_with_garbage_is_quarantined(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text(_rss("2025-03-02garbage"))
    raw = raw_articles_frame(read_folder(tmp_path), check_dates=True, today=date(2025, 4, 1))
    assert raw["reject_reason"].to_list() == ["unparseable_date"]


@pytest.mark.parametrize(
    "digits", ["４０", "٤٠", "۴۰", "४०", "40"], ids=["full-width", "arabic-indic", "persian", "devanagari", "ascii"]
)
def test_digits_of_any_script_are_digits(tmp_path: Path, digits: str) -> None:
    text = f"Russia launched {digits} drones at Odesa overnight; air defences shot down 3{digits[-1]} of them."
    (tmp_path / "a.json").write_text(json.dumps({"id": "d", "published_at": "2025-03-02", "text": text}))
    arts = accepted_articles(raw_articles_frame(read_folder(tmp_path)))
    assert "40 drones" in arts["text"].item()  # NFKC + every script's decimal digits at ingest
    air = extract_events(arts)["air_attacks"]
    assert air.select("launched", "intercepted").rows() == [(40, 30)]  # never 0


def test_a_front_matter_text_key_never_replaces_the_body(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: T\ntext: Russia launched 999 missiles.\n---\nThe real body.")
    (tmp_path / "b.md").write_text("---\ntitle: T\n---\nRussia launched 12 drones at Sumy.")
    raw = raw_articles_frame(read_folder(tmp_path))
    got = {Path(o).name: (r, t) for o, r, t in raw.select("origin", "reject_reason", "text").rows()}
    assert got == {"a.md": ("front_matter_text_key", None), "b.md": (None, "Russia launched 12 drones at Sumy.")}


def _bomb(encoding: str) -> bytes:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    entities = "\n".join(
        f'<!ENTITY lol{i} "' + ("lol" if i == 1 else f"&lol{i - 1};") * 10 + '">' for i in range(1, 10)
    )
    body = (
        f"<!DOCTYPE rss [\n{entities}\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title><item><title>Drones</title>'
        "<link>https://news.example.org/b</link><pubDate>Sun, 02 Mar 2025 08:00:00 GMT</pubDate>"
        "<description>Russia launched 48 drones at Kyiv; 40 were shot down. &lol9;</description></item>"
        "</channel></rss>"
    )
    return (decl + body).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-7"])
def test_entity_bombs_are_refused_in_any_encoding(encoding: str) -> None:
    assert [i.reject_reason for i in parse_feed(_bomb(encoding), "bomb.xml")] == ["feed_entity_declaration"]


def test_any_dtd_is_refused_and_plain_feeds_pass() -> None:
    feed = _rss("Sun, 02 Mar 2025 08:00:00 GMT").replace('encoding="utf-8"', 'encoding="utf-16"')
    doctype = feed.replace(
        "<rss", '<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "http://x/rss-0.91.dtd"><rss', 1
    )
    assert [i.reject_reason for i in parse_feed(doctype.encode("utf-16"), "f.xml")] == ["feed_dtd"]
    plain = list(parse_feed(feed.encode("utf-16"), "f.xml"))
    assert [i.reject_reason for i in plain] == [None]


def test_a_copy_published_meanwhile_by_another_run_is_not_loaded_twice(tmp_path: Path) -> None:
    """Two runs of different days screen against the same warehouse (neither sees the other's copy), then
    publish one after the other: the second publish screens again under the lock and rejects its copy."""
    db = tmp_path / "w.duckdb"
    story = "Russia launched 52 drones at Kharkiv overnight; air defences shot down 47 of them."
    d1, d2 = date(2025, 3, 2), date(2025, 3, 9)

    def screened(folder: str, day: date, article_id: str) -> tuple[pl.DataFrame, Window]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.json").write_text(
            json.dumps({"id": article_id, "published_at": str(day), "text": story})
        )
        window = Window(day, day)
        everything = raw_articles_frame(read_folder(tmp_path / folder), check_dates=True, today=d2)
        return screen_batch(everything, window, today=d2), window  # the warehouse is still empty

    first, w1 = screened("one", d1, "copy-1")
    second, w2 = screened("two", d2, "copy-2")
    for raw, window in ((first, w1), (second, w2)):
        arts = accepted_articles(raw)
        events = {k: v for k, v in extract_events(arts).items()}
        publish_run(db, raw, arts, events, pl.DataFrame(schema=QUARANTINE), window)
    con = connect(db, read_only=True)
    try:
        assert con.sql("SELECT article_id FROM articles").fetchall() == [("copy-1",)]
        assert con.sql("SELECT article_id FROM air_attacks").fetchall() == [("copy-1",)]
        rows = con.sql("SELECT reason, json_extract_string(row_json, '$.duplicate_of') FROM quarantine").fetchall()
    finally:
        con.close()
    assert rows == [("already_loaded", "copy-1")]
