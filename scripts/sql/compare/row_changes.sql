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
-- The cost does not depend on how much changed: a row carries no text per value.
-- Each side keeps one hash per compared column (the variable `compared_columns`:
-- island, the measurements of scripts/dataset.py, sex and year), and
-- `revised_positions` lists the positions (1-based, in that list) of the
-- columns whose hash differs. The old and new values of a few revised
-- observations are read afterwards, by key (compare.py, `revision_values.sql`).
-- `added` rows keep their values, so the last build's model can be scored on
-- them and the added data compared with the published (compare.py).
-- compare.py keeps it as the temporary table `row_changes`.
WITH previous_groups AS (
    SELECT study_name, species, count(*) AS n,
           sum(hash(sample_number, *COLUMNS(getvariable('compared_columns')))) AS fingerprint
    FROM previous_penguins GROUP BY study_name, species
),
current_groups AS (
    SELECT study_name, species, count(*) AS n,
           sum(hash(sample_number, *COLUMNS(getvariable('compared_columns')))) AS fingerprint
    FROM penguins GROUP BY study_name, species
),
changed AS (
    SELECT study_name, species
    FROM previous_groups p FULL OUTER JOIN current_groups c USING (study_name, species)
    WHERE p.n IS DISTINCT FROM c.n OR p.fingerprint IS DISTINCT FROM c.fingerprint
),
p_hashed AS (
    -- island and year are compared columns too: their own values go by another name
    SELECT study_name, species, sample_number, island AS group_island, year AS group_year,
           hash(COLUMNS(getvariable('compared_columns')))
    FROM previous_penguins SEMI JOIN changed USING (study_name, species)
),
c_hashed AS (
    SELECT study_name, species, sample_number, island AS group_island, year AS group_year,
           hash(COLUMNS(getvariable('compared_columns')))
    FROM penguins SEMI JOIN changed USING (study_name, species)
),
p AS (
    SELECT study_name, species, sample_number, group_island AS island, group_year AS year,
           list_value(*COLUMNS(getvariable('compared_columns'))) AS hashes
    FROM p_hashed
),
c AS (
    SELECT study_name, species, sample_number, group_island AS island, group_year AS year,
           list_value(*COLUMNS(getvariable('compared_columns'))) AS hashes
    FROM c_hashed
),
paired AS (
    SELECT coalesce(c.study_name, p.study_name) AS study_name,
           coalesce(c.species, p.species) AS species,
           coalesce(c.sample_number, p.sample_number) AS sample_number,
           coalesce(c.island, p.island) AS island,
           coalesce(c.year, p.year) AS year,
           CASE WHEN p.sample_number IS NULL THEN 'added'
                WHEN c.sample_number IS NULL THEN 'removed'
                ELSE 'revised' END AS change,
           CASE WHEN p.sample_number IS NOT NULL AND c.sample_number IS NOT NULL
                THEN list_filter(range(1, len(c.hashes) + 1), lambda i: c.hashes[i] <> p.hashes[i])
                ELSE [] END AS revised_positions
    FROM p
    FULL OUTER JOIN c
      ON p.study_name = c.study_name AND p.species = c.species AND p.sample_number = c.sample_number
),
kept AS (
    SELECT * FROM paired WHERE change <> 'revised' OR len(revised_positions) > 0
),
added_values AS (
    -- what an added observation holds (the last model is scored on it)
    SELECT study_name, species, sample_number, sex, COLUMNS(getvariable('measurements'))
    FROM penguins SEMI JOIN (SELECT study_name, species, sample_number FROM kept WHERE change = 'added')
        USING (study_name, species, sample_number)
)
SELECT kept.species, kept.island, kept.year, kept.study_name, kept.sample_number, kept.change,
       kept.revised_positions, added_values.sex, COLUMNS(getvariable('measurements'))
FROM kept
LEFT JOIN added_values USING (study_name, species, sample_number)
