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
-- with the old and the new value as text (the compared columns are the
-- variable `compared_columns`: island, the measurements of scripts/dataset.py,
-- sex and year); `added` rows keep their values, so the last build's model can
-- be scored on them (compare.py).
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
p AS (SELECT * FROM previous_penguins SEMI JOIN changed USING (study_name, species)),
c AS (SELECT * FROM penguins SEMI JOIN changed USING (study_name, species)),
paired AS (
    -- each observation of the changed groups: added, removed, or in both builds
    SELECT coalesce(c.study_name, p.study_name) AS study_name,
           coalesce(c.species, p.species) AS species,
           coalesce(c.sample_number, p.sample_number) AS sample_number,
           coalesce(c.island, p.island) AS island,
           coalesce(c.year, p.year) AS year,
           CASE WHEN p.sample_number IS NULL THEN 'added'
                WHEN c.sample_number IS NULL THEN 'removed'
                ELSE 'revised' END AS change
    FROM p
    FULL OUTER JOIN c
      ON p.study_name = c.study_name AND p.species = c.species AND p.sample_number = c.sample_number
),
values_then_and_now AS (
    -- the compared columns of the changed groups, one row per observation and column, as text
    SELECT study_name, species, sample_number, "column",
           any_value(value) FILTER (WHERE side = 'old') AS old,
           any_value(value) FILTER (WHERE side = 'new') AS new
    FROM (
        SELECT 'old' AS side, study_name, species, sample_number,
               CAST(COLUMNS(getvariable('compared_columns')) AS VARCHAR) FROM p
        UNION ALL
        SELECT 'new', study_name, species, sample_number,
               CAST(COLUMNS(getvariable('compared_columns')) AS VARCHAR) FROM c
    ) UNPIVOT INCLUDE NULLS (value FOR "column" IN (COLUMNS(getvariable('compared_columns'))))
    GROUP BY study_name, species, sample_number, "column"
),
positions AS (
    SELECT unnest(getvariable('compared_columns')) AS "column",
           generate_subscripts(getvariable('compared_columns'), 1) AS position
),
revised AS (
    SELECT study_name, species, sample_number,
           list({'column': "column", 'old': old, 'new': new} ORDER BY position) AS revisions
    FROM values_then_and_now
    JOIN positions USING ("column")
    JOIN paired USING (study_name, species, sample_number)
    WHERE paired.change = 'revised' AND old IS DISTINCT FROM new
    GROUP BY study_name, species, sample_number
),
current_values AS (
    -- what an added or revised observation holds now (the last model is scored on the added)
    SELECT study_name, species, sample_number, sex, COLUMNS(getvariable('measurements')) FROM c
)
SELECT
    paired.species, paired.island, paired.year, paired.study_name, paired.sample_number, paired.change,
    coalesce(revised.revisions, []) AS revisions,
    current_values.sex, COLUMNS(getvariable('measurements'))
FROM paired
LEFT JOIN revised USING (study_name, species, sample_number)
LEFT JOIN current_values USING (study_name, species, sample_number)
WHERE paired.change <> 'revised' OR revised.revisions IS NOT NULL
