-- How many penguins have each value of each measurement, by species and sex
-- (missing sex as 'unknown'; missing values left out). The instruments'
-- precision (0.1 mm, 1 mm, 1 g) bounds the number of distinct values, so this
-- table stays small at any row count, and exact statistics (quantiles too) and
-- histograms are computed from it instead of from every row.
-- summarize.py keeps it as the temporary table `measurement_values`.
SELECT species, coalesce(sex, 'unknown') AS sex, 'bill_length_mm' AS measurement,
       bill_length_mm AS value, count(*)::BIGINT AS n
FROM penguins WHERE bill_length_mm IS NOT NULL GROUP BY ALL
UNION ALL
SELECT species, coalesce(sex, 'unknown'), 'bill_depth_mm',
       bill_depth_mm, count(*)::BIGINT
FROM penguins WHERE bill_depth_mm IS NOT NULL GROUP BY ALL
UNION ALL
SELECT species, coalesce(sex, 'unknown'), 'flipper_length_mm',
       CAST(flipper_length_mm AS DOUBLE), count(*)::BIGINT
FROM penguins WHERE flipper_length_mm IS NOT NULL GROUP BY ALL
UNION ALL
SELECT species, coalesce(sex, 'unknown'), 'body_mass_g',
       CAST(body_mass_g AS DOUBLE), count(*)::BIGINT
FROM penguins WHERE body_mass_g IS NOT NULL GROUP BY ALL
