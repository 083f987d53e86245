"""Train: predict body mass, compare candidate models, keep the best.

The reference model of this report is a linear regression of body mass on bill
length, species and sex. Here it competes, by k-fold cross-validation with a
fixed seed, against a mean baseline and richer models on all measurements; the
winner (lowest mean CV RMSE) is refitted on the training split, scored on a
held-out test split, and pinned with vetiver as ``penguin_model``. Every table
``model.qmd`` shows is returned here, so the page never refits or unpickles.

scikit-learn is imported inside the functions: quick commands stay quick.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scripts import dataset

TARGET = "body_mass_g"
CATEGORICAL = ("species", "island", "sex")
REFERENCE_FEATURES = ("bill_length_mm", "species", "sex")
SEED = 20240101
FOLDS = 5
TEST_SHARE = 0.2
PERMUTATION_REPEATS = 20
BASELINE = "mean baseline"
REFERENCE = "linear: bill length, species, sex"


@dataclass(frozen=True)
class Candidate:
    name: str
    features: tuple[str, ...]
    estimator: str  # "mean", "linear" or "boosting"
    description: str


def numeric_features() -> tuple[str, ...]:
    """Every measurement but the target (``scripts/dataset.py``), in the tidy table's order."""
    return tuple(name for name in dataset.measurement_names() if name != TARGET)


def candidates() -> tuple[Candidate, ...]:
    """The models that compete, the richer ones on every measurement of the description."""
    every = (*numeric_features(), *CATEGORICAL)
    return (
        Candidate(BASELINE, (), "mean", "Predicts the mean body mass of the training penguins."),
        Candidate(REFERENCE, REFERENCE_FEATURES, "linear", "The reference model: ordinary least squares."),
        Candidate(
            "linear: all measurements",
            every,
            "linear",
            "Ordinary least squares on every measurement, species, island and sex.",
        ),
        Candidate(
            "gradient boosting: all measurements",
            every,
            "boosting",
            "Histogram gradient-boosted trees on every measurement, species, island and sex.",
        ),
    )


@dataclass
class TrainResult:
    """The chosen fitted pipeline and the tables that describe the comparison."""

    model: object  # a fitted sklearn Pipeline
    chosen: Candidate
    prototype: object  # one-row DataFrame of the model's input columns
    tables: dict  # name -> DataFrame: model_cv_metrics, model_test_metrics, ...
    rows: dict  # train / test row counts
    domain: dict  # what the model may be asked about: see input_domain
    measures: list = field(default_factory=list)  # rule ``model quality`` (``check_skill``)


def input_domain(features, train_rows) -> dict:
    """The inputs the model answers for, per feature, pinned with it for the API.

    A measurement must lie within the gate's plausible range
    (``{"min", "max", "unit"}``, from ``scripts/dataset.py``); a category must
    be one the model learned (``{"values"}``): an unknown species would
    otherwise get the prediction of no species at all.
    """
    measured = set(dataset.measurement_names())
    domain = {}
    for feature in features:
        if feature in measured:
            m = dataset.find(feature)
            domain[feature] = {"min": m.low, "max": m.high, "unit": m.unit}
        else:
            domain[feature] = {"values": sorted(str(v) for v in train_rows[feature].dropna().unique())}
    return domain


def training_sample(engine):
    """The bounded stratified sample the model learns from (``sql/training_sample.sql``).

    Picked from the table ``sample_candidates`` that ``summarize.prepare`` keeps.
    """
    from scripts.engines import Named

    return engine.frame(Named("training_sample"))


def split_strata(sample):
    """Species x sex labels for a stratified train/test split.

    A split needs at least two rows of each label, so a stratum of one penguin
    (a species with a single sexed male, say) joins a shared ``rare`` label, and
    a lone ``rare`` row joins the largest stratum.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"species": ["A", "A", "A", "B", "C"], "sex": ["f", "f", "f", "m", "m"]})
    >>> list(split_strata(rows))
    ['A/f', 'A/f', 'A/f', 'rare', 'rare']
    >>> list(split_strata(rows.iloc[:4]))
    ['A/f', 'A/f', 'A/f', 'A/f']
    """
    strata = sample["species"].astype(str) + "/" + sample["sex"].astype(str)
    sizes = strata.map(strata.value_counts())
    strata = strata.where(sizes >= 2, "rare")
    if (strata == "rare").sum() == 1:
        strata = strata.replace("rare", strata.value_counts().idxmax())
    return strata


def make_pipeline(candidate: Candidate):
    """An unfitted Pipeline: one-hot encoding inside, so the API takes raw values."""
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    categorical = [f for f in candidate.features if f in CATEGORICAL]
    measured = numeric_features()
    numeric = [f for f in candidate.features if f in measured]
    prepare = ColumnTransformer(
        [
            ("num", "passthrough", numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        ],
        verbose_feature_names_out=False,
    )
    estimator = {
        "mean": lambda: DummyRegressor(strategy="mean"),
        "linear": LinearRegression,
        "boosting": lambda: HistGradientBoostingRegressor(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=SEED
        ),
    }[candidate.estimator]()
    if not candidate.features:  # the baseline ignores the features
        return Pipeline([("model", estimator)])
    return Pipeline([("prepare", prepare), ("model", estimator)])


def _inputs(frame, candidate: Candidate):
    columns = list(candidate.features) or list(REFERENCE_FEATURES)
    return frame[columns]


def check_skill(mean_rmse, max_ratio: float) -> list[dict]:
    """Stop the build when no model beats the mean baseline by a clear margin.

    ``mean_rmse``: each candidate's mean CV RMSE, by name. On penguins the best
    model's RMSE is about a third of the baseline's (294 g against 804 g cross-validated
    on the shipped data); when body mass no longer follows the measurements (a column
    shifted or shuffled across rows upstream) even the best model is within
    noise of the baseline, although every value passed the gate.
    ``REPORT_MAX_RMSE_RATIO`` sets the margin.

    >>> import pandas as pd
    >>> [m["shown"] for m in check_skill(pd.Series({BASELINE: 805.4, REFERENCE: 380.0}), 0.75)]
    ['0.47 of the mean baseline (380 g against 805 g)']
    >>> check_skill(pd.Series({BASELINE: 805.4, REFERENCE: 799.7}), 0.75)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scripts.errors.GateError: ... CV RMSE 800 g, 0.99 of the mean baseline's 805 g (at most 0.75 ...
    """
    from scripts.config import ENV_MAX_RMSE_RATIO
    from scripts.errors import GateError, Violation, measure

    best = mean_rmse.drop(BASELINE)
    ratio = best.min() / mean_rmse[BASELINE]
    shown = f"{ratio:.2f} of the mean baseline ({best.min():,.0f} g against {mean_rmse[BASELINE]:,.0f} g)"
    measured = [measure("model quality", round(float(ratio), 3), shown, f"at most {max_ratio:.2f}", ratio <= max_ratio)]
    if ratio <= max_ratio:
        return measured
    raise GateError(
        [
            Violation(
                "model quality",
                TARGET,
                None,
                f"is predicted hardly better than by its mean: the best model ({best.idxmin()}) has CV RMSE "
                f"{best.min():,.0f} g, {ratio:.2f} of the mean baseline's {mean_rmse[BASELINE]:,.0f} g "
                f"(at most {max_ratio:.2f} may pass, {ENV_MAX_RMSE_RATIO}); the measurements no longer relate "
                "to body mass, so columns are probably misaligned or shuffled in the raw data",
            )
        ],
        measured,
    )


def encoded_columns(prepare) -> dict[str, list[int]]:
    """Which columns of a fitted ``ColumnTransformer``'s output come from each input column.

    A passed-through measurement gives one column, a one-hot encoded category one
    column per category it learned.
    """
    columns = {}
    for name, transformer, inputs in prepare.transformers_:
        if isinstance(transformer, str) and transformer == "drop":
            continue  # dropped columns (the remainder) give no output column
        start = prepare.output_indices_[name].start
        widths = [len(c) for c in transformer.categories_] if hasattr(transformer, "categories_") else None
        for i, column in enumerate(inputs):
            width = widths[i] if widths else 1
            columns[column] = list(range(start, start + width))
            start += width
    return columns


def permutation_importance(model, inputs, target, n_repeats: int = PERMUTATION_REPEATS, seed: int = SEED):
    """How much the test RMSE grows when one input column is shuffled: an array, a row per
    column of ``inputs``, a column per repeat.

    The same figures as ``sklearn.inspection.permutation_importance(model, inputs,
    target, scoring="neg_root_mean_squared_error", n_repeats=..., random_state=seed)``
    (its ``importances``; ``tests/test_train.py`` holds them equal), from the same
    random draws, but the inputs are encoded once: encoding a shuffled column equals
    shuffling the rows of the columns encoded from it, and the encoding is most of
    the cost of each of the 120 predictions (about 1 s of a 4 s build).
    """
    import numpy as np
    from sklearn.metrics import root_mean_squared_error

    if "prepare" in model.named_steps:  # the mean baseline has no encoding step
        encoded, columns = model[:-1].transform(inputs), encoded_columns(model.named_steps["prepare"])
    else:
        encoded, columns = inputs.to_numpy(), {c: [i] for i, c in enumerate(inputs.columns)}
    predict = model[-1].predict
    baseline = root_mean_squared_error(target, predict(encoded))
    # scikit-learn draws one seed from random_state, then shuffles every column with
    # a fresh generator from it, cumulatively: each repeat shuffles the last one's rows.
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    increase = np.empty((inputs.shape[1], n_repeats))
    for row, column in enumerate(inputs.columns):
        generator = np.random.RandomState(column_seed)
        shuffled, order, block = encoded.copy(), np.arange(len(encoded)), columns[column]
        for repeat in range(n_repeats):
            generator.shuffle(order)
            shuffled[:, block] = shuffled[order][:, block]
            increase[row, repeat] = root_mean_squared_error(target, predict(shuffled)) - baseline
    return increase


def train(sample, max_rmse_ratio: float = 0.75) -> TrainResult:
    """Cross-validate every candidate, pick the best, score it on held-out data.

    ``max_rmse_ratio``: the best model's CV RMSE may be at most this share of the
    mean baseline's (``check_skill``).
    """
    import sklearn

    # The estimators' parameters are this module's constants, which its tests fit:
    # skipping scikit-learn's check of them on every call (hundreds of predictions in
    # cross-validation and permutation importance) saves about a quarter of the time
    # (3.2 s to 2.4 s on the shipped data), with the same results.
    with sklearn.config_context(skip_parameter_validation=True):
        return _train(sample, max_rmse_ratio)


def _train(sample, max_rmse_ratio: float) -> TrainResult:
    import numpy as np
    import pandas as pd
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
    from sklearn.model_selection import KFold, cross_validate, train_test_split

    if len(sample) < 10 * FOLDS:
        from scripts.errors import GateError, Violation

        raise GateError(
            [
                Violation(
                    "enough complete rows",
                    TARGET,
                    len(sample),
                    f"have every feature; the model needs at least {10 * FOLDS}",
                )
            ]
        )

    train_rows, test_rows = train_test_split(
        sample, test_size=TEST_SHARE, random_state=SEED, stratify=split_strata(sample)
    )
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    scoring = {"rmse": "neg_root_mean_squared_error", "mae": "neg_mean_absolute_error", "r2": "r2"}

    competing = candidates()
    cv_rows, fitted = [], {}
    for candidate in competing:
        scores = cross_validate(
            make_pipeline(candidate),
            _inputs(train_rows, candidate),
            train_rows[TARGET],
            cv=folds,
            scoring=scoring,
        )
        for fold in range(FOLDS):
            cv_rows.append(
                {
                    "model": candidate.name,
                    "fold": fold + 1,
                    "rmse": -scores["test_rmse"][fold],
                    "mae": -scores["test_mae"][fold],
                    "r2": scores["test_r2"][fold],
                }
            )
        fitted[candidate.name] = make_pipeline(candidate).fit(_inputs(train_rows, candidate), train_rows[TARGET])
    cv_metrics = pd.DataFrame(cv_rows)
    mean_rmse = cv_metrics.groupby("model", sort=False)["rmse"].mean()
    measured = check_skill(mean_rmse, max_rmse_ratio)
    chosen = next(c for c in competing if c.name == mean_rmse.idxmin())

    test_rows_out = []
    for candidate in competing:
        predicted = fitted[candidate.name].predict(_inputs(test_rows, candidate))
        actual = test_rows[TARGET]
        test_rows_out.append(
            {
                "model": candidate.name,
                "rmse": root_mean_squared_error(actual, predicted),
                "mae": mean_absolute_error(actual, predicted),
                "r2": r2_score(actual, predicted),
                "cv_rmse_mean": mean_rmse[candidate.name],
                "cv_rmse_sd": cv_metrics.loc[cv_metrics.model == candidate.name, "rmse"].std(),
                "chosen": candidate.name == chosen.name,
                "features": ", ".join(candidate.features) or "none",
                "description": candidate.description,
            }
        )

    model = fitted[chosen.name]
    test_inputs = _inputs(test_rows, chosen)
    predictions = test_rows[list(CATEGORICAL)].reset_index(drop=True).copy()
    predictions["actual_g"] = test_rows[TARGET].to_numpy()
    predictions["predicted_g"] = model.predict(test_inputs)
    predictions["residual_g"] = predictions["actual_g"] - predictions["predicted_g"]

    increase = permutation_importance(model, test_inputs, test_rows[TARGET])
    importance_table = pd.DataFrame(
        {
            "feature": list(test_inputs.columns),
            "rmse_increase_mean": increase.mean(axis=1),
            "rmse_increase_sd": increase.std(axis=1),
        }
    ).sort_values("rmse_increase_mean", ascending=False, ignore_index=True)

    coefficients = []
    for candidate in competing:
        if candidate.estimator != "linear":
            continue
        pipeline = fitted[candidate.name]
        names = pipeline.named_steps["prepare"].get_feature_names_out()
        regression = pipeline.named_steps["model"]
        coefficients.append({"model": candidate.name, "term": "(intercept)", "estimate": regression.intercept_})
        coefficients += [
            {"model": candidate.name, "term": str(term), "estimate": float(value)}
            for term, value in zip(names, np.ravel(regression.coef_), strict=True)
        ]

    return TrainResult(
        model=model,
        chosen=chosen,
        prototype=_inputs(train_rows, chosen).head(1).reset_index(drop=True),
        tables={
            "model_cv_metrics": cv_metrics,
            "model_test_metrics": pd.DataFrame(test_rows_out),
            "model_test_predictions": predictions,
            "model_importance": importance_table,
            "model_coefficients": pd.DataFrame(coefficients),
        },
        rows={"train": len(train_rows), "test": len(test_rows), "sample": len(sample)},
        domain=input_domain(list(_inputs(train_rows, chosen).columns), train_rows),
        measures=measured,
    )
