"""Benchmark (not a test): the build on big raw data, against two references.

    uv run python -m benchmarks.big_data                   # 2M and 20M rows
    uv run python -m benchmarks.big_data --sizes 2 20 100  # sizes in millions of rows
    uv run python -m benchmarks.big_data --skip-pandas     # leave out the naive pandas run
    uv run python -m benchmarks.big_data --repeat 3        # fastest of 3 runs of each
    uv run --extra spark python -m benchmarks.big_data --engine duckdb spark  # and the build on Spark

For each size it writes a synthetic raw Parquet file (``benchmarks/synthetic_raw.py``;
benchmark data only) and runs, each in its own process, on the same file:

- **build**: ``python -m scripts.build --source <file> --force`` into a fresh board;
- **least work**: what any build must do at the least: DuckDB copies the clean
  projection of the raw file to Parquet and computes one aggregate over it;
- **naive pandas**: read the whole file into pandas, clean it, group and describe it
  and write it back (what the build avoids);
- **spark build** (with ``--engine ... spark``): the build with ``REPORT_ENGINE=spark``,
  Spark in local mode (``REPORT_SPARK_MASTER``, default ``local[*]``) on the same
  file; its JVM's peak RSS is shown beside the Python driver's;
- **next build**: the build of the same rows plus 1% more (a new file, the same
  rows first) onto the board the last ``build`` run left, as the next scheduled
  run would find it: the comparison with the last build (``scripts/compare.py``)
  runs here, and its step time is shown;
- **re-issue**: then the same rows with every measurement jittered anew
  (``synthetic_raw --issue 1``: nearly every published row revised), with
  ``REPORT_MAX_REVISED=1 REPORT_MAX_DRIFT=100`` as the docs say to accept a
  re-issue: the comparison's worst case, which must finish within DuckDB's
  memory limit.

It prints wall time, CPU seconds and peak RSS of each (with ``--repeat N``, the
fastest of N runs, the fewest CPU seconds and the largest peak; the runs
alternate, so a busy spell slows every reference alike), the size of the pins
the pages read, and, from each pair of consecutive sizes and from a
least-squares line through all of them, the fixed start-up cost and the cost per
million rows of each, with the build's ratio to the least-work reference, by
wall time and by CPU seconds. Machines with neighbours are noisy: repeat, and
prefer the figures between the larger sizes; CPU seconds move less than wall time.
Targets (2 cores, 24 GiB): build cost per million rows <= 2x the least work's;
peak RSS <= 1 GiB at 20M rows and <= 2 GiB at 100M; pages' pins <= 1 MiB.

DuckDB's memory limit and spill folder come from ``REPORT_DUCKDB_MEMORY_LIMIT``
and ``REPORT_DUCKDB_TEMP_DIR`` as for the build (defaults in ``scripts/config.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set

# Pins that only programs read (the full tidy table, the model), not the pages.
NOT_READ_BY_PAGES = {"penguins", "penguin_model"}

LEAST_WORK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from scripts import clean, config
    from scripts.engines.duckdb import DuckDBEngine
    engine = DuckDBEngine(config.get_duckdb_settings(spill_dir=sys.argv[2] + ".spill"))
    engine.register_raw([sys.argv[1]])
    clean.clean(engine, Path(sys.argv[2]))
    engine.con.execute(f"SELECT species, count(*), avg(body_mass_g) FROM '{sys.argv[2]}' GROUP BY species").fetchall()
    """
)

NAIVE_PANDAS = textwrap.dedent(
    """
    import sys
    import pandas as pd
    raw = pd.read_parquet(sys.argv[1])
    tidy = pd.DataFrame({
        "species": raw["Species"].str.split(" ").str[0],
        "island": raw["Island"],
        "bill_length_mm": raw["Culmen Length (mm)"],
        "bill_depth_mm": raw["Culmen Depth (mm)"],
        "flipper_length_mm": raw["Flipper Length (mm)"].round().astype("Int64"),
        "body_mass_g": raw["Body Mass (g)"].round().astype("Int64"),
        "sex": raw["Sex"].str.lower(),
        "year": pd.to_datetime(raw["Date Egg"]).dt.year,
    })
    tidy.groupby(["species", "sex"], dropna=False)[["bill_length_mm", "body_mass_g"]].describe()
    tidy.to_parquet(sys.argv[2])
    """
)


def run(args: list[str], env: dict) -> tuple[float, float, int, str, float, float]:
    """Run a Python child; return (wall seconds, peak RSS in MiB, exit status, stderr, CPU seconds,
    peak RSS in MiB of the JVMs it started (Spark's local mode; 0 when none))."""
    import threading

    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
        jvm = {"peak": 0.0}
        watcher = threading.Thread(target=_watch_jvm, args=(child, jvm), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        watcher.join()
        err.seek(0)
        text = err.read().decode(errors="replace")
    if status:
        sys.stderr.write(text[-2000:])
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), text, cpu, jvm["peak"]


def _watch_jvm(child: subprocess.Popen, jvm: dict) -> None:
    """While ``child`` runs, keep the largest peak RSS (VmHWM) of the Java processes below it."""
    while child.poll() is None:
        for pid in _descendants(child.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:  # gone meanwhile
                continue
            if re.search(r"^Name:\s+java$", status, flags=re.MULTILINE):
                peak = re.search(r"^VmHWM:\s+(\d+) kB", status, flags=re.MULTILINE)
                if peak:
                    jvm["peak"] = max(jvm["peak"], int(peak.group(1)) / 1024)
        time.sleep(0.25)


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid``, from /proc (Linux)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        below = [p for p, parent in parents.items() if parent in frontier]
        found += below
        frontier = below
    return found


def step_times(log: str) -> str:
    """The build's own step timings from its --verbose log: 'validate 3.0 s, clean 2.9 s, …'."""
    steps = re.findall(r"^\[build\] (\w+) .*\(([\d.]+) s\)$", log, flags=re.MULTILINE)
    return ", ".join(f"{name} {seconds} s" for name, seconds in steps if name not in ("hash", "ingest"))


def pages_pin_bytes(board: Path) -> int:
    """Bytes of the newest version of every pin the pages read (all but the full table and model)."""
    total = 0
    for pin in board.iterdir():
        if pin.is_dir() and pin.name not in NOT_READ_BY_PAGES:
            versions = sorted(v for v in pin.iterdir() if v.is_dir())
            if versions:
                total += sum(f.stat().st_size for f in versions[-1].rglob("*") if f.is_file())
    return total


def main(argv: list[str] | None = None) -> int:
    from benchmarks import synthetic_raw

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=positive(float), nargs="+", default=[2, 20], help="millions of rows")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here (default: a temp folder)")
    parser.add_argument("--skip-pandas", action="store_true", help="leave out the naive pandas run")
    parser.add_argument("--repeat", type=positive(), default=1, help="run each N times; report the fastest")
    parser.add_argument(
        "--engine", nargs="+", choices=("duckdb", "spark"), default=["duckdb"], help="engines to build with"
    )
    args = parser.parse_args(argv)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results: dict[float, dict[str, tuple[float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="big-data-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"{'rows':>6}  {'run':<13}{'wall s':>9}{'CPU s':>8}{'peak RSS MiB':>14}{'JVM MiB':>9}  note")
        for millions in args.sizes:
            rows = int(millions * 1_000_000)
            source = workdir / f"raw-{millions:g}M.parquet"
            if not source.exists():
                synthetic_raw.generate(rows, source)
            board = workdir / f"board-{millions:g}M"
            grown = workdir / f"raw-{millions:g}M-next.parquet"
            if not grown.exists():
                synthetic_raw.generate(int(rows * 1.01), grown)
            reissued = workdir / f"raw-{millions:g}M-reissue.parquet"
            if not reissued.exists():
                synthetic_raw.generate(int(rows * 1.01), reissued, issue=1)
            runs = {
                "build": [
                    *("-m", "scripts.build", "--source", str(source), "--board", str(board)),
                    *("--force", "--verbose"),
                ],
                "least work": ["-c", LEAST_WORK, str(source), str(workdir / "least.parquet")],
            }
            if "spark" in args.engine:
                runs["spark build"] = [*runs["build"][:5], str(workdir / f"board-{millions:g}M-spark")]
                runs["spark build"] += ["--force", "--verbose"]
            if "duckdb" not in args.engine:
                del runs["build"]
            if not args.skip_pandas:
                runs["naive pandas"] = ["-c", NAIVE_PANDAS, str(source), str(workdir / "naive.parquet")]
            # right after a build, onto its board: compared with it
            if "duckdb" in args.engine:
                runs["next build"] = [
                    *("-m", "scripts.build", "--source", str(grown), "--board", str(board), "--verbose")
                ]
                runs["re-issue"] = [
                    *("-m", "scripts.build", "--source", str(reissued), "--board", str(board), "--verbose")
                ]
            results[millions] = {}
            # Runs alternate (build, least work, build, …), so that a busy spell on a
            # shared machine slows both references rather than one of them.
            attempts = {name: [] for name in runs}
            for _ in range(args.repeat):
                for name, command in runs.items():
                    if name in ("build", "spark build"):
                        # A fresh board every time, as for new data: a board that already
                        # holds the same tidy table would also have it compared byte for byte.
                        shutil.rmtree(command[command.index("--board") + 1], ignore_errors=True)
                    spark = {"REPORT_ENGINE": "spark"} if name == "spark build" else {}
                    accept = {"REPORT_MAX_REVISED": "1", "REPORT_MAX_DRIFT": "100"} if name == "re-issue" else {}
                    attempts[name].append(run(command, {**env, **spark, **accept}))
            for name, tries in attempts.items():
                fastest = min(tries, key=lambda t: t[0])
                seconds, log = fastest[0], fastest[3]  # the step times shown are the fastest run's
                peak = max(t[1] for t in tries)
                code = next((t[2] for t in tries if t[2]), 0)
                cpu = min(t[4] for t in tries)
                jvm = max(t[5] for t in tries)
                results[millions][name] = (seconds, peak, code, cpu)
                note = "" if code == 0 else f"FAILED (exit {code})"
                if name in ("build", "spark build") and code == 0:
                    note = f"pins the pages read: {pages_pin_bytes(board) / 1024:,.0f} KiB; {step_times(log)}"
                elif name == "next build" and code == 0:
                    note = f"1% more rows, compared with the build before: {step_times(log)}"
                elif name == "re-issue" and code == 0:
                    note = f"every row revised, compared with the build before: {step_times(log)}"
                shown_jvm = f"{jvm:>9,.0f}" if jvm else f"{'':>9}"
                print(
                    f"{millions:>5g}M  {name:<13}{seconds:>9.1f}{cpu:>8.1f}{peak:>14,.0f}{shown_jvm}  {note}",
                    flush=True,
                )

    sizes = sorted(results)
    spans = [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    if len(sizes) > 2:
        spans.append((sizes[0], sizes[-1]))
    for small, large in spans:
        print(f"\nfrom {small:g}M to {large:g}M rows:")
        report(per_million_costs(results, [small, large]))
    if len(sizes) > 2:
        print(f"\nleast-squares line through {', '.join(f'{m:g}M' for m in sizes)}:")
        report(per_million_costs(results, sizes))
    # CPU seconds move less than wall time when neighbours share the machine.
    print(f"\nCPU seconds, least-squares line through {', '.join(f'{m:g}M' for m in sizes)}:")
    report(per_million_costs(results, sizes, measure=CPU), unit="CPU s")
    return 0


WALL, CPU = 0, 3  # where each measure sits in a result (wall s, peak MiB, exit status, CPU s)


def per_million_costs(results: dict, sizes: list[float], measure: int = WALL) -> dict[str, tuple[float, float]]:
    """``{run: (start-up s, s per million rows)}``: the least-squares line through the sizes."""
    costs = {}
    for name in results[sizes[0]]:
        if name == "next build":  # a different row count: not on the same line
            continue
        points = [(m, results[m][name][measure]) for m in sizes if not results[m][name][2]]
        if len(points) < 2:
            continue
        mean_m = sum(m for m, _ in points) / len(points)
        mean_t = sum(t for _, t in points) / len(points)
        slope = sum((m - mean_m) * (t - mean_t) for m, t in points) / sum((m - mean_m) ** 2 for m, _ in points)
        costs[name] = (mean_t - slope * mean_m, slope)
    return costs


def report(costs: dict[str, tuple[float, float]], unit: str = "s") -> None:
    for name, (fixed, slope) in costs.items():
        print(f"  {name:<13} start-up {fixed:6.1f} {unit}   per million rows {slope:6.3f} {unit}")
    if "build" in costs and "least work" in costs:
        ratio = costs["build"][1] / costs["least work"][1]
        print(f"  build / least work, per million rows: {ratio:.2f}x (target <= 2x)")
    if "naive pandas" in costs and "build" in costs:
        print(f"  naive pandas / build, per million rows: {costs['naive pandas'][1] / costs['build'][1]:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
