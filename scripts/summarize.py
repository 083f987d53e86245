"""Summarize: the numbers the pages show, computed exactly in DuckDB.

Each file ``scripts/sql/summaries/<name>.sql`` is one query over the tidy
``penguins`` view, and its result is pinned under the same ``<name>``: to find
where a number on the site comes from, open the file named like the pin.
Every result is small whatever the raw size (aggregates, fixed-width bins, a
capped sample), so pandas only ever holds small tables here.
``prepare`` runs first: small temporary tables (``sql/measurement_*.sql``,
``sql/sample_*.sql``) that several summaries (and the training sample) are
computed from. Which measurements there are comes from ``scripts/dataset.py``.
"""

from __future__ import annotations

from scripts import dataset, sql
from scripts.progress import log

SUMMARY_DIR = sql.SQL_DIR / "summaries"
# The small tables computed from the passes, in the order they need each other.
DERIVED = ("measurement_values", "measurement_groups", "measurement_sums", "sample_strata", "sample_candidates")


def summary_names() -> list[str]:
    """The summary tables, one per SQL file, in name order."""
    return sorted(path.stem for path in SUMMARY_DIR.glob("*.sql"))


def summarize(con) -> dict:
    """Run every summary query; return ``{name: pandas.DataFrame}``.

    First keeps the small tables of ``prepare``, then runs each summary file.
    """
    prepare(con)
    return {name: con.execute(sql.load(f"summaries/{name}")).df() for name in summary_names()}


def prepare(con) -> None:
    """Keep the small tables the summaries and the training sample are computed from.

    One pass over the tidy rows per measurement of ``scripts/dataset.py``
    (``measurement_passes``: the rows grouped by species, island, sex, year,
    which measurements are present and the measurement's value, with counts and
    the sum of every measurement), and no more: from it come the count of each
    value (``measurement_values``: statistics, quantiles, histograms), the
    groups (``measurement_groups``: counts, missing values, the overview) and
    the sums, squares and pairwise products (``measurement_sums``: means and
    spreads by year, correlations, least-squares lines). Then the strata of the
    two samples with their sizes (``sample_strata``, no pass) and the few rows
    each sample stratum can pick from (``sample_candidates``, one pass). If a
    stratum got fewer candidates than it may need (beyond 8 standard deviations
    of bad luck), every row becomes a candidate, so the samples never change.
    """
    dataset.register(con)
    caps = max(dataset.SCATTER_PER_STRATUM, dataset.TRAINING_PER_STRATUM)
    con.execute("SET VARIABLE candidates_per_stratum = ?", [caps])
    con.execute("SET VARIABLE every_row_a_candidate = false")
    for number, name in enumerate(dataset.measurement_names()):
        con.execute("SET VARIABLE measurement = ?", [[name]])
        if number == 0:
            con.execute(f"CREATE OR REPLACE TEMP TABLE measurement_passes AS {sql.load('measurement_passes')}")
        else:
            con.execute(f"INSERT INTO measurement_passes {sql.load('measurement_passes')}")
    for shared in DERIVED:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {shared} AS {sql.load(shared)}")
    short = con.execute(sql.load("sample_candidates_short")).fetchall()
    if short:
        log.info("summarize %d sample strata got too few candidates: every row is a candidate", len(short))
        con.execute("SET VARIABLE every_row_a_candidate = true")
        con.execute(f"CREATE OR REPLACE TEMP TABLE sample_candidates AS {sql.load('sample_candidates')}")
