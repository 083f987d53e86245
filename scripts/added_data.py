"""Added data looks like data: the penguins added since the last build against the published ones.

A new season can pass every rule on values and still be invented: masses all one
constant, gaps filled with group means, rows copied with a constant added. The
mean may not move (``drift``), but the spread collapses, values repeat, the
distribution changes shape, and the last build's model predicts the new penguins
far worse (or far better) than it predicted its own test split. So, within each
species x sex group and for each measurement, the added penguins are compared
with the published ones (``group_statistics``), and the last model's error on
them is compared with its own test error (``check_last_model``):

* rule ``spread``: the variance ratio (added / published) within
  ``1 / REPORT_MAX_SPREAD_RATIO`` to ``REPORT_MAX_SPREAD_RATIO``, where it is also
  significant for the group sizes (the F test's two-sided p below ``ALPHA``);
* rule ``repeated values``: at most ``REPORT_MAX_REPEATED`` of the added values of
  a group are its single most common value (unless the published values of the
  group repeat half as often already: data recorded coarsely stays so);
* rule ``distribution``: the two-sample Kolmogorov-Smirnov distance between the
  added and the published values at most ``REPORT_MAX_KS`` where it is also
  significant for the group sizes (p below ``ALPHA``): small groups differ by
  chance, large ones by a little;
* rule ``last model``: the last model's RMSE on the added penguins at most
  ``REPORT_MAX_ERROR_RATIO`` and at least ``REPORT_MIN_ERROR_RATIO`` times its
  own test RMSE.

A group is compared when it has at least ``MIN_ADDED`` added and ``MIN_PUBLISHED``
published penguins with the measurement. Both sides are bounded samples picked by
a hash of the observation key (the same rows for the same data), so the cost does
not grow with the data. The thresholds were measured on genuine new seasons
(``benchmarks/added_data.py``; figures in benchmarks/README.md).
"""

from __future__ import annotations

from scripts import dataset
from scripts.dataset import TIDY_KEY
from scripts.errors import Violation

# A group is compared when it has this many added and published penguins with the measurement.
MIN_ADDED = 20
MIN_PUBLISHED = 20
# How many rows, at most, each side's sample holds (over every group).
SAMPLED_ROWS = 20_000
# A variance ratio or a KS distance beyond its threshold stops the build only when it is
# also this improbable by chance for the group sizes.
ALPHA = 1e-4
# The last model is judged on at least this many added penguins.
MIN_SCORED = 30
EXAMPLES = 3


def _sample(con, relation: str, where: str, rows: int):
    """Long-format values (species, sex, measurement, value) of at most about ``SAMPLED_ROWS``
    rows of ``relation``, picked by a hash of their key; the measurements are the variable
    ``sampled_measurements`` (those both builds have)."""
    share = 1.0 if rows <= SAMPLED_ROWS else SAMPLED_ROWS / rows
    picked = f"hash({', '.join(TIDY_KEY)}) % 1000000 < {int(share * 1_000_000)}"
    return con.execute(
        f"""
        SELECT species, sex, measurement, value::DOUBLE AS value
        FROM (SELECT species, sex, COLUMNS(getvariable('sampled_measurements'))::DOUBLE
              FROM {relation} WHERE sex IS NOT NULL AND {where} AND {picked})
        UNPIVOT (value FOR measurement IN (COLUMNS(getvariable('sampled_measurements'))))
        """
    ).df()


def samples(con) -> tuple:
    """(published, added): bounded samples of the last build's penguins (view
    ``previous_penguins``) and of those added since (``row_changes``)."""
    # a measurement added to scripts/dataset.py since the last build is new everywhere: not compared
    previous = {row[0] for row in con.execute("DESCRIBE previous_penguins").fetchall()}
    both = [name for name in dataset.measurement_names() if name in previous]
    con.execute("SET VARIABLE sampled_measurements = ?", [both])
    published_rows = con.execute("SELECT count(*) FROM previous_penguins").fetchone()[0]
    added_rows = con.execute("SELECT count(*) FROM row_changes WHERE change = 'added'").fetchone()[0]
    published = _sample(con, "previous_penguins", "true", published_rows)
    added = _sample(con, "row_changes", "change = 'added'", added_rows)
    return published, added


def _mode_share(values) -> float:
    import numpy as np

    _, counts = np.unique(values, return_counts=True)
    return float(counts.max() / len(values))


def group_statistics(published, added):
    """One row per species x sex x measurement compared: sizes, variance ratio,
    share of the most common value (added and published), KS distance and p-value.

    ``published`` and ``added``: long frames (species, sex, measurement, value).
    """
    import pandas as pd
    from scipy import stats

    rows = []
    by_group = {name: frame["value"].to_numpy() for name, frame in published.groupby(["species", "sex", "measurement"])}
    for (species, sex, measurement), frame in added.groupby(["species", "sex", "measurement"], sort=True):
        new = frame["value"].to_numpy()
        old = by_group.get((species, sex, measurement))
        if old is None or len(new) < MIN_ADDED or len(old) < MIN_PUBLISHED:
            continue
        old_var, new_var = float(old.var(ddof=1)), float(new.var(ddof=1))
        ratio = new_var / old_var if old_var else float("inf") if new_var else 1.0
        f = stats.f(len(new) - 1, len(old) - 1)
        spread_p = float(min(1.0, 2 * min(f.cdf(ratio), f.sf(ratio)))) if old_var else 0.0 if new_var else 1.0
        test = stats.ks_2samp(new, old)
        rows.append(
            {
                "species": species,
                "sex": sex,
                "measurement": measurement,
                "published_n": len(old),
                "added_n": len(new),
                "published_mean": float(old.mean()),
                "added_mean": float(new.mean()),
                "variance_ratio": ratio,
                "spread_p": spread_p,
                "added_repeated": _mode_share(new),
                "published_repeated": _mode_share(old),
                "ks_distance": float(test.statistic),
                "ks_p": float(test.pvalue),
            }
        )
    columns = [
        "species", "sex", "measurement", "published_n", "added_n", "published_mean", "added_mean",
        "variance_ratio", "spread_p", "added_repeated", "published_repeated", "ks_distance", "ks_p",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _group(row) -> str:
    return f"{row.species} {row.sex}"


def check(statistics, *, max_spread_ratio: float, max_repeated: float, max_ks: float) -> list[Violation]:
    """Rules ``spread``, ``repeated values`` and ``distribution`` on ``group_statistics``' rows.

    >>> import pandas as pd
    >>> one = pd.DataFrame([{"species": "Adelie", "sex": "female", "measurement": "body_mass_g",
    ...     "published_n": 73, "added_n": 40, "published_mean": 3369.0, "added_mean": 3400.0,
    ...     "variance_ratio": 0.0, "spread_p": 0.0, "added_repeated": 1.0, "published_repeated": 0.1,
    ...     "ks_distance": 0.9, "ks_p": 1e-12}])
    >>> [v.rule for v in check(one, max_spread_ratio=4, max_repeated=0.5, max_ks=0.5)]
    ['spread', 'repeated values', 'distribution']
    """
    from scripts.config import ENV_MAX_KS, ENV_MAX_REPEATED, ENV_MAX_SPREAD_RATIO

    violations = []
    for measurement, rows in statistics.groupby("measurement", sort=False):
        total = len(rows)
        far = (rows["variance_ratio"] > max_spread_ratio) | (rows["variance_ratio"] < 1 / max_spread_ratio)
        spread = rows[far & (rows["spread_p"] < ALPHA)]
        if len(spread):
            violations.append(
                Violation(
                    "spread",
                    measurement,
                    int(spread["added_n"].sum()),
                    f"of the penguins added since the last build vary {_far(spread)} the published ones in "
                    f"{len(spread)} of {total} species × sex groups (the variance ratio is outside "
                    f"1/{max_spread_ratio:g} to {max_spread_ratio:g}, {ENV_MAX_SPREAD_RATIO}, and p below "
                    f"{ALPHA:g}); a constant, imputed or copied value looks like this; if the new data is right, "
                    f"run the build once with a larger {ENV_MAX_SPREAD_RATIO} (inf lets any spread through)",
                    [
                        f"{_group(r)} variance ratio {r.variance_ratio:.2f} ({r.added_n:,} added, "
                        f"{r.published_n:,} published)"
                        for r in _worst(spread, "variance_ratio").itertuples()
                    ],
                )
            )
        often = (rows["added_repeated"] > max_repeated) & (rows["added_repeated"] > 2 * rows["published_repeated"])
        repeated = rows[often]
        if len(repeated):
            violations.append(
                Violation(
                    "repeated values",
                    measurement,
                    int(repeated["added_n"].sum()),
                    f"of the penguins added since the last build share one value in {len(repeated)} of {total} "
                    f"species × sex groups (more than {max_repeated:.0%} of a group's added values are its "
                    f"most common one, {ENV_MAX_REPEATED}); measurements repeat that rarely; if the new data "
                    f"is right, run the build once with {ENV_MAX_REPEATED}=1",
                    [
                        f"{_group(r)} {r.added_repeated:.0%} of the added values are one value (published: "
                        f"{r.published_repeated:.0%})"
                        for r in rows.loc[repeated.index]
                        .sort_values("added_repeated", ascending=False)
                        .head(EXAMPLES)
                        .itertuples()
                    ],
                )
            )
        shape = rows[(rows["ks_distance"] > max_ks) & (rows["ks_p"] < ALPHA)]
        if len(shape):
            violations.append(
                Violation(
                    "distribution",
                    measurement,
                    int(shape["added_n"].sum()),
                    f"of the penguins added since the last build are distributed unlike the published ones in "
                    f"{len(shape)} of {total} species × sex groups (Kolmogorov-Smirnov distance above "
                    f"{max_ks:g}, {ENV_MAX_KS}, and p below {ALPHA:g}); values from another population, "
                    f"another unit or made up look like this; if the new data is right, run the build once "
                    f"with {ENV_MAX_KS}=1",
                    [
                        f"{_group(r)} distance {r.ks_distance:.2f} (p {r.ks_p:.1g}; mean {r.published_mean:,.1f}"
                        f" → {r.added_mean:,.1f})"
                        for r in shape.sort_values("ks_distance", ascending=False).head(EXAMPLES).itertuples()
                    ],
                )
            )
    return violations


def _far(rows) -> str:
    low, high = (rows["variance_ratio"] < 1).sum(), (rows["variance_ratio"] >= 1).sum()
    return "far less than" if low and not high else "far more than" if high and not low else "far more or less than"


def _worst(rows, column: str):
    """The rows whose ``column`` (a ratio) is farthest from 1, first."""
    import numpy as np

    distance = np.abs(np.log(rows[column].clip(lower=1e-12, upper=1e12)))
    return rows.loc[distance.sort_values(ascending=False).index].head(EXAMPLES)


def measures(
    statistics,
    scores: dict | None,
    test_rmse: float | None,
    *,
    max_spread_ratio: float,
    max_repeated: float,
    max_ks: float,
    max_ratio: float,
    min_ratio: float,
) -> list[dict]:
    """What rules ``spread``, ``repeated values``, ``distribution`` and ``last model`` measure on
    the penguins added: the variance ratio farthest from 1, the largest share of one repeated
    value, the largest KS distance (over the species × sex groups compared) and the last
    model's RMSE on them as a multiple of its own test RMSE. A rule can fail only where its
    test's p-value is small too (``check``), so a measure past its limit may still pass.

    >>> import pandas as pd
    >>> one = pd.DataFrame([{"species": "Adelie", "sex": "female", "measurement": "body_mass_g",
    ...     "variance_ratio": 0.8, "spread_p": 0.4, "added_repeated": 0.1, "published_repeated": 0.1,
    ...     "ks_distance": 0.2, "ks_p": 0.3}])
    >>> for m in measures(one, {"rows": 40, "rmse": 330.0}, 300.0, max_spread_ratio=4, max_repeated=0.5,
    ...                   max_ks=0.5, max_ratio=2, min_ratio=0.5):
    ...     print(m["rule"], "|", m["shown"], "|", m["limit"], "|", m["passed"])
    spread | variance ratio 0.80 (Adelie female body_mass_g) | 1/4 to 4 | True
    repeated values | 10% one value (Adelie female body_mass_g) | at most 50% | True
    distribution | KS distance 0.20 (Adelie female body_mass_g) | at most 0.5 | True
    last model | 1.10 × its test RMSE (330 g on 40 added) | 0.5 to 2 × | True
    """
    import numpy as np

    from scripts.errors import measure

    found = []
    if statistics is not None and len(statistics):

        def worst(column: str, farthest):
            row = statistics.loc[farthest(statistics[column]).idxmax()]
            return row, f"({row.species} {row.sex} {row.measurement})"

        row, where = worst("variance_ratio", lambda c: np.abs(np.log(c.clip(lower=1e-12, upper=1e12))))
        far = row.variance_ratio > max_spread_ratio or row.variance_ratio < 1 / max_spread_ratio
        shown = f"variance ratio {row.variance_ratio:.2f} {where}"
        limit = f"1/{max_spread_ratio:g} to {max_spread_ratio:g}"
        passed = not (far and row.spread_p < ALPHA)
        found.append(measure("spread", round(float(row.variance_ratio), 3), shown, limit, passed))
        row, where = worst("added_repeated", lambda c: c)
        passed = not (row.added_repeated > max_repeated and row.added_repeated > 2 * row.published_repeated)
        shown, limit = f"{row.added_repeated:.0%} one value {where}", f"at most {max_repeated:.0%}"
        found.append(measure("repeated values", round(float(row.added_repeated), 3), shown, limit, passed))
        row, where = worst("ks_distance", lambda c: c)
        passed = not (row.ks_distance > max_ks and row.ks_p < ALPHA)
        shown = f"KS distance {row.ks_distance:.2f} {where}"
        found.append(measure("distribution", round(float(row.ks_distance), 3), shown, f"at most {max_ks:g}", passed))
    if scores and "rmse" in scores and scores["rows"] >= MIN_SCORED and test_rmse:
        ratio = scores["rmse"] / test_rmse
        shown = f"{ratio:.2f} × its test RMSE ({scores['rmse']:,.0f} g on {scores['rows']:,} added)"
        passed = min_ratio <= ratio <= max_ratio
        found.append(measure("last model", round(ratio, 3), shown, f"{min_ratio:g} to {max_ratio:g} ×", passed))
    return found


def check_last_model(scores: dict | None, test_rmse: float, *, max_ratio: float, min_ratio: float) -> list[Violation]:
    """Rule ``last model``: the last build's model on the added penguins (``scores``: rows,
    rmse; from ``compare.score_previous_model``) against its own test RMSE.

    >>> [v.describe() for v in check_last_model({"rows": 117, "rmse": 800.0}, 300.0, max_ratio=2, min_ratio=0.5)]
    ... # doctest: +ELLIPSIS
    ['rule "last model", column "body_mass_g": 117 rows ... 2.7 times its own test RMSE (800 g against 300 g; ...
    >>> check_last_model({"rows": 117, "rmse": 310.0}, 300.0, max_ratio=2, min_ratio=0.5)
    []
    """
    from scripts.config import ENV_MAX_ERROR_RATIO, ENV_MIN_ERROR_RATIO
    from scripts.train import TARGET

    if not scores or "rmse" not in scores or scores["rows"] < MIN_SCORED or not test_rmse:
        return []
    ratio = scores["rmse"] / test_rmse
    figures = f"{ratio:.1f} times its own test RMSE ({scores['rmse']:,.0f} g against {test_rmse:,.0f} g; "
    if ratio > max_ratio:
        return [
            Violation(
                "last model",
                TARGET,
                scores["rows"],
                "added since the last build are predicted far worse by the last build's model than its own test "
                f"penguins were: {figures}at most {max_ratio:g}, {ENV_MAX_ERROR_RATIO}); the new data does not "
                f"behave like the old (a measurement constant, in another unit or from other birds); if it is "
                f"right, run the build once with a larger {ENV_MAX_ERROR_RATIO} (or inf)",
            )
        ]
    if ratio < min_ratio:
        return [
            Violation(
                "last model",
                TARGET,
                scores["rows"],
                "added since the last build are predicted far better by the last build's model than its own test "
                f"penguins were: {figures}at least {min_ratio:g}, {ENV_MIN_ERROR_RATIO}); too good to be true: "
                f"values may be imputed or copied; if they are right, run the build once with "
                f"{ENV_MIN_ERROR_RATIO}=0",
            )
        ]
    return []
