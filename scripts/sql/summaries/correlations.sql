-- Pearson correlation of every pair of measurements, for all species pooled
-- ("All species") and within each species: the full 4 x 4 matrix of each
-- group, one row per measurement, so a page can draw it as it is. Computed from
-- the sums in `measurement_sums` over the groups where both measurements are
-- present; sums run in a fixed order, so the same data gives the same bits.
WITH grouped AS (
    SELECT species AS "group", 'bill_length_mm' AS x, 'bill_depth_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sb ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(sbb ORDER BY group_no) AS syy, sum(sab ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_b GROUP BY species
    UNION ALL
    SELECT species AS "group", 'bill_length_mm' AS x, 'flipper_length_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sc ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(scc ORDER BY group_no) AS syy, sum(sac ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_c GROUP BY species
    UNION ALL
    SELECT species AS "group", 'bill_length_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(sad ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_d GROUP BY species
    UNION ALL
    SELECT species AS "group", 'bill_depth_mm' AS x, 'flipper_length_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sb ORDER BY group_no) AS sx, sum(sc ORDER BY group_no) AS sy, sum(sbb ORDER BY group_no) AS sxx,
           sum(scc ORDER BY group_no) AS syy, sum(sbc ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_b AND has_c GROUP BY species
    UNION ALL
    SELECT species AS "group", 'bill_depth_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sb ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(sbb ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(sbd ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_b AND has_d GROUP BY species
    UNION ALL
    SELECT species AS "group", 'flipper_length_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sc ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(scc ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(scd ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_c AND has_d GROUP BY species
    UNION ALL
    SELECT 'All species', 'bill_length_mm' AS x, 'bill_depth_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sb ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(sbb ORDER BY group_no) AS syy, sum(sab ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_b
    UNION ALL
    SELECT 'All species', 'bill_length_mm' AS x, 'flipper_length_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sc ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(scc ORDER BY group_no) AS syy, sum(sac ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_c
    UNION ALL
    SELECT 'All species', 'bill_length_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sa ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(saa ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(sad ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_a AND has_d
    UNION ALL
    SELECT 'All species', 'bill_depth_mm' AS x, 'flipper_length_mm' AS y, sum(n ORDER BY group_no) AS n,
           sum(sb ORDER BY group_no) AS sx, sum(sc ORDER BY group_no) AS sy, sum(sbb ORDER BY group_no) AS sxx,
           sum(scc ORDER BY group_no) AS syy, sum(sbc ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_b AND has_c
    UNION ALL
    SELECT 'All species', 'bill_depth_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sb ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(sbb ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(sbd ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_b AND has_d
    UNION ALL
    SELECT 'All species', 'flipper_length_mm' AS x, 'body_mass_g' AS y, sum(n ORDER BY group_no) AS n,
           sum(sc ORDER BY group_no) AS sx, sum(sd ORDER BY group_no) AS sy, sum(scc ORDER BY group_no) AS sxx,
           sum(sdd ORDER BY group_no) AS syy, sum(scd ORDER BY group_no) AS sxy
    FROM measurement_sums WHERE has_c AND has_d
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
