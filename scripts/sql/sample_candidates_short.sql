-- The sample strata with fewer candidates below their own hash cutoff than
-- their sample may need: min(candidates_per_stratum, the stratum's size). Only
-- the rows below a stratum's own cutoff are sure to be a prefix of it in hash
-- order (a training stratum spans islands whose scatter cutoffs differ), so
-- only those count. Empty unless the cutoffs were unlucky beyond 8 standard
-- deviations.
SELECT s.sample, s.species, s.island, s.sex, s.rows, count(c.row_hash) AS candidates
FROM sample_strata s
LEFT JOIN sample_candidates c
       ON c.species = s.species AND c.sex IS NOT DISTINCT FROM s.sex
      AND (s.sample = 'training' OR c.island = s.island)
      AND (s.sample = 'scatter' OR c.complete)
      AND (s.share >= 1 OR CAST(c.row_hash AS DOUBLE) < s.share * getvariable('hash_range'))
GROUP BY s.sample, s.species, s.island, s.sex, s.rows
HAVING count(c.row_hash) < least(s.rows, getvariable('candidates_per_stratum'))
