-- Pearson correlation of every pair of measurements, for all species pooled
-- ("All species") and within each species: the full 4 x 4 matrix of each
-- group, one row per measurement, so a page can draw it as it is.
WITH wide AS (
    SELECT species, bill_length_mm AS a, bill_depth_mm AS b,
           CAST(flipper_length_mm AS DOUBLE) AS c, CAST(body_mass_g AS DOUBLE) AS d
    FROM penguins
),
pairs AS (
    SELECT
        CASE WHEN grouping(species) = 1 THEN 'All species' ELSE species END AS "group",
        corr(a, b) AS ab, count(a + b)::BIGINT AS n_ab,
        corr(a, c) AS ac, count(a + c)::BIGINT AS n_ac,
        corr(a, d) AS ad, count(a + d)::BIGINT AS n_ad,
        corr(b, c) AS bc, count(b + c)::BIGINT AS n_bc,
        corr(b, d) AS bd, count(b + d)::BIGINT AS n_bd,
        corr(c, d) AS cd, count(c + d)::BIGINT AS n_cd,
        count(a)::BIGINT AS n_a, count(b)::BIGINT AS n_b,
        count(c)::BIGINT AS n_c, count(d)::BIGINT AS n_d
    FROM wide
    GROUP BY GROUPING SETS ((species), ())
),
names(key, name) AS (
    VALUES ('a', 'bill_length_mm'), ('b', 'bill_depth_mm'),
           ('c', 'flipper_length_mm'), ('d', 'body_mass_g')
),
long("group", x, y, r, n) AS (
    SELECT "group", 'a', 'b', ab, n_ab FROM pairs UNION ALL
    SELECT "group", 'a', 'c', ac, n_ac FROM pairs UNION ALL
    SELECT "group", 'a', 'd', ad, n_ad FROM pairs UNION ALL
    SELECT "group", 'b', 'c', bc, n_bc FROM pairs UNION ALL
    SELECT "group", 'b', 'd', bd, n_bd FROM pairs UNION ALL
    SELECT "group", 'c', 'd', cd, n_cd FROM pairs
),
matrix AS (
    SELECT "group", x, y, r, n FROM long
    UNION ALL SELECT "group", y, x, r, n FROM long
    UNION ALL SELECT "group", 'a', 'a', 1.0, n_a FROM pairs
    UNION ALL SELECT "group", 'b', 'b', 1.0, n_b FROM pairs
    UNION ALL SELECT "group", 'c', 'c', 1.0, n_c FROM pairs
    UNION ALL SELECT "group", 'd', 'd', 1.0, n_d FROM pairs
)
SELECT m."group", nx.name AS measurement,
       max(m.r) FILTER (WHERE ny.name = 'bill_length_mm')    AS bill_length_mm,
       max(m.r) FILTER (WHERE ny.name = 'bill_depth_mm')     AS bill_depth_mm,
       max(m.r) FILTER (WHERE ny.name = 'flipper_length_mm') AS flipper_length_mm,
       max(m.r) FILTER (WHERE ny.name = 'body_mass_g')       AS body_mass_g
FROM matrix m
JOIN names nx ON nx.key = m.x
JOIN names ny ON ny.key = m.y
GROUP BY m."group", m.x, nx.name
ORDER BY m."group", m.x
