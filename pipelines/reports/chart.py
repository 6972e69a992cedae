"""The chart: launched vs intercepted per day, per attacker and weapon class, from the consolidated attack events.

What it shows, one panel per attacker and weapon class:
- per day, three bars side by side: launched, intercepted (shot down), suppressed (lost to electronic warfare);
- on each bar, a whisker over the range the sources gave (`<figure>_min` .. `<figure>_max`) where they disagree;
- above each day, the interception rate (intercepted / launched, where both are known);
- in the panel title, the panel's totals and overall rate.

The x axis spans the days of events dated by their text or their publication (`time_precision = 'day'`). An
event dated only by the day its article was fetched (an undated article) would stretch the axis to that day
and put the attack on the wrong date, so it is left out and counted in a note under the chart. Over more than
`MAX_DAILY_SPAN` days the bars are weekly sums (weeks starting Monday), so that a bar stays wider than a pixel.

`render_daily_chart` reads the published warehouse read-only and writes `<out_dir>/daily_launched_intercepted.png`
and `.html` (the PNG embedded, plus the figures as a table), each under a temporary name renamed into place.
matplotlib runs on the Agg backend (no display needed).
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.settings import Lake
from pipelines.warehouse import connect, existing_tables

CHART_NAME = "daily_launched_intercepted"
MAX_DAILY_SPAN = 92  # days; beyond it the chart shows weekly sums
MAX_RATE_LABELS = 10  # bar groups per panel up to which each shows its rate as text
FIGURES = ("launched", "intercepted", "suppressed")
LABELS = {"launched": "launched", "intercepted": "intercepted (shot down)", "suppressed": "suppressed (EW)"}
COLORS = {"launched": "#9aa7b8", "intercepted": "#2f7d4f", "suppressed": "#e0a030"}
RATE_STYLE = {"color": "#1f4e99", "marker": "o", "markersize": 3, "linewidth": 1.2, "zorder": 4}
_RANGES = [f"{f}{s}" for f in FIGURES for s in ("", "_min", "_max")]
QUERY = f"""
SELECT event_date AS day, time_precision, attacker, weapon_class, {", ".join(_RANGES)}, disputed, n_sources
FROM attack_events
WHERE event_date IS NOT NULL AND (launched IS NOT NULL OR intercepted IS NOT NULL OR suppressed IS NOT NULL)
ORDER BY attacker, weapon_class, day
"""
EVENTS_SCHEMA = {
    "day": pl.Date,
    "time_precision": pl.String,
    "attacker": pl.String,
    "weapon_class": pl.String,
    **{c: pl.Int64 for c in _RANGES},
    "disputed": pl.Boolean,
    "n_sources": pl.Int64,
}


@dataclass(frozen=True)
class ChartData:
    """What the chart draws: one row per attacker, weapon class and period (a day, or a week)."""

    bars: pl.DataFrame  # period, attacker, weapon_class, the FIGURES with _min/_max, rate, disputed
    period: str  # "day" or "week"
    left_out: pl.DataFrame  # events not drawn: dated only by their article's fetch day


@dataclass(frozen=True)
class Chart:
    png: Path
    html: Path
    data: ChartData

    def png_base64(self) -> str:
        return base64.b64encode(self.png.read_bytes()).decode("ascii")


def default_reports_dir(db_path: Path | str | Lake) -> Path:
    """reports/ beside the warehouse file, or in a lake's files folder."""
    from pipelines.warehouse.db import files_dir

    return files_dir(db_path) / "reports"


def attack_events(db_path: Path | str) -> pl.DataFrame:
    """The attack events with figures (EVENTS_SCHEMA), read from the published warehouse."""
    con = connect(db_path, read_only=True)
    try:
        if "attack_events" not in existing_tables(con):
            return pl.DataFrame(schema=EVENTS_SCHEMA)
        return con.sql(QUERY).pl().cast(EVENTS_SCHEMA)  # type: ignore[arg-type]
    finally:
        con.close()


def chart_data(events: pl.DataFrame, max_daily_span: int = MAX_DAILY_SPAN) -> ChartData:
    """Events -> the bars of the chart: dated events only, per day (or per week over a long span), each figure
    with its range across sources and the interception rate of the period."""
    dated = events.filter(pl.col("time_precision").fill_null("day") == "day")
    left_out = events.filter(pl.col("time_precision").fill_null("day") != "day")
    span = (dated["day"].max() - dated["day"].min()).days + 1 if dated.height else 0
    period = "week" if span > max_daily_span else "day"
    start = pl.col("day").dt.truncate("1w") if period == "week" else pl.col("day")
    bars = (
        dated.group_by(start.alias("period"), "attacker", "weapon_class")
        .agg(
            # a sum of nothing known stays unknown (null), not 0
            *[pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c) for c in _RANGES],
            pl.col("disputed").any(),
        )
        .with_columns(
            rate=pl.when(pl.col("launched") > 0).then(pl.col("intercepted") / pl.col("launched")),
        )
        .sort("attacker", "weapon_class", "period")
    )
    return ChartData(bars=bars, period=period, left_out=left_out)


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _percent(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def _panel_title(attacker: str, weapon_class: str, part: pl.DataFrame) -> str:
    totals = {f: part[f].sum() if part[f].is_not_null().any() else None for f in FIGURES}
    both = part.filter(pl.col("launched").is_not_null() & pl.col("intercepted").is_not_null())
    text = f"{attacker} {weapon_class.replace('_', ' ')}"
    figures = [f"{totals[f]:,} {f}" for f in FIGURES if totals[f] is not None]
    if figures:
        text += ": " + ", ".join(figures)
    if both.height and both["launched"].sum():
        text += f"  (interception rate {_percent(both['intercepted'].sum() / both['launched'].sum())})"
    return text


def figure(data: ChartData, width: float = 11.0):
    """The matplotlib Figure of the chart, `width` inches wide (Agg; a Figure, not pyplot: no global state, safe
    in threads)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bars = data.bars
    panels = bars.select("attacker", "weapon_class").unique().sort("attacker", "weapon_class").rows()
    # inches: a title, a legend and a note besides the panels
    height = 1.4 + 2.9 * width / 11 * max(1, len(panels))
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    if not panels:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no dated air attacks with figures yet", ha="center", va="center")
        ax.set_axis_off()
        fig.suptitle("Launched vs intercepted per day")
        return fig
    axes = fig.subplots(len(panels), 1, squeeze=False, sharex=True)[:, 0]
    days = 7 if data.period == "week" else 1
    width = 0.8 * days / len(FIGURES)
    first, last = bars["period"].min(), bars["period"].max()
    # the rate as a label above each bar group while they stay readable, else as a line on a right-hand axis
    groups = bars.group_by("attacker", "weapon_class").len()["len"].max()
    labels = groups <= MAX_RATE_LABELS
    for ax, (attacker, weapon_class) in zip(axes, panels, strict=True):
        part = bars.filter((pl.col("attacker") == attacker) & (pl.col("weapon_class") == weapon_class))
        x = mdates.date2num(part["period"].to_list()) + (days / 2 if data.period == "week" else 0)
        for i, name in enumerate(FIGURES):
            values = part[name].cast(pl.Float64).to_numpy()
            offset = (i - 1) * width
            ax.bar(x + offset, values, width=width, color=COLORS[name], label=LABELS[name], zorder=2)
            lo, hi = part[f"{name}_min"].cast(pl.Float64), part[f"{name}_max"].cast(pl.Float64)
            spread = (hi > lo).fill_null(False).to_numpy()
            if spread.any():
                value = part[name].cast(pl.Float64).to_numpy()
                ax.errorbar(
                    (x + offset)[spread],
                    value[spread],
                    yerr=[(value - lo.to_numpy())[spread], (hi.to_numpy() - value)[spread]],
                    fmt="none",
                    ecolor="#222222",
                    elinewidth=1.2,
                    capsize=4,
                    zorder=3,
                )
        top = part.select(
            pl.max_horizontal([pl.col(f"{f}_max").fill_null(pl.col(f)) for f in FIGURES])
        ).to_series()
        if labels:
            for xi, rate, height in zip(x, part["rate"].to_list(), top.to_list(), strict=True):
                if rate is not None and height is not None:
                    ax.annotate(
                        _percent(rate),
                        (xi, height),
                        xytext=(0, 4),
                        textcoords="offset points",
                        ha="center",
                        fontsize=8,
                        color=COLORS["intercepted"],
                    )
        elif part["rate"].is_not_null().any():
            rate_ax = ax.twinx()
            rate_ax.plot(x, part["rate"].cast(pl.Float64).to_numpy() * 100, **RATE_STYLE)
            rate_ax.set_ylim(0, 105)
            rate_ax.set_ylabel("interception rate %", color=RATE_STYLE["color"], fontsize=9)
            rate_ax.tick_params(axis="y", colors=RATE_STYLE["color"], labelsize=8)
            rate_ax.spines[["top"]].set_visible(False)
        ax.set_title(_panel_title(attacker, weapon_class, part), loc="left", fontsize=10)
        ax.set_ylabel("weapons per day" if data.period == "day" else "weapons per week")
        ax.set_ylim(0, max(1.0, float(top.max() or 0)) * 1.22)
        ax.grid(axis="y", alpha=0.3, zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
    # half a bar group of room on either side of the first and last period
    left = mdates.date2num(first) - 0.6 * days + (days / 2 if data.period == "week" else 0)
    right = mdates.date2num(last) + 0.6 * days + (days / 2 if data.period == "week" else 0)
    axes[-1].set_xlim(left, right)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=12)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    handles = [Patch(color=COLORS[f], label=LABELS[f]) for f in FIGURES]
    handles.append(
        matplotlib.lines.Line2D(
            [], [], color="#222222", marker="_", markersize=10, label="range across sources"
        )
    )
    if not labels:
        handles.append(matplotlib.lines.Line2D([], [], **RATE_STYLE, label="interception rate (right axis)"))
    per = "day" if data.period == "day" else "week (weekly sums)"
    fig.suptitle(
        f"Launched vs intercepted per {per}, by attacker and weapon class", x=0.01, ha="left", fontsize=13
    )
    notes = [
        "Consolidated attack events (one per date, attacker and class; figures of the preferred report); "
        "interception rate = intercepted / launched (the % above each day)."
    ]
    if data.left_out.height:
        notes.append(
            f"Not drawn: {data.left_out.height} attack event(s) dated only by the day their article was fetched."
        )
    fig.legend(
        handles=handles,
        loc="outside lower left",
        ncols=len(handles),
        frameon=False,
        fontsize=9,
        title="\n".join(notes),
        title_fontsize=8,
        alignment="left",
    )
    fig.align_ylabels(axes)
    return fig


def png_bytes(data: ChartData, width: float = 11.0, dpi: int = 100) -> bytes:
    """The chart as PNG bytes, `width` inches at `dpi` (pixels wide = width x dpi)."""
    buf = io.BytesIO()
    figure(data, width).savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _html(data: ChartData, png: bytes) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return _percent(value)
        return "" if value is None else html.escape(str(value))

    table = data.bars
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in table.iter_rows()
    )
    header = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    image = base64.b64encode(png).decode("ascii")
    left_out = (
        f"<p>Not drawn: {data.left_out.height} attack event(s) dated only by the day their article was fetched.</p>"
        if data.left_out.height
        else ""
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>salvo: launched vs intercepted</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}</style>
</head><body>
<h1>Launched vs intercepted per {data.period}</h1>
<p>One bar group per consolidated attack event (attack_events): each figure from the preferred report (official over relay, latest first); <code>_min</code>/<code>_max</code> span the sources; rate = intercepted / launched.</p>
{left_out}
<img alt="launched vs intercepted" src="data:image/png;base64,{image}">
<table><thead><tr>{header}</tr></thead><tbody>
{rows}
</tbody></table>
</body></html>
"""


def render_daily_chart(db_path: Path | str, out_dir: Path | str | None = None) -> Chart:
    """Render the chart from the warehouse at `db_path` into `out_dir` (default: <db dir>/reports)."""
    out = Path(out_dir) if out_dir is not None else default_reports_dir(db_path)
    out.mkdir(parents=True, exist_ok=True)
    data = chart_data(attack_events(db_path))
    png = png_bytes(data)
    png_path, html_path = out / f"{CHART_NAME}.png", out / f"{CHART_NAME}.html"
    _write_atomic(png_path, png)
    _write_atomic(html_path, _html(data, png).encode("utf-8"))
    return Chart(png=png_path, html=html_path, data=data)
