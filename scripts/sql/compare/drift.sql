-- How far the mean of each measurement moved since the last build, within each
-- species x sex group and for each species (sex = 'all'), in pooled standard
-- deviations: |new mean - old mean| / sqrt(((n1-1) sd1^2 + (n2-1) sd2^2) / (n1+n2-2)).
-- Read from the two builds' `measurement_stats` (the views `previous_stats` and
-- `current_stats`): exact aggregates of the two tidy tables, so no pass over the rows.
-- A new breeding season moves a mean by a fraction of a standard deviation;
-- swapped sex labels, a unit change or a column shuffled across rows by one or more.
SELECT c.species, c.sex, c.measurement,
       p.n::BIGINT AS old_n, c.n::BIGINT AS new_n,
       p.mean AS old_mean, c.mean AS new_mean, c.mean - p.mean AS difference,
       abs(c.mean - p.mean) / nullif(
           sqrt(((p.n - 1) * p.sd * p.sd + (c.n - 1) * c.sd * c.sd) / nullif(p.n + c.n - 2, 0)), 0
       ) AS shift_sd
FROM current_stats c
JOIN previous_stats p USING (species, sex, measurement)
ORDER BY c.measurement, c.species, c.sex
