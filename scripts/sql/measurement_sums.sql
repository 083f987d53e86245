-- Counts and sums of every pair of measurements (x, y), and of each
-- measurement with itself (x = y), in each group of `measurement_groups`
-- where both are present (pairwise complete): n, sx, sy, sxx, syy, sxy.
-- Means, spreads, correlations and least-squares lines are computed exactly
-- from these sums, for any grouping of the groups' keys, with no pass over the
-- rows. Values are shifted by the middle of the gate's plausible range
-- (shift_x, shift_y, from scripts/dataset.py) so the sums of squares stay
-- small and the variances keep their precision (the shifted-data algorithm).
-- Sums run in value order, so the same data gives the same numbers.
-- summarize.py keeps it as the temporary table `measurement_sums`.
WITH passes AS (
    SELECT g.group_no, p.*
    FROM (SELECT *, list_value(*COLUMNS(getvariable('presence_columns'))) AS pattern FROM measurement_passes) p
    JOIN measurement_groups g
      ON g.species = p.species AND g.island = p.island AND g.sex IS NOT DISTINCT FROM p.sex
     AND g.year = p.year AND g.pattern = p.pattern
    WHERE p.value IS NOT NULL
),
own AS (
    -- each measurement over the rows of a group where it is present
    SELECT group_no, measurement, any_value(m.shift) AS shift, sum(n) AS n,
           sum(n * (value - m.shift) ORDER BY value) AS s,
           sum(n * (value - m.shift) * (value - m.shift) ORDER BY value) AS ss
    FROM passes JOIN measurements m ON m.name = passes.measurement
    GROUP BY group_no, measurement
),
crossed AS (
    -- the sum of x * y is the sum, over the values v of x, of v times the sum of y
    -- over the rows with that value (with_<y>; NULL where y is missing)
    SELECT group_no, measurement AS x, substr(other, length('with_') + 1) AS y,
           sum((value - mx.shift) * (other_sum - n * my.shift) ORDER BY value) AS sxy
    FROM passes UNPIVOT (other_sum FOR other IN (COLUMNS(getvariable('sum_columns'))))
    JOIN measurements mx ON mx.name = measurement
    JOIN measurements my ON 'with_' || my.name = other
    GROUP BY group_no, x, y
)
SELECT c.group_no, g.species, g.island, g.sex, g.year, c.x, c.y,
       ox.n, ox.s AS sx, oy.s AS sy, ox.ss AS sxx, oy.ss AS syy, c.sxy,
       ox.shift AS shift_x, oy.shift AS shift_y
FROM crossed c
JOIN own ox ON ox.group_no = c.group_no AND ox.measurement = c.x
JOIN own oy ON oy.group_no = c.group_no AND oy.measurement = c.y
JOIN measurement_groups g ON g.group_no = c.group_no
