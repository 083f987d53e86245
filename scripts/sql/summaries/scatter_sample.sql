-- A bounded stratified sample of rows for scatter plots: at most 250 penguins
-- from each species x island x sex stratum (so at most 27 x 250 rows whatever
-- the raw size), the 250 with the smallest hash of the row, so the same data
-- gives the same sample. Strata smaller than the cap are taken whole.
-- Picked from `sample_candidates`, which holds every row that can be among the
-- 250 smallest hashes of its stratum (and the hash, `row_hash`);
-- min_by(row, hash, 250) keeps only 250 rows per stratum while it scans: no sort.
WITH picked AS (
    SELECT species, island, sex,
           min_by(
               struct_pack(year, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g),
               row_hash,
               250
           ) AS picks
    FROM sample_candidates
    GROUP BY species, island, sex
),
rows AS (
    SELECT species, island, sex, unnest(picks) AS p, generate_subscripts(picks, 1) AS pick
    FROM picked
)
SELECT species, island, sex, p.year,
       p.bill_length_mm, p.bill_depth_mm, p.flipper_length_mm, p.body_mass_g
FROM rows
ORDER BY species, island, sex, pick
