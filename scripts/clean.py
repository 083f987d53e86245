"""Clean: raw observations to the tidy ``penguins`` table (``sql/clean.sql``).

The table is written as Parquet by DuckDB and read back as a view, so later
steps and the pin never need it in memory.
"""

from __future__ import annotations

from pathlib import Path

from scripts import sql

# The columns of the table the palmerpenguins package publishes, in its order.
PUBLISHED_COLUMNS = (
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
)
# With species, what tells one observation from another across builds.
KEY_COLUMNS = ("study_name", "species", "sample_number")
TIDY_COLUMNS = (*PUBLISHED_COLUMNS, "study_name", "sample_number")


def clean(con, out: Path) -> int:
    """Write the tidy table to ``out`` (Parquet), define the view ``penguins``; return its rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # preserve_insertion_order keeps the raw row order, as the published table does.
    con.execute(f"COPY ({sql.load('clean')}) TO {sql.literal(str(out))} (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"CREATE OR REPLACE VIEW penguins AS SELECT * FROM read_parquet({sql.literal(str(out))})")
    return con.execute("SELECT count(*) FROM penguins").fetchone()[0]
