-- Pre-binned histograms of each measurement by species and sex. Bins have a
-- fixed width per measurement, so the table stays small whatever the row count
-- (the gate bounds every value to a plausible range). Counted from
-- `measurement_values`, the count of each value.
WITH widths(measurement, width) AS (
    VALUES ('bill_length_mm', 1.0), ('bill_depth_mm', 0.5),
           ('flipper_length_mm', 5.0), ('body_mass_g', 250.0)
)
SELECT
    measurement,
    species,
    sex,
    floor(value / width) * width         AS bin_start,
    floor(value / width) * width + width AS bin_end,
    sum(n)::BIGINT                       AS n
FROM measurement_values JOIN widths USING (measurement)
GROUP BY ALL
ORDER BY ALL
