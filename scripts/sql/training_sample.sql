-- The rows the model learns from: penguins with every feature and the target,
-- at most 2,000 from each species x sex stratum (a bounded, stratified sample
-- whatever the raw size): the 2,000 with the smallest hash of the row, so the
-- same data always gives the same sample. Strata smaller than the cap are taken
-- whole. Picked from `sample_candidates` (made by summarize.py), which holds
-- every row that can be among the 2,000 smallest hashes of its stratum, with
-- the hash (`row_hash`); min_by(row, hash, 2000) keeps only 2,000 rows per
-- stratum while it scans, so memory stays bounded and nothing is sorted.
WITH picked AS (
    SELECT species, sex,
           min_by(
               struct_pack(island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g),
               row_hash,
               2000
           ) AS picks
    FROM sample_candidates
    WHERE sex IS NOT NULL
      AND bill_length_mm IS NOT NULL AND bill_depth_mm IS NOT NULL
      AND flipper_length_mm IS NOT NULL AND body_mass_g IS NOT NULL
    GROUP BY species, sex
),
rows AS (
    SELECT species, sex, unnest(picks) AS p, generate_subscripts(picks, 1) AS pick
    FROM picked
)
SELECT species, p.island, sex, p.bill_length_mm, p.bill_depth_mm, p.flipper_length_mm, p.body_mass_g
FROM rows
ORDER BY species, sex, pick
