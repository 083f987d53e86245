-- Missing values in each column of the tidy table, in its column order. Added up
-- from the groups of `measurement_sums`, which keep every key column and which
-- measurements are present (has_a … has_d).
WITH totals AS (
    SELECT coalesce(sum(n), 0)                                  AS rows,
           coalesce(sum(n) FILTER (WHERE species IS NULL), 0)   AS species,
           coalesce(sum(n) FILTER (WHERE island IS NULL), 0)    AS island,
           coalesce(sum(n) FILTER (WHERE NOT has_a), 0)         AS bill_length_mm,
           coalesce(sum(n) FILTER (WHERE NOT has_b), 0)         AS bill_depth_mm,
           coalesce(sum(n) FILTER (WHERE NOT has_c), 0)         AS flipper_length_mm,
           coalesce(sum(n) FILTER (WHERE NOT has_d), 0)         AS body_mass_g,
           coalesce(sum(n) FILTER (WHERE sex IS NULL), 0)       AS sex,
           coalesce(sum(n) FILTER (WHERE year IS NULL), 0)      AS year
    FROM measurement_sums
)
SELECT
    "column",
    missing::BIGINT                                         AS missing,
    rows::BIGINT                                            AS rows,
    CASE WHEN rows = 0 THEN 0 ELSE missing / rows END       AS share_missing
FROM (
    UNPIVOT totals
    ON species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year
    INTO NAME "column" VALUE missing
)
