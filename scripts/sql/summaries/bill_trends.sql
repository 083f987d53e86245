-- Least-squares lines of bill depth on bill length, for all species pooled
-- ("All species") and within each species: the pooled slope is negative, each
-- species' slope is positive (Simpson's paradox). Pages draw these lines.
-- Computed from the sums in `measurement_sums` over the groups with both
-- lengths (values there are shifted by shift_x / shift_y; slopes and r do not
-- change with a shift), added up in a fixed order (group_no).
-- x_min and x_max, the bill lengths the page draws a line between, are the
-- shortest and longest bill measured in the group (from `measurement_values`).
WITH lengths AS (
    SELECT * FROM measurement_sums WHERE x = 'bill_length_mm' AND y = 'bill_depth_mm'
),
grouped AS (
    SELECT species AS "group", any_value(shift_x) AS shift_x, any_value(shift_y) AS shift_y,
           sum(n ORDER BY group_no) AS n, sum(sx ORDER BY group_no) AS sx, sum(sy ORDER BY group_no) AS sy,
           sum(sxx ORDER BY group_no) AS sxx, sum(syy ORDER BY group_no) AS syy, sum(sxy ORDER BY group_no) AS sxy
    FROM lengths GROUP BY species
    UNION ALL
    SELECT 'All species', any_value(shift_x), any_value(shift_y),
           sum(n ORDER BY group_no), sum(sx ORDER BY group_no), sum(sy ORDER BY group_no),
           sum(sxx ORDER BY group_no), sum(syy ORDER BY group_no), sum(sxy ORDER BY group_no)
    FROM lengths
),
bills AS (
    SELECT species AS "group", min(value) AS x_min, max(value) AS x_max
    FROM measurement_values WHERE measurement = 'bill_length_mm' GROUP BY species
    UNION ALL
    SELECT 'All species', min(value), max(value)
    FROM measurement_values WHERE measurement = 'bill_length_mm'
),
fitted AS (
    SELECT "group", n, shift_x, shift_y, sx / n AS mx, sy / n AS my,
           (sxy - sx * sy / n) / (sxx - sx * sx / n) AS slope,
           (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) AS r
    FROM grouped WHERE n > 1
)
SELECT "group", slope,
       (my + shift_y) - slope * (mx + shift_x) AS intercept,
       r, n::BIGINT AS n,
       x_min, x_max
FROM fitted JOIN bills USING ("group")
ORDER BY "group"
