-- The rows the model learns from: penguins with sex and every measurement,
-- at most `training_per_stratum` (2,000, scripts/dataset.py) from each species
-- x sex stratum (a bounded, stratified sample whatever the raw size): the 2,000
-- with the smallest hash of the row (`row_hash`), so the same data always gives
-- the same sample, on DuckDB and on Spark. Strata smaller than the cap are
-- taken whole. Picked from `sample_candidates` (made by summarize.py), which
-- holds every row that can be among the smallest hashes of its stratum, a few
-- thousand per stratum at any raw size: ranking them costs little.
SELECT species, island, sex, COLUMNS(getvariable('measurements'))
FROM (
    SELECT *, row_number() OVER (PARTITION BY species, sex ORDER BY row_hash) AS pick
    FROM sample_candidates
    WHERE sex IS NOT NULL AND complete
)
WHERE pick <= getvariable('training_per_stratum')
ORDER BY species, sex, pick
