-- The sample strata with fewer rows in `sample_candidates` than their sample
-- may need from them: min(candidates_per_stratum, the stratum's size). Empty
-- unless the hash cutoffs were unlucky beyond 8 standard deviations.
WITH candidates AS (
    SELECT 'scatter' AS sample, species, island, sex, count(*) AS candidates
    FROM sample_candidates
    GROUP BY species, island, sex
    UNION ALL
    SELECT 'training', species, NULL, sex, count(*)
    FROM sample_candidates
    WHERE sex IS NOT NULL AND bill_depth_mm IS NOT NULL
      AND flipper_length_mm IS NOT NULL AND body_mass_g IS NOT NULL
    GROUP BY species, sex
)
SELECT s.sample, s.species, s.island, s.sex, s.rows, coalesce(c.candidates, 0) AS candidates
FROM sample_strata s
LEFT JOIN candidates c
       ON c.sample = s.sample AND c.species = s.species
      AND c.island IS NOT DISTINCT FROM s.island AND c.sex IS NOT DISTINCT FROM s.sex
WHERE coalesce(c.candidates, 0) < least(s.rows, getvariable('candidates_per_stratum'))
