-- Least-squares lines of bill depth on bill length, for all species pooled
-- ("All species") and within each species: the pooled slope is negative, each
-- species' slope is positive (Simpson's paradox). Pages draw these lines.
-- Computed from the sums in `measurement_sums` over the groups with both
-- lengths (values there are shifted by shift_a / shift_b; slopes and r do not
-- change with a shift), added up in a fixed order (group_no).
-- x_min and x_max, the bill lengths the page draws a line between, are the
-- shortest and longest bill measured in the group (from `measurement_values`).
WITH lengths AS (
    SELECT * FROM measurement_sums WHERE has_a AND has_b
),
grouped AS (
    SELECT species AS "group", any_value(shift_a) AS shift_x, any_value(shift_b) AS shift_y,
           sum(n ORDER BY group_no) AS n, sum(sa ORDER BY group_no) AS sx, sum(sb ORDER BY group_no) AS sy,
           sum(saa ORDER BY group_no) AS sxx, sum(sbb ORDER BY group_no) AS syy, sum(sab ORDER BY group_no) AS sxy
    FROM lengths GROUP BY species
    UNION ALL
    SELECT 'All species', any_value(shift_a), any_value(shift_b),
           sum(n ORDER BY group_no), sum(sa ORDER BY group_no), sum(sb ORDER BY group_no),
           sum(saa ORDER BY group_no), sum(sbb ORDER BY group_no), sum(sab ORDER BY group_no)
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
