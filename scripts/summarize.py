"""Summarize: the numbers the pages show, computed exactly in DuckDB.

Each file ``scripts/sql/summaries/<name>.sql`` is one query over the tidy
``penguins`` view, and its result is pinned under the same ``<name>``: to find
where a number on the site comes from, open the file named like the pin.
Every result is small whatever the raw size (aggregates, fixed-width bins, a
capped sample), so pandas only ever holds small tables here.
``sql/measurement_values.sql``, ``sql/measurement_sums.sql``,
``sql/sample_strata.sql`` and ``sql/sample_candidates.sql`` run first: small
temporary tables that several summaries (and the training sample) are
computed from.
"""

from __future__ import annotations

from scripts import sql
from scripts.progress import log

SUMMARY_DIR = sql.SQL_DIR / "summaries"
# How many rows of each sample stratum sql/sample_candidates.sql lets through,
# before the margin (the share is set in sql/sample_strata.sql): at least the
# most that either sample keeps per stratum (250 in
# summaries/scatter_sample.sql, 2,000 in training_sample.sql).
CANDIDATES_PER_STRATUM = 2000


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

    Three passes over the tidy rows, so that no summary needs one: the count of each
    measurement value (``measurement_values``: statistics, quantiles,
    histograms); counts and sums, squares and pairwise products of the
    measurements by species, island, sex, year and missingness
    (``measurement_sums``: counts, missing values, the overview, means and
    spreads by year, correlations, least-squares lines); the strata of the two
    samples with their sizes (``sample_strata``, from the sums, no pass); and
    the few rows each sample stratum can pick from (``sample_candidates``). If a
    stratum got fewer candidates than it may need (beyond 8 standard deviations of bad
    luck), every row becomes a candidate, so the samples never change.
    """
    con.execute("SET VARIABLE candidates_per_stratum = ?", [CANDIDATES_PER_STRATUM])
    con.execute("SET VARIABLE every_row_a_candidate = false")
    for shared in ("measurement_values", "measurement_sums", "sample_strata", "sample_candidates"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {shared} AS {sql.load(shared)}")
    short = con.execute(sql.load("sample_candidates_short")).fetchall()
    if short:
        log.info("summarize %d sample strata got too few candidates: every row is a candidate", len(short))
        con.execute("SET VARIABLE every_row_a_candidate = true")
        con.execute(f"CREATE OR REPLACE TEMP TABLE sample_candidates AS {sql.load('sample_candidates')}")
