-- Headline numbers for the overview page: one row. Added up from
-- `measurement_groups` (counts by species, island, sex and year).
SELECT
    coalesce(sum(rows), 0)::BIGINT                            AS penguins,
    count(DISTINCT species)::BIGINT                           AS species,
    count(DISTINCT island)::BIGINT                            AS islands,
    count(DISTINCT year)::BIGINT                              AS years,
    min(year)                                                 AS first_year,
    max(year)                                                 AS last_year,
    coalesce(sum(rows) FILTER (WHERE sex IS NULL), 0)::BIGINT AS sex_unknown
FROM measurement_groups
