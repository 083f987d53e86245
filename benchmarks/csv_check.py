"""Benchmark (not a test): what the hashing pass's CSV checks cost on a big CSV source.

    uv run python benchmarks/csv_check.py [--millions 1] [--runs 3]

The hashing pass reads every byte of a CSV source once; besides the hash it
checks that the text is UTF-8 and that no line ends in an empty field the
header does not have (``hashing.CsvTextCheck``). Lines that end in an empty field
have their fields counted, so a file whose every line ends in one (an empty
``Comments`` column) is the dear case. This writes both kinds of file (the
shipped rows, repeated, with ``Comments`` as ``NA`` or empty), then prints the
hashing pass with all checks, with the UTF-8 check alone, and the whole build
on the file (a fresh board, a new process), each the best of ``--runs``.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: benchmarks/ is not a package on the path yet
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set
from scripts import config  # noqa: E402


def write_source(path: Path, rows: int, comments: str) -> Path:
    """The shipped raw rows, repeated to ``rows`` with new keys, ``Comments`` set."""
    with open(config.default_source(), newline="", encoding="utf-8") as f:
        shipped = list(csv.DictReader(f))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(shipped[0]), lineterminator="\n")
        writer.writeheader()
        for i in range(rows):
            row = shipped[i % len(shipped)]
            # one study per 100,000 penguins: sample numbers stay in the gate's range, keys unique
            key = {"studyName": f"PAL{i // 100_000:04d}", "Sample Number": str(i % 100_000 + 1)}
            writer.writerow({**row, **key, "Comments": comments})
    return path


def hashing(path: Path, *, fields: bool) -> float:
    """Seconds for the hashing pass over ``path``; without ``fields``, the UTF-8 check alone."""
    real = hashing.CsvTextCheck._check_trailing_fields
    if not fields:
        hashing.CsvTextCheck._check_trailing_fields = lambda self, data: None
    try:
        start = time.perf_counter()
        hashing.source_hash([str(path)])
        return time.perf_counter() - start
    finally:
        hashing.CsvTextCheck._check_trailing_fields = real


def build(path: Path, board: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "scripts.build", "--source", str(path), "--board", str(board), "--force"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, config.ENV_MAX_ROW_DROP: "1"},
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=positive(float), default=1.0, help="rows of each file, in millions")
    parser.add_argument("--runs", type=positive(), default=3)
    args = parser.parse_args()
    rows = int(args.millions * 1_000_000)
    hashing.source_hash([config.default_source()])  # imports done before timing
    print(f"{rows:,} rows per file; best of {args.runs} runs")
    print(f"{'Comments':<10} {'MB':>6} {'hash, all checks':>17} {'UTF-8 only':>11} {'fields':>8} {'build':>8}")
    with tempfile.TemporaryDirectory(prefix="csv-check-") as folder:
        for label, comments in (("NA", "NA"), ("empty", "")):
            source = write_source(Path(folder) / f"{label}.csv", rows, comments)
            full = min(hashing(source, fields=True) for _ in range(args.runs))
            utf8 = min(hashing(source, fields=False) for _ in range(args.runs))
            whole = min(build(source, Path(folder) / f"board-{label}") for _ in range(args.runs))
            size = source.stat().st_size / 1e6
            print(
                f"{label:<10} {size:>6,.0f} {full:>15.2f} s {utf8:>9.2f} s {full - utf8:>6.2f} s "
                f"{whole:>6.1f} s  (fields: {(full - utf8) / whole:.0%} of the build)"
            )


if __name__ == "__main__":
    main()
