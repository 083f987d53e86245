-- Least-squares lines of bill depth on bill length, for all species pooled
-- ("All species") and within each species: the pooled slope is negative, each
-- species' slope is positive (Simpson's paradox). Pages draw these lines.
SELECT
    CASE WHEN grouping(species) = 1 THEN 'All species' ELSE species END AS "group",
    regr_slope(bill_depth_mm, bill_length_mm)      AS slope,
    regr_intercept(bill_depth_mm, bill_length_mm)  AS intercept,
    corr(bill_depth_mm, bill_length_mm)            AS r,
    regr_count(bill_depth_mm, bill_length_mm)::BIGINT AS n,
    min(bill_length_mm) FILTER (WHERE bill_depth_mm IS NOT NULL) AS x_min,
    max(bill_length_mm) FILTER (WHERE bill_depth_mm IS NOT NULL) AS x_max
FROM penguins
GROUP BY GROUPING SETS ((species), ())
ORDER BY "group"
