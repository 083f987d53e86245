-- Headline numbers for the overview page: one row.
SELECT
    count(*)::BIGINT                            AS penguins,
    count(DISTINCT species)::BIGINT             AS species,
    count(DISTINCT island)::BIGINT              AS islands,
    count(DISTINCT year)::BIGINT                AS years,
    min(year)                                   AS first_year,
    max(year)                                   AS last_year,
    count(*) FILTER (WHERE sex IS NULL)::BIGINT AS sex_unknown
FROM penguins
