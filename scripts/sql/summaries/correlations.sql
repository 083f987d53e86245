-- Pearson correlation of every pair of measurements, for all species pooled
-- ("All species") and within each species: the full matrix of each group, one
-- row per measurement (in the order of scripts/dataset.py) and a column per
-- measurement, so a page can draw it as it is. Computed from the sums in
-- `measurement_sums` over the groups where both measurements are present
-- (pairwise complete), added up in a fixed order (group_no).
WITH grouped AS (
    SELECT CASE WHEN grouping(species) = 1 THEN 'All species' ELSE species END AS "group", x, y,
           sum(n ORDER BY group_no) AS n,
           sum(sx ORDER BY group_no) AS sx, sum(sy ORDER BY group_no) AS sy,
           sum(sxx ORDER BY group_no) AS sxx, sum(syy ORDER BY group_no) AS syy,
           sum(sxy ORDER BY group_no) AS sxy
    FROM measurement_sums
    GROUP BY GROUPING SETS ((species, x, y), (x, y))
),
correlated AS (
    SELECT "group", x, y,
           CASE WHEN x = y THEN 1.0
                ELSE (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) END AS r
    FROM grouped WHERE n > 1
),
matrix AS (
    PIVOT correlated ON y USING max(r) GROUP BY "group", x
)
SELECT matrix."group", matrix.x AS measurement, COLUMNS(getvariable('measurements'))
FROM matrix JOIN measurements m ON m.name = matrix.x
ORDER BY matrix."group", m.position
