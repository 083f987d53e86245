-- Headline numbers for the overview page: one row. Added up from the groups of
-- `measurement_sums` (counts by species, island, sex and year).
SELECT
    coalesce(sum(n), 0)::BIGINT                           AS penguins,
    count(DISTINCT species)::BIGINT                       AS species,
    count(DISTINCT island)::BIGINT                        AS islands,
    count(DISTINCT year)::BIGINT                          AS years,
    min(year)                                             AS first_year,
    max(year)                                             AS last_year,
    coalesce(sum(n) FILTER (WHERE sex IS NULL), 0)::BIGINT AS sex_unknown
FROM measurement_sums
