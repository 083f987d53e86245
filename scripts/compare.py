"""Compare: this build against the last complete one on the board (the last build is the reference).

Every value of a build can be plausible and the build still wrong: sex labels
swapped, a column shuffled across rows, values in another unit that stays in
range, penguins already published rewritten. So when the board holds a complete
build, this one is compared with it before anything is pinned:

* **revisions** (``sql/compare/row_changes.sql``): the two tidy tables matched on
  the observation key; more than ``REPORT_MAX_REVISED`` of the observations
  already published changing a value stops the build;
* **drift** (``sql/compare/drift.sql``): each measurement's mean within each
  species x sex group, against the last build's, in pooled standard deviations;
  a move beyond ``REPORT_MAX_DRIFT`` stops the build;
* **the last model on the new rows**: the model the last build published is
  scored on the penguins added since (vetiver's monitoring idea: how the
  published model holds up on data it has not seen).

The last build is read by ``scripts/reference.py``; what changed is pinned as
``changes``, and every complete build adds a row to ``build_history``
(``scripts/changes.py``). The functions take data and return data; ``scripts.build``
reads the board and pins the results.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from scripts import dataset, sql
from scripts.dataset import TIDY_KEY
from scripts.errors import GateError, Violation, first_line
from scripts.progress import log
from scripts.reference import Reference
from scripts.text import quoted
from scripts.train import TARGET

# A group mean is compared only where both builds have at least this many penguins
# in the group: below it, a mean moves by chance.
DRIFT_MIN_GROUP = 10
# How many added penguins, at most, the last build's model is scored on.
SCORED_ROWS = 5000
EXAMPLES = 3
# How many revised observations the changes pin lists by name.
LISTED_REVISIONS = 20

# What loading and calling a pickled model raises when the packages it was
# pickled with are not these (a class that moved, an attribute renamed).
UNLOADABLE = (OSError, ValueError, TypeError, AttributeError, ImportError, KeyError, EOFError, pickle.UnpicklingError)


@dataclass
class Comparison:
    """This build against the reference: what changed, and the last model's scores on the new rows."""

    counts: object  # DataFrame: sql/compare/row_change_counts.sql
    totals: dict | None  # previous, added, removed, revised; None when rows could not be matched
    revisions: list  # a few revised observations: {key, species, island, year, column, old, new}
    revised_columns: dict  # column -> observations whose value changed
    drift: object  # DataFrame: sql/compare/drift.sql
    previous_model: dict | None = None  # rows, rmse, mae, r2 of the last model on the added penguins
    measures: list = field(default_factory=list)  # what the gate measured (``measures``), for the attempts log


def compare(
    local, reference: Reference, current: dict, *, max_revised: float, max_drift: float, max_removed: float
) -> Comparison:
    """Compare the tidy table in view ``penguins`` and the ``current`` summaries with the reference,
    in DuckDB on this machine (``local``: the build engine's ``local``, ``scripts/engines``).

    Raises ``GateError`` (rules ``removals``, ``revisions`` and ``drift``) when the
    new build moved too far from the last one; otherwise returns what changed.
    """
    con = local.con
    con.register("previous_counts", reference.tables["species_island_year_counts"])
    con.register("current_counts", current["species_island_year_counts"])
    con.register("previous_stats", reference.tables["measurement_stats"])
    con.register("current_stats", current["measurement_stats"])
    drift = con.execute(sql.load("compare/drift")).df()
    if reference.tidy is not None:
        previous = f"SELECT * FROM read_parquet({sql.literal(reference.tidy)})"
        con.execute(f"CREATE OR REPLACE TEMP VIEW previous_penguins AS {previous}")
        dataset.register(local)
        columns = compared_columns(con)
        con.execute("SET VARIABLE compared_columns = ?", [columns])
        # COLUMNS(list) follows a table's own column order: the last build's compared
        # columns go first, in this build's order, so both sides hash them alike
        listed = ", ".join(sql.identifier(c) for c in columns)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW previous_penguins AS SELECT {listed}, * EXCLUDE ({listed}) FROM ({previous})"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE row_changes AS {sql.load('compare/row_changes')}")
        counts = con.execute(sql.load("compare/row_change_counts")).df()
        totals = {
            "previous": con.execute("SELECT count(*) FROM previous_penguins").fetchone()[0],
            **{k: int(counts[k].sum()) for k in ("added", "removed", "revised")},
        }
        revisions, revised_columns = _revisions(con)
        removed_keys = _removed_keys(con)
    else:
        # Counts then and now still compare, by group; no row is matched.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE row_changes (species VARCHAR, island VARCHAR, year INTEGER, change VARCHAR)"
        )
        counts = con.execute(sql.load("compare/row_change_counts")).df()
        totals, revisions, revised_columns, removed_keys = None, [], {}, []

    violations = []
    if totals:
        violations += check_removals(totals, removed_keys, max_removed)
        violations += check_revisions(totals, revisions, revised_columns, max_revised)
    violations += check_drift(drift, max_drift)
    measured = measures(totals, drift, max_removed=max_removed, max_revised=max_revised, max_drift=max_drift)
    if violations:
        raise GateError(violations, measured)
    return Comparison(counts, totals, revisions, revised_columns, drift, measures=measured)


def measures(totals: dict | None, drift, *, max_removed: float, max_revised: float, max_drift: float) -> list[dict]:
    """What rules ``removals``, ``revisions`` and ``drift`` measure: the shares of the published
    observations removed and revised, and the largest move of a mean in pooled SDs.

    >>> import pandas as pd
    >>> moved = pd.DataFrame({"sex": ["female", "all"], "old_n": [70, 150], "new_n": [70, 150],
    ...                       "shift_sd": [0.12, 0.9], "measurement": ["bill_length_mm"] * 2,
    ...                       "species": ["Adelie"] * 2})
    >>> for m in measures({"previous": 344, "removed": 0, "revised": 3}, moved,
    ...                   max_removed=0.05, max_revised=0.05, max_drift=1):
    ...     print(m["rule"], "|", m["shown"], "|", m["limit"], "|", m["passed"])
    removals | 0 of 344 (0.0%) | at most 5% | True
    revisions | 3 of 344 (0.9%) | at most 5% | True
    drift | 0.12 SD (Adelie female bill_length_mm) | at most 1 SD | True
    """
    from scripts.errors import measure

    found = []
    if totals and totals.get("previous"):
        previous = totals["previous"]
        for rule, key, limit in (("removals", "removed", max_removed), ("revisions", "revised", max_revised)):
            share = totals[key] / previous
            shown = f"{totals[key]:,} of {previous:,} ({share:.1%})"
            found.append(measure(rule, round(share, 4), shown, f"at most {limit:.0%}", totals[key] <= previous * limit))
    groups = drift[(drift["sex"] != "all") & (drift[["old_n", "new_n"]].min(axis=1) >= DRIFT_MIN_GROUP)]
    groups = groups.dropna(subset=["shift_sd"])
    if len(groups):
        top = groups.loc[groups["shift_sd"].idxmax()]
        shown = f"{top.shift_sd:.2f} SD ({top.species} {top.sex} {top.measurement})"
        passed = bool(top.shift_sd <= max_drift)
        found.append(measure("drift", round(float(top.shift_sd), 3), shown, f"at most {max_drift:g} SD", passed))
    return found


def compared_columns(con) -> list[str]:
    """The columns a revision is looked for in: island, the measurements, sex and year,
    in the tidy table's order, where both builds have them (a measurement added to
    ``scripts/dataset.py`` since the last build is new everywhere, not a revision)."""
    now = [row[0] for row in con.execute("DESCRIBE penguins").fetchall()]
    then = {row[0] for row in con.execute("DESCRIBE previous_penguins").fetchall()}
    return [name for name in now if name in then and name not in TIDY_KEY]


def _revisions(con) -> tuple[list[dict], dict[str, int]]:
    """A few revised observations (in key order) and how many changed each column.

    The counts come from the positions in ``row_changes`` (no text); the values of
    the first ``LISTED_REVISIONS`` revised columns are read by key
    (``sql/compare/revision_values.sql``), so this costs the same whatever changed.
    """
    columns = con.execute("SELECT getvariable('compared_columns')").fetchone()[0]
    counts = con.execute(
        "SELECT position, count(*) FROM (SELECT unnest(revised_positions) AS position FROM row_changes "
        "WHERE change = 'revised') GROUP BY position"
    ).fetchall()
    per_column = {columns[p - 1]: n for p, n in sorted(counts, key=lambda pn: (-pn[1], columns[pn[0] - 1]))}
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE listed_revisions AS
        SELECT study_name, species, sample_number, island, year, revised_positions
        FROM row_changes WHERE change = 'revised'
        ORDER BY study_name, species, sample_number
        LIMIT {LISTED_REVISIONS}
        """
    )
    listed = con.execute(f"{sql.load('compare/revision_values')} LIMIT {LISTED_REVISIONS}").fetchall()
    revisions = [
        {
            "key": f"{study} / {species} / {number}",
            "species": species,
            "island": island,
            "year": year,
            "column": column,
            "old": old,
            "new": new,
        }
        for study, species, number, island, year, column, old, new in listed
    ]
    return revisions, per_column


def _removed_keys(con) -> list[str]:
    """The first few published observations (in key order) that the new build lacks."""
    rows = con.execute(
        f"""
        SELECT study_name, species, sample_number FROM row_changes WHERE change = 'removed'
        ORDER BY study_name, species, sample_number LIMIT {EXAMPLES}
        """
    ).fetchall()
    return [" / ".join(str(part) for part in row) for row in rows]


def check_removals(totals: dict, removed_keys: list[str], max_share: float) -> list[Violation]:
    """The ``removals`` rule: at most ``max_share`` of the observations already published may be missing now.

    A published penguin that vanishes is never a quiet change: a season left out, a
    file cut short, or keys renumbered (each old key is then removed and a new one
    added, so the last model would be "scored on added penguins" it was trained on).

    >>> check_removals({"previous": 344, "removed": 0}, [], 0.05)
    []
    >>> [v.describe() for v in check_removals({"previous": 344, "removed": 110}, ["PAL0708 / Adelie / 1"], 0.05)]
    ... # doctest: +ELLIPSIS
    ['rule "removals", column "study_name + species + sample_number": 110 rows of the 344 observations ... (32%; ...
    """
    from scripts.config import ENV_MAX_REMOVED

    previous, removed = totals["previous"], totals["removed"]
    if not previous or removed <= previous * max_share:
        return []
    return [
        Violation(
            "removals",
            " + ".join(TIDY_KEY),
            removed,
            f"of the {previous:,} observations the last build published are missing now ({removed / previous:.0%}; "
            f"at most {max_share:.0%} may go, {ENV_MAX_REMOVED}); a renumbered or re-filed observation counts as "
            f"removed and added. If they were withdrawn on purpose, run the build once with {ENV_MAX_REMOVED}=1",
            [quoted(key) for key in removed_keys],
        )
    ]


def _shown(value) -> str:
    return "missing" if value is None else quoted(value)


def check_revisions(totals: dict, revisions: list, revised_columns: dict, max_share: float) -> list[Violation]:
    """The ``revisions`` rule: at most ``max_share`` of the observations already published may change.

    >>> check_revisions({"previous": 344, "revised": 3}, [], {"body_mass_g": 3}, 0.05)
    []
    >>> [v.describe() for v in check_revisions({"previous": 344, "revised": 333}, [
    ...     {"key": "PAL0708 / Adelie / 1", "column": "sex", "old": "male", "new": "female"}],
    ...     {"sex": 333}, 0.05)]  # doctest: +ELLIPSIS
    ['rule "revisions", column "sex": 333 rows of the 344 observations the last build published ... (97%; ...
    """
    from scripts.config import ENV_MAX_REVISED

    previous, revised = totals["previous"], totals["revised"]
    if not previous or revised <= previous * max_share:
        return []
    examples = [
        f"{quoted(r['key'])} {r['column']} {_shown(r['old'])} → {_shown(r['new'])}" for r in revisions[:EXAMPLES]
    ]
    return [
        Violation(
            "revisions",
            ", ".join(revised_columns),
            revised,
            f"of the {previous:,} observations the last build published changed a value ({revised / previous:.0%}; "
            f"at most {max_share:.0%} may, {ENV_MAX_REVISED}); if the data was re-issued on purpose, "
            f"run the build once with {ENV_MAX_REVISED}=1",
            examples,
        )
    ]


def check_drift(drift, max_sd: float) -> list[Violation]:
    """The ``drift`` rule: no measurement's mean within a species x sex group may move more than
    ``max_sd`` pooled standard deviations from the last build (groups of ``DRIFT_MIN_GROUP`` or more)."""
    from scripts.config import ENV_MAX_DRIFT

    groups = drift[(drift["sex"] != "all") & (drift[["old_n", "new_n"]].min(axis=1) >= DRIFT_MIN_GROUP)]
    moved = groups[groups["shift_sd"] > max_sd].sort_values("shift_sd", ascending=False)
    violations = []
    for measurement, rows in moved.groupby("measurement", sort=False):
        examples = [
            f"{r.species} {r.sex} mean {r.old_mean:,.1f} → {r.new_mean:,.1f} ({r.shift_sd:.1f} SD)"
            for r in rows.head(EXAMPLES).itertuples()
        ]
        total = int((groups["measurement"] == measurement).sum())
        violations.append(
            Violation(
                "drift",
                measurement,
                None,
                f"moved more than {max_sd:g} pooled standard deviation{'s' if max_sd != 1 else ''} from the last "
                f"build in {len(rows)} of {total} species × sex groups ({ENV_MAX_DRIFT}); swapped labels, a "
                f"unit change or a shuffled column look like this; if the change is real, run the build once "
                f"with a larger {ENV_MAX_DRIFT}",
                examples,
            )
        )
    return violations


def added_sample(local):
    """Up to ``SCORED_ROWS`` penguins added since the last build with every measurement and sex,
    picked by a hash of their key (the same rows for the same data), from ``local`` DuckDB."""
    dataset.register(local)
    return local.con.execute(
        f"""
        SELECT species, island, sex, COLUMNS(getvariable('measurements'))
        FROM row_changes
        WHERE change = 'added' AND sex IS NOT NULL AND COLUMNS(getvariable('measurements')) IS NOT NULL
        ORDER BY hash({", ".join(TIDY_KEY)}), {", ".join(TIDY_KEY)}
        LIMIT {SCORED_ROWS}
        """
    ).df()


def score_previous_model(reference: Reference, rows, model_pin: str) -> dict:
    """How the model the last build published (pin ``model_pin``) predicts body mass of ``rows``,
    penguins it never saw.

    Returns ``{"rows", "rmse", "mae", "r2"}``, or ``{"rows", "note"}`` when the
    model cannot be loaded here (pickled by other package versions, say): that
    does not stop the build, and the note says why there are no figures.
    """
    import numpy as np
    import vetiver

    version = reference.manifest["pins"].get(model_pin)
    try:
        model = vetiver.VetiverModel.from_pin(reference.board, model_pin, version=version)
        features = list(model.prototype.model_fields)
        predicted = np.asarray(model.model.predict(rows[features]), dtype=float)
    except UNLOADABLE as exc:
        note = f"the last build's model (version {version}) could not be scored here: {first_line(exc)}"
        log.info("compare   %s", note)
        return {"rows": len(rows), "note": note}
    return {"rows": len(rows), **metrics(rows[TARGET].to_numpy(dtype=float), predicted)}


def metrics(actual, predicted) -> dict:
    """RMSE, MAE and R² of predictions.

    >>> metrics([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
    {'rmse': 0.5773502691896257, 'mae': 0.3333333333333333, 'r2': 0.5}
    """
    import numpy as np

    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    error = actual - predicted
    spread = float(((actual - actual.mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt((error**2).mean())),
        "mae": float(np.abs(error).mean()),
        "r2": float(1 - (error**2).sum() / spread) if spread else float("nan"),
    }
