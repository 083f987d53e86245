-- The old and the new value, as text, of each revised column of a few revised
-- observations (the table `listed_revisions`: study_name, species,
-- sample_number, revised_positions; a few rows of `row_changes`), for the
-- message and the changes pin. Only these observations are read by key, so the
-- cost is the same whatever changed.
WITH old AS (
    SELECT study_name, species, sample_number,
           CAST(COLUMNS(getvariable('compared_columns')) AS VARCHAR)
    FROM previous_penguins SEMI JOIN listed_revisions USING (study_name, species, sample_number)
),
new AS (
    SELECT study_name, species, sample_number,
           CAST(COLUMNS(getvariable('compared_columns')) AS VARCHAR)
    FROM penguins SEMI JOIN listed_revisions USING (study_name, species, sample_number)
),
old_values AS (
    SELECT study_name, species, sample_number, list_value(*COLUMNS(getvariable('compared_columns'))) AS v FROM old
),
new_values AS (
    SELECT study_name, species, sample_number, list_value(*COLUMNS(getvariable('compared_columns'))) AS v FROM new
),
revised AS (
    SELECT study_name, species, sample_number, island, year, unnest(revised_positions) AS position
    FROM listed_revisions
)
SELECT r.study_name, r.species, r.sample_number, r.island, r.year,
       getvariable('compared_columns')[r.position] AS "column",
       o.v[r.position] AS old, n.v[r.position] AS new
FROM revised r
JOIN old_values o USING (study_name, species, sample_number)
JOIN new_values n USING (study_name, species, sample_number)
ORDER BY r.study_name, r.species, r.sample_number, r.position
