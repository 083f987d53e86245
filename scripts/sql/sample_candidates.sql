-- The rows either sample could pick, found in one pass so that neither sample
-- has to rank every row. Both samples keep, in each stratum, the rows with the
-- smallest hash of the row (`row_hash`): scatter_sample 250 per species x
-- island x sex with a bill length, training_sample 2,000 per species x sex with
-- every measurement and sex. Here each species x island x sex stratum lets
-- through the rows whose hash lies below a cutoff set from the stratum sizes in
-- `measurement_sums`, so that about `target` rows (the variable candidates_per_stratum,
-- at least either sample's count per stratum) plus a margin of 8 standard deviations pass: a smaller stratum passes
-- whole. The rows that pass are a prefix of the stratum in hash order, so the
-- rows with the smallest hashes are always among them; summarize.py checks that
-- each stratum has at least min(target, its size) candidates and otherwise sets
-- the variable every_row_a_candidate and runs this again.
-- summarize.py keeps it as the temporary table `sample_candidates`.
WITH settings AS (
    SELECT getvariable('candidates_per_stratum') AS target
),
scatter_strata AS (
    SELECT species, island, sex, sum(n) FILTER (WHERE has_a) AS scatter_rows
    FROM measurement_sums GROUP BY species, island, sex
),
training_strata AS (
    SELECT species, sex, sum(n) FILTER (WHERE has_a AND has_b AND has_c AND has_d) AS training_rows
    FROM measurement_sums WHERE sex IS NOT NULL GROUP BY species, sex
),
cutoffs AS (
    SELECT s.species, s.island, s.sex,
           greatest(
               (target + 8 * sqrt(target) + 64) / nullif(s.scatter_rows, 0),
               (target + 8 * sqrt(target) + 64) / nullif(t.training_rows, 0)
           ) AS share
    FROM scatter_strata s
    LEFT JOIN training_strata t ON t.species = s.species AND t.sex = s.sex
    CROSS JOIN settings
),
hashed AS (
    SELECT *,
           hash(species, island, sex, year, bill_length_mm, bill_depth_mm,
                flipper_length_mm, body_mass_g) AS row_hash
    FROM penguins
    WHERE bill_length_mm IS NOT NULL
),
passed AS (
    -- the largest cutoff first: a cheap filter that lets few rows reach the join
    SELECT * FROM hashed
    WHERE getvariable('every_row_a_candidate')
       OR (SELECT max(share) FROM cutoffs) >= 1
       OR CAST(row_hash AS DOUBLE) < (SELECT max(share) FROM cutoffs) * 18446744073709551616.0
)
SELECT h.*
FROM passed h
JOIN cutoffs c ON c.species = h.species AND c.island = h.island AND c.sex IS NOT DISTINCT FROM h.sex
WHERE getvariable('every_row_a_candidate')
   OR c.share >= 1
   OR CAST(h.row_hash AS DOUBLE) < c.share * 18446744073709551616.0
