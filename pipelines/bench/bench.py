"""`python -m pipelines.bench` (`make bench`): the archive-scale benchmark.

For each size N (default 10k, 100k, 1M generated articles, deterministic by --seed; --corpus realistic, the
default, ~1.2 KB articles as dense in events as real reporting (realistic.py), or synth, ~3 KB of mostly filler
(synth.py)):
  1. `salvo extract FILE > /dev/null`, the real CLI, for N <= --cli-max: wall time and peak RSS;
  2. the full pipeline (read JSONL -> extract -> validate -> load DuckDB) in day batches, in a subprocess of
     its own so its peak RSS is this size's; seconds, MB/s and peak RSS per stage, and each stage's share.
Then, once: the per-article baselines on a sample of the smallest file (see baseline.py), and a profile of
extraction on the smallest file >= 10k (pyinstrument call tree and the time of every regex pass).
First, the corpus's event density (density.py: the share of sentences passing each pre-filter, rows per KB,
sentence length) beside the dev set's (--dev, read if present). Prints one table, the growth ratios between sizes and the verdict on each target of the issue, and writes
everything as JSON to bench/results/<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipelines import settings
from pipelines.bench import density, realistic, report, synth
from pipelines.bench.memory import maxrss_to_mb
from pipelines.bench.pipeline import remove_warehouse
from pipelines.settings import REPO_ROOT

DEFAULT_RESULTS = REPO_ROOT / "bench" / "results"
DEFAULT_BENCH_DIR = settings.bench_dir()  # SALVO_BENCH_DIR, else <tmp>/salvo-bench
CORPORA = {"realistic": realistic, "synth": synth}  # --corpus: the generator modules
DEFAULT_DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev_articles.jsonl"  # beside the checkout (make eval)
DENSITY_SAMPLE = 2_000  # articles of the corpus whose density is measured
DB_BYTES_PER_INPUT_BYTE = 1.2  # DuckDB file size per input byte (the article text is stored), rounded up
DISK_HEADROOM = 1_000_000_000


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- child processes
def run_child(cmd: list[str], *, stdout=None) -> dict[str, Any]:
    """Run `cmd`; its wall time, its own peak RSS (os.wait4 gives this child's rusage) and return code."""
    # the children import this checkout's `pipelines` (the `salvo` script would otherwise import the package
    # the venv was installed from, which may be another checkout)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    busy_before = _cpu_busy_seconds()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, cwd=REPO_ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    cpu = usage.ru_utime + usage.ru_stime
    busy_after = _cpu_busy_seconds()
    other = None
    if busy_before is not None and busy_after is not None and wall > 0:
        other = max(0.0, (busy_after - busy_before - cpu) / wall)
    return {
        "wall_seconds": wall,
        # CPU time is less sensitive than wall time to other work on the machine; compare both
        "cpu_seconds": cpu,
        "peak_rss_mb": maxrss_to_mb(usage.ru_maxrss),
        "returncode": proc.returncode,
        # cores kept busy by other processes during the measurement (a shared machine skews wall times)
        "other_load_cores": other,
    }


def _cpu_busy_seconds() -> float | None:
    """Machine-wide busy CPU seconds so far (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _worker_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.bench", *args]


def _salvo_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("salvo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pipelines.cli"]


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- workers (run in the child)
def worker_pipeline(args: argparse.Namespace) -> int:
    from pipelines.bench.pipeline import run_pipeline

    increment = Path(args.increment) if args.increment else None
    result = run_pipeline(
        Path(args.jsonl),
        Path(args.db),
        args.batch_size,
        log=log,
        increment=increment,
        one_publish=args.one_publish,
    )
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _read_sample(jsonl: Path, n: int):
    """The first `n` articles of `jsonl` through the real ingest, and their JSON-lines bytes."""
    from itertools import islice

    from pipelines.ingest import accepted_articles, raw_articles_frame, read_folder

    with jsonl.open("rb") as fh:
        nbytes = sum(len(line) for line in islice(fh, n))
    return accepted_articles(raw_articles_frame(list(islice(read_folder(jsonl), n)))), nbytes


def worker_baseline(args: argparse.Namespace) -> int:
    from pipelines.bench.baseline import per_article_extract, per_article_re_loop

    jsonl = Path(args.jsonl)
    sample, sample_bytes = _read_sample(jsonl, args.sample)
    re_sample, re_bytes = _read_sample(jsonl, args.re_sample)
    result = {
        "sample_bytes": sample_bytes,
        "re_sample_bytes": re_bytes,
        "per_article_extract": per_article_extract(sample),
        "re_loop": per_article_re_loop(re_sample["text"].to_list()),
    }
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


def worker_profile(args: argparse.Namespace) -> int:
    from pipelines.bench.profile import pass_times, pyinstrument_text

    articles, nbytes = _read_sample(Path(args.jsonl), args.sample)
    result = {
        "articles": articles.height,
        "input_bytes": nbytes,
        "passes": pass_times(articles),
        "pyinstrument": pyinstrument_text(articles),
    }
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- orchestration
def _git_state() -> dict[str, Any]:
    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", *a], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD").strip() or None,
            "dirty": [line[3:] for line in git("status", "--porcelain").splitlines()]}  # fmt: skip


def _environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for pkg in ("polars", "duckdb", "great_expectations", "dagster", "pyarrow"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    mem = None
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        pass
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "ram_gb": mem, "versions": versions, **_git_state()}  # fmt: skip


def _disk_needed(n: int, bench_dir: Path, seed: int, corpus=realistic) -> int:
    """Bytes a size still needs: its JSONL (unless cached) and its DuckDB file, plus headroom."""
    cached = corpus.dataset_path(bench_dir, n, seed).exists()
    per_article = corpus.BYTES_PER_ARTICLE
    jsonl = 0 if cached else n * per_article
    return int(jsonl + n * per_article * DB_BYTES_PER_INPUT_BYTE + DISK_HEADROOM)


def measure_density(path: Path, dev: Path | None, sample: int = DENSITY_SAMPLE) -> dict[str, Any]:
    """The event density of the first `sample` articles of `path` beside the dev set's (read at run time; a
    clear `dev_skipped` reason when it is absent)."""
    out: dict[str, Any] = {"sample": sample, "corpus": density.measure_jsonl(path, limit=sample), "dev": None}
    if dev is None or not Path(dev).is_file():
        out["dev_skipped"] = f"dev set not found at {dev} (it lives beside the checkout: ../shared/eval)"
        return out
    out["dev_path"] = str(dev)
    out["dev"] = density.measure_jsonl(dev)
    out["comparison"] = density.compare(out["corpus"], out["dev"])
    return out


def format_density(d: dict[str, Any], corpus_name: str) -> str:
    c = d["corpus"]
    head = (
        f"event density ({corpus_name}: first {c['articles']:,} articles, {c['chars'] / max(c['articles'], 1):,.0f} "
        f"chars and {c['sentences'] / max(c['articles'], 1):.1f} sentences each"
    )
    if d.get("dev") is None:
        lines = [head + "):"]
        lines += [f"  {k:<22} {c[k]:>10.4f}" for k in density.FIGURES]
        lines.append(f"  dev set skipped: {d['dev_skipped']}")
        return "\n".join(lines)
    v = d["dev"]
    head += f"; dev: {v['articles']:,} articles, {v['chars'] / max(v['articles'], 1):,.0f} chars each):"
    return head + "\n" + density.format_comparison(d["comparison"], corpus_name, "dev")


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        mult = 1_000_000 if part.endswith("m") else 1_000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("mk")) * mult))
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"bad --sizes {text!r}")
    return sorted(set(sizes))


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    bench_dir = Path(args.bench_dir)
    bench_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "func"},
        "environment": _environment(),
        "sizes": [],
        "skipped": [],
    }

    corpus = CORPORA[args.corpus]
    # datasets: the largest first, so that smaller sizes are cut from it (article i is the same in every size)
    ready: list[int] = []
    for n in sorted(args.sizes, reverse=True):
        free = shutil.disk_usage(bench_dir).free
        need = _disk_needed(n, bench_dir, args.seed, corpus)
        if free < need:
            msg = f"N={n:,}: skipped, needs ~{need / 1e9:.1f} GB free in {bench_dir}, has {free / 1e9:.1f} GB"
            log(f"salvo bench: {msg}")
            results["skipped"].append({"n": n, "reason": msg})
            continue
        t0 = time.perf_counter()
        path = corpus.ensure_dataset(bench_dir, n, args.seed)
        log(
            f"salvo bench: N={n:,}: {path} ({path.stat().st_size / 1e6:,.0f} MB, {time.perf_counter() - t0:.1f}s)"
        )
        ready.append(n)
    ready.sort()

    if ready and args.density:
        path = corpus.dataset_path(bench_dir, ready[0], args.seed)
        log(f"salvo bench: event density of the {args.corpus} corpus and of the dev set ...")
        results["density"] = measure_density(path, args.dev, min(ready[0], DENSITY_SAMPLE))
        if results["density"].get("dev_skipped"):
            log(f"salvo bench: {results['density']['dev_skipped']}: the corpus's figures alone")

    for n in ready:
        path = corpus.dataset_path(bench_dir, n, args.seed)
        size: dict[str, Any] = {"n": n, "input_bytes": path.stat().st_size, "jsonl": str(path)}
        if n <= args.cli_max:
            log(f"salvo bench: N={n:,}: salvo extract ...")
            with open(os.devnull, "wb") as devnull:
                run = run_child([*_salvo_cmd(), "extract", str(path)], stdout=devnull)
            if run["returncode"] != 0:
                raise SystemExit(f"salvo extract failed on {path} (exit {run['returncode']})")
            size["cli_extract"] = run
            log(f"  {run['wall_seconds']:.1f}s, {size['input_bytes'] / 1e6 / run['wall_seconds']:.1f} MB/s, "
                f"peak RSS {run['peak_rss_mb']:,.0f} MB")  # fmt: skip
        if not args.skip_pipeline:
            log(f"salvo bench: N={n:,}: full pipeline in batches of >= {args.batch_size:,} articles ...")
            out = bench_dir / f"pipeline_n{n}.json"
            db = bench_dir / f"warehouse_n{n}.duckdb"
            day = corpus.dataset_path(bench_dir, n, args.seed).with_name(
                f"daily_after_{corpus.NAME}_v{corpus.GENERATOR_VERSION}_n{n}_s{args.seed}.jsonl"
            )
            if not day.exists():  # the day after the archive: its daily run onto the warehouse is timed too
                corpus.write_jsonl(day, corpus.ARTICLES_PER_DAY, args.seed, start=n)
            run = run_child(_worker_cmd("_pipeline", "--jsonl", str(path), "--db", str(db), "--out", str(out),
                                        "--batch-size", str(args.batch_size), "--increment", str(day),
                                        *(["--one-publish"] if args.one_publish else [])))  # fmt: skip
            if run["returncode"] != 0:
                raise SystemExit(f"pipeline worker failed on {path} (exit {run['returncode']})")
            size["pipeline"] = _read_json(out)
            daily = size["pipeline"].get("daily_run")
            # the process's wall time without the daily run timed after the archive (reported on its own)
            size["pipeline_process_seconds"] = run["wall_seconds"] - (
                sum(daily["stage_seconds"].values()) if daily else 0.0
            )
            size["pipeline_run"] = run
            # the worker's own figure: the largest stage peak of the archive run (getrusage at exit only sees the
            # peak since the last per-stage reset)
            size["pipeline_peak_rss_mb"] = size["pipeline"]["peak_rss_mb"]
            # every item read, and every accepted article loaded (the rest are ingest quarantine rows: the
            # articles' exact copies, as when two outlets' credit lines on one wire story are the same)
            counts = size["pipeline"]["counts"]
            loaded = size["pipeline"]["warehouse_counts"]["articles"]
            if counts["items"] != n or loaded != counts["articles"]:
                raise SystemExit(
                    f"pipeline read {counts['items']} items of {n} and loaded {loaded} of their "
                    f"{counts['articles']} accepted articles: the run is not valid"
                )
            log(f"  {run['wall_seconds']:.1f}s, peak RSS {size['pipeline_peak_rss_mb']:,.0f} MB")
            if not args.keep_db:
                remove_warehouse(db)
        results["sizes"].append(size)

    if ready and not args.skip_loop:
        path = corpus.dataset_path(bench_dir, ready[0], args.seed)
        log(f"salvo bench: baselines on the first {args.loop_sample} / {args.re_sample} articles ...")
        out = bench_dir / "baseline.json"
        run = run_child(_worker_cmd("_baseline", "--jsonl", str(path), "--out", str(out),
                                    "--sample", str(args.loop_sample), "--re-sample", str(args.re_sample)))  # fmt: skip
        if run["returncode"] != 0:
            raise SystemExit(f"baseline worker failed (exit {run['returncode']})")
        results["baseline"] = _read_json(out)

    if ready and args.profile:
        n = next((n for n in ready if n >= 10_000), ready[0])
        n_prof = min(n, 10_000)
        path = corpus.dataset_path(bench_dir, n, args.seed)
        log(f"salvo bench: profiling extract_events on {n_prof:,} articles ...")
        out = bench_dir / "profile.json"
        run = run_child(
            _worker_cmd("_profile", "--jsonl", str(path), "--out", str(out), "--sample", str(n_prof))
        )
        if run["returncode"] == 0:
            results["profile"] = _read_json(out)

    results["rows"] = report.build_rows(results)
    results["growth"] = report.growth(results)
    results["targets"] = report.targets(results)
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return results


def print_results(results: dict[str, Any], out=None) -> None:
    out = out or sys.stdout
    if results.get("density"):
        print("\n" + format_density(results["density"], results.get("args", {}).get("corpus", "corpus")), file=out)
    print(
        "\nsalvo bench: MB/s = JSONL input MB per second; share = of the pipeline's stage time; CPU s = the "
        "process's CPU time;\nothers = cores other processes kept busy meanwhile (above ~0.2 the wall times are "
        "skewed by a shared machine)",
        file=out,
    )
    print(report.format_table(results["rows"]), file=out)
    if results["growth"]:
        print("\ngrowth between sizes:", file=out)
        print(report.format_growth(results["growth"]), file=out)
    multi = [s for s in results["sizes"] if len(s.get("pipeline", {}).get("per_batch_seconds", [])) > 1]
    if multi:
        s = max(multi, key=lambda s: s["n"])
        batches = s["pipeline"]["per_batch_seconds"]
        print(
            f"\nper batch, N={s['n']:,} ({len(batches)} batches; wall seconds min / median / max):", file=out
        )
        for stage in [k for k in batches[0] if not k.endswith("_cpu") and k != "articles"]:
            xs = sorted(b[stage] for b in batches)
            print(f"  {stage:<9} {xs[0]:6.1f} {xs[len(xs) // 2]:6.1f} {xs[-1]:6.1f}", file=out)
    for size in results["sizes"]:
        daily = (size.get("pipeline") or {}).get("daily_run")
        if daily:
            parts = ", ".join(f"{k} {v:.1f}s" for k, v in daily["stage_seconds"].items())
            print(f"daily run of {daily['articles']:,} articles onto {size['n']:,}: {parts}", file=out)
    print("\ntargets:", file=out)
    print(report.format_targets(results["targets"]), file=out)
    prof = results.get("profile")
    if prof:
        print(f"\nextraction profile ({prof['articles']:,} articles; share of extract_events):", file=out)
        for r in prof["passes"][:16]:
            print(f"  {r['name']:<42} {r['seconds']:7.3f}s {100 * r['share']:5.1f}%", file=out)
    for s in results["skipped"]:
        print(f"skipped: {s['reason']}", file=out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):  # a worker, started by the benchmark itself
        wp = argparse.ArgumentParser(prog=f"pipelines.bench {argv[0]}")
        wp.add_argument("--jsonl", required=True)
        wp.add_argument("--out", required=True)
        wp.add_argument("--db")
        wp.add_argument("--batch-size", type=int, default=50_000)
        wp.add_argument("--increment")
        wp.add_argument("--one-publish", action="store_true")
        wp.add_argument("--sample", type=int, default=300)
        wp.add_argument("--re-sample", type=int, default=2000)
        workers = {"_pipeline": worker_pipeline, "_baseline": worker_baseline, "_profile": worker_profile}
        return workers[argv[0]](wp.parse_args(argv[1:]))

    ap = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=parse_sizes, default=parse_sizes("10k,100k,1M"),
                    help="article counts, comma-separated (k/M suffixes); default 10k,100k,1M")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="realistic",
                    help="realistic (default): ~1.2 KB articles as dense in events as real reporting; synth: the "
                    "earlier ~3 KB articles of mostly filler (the figures of docs/performance.md before issue 13)")  # fmt: skip
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV_SET,
                    help=f"the dev set whose event density is printed beside the corpus's (default {DEFAULT_DEV_SET}; "
                    "skipped with a message when absent)")  # fmt: skip
    ap.add_argument("--no-density", dest="density", action="store_false", help="skip the density figures")
    ap.add_argument("--batch-size", type=int, default=50_000, help="articles per pipeline batch (whole days)")
    ap.add_argument(
        "--one-publish",
        action="store_true",
        help="load every batch into one copy published once (a one-run backfill), instead of one publish per "
        "batch (the default: each batch is one run of a backfill cut into runs, as BackfillPolicy.multi_run does)",
    )
    ap.add_argument(
        "--cli-max",
        type=int,
        default=1_000_000,
        help="run `salvo extract` on sizes up to this (it reads in chunks)",
    )
    ap.add_argument("--loop-sample", type=int, default=300, help="articles for the per-article extract loop")
    ap.add_argument("--re-sample", type=int, default=2000, help="articles for the Python re loop")
    ap.add_argument("--skip-loop", action="store_true", help="skip the per-article baselines")
    ap.add_argument("--skip-pipeline", action="store_true", help="only the CLI extract runs")
    ap.add_argument("--no-profile", dest="profile", action="store_false", help="skip the extraction profile")
    ap.add_argument(
        "--quick", action="store_true", help="smoke preset: 2k articles, small samples, no profile"
    )
    ap.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR,
                    help=f"generated articles and scratch warehouses (default {DEFAULT_BENCH_DIR}, or $SALVO_BENCH_DIR)")  # fmt: skip
    ap.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS)
    ap.add_argument("--keep-db", action="store_true", help="keep each size's DuckDB file")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.batch_size, args.profile = [2000], 1000, False
        args.loop_sample, args.re_sample = 20, 200

    results = run_bench(args)
    print_results(results)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.results_dir / f"{stamp}.json"
    out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print(f"\nresults: {out}")
    return 0
