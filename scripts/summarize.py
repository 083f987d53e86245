"""Summarize: the numbers the pages show, computed exactly by the engine (DuckDB or Spark: ``scripts/engines``).

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
from scripts.engines import Named
from scripts.progress import log
from scripts.sql import identifier, literal

SUMMARY_DIR = sql.SQL_DIR / "summaries"
# The small tables computed from the passes, in the order they need each other.
DERIVED = ("measurement_values", "measurement_groups", "measurement_sums", "sample_strata", "sample_candidates")


# The rows each sample picks are the ones with the smallest hash of the row. The
# hash is spelled in SQL that DuckDB and Spark run alike (they share no hash
# function), so both engines pick the same penguins: two universal hashes, each
# a weighted sum of the row's island, year and measurements modulo the prime
# 2^31 - 1 and mixed by a square (h * (h + 1)), joined as one number below 2^62. A measurement
# counts in thousandths of its unit from the low end of its plausible range, so a
# field stays below 2^31 and a weight below 2^24: no sum or product reaches 2^63,
# and no engine overflows.
HASH_PRIME = 2_147_483_647
HASH_SCALE = 1000
HASH_RANGE = 2**62  # row_hash is in [0, HASH_RANGE)
HASH_HIGH_UNIT = 2**31  # row_hash = row_hash_high * HASH_HIGH_UNIT + a low half below it
HASHED_VIEW = "hashed_penguins"


def _weights(seed: int, count: int) -> list[int]:
    """``count`` fixed weights in [1, 2^24), from a Lehmer generator (MINSTD).

    >>> _weights(1, 3)
    [48271, 14833634, 16326470]
    """
    values, value = [], seed
    for _ in range(count):
        value = value * 48271 % HASH_PRIME
        values.append(value % (1 << 24) or 1)
    return values


def row_hash_sql(relation: str = "penguins") -> str:
    """A query over ``relation`` that adds ``row_hash``, the same number on DuckDB and on Spark,
    its high half ``row_hash_high``, and ``complete``: whether every measurement is present
    (the training sample needs that).

    Generated from the description like ``clean.py``'s aliases: the fields are
    the island's place in ``dataset.ISLANDS``, the year, and each measurement of
    ``scripts/dataset.py`` in thousandths above its low bound, plus one (a
    missing value counts as 0). The gate has checked every value's range.
    """
    p = HASH_PRIME
    fields = [f"coalesce(array_position({literal(list(dataset.ISLANDS))}, island), 0)", "coalesce(year, 0)"]
    for m in dataset.MEASUREMENTS:
        if (m.high - m.low) * HASH_SCALE >= p:
            raise ValueError(f"{m.name}: a plausible range this wide ({m.low} to {m.high}) needs a smaller HASH_SCALE")
        if m.whole and float(m.low).is_integer():  # the same number, in integer arithmetic (cheaper)
            counted = f"(CAST({identifier(m.name)} AS BIGINT) - {int(m.low)}) * {HASH_SCALE}"
        else:  # floor(x + 0.5) rounds alike on both engines, and costs Spark far less than round
            counted = f"CAST(floor((CAST({identifier(m.name)} AS DOUBLE) - {m.low}) * {HASH_SCALE} + 0.5) AS BIGINT)"
        fields.append(f"coalesce({counted} + 1, 0)")
    names = [f"__f{i}" for i in range(len(fields))]
    complete = " AND ".join(f"{identifier(name)} IS NOT NULL" for name in dataset.measurement_names())

    def universal(seed: int) -> str:
        terms = [f"{f} * {w}" for f, w in zip(names, _weights(seed, len(names)), strict=True)]
        return f"({' + '.join(terms)}) % {p}"

    def mixed(h: str) -> str:
        return f"{h} * ({h} + 1) % {p}"

    with_fields = ", ".join(f"CAST({field} AS BIGINT) AS {name}" for field, name in zip(fields, names, strict=True))
    # The high half first, in a level of its own: a filter on it (sample_candidates.sql)
    # runs before the low half is computed, for the few rows that pass.
    return (
        f"SELECT * EXCLUDE (__h2, {', '.join(names)}), row_hash_high * {HASH_HIGH_UNIT} + {mixed('__h2')} AS row_hash "
        f"FROM (SELECT *, {universal(2)} AS __h2 FROM ("
        f"SELECT * EXCLUDE (__h1), {mixed('__h1')} AS row_hash_high FROM ("
        f"SELECT *, {universal(1)} AS __h1 FROM (SELECT *, {with_fields}, {complete} AS complete FROM {relation}))))"
    )


def summary_names() -> list[str]:
    """The summary tables, one per SQL file, in name order (a ``.spark.sql`` form is not another)."""
    return sorted(path.stem for path in SUMMARY_DIR.glob("*.sql") if "." not in path.stem)


def summarize(engine) -> dict:
    """Run every summary query on ``engine``; return ``{name: pandas.DataFrame}``.

    First keeps the small tables of ``prepare``, then runs each summary file.
    """
    prepare(engine)
    return {name: engine.frame(Named(f"summaries/{name}")) for name in summary_names()}


def prepare(engine) -> None:
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
    dataset.register(engine)
    caps = max(dataset.SCATTER_PER_STRATUM, dataset.TRAINING_PER_STRATUM)
    engine.set("candidates_per_stratum", caps)
    engine.set("every_row_a_candidate", False)
    engine.set("hash_range", float(HASH_RANGE))
    engine.set("hash_high_unit", float(HASH_HIGH_UNIT))
    engine.view(HASHED_VIEW, row_hash_sql())
    for number, name in enumerate(dataset.measurement_names()):
        engine.set("measurement", [name])
        engine.keep("measurement_passes", Named("measurement_passes"), append=number > 0)
    for shared in DERIVED:
        if shared == "sample_candidates":
            _set_max_cutoff(engine, every_row=False)
        engine.keep(shared, Named(shared))
    short = engine.rows(Named("sample_candidates_short"))
    if short:
        log.info("summarize %d sample strata got too few candidates: every row is a candidate", len(short))
        engine.set("every_row_a_candidate", True)
        _set_max_cutoff(engine, every_row=True)
        engine.keep("sample_candidates", Named("sample_candidates"))


def _set_max_cutoff(engine, *, every_row: bool) -> None:
    """The variable ``max_cutoff``: the hash below which a row may be a candidate of some
    stratum (the largest share of ``sample_strata`` times the hash's range), or a number
    above every hash when every row is a candidate. A constant, so the candidate pass
    filters on it before it computes the whole hash (``sample_candidates.sql``)."""
    ((share,),) = engine.rows("SELECT max(share) FROM sample_strata")
    everything = every_row or share is None or share >= 1
    engine.set("max_cutoff", 2.0 * HASH_RANGE if everything else float(share) * HASH_RANGE)
