-- How many penguins of each species were observed on each island in each year.
-- Added up from `measurement_groups`.
SELECT species, island, year, sum(rows)::BIGINT AS penguins
FROM measurement_groups
GROUP BY ALL
ORDER BY ALL
