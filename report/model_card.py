"""The model card: how the model pin was trained, what the API takes, and how to call it."""

from __future__ import annotations

from report._escape import bullets, code, code_block, join, md, text
from scripts.text import span


def _build_metadata(model_meta) -> dict:
    """What the build pinned with the model: vetiver keeps it under ``user`` of its own metadata."""
    return model_meta.user["user"]


def model_card(model_meta, chosen, overview) -> dict:
    """The model card's fields as the page writes them (Markdown), from the model pin's metadata,
    the chosen row of ``model_test_metrics`` and the ``overview`` row."""
    rows = _build_metadata(model_meta)["training_rows"]
    return {
        "model": md("{model}: {description}", model=chosen["model"], description=chosen["description"]),
        "inputs": text(chosen["features"]),
        "trained_on": md(
            "{train:,} penguins with every input, a stratified sample of the {penguins:,} "
            "observed at Palmer Station ({years}); {test:,} more held out for testing",
            train=rows["train"],
            penguins=overview["penguins"],
            years=span(overview["first_year"], overview["last_year"]),
            test=rows["test"],
        ),
        "accuracy": md(
            "RMSE {rmse:,.0f} g, MAE {mae:,.0f} g, R² {r2:.2f} on held-out penguins",
            rmse=chosen["rmse"],
            mae=chosen["mae"],
            r2=chosen["r2"],
        ),
        "version": md(
            "{version}, built {built_at}, code {code_version}",
            version=code(model_meta.version.version),
            built_at=model_meta.user["built_at"],
            code_version=code(model_meta.user["code_version"]),
        ),
    }


def prototype_rows(model_meta) -> str:
    """A request body the API accepts: the model's prototype row, as a JSON list."""
    import json

    return json.dumps([json.loads(model_meta.user["vetiver_meta"]["prototype"])])


def api_examples(model_meta):
    """How to call the API with the prototype row: with curl and with vetiver (code blocks)."""
    row = prototype_rows(model_meta)
    curl = f"curl -s http://127.0.0.1:8080/predict \\\n  -H 'Content-Type: application/json' \\\n  -d '{row}'"
    python = (
        "import pandas as pd\nfrom vetiver import predict\n\n"
        f'rows = pd.DataFrame({row})\npredict(endpoint="http://127.0.0.1:8080/predict", data=rows)'
    )
    return join([code_block(curl, "bash"), code_block(python, "python")], "\n")


def input_rules(model_meta):
    """What the API accepts for each input (the domain pinned with the model), as a Markdown list."""
    rules = []
    for field, allowed in _build_metadata(model_meta)["input_domain"].items():
        if "values" in allowed:
            rules.append(
                md("{field}: one of {values}", field=code(field), values=join(map(code, allowed["values"]), ", "))
            )
        else:
            rules.append(
                md(
                    "{field}: from {low} to {high} {unit}",
                    field=code(field),
                    low=allowed["min"],
                    high=allowed["max"],
                    unit=allowed["unit"],
                )
            )
    return bullets(rules)
