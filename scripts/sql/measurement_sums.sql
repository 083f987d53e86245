-- Sums of the measurements, their squares and their pairwise products, by
-- species, year and which measurements are missing (a handful of groups, one
-- pass over the rows, plain sums). Means, spreads, correlations and
-- least-squares lines are computed exactly from these, for any grouping coarser
-- than species x year, by adding groups up; a pair uses only the groups where
-- both measurements are present (pairwise complete). This costs far less than
-- DuckDB's corr/regr/stddev aggregates over every row.
-- a = bill length, b = bill depth, c = flipper length, d = body mass; values are
-- shifted by a constant near their mean (the middle of the gate's plausible
-- range, kept in shift_a … shift_d) so the sums of squares stay small and the
-- variances keep their precision (the shifted-data algorithm).
-- summarize.py keeps it as the temporary table `measurement_sums`.
WITH shifted AS (
    SELECT species, year,
           CAST(bill_length_mm AS DOUBLE) - 47.5     AS a,
           CAST(bill_depth_mm AS DOUBLE) - 20.0      AS b,
           CAST(flipper_length_mm AS DOUBLE) - 200.0 AS c,
           CAST(body_mass_g AS DOUBLE) - 4500.0      AS d
    FROM penguins
)
SELECT species, year,
       a IS NOT NULL AS has_a, b IS NOT NULL AS has_b, c IS NOT NULL AS has_c, d IS NOT NULL AS has_d,
       47.5 AS shift_a, 20.0 AS shift_b, 200.0 AS shift_c, 4500.0 AS shift_d,
       count(*) AS n,
       sum(a) AS sa, sum(b) AS sb, sum(c) AS sc, sum(d) AS sd,
       sum(a * a) AS saa, sum(b * b) AS sbb, sum(c * c) AS scc, sum(d * d) AS sdd,
       sum(a * b) AS sab, sum(a * c) AS sac, sum(a * d) AS sad,
       sum(b * c) AS sbc, sum(b * d) AS sbd, sum(c * d) AS scd,
       min(a) AS min_a, max(a) AS max_a
FROM shifted
GROUP BY species, year, has_a, has_b, has_c, has_d
