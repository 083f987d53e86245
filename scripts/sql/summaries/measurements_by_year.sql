-- Mean and spread of each measurement by species and year, to show change over
-- time. Computed from the sums in `measurement_sums` (x = y: each measurement
-- over the rows where it is present; values there are shifted by a constant,
-- and the spread does not change with a shift), added up in a fixed order
-- (group_no).
WITH by_year AS (
    SELECT species, year, x AS measurement, any_value(shift_x) AS shift,
           sum(n ORDER BY group_no) AS n, sum(sx ORDER BY group_no) AS s,
           sum(sxx ORDER BY group_no) AS ss
    FROM measurement_sums
    WHERE x = y
    GROUP BY species, year, x
)
SELECT species, year, measurement, n::BIGINT AS n,
       s / n + shift AS mean,
       CASE WHEN n > 1 THEN sqrt(greatest(ss - s * s / n, 0) / (n - 1)) END AS sd
FROM by_year
ORDER BY measurement, species, year
