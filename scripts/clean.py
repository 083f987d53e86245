"""Clean: raw observations to the tidy ``penguins`` table (``sql/clean.sql``).

The engine writes the table as one Parquet file and defines a view over it, so
later steps and the pin never need it in memory.
"""

from __future__ import annotations

from pathlib import Path

from scripts import dataset, sql
from scripts.engines import ORDERED_VIEW, Named


def published_columns() -> tuple[str, ...]:
    """The columns of the table the palmerpenguins package publishes, in its order,
    with the measurements of ``scripts/dataset.py`` (decimals first, as clean.sql writes them)."""
    measured = [m.name for m in dataset.MEASUREMENTS if not m.whole] + [m.name for m in dataset.MEASUREMENTS if m.whole]
    return ("species", "island", *measured, "sex", "year")


def tidy_columns() -> tuple[str, ...]:
    """Every column of the tidy table, in its order: the published ones, then the key."""
    return (*published_columns(), "study_name", "sample_number")


def clean(engine, out: Path) -> int:
    """Write the tidy table to the Parquet file ``out``, define the view ``penguins``; return its rows."""
    dataset.register(engine)
    # The raw columns clean.sql reads, each measurement under its tidy name: an
    # alias per column of the description, so clean.sql can select them by the names it
    # lists; the study and sample number as the gate cleans them (``dataset.KEY_SQL``).
    columns = [sql.identifier(name) for name in dataset.RAW_KEPT]
    columns += [f"{sql.identifier(m.raw)} AS {sql.identifier(m.name)}" for m in dataset.MEASUREMENTS]
    study, _, number = dataset.KEY_SQL
    columns += [f"{study} AS study_name", f"{number} AS sample_number"]
    engine.view("raw_measured", f"SELECT {', '.join(columns)} FROM {ORDERED_VIEW}")
    return engine.write_tidy(Named("clean"), out)
