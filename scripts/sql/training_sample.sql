-- The rows the model learns from: penguins with sex and every measurement,
-- at most `training_per_stratum` (2,000, scripts/dataset.py) from each species x sex stratum (a bounded, stratified sample
-- whatever the raw size): the 2,000 with the smallest hash of the row, so the
-- same data always gives the same sample. Strata smaller than the cap are taken
-- whole. Picked from `sample_candidates` (made by summarize.py), which holds
-- every row that can be among the smallest hashes of its stratum, with the
-- hash (`row_hash`); min_by(row, hash, cap) keeps only that many rows per
-- stratum while it scans, so memory stays bounded and nothing is sorted.
WITH picked AS (
    SELECT species, sex,
           min_by(
               struct_pack(island, measured := struct_pack(*COLUMNS(getvariable('measurements')))),
               row_hash,
               getvariable('training_per_stratum')
           ) AS picks
    FROM sample_candidates
    WHERE sex IS NOT NULL AND COLUMNS(getvariable('measurements')) IS NOT NULL
    GROUP BY species, sex
),
rows AS (
    SELECT species, sex, unnest(picks) AS p, generate_subscripts(picks, 1) AS pick
    FROM picked
)
SELECT species, p.island, sex, unnest(p.measured)
FROM rows
ORDER BY species, sex, pick
