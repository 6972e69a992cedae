"""Hostile text is data: stored verbatim, never executed, never a path (issue 7, "Guarantees")."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from helpers import materialize_all

HOSTILE = [
    (
        "sql-1",
        "Robert'); DROP TABLE articles; --",
        "x'); DELETE FROM air_attacks; -- Russia launched 12 drones; 9 were shot down.",
    ),
    (
        "quote\"mix'`",
        "\"quoted\" 'single' `tick` \\backslash",
        'He said "Russia fired 4 missiles"; 3 were intercepted.',
    ),
    (
        "nul-ctrl",
        "title\x00with\x07control\x1bchars",
        "Body\x00with NUL.\x0b Russia launched 7 drones\x1f overnight.",
    ),
    ("big-number", "9" * 10_000, "Russia launched " + "9" * 10_000 + " drones overnight."),
    (
        "rtl-emoji",
        "\u202eevil\u202c \U0001f680\U0001f4a5",
        "\u200fמתקפה\u200f Russia launched 5 drones \U0001f680 at Kyiv.",
    ),
    ("../../../../tmp/salvo-escape", "../etc/passwd", "Path-like id; Russia fired 2 missiles at Lviv."),
    (
        "{{7*7}}${jndi:ldap://x}",
        "<script>alert(1)</script>",
        "<b>Russia</b> launched 3 drones &amp; 2 missiles.",
    ),
]


def test_hostile_items_are_stored_verbatim_and_never_executed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [
        json.dumps({"id": aid, "title": title, "published_at": "2025-04-01", "text": text})
        for aid, title, text in HOSTILE
    ]
    (folder / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w" / "salvo.duckdb"
    results = materialize_all(folder, db)
    assert all(r.success for r in results)

    con = duckdb.connect(str(db), read_only=True)
    stored = {
        aid: (title, text)
        for aid, title, text in con.sql("SELECT article_id, title, text FROM articles").fetchall()
    }
    tables = {t for (t,) in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
    air_ids = {a for (a,) in con.sql("SELECT DISTINCT article_id FROM air_attacks").fetchall()}
    big = con.sql("SELECT count(*) FROM air_attacks WHERE article_id = 'big-number'").fetchall()[0][0]
    con.close()

    # every id, title and text exactly as given (titles and ids are not even trimmed of their oddities)
    assert stored == {aid: (title, text) for aid, title, text in HOSTILE}
    # nothing was executed: the tables the SQL fragments name are all still there and hold rows
    assert {"articles", "air_attacks", "quarantine"} <= tables
    assert {"sql-1", "nul-ctrl", "rtl-emoji"} <= air_ids
    # a 10,000-digit count is not a number the extractor reads (it is no count of weapons)
    assert big == 0
    # an id with ../ never became a path
    assert not Path("/tmp/salvo-escape").exists()
    assert not any("salvo-escape" in p.name for p in tmp_path.rglob("*"))
