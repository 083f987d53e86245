-- Mean and spread of each measurement by species and year, to show change over time.
WITH long AS (
    UNPIVOT (
        SELECT species, year, bill_length_mm, bill_depth_mm,
               CAST(flipper_length_mm AS DOUBLE) AS flipper_length_mm,
               CAST(body_mass_g AS DOUBLE)       AS body_mass_g
        FROM penguins
    )
    ON bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g
    INTO NAME measurement VALUE value
)
SELECT species, year, measurement,
       count(value)::BIGINT AS n, avg(value) AS mean, stddev_samp(value) AS sd
FROM long
GROUP BY ALL
ORDER BY measurement, species, year
