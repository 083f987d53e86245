-- Least-squares lines of bill depth on bill length, for all species pooled
-- ("All species") and within each species: the pooled slope is negative, each
-- species' slope is positive (Simpson's paradox). Pages draw these lines.
-- Computed from the pairwise sums in `measurement_pairs` (values there are
-- shifted by x_shift / y_shift; slopes and r do not change with a shift).
WITH pair AS (
    SELECT * FROM measurement_pairs WHERE x = 'bill_length_mm' AND y = 'bill_depth_mm'
),
grouped AS (
    SELECT species AS "group", x_shift, y_shift, n, sx, sy, sxx, syy, sxy, x_min, x_max FROM pair
    UNION ALL
    SELECT 'All species', any_value(x_shift), any_value(y_shift), sum(n ORDER BY species), sum(sx ORDER BY species), sum(sy ORDER BY species),
           sum(sxx ORDER BY species), sum(syy ORDER BY species), sum(sxy ORDER BY species), min(x_min), max(x_max)
    FROM pair
),
fitted AS (
    SELECT "group", n, x_shift, y_shift, x_min, x_max, sx / n AS mx, sy / n AS my,
           (sxy - sx * sy / n) / (sxx - sx * sx / n) AS slope,
           (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) AS r
    FROM grouped WHERE n > 1
)
SELECT "group", slope,
       (my + y_shift) - slope * (mx + x_shift) AS intercept,
       r, n::BIGINT AS n,
       x_min + x_shift AS x_min, x_max + x_shift AS x_max
FROM fitted
ORDER BY "group"
