-- Missing values in each column of the tidy table (the measurements in the
-- order of scripts/dataset.py): the key columns counted from
-- `measurement_groups`, each measurement as the rows minus those where it is
-- present (`measurement_sums`, x = y).
WITH totals AS (
    SELECT coalesce(sum(rows), 0) AS rows,
           coalesce(sum(rows) FILTER (WHERE species IS NULL), 0) AS species,
           coalesce(sum(rows) FILTER (WHERE island IS NULL), 0)  AS island,
           coalesce(sum(rows) FILTER (WHERE sex IS NULL), 0)     AS sex,
           coalesce(sum(rows) FILTER (WHERE year IS NULL), 0)    AS year
    FROM measurement_groups
),
keys AS (
    SELECT "column", missing, CASE "column" WHEN 'species' THEN 1 WHEN 'island' THEN 2
                                            WHEN 'sex' THEN 1001 ELSE 1002 END AS position
    FROM totals UNPIVOT (missing FOR "column" IN (species, island, sex, year))
),
measured AS (
    SELECT m.name AS "column", (SELECT rows FROM totals) - coalesce(sum(s.n), 0) AS missing,
           2 + m.position AS position
    FROM measurements m
    LEFT JOIN measurement_sums s ON s.x = m.name AND s.y = m.name
    GROUP BY m.name, m.position
)
SELECT
    "column",
    missing::BIGINT                                          AS missing,
    rows::BIGINT                                             AS rows,
    CASE WHEN rows = 0 THEN 0 ELSE missing / rows END        AS share_missing
FROM (SELECT * FROM keys UNION ALL SELECT * FROM measured), totals
ORDER BY position
