"""The history across builds: the ``build_history`` pin (one row per complete build) and
the ``changes`` pin (this build against the last: penguins, averages, the model), as
the What changed page shows them. The functions take data and return data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scripts.compare import Comparison
    from scripts.reference import Reference

from scripts.names import HISTORY_PIN

METRICS = (("rmse", "test RMSE (g)"), ("mae", "test MAE (g)"), ("r2", "test R²"))


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
