-- Raw LTER observations -> the tidy `penguins` table, with the columns and
-- conventions of the table the palmerpenguins package publishes:
-- species short names, bill (not culmen) in mm, whole-number flipper length
-- and body mass, lower-case sex with missing values, `year` from `Date Egg`.
-- The measurements are the ones scripts/dataset.py describes: clean.py reads
-- the raw observations through the view `raw_measured`, which carries each raw
-- measurement column under its tidy name too; the variables
-- `decimal_measurements` and `whole_measurements` list those names (decimals
-- come first, then whole numbers, each in the description's order).
-- The observation key comes last (study_name, sample_number, with species):
-- the table palmerpenguins publishes has no key, but comparing this build with
-- the last one needs it. `raw_measured` carries it cleaned as the gate compares it
-- (scripts/dataset.py, KEY_SQL): text trimmed, the number as a number.
-- Runs after the gate, so every value here parses and is in range.
SELECT
    split_part(trim("Species"), ' ', 1)                                          AS species,
    trim("Island")                                                               AS island,
    TRY_CAST(COLUMNS(getvariable('decimal_measurements')) AS DOUBLE),
    CAST(round(TRY_CAST(COLUMNS(getvariable('whole_measurements')) AS DOUBLE)) AS INTEGER),
    lower(trim("Sex"))                                                           AS sex,
    CAST(year(TRY_CAST("Date Egg" AS DATE)) AS INTEGER)                          AS year,
    study_name,
    CAST(sample_number AS INTEGER)                                               AS sample_number
FROM raw_measured
