"""Real sources end to end: a folder, RSS/Atom feeds and HTML pages, served by a local HTTP server on 127.0.0.1
that this module starts, through `dagster.materialize` into a real DuckDB file. Every bad input ends in
`quarantine` with its reason, while the good items of the same batch load."""

from __future__ import annotations

import json
import os
import threading
import time
import tracemalloc
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.cli import materialize_days
from pipelines.defs.resources import (
    ArticleSourceResource,
    FeedSourceResource,
    FetchPolicyResource,
    PageSourceResource,
    WarehouseResource,
    default_resources,
)
from pipelines.ingest.dedup import canonical_url, near_duplicate_clusters
from pipelines.ingest.feeds import parse_feed
from pipelines.ingest.fetch import FetchPolicy, fetch
from pipelines.ingest.items import decode_bytes, parse_date
from pipelines.ingest.language import detect_language

DAY = date(2025, 6, 1)
# the server listens on 127.0.0.1: these policies allow private addresses explicitly (refused by default)
FAST = FetchPolicy(
    timeout_s=0.5, max_bytes=200_000, max_redirects=3, use_env_proxy=False, allow_private_addresses=True
)

WIRE = (
    "Russia launched 48 Shahed drones and three Iskander-M ballistic missiles at Ukraine overnight, the "
    "Ukrainian air force said on Sunday. Air defences shot down 40 drones and two missiles over the Kyiv, "
    "Chernihiv and Sumy regions, it said in a statement on Telegram. Debris fell on a residential district "
    "of Kyiv, where emergency crews worked through the night, the city military administration said. "
    "Power was cut to several thousand homes on the left bank of the Dnipro river, the energy ministry said, "
    "and repair crews were restoring supply by the morning. Schools in the affected districts moved classes "
    "online for the day. The attack was the third large strike on the capital this month, officials added."
)
# the same wire story as another site runs it: its own last sentence and a credit line
WIRE_COPY = WIRE.replace("officials added.", "officials told reporters.") + " Reporting by the wire service."
STORY_3 = (
    "Ukrainian forces said on Sunday they had repelled several assaults near the eastern town of Pokrovsk, "
    "where fighting has continued for months. Russian troops attacked positions along the front line more "
    "than forty times over the past day, the General Staff said in its morning update, adding that the "
    "situation remained difficult but under control."
)
UKRAINIAN = (
    "Росія вночі атакувала Україну ударними дронами та ракетами, повідомили у Повітряних силах. "
    "Сили протиповітряної оборони знешкодили більшість цілей над Києвом та областю, де триває "
    "ліквідація наслідків атаки. Інформація про постраждалих уточнюється."
)


def page(title: str, body: str, published: str | None = str(DAY)) -> str:
    meta = (
        f'<meta property="article:published_time" content="{published}T06:30:00+00:00">' if published else ""
    )
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (
        f'<!doctype html><html lang="en"><head><title>{title} | Example News</title>{meta}</head><body>'
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>'
        '<div class="share">Share on Facebook Share on X Copy link</div>'
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        '<section id="comments"><h3>Comments</h3><p>First! Great article, thanks for sharing.</p></section>'
        "<footer>Copyright Example News. Privacy policy. Cookie settings.</footer></body></html>"
    )


NAV_ONLY = (
    "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a> <a href='/a'>World</a></nav>"
    "<div class='share'>Share</div><footer>Cookie settings</footer></body></html>"
)
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "\n".join(
        f'<!ENTITY lol{i} "' + ("&lol;" if i == 1 else f"&lol{i - 1};") * 10 + '">' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>x</title>'
    "<link>http://127.0.0.1/x</link><description>&lol9;</description></item></channel></rss>"
)


def rss(base: str) -> str:
    def item(title, link, pub, summary="A summary that is short."):
        pubdate = f"<pubDate>{pub}</pubDate>" if pub else ""
        return (
            f"<item><title>{title}</title><link>{base}{link}</link><guid>{base}{link}</guid>{pubdate}"
            f"<description>{summary}</description></item>"
        )

    items = [
        item("Drones and missiles hit Kyiv", "/article/1", "Sun, 01 Jun 2025 07:00:00 GMT"),
        item("Kyiv attacked overnight (wire copy)", "/article/2", "Sun, 01 Jun 2025 08:00:00 GMT"),
        item("A story that was taken down", "/status/404", "Sun, 01 Jun 2025 09:00:00 GMT"),
        item("Ukrainian-language report", "/article/uk", "Sun, 01 Jun 2025 09:30:00 GMT"),
        item("A page of menus", "/nav", "Sun, 01 Jun 2025 10:00:00 GMT"),
        item("A story with a broken date", "/article/3", "Blursday, 99 Foo 2025 25:61:00 XYZ"),
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Example News</title>'
        f"<link>{base}/</link>{''.join(items)}</channel></rss>"
    )


ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Saved Atom feed</title><id>urn:saved</id>
<updated>{DAY}T12:00:00Z</updated>
<entry><title>Front line update</title><id>urn:saved:1</id><link href="https://news.example.org/front-line?utm_source=rss"/>
<updated>{DAY}T11:00:00Z</updated><published>{DAY}T11:00:00Z</published>
<content type="html">&lt;p&gt;Russian forces shelled Kherson overnight, killing two people and injuring five, the regional governor said.&lt;/p&gt;</content>
</entry></feed>"""


class Handler(BaseHTTPRequestHandler):
    base = ""

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, body: str | bytes, ctype: str = "text/html; charset=utf-8", **headers) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        Handler.user_agents.append(self.headers.get("User-Agent", ""))
        if path == "/feed.xml":
            return self._send(200, rss(self.base), "application/rss+xml")
        if path == "/notxml":
            return self._send(200, "{this is: not xml, nor a feed}", "application/rss+xml")
        if path == "/bomb.xml":
            return self._send(200, BOMB, "application/rss+xml")
        if path == "/article/1":
            return self._send(200, page("Drones and missiles hit Kyiv", WIRE))
        if path == "/article/2":
            return self._send(200, page("Kyiv attacked overnight", WIRE_COPY))
        if path == "/article/3":
            return self._send(200, page("Assaults repelled near Pokrovsk", STORY_3, published=None))
        if path == "/article/uk":
            return self._send(200, page("Атака на Київ", UKRAINIAN))
        if path == "/nav":
            return self._send(200, NAV_ONLY)
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return self._send(code, f"error {code}")
        if path == "/slow":
            time.sleep(2.0)  # past every test's timeout
            return self._send(200, page("Too late", WIRE))
        if path == "/loop/a":
            return self._send(302, "", Location="/loop/b")
        if path == "/loop/b":
            return self._send(302, "", Location="/loop/a")
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return self._send(302, "", Location=f"/chain/{n + 1}")
        if path in ("/huge", "/huge-declared"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            if path == "/huge-declared":
                self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            try:  # streams until the client hangs up, bounded so the server stops by itself
                for _ in range(800):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return None
        return self._send(404, "not found")


Handler.user_agents = []


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # clients hanging up on purpose (timeouts, caps)
        pass


@pytest.fixture(scope="module")
def server():
    srv = QuietServer(("127.0.0.1", 0), Handler)
    Handler.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield Handler.base
    finally:
        srv.shutdown()
        srv.server_close()


# --------------------------------------------------------------------------- fetching
def test_fetch_outcomes(server: str) -> None:
    ok = fetch(f"{server}/article/1", FAST)
    assert ok.ok and ok.status == 200 and b"Iskander" in ok.body
    assert "salvo" in Handler.user_agents[-1]  # a User-Agent naming the project
    cases = {
        "/status/404": "http_404",
        "/status/500": "http_500",
        "/loop/a": "redirect_loop",
        "/chain/0": "too_many_redirects",
        "/huge": "response_too_large",
        "/huge-declared": "response_too_large",
        "/slow": "fetch_timeout",
    }
    for path, reason in cases.items():
        started = time.monotonic()
        res = fetch(server + path, FAST)
        assert res.error == reason, (path, res)
        assert time.monotonic() - started < 3, path  # bounded: the timeout, not the server, decides
    assert fetch("ftp://example.org/file", FAST).error == "unsupported_url_scheme"
    assert fetch("file:///etc/passwd", FAST).error == "unsupported_url_scheme"
    only_example = FetchPolicy(
        timeout_s=0.5, allowed_hosts=("example.org",), use_env_proxy=False, allow_private_addresses=True
    )
    assert fetch(f"{server}/article/1", only_example).error == "host_not_allowed"
    closed = fetch("http://127.0.0.1:9/nothing-listens-here", FAST)
    assert closed.error == "fetch_failed"


# --------------------------------------------------------------------------- building blocks
def test_language_guess() -> None:
    assert detect_language(WIRE) == "en"
    assert detect_language(UKRAINIAN) == "uk"
    assert detect_language("Россия выпустила ночью 50 беспилотников по Харькову, сообщили в ВВС.") == "ru"
    assert (
        detect_language(
            "Russland hat in der Nacht 50 Drohnen auf Charkiw abgefeuert, teilte die Luftwaffe mit."
        )
        == "de"
    )
    assert detect_language("Kyiv") is None  # too short to tell


def test_canonical_urls_and_near_duplicates() -> None:
    assert (
        canonical_url("HTTP://www.Example.org/a/b/?utm_source=x&b=2&a=1#top")
        == "https://example.org/a/b?a=1&b=2"
    )
    assert canonical_url("https://example.org/a/b?b=2&a=1") == "https://example.org/a/b?a=1&b=2"
    firsts = near_duplicate_clusters([STORY_3, WIRE, WIRE_COPY, UKRAINIAN, WIRE.upper()])
    assert firsts == [0, 1, 1, 3, 1]


def test_dates() -> None:
    assert parse_date("Sun, 01 Jun 2025 07:00:00 GMT") == DAY
    assert parse_date("2025-06-01T23:30:00-05:00") == DAY + timedelta(days=1)  # its UTC day
    assert parse_date("2025-06-01T20:30:00-03:00") == DAY
    assert parse_date("2025-13-45") is None and parse_date("last Tuesday") is None


def test_entity_bomb_and_junk_feeds_are_refused_with_bounded_memory() -> None:
    tracemalloc.start()
    try:
        items = list(parse_feed(BOMB.encode(), "bomb.xml"))
        import feedparser  # what would happen without the pre-screen: still bounded

        parsed = feedparser.parse(BOMB.encode())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.reject_reason for i in items] == ["feed_entity_declaration"]
    assert len(parsed.feed.get("title", "")) < 1000  # the entities were not expanded
    assert peak < 50_000_000
    assert [i.reject_reason for i in parse_feed(b"{not xml}", "x")] == ["not_a_feed"]


def test_decoding() -> None:
    assert decode_bytes("Café".encode("cp1252")) == "Café"
    assert decode_bytes("Київ".encode("utf-16")) == "Київ"
    assert decode_bytes(bytes(range(256)) * 4) is None  # binary


def test_jsonl_line_cap_streams(tmp_path: Path) -> None:
    from pipelines.ingest.folder import FileLimits, read_file

    f = tmp_path / "long.jsonl"
    with f.open("wb") as fh:
        fh.write(b'{"id": "huge", "text": "' + b"a" * 20_000_000 + b'"}\n')
        fh.write(json.dumps({"id": "ok", "text": "fine"}).encode() + b"\n")
    tracemalloc.start()
    try:
        items = list(read_file(f, FileLimits(max_line_bytes=100_000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.reject_reason for i in items] == ["line_too_large", None]
    assert peak < 8_000_000  # the 20 MB line was never held whole


# --------------------------------------------------------------------------- one batch, every source, every bad case
def write_landing(folder: Path) -> None:
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Russia fired 12 missiles at Kyiv overnight. Air defences destroyed ten of them, officials said."
    )
    (folder / "zz_copy.txt").write_text(
        "Russia fired 12 missiles at Kyiv   overnight.\nAir defences destroyed ten of them, officials said."
    )
    (folder / "empty.txt").write_text("")
    (folder / "blank.md").write_text("  \n\t \n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    with (folder / "big.txt").open("wb") as fh:  # 50 MB (sparse): capped by size, never read
        fh.truncate(50_000_000)
    (folder / "ukrainian.txt").write_text(UKRAINIAN)
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "saved_page.html").write_text(page("Assaults repelled near Pokrovsk", STORY_3))
    (folder / "saved_nav.html").write_text(NAV_ONLY)
    (folder / "saved.atom").write_text(ATOM)
    lines = [
        json.dumps({"id": "j-ok", "published_at": str(DAY), "text": "Russia launched 20 drones at Odesa."}),
        "{not json",
        json.dumps({"id": "j-ok", "published_at": str(DAY), "text": "Another text under the same id."}),
        json.dumps({"id": "j-baddate", "published_at": "2025-13-45", "text": "Shelling hit Kherson."}),
        json.dumps({"id": "j-words", "published_at": "last Tuesday", "text": "Shelling hit Nikopol."}),
        json.dumps({"id": "j-old", "published_at": "2019-01-01", "text": "An article from before the war."}),
        json.dumps({"id": "j-nodate", "text": "Russia launched 7 drones at Sumy; all were shot down."}),
        json.dumps([1, 2]),
        json.dumps({"id": "j-notext"}),
    ]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n")
    with (folder / "longline.jsonl").open("wb") as fh:
        fh.write(b'{"id": "huge-line", "text": "' + b"a" * 6_000_000 + b'"}\n')
        fh.write(
            json.dumps({"id": "after-long", "text": "Russia fired 3 missiles at Lviv."}).encode() + b"\n"
        )
    stamp = time.mktime(DAY.timetuple()) + 12 * 3600
    for p in folder.iterdir():  # the files "landed" on DAY: undated items belong to it
        os.utime(p, (stamp, stamp))


def write_url_list(path: Path, base: str) -> None:
    path.write_text(
        "\n".join(
            [
                "# pages to fetch",
                f"{base}/article/1?utm_source=newsletter#comments",  # the feed's first entry again
                f"{base}/slow",
                f"{base}/loop/a",
                f"{base}/chain/0",
                f"{base}/huge",
                f"{base}/status/500",
                "ftp://example.org/article",
            ]
        )
        + "\n"
    )


@pytest.fixture(scope="module")
def batch(server: str, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("sources")
    landing, db = base / "landing", base / "w.duckdb"
    write_landing(landing)
    write_url_list(base / "urls.txt", server)
    resources = default_resources(
        warehouse=WarehouseResource(db_path=str(db)),
        article_source=ArticleSourceResource(paths=[str(landing)]),
        feed_source=FeedSourceResource(
            feeds=[f"{server}/feed.xml", f"{server}/notxml", f"{server}/bomb.xml", f"{server}/status/404"],
            fetch_pages=True,
        ),
        page_source=PageSourceResource(pages=[str(base / "urls.txt")]),
        fetch_policy=FetchPolicyResource(
            timeout_s=0.5, max_bytes=200_000, max_redirects=3, use_env_proxy=False, allow_private_addresses=True
        ),
    )
    result = materialize_days(DAY, DAY, resources)
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {t: con.sql(f"SELECT * FROM {t}").pl() for t in ("articles", "air_attacks", "quarantine")}
        by_reason = dict(con.sql("SELECT reason, count(*) FROM quarantine GROUP BY 1").fetchall())
    finally:
        con.close()
    return result, tables, by_reason, server, landing


def _reason_of(q: pl.DataFrame, needle: str) -> str:
    rows = q.filter(pl.col("row_id").str.contains(needle, literal=True))
    assert rows.height == 1, (needle, rows)
    return rows["reason"].item()


# origin (substring) -> the reason its item is quarantined with
EXPECTED_QUARANTINE = {
    "zz_copy.txt": "duplicate_article",  # the same text as good.txt (which comes first)
    "empty.txt": "empty_text",
    "blank.md": "empty_text",
    "binary.txt": "undecodable_bytes",
    "big.txt": "file_too_large",
    "image.png": "unsupported_file_type",
    "saved_nav.html": "no_article_text",
    "batch.jsonl:2": "invalid_json",
    "batch.jsonl:3": "duplicate_article_id",
    "batch.jsonl:4": "unparseable_date",
    "batch.jsonl:5": "unparseable_date",
    "batch.jsonl:6": "date_out_of_range",
    "batch.jsonl:8": "not_an_object",
    "batch.jsonl:9": "missing_text",
    "longline.jsonl:1": "line_too_large",
    "/notxml": "not_a_feed",
    "/bomb.xml": "feed_entity_declaration",
    "feed.xml#http://127.0.0.1:{port}/status/404": "http_404",  # a feed entry whose page is gone
    "/slow": "fetch_timeout",
    "/loop/a": "redirect_loop",
    "/chain/0": "too_many_redirects",
    "/huge": "response_too_large",
    "urls.txt:8": "unsupported_url_scheme",
    "/nav": "no_article_text",
    "/article/3": "unparseable_date",
    "/article/1?utm_source": "duplicate_article",  # the same canonical URL as the feed entry
}


def test_every_bad_input_is_quarantined_with_its_reason(batch) -> None:
    result, tables, by_reason, server, _ = batch
    assert result.success
    q = tables["quarantine"].filter(pl.col("stage") == "ingest")
    port = server.rsplit(":", 1)[1]
    for needle, reason in EXPECTED_QUARANTINE.items():
        assert _reason_of(q, needle.format(port=port)) == reason, needle
    # the feed that answered 404 itself (not an entry of it)
    assert q.filter(pl.col("row_id") == f"{server}/status/404")["reason"].to_list() == ["http_404"]
    # the 500 of the page list
    assert q.filter(pl.col("row_id") == f"{server}/status/500")["reason"].to_list() == ["http_500"]
    assert by_reason == dict(q.group_by("reason").len().iter_rows())  # queryable by reason
    assert q.height == len(EXPECTED_QUARANTINE) + 2 == 28 and len(by_reason) == 22  # as docs/ingest.md says
    assert tables["articles"].height == 10
    # every ingest row carries its day, which is how a partition re-run replaces it
    days = {json.loads(r)["partition_date"] for r in q["row_json"]}
    assert days == {str(DAY)}


def test_good_items_of_the_same_batch_load(batch) -> None:
    _, tables, _, server, _ = batch
    arts = tables["articles"]
    by_origin = {
        o.rsplit("/", 1)[-1]: r for o, r in zip(arts["origin"], arts.iter_rows(named=True), strict=True)
    }
    assert {
        "good.txt",
        "ukrainian.txt",
        "saved_page.html",
        "batch.jsonl:1",
        "batch.jsonl:7",
        "longline.jsonl:2",
    } <= set(by_origin)
    assert any("saved.atom#urn:saved:1" in o for o in arts["origin"])  # the saved Atom feed's entry
    assert arts["partition_date"].unique().to_list() == [DAY]
    # the undated items fall back to their file's day; the undated jsonl line too
    assert by_origin["good.txt"]["published_at"] is None
    # feed entries with their pages' main text, title and date; boilerplate gone
    first = arts.filter(pl.col("url") == f"{server}/article/1").row(0, named=True)
    assert first["title"] == "Drones and missiles hit Kyiv" and first["published_at"] == DAY
    assert "Iskander-M" in first["text"] and "Share on Facebook" not in first["text"]
    assert "Cookie" not in first["text"] and "First! Great article" not in first["text"]
    page_row = by_origin["saved_page.html"]
    assert page_row["published_at"] == DAY and page_row["title"] == "Assaults repelled near Pokrovsk"


def test_copies_and_languages(batch) -> None:
    _, tables, _, server, _ = batch
    arts, air = tables["articles"], tables["air_attacks"]
    first = arts.filter(pl.col("url") == f"{server}/article/1")["article_id"].item()
    copy = arts.filter(pl.col("url") == f"{server}/article/2").row(0, named=True)
    assert copy["duplicate_of"] == first  # linked to the earlier wire copy, not independent evidence
    assert air.filter(pl.col("article_id") == first).height == 2  # drones and missiles
    assert air.filter(pl.col("article_id") == copy["article_id"]).height == 0
    uk = arts.filter(pl.col("language") == "uk")
    assert uk.height == 2  # the landing file and the fetched page: kept, marked, not extracted
    assert air.filter(pl.col("article_id").is_in(uk["article_id"].implode())).height == 0
    assert set(arts.filter(pl.col("language") != "uk")["language"].drop_nulls()) == {"en"}


def test_conservation_holds(batch) -> None:
    result, tables, *_ = batch
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["conservation"].passed
    md = checks["conservation"].metadata
    assert md["items_in"].value == md["articles_loaded"].value + md["items_quarantined"].value
    assert md["articles_loaded"].value == tables["articles"].height


def test_feed_sensor_fires_only_on_new_entries(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    import pipelines.defs.automation as automation
    from pipelines.defs.automation import feed_sensor

    today = DAY + timedelta(days=2)  # the fetch day, set: not the clock's, which may turn over mid-test
    monkeypatch.setattr(automation, "today_utc", lambda: today)
    resources = {
        "feed_source": FeedSourceResource(feeds=[f"{server}/feed.xml"]),
        "fetch_policy": FetchPolicyResource(timeout_s=0.5, use_env_proxy=False, allow_private_addresses=True),
    }
    ctx = dg.build_sensor_context(cursor=None, resources=resources)
    reqs = feed_sensor(ctx)
    # the entries' day, and the fetch day for the entry whose date cannot be read (its quarantine row's day)
    assert sorted(r.partition_key for r in reqs) == sorted({str(DAY), str(today)})
    ctx = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    assert isinstance(feed_sensor(ctx), dg.SkipReason)


def test_pages_already_loaded_are_not_fetched_again(tmp_path: Path) -> None:
    from pipelines.ingest.sources import read_pages

    known = "http://127.0.0.1:9/already-loaded"  # nothing listens there: a fetch would fail
    items = list(read_pages([known], FAST, DAY, seen_url=lambda u: "url-abc" if u == known else None))
    assert [(i.reject_reason, i.record["id"]) for i in items] == [("already_loaded", "url-abc")]


def test_hostile_files_never_stop_a_run(tmp_path: Path) -> None:
    """Inputs no rule names: nesting past the JSON parser's depth, lone surrogates, a file name that is not
    UTF-8, fields of the wrong type, a reader that fails half-way. Each ends as a row that DuckDB accepts."""
    from pipelines.ingest import ingest_quarantine, raw_articles_frame, read_folder
    from pipelines.ingest.folder import guarded
    from pipelines.ingest.items import RawItem, accepted_articles
    from pipelines.ingest.screen import Window, screen_batch
    from pipelines.warehouse import load_batch

    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep.jsonl").write_text(
        "[" * 100_000 + "]" * 100_000 + "\n" + json.dumps({"id": "ok", "text": "fine"})
    )
    (tmp_path / "surrogates.jsonl").write_text(
        '{"id": "s\\ud800", "title": "t\\ud83d", "text": "a \\udc00 b"}\n'
    )
    (tmp_path / "types.jsonl").write_text(
        json.dumps({"id": ["x"], "title": {"a": 1}, "url": 5, "text": "t"})
        + "\n"
        + json.dumps({"id": "n", "text": 7})
    )
    os.close(os.open(os.path.join(os.fsencode(tmp_path), b"name-\xff.txt"), os.O_CREAT | os.O_WRONLY))
    Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"name-\xff.txt"))).write_text(
        "Russia launched 5 drones."
    )

    def breaks_half_way():
        yield RawItem("flaky:1", {"id": "f1", "text": "first item"}, None, DAY)
        raise RuntimeError("the disk went away")

    items = [*read_folder(tmp_path), *guarded(breaks_half_way(), "flaky", DAY)]
    raw = screen_batch(raw_articles_frame(items, check_dates=True), Window(DAY, DAY), today=DAY)
    reasons = dict(zip(raw["origin"].str.replace(str(tmp_path) + "/", ""), raw["reject_reason"], strict=True))
    assert reasons == {
        "deep.json": "invalid_json",
        "deep.jsonl:1": "invalid_json",
        "deep.jsonl:2": None,
        "name-\\udcff.txt": None,
        "surrogates.jsonl:1": None,
        "types.jsonl:1": None,
        "types.jsonl:2": "text_not_a_string",
        "flaky:1": None,
        "flaky": "read_error",
    }
    summary = load_batch(
        tmp_path / "w.duckdb", accepted_articles(raw), {}, ingest_quarantine(raw), partitions=(DAY, DAY)
    )
    assert summary.articles == 5 and summary.quarantine == 4


def test_future_dates_are_judged_against_today_not_the_fetch_day() -> None:
    """A backfill of past days fetches with the backfill's last day as fetch day; an entry published since
    is another day's item, not a bad date."""
    from pipelines.ingest import raw_articles_frame
    from pipelines.ingest.items import RawItem

    def item(published: str) -> RawItem:
        return RawItem(published, {"text": f"t {published}", "published_at": published}, None, fetched_on=DAY)

    raw = raw_articles_frame(
        [item("2025-06-10"), item("2025-06-21"), item("2025-06-22"), item("2021-12-31")],
        check_dates=True,
        today=date(2025, 6, 20),
    )
    assert raw["reject_reason"].to_list() == [None, None, "date_out_of_range", "date_out_of_range"]
    assert raw["partition_date"].to_list() == [date(2025, 6, 10), date(2025, 6, 21), DAY, DAY]
