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

What changed is pinned as ``changes``, and every complete build adds a row to
``build_history`` (``history_tables``). The functions take data and return data;
``scripts.build`` reads the board and pins the results.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from scripts import dataset, sql
from scripts.dataset import TIDY_KEY
from scripts.errors import BoardError, GateError, Violation, first_line
from scripts.names import CHANGES_PIN, HISTORY_PIN, TIDY_PIN
from scripts.progress import log
from scripts.text import quoted
from scripts.train import TARGET

# The last build's tables the comparison reads (besides the tidy table and the model).
REFERENCE_TABLES = ("measurement_stats", "species_island_year_counts", "model_test_metrics", "species_islands")
# A group mean is compared only where both builds have at least this many penguins
# in the group: below it, a mean moves by chance.
DRIFT_MIN_GROUP = 10
# How many added penguins, at most, the last build's model is scored on.
SCORED_ROWS = 5000
EXAMPLES = 3
# What loading and calling a pickled model raises when the packages it was
# pickled with are not these (a class that moved, an attribute renamed).
UNLOADABLE = (OSError, ValueError, TypeError, AttributeError, ImportError, KeyError, EOFError, pickle.UnpicklingError)
# How many revised observations the changes pin lists by name.
LISTED_REVISIONS = 20
METRICS = (("rmse", "test RMSE (g)"), ("mae", "test MAE (g)"), ("r2", "test R²"))


@dataclass
class Reference:
    """The last complete build, read at the versions its manifest names."""

    manifest: dict
    tables: dict  # name -> DataFrame (REFERENCE_TABLES, and build_history / changes when pinned)
    tidy: str | None  # local path of its tidy Parquet; None when it has no observation key
    board: object = None  # for the model, loaded only when penguins were added


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


def read_reference(board, manifest: dict | None) -> Reference | None:
    """The last complete build on ``board``, or None on a new board.

    A board whose last build predates a table the comparison needs (an older
    layout) has no reference: the log says so and this build starts the history.
    A pin that the manifest names but that cannot be read is a ``BoardError``:
    the comparison is part of the gate, so it is not skipped.
    """
    if not manifest:
        return None
    pins = manifest.get("pins", {})
    lacking = [name for name in (*REFERENCE_TABLES, TIDY_PIN) if name not in pins]
    if lacking:
        log.info("compare   the last build has no %s (an older layout): nothing to compare with", ", ".join(lacking))
        return None
    names = [*REFERENCE_TABLES, *(n for n in (HISTORY_PIN, CHANGES_PIN) if n in pins)]
    tables = {name: _read_table(board, name, pins[name]) for name in names}
    tidy = _path(board, TIDY_PIN, pins[TIDY_PIN])
    if not _has_key(tidy):
        log.info("compare   the last build's tidy table has no observation key (an older build): rows not matched")
        tidy = None
    return Reference(manifest=manifest, tables=tables, tidy=tidy, board=board)


def _path(board, name: str, version: str) -> str:
    from pins.errors import PinsError

    try:
        (path,) = board.pin_download(name, version=version)
    except (OSError, ValueError, PinsError) as exc:
        raise _unreadable(name, version, exc) from None
    return path


def _read_table(board, name: str, version: str):
    import pandas as pd

    path = _path(board, name, version)
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise _unreadable(name, version, exc) from None


def _unreadable(name: str, version: str, exc: Exception) -> BoardError:
    return BoardError(
        f"cannot read the last build's pin {name!r} (version {version}) to compare this build with "
        f"({first_line(exc)}); restore that version from a copy of the board, or build into a new board"
    )


def _has_key(path: str) -> bool:
    """Whether a tidy Parquet file has the observation key columns (read from its footer)."""
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
    except (OSError, ValueError) as exc:
        raise _unreadable(TIDY_PIN, path.rsplit("/", 2)[-2], exc) from None
    return set(TIDY_KEY) <= names


def same_build(reference: Reference | None, source_hash: str, code_hash: str) -> bool:
    """Whether the last build read this very data with this very code (a forced re-run)."""
    return bool(
        reference
        and reference.manifest.get("source_hash") == source_hash
        and reference.manifest.get("code_hash") == code_hash
    )


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


def test_rmse(reference: Reference) -> float:
    """The test RMSE of the model the last build chose (its ``model_test_metrics``)."""
    table = reference.tables["model_test_metrics"]
    return float(table[table["chosen"]].iloc[0]["rmse"])


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


# ---------------------------------------------------------------- history and changes


def history_row(meta: dict, test_metrics, species_islands, totals: dict | None, previous_model: dict | None) -> dict:
    """One row of ``build_history``: a complete build, what it read and how its model did."""
    chosen = test_metrics[test_metrics["chosen"]].iloc[0]
    by_species = species_islands.sort_values("species")
    previous_model = previous_model or {}
    return {
        "built_at": meta["built_at"],
        "source_hash": meta["source_hash"],
        "code_version": meta.get("code_version", "unknown"),
        "code_hash": str(meta.get("code_hash", ""))[:12],
        "rows_in": int(meta.get("source_rows", 0)),
        "rows_out": int(meta.get("clean_rows", 0)),
        "penguins": int(by_species["penguins"].sum()),
        "penguins_by_species": ", ".join(f"{r.species} {r.penguins:,}" for r in by_species.itertuples()),
        "added": None if totals is None else totals["added"],
        "removed": None if totals is None else totals["removed"],
        "revised": None if totals is None else totals["revised"],
        "model": str(chosen["model"]),
        "test_rmse": float(chosen["rmse"]),
        "test_mae": float(chosen["mae"]),
        "test_r2": float(chosen["r2"]),
        "previous_model_rows": previous_model.get("rows"),
        "previous_model_rmse": previous_model.get("rmse"),
        "previous_model_mae": previous_model.get("mae"),
        "previous_model_r2": previous_model.get("r2"),
    }


def build_history(reference: Reference | None, row: dict):
    """``build_history``: the last build's history with this build's ``row`` added.

    A board whose last build predates the history starts it with that build's
    row, made from its manifest and tables.
    """
    import pandas as pd

    if reference is None:
        earlier = pd.DataFrame()
    elif HISTORY_PIN in reference.tables:
        earlier = reference.tables[HISTORY_PIN]
    else:
        seed = history_row(
            reference.manifest,
            reference.tables["model_test_metrics"],
            reference.tables["species_islands"],
            None,
            None,
        )
        earlier = pd.DataFrame([{"build": 1, **seed}])
    number = int(earlier["build"].max()) + 1 if len(earlier) else 1
    frame = pd.concat([earlier, pd.DataFrame([{"build": number, **row}])], ignore_index=True)
    integers = ["build", "rows_in", "rows_out", "penguins", "added", "removed", "revised", "previous_model_rows"]
    floats = ["test_rmse", "test_mae", "test_r2", "previous_model_rmse", "previous_model_mae", "previous_model_r2"]
    return frame.astype({**dict.fromkeys(integers, "Int64"), **dict.fromkeys(floats, "float64")})


CHANGE_COLUMNS = {
    "section": "string",
    "species": "string",
    "island": "string",
    "year": "Int64",
    "sex": "string",
    "item": "string",
    "old": "Float64",
    "new": "Float64",
    "difference": "Float64",
    "added": "Int64",
    "removed": "Int64",
    "revised": "Int64",
    "detail": "string",
}


def changes_table(reference: Reference | None, comparison: Comparison | None, test_metrics):
    """``changes``: this build against the last one, one row per thing that changed.

    ``section`` says what a row is: ``penguins`` (added, removed, revised, and the
    count then and now, by species x island x year), ``revision`` (a few revised
    observations by name: ``detail`` says the key and the values), ``statistic``
    (a measurement's mean by species and sex, then and now, ``detail`` the move
    in pooled standard deviations), ``model`` (the chosen model's test metrics,
    then and now; and the last model on the added penguins). Empty on a first build.
    """
    import pandas as pd

    rows: list[dict] = []
    if reference is not None and comparison is not None:
        for r in comparison.counts.itertuples():
            rows.append(
                {
                    "section": "penguins",
                    "species": r.species,
                    "island": r.island,
                    "year": r.year,
                    "item": "penguins",
                    "old": r.old,
                    "new": r.new,
                    "difference": r.new - r.old,
                    "added": r.added,
                    "removed": r.removed,
                    "revised": r.revised,
                }
            )
        for r in comparison.revisions:
            rows.append(
                {
                    "section": "revision",
                    "species": r["species"],
                    "island": r["island"],
                    "year": r["year"],
                    "item": r["column"],
                    "old": _number(r["old"]),
                    "new": _number(r["new"]),
                    "detail": f"{r['key']}: {r['column']} {_value(r['old'])} → {_value(r['new'])}",
                }
            )
        moved = comparison.drift[comparison.drift["difference"].abs() > 0]
        for r in moved.itertuples():
            rows.append(
                {
                    "section": "statistic",
                    "species": r.species,
                    "sex": r.sex,
                    "item": f"mean {r.measurement}",
                    "old": r.old_mean,
                    "new": r.new_mean,
                    "difference": r.difference,
                    "detail": "" if pd.isna(r.shift_sd) else f"{r.shift_sd:.2f} pooled SD",
                }
            )
        rows += _model_changes(reference.tables["model_test_metrics"], test_metrics, comparison.previous_model)
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return frame.astype(CHANGE_COLUMNS)


def _model_changes(previous, current, previous_model: dict | None) -> list[dict]:
    old = previous[previous["chosen"]].iloc[0]
    new = current[current["chosen"]].iloc[0]
    detail = "" if old["model"] == new["model"] else f"model {old['model']} → {new['model']}"
    rows = [
        {
            "section": "model",
            "item": label,
            "old": float(old[name]),
            "new": float(new[name]),
            "difference": float(new[name]) - float(old[name]),
            "detail": detail,
        }
        for name, label in METRICS
    ]
    if previous_model and "rmse" in previous_model:
        rows += [
            {
                "section": "model",
                "item": f"last model on added penguins: {label.removeprefix('test ')}",
                "old": float(old[name]),
                "new": float(previous_model[name]),
                "difference": float(previous_model[name]) - float(old[name]),
                "detail": f"the last build's model on {previous_model['rows']:,} added penguins, "
                "against its own test split",
            }
            for name, label in METRICS
        ]
    elif previous_model and "note" in previous_model:
        rows.append({"section": "model", "item": "last model on added penguins", "detail": previous_model["note"]})
    return rows


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _value(text) -> str:
    return "missing" if text is None else str(text)
