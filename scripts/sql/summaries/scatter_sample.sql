-- A bounded stratified sample of rows for scatter plots: at most
-- `scatter_per_stratum` (250, scripts/dataset.py) penguins from each species x
-- island x sex stratum (so at most 27 x 250 rows whatever the raw size), the
-- ones with the smallest hash of the row, so the same data
-- gives the same sample. Strata smaller than the cap are taken whole.
-- Picked from `sample_candidates`, which holds every row that can be among the
-- smallest hashes of its stratum (and the hash, `row_hash`);
-- min_by(row, hash, cap) keeps only that many rows per stratum while it scans: no sort.
WITH picked AS (
    SELECT species, island, sex,
           min_by(
               struct_pack(year, *COLUMNS(getvariable('measurements'))),
               row_hash,
               getvariable('scatter_per_stratum')
           ) AS picks
    FROM sample_candidates
    GROUP BY species, island, sex
),
rows AS (
    SELECT species, island, sex, unnest(picks) AS p, generate_subscripts(picks, 1) AS pick
    FROM picked
)
SELECT species, island, sex, unnest(p)
FROM rows
ORDER BY species, island, sex, pick
