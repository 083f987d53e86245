-- One pass over the tidy rows for one measurement (the variable `measurement`,
-- a one-name list; summarize.py runs this once per measurement of
-- scripts/dataset.py and keeps the results as the temporary table
-- `measurement_passes`). It groups the rows by species, island, sex, year,
-- which measurements are present (has_<name>) and the value of this
-- measurement, and keeps each group's row count and the sum of every
-- measurement over it (with_<name>, over the rows where that one is present).
-- The instruments' precision (0.1 mm, 1 mm, 1 g) bounds the number of distinct
-- values, so this table stays small at any row count; the tables the summaries
-- read are computed from it (measurement_values.sql, measurement_sums.sql):
-- counts, exact quantiles, histograms, and the sums of squares and of the
-- pairwise products (the sum of x * y is the sum, over the values v of x, of
-- v times the sum of y), for every pair of measurements, with no per-pair SQL.
-- A pass per measurement costs more than the wide pass with a column per
-- product it replaced (summarize 3.3 -> 4.1 s at 20M rows, benchmarks/README.md),
-- but needs no SQL written for the measurements at hand: DuckDB builds no
-- grouping sets from COLUMNS(...), nor products of two different COLUMNS(...).
SELECT
    species, island, sex, year,
    COLUMNS(getvariable('measurements')) IS NOT NULL                  AS 'has_\0',
    getvariable('measurement')[1]                                     AS measurement,
    CAST(COLUMNS(getvariable('measurement')) AS DOUBLE)               AS value,
    count(*)::BIGINT                                                  AS n,
    sum(CAST(COLUMNS(getvariable('measurements')) AS DOUBLE))         AS 'with_\0'
FROM penguins
GROUP BY ALL
