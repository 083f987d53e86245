-- Where each species was observed: the islands it was seen on (in name order)
-- and how many penguins, for the sentence that opens the exploration page.
-- Added up from `measurement_groups`.
SELECT species, list_sort(list(DISTINCT island)) AS islands, sum(rows)::BIGINT AS penguins
FROM measurement_groups
GROUP BY species
ORDER BY species
