-- Mean and spread of each measurement by species and year, to show change over
-- time. Computed from the sums in `measurement_sums` (values there are shifted
-- by a constant; the spread does not change with a shift).
WITH sums AS (
    SELECT species, year, 'bill_length_mm' AS measurement, any_value(shift_a) AS shift,
           sum(n ORDER BY group_no) AS n, sum(sa ORDER BY group_no) AS s, sum(saa ORDER BY group_no) AS ss
    FROM measurement_sums WHERE has_a GROUP BY species, year
    UNION ALL
    SELECT species, year, 'bill_depth_mm' AS measurement, any_value(shift_b) AS shift,
           sum(n ORDER BY group_no) AS n, sum(sb ORDER BY group_no) AS s, sum(sbb ORDER BY group_no) AS ss
    FROM measurement_sums WHERE has_b GROUP BY species, year
    UNION ALL
    SELECT species, year, 'flipper_length_mm' AS measurement, any_value(shift_c) AS shift,
           sum(n ORDER BY group_no) AS n, sum(sc ORDER BY group_no) AS s, sum(scc ORDER BY group_no) AS ss
    FROM measurement_sums WHERE has_c GROUP BY species, year
    UNION ALL
    SELECT species, year, 'body_mass_g' AS measurement, any_value(shift_d) AS shift,
           sum(n ORDER BY group_no) AS n, sum(sd ORDER BY group_no) AS s, sum(sdd ORDER BY group_no) AS ss
    FROM measurement_sums WHERE has_d GROUP BY species, year
)
SELECT species, year, measurement, n::BIGINT AS n,
       s / n + shift AS mean,
       CASE WHEN n > 1 THEN sqrt(greatest(ss - s * s / n, 0) / (n - 1)) END AS sd
FROM sums
ORDER BY measurement, species, year
