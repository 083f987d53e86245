-- The strata of the two samples and how many rows each may pick from, added up
-- from the groups of `measurement_sums`: scatter_sample takes species x island x
-- sex (unknown sex included) among the penguins with a bill length,
-- training_sample takes species x sex among the penguins with sex and every
-- measurement (island is NULL there).
-- summarize.py keeps it as the temporary table `sample_strata`.
SELECT 'scatter' AS sample, species, island, sex,
       coalesce(sum(n) FILTER (WHERE has_a), 0) AS rows
FROM measurement_sums
GROUP BY species, island, sex
UNION ALL
SELECT 'training', species, NULL, sex,
       coalesce(sum(n) FILTER (WHERE has_a AND has_b AND has_c AND has_d), 0)
FROM measurement_sums
WHERE sex IS NOT NULL
GROUP BY species, sex
