-- Sums of each pair of measurements, by species, over the penguins that have
-- both (pairwise complete): n, sum of x, of y, of x², of y², of x·y, and the
-- range of bill length. Every correlation and least-squares line is computed
-- from these exactly, for each species and (adding them up) for all species.
-- One pass over the rows groups them by species and by which measurements are
-- missing (a handful of groups), with plain sums: far cheaper than DuckDB's
-- corr/regr aggregates, and pairwise sums are then added up from the groups.
-- Values are shifted by a constant near their mean (the middle of the gate's
-- plausible range: x_shift, y_shift) so that sums of squares stay small and the
-- variances keep their precision (the shifted-data algorithm).
-- Sums over groups run in a fixed order, so the same data gives the same bits.
-- summarize.py keeps it as the temporary table `measurement_pairs`.
WITH shifted AS (
    SELECT species,
           CAST(bill_length_mm AS DOUBLE) - 47.5      AS a,
           CAST(bill_depth_mm AS DOUBLE) - 20.0       AS b,
           CAST(flipper_length_mm AS DOUBLE) - 200.0  AS c,
           CAST(body_mass_g AS DOUBLE) - 4500.0       AS d
    FROM penguins
),
patterns AS (
    SELECT species, a IS NULL AS no_a, b IS NULL AS no_b, c IS NULL AS no_c, d IS NULL AS no_d,
           count(*) AS n, sum(a) AS sa, sum(b) AS sb, sum(c) AS sc, sum(d) AS sd,
           sum(a * a) AS saa, sum(b * b) AS sbb, sum(c * c) AS scc, sum(d * d) AS sdd,
           sum(a * b) AS sab, sum(a * c) AS sac, sum(a * d) AS sad,
           sum(b * c) AS sbc, sum(b * d) AS sbd, sum(c * d) AS scd,
           min(a) AS amin, max(a) AS amax
    FROM shifted
    GROUP BY ALL
)
SELECT * FROM (
    SELECT species, 'bill_length_mm', 'bill_depth_mm', 47.5, 20.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sa ORDER BY no_a, no_b, no_c, no_d), sum(sb ORDER BY no_a, no_b, no_c, no_d), sum(saa ORDER BY no_a, no_b, no_c, no_d), sum(sbb ORDER BY no_a, no_b, no_c, no_d), sum(sab ORDER BY no_a, no_b, no_c, no_d), min(amin), max(amax)
    FROM patterns WHERE NOT no_a AND NOT no_b GROUP BY species
    UNION ALL
    SELECT species, 'bill_length_mm', 'flipper_length_mm', 47.5, 200.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sa ORDER BY no_a, no_b, no_c, no_d), sum(sc ORDER BY no_a, no_b, no_c, no_d), sum(saa ORDER BY no_a, no_b, no_c, no_d), sum(scc ORDER BY no_a, no_b, no_c, no_d), sum(sac ORDER BY no_a, no_b, no_c, no_d), min(amin), max(amax)
    FROM patterns WHERE NOT no_a AND NOT no_c GROUP BY species
    UNION ALL
    SELECT species, 'bill_length_mm', 'body_mass_g', 47.5, 4500.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sa ORDER BY no_a, no_b, no_c, no_d), sum(sd ORDER BY no_a, no_b, no_c, no_d), sum(saa ORDER BY no_a, no_b, no_c, no_d), sum(sdd ORDER BY no_a, no_b, no_c, no_d), sum(sad ORDER BY no_a, no_b, no_c, no_d), min(amin), max(amax)
    FROM patterns WHERE NOT no_a AND NOT no_d GROUP BY species
    UNION ALL
    SELECT species, 'bill_depth_mm', 'flipper_length_mm', 20.0, 200.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sb ORDER BY no_a, no_b, no_c, no_d), sum(sc ORDER BY no_a, no_b, no_c, no_d), sum(sbb ORDER BY no_a, no_b, no_c, no_d), sum(scc ORDER BY no_a, no_b, no_c, no_d), sum(sbc ORDER BY no_a, no_b, no_c, no_d), NULL::DOUBLE, NULL::DOUBLE
    FROM patterns WHERE NOT no_b AND NOT no_c GROUP BY species
    UNION ALL
    SELECT species, 'bill_depth_mm', 'body_mass_g', 20.0, 4500.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sb ORDER BY no_a, no_b, no_c, no_d), sum(sd ORDER BY no_a, no_b, no_c, no_d), sum(sbb ORDER BY no_a, no_b, no_c, no_d), sum(sdd ORDER BY no_a, no_b, no_c, no_d), sum(sbd ORDER BY no_a, no_b, no_c, no_d), NULL::DOUBLE, NULL::DOUBLE
    FROM patterns WHERE NOT no_b AND NOT no_d GROUP BY species
    UNION ALL
    SELECT species, 'flipper_length_mm', 'body_mass_g', 200.0, 4500.0,
           sum(n ORDER BY no_a, no_b, no_c, no_d), sum(sc ORDER BY no_a, no_b, no_c, no_d), sum(sd ORDER BY no_a, no_b, no_c, no_d), sum(scc ORDER BY no_a, no_b, no_c, no_d), sum(sdd ORDER BY no_a, no_b, no_c, no_d), sum(scd ORDER BY no_a, no_b, no_c, no_d), NULL::DOUBLE, NULL::DOUBLE
    FROM patterns WHERE NOT no_c AND NOT no_d GROUP BY species
) AS pairs(species, x, y, x_shift, y_shift, n, sx, sy, sxx, syy, sxy, x_min, x_max)
