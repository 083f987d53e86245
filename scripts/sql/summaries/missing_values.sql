-- Missing values in each column of the tidy table.
WITH present AS (SELECT count(COLUMNS(*)) FROM penguins),
total AS (SELECT count(*)::BIGINT AS rows FROM penguins)
SELECT
    "column",
    (rows - present)::BIGINT                       AS missing,
    rows,
    CASE WHEN rows = 0 THEN 0 ELSE (rows - present) / rows END AS share_missing
FROM (UNPIVOT present ON COLUMNS(*) INTO NAME "column" VALUE present), total
