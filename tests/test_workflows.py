"""The GitHub workflows: triggers, gate before render, least privilege."""

from __future__ import annotations

import yaml

from scripts import config

WORKFLOWS = config.PROJECT_ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML reads the key `on` as True
    return workflow


def step_names(job: dict) -> list[str]:
    return [step.get("name") or step.get("uses", "").split("@")[0] for step in job["steps"]]


def test_ci_lints_tests_and_renders_with_quarto():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    assert ci["permissions"] == {"contents": "read"}
    commands = " ".join(s.get("run", "") for s in ci["jobs"]["test"]["steps"])
    assert "ruff check" in commands and "uv run pytest" in commands
    render = ci["jobs"]["render"]["steps"]
    quarto = next(s for s in render if s.get("uses", "").startswith("quarto-dev/quarto-actions/setup"))
    assert quarto["with"]["version"].count(".") == 2  # pinned
    assert any("pytest -m quarto" in s.get("run", "") for s in render)


def test_publish_gates_before_render_and_deploys_with_least_privilege():
    publish = load("publish.yml")
    assert set(publish["on"]) == {"schedule", "workflow_dispatch", "push"}
    assert publish["on"]["schedule"][0]["cron"]
    assert publish["permissions"] == {"contents": "read"}
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build = publish["jobs"]["build"]
    assert "fork" in build["if"]
    names = step_names(build)
    gate, render = names.index("Gate and build the pins"), names.index("Render the site")
    upload = names.index("actions/upload-pages-artifact")
    assert gate < render < upload
    assert build["steps"][gate]["run"] == "uv run python -m scripts.build"
    assert "vars.REPORT_SOURCE" in build["env"]["REPORT_SOURCE"]
    deploy = publish["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")
