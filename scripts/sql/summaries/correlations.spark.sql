-- The Spark SQL form of correlations.sql (the definition): Spark's PIVOT takes
-- the pivoted values as a list, where DuckDB's finds them in the data. The rest
-- is the same query; tests/test_spark.py fails if the two forms disagree.
-- getvariable('measurements_by_name') lists the measurements of scripts/dataset.py
-- in name order, the order of the columns DuckDB's PIVOT makes (scripts/engines/spark.py
-- writes the list out). Spark adds the sums up in any order (no ordered sum).
WITH grouped AS (
    SELECT CASE WHEN grouping(species) = 1 THEN 'All species' ELSE species END AS `group`, x, y,
           sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy, sum(sxx) AS sxx, sum(syy) AS syy, sum(sxy) AS sxy
    FROM measurement_sums
    GROUP BY GROUPING SETS ((species, x, y), (x, y))
),
correlated AS (
    SELECT `group`, x, y,
           CASE WHEN x = y THEN 1.0
                ELSE (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)) END AS r
    FROM grouped WHERE n > 1
),
matrix AS (
    SELECT * FROM correlated PIVOT (max(r) FOR y IN (getvariable('measurements_by_name')))
)
SELECT matrix.`group`, matrix.x AS measurement, matrix.* EXCEPT (`group`, x)
FROM matrix JOIN measurements m ON m.name = matrix.x
ORDER BY matrix.`group`, m.position
