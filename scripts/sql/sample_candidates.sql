-- The rows either sample could pick, found in one pass so that neither sample
-- has to rank every row. Both samples keep, in each stratum, the rows with the
-- smallest hash of the row (`row_hash`, added by the view `hashed_penguins`:
-- summarize.py, row_hash_sql; see `sample_strata` for the strata).
-- Each stratum lets through the rows whose hash is below its share of all
-- hashes (`sample_strata`): a prefix of the stratum in hash order, so the rows
-- with the smallest hashes are always among them. A row passes if it is below
-- the cutoff of its scatter or of its training stratum. summarize.py checks
-- that every stratum has at least min(candidates_per_stratum, its size)
-- candidates below its own cutoff (`sample_candidates_short.sql`) and otherwise
-- sets every_row_a_candidate and runs this again.
-- summarize.py keeps it as the temporary table `sample_candidates`.
WITH cutoffs AS (
    SELECT s.species, s.island, s.sex, greatest(s.share, t.share) AS share
    FROM sample_strata s
    LEFT JOIN sample_strata t ON t.sample = 'training' AND t.species = s.species AND t.sex = s.sex
    WHERE s.sample = 'scatter'
),
hashed AS (
    SELECT * FROM hashed_penguins WHERE bill_length_mm IS NOT NULL
),
passed AS (
    -- the largest cutoff first (`max_cutoff`, set by summarize.py from `sample_strata`:
    -- above every hash when a share is 1 or more or every row is a candidate), on the
    -- hash's high half alone: row_hash < c needs row_hash_high < c / unit + 1. A filter
    -- of constants, so it runs before the low half is computed; the join below makes
    -- the exact cut, on the few rows that pass
    SELECT * FROM hashed
    WHERE CAST(row_hash_high AS DOUBLE) < getvariable('max_cutoff') / getvariable('hash_high_unit') + 1
)
SELECT h.*
FROM passed h
JOIN cutoffs c ON c.species = h.species AND c.island = h.island AND c.sex IS NOT DISTINCT FROM h.sex
WHERE getvariable('every_row_a_candidate')
   OR c.share >= 1
   OR CAST(h.row_hash AS DOUBLE) < c.share * getvariable('hash_range')
