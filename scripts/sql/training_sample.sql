-- The rows the model learns from: penguins with every feature and the target,
-- at most 2,000 from each species x sex stratum (a bounded, stratified sample
-- whatever the raw size), picked by a hash of the row so the same data always
-- gives the same sample. Strata smaller than the cap are taken whole.
SELECT species, island, sex, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g
FROM (
    SELECT *,
           row_number() OVER (
               PARTITION BY species, sex
               ORDER BY hash(species, island, sex, year, bill_length_mm, bill_depth_mm,
                             flipper_length_mm, body_mass_g)
           ) AS pick
    FROM penguins
    WHERE sex IS NOT NULL
      AND bill_length_mm IS NOT NULL AND bill_depth_mm IS NOT NULL
      AND flipper_length_mm IS NOT NULL AND body_mass_g IS NOT NULL
)
WHERE pick <= 2000
ORDER BY species, sex, pick
