"""The chart: daily launched vs intercepted per attacker and weapon class, from the consolidated attack events.

`render_daily_chart` reads the published warehouse read-only and writes `<out_dir>/daily_launched_intercepted.png`
and `.html` (the PNG embedded, plus the numbers as a table), each under a temporary name renamed into place.
matplotlib runs on the Agg backend (no display needed).
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.warehouse import connect, existing_tables

CHART_NAME = "daily_launched_intercepted"
QUERY = """
SELECT event_date AS day, attacker, weapon_class, launched, intercepted
FROM attack_events
WHERE event_date IS NOT NULL AND (launched IS NOT NULL OR intercepted IS NOT NULL)
ORDER BY attacker, weapon_class, day
"""


@dataclass(frozen=True)
class Chart:
    png: Path
    html: Path
    data: pl.DataFrame  # day, attacker, weapon_class, launched, intercepted

    def png_base64(self) -> str:
        return base64.b64encode(self.png.read_bytes()).decode("ascii")


def default_reports_dir(db_path: Path | str) -> Path:
    return Path(db_path).parent / "reports"


def chart_data(db_path: Path | str) -> pl.DataFrame:
    con = connect(db_path, read_only=True)
    try:
        if "attack_events" not in existing_tables(con):
            return pl.DataFrame(
                schema={"day": pl.Date, "attacker": pl.String, "weapon_class": pl.String,
                        "launched": pl.Int64, "intercepted": pl.Int64}
            )  # fmt: skip
        return con.sql(QUERY).pl()
    finally:
        con.close()


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _png(data: pl.DataFrame) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # a Figure, not pyplot: no global state, safe in threads

    panels = data.select("attacker", "weapon_class").unique().sort("attacker", "weapon_class").rows()
    fig = Figure(figsize=(9, 2.6 * max(1, len(panels))), dpi=100)
    if not panels:
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no air attacks with figures yet", ha="center", va="center")
        ax.set_axis_off()
    else:
        axes = fig.subplots(len(panels), 1, squeeze=False, sharex=True)[:, 0]
        # every day of the span, so lines join consecutive days only and break where no attack was reported
        span = pl.DataFrame({"day": pl.date_range(data["day"].min(), data["day"].max(), "1d", eager=True)})
        for ax, (attacker, weapon_class) in zip(axes, panels, strict=True):
            part = span.join(
                data.filter((pl.col("attacker") == attacker) & (pl.col("weapon_class") == weapon_class)),
                on="day",
                how="left",
            ).with_columns(pl.col("launched", "intercepted").cast(pl.Float64).fill_null(float("nan")))
            days = part["day"].to_list()
            ax.plot(days, part["launched"].to_list(), marker="o", label="launched")
            ax.plot(days, part["intercepted"].to_list(), marker="s", linestyle="--", label="intercepted")
            ax.set_title(f"{attacker} {weapon_class}", loc="left", fontsize=10)
            ax.set_ylabel("weapons")
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.legend(loc="best", fontsize=8)
        fig.autofmt_xdate()
    fig.suptitle("Daily launched vs intercepted, per attacker and weapon class (consolidated events)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _html(data: pl.DataFrame, png: bytes) -> str:
    def cell(value: object) -> str:
        return "" if value is None else html.escape(str(value))

    rows = "\n".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in data.iter_rows()
    )
    header = "".join(f"<th>{html.escape(c)}</th>" for c in data.columns)
    image = base64.b64encode(png).decode("ascii")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>salvo: daily launched vs intercepted</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}</style>
</head><body>
<h1>Daily launched vs intercepted</h1>
<p>One point per consolidated attack event (attack_events): each figure from the preferred report (official over relay, latest first).</p>
<img alt="daily launched vs intercepted" src="data:image/png;base64,{image}">
<table><thead><tr>{header}</tr></thead><tbody>
{rows}
</tbody></table>
</body></html>
"""


def render_daily_chart(db_path: Path | str, out_dir: Path | str | None = None) -> Chart:
    """Render the chart from the warehouse at `db_path` into `out_dir` (default: <db dir>/reports)."""
    out = Path(out_dir) if out_dir is not None else default_reports_dir(db_path)
    out.mkdir(parents=True, exist_ok=True)
    data = chart_data(db_path)
    png = _png(data)
    png_path, html_path = out / f"{CHART_NAME}.png", out / f"{CHART_NAME}.html"
    _write_atomic(png_path, png)
    _write_atomic(html_path, _html(data, png).encode("utf-8"))
    return Chart(png=png_path, html=html_path, data=data)
