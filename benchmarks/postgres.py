"""Benchmark (not a test): the build from a PostgreSQL table, against the same rows as a local Parquet file.

    uv run --extra postgres python -m benchmarks.postgres               # 2M rows
    uv run --extra postgres python -m benchmarks.postgres --rows 200000

Starts a PostgreSQL server of its own (``tests/postgres.py``: the machine's server
binaries, a cluster in a temporary folder) with ``pg_stat_statements``, writes
synthetic raw rows (``benchmarks/synthetic_raw.py``) as a Parquet file and loads the
same rows into a table with a primary key (through DuckDB's postgres extension, by
binary COPY). Then, each in its own process (``benchmarks/big_data.run``):

- **parquet build**: ``python -m scripts.build --source <file> --force`` into a fresh board;
- **table build**: the same from ``postgresql:///lter?table=public.raw``;
- **table up to date** and **parquet up to date**: each again onto the board it built
  (the server hashes the table; the file is hashed here).

It prints wall time, CPU seconds and peak RSS of each with the build's step times, and,
from ``pg_stat_statements``, what the table build asked of the server: each kind of
statement (the content hash, the COPY of which columns), how many times, the rows it
sent and the server's time. The server runs on the same two cores as the build.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.big_data import run, step_times  # noqa: E402 - after the path is set
from benchmarks.cli import positive  # noqa: E402
from benchmarks.synthetic_raw import generate  # noqa: E402

TABLE = "public.raw"
# The synthetic file's types (benchmarks/synthetic_raw.py), with a whole-number primary key.
COLUMNS = (
    'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "studyName" text, "Sample Number" bigint, '
    '"Species" text, "Region" text, "Island" text, "Stage" text, "Individual ID" text, "Clutch Completion" text, '
    '"Date Egg" date, "Culmen Length (mm)" double precision, "Culmen Depth (mm)" double precision, '
    '"Flipper Length (mm)" double precision, "Body Mass (g)" double precision, "Sex" text, '
    '"Delta 15 N (o/oo)" double precision, "Delta 13 C (o/oo)" double precision, "Comments" text'
)


def load(server, parquet: Path) -> float:
    """Load the file's rows into ``TABLE`` in the file's order; return the seconds it took."""
    import duckdb

    from scripts import database

    server.run_sql(f"CREATE EXTENSION IF NOT EXISTS pg_stat_statements; DROP TABLE IF EXISTS {TABLE}")
    server.run_sql(f"CREATE TABLE {TABLE} ({COLUMNS})")
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"LOAD '{database.extension_path()}'")
    con.execute(f"ATTACH 'host={server.socket_dir} port={server.port} user=report dbname=lter' AS pg (TYPE postgres)")
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()
    names = ", ".join(f'"{row[0]}"' for row in described)
    con.execute(f"INSERT INTO pg.public.raw ({names}) SELECT {names} FROM read_parquet('{parquet}')")
    con.close()
    server.run_sql(f"VACUUM ANALYZE {TABLE}")
    return time.perf_counter() - start


def server_work(server) -> list[tuple[str, int, int, float]]:
    """What the server was asked since the last reset: (what, calls, rows sent, seconds)."""
    rows = server.run_sql(
        "SELECT calls, rows, round(total_exec_time::numeric / 1000, 2), replace(query, E'\\n', ' ') "
        "FROM pg_stat_statements WHERE toplevel AND query ~* '^COPY' ORDER BY total_exec_time DESC"
    )
    kinds: dict[str, list] = {}
    for line in rows.splitlines():
        calls, sent, seconds, query = line.split("|", 3)
        kind = describe(query)
        total = kinds.setdefault(kind, [0, 0, 0.0])
        total[0] += int(calls)
        total[1] += int(sent)
        total[2] += float(seconds)
    return [(kind, calls, sent, seconds) for kind, (calls, sent, seconds) in kinds.items()]


def describe(query: str) -> str:
    """A statement as a kind: 'content hash', or 'COPY of N columns (a, b, …) [filtered]'."""
    if "hashtextextended(" in query:
        return "content hash (server side)"
    if "pg_attribute" in query or "pg_index" in query:
        return "catalog: columns and primary key"
    found = re.match(r'COPY \(SELECT (.*?) FROM "public"\."raw"(.*?)\) TO STDOUT', query)
    if not found:
        return query[:80]
    columns = re.findall(r'"([^"]+)"', found.group(1))
    shown = ", ".join(columns) if len(columns) <= 4 else ", ".join(columns[:3]) + ", …"
    where = re.sub(r"ctid BETWEEN '[^']*'::tid AND '[^']*'::tid", "", found.group(2)).strip()
    filtered = " filtered" if where not in ("", "WHERE") else ""
    return f"COPY of {len(columns)} columns ({shown}){filtered}"


def main(argv: list[str] | None = None) -> int:
    from tests import postgres

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=positive(), default=2_000_000, help="how many raw rows")
    args = parser.parse_args(argv)
    why = postgres.missing()
    if why:
        print(f"cannot run: this benchmark {why}", file=sys.stderr)
        return 2
    server = postgres.PostgresServer("-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-postgres-") as folder:
            work = Path(folder)
            parquet = generate(args.rows, work / "raw.parquet")
            seconds = load(server, parquet)
            print(
                f"{args.rows:,} rows: Parquet file {parquet.stat().st_size / 2**20:,.0f} MiB; loaded into {TABLE} "
                f"in {seconds:.1f} s ({server.run_sql(f'SELECT pg_size_pretty(pg_total_relation_size({TABLE!r}))')})"
            )
            env = {**os.environ, **server.env, "PYTHONPATH": str(ROOT)}
            table = server.source(TABLE)
            print(f"\n{'run':<22}{'wall s':>8}{'CPU s':>8}{'peak MiB':>10}  steps")
            for name, source, board, extra in [
                ("parquet build", str(parquet), work / "board-parquet", ["--force"]),
                ("table build", table, work / "board-table", ["--force"]),
                ("parquet up to date", str(parquet), work / "board-parquet", []),
                ("table up to date", table, work / "board-table", []),
            ]:
                server.run_sql("SELECT pg_stat_statements_reset()")
                wall, rss, status, log, cpu, _ = run(
                    ["-m", "scripts.build", "--source", source, "--board", str(board), "--verbose", *extra], env
                )
                if status:
                    print(f"{name}: exit {status}", file=sys.stderr)
                    return 1
                print(f"{name:<22}{wall:>8.1f}{cpu:>8.1f}{rss:>10.0f}  {step_times(log) or 'up to date'}")
                if name.startswith("table"):
                    for kind, calls, sent, spent in server_work(server):
                        print(f"{'':<4}server: {kind}: {calls} statements, {sent:,} rows sent, {spent:.2f} s")
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
