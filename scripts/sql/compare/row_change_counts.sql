-- Penguins added, removed and revised since the last build, by species, island
-- and year, with how many each group had then and has now (from the two builds'
-- `species_island_year_counts`, the views `previous_counts` and `current_counts`).
-- Only the groups where something changed.
WITH changed AS (
    SELECT species, island, year,
           count(*) FILTER (WHERE change = 'added')   AS added,
           count(*) FILTER (WHERE change = 'removed') AS removed,
           count(*) FILTER (WHERE change = 'revised') AS revised
    FROM row_changes
    GROUP BY species, island, year
),
counts AS (
    SELECT species, island, year, p.penguins AS old, c.penguins AS new
    FROM previous_counts p FULL OUTER JOIN current_counts c USING (species, island, year)
)
SELECT species, island, year,
       coalesce(old, 0)::BIGINT AS old, coalesce(new, 0)::BIGINT AS new,
       coalesce(added, 0)::BIGINT AS added, coalesce(removed, 0)::BIGINT AS removed,
       coalesce(revised, 0)::BIGINT AS revised
FROM counts FULL OUTER JOIN changed USING (species, island, year)
WHERE coalesce(added, 0) + coalesce(removed, 0) + coalesce(revised, 0) > 0
   OR coalesce(old, 0) <> coalesce(new, 0)
ORDER BY species, island, year
