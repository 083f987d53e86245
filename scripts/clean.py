"""Clean: raw observations to the tidy ``penguins`` table (``sql/clean.sql``).

The table is written as Parquet by DuckDB and read back as a view, so later
steps and the pin never need it in memory.
"""

from __future__ import annotations

from pathlib import Path

from scripts import dataset, spark, sql
from scripts.ingest import RAW_VIEW

# The raw columns besides the measurements that clean.sql reads.
RAW_KEPT = ("Species", "Island", "Sex", "Date Egg", "studyName", "Sample Number")
# With species, what tells one observation from another across builds.
KEY_COLUMNS = ("study_name", "species", "sample_number")


def published_columns() -> tuple[str, ...]:
    """The columns of the table the palmerpenguins package publishes, in its order,
    with the measurements of ``scripts/dataset.py`` (decimals first, as clean.sql writes them)."""
    measured = [m.name for m in dataset.MEASUREMENTS if not m.whole] + [m.name for m in dataset.MEASUREMENTS if m.whole]
    return ("species", "island", *measured, "sex", "year")


def tidy_columns() -> tuple[str, ...]:
    """Every column of the tidy table, in its order: the published ones, then the key."""
    return (*published_columns(), "study_name", "sample_number")


def clean(con, out: Path | str) -> int:
    """Write the tidy table to ``out`` (Parquet), define the view ``penguins``; return its rows.

    On Spark (``scripts/spark.py``) ``out`` is a folder (a path or a cloud URI,
    ``spark.tidy_folder``) of Parquet files that Spark writes, and ``penguins``
    is a Spark view over it.
    """
    dataset.register(con)
    # The raw columns clean.sql reads, each measurement under its tidy name: an
    # alias per column of the description, so clean.sql can select them by the names it lists.
    columns = [sql.identifier(name) for name in RAW_KEPT]
    columns += [f"{sql.identifier(m.raw)} AS {sql.identifier(m.name)}" for m in dataset.MEASUREMENTS]
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_measured AS SELECT {', '.join(columns)} FROM {RAW_VIEW}")
    if spark.is_spark(con):
        spark.write_parquet(con, sql.load("clean"), out)
        con.session.read.parquet(str(out)).createOrReplaceTempView("penguins")
        return con.execute("SELECT count(*) FROM penguins").fetchone()[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    # preserve_insertion_order keeps the raw row order, as the published table does.
    con.execute(f"COPY ({sql.load('clean')}) TO {sql.literal(str(out))} (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"CREATE OR REPLACE VIEW penguins AS SELECT * FROM read_parquet({sql.literal(str(out))})")
    return con.execute("SELECT count(*) FROM penguins").fetchone()[0]


def gather(con, folder: str, out: Path) -> None:
    """Join the Parquet files Spark wrote into ``folder`` as the one file ``out`` (DuckDB,
    streaming, in the files' order) and define the view ``penguins`` over it: the
    ``penguins`` pin is then the same one file whichever engine built it.
    ``folder`` is a path or a cloud URI (``spark.tidy_folder``)."""
    from scripts import locations

    if locations.is_cloud(folder):
        con.register_filesystem(locations.filesystem(folder))
    parts, target = sql.literal(f"{folder}/*.parquet"), sql.literal(str(out))
    con.execute(f"COPY (SELECT * FROM read_parquet({parts})) TO {target} (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"CREATE OR REPLACE VIEW penguins AS SELECT * FROM read_parquet({target})")
