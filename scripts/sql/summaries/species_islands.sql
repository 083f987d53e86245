-- Where each species was observed: the islands it was seen on (in name order)
-- and how many penguins, for the sentence that opens the exploration page.
-- Added up from the groups of `measurement_sums`.
SELECT species, list(DISTINCT island ORDER BY island) AS islands, sum(n)::BIGINT AS penguins
FROM measurement_sums
GROUP BY species
ORDER BY species
