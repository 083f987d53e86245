-- The sample strata with fewer rows in `sample_candidates` than either sample
-- may need from them: min(candidates_per_stratum, the stratum's size). Empty
-- unless the hash cutoffs were unlucky beyond 8 standard deviations.
WITH scatter_need AS (
    SELECT species, island, sex, sum(n) FILTER (WHERE has_a) AS rows
    FROM measurement_sums GROUP BY species, island, sex
),
scatter_have AS (
    SELECT species, island, sex, count(*) AS candidates
    FROM sample_candidates GROUP BY species, island, sex
),
training_need AS (
    SELECT species, sex, sum(n) FILTER (WHERE has_a AND has_b AND has_c AND has_d) AS rows
    FROM measurement_sums WHERE sex IS NOT NULL GROUP BY species, sex
),
training_have AS (
    SELECT species, sex, count(*) AS candidates
    FROM sample_candidates
    WHERE sex IS NOT NULL AND bill_depth_mm IS NOT NULL
      AND flipper_length_mm IS NOT NULL AND body_mass_g IS NOT NULL
    GROUP BY species, sex
)
SELECT 'scatter' AS sample, n.species, n.island, n.sex, n.rows, coalesce(h.candidates, 0) AS candidates
FROM scatter_need n
LEFT JOIN scatter_have h ON h.species = n.species AND h.island = n.island AND h.sex IS NOT DISTINCT FROM n.sex
WHERE coalesce(h.candidates, 0) < least(n.rows, getvariable('candidates_per_stratum'))
UNION ALL
SELECT 'training', n.species, NULL, n.sex, n.rows, coalesce(h.candidates, 0)
FROM training_need n
LEFT JOIN training_have h ON h.species = n.species AND h.sex = n.sex
WHERE coalesce(h.candidates, 0) < least(n.rows, getvariable('candidates_per_stratum'))
