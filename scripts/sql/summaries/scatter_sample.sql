-- A bounded stratified sample of rows for scatter plots: at most 250 penguins
-- from each species x island x sex stratum (so at most 27 x 250 rows whatever
-- the raw size), picked by a hash of the row so the same data gives the same
-- sample. Strata smaller than the cap are taken whole.
SELECT species, island, sex, year,
       bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g
FROM (
    SELECT *,
           row_number() OVER (
               PARTITION BY species, island, sex
               ORDER BY hash(species, island, sex, year, bill_length_mm, bill_depth_mm,
                             flipper_length_mm, body_mass_g)
           ) AS pick
    FROM penguins
    WHERE bill_length_mm IS NOT NULL
)
WHERE pick <= 250
ORDER BY species, island, sex, pick
