-- Pearson correlation of every pair of measurements, for all species pooled
-- ("All species") and within each species: the full 4 x 4 matrix of each
-- group, one row per measurement, so a page can draw it as it is. Computed from
-- the pairwise sums in `measurement_pairs` (one pass over the rows); the pooled
-- sums are the species' sums added up.
WITH grouped AS (
    SELECT species AS "group", x, y, n, sx, sy, sxx, syy, sxy FROM measurement_pairs
    UNION ALL
    SELECT 'All species', x, y, sum(n ORDER BY species), sum(sx ORDER BY species), sum(sy ORDER BY species), sum(sxx ORDER BY species), sum(syy ORDER BY species), sum(sxy ORDER BY species)
    FROM measurement_pairs GROUP BY x, y
),
pairs AS (
    SELECT "group", x, y,
           (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) AS r
    FROM grouped WHERE n > 1
),
names(measurement, position) AS (
    VALUES ('bill_length_mm', 1), ('bill_depth_mm', 2), ('flipper_length_mm', 3), ('body_mass_g', 4)
),
matrix AS (
    SELECT "group", x, y, r FROM pairs
    UNION ALL SELECT "group", y, x, r FROM pairs
    UNION ALL SELECT DISTINCT "group", measurement, measurement, 1.0 FROM pairs CROSS JOIN names
)
SELECT m."group", m.x AS measurement,
       max(m.r) FILTER (WHERE m.y = 'bill_length_mm')    AS bill_length_mm,
       max(m.r) FILTER (WHERE m.y = 'bill_depth_mm')     AS bill_depth_mm,
       max(m.r) FILTER (WHERE m.y = 'flipper_length_mm') AS flipper_length_mm,
       max(m.r) FILTER (WHERE m.y = 'body_mass_g')       AS body_mass_g
FROM matrix m JOIN names n ON n.measurement = m.x
GROUP BY m."group", m.x, n.position
ORDER BY m."group", n.position
