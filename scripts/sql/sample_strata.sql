-- The strata of the two samples, how many rows each may pick from, and the
-- share of them that `sample_candidates` lets through. scatter_sample takes
-- species x island x sex (unknown sex included) among the penguins with a bill
-- length; training_sample takes species x sex among the penguins with sex and
-- every measurement (island is NULL there). Sizes are added up from the groups
-- of `measurement_sums`. The share is set so that about `candidates_per_stratum`
-- rows (the larger of the two samples' caps) plus a margin of 8
-- standard deviations pass; a share of 1 or more lets the whole stratum pass.
-- summarize.py keeps it as the temporary table `sample_strata`.
WITH sizes AS (
    SELECT 'scatter' AS sample, species, island, sex, coalesce(sum(n), 0) AS rows
    FROM measurement_sums
    WHERE x = 'bill_length_mm' AND y = 'bill_length_mm'
    GROUP BY species, island, sex
    UNION ALL
    -- the groups where every measurement is present: as many present as described
    SELECT 'training', species, NULL, sex, coalesce(sum(n), 0)
    FROM (
        SELECT any_value(species) AS species, any_value(sex) AS sex, any_value(n) AS n
        FROM measurement_sums
        WHERE x = y AND sex IS NOT NULL
        GROUP BY group_no
        HAVING count(*) = array_length(getvariable('measurements'))
    )
    GROUP BY species, sex
)
SELECT sample, species, island, sex, rows,
       (target + 8 * sqrt(target) + 64) / nullif(rows, 0) AS share
FROM sizes, (SELECT getvariable('candidates_per_stratum') AS target)
