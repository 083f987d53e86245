-- A bounded stratified sample of rows for scatter plots: at most
-- `scatter_per_stratum` (250, scripts/dataset.py) penguins from each species x
-- island x sex stratum (so at most 27 x 250 rows whatever the raw size), the
-- ones with the smallest hash of the row (`row_hash`), so the same data gives
-- the same sample, on DuckDB and on Spark. Strata smaller than the cap are
-- taken whole. Picked from `sample_candidates`, which holds every row that can
-- be among the smallest hashes of its stratum, a few thousand per stratum at
-- any raw size: ranking them costs little.
SELECT species, island, sex, year, COLUMNS(getvariable('measurements'))
FROM (
    SELECT *, row_number() OVER (PARTITION BY species, island, sex ORDER BY row_hash) AS pick
    FROM sample_candidates
)
WHERE pick <= getvariable('scatter_per_stratum')
ORDER BY species, island, sex, pick
