-- The groups of penguins that the summaries add up: one row per species,
-- island, sex, year and which measurements are present (`pattern`, the
-- has_<name> flags of `measurement_passes` in the tidy table's column order),
-- with how many penguins each holds. group_no numbers the groups in key order:
-- summaries add groups up in that order (sum(x ORDER BY group_no)), never in
-- the order a hash table returns them. Every row of the tidy table is in every
-- measurement's pass, so the first measurement's pass counts them all.
-- summarize.py keeps it as the temporary table `measurement_groups`.
WITH groups AS (
    SELECT species, island, sex, year, list_value(*COLUMNS(getvariable('presence_columns'))) AS pattern, sum(n) AS rows
    FROM measurement_passes
    WHERE measurement = getvariable('measurements')[1]
    GROUP BY ALL
)
SELECT row_number() OVER (ORDER BY species, island, sex, year, pattern) AS group_no, *
FROM groups
