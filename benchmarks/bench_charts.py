"""The chart step of ``stickiness report --no-notebook`` alone: seconds, peak memory, and where the time goes.

The report's tables are computed once per case (as ``stickiness report`` computes them, with
the benchmark's use-case catalog) and cached as Parquet under ``--cache``; then, in a fresh
process per case, the chart step runs exactly as the command runs it
(``stickiness_notebooks.cli._charts``: every chart of the quickstart drawn and written as PNG
and SVG) and is measured:

- **chart step s**: wall time of ``_charts`` (drawing the altair charts, writing PNG and SVG), and
  its **CPU s** (user + system of the process, every thread, and of the Vega worker): the figure to
  compare on a busy machine, also given split between this process and the worker;
- **peak MB**: the process's resident memory at its highest during the step, sampled every
  10 ms (``VmRSS``), and **step MB** = that peak minus the resident memory just before the step
  (the tables, Python, polars and altair already loaded), plus the peak of the Vega worker process
  (``RUSAGE_CHILDREN``; 0 before it existed): what the chart step itself needs, an upper bound;
  the CPU seconds include the worker's;
- **per chart** (``--detail``, one more pass chart by chart, in CPU seconds): drawing the chart and
  building its spec, and the spec's JSON size; its SVG (Vega); its PNG (rasterised within the pixel
  budget and compacted), its pixels and size; and the **idle estimate**: the step's seconds on two
  idle cores, replaying the step's schedule (Vega in the worker, the rest here) with these seconds.

Cases:

- ``1e6``, ``1e7``: the generated logs (``benchmarks/data/events_N_seed0.parquet``, read-only)
  with the users table of bench_report.py (four personas);
- ``personas21``: one user in ten of the 1M-event log (about 100k rows) with a users table of 21
  personas (``user_id % 21``), the shape of the 21-persona ratings log of issue 17.

Usage::

    python benchmarks/bench_charts.py --cases 1e6,1e7,personas21 [--detail] [--repeat 2]

Writes ``benchmarks/results/charts.md`` and ``.json``. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import log, others_cpu, snapshot  # noqa: E402

RESULTS = HERE / "results"
DATA = Path(os.environ.get("STICKINESS_BENCH_DATA", HERE / "data"))
PERSONAS21 = 21


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process (every thread) and of its finished children (the Vega worker)."""
    times = os.times()
    return times.user + times.system, times.children_user + times.children_system


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    """The process's highest VmRSS, sampled every 10 ms until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop, self.peak_kb = threading.Event(), _rss_kb()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, _rss_kb())
            self.stop.wait(0.01)


# --- inputs -----------------------------------------------------------------------------------------------


def _inputs(case: str, scratch: Path) -> tuple[Path, Path]:
    """(events, users) files of a case, written to ``scratch`` when derived."""
    import duckdb_use_cases_sql as ucsql
    import polars as pl

    if case == "personas21":
        source = DATA / "events_1000000_seed0.parquet"
        events = scratch / "events_personas21.parquet"
        users = scratch / "users_personas21.parquet"
        if not events.exists():
            frame = pl.scan_parquet(source).filter(pl.col("user_id") % 10 == 0).collect()
            frame.write_parquet(events)
            ids = frame.select(pl.col("user_id").unique())
            names = [f"persona {i:02d}" for i in range(PERSONAS21)]
            ids.with_columns(
                persona=(pl.col("user_id") // 10 % PERSONAS21).replace_strict(list(range(PERSONAS21)), names)
            ).write_parquet(users)
        return events, users
    events = DATA / f"events_{int(float(case))}_seed0.parquet"
    return events, ucsql.write_personas(events, scratch / f"personas_{events.stem}.parquet")


def prepare(case: str, cache: Path) -> Path:
    """Compute the report's tables for ``case`` as ``stickiness report --no-notebook`` does; cache them."""
    folder = cache / case
    if (folder / "values.json").exists():
        return folder
    import duckdb_use_cases_sql as ucsql
    from stickiness_notebooks import cli, spec

    from stickiness import segment_column

    folder.mkdir(parents=True, exist_ok=True)
    events, users = _inputs(case, cache)
    catalog = cache / "use_cases.csv"
    ucsql.catalog_frame().write_csv(catalog)
    args = cli._parser().parse_args(
        ["report", str(events), "--users", str(users), "--use-cases", str(catalog), "--no-notebook", "--out", "x"]
    )
    log_ = cli._read(args)
    found = cli._catalog(args)
    by = spec.report_by(log_, args.by)
    values = {**vars(args), "by": by, "segment": segment_column(by)}
    for item in spec.QUICKSTART:
        if item.charts:
            frame = spec.compute(item, log_, found, values)
            if frame is not None:
                frame.write_parquet(folder / f"{item.table}.parquet")
    keep = {k: v for k, v in values.items() if isinstance(v, str | int | float | bool | type(None))}
    (folder / "values.json").write_text(json.dumps(keep))
    return folder


# --- one measured run (in a fresh process) ----------------------------------------------------------------


def measure(folder: Path, detail: bool) -> dict[str, Any]:
    """Run the chart step on the cached tables in ``folder``; return seconds, memory and per-chart figures."""
    import polars as pl
    import stickiness_widgets  # noqa: F401  (imported before the step, as the command has it by then)
    from stickiness_notebooks import cli

    values = json.loads((folder / "values.json").read_text())
    frames = {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    with tempfile.TemporaryDirectory(prefix="bench-charts-") as out:
        before = _rss_kb()
        sampler = Sampler()
        sampler.start()
        start, (own, children) = time.perf_counter(), _cpu()
        _, written = cli._charts(frames, values, directory=Path(out))
        seconds, (own_after, children_after) = time.perf_counter() - start, _cpu()
        own, children = own_after - own, children_after - children
        sampler.stop.set()
        sampler.join()
        sizes = {p.name: p.stat().st_size for p in written}
    import resource

    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the PNG worker's peak (kB on Linux)
    record: dict[str, Any] = {
        "chart_step_s": round(seconds, 2),
        "worker_mb": round(worker_kb / 1024),
        "cpu_s": round(own + children, 2),
        "main_cpu_s": round(own, 2),
        "worker_cpu_s": round(children, 2),
        "peak_mb": round(sampler.peak_kb / 1024),
        "step_mb": round((sampler.peak_kb - before + worker_kb) / 1024),
        "files": len(written),
        "png_kb": round(sum(v for k, v in sizes.items() if k.endswith(".png")) / 1024),
        "svg_kb": round(sum(v for k, v in sizes.items() if k.endswith(".svg")) / 1024),
    }
    if detail:
        record["charts"] = _detail(frames, values)
    return record


def _detail(frames: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """CPU seconds of each chart's parts, as the chart step splits them, and the step's time on two idle cores.

    Here: drawing the chart and building its spec (altair), then rasterising and compacting
    its PNG; in the Vega worker: starting Vega's engine once, then each chart's SVG. The
    estimate replays that schedule with these CPU seconds: the worker draws chart i once it
    is submitted and the worker is free; this process rasterises each SVG once it has
    submitted every chart and the SVG is drawn.
    """
    import struct

    import vl_convert
    from stickiness_notebooks import spec
    from stickiness_widgets._raster import rasterise
    from stickiness_widgets.export import chart_spec

    clock = time.process_time
    t0 = clock()
    vl_convert.vegalite_to_svg({"mark": "point"})
    engine = clock() - t0
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-detail-") as scratch:
        for item in spec.QUICKSTART:
            for chart in item.charts if item.table in frames else ():
                t0 = clock()
                spec_dict = chart_spec(spec.draw(chart, frames[item.table], values), validate=False)
                t1 = clock()
                svg = vl_convert.vegalite_to_svg(spec_dict)
                t2 = clock()
                png = Path(scratch) / f"{chart.name}.png"
                rasterise(svg, png, scale=2.0, ppi=None)
                t3 = clock()
                width, height = struct.unpack(">II", png.read_bytes()[16:24])
                rows.append(
                    {
                        "chart": chart.name,
                        "draw_s": round(t1 - t0, 3),
                        "spec_kb": round(len(json.dumps(spec_dict)) / 1024, 1),
                        "svg_s": round(t2 - t1, 3),
                        "png_s": round(t3 - t2, 3),
                        "png_px": f"{width:,} x {height:,}",
                        "png_kb": round(png.stat().st_size / 1024, 1),
                    }
                )
    return {"engine_s": round(engine, 3), "charts": rows, "idle_estimate_s": round(_schedule(engine, rows), 2)}


def _schedule(engine: float, rows: list[dict[str, Any]]) -> float:
    """Seconds of the chart step on two idle cores, from each part's CPU seconds (see :func:`_detail`).

    As ``ChartWriter`` shares the work: the worker starts Vega's engine, then draws each SVG once its
    spec is built here; when no spec waits for it, it rasterises the newest PNG nobody has taken. This
    process builds every spec, then rasterises the oldest PNG nobody has taken, as the SVGs come.
    """
    built = list(itertools.accumulate(row["draw_s"] for row in rows))
    here, worker, end = built[-1], engine, 0.0
    specs = deque(range(len(rows)))  # SVGs not drawn yet, in order
    free: deque[tuple[int, float]] = deque()  # (chart, when its SVG was drawn): PNGs nobody has taken
    while specs or free:
        if specs and built[specs[0]] <= worker:  # the worker draws the next SVG
            chart = specs.popleft()
            worker += rows[chart]["svg_s"]
            free.append((chart, worker))
        elif free and worker <= here:  # the worker, idle, takes the newest PNG
            worker += rows[free.pop()[0]]["png_s"]
            end = max(end, worker)
        elif free and free[0][1] <= here:  # this process takes the oldest PNG
            here += rows[free.popleft()[0]]["png_s"]
            end = max(end, here)
        elif free:  # this process waits for the oldest SVG
            here = free[0][1]
        else:  # the worker waits for the next spec
            worker = built[specs[0]]
    return end


def run_case(case: str, cache: Path, detail: bool) -> dict[str, Any]:
    """Measure one case in a fresh Python process (so no earlier case's memory or warm caches count)."""
    folder = prepare(case, cache)
    command = [sys.executable, __file__, "--worker", str(folder)] + (["--detail"] if detail else [])
    start, before = time.time(), snapshot()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{case}: the worker failed:\n{done.stderr[-3000:]}")
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    record["wall_s"] = round(time.time() - start, 1)
    record["others_cpu"] = others_cpu(before, snapshot())
    return record


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def markdown(record: dict[str, Any]) -> str:
    lines = [
        "# The chart step of `stickiness report`",
        "",
        "Written by `benchmarks/bench_charts.py`: the command's chart step (`cli._charts`: every chart of the"
        " quickstart drawn, written as PNG and SVG) on the report's tables, in a fresh process per case"
        f" (best of {record['repeat']}).",
        "",
        f"- Date: {record['date']}; commit: {record['commit']}; label: {record['label']}",
        f"- Machine: {record['load']} (shared: other processes ran; see others' CPU)",
        "",
        "| case | chart step s | CPU s | CPU s here / worker | peak MB | step MB | files | PNG KB | SVG KB "
        "| others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case, row in record["cases"].items():
        others = "–" if row.get("others_cpu") is None else f"{row['others_cpu']:.0%}"
        lines.append(
            f"| {case} | {row['chart_step_s']:.2f} | {row.get('cpu_s', float('nan')):.2f} "
            f"| {row.get('main_cpu_s', float('nan')):.2f} / {row.get('worker_cpu_s', float('nan')):.2f} "
            f"| {row['peak_mb']:,} "
            f"| {row['step_mb']:,} | {row['files']} "
            f"| {row['png_kb']:,} | {row['svg_kb']:,} | {others} |"
        )
    for case, row in record["cases"].items():
        if row.get("charts"):
            detail = row["charts"]
            lines += [
                "",
                f"## Per chart: {case}",
                "",
                "CPU seconds of each part, one chart after another in one process (`--detail`): the chart drawn and its"
                " spec built (altair, here), its SVG (Vega, in the worker), its PNG rasterised and compacted (here)."
                f" Starting Vega's engine (once, in the worker): {detail['engine_s']:.3f} s. Replaying the step's"
                " schedule with these seconds gives its time on two idle cores:"
                f" **{detail['idle_estimate_s']:.2f} s**.",
                "",
                "| chart | draw s | spec KB | SVG s | PNG s | PNG pixels | PNG KB |",
                "|---|---:|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {c['chart']} | {c['draw_s']:.3f} | {c['spec_kb']:,.1f} | {c['svg_s']:.3f} | {c['png_s']:.3f} "
                f"| {c['png_px']} | {c['png_kb']:,.1f} |"
                for c in detail["charts"]
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1e6,1e7,personas21", help="comma-separated: 1e6, 1e7, personas21")
    parser.add_argument("--detail", action="store_true", help="also time each chart's parts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is kept")
    parser.add_argument("--label", default="", help="a name for this round (e.g. before, after)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "stickiness-bench-charts")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.detail)))
        return
    cases: dict[str, Any] = {}
    for case in args.cases.split(","):
        log(f"{case}: preparing tables ...")
        prepare(case, args.cache)
        runs = []
        for attempt in range(args.repeat):
            log(f"{case}: chart step, run {attempt + 1} ({load_line()}) ...")
            runs.append(run_case(case, args.cache, args.detail and attempt == 0))
            log(f"  {runs[-1]['chart_step_s']} s, peak {runs[-1]['peak_mb']} MB (step {runs[-1]['step_mb']} MB)")
        best = min(runs, key=lambda r: r["chart_step_s"])
        best.setdefault("charts", next((r["charts"] for r in runs if "charts" in r), None))
        cases[case] = {**best, "runs": [r["chart_step_s"] for r in runs]}
    git = ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"]
    head = subprocess.run(git, capture_output=True, text=True, check=False)
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": head.stdout.strip(),
        "label": args.label,
        "load": load_line(),
        "repeat": args.repeat,
        "cases": cases,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    stem = args.results / (f"charts_{args.label}" if args.label else "charts")
    stem.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    stem.with_suffix(".md").write_text(markdown(record))
    print(stem.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
