-- How many penguins have each value of each measurement, by species and sex
-- (missing sex as 'unknown'; missing values left out), added up from
-- `measurement_passes`. Exact statistics (quantiles too) and histograms are
-- computed from it instead of from every row.
-- summarize.py keeps it as the temporary table `measurement_values`.
SELECT species, coalesce(sex, 'unknown') AS sex, measurement, value, sum(n)::BIGINT AS n
FROM measurement_passes
WHERE value IS NOT NULL
GROUP BY ALL
