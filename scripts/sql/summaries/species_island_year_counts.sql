-- How many penguins of each species were observed on each island in each year.
-- Added up from the groups of `measurement_sums`.
SELECT species, island, year, sum(n)::BIGINT AS penguins
FROM measurement_sums
GROUP BY ALL
ORDER BY ALL
