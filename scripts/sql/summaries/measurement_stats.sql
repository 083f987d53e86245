-- Statistics of each measurement by species and sex, and by species with both
-- sexes together (sex = 'all'). Missing sex is reported as 'unknown'; missing
-- measurements are left out of n. Quantiles are exact (quantile_cont).
WITH long AS (
    UNPIVOT (
        SELECT species, coalesce(sex, 'unknown') AS sex,
               bill_length_mm, bill_depth_mm,
               CAST(flipper_length_mm AS DOUBLE) AS flipper_length_mm,
               CAST(body_mass_g AS DOUBLE)       AS body_mass_g
        FROM penguins
    )
    ON bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g
    INTO NAME measurement VALUE value
)
SELECT
    species,
    CASE WHEN grouping(sex) = 1 THEN 'all' ELSE sex END AS sex,
    measurement,
    count(value)::BIGINT          AS n,
    avg(value)                    AS mean,
    stddev_samp(value)            AS sd,
    min(value)                    AS min,
    quantile_cont(value, 0.25)    AS q25,
    quantile_cont(value, 0.5)     AS median,
    quantile_cont(value, 0.75)    AS q75,
    max(value)                    AS max
FROM long
GROUP BY GROUPING SETS ((species, sex, measurement), (species, measurement))
ORDER BY measurement, species, sex
