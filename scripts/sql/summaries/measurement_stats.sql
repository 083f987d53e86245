-- Statistics of each measurement by species and sex, and by species with both
-- sexes together (sex = 'all'). Missing sex is reported as 'unknown'; missing
-- measurements are left out of n. Quantiles are exact, interpolated as
-- quantile_cont does, but found from the counts of each value
-- (`measurement_values`) rather than by holding every row. Sums run in value
-- order, so the same data gives the same numbers to the last bit.
WITH counted AS (
    SELECT species, sex, measurement, value, n FROM measurement_values
    UNION ALL
    SELECT species, 'all', measurement, value, sum(n)::BIGINT
    FROM measurement_values GROUP BY species, measurement, value
),
ranked AS (
    SELECT *,
           sum(n) OVER (PARTITION BY species, sex, measurement ORDER BY value
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
           sum(n) OVER (PARTITION BY species, sex, measurement) AS total
    FROM counted
),
moments AS (
    SELECT species, sex, measurement, any_value(total)::BIGINT AS n,
           sum(value * n ORDER BY value) / sum(n) AS mean, min(value) AS min, max(value) AS max,
           -- the values at the two ranks (0-based) each quantile lies between
           min(value) FILTER (WHERE upto > floor((total - 1) * 0.25)) AS q25_lo,
           min(value) FILTER (WHERE upto > ceil((total - 1) * 0.25))  AS q25_hi,
           min(value) FILTER (WHERE upto > floor((total - 1) * 0.5))  AS q50_lo,
           min(value) FILTER (WHERE upto > ceil((total - 1) * 0.5))   AS q50_hi,
           min(value) FILTER (WHERE upto > floor((total - 1) * 0.75)) AS q75_lo,
           min(value) FILTER (WHERE upto > ceil((total - 1) * 0.75))  AS q75_hi
    FROM ranked
    GROUP BY species, sex, measurement
),
spread AS (
    SELECT c.species, c.sex, c.measurement,
           CASE WHEN m.n > 1 THEN sqrt(sum(c.n * (c.value - m.mean) ^ 2 ORDER BY c.value) / (m.n - 1)) END AS sd
    FROM counted c JOIN moments m USING (species, sex, measurement)
    GROUP BY c.species, c.sex, c.measurement, m.n
)
SELECT
    species, sex, measurement, n, mean, sd, min,
    q25_lo + ((n - 1) * 0.25 - floor((n - 1) * 0.25)) * (q25_hi - q25_lo) AS q25,
    q50_lo + ((n - 1) * 0.5 - floor((n - 1) * 0.5)) * (q50_hi - q50_lo)   AS median,
    q75_lo + ((n - 1) * 0.75 - floor((n - 1) * 0.75)) * (q75_hi - q75_lo) AS q75,
    max
FROM moments JOIN spread USING (species, sex, measurement)
ORDER BY measurement, species, sex
