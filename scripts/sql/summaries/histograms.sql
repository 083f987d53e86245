-- Pre-binned histograms of each measurement by species and sex. Bins have a
-- fixed width per measurement, so the table stays small whatever the row count
-- (the gate bounds every value to a plausible range).
WITH widths(measurement, width) AS (
    VALUES ('bill_length_mm', 1.0), ('bill_depth_mm', 0.5),
           ('flipper_length_mm', 5.0), ('body_mass_g', 250.0)
),
long AS (
    UNPIVOT (
        SELECT species, coalesce(sex, 'unknown') AS sex,
               bill_length_mm, bill_depth_mm,
               CAST(flipper_length_mm AS DOUBLE) AS flipper_length_mm,
               CAST(body_mass_g AS DOUBLE)       AS body_mass_g
        FROM penguins
    )
    ON bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g
    INTO NAME measurement VALUE value
)
SELECT
    measurement,
    species,
    sex,
    floor(value / width) * width         AS bin_start,
    floor(value / width) * width + width AS bin_end,
    count(*)::BIGINT                     AS n
FROM long JOIN widths USING (measurement)
GROUP BY ALL
ORDER BY ALL
