-- Pearson correlation of every pair of measurements, for all species pooled
-- ("All species") and within each species: the full 4 x 4 matrix of each
-- group, one row per measurement, so a page can draw it as it is. Computed from
-- the sums in `measurement_sums` over the groups where both measurements are
-- present (pairwise complete), added up in a fixed order (group_no).
WITH names(measurement, position, letter) AS (
    -- the letter each measurement's sums carry in `measurement_sums`
    VALUES ('bill_length_mm', 1, 'a'), ('bill_depth_mm', 2, 'b'),
           ('flipper_length_mm', 3, 'c'), ('body_mass_g', 4, 'd')
),
pairs AS (
    SELECT x.measurement AS x, y.measurement AS y, x.letter AS i, y.letter AS j
    FROM names x JOIN names y ON x.position < y.position
),
sums AS (
    -- each group's sums keyed by letter, so that a pair can pick its own
    SELECT species, group_no, n,
           MAP {'a': has_a, 'b': has_b, 'c': has_c, 'd': has_d} AS present,
           MAP {'a': sa, 'b': sb, 'c': sc, 'd': sd} AS s,
           MAP {'aa': saa, 'bb': sbb, 'cc': scc, 'dd': sdd,
                'ab': sab, 'ac': sac, 'ad': sad, 'bc': sbc, 'bd': sbd, 'cd': scd} AS ss
    FROM measurement_sums
),
grouped AS (
    SELECT CASE WHEN grouping(species) = 1 THEN 'All species' ELSE species END AS "group", x, y,
           sum(n ORDER BY group_no) AS n,
           sum(s[i] ORDER BY group_no) AS sx, sum(s[j] ORDER BY group_no) AS sy,
           sum(ss[i || i] ORDER BY group_no) AS sxx, sum(ss[j || j] ORDER BY group_no) AS syy,
           sum(ss[i || j] ORDER BY group_no) AS sxy
    FROM sums JOIN pairs ON present[i] AND present[j]
    GROUP BY GROUPING SETS ((species, x, y), (x, y))
),
correlated AS (
    SELECT "group", x, y,
           (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) AS r
    FROM grouped WHERE n > 1
),
matrix AS (
    SELECT "group", x, y, r FROM correlated
    UNION ALL SELECT "group", y, x, r FROM correlated
    UNION ALL SELECT DISTINCT "group", measurement, measurement, 1.0 FROM correlated CROSS JOIN names
)
SELECT m."group", m.x AS measurement,
       max(m.r) FILTER (WHERE m.y = 'bill_length_mm')    AS bill_length_mm,
       max(m.r) FILTER (WHERE m.y = 'bill_depth_mm')     AS bill_depth_mm,
       max(m.r) FILTER (WHERE m.y = 'flipper_length_mm') AS flipper_length_mm,
       max(m.r) FILTER (WHERE m.y = 'body_mass_g')       AS body_mass_g
FROM matrix m JOIN names n ON n.measurement = m.x
GROUP BY m."group", m.x, n.position
ORDER BY m."group", n.position
