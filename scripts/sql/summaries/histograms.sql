-- Pre-binned histograms of each measurement by species and sex. Bins have a
-- fixed width per measurement (`bin_width` in scripts/dataset.py), so the
-- table stays small whatever the row count (the gate bounds every value to a
-- plausible range). Counted from `measurement_values`, the count of each value.
SELECT
    measurement,
    species,
    sex,
    floor(value / bin_width) * bin_width             AS bin_start,
    floor(value / bin_width) * bin_width + bin_width AS bin_end,
    sum(n)::BIGINT                                   AS n
FROM measurement_values JOIN measurements ON measurements.name = measurement_values.measurement
GROUP BY ALL
ORDER BY ALL
