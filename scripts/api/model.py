"""The model the API serves: loading the pin, its input rules as a row model, and a fast path for one row."""

from __future__ import annotations

import numpy as np

from scripts.errors import BoardError, first_line
from scripts.names import MODEL_PIN


def load_model(location: str, version: str | None = None):
    """The pinned VetiverModel, or a ``BoardError`` that says how to get one."""
    import vetiver

    from scripts.board_read import open_board

    board = open_board(location)
    if not board.pin_exists(MODEL_PIN):
        raise BoardError(
            f"the board {location} has no {MODEL_PIN!r} pin: build it with `uv run python -m scripts.build`"
        )
    if version is not None:
        known = [v.version for v in board.pin_versions(MODEL_PIN, as_df=False)]
        if version not in known:
            raise BoardError(
                f"the board {location} has no version {version!r} of {MODEL_PIN!r}; "
                f"it has: {', '.join(reversed(known))}"
            )
    try:
        return vetiver.VetiverModel.from_pin(board, MODEL_PIN, version=version)
    except Exception as exc:  # a damaged file, or one pickled by other package versions
        which = f"version {version!r}" if version else "the newest version"
        raise BoardError(
            f"cannot load {which} of {MODEL_PIN!r} from the board {location} ({first_line(exc)}): "
            "the file is damaged or was written with other package versions; "
            "rebuild it with `uv run python -m scripts.build --force`, "
            "or serve an older version with --model-version"
        ) from exc


class RowPredictor:
    """The pinned pipeline's predictions without scikit-learn's per-call pandas work.

    For a request of one row, ``Pipeline.predict`` spends most of its ~6 ms in the
    ColumnTransformer and OneHotEncoder handling a DataFrame by column name. This
    does the same arithmetic directly: the numeric columns as they are, then each
    categorical column one-hot encoded against the encoder's fitted categories
    (unknown values give all zeros, as ``handle_unknown="ignore"`` does), and
    hands the matrix to the fitted final estimator. ``for_pipeline`` returns None
    for any other pipeline shape, and ``check`` proves it equal to the pipeline.
    """

    def __init__(self, estimator, numeric: list[str], categorical: list[str], categories: list):
        self.estimator, self.numeric, self.categorical = estimator, numeric, categorical
        self.categories = [np.asarray(c, dtype=object) for c in categories]

    @classmethod
    def for_pipeline(cls, pipeline) -> RowPredictor | None:
        steps = getattr(pipeline, "named_steps", {})
        prepare, estimator = steps.get("prepare"), steps.get("model")
        if prepare is None or estimator is None or len(steps) != 2:
            return None
        numeric, categorical, categories = [], [], []
        declared = {name: transformer for name, transformer, _ in getattr(prepare, "transformers", [])}
        for name, transformer, columns in prepare.transformers_:
            # a fitted "passthrough" is an identity FunctionTransformer: check what was declared
            if name == "num" and isinstance(declared.get(name), str) and declared[name] == "passthrough":
                numeric = list(columns)
            elif name == "cat" and getattr(transformer, "handle_unknown", None) == "ignore":
                if getattr(transformer, "drop_idx_", None) is not None:
                    return None
                categorical, categories = list(columns), list(transformer.categories_)
            elif not (isinstance(transformer, str) and transformer == "drop") and len(columns):
                return None
        return cls(estimator, numeric, categorical, categories)

    def predict(self, frame):
        # One conversion of the whole frame, then columns by position: selecting
        # columns by name is most of what pandas costs on a one-row frame.
        position = {name: i for i, name in enumerate(frame.columns)}
        values = frame.to_numpy(dtype=object)
        parts = [values[:, [position[c] for c in self.numeric]].astype(float)]
        for column, known in zip(self.categorical, self.categories, strict=True):
            parts.append((values[:, [position[column]]] == known[None, :]).astype(float))
        return self.estimator.predict(np.hstack(parts))

    def check(self, pipeline, frame) -> bool:
        """True when this predicts what ``pipeline`` predicts for every row of ``frame``."""
        return bool(np.allclose(self.predict(frame), pipeline.predict(frame), rtol=1e-9, atol=1e-9))


def use_row_predictor(model) -> bool:
    """Serve ``model`` through ``RowPredictor`` when it provably predicts the same.

    The check runs at start-up on the prototype row, on that row with every known
    category and an unknown one in each categorical column, and with the numbers
    changed; on any difference (or another pipeline shape) the API keeps calling
    the pipeline itself. Returns whether the fast path is in use.
    """
    import pandas as pd

    pipeline = model.model
    fast = RowPredictor.for_pipeline(pipeline)
    if fast is None:
        return False
    fields = list(model.prototype.model_fields)
    example = {
        name: (field.json_schema_extra or {}).get("example") for name, field in model.prototype.model_fields.items()
    }
    rows = [example, {**example, **{c: example[c] * 1.1 for c in fast.numeric}}]
    for column, known in zip(fast.categorical, fast.categories, strict=True):
        rows += [{**example, column: value} for value in known]
        rows.append({**example, column: "not a known value"})
    try:
        same = fast.check(pipeline, pd.DataFrame(rows, columns=fields))
    except (ArithmeticError, AttributeError, IndexError, KeyError, TypeError, ValueError):  # keep the pipeline
        same = False
    if not same:
        return False
    slow = model.handler_predict

    def handler_predict(input_data, check_prototype):
        if isinstance(input_data, pd.DataFrame) and len(input_data):
            return fast.predict(input_data).tolist()
        return slow(input_data, check_prototype)

    model.handler_predict = handler_predict
    return True


# One row's fields that the model cannot take as missing, with what to send instead.
UNKNOWN_NOT_ALLOWED = {
    "sex": "sex is unknown: the model learned from sexed penguins only, so send the penguin twice, as "
    "'female' and as 'male', and read the two predictions as the range of its body mass",
}
# How much of a rejected value an error shows back.
SHOWN_INPUT = 80


def input_domain(model) -> dict | None:
    """The input domain the build pinned with the model (None for a model pinned before it was)."""
    return (model.metadata.user or {}).get("input_domain")


def row_model(model, domain: dict | None):
    """The pydantic model of one row: the pinned prototype's fields, with the input domain as rules.

    A number must be finite and within the gate's plausible range of the raw column
    it comes from (``ge``/``le``); a category one the model learned (``Literal``).
    FastAPI then answers a bad row with its own 422 ``detail`` list, and ``/docs``
    and ``/prototype`` show the ranges and the allowed values. Without a domain
    (a model pinned by an older build) the prototype stays as vetiver made it.
    """
    from typing import Literal

    import pydantic
    from pydantic_core import PydanticCustomError

    if not domain:
        return model.prototype
    fields = {}
    for name, field in model.prototype.model_fields.items():
        example = (field.json_schema_extra or {}).get("example")
        allowed = domain.get(name)
        extra = {"examples": [example], "json_schema_extra": {"example": example}}
        if allowed is None:
            fields[name] = (field.annotation, pydantic.Field(**extra))
        elif "values" in allowed:
            values = tuple(allowed["values"])
            hint = UNKNOWN_NOT_ALLOWED.get(name, "")
            fields[name] = (
                Literal[values],
                pydantic.Field(description=f"One of {', '.join(values)}. {hint}".strip(), **extra),
            )
        else:
            unit = f" {allowed['unit']}" if allowed.get("unit") else ""
            fields[name] = (
                float,
                pydantic.Field(
                    ge=allowed["min"],
                    le=allowed["max"],
                    allow_inf_nan=False,
                    description=f"From {allowed['min']} to {allowed['max']}{unit}, a plausible penguin.",
                    **extra,
                ),
            )

    def known(cls, value, info):
        if value is None:
            raise PydanticCustomError("missing_value", UNKNOWN_NOT_ALLOWED[info.field_name])
        return value

    validators = {
        f"{name}_known": pydantic.field_validator(name, mode="before")(known)
        for name in UNKNOWN_NOT_ALLOWED
        if name in fields
    }
    return pydantic.create_model("Penguin", __validators__=validators, **fields)


def shown(errors: list[dict], domain: dict | None) -> list[dict]:
    """FastAPI's validation errors as the API answers them: ``type``, ``loc``, ``msg`` and a
    short ``input`` (never the whole body back; JSON has no NaN or infinity, so those read null).

    >>> error = {"type": "less_than_equal", "loc": ("body", 0, "bill_length_mm"), "input": 700.0, "msg": "…"}
    >>> shown([error], {"bill_length_mm": {"min": 25, "max": 70, "unit": "mm"}})[0]["msg"]
    'Input should be from 25 to 70 mm, a plausible penguin'
    """
    import math

    answer = []
    for error in errors:
        loc = list(error.get("loc", ()))
        msg = str(error.get("msg", ""))
        allowed = (domain or {}).get(loc[-1]) if loc else None
        if allowed and "min" in allowed and error.get("type") in ("greater_than_equal", "less_than_equal"):
            unit = f" {allowed['unit']}" if allowed.get("unit") else ""
            msg = f"Input should be from {allowed['min']} to {allowed['max']}{unit}, a plausible penguin"
        value = error.get("input")
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        elif isinstance(value, bytes | bytearray):
            value = value[:SHOWN_INPUT].decode("utf-8", "replace")
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = None  # a whole row or body: the loc says where
        if isinstance(value, str) and len(value) > SHOWN_INPUT:
            value = value[:SHOWN_INPUT] + "…"
        answer.append({"type": error.get("type", "value_error"), "loc": loc, "msg": msg, "input": value})
    return answer
