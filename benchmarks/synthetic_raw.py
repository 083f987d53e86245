"""BENCHMARK DATA ONLY: synthetic raw LTER observations at any row count.

    uv run python -m benchmarks.synthetic_raw --rows 20000000 --out /tmp/raw-20M.parquet

Writes a Parquet file in the raw LTER layout (the columns and values of the raw
CSV the ``palmerpenguins`` package ships) by repeating the 344 real rows and
perturbing every measurement a little, so that the build's gate accepts every
row and the summaries look like the real ones. It exists to measure the build
at big sizes; the site never reads it (its study names end in ``-SYNTH…``, and
the file's Parquet metadata says ``synthetic benchmark data``).

How a row is made, for replicate ``r`` (0, 1, …) of real row ``i``:

- ``studyName`` becomes ``<real study>-SYNTH<r>``, so the observation key
  (``studyName``, ``Species``, ``Sample Number``) stays unique;
- bill length and depth move by up to ±0.5 mm (kept to 0.1 mm), flipper length
  by up to ±2 mm and body mass by up to ±50 g (whole numbers), each clamped to
  the gate's plausible range; missing values stay missing;
- everything else (species, island, sex, egg date, isotopes) is the real value.

The jitter comes from ``hash(r, i, column)``, so the same ``--rows`` always gives
the same file, whatever the number of threads.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set

REAL_ROWS = 344
# (raw column, largest change, decimals kept, gate range)
JITTER = {
    "Culmen Length (mm)": (0.5, 1),
    "Culmen Depth (mm)": (0.5, 1),
    "Flipper Length (mm)": (2.0, 0),
    "Body Mass (g)": (50.0, 0),
}


def generate_sql(rows: int, real: str = "real_raw", issue: int = 0) -> str:
    """The query that makes ``rows`` synthetic raw rows from the relation ``real``.

    ``issue`` > 0 gives a re-issue of the same observations: the same keys, species,
    sexes and dates, every measurement jittered anew (so nearly every row is revised)."""
    from scripts.dataset import raw_columns
    from scripts.sql import identifier

    bounds = {c.name: (c.low, c.high) for c in raw_columns()}
    replicates = -(-rows // REAL_ROWS)
    perturbed = []
    for column, (spread, decimals) in JITTER.items():
        low, high = bounds[column]
        # A uniform value in [-spread, spread] from a hash of (replicate, row, column).
        salt = f", {issue}" if issue else ""
        noise = f"((hash(rep.r, base.i, '{column}'{salt}) % 2000001)::DOUBLE / 1000000 - 1) * {spread}"
        value = f"round(TRY_CAST(base.{identifier(column)} AS DOUBLE) + {noise}, {decimals})"
        # greatest/least skip NULLs, so a missing value is kept missing explicitly.
        clamped = f"least(greatest({value}, {low}), {high})"
        perturbed.append(
            f"CASE WHEN base.{identifier(column)} IS NULL THEN NULL ELSE {clamped} END AS {identifier(column)}"
        )
    return f"""
        WITH base AS (SELECT *, row_number() OVER () - 1 AS i FROM {real}),
             rep AS (SELECT range AS r FROM range({replicates}))
        SELECT
            base."studyName" || '-SYNTH' || rep.r           AS "studyName",
            CAST(base."Sample Number" AS BIGINT)           AS "Sample Number",
            base."Species", base."Region", base."Island", base."Stage",
            base."Individual ID" || '-S' || rep.r           AS "Individual ID",  -- one bird per replicate
            base."Clutch Completion",
            TRY_CAST(base."Date Egg" AS DATE)              AS "Date Egg",
            {", ".join(perturbed)},
            base."Sex",
            TRY_CAST(base."Delta 15 N (o/oo)" AS DOUBLE)   AS "Delta 15 N (o/oo)",
            TRY_CAST(base."Delta 13 C (o/oo)" AS DOUBLE)   AS "Delta 13 C (o/oo)",
            base."Comments"
        FROM rep CROSS JOIN base
        WHERE rep.r * {REAL_ROWS} + base.i < {rows}
    """


def generate(rows: int, out: Path, source: str | None = None, issue: int = 0) -> Path:
    """Write ``rows`` synthetic raw observations to ``out`` (Parquet); return ``out``.
    ``issue``: see ``generate_sql``."""
    from scripts import config
    from scripts.engines import RAW_VIEW, SOURCE_FILE
    from scripts.engines.duckdb import DuckDBEngine

    if rows < 1:
        raise ValueError(f"--rows must be at least 1, not {rows}")
    out.parent.mkdir(parents=True, exist_ok=True)
    engine = DuckDBEngine(config.get_duckdb_settings(spill_dir=str(out.parent / "spill")))
    engine.register_raw([source or config.default_source()])
    con = engine.con
    con.execute(f"CREATE TEMP TABLE real_raw AS SELECT * EXCLUDE ({SOURCE_FILE}) FROM {RAW_VIEW}")
    partial = out.with_name(out.name + ".partial")
    con.execute(
        f"COPY ({generate_sql(rows, issue=issue)}) TO '{partial}' "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, "
        "KV_METADATA {purpose: 'synthetic benchmark data, not observations'})"
    )
    con.close()
    partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=positive(), required=True, help="how many raw rows to write")
    parser.add_argument("--out", type=Path, required=True, help="the Parquet file to write")
    parser.add_argument("--issue", type=int, default=0, help="> 0: a re-issue, every measurement jittered anew")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    generate(args.rows, args.out, issue=args.issue)
    size = args.out.stat().st_size / 2**20
    print(f"wrote {args.rows:,} synthetic rows to {args.out} ({size:,.0f} MiB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
