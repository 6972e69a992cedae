"""Tests for pipelines.reports.chart: what the chart draws from the consolidated attack events, and the figure
itself (panels, bars side by side, whiskers over the sources' range, the rate, a date axis of dated events)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.dates as mdates
import polars as pl
import pytest

from pipelines.reports.chart import (
    EVENTS_SCHEMA,
    MAX_RATE_LABELS,
    chart_data,
    figure,
    render_daily_chart,
)
from pipelines.schema import AIR_ATTACKS, ARTICLES, QUARANTINE, conform
from pipelines.warehouse import publish_batch

D1 = dt.date(2025, 3, 2)


def event(day: dt.date, attacker: str = "RU", weapon_class: str = "drone", precision: str = "day", **figures):
    row = {"day": day, "time_precision": precision, "attacker": attacker, "weapon_class": weapon_class}
    for name in ("launched", "intercepted", "suppressed"):
        value = figures.get(name)
        row |= {
            name: value,
            f"{name}_min": figures.get(f"{name}_min", value),
            f"{name}_max": figures.get(f"{name}_max", value),
        }
    return row | {"disputed": figures.get("disputed", False), "n_sources": 1}


def events(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EVENTS_SCHEMA)


def test_undated_events_are_left_out_and_do_not_stretch_the_axis() -> None:
    data = chart_data(
        events(
            event(D1, launched=96, intercepted=71, suppressed=19, launched_min=90),
            event(D1 + dt.timedelta(days=3), "UA", intercepted=27),
            # dated only by the day its article was fetched, long after
            event(dt.date(2026, 11, 24), precision="week", launched=580, intercepted=552),
        )
    )
    assert data.period == "day"
    assert data.left_out.height == 1
    assert data.bars["period"].to_list() == [D1, D1 + dt.timedelta(days=3)]
    ru = data.bars.row(0, named=True)
    assert (ru["launched"], ru["launched_min"], ru["intercepted"], ru["suppressed"]) == (96, 90, 71, 19)
    assert ru["rate"] == pytest.approx(71 / 96)
    assert data.bars.row(1, named=True)["rate"] is None  # launched unknown: no rate, not 0
    fig = figure(data)
    left, right = fig.axes[-1].get_xlim()
    assert mdates.num2date(left).date() >= D1 - dt.timedelta(days=1)
    assert mdates.num2date(right).date() <= D1 + dt.timedelta(days=4)


def test_the_figure_draws_three_bars_a_whisker_and_the_rate_per_day() -> None:
    data = chart_data(
        events(
            event(D1, launched=96, intercepted=71, suppressed=19, launched_min=90, disputed=True),
            event(D1, weapon_class="missile", launched=7, intercepted=5),
        )
    )
    fig = figure(data)
    drone, missile = fig.axes  # one panel per attacker and class, sorted
    assert drone.get_title(loc="left").startswith("RU drone: 96 launched, 71 intercepted, 19 suppressed")
    assert "interception rate 74%" in drone.get_title(loc="left")
    heights = [[round(p.get_height()) for p in c.patches] for c in drone.containers if hasattr(c, "patches")]
    assert heights == [[96], [71], [19]]  # launched, intercepted, suppressed side by side
    whiskers = [c for c in drone.containers if not hasattr(c, "patches")]
    assert len(whiskers) == 1  # only launched has a range across sources (90..96)
    assert [t.get_text() for t in drone.texts] == ["74%"]
    assert [t.get_text() for t in missile.texts] == ["71%"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["launched", "intercepted (shot down)", "suppressed (EW)", "range across sources"]


def test_many_days_show_the_rate_as_a_line_and_long_spans_as_weeks() -> None:
    days = [D1 + dt.timedelta(days=i) for i in range(MAX_RATE_LABELS + 5)]
    fig = figure(chart_data(events(*(event(d, launched=10, intercepted=8) for d in days))))
    panel, rate_axis = fig.axes  # the rate on a right-hand axis, not as a label per day
    assert not panel.texts and rate_axis.get_ylabel() == "interception rate %"
    assert list(rate_axis.lines[0].get_ydata()) == pytest.approx([80.0] * len(days))

    year = [D1 + dt.timedelta(days=i) for i in range(200)]
    data = chart_data(events(*(event(d, launched=10, intercepted=8, suppressed=None) for d in year)))
    assert data.period == "week"
    assert data.bars["period"].dt.weekday().unique().to_list() == [1]  # weeks start on Monday
    full = data.bars.filter(pl.col("launched") == 70)
    assert full.height >= 25 and full["intercepted"].unique().to_list() == [56]
    assert data.bars["suppressed"].is_null().all()  # a sum of unknowns stays unknown


def test_render_writes_the_png_and_the_html(tmp_path: Path) -> None:
    db = tmp_path / "salvo.duckdb"
    articles = conform(pl.DataFrame({"article_id": ["a"], "partition_date": [D1], "text": ["..."]}), ARTICLES)
    air = conform(
        pl.DataFrame(
            [{"event_id": "a#1", "article_id": "a", "attacker": "RU", "weapon_class": "drone", "launched": 50,
              "intercepted": 40, "launched_qualifier": "exact", "event_date": D1}]
        ),
        AIR_ATTACKS,
    )  # fmt: skip
    publish_batch(db, articles, {"air_attacks": air}, pl.DataFrame(schema=QUARANTINE), partitions=(D1, D1))
    chart = render_daily_chart(db)
    assert chart.png == tmp_path / "reports" / "daily_launched_intercepted.png"
    assert chart.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.data.bars.select("launched", "intercepted").row(0) == (50, 40)
    page = chart.html.read_text()
    assert "data:image/png;base64," in page and "<td>80%</td>" in page
