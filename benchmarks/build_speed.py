"""Benchmark (not a test): the build's cold and up-to-date paths.

    uv run python benchmarks/build_speed.py [--runs 5]

Builds a fresh board from the shipped raw CSV in a temporary folder, then runs
the same command again several times (nothing to do: the "up to date" path,
target <= 1 s) and prints wall time and peak RSS of each, measured on the
command as a user runs it (a new Python process each time).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: benchmarks/ is not a package on the path yet
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set


def timed(board: Path) -> tuple[float, float]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "scripts.build", "--board", str(board)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=positive(), default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        board = Path(tmp) / "board"
        cold, cold_rss = timed(board)
        print(f"cold build (empty board):   {cold:6.2f} s   peak RSS {cold_rss:6.0f} MiB")
        warm = [timed(board)[0] for _ in range(runs)]
        print(
            f"up to date ({runs} runs):        median {statistics.median(warm):.2f} s, "
            f"max {max(warm):.2f} s   (target <= 1 s)"
        )


if __name__ == "__main__":
    main()
