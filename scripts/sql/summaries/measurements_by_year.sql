-- Mean and spread of each measurement by species and year, to show change over
-- time. Computed from the sums in `measurement_sums` (values there are shifted
-- by a constant; the spread does not change with a shift), added up in a fixed
-- order (group_no).
WITH names(measurement, letter) AS (
    -- the letter each measurement's sums carry in `measurement_sums`
    VALUES ('bill_length_mm', 'a'), ('bill_depth_mm', 'b'), ('flipper_length_mm', 'c'), ('body_mass_g', 'd')
),
sums AS (
    SELECT species, year, group_no, n,
           MAP {'a': has_a, 'b': has_b, 'c': has_c, 'd': has_d} AS present,
           MAP {'a': shift_a, 'b': shift_b, 'c': shift_c, 'd': shift_d} AS shift,
           MAP {'a': sa, 'b': sb, 'c': sc, 'd': sd} AS s,
           MAP {'a': saa, 'b': sbb, 'c': scc, 'd': sdd} AS ss
    FROM measurement_sums
),
by_year AS (
    SELECT species, year, measurement, any_value(shift[letter]) AS shift,
           sum(n ORDER BY group_no) AS n, sum(s[letter] ORDER BY group_no) AS s,
           sum(ss[letter] ORDER BY group_no) AS ss
    FROM sums JOIN names ON present[letter]
    GROUP BY species, year, measurement
)
SELECT species, year, measurement, n::BIGINT AS n,
       s / n + shift AS mean,
       CASE WHEN n > 1 THEN sqrt(greatest(ss - s * s / n, 0) / (n - 1)) END AS sd
FROM by_year
ORDER BY measurement, species, year
