"""Turn the measurements into the one table `make bench` prints, the growth ratios and the target verdicts.

MB/s is always JSONL input megabytes (10^6 bytes) per second: the file for a size N, or the JSON lines of the
baseline's sample. So a stage's MB/s is "how fast this stage alone would go through the archive".
"""

from __future__ import annotations

import re
from typing import Any

from pipelines.bench.pipeline import STAGES as PIPELINE_STAGES

MB = 1_000_000

# The issue's targets
TARGET_EXTRACT_MBS = 50.0
TARGET_LOOP_RATIO = 10.0
TARGET_FULL_N = 1_000_000
TARGET_FULL_SECONDS = 300.0
TARGET_FULL_RSS_MB = 6 * 1024
TARGET_GROWTH = 11.0


def _row(
    stage: str, n: int, seconds: float, in_bytes: int, articles: int, rss: float | None, share, run=None
):
    run = run or {}
    return {
        "stage": stage,
        "n": n,
        "seconds": seconds,
        "mb_per_s": in_bytes / MB / seconds if seconds > 0 else None,
        "articles_per_s": articles / seconds if seconds > 0 else None,
        "peak_rss_mb": rss,
        "share": share,
        "cpu_seconds": run.get("cpu_seconds"),  # whole-process rows only
        "other_load_cores": run.get("other_load_cores"),
    }


def build_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows: per size the CLI extract run and each pipeline stage with its share; then the baselines."""
    rows: list[dict[str, Any]] = []
    for size in results["sizes"]:
        n, in_bytes = size["n"], size["input_bytes"]
        cli = size.get("cli_extract")
        if cli:
            rows.append(
                _row(
                    "salvo extract (CLI)", n, cli["wall_seconds"], in_bytes, n, cli["peak_rss_mb"], None, cli
                )
            )
        pipe = size.get("pipeline")
        if not pipe:
            continue
        secs = pipe["stage_seconds"]
        stages = [s for s in PIPELINE_STAGES if s in secs]  # results of older runs may lack a stage
        total = sum(secs[s] for s in stages)
        for stage in stages:
            row = _row(f"pipeline: {stage}", n, secs[stage], in_bytes, n, pipe["stage_peak_rss_mb"][stage],
                       secs[stage] / total if total else None)  # fmt: skip
            row["cpu_seconds"] = pipe.get("stage_cpu_seconds", {}).get(stage)
            if stage == "startup":  # a one-off cost, not a rate
                row["mb_per_s"] = row["articles_per_s"] = None
            rows.append(row)
        rows.append(
            _row("pipeline: total (process)", n, size["pipeline_process_seconds"], in_bytes, n,
                 size["pipeline_peak_rss_mb"], 1.0, size.get("pipeline_run"))
        )  # fmt: skip
        daily = pipe.get("daily_run")
        if daily:
            rows.append(
                _row(f"daily run: next day onto the {n:,}", daily["articles"], sum(daily["stage_seconds"].values()),
                     daily["input_bytes"], daily["articles"], max(daily["stage_peak_rss_mb"].values()), None)
            )  # fmt: skip
    base = results.get("baseline")
    if base:
        pa = base["per_article_extract"]
        rows.append(_row("baseline: extract_events per article", pa["articles"], pa["loop_seconds"],
                         base["sample_bytes"], pa["articles"], None, None))  # fmt: skip
        rows.append(_row("baseline: extract_events on the sample", pa["articles"], pa["vectorised_seconds"],
                         base["sample_bytes"], pa["articles"], None, None))  # fmt: skip
        rl = base["re_loop"]
        rows.append(_row("baseline: Python re loop (matching only)", rl["articles"], rl["seconds"],
                         base["re_sample_bytes"], rl["articles"], None, None))  # fmt: skip
    return rows


def _fmt(value: Any, spec: str) -> str:
    width = int(re.match(r"\d*", spec).group(0) or 0)
    return "-".rjust(width) if value is None else format(value, spec)


def format_table(rows: list[dict[str, Any]]) -> str:
    header = (
        f"{'stage':<42} {'N':>9} {'seconds':>9} {'MB/s':>8} {'articles/s':>11} {'peak RSS MB':>11} {'share':>6} "
        f"{'CPU s':>7} {'others':>6}"
    )
    lines = [header, "-" * len(header)]
    last = None
    for r in rows:
        group = (r["n"], r["stage"].split(":")[0])
        if last is not None and group != last and not (group[1] == last[1] == "baseline"):
            lines.append("")
        last = group
        lines.append(
            f"{r['stage']:<42} {r['n']:>9,} {_fmt(r['seconds'], '9.2f')} {_fmt(r['mb_per_s'], '8.1f')} "
            f"{_fmt(r['articles_per_s'], '11,.0f')} {_fmt(r['peak_rss_mb'], '11,.0f')} "
            f"{_fmt(None if r['share'] is None else 100 * r['share'], '5.1f')}{'%' if r['share'] is not None else ' '} "
            f"{_fmt(r.get('cpu_seconds'), '7.1f')} {_fmt(r.get('other_load_cores'), '6.2f')}"
        )
    return "\n".join(lines)


def _work_seconds(size: dict[str, Any]) -> float:
    """Per-size work: every stage but the one-off startup (imports, GX, gazetteer)."""
    secs = size["pipeline"]["stage_seconds"]
    return sum(v for s, v in secs.items() if s != "startup")


def growth(results: dict[str, Any]) -> list[dict[str, Any]]:
    """time(N2)/time(N1) between consecutive sizes, for the whole process and for the work without startup,
    next to the size ratio N2/N1 (linear growth means the two match)."""
    sizes = [s for s in results["sizes"] if s.get("pipeline")]
    out = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        out.append(
            {
                "from_n": a["n"],
                "to_n": b["n"],
                "size_ratio": b["n"] / a["n"],
                "process_time_ratio": b["pipeline_process_seconds"] / a["pipeline_process_seconds"],
                "work_time_ratio": _work_seconds(b) / _work_seconds(a),
                "stage_ratios": {
                    s: b["pipeline"]["stage_seconds"].get(s, 0) / a["pipeline"]["stage_seconds"][s]
                    for s in PIPELINE_STAGES
                    if s != "startup" and a["pipeline"]["stage_seconds"].get(s, 0) > 0
                },
                "peak_rss_ratio": b["pipeline_peak_rss_mb"] / a["pipeline_peak_rss_mb"],
            }
        )
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One verdict per target of the issue; a target whose measurement is missing is "not measured"."""
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, ok: bool | None) -> None:
        out.append({"target": name, "measured": measured, "pass": ok})

    sizes = results["sizes"]
    cli = [s for s in sizes if s.get("cli_extract")]
    if cli:
        s = max(cli, key=lambda s: s["n"])
        mbs = s["input_bytes"] / MB / s["cli_extract"]["wall_seconds"]
        add(f"extraction >= {TARGET_EXTRACT_MBS:.0f} MB/s end to end (salvo extract, N={s['n']:,})",
            f"{mbs:.1f} MB/s", mbs >= TARGET_EXTRACT_MBS)  # fmt: skip
    else:
        add(f"extraction >= {TARGET_EXTRACT_MBS:.0f} MB/s end to end", "not measured", None)

    base = results.get("baseline")
    piped = [s for s in sizes if s.get("pipeline")]
    if base and piped:
        s = max(piped, key=lambda s: s["n"])
        vec = s["input_bytes"] / MB / s["pipeline"]["stage_seconds"]["extract"]
        pa = base["sample_bytes"] / MB / base["per_article_extract"]["loop_seconds"]
        rl = base["re_sample_bytes"] / MB / base["re_loop"]["seconds"]
        add(f"extraction >= {TARGET_LOOP_RATIO:.0f}x the per-article loop (extract_events per article)",
            f"{vec / pa:,.0f}x ({vec:.1f} vs {pa:.2f} MB/s)", vec / pa >= TARGET_LOOP_RATIO)  # fmt: skip
        add(f"extraction >= {TARGET_LOOP_RATIO:.0f}x a Python re loop over the same patterns (matching only)",
            f"{vec / rl:,.1f}x ({vec:.1f} vs {rl:.2f} MB/s)", vec / rl >= TARGET_LOOP_RATIO)  # fmt: skip
        add("per-article loop rows == whole-column rows on the same sample",
            "equal" if base["per_article_extract"]["rows_equal"] else "DIFFERENT",
            base["per_article_extract"]["rows_equal"])  # fmt: skip
    else:
        add(f"extraction >= {TARGET_LOOP_RATIO:.0f}x the per-article loop", "not measured", None)

    full = [s for s in piped if s["n"] == TARGET_FULL_N]
    if full:
        s = full[0]
        add(f"full pipeline, N={TARGET_FULL_N:,}: < {TARGET_FULL_SECONDS:.0f} s",
            f"{s['pipeline_process_seconds']:.0f} s", s["pipeline_process_seconds"] < TARGET_FULL_SECONDS)  # fmt: skip
        add(f"full pipeline, N={TARGET_FULL_N:,}: peak RSS < {TARGET_FULL_RSS_MB / 1024:.0f} GB",
            f"{s['pipeline_peak_rss_mb'] / 1024:.2f} GB", s["pipeline_peak_rss_mb"] < TARGET_FULL_RSS_MB)  # fmt: skip
    else:
        add(
            f"full pipeline, N={TARGET_FULL_N:,}: < {TARGET_FULL_SECONDS:.0f} s, peak RSS < 6 GB",
            "not measured",
            None,
        )

    g = {(r["from_n"], r["to_n"]): r for r in growth(results)}
    key = (TARGET_FULL_N // 10, TARGET_FULL_N)
    if key in g:
        r = g[key]
        add(f"linear: time(1M)/time(100k) <= {TARGET_GROWTH:.0f}",
            f"{r['process_time_ratio']:.2f} (work without startup {r['work_time_ratio']:.2f})",
            r["process_time_ratio"] <= TARGET_GROWTH and r["work_time_ratio"] <= TARGET_GROWTH)  # fmt: skip
    else:
        add(f"linear: time(1M)/time(100k) <= {TARGET_GROWTH:.0f}", "not measured", None)

    for s in piped:
        secs = s["pipeline"]["stage_seconds"]
        work = {k: v for k, v in secs.items() if k != "startup"}
        top = max(work, key=work.get)
        total = sum(secs.values())
        shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in secs.items())
        add(f"no validate/load stage dominates (N={s['n']:,})", f"largest: {top}; {shares}",
            top not in ("validate", "load"))  # fmt: skip
    return out


def format_targets(rows: list[dict[str, Any]]) -> str:
    mark = {True: "PASS", False: "MISS", None: "----"}
    return "\n".join(f"  [{mark[r['pass']]}] {r['target']}: {r['measured']}" for r in rows)


def format_growth(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["stage_ratios"].items())
        lines.append(
            f"  {r['from_n']:,} -> {r['to_n']:,} (x{r['size_ratio']:.0f}): process time x{r['process_time_ratio']:.2f}, "
            f"work without startup x{r['work_time_ratio']:.2f} ({stages}); peak RSS x{r['peak_rss_ratio']:.2f}"
        )
    return "\n".join(lines)
