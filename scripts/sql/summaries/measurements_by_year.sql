-- Mean and spread of each measurement by species and year, to show change over time.
-- One pass over the rows computes all four measurements side by side; the small
-- result is then put one measurement per row.
WITH wide AS (
    SELECT species, year,
           count(bill_length_mm)::BIGINT AS n_a, avg(bill_length_mm) AS mean_a, stddev_samp(bill_length_mm) AS sd_a,
           count(bill_depth_mm)::BIGINT AS n_b, avg(bill_depth_mm) AS mean_b, stddev_samp(bill_depth_mm) AS sd_b,
           count(flipper_length_mm)::BIGINT AS n_c, avg(flipper_length_mm) AS mean_c,
           stddev_samp(flipper_length_mm) AS sd_c,
           count(body_mass_g)::BIGINT AS n_d, avg(body_mass_g) AS mean_d, stddev_samp(body_mass_g) AS sd_d
    FROM penguins
    GROUP BY species, year
)
SELECT species, year, measurement, n, mean, sd FROM (
    SELECT species, year, 'bill_length_mm' AS measurement, n_a AS n, mean_a AS mean, sd_a AS sd FROM wide
    UNION ALL SELECT species, year, 'bill_depth_mm', n_b, mean_b, sd_b FROM wide
    UNION ALL SELECT species, year, 'flipper_length_mm', n_c, mean_c, sd_c FROM wide
    UNION ALL SELECT species, year, 'body_mass_g', n_d, mean_d, sd_d FROM wide
)
WHERE n > 0
ORDER BY measurement, species, year
