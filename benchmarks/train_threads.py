"""Benchmark (not a test): training's time under OpenMP thread settings.

    uv run python benchmarks/train_threads.py [--runs 3]

Trains on the shipped data (``train.train``: four candidates, 5-fold cross-validation,
permutation importance) in fresh processes, alone and two at once (as the tests'
two pytest-xdist processes do on two cores), with OpenMP's default threads, with
passive waiting, and with one thread, and prints the median time spent in
``train.train`` (imports excluded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: benchmarks/ is not a package on the path yet
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set

TRAIN_ONCE = """
import tempfile, time
from pathlib import Path
from scripts import clean, config, summarize, train
from scripts.engines.duckdb import DuckDBEngine
engine = DuckDBEngine()
engine.register_raw([config.default_source()])
with tempfile.TemporaryDirectory() as tmp:
    clean.clean(engine, Path(tmp) / "penguins.parquet")
    summarize.prepare(engine)
    sample = train.training_sample(engine)
    import sklearn.ensemble  # imports outside the timing
    start = time.perf_counter()
    train.train(sample)
    print(time.perf_counter() - start)
"""

SETTINGS = {
    "default threads": {},
    "passive waiting": {"OMP_WAIT_POLICY": "PASSIVE"},
    "one thread": {"OMP_NUM_THREADS": "1"},
}


def seconds(env: dict, at_once: int) -> list[float]:
    """Run ``at_once`` trainings side by side; each one's time in ``train.train``."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", TRAIN_ONCE],
            cwd=ROOT,
            env={**clean_env, **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(at_once)
    ]
    times = []
    for process in processes:
        out, _ = process.communicate()
        if process.returncode != 0:
            sys.exit(f"training failed with exit status {process.returncode}")
        times.append(float(out.strip().splitlines()[-1]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=positive(), default=3)
    runs = parser.parse_args().runs
    print(f"train.train on the shipped data, {os.cpu_count()} cores, median of {runs} runs")
    for at_once in (1, 2):
        for name, env in SETTINGS.items():
            times = [t for _ in range(runs) for t in seconds(env, at_once)]
            print(f"  {at_once} at once, {name:16} {statistics.median(times):6.2f} s   (max {max(times):.2f} s)")


if __name__ == "__main__":
    main()
