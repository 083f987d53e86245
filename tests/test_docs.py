"""Figures the docs state about the shipped data, checked against a build of it: a test
fails when the data, the model or the docs drift apart."""

from __future__ import annotations

import re

import pins

from scripts import config

DOCS = config.PROJECT_ROOT / "docs"


def grams(text: str, pattern: str) -> tuple[int, ...]:
    found = re.search(pattern, text)
    assert found, pattern
    return tuple(int(g) for g in found.groups())


def test_the_model_figures_in_the_docs_are_the_shipped_data_s(built_board):
    board = pins.board_folder(str(built_board))
    metrics = board.pin_read("model_test_metrics").set_index("model")
    chosen = metrics[metrics["chosen"]].iloc[0]
    baseline = metrics.loc["mean baseline"]
    test = (round(chosen["rmse"]), round(baseline["rmse"]))
    cv = (round(chosen["cv_rmse_mean"]), round(baseline["cv_rmse_mean"]))
    model_md = (DOCS / "model.md").read_text(encoding="utf-8")
    assert grams(model_md, r"test RMSE (\d+) g, against (\d+) g\s+for the mean baseline") == test
    gate_md = (DOCS / "gate.md").read_text(encoding="utf-8")
    assert grams(gate_md, r"about\s+0\.\d+\s+\(CV RMSE (\d+) g against (\d+) g\)") == cv
    assert f"{cv[0] / cv[1]:.2f} (CV RMSE" in gate_md
    train_py = (config.PROJECT_ROOT / "scripts" / "train.py").read_text(encoding="utf-8")
    assert grams(train_py, r"\((\d+) g against (\d+) g cross-validated") == cv
