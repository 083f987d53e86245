-- How many penguins of each species were observed on each island in each year.
SELECT species, island, year, count(*)::BIGINT AS penguins
FROM penguins
GROUP BY ALL
ORDER BY ALL
