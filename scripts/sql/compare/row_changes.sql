-- Every observation that is new, gone or changed since the last complete build:
-- the last build's tidy table (the view `previous_penguins`) against this one's
-- (`penguins`), matched on the observation key (study_name, species,
-- sample_number; unique in each, by the gate). Unchanged observations are left
-- out, so on a re-run with the same rows the table is empty.
-- A join of every row would build a hash table of every key (three times the
-- clean copy at 20M rows, spilling), so the rows are screened first: each table
-- is grouped by study and species (a few hundred thousand groups at most) with
-- a count and a sum of row hashes; only the groups whose count or sum differ
-- (a new season's study, a revised penguin's group) are joined row by row. A
-- revision could hide only if two different rows hashed to sums equal mod 2^64
-- and more: a chance of about 1 in 2^64 per group.
-- `revisions` lists, for a changed observation, each column whose value changed
-- with the old and the new value as text; `added` rows keep their values, so the
-- last build's model can be scored on them (compare.py).
-- compare.py keeps it as the temporary table `row_changes`.
WITH previous_groups AS (
    SELECT study_name, species, count(*) AS n,
           sum(hash(sample_number, island, bill_length_mm, bill_depth_mm, flipper_length_mm,
                    body_mass_g, sex, year)) AS fingerprint
    FROM previous_penguins GROUP BY study_name, species
),
current_groups AS (
    SELECT study_name, species, count(*) AS n,
           sum(hash(sample_number, island, bill_length_mm, bill_depth_mm, flipper_length_mm,
                    body_mass_g, sex, year)) AS fingerprint
    FROM penguins GROUP BY study_name, species
),
changed AS (
    SELECT study_name, species
    FROM previous_groups p FULL OUTER JOIN current_groups c USING (study_name, species)
    WHERE p.n IS DISTINCT FROM c.n OR p.fingerprint IS DISTINCT FROM c.fingerprint
),
p AS (SELECT * FROM previous_penguins SEMI JOIN changed USING (study_name, species)),
c AS (SELECT * FROM penguins SEMI JOIN changed USING (study_name, species))
SELECT
    coalesce(c.species, p.species)             AS species,
    coalesce(c.island, p.island)               AS island,
    coalesce(c.year, p.year)                   AS year,
    coalesce(c.study_name, p.study_name)       AS study_name,
    coalesce(c.sample_number, p.sample_number) AS sample_number,
    CASE WHEN p.sample_number IS NULL THEN 'added'
         WHEN c.sample_number IS NULL THEN 'removed'
         ELSE 'revised' END                    AS change,
    list_filter([
        CASE WHEN p.island IS DISTINCT FROM c.island
             THEN {'column': 'island', 'old': CAST(p.island AS VARCHAR), 'new': CAST(c.island AS VARCHAR)} END,
        CASE WHEN p.bill_length_mm IS DISTINCT FROM c.bill_length_mm
             THEN {'column': 'bill_length_mm', 'old': CAST(p.bill_length_mm AS VARCHAR), 'new': CAST(c.bill_length_mm AS VARCHAR)} END,
        CASE WHEN p.bill_depth_mm IS DISTINCT FROM c.bill_depth_mm
             THEN {'column': 'bill_depth_mm', 'old': CAST(p.bill_depth_mm AS VARCHAR), 'new': CAST(c.bill_depth_mm AS VARCHAR)} END,
        CASE WHEN p.flipper_length_mm IS DISTINCT FROM c.flipper_length_mm
             THEN {'column': 'flipper_length_mm', 'old': CAST(p.flipper_length_mm AS VARCHAR), 'new': CAST(c.flipper_length_mm AS VARCHAR)} END,
        CASE WHEN p.body_mass_g IS DISTINCT FROM c.body_mass_g
             THEN {'column': 'body_mass_g', 'old': CAST(p.body_mass_g AS VARCHAR), 'new': CAST(c.body_mass_g AS VARCHAR)} END,
        CASE WHEN p.sex IS DISTINCT FROM c.sex
             THEN {'column': 'sex', 'old': CAST(p.sex AS VARCHAR), 'new': CAST(c.sex AS VARCHAR)} END,
        CASE WHEN p.year IS DISTINCT FROM c.year
             THEN {'column': 'year', 'old': CAST(p.year AS VARCHAR), 'new': CAST(c.year AS VARCHAR)} END
    ], r -> r IS NOT NULL)                     AS revisions,
    c.sex, c.bill_length_mm, c.bill_depth_mm, c.flipper_length_mm, c.body_mass_g
FROM p
FULL OUTER JOIN c
  ON p.study_name = c.study_name AND p.species = c.species AND p.sample_number = c.sample_number
WHERE p.sample_number IS NULL
   OR c.sample_number IS NULL
   OR p.island IS DISTINCT FROM c.island
   OR p.bill_length_mm IS DISTINCT FROM c.bill_length_mm
   OR p.bill_depth_mm IS DISTINCT FROM c.bill_depth_mm
   OR p.flipper_length_mm IS DISTINCT FROM c.flipper_length_mm
   OR p.body_mass_g IS DISTINCT FROM c.body_mass_g
   OR p.sex IS DISTINCT FROM c.sex
   OR p.year IS DISTINCT FROM c.year
