-- How many penguins have each value of each measurement, by species and sex
-- (missing sex as 'unknown'; missing values left out). The instruments'
-- precision (0.1 mm, 1 mm, 1 g) bounds the number of distinct values, so this
-- table stays small at any row count, and exact statistics (quantiles too) and
-- histograms are computed from it instead of from every row.
-- One pass: a grouping set per measurement (in each set the other three
-- measurements are not grouped, so they read as NULL and coalesce picks the one).
-- summarize.py keeps it as the temporary table `measurement_values`.
SELECT
    species,
    coalesce(sex, 'unknown') AS sex,
    CASE WHEN grouping(bill_length_mm) = 0 THEN 'bill_length_mm'
         WHEN grouping(bill_depth_mm) = 0 THEN 'bill_depth_mm'
         WHEN grouping(flipper_length_mm) = 0 THEN 'flipper_length_mm'
         ELSE 'body_mass_g' END                                              AS measurement,
    CAST(coalesce(bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g) AS DOUBLE) AS value,
    count(*)::BIGINT                                                         AS n
FROM penguins
GROUP BY GROUPING SETS (
    (species, sex, bill_length_mm), (species, sex, bill_depth_mm),
    (species, sex, flipper_length_mm), (species, sex, body_mass_g)
)
HAVING coalesce(bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g) IS NOT NULL
