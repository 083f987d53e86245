-- Counts and sums of the measurements, their squares and their pairwise
-- products, by species, island, sex, year and which measurements are missing
-- (a few hundred groups at most, one pass over the rows, plain sums). Counts by
-- species, island and year, missing values, the overview, and the sizes of the
-- sample strata add these groups up; means, spreads, correlations and
-- least-squares lines are computed exactly from the sums, for any grouping of
-- these keys; a pair uses only the groups where both measurements are present
-- (pairwise complete). This costs far less than a pass per table or DuckDB's
-- corr/regr/stddev aggregates over every row.
-- a = bill length, b = bill depth, c = flipper length, d = body mass; values are
-- shifted by a constant near their mean (the middle of the gate's plausible
-- range, kept in shift_a … shift_d) so the sums of squares stay small and the
-- variances keep their precision (the shifted-data algorithm).
-- group_no numbers the groups in key order: summaries add groups up in that
-- order (sum(x ORDER BY group_no)), never in the order a hash table returns them.
-- (Within a group, DuckDB adds rows up in parallel, so on big data a rebuild can
-- differ in the last bits.)
-- summarize.py keeps it as the temporary table `measurement_sums`.
WITH shifted AS (
    SELECT species, island, sex, year,
           CAST(bill_length_mm AS DOUBLE) - 47.5     AS a,
           CAST(bill_depth_mm AS DOUBLE) - 20.0      AS b,
           CAST(flipper_length_mm AS DOUBLE) - 200.0 AS c,
           CAST(body_mass_g AS DOUBLE) - 4500.0      AS d
    FROM penguins
),
sums AS (
    SELECT species, island, sex, year,
           a IS NOT NULL AS has_a, b IS NOT NULL AS has_b, c IS NOT NULL AS has_c, d IS NOT NULL AS has_d,
           count(*) AS n,
           sum(a) AS sa, sum(b) AS sb, sum(c) AS sc, sum(d) AS sd,
           sum(a * a) AS saa, sum(b * b) AS sbb, sum(c * c) AS scc, sum(d * d) AS sdd,
           sum(a * b) AS sab, sum(a * c) AS sac, sum(a * d) AS sad,
           sum(b * c) AS sbc, sum(b * d) AS sbd, sum(c * d) AS scd
    FROM shifted
    GROUP BY species, island, sex, year, has_a, has_b, has_c, has_d
)
SELECT row_number() OVER (ORDER BY species, island, sex, year, has_a, has_b, has_c, has_d) AS group_no,
       *,
       47.5 AS shift_a, 20.0 AS shift_b, 200.0 AS shift_c, 4500.0 AS shift_d
FROM sums
