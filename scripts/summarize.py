"""Summarize: the numbers the pages show, computed exactly in DuckDB.

Each file ``scripts/sql/summaries/<name>.sql`` is one query over the tidy
``penguins`` view, and its result is pinned under the same ``<name>``: to find
where a number on the site comes from, open the file named like the pin.
Every result is small whatever the raw size (aggregates, fixed-width bins, a
capped sample), so pandas only ever holds small tables here.
``sql/measurement_values.sql`` and ``sql/measurement_sums.sql`` run first: small
temporary tables that several summaries are computed from.
"""

from __future__ import annotations

from scripts import sql

SUMMARY_DIR = sql.SQL_DIR / "summaries"


def summary_names() -> list[str]:
    """The summary tables, one per SQL file, in name order."""
    return sorted(path.stem for path in SUMMARY_DIR.glob("*.sql"))


def summarize(con) -> dict:
    """Run every summary query; return ``{name: pandas.DataFrame}``.

    First keeps two small tables, from which several summaries are computed
    exactly without going over every row again: the
    count of each measurement value (``sql/measurement_values.sql``: statistics,
    quantiles, histograms) and the sums, squares and pairwise products of the
    measurements by species and year (``sql/measurement_sums.sql``: means and
    spreads by year, correlations, least-squares lines).
    """
    for shared in ("measurement_values", "measurement_sums"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {shared} AS {sql.load(shared)}")
    return {name: con.execute(sql.load(f"summaries/{name}")).df() for name in summary_names()}


def describe(name: str) -> str:
    """The leading comment of the summary's SQL file: what the table holds."""
    lines = []
    for line in sql.load(f"summaries/{name}").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines) or name
