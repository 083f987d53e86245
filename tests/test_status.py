"""Freshness the reader's browser computes (``report/status.py``): ``status.json``, the stamps
as rendered, and the inline script that reads them, in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest

from report import status
from scripts import attempts, config
from scripts import board as boards
from scripts.board_read import open_board as board_at
from scripts.board_read import read_manifest


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_status(tmp_path, board, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(config.ENV_BOARD, str(board))
    code = status.main([])
    return code, capsys.readouterr().err


def test_status_json_says_the_last_check_the_data_and_the_schedule(built_board, tmp_path, monkeypatch, capsys):
    board = tmp_path / "board"
    shutil.copytree(built_board, board)
    boards.record_attempt(str(board), attempts.attempt("up to date", "2026-12-03T05:17:40Z"))
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(config.PROJECT_ROOT / status.WORKFLOW, tmp_path / status.WORKFLOW)

    code, err = run_status(tmp_path, board, monkeypatch, capsys)

    assert code == 0, err
    manifest = read_manifest(board_at(str(board)))
    written = json.loads((tmp_path / "status.json").read_text())
    assert written == {
        "last_check": "2026-12-03T05:17:40Z",
        "result": "up to date",
        "data_as_of": manifest["data_changed_at"],
        "build_id": f"{manifest['built_at']} {manifest['source_hash'][:12]}",
        "built_at": manifest["built_at"],
        "expected_period_hours": 24.0,  # publish.yml's cron, "17 5 * * *"
        "expect_data_every_days": None,
        "held_back": None,
        "attempts": "attempts.json",
    }
    published = json.loads((tmp_path / "attempts.json").read_text())
    assert [a["result"] for a in published["attempts"]] == ["up to date"]  # the copy has no log of its own
    box = (tmp_path / status.BOX_FILE).read_text()
    checked = '<time class="report-checked" datetime="2026-12-03T05:17:40Z">3 December 2026, 05:17 UTC'
    assert f"last checked {checked}" in box and "<script" not in box
    script = (tmp_path / status.SCRIPT_FILE).read_text()
    assert script.startswith("<script>") and "innerHTML" not in script and "http" not in script


def test_the_settings_override_the_schedule_and_promise_data(built_board, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(config.ENV_CHECK_EVERY_HOURS, "6")
    monkeypatch.setenv(config.ENV_EXPECT_DATA_EVERY, "365")
    code, _ = run_status(tmp_path, built_board, monkeypatch, capsys)
    written = json.loads((tmp_path / "status.json").read_text())
    assert code == 0 and written["expected_period_hours"] == 6.0 and written["expect_data_every_days"] == 365.0

    monkeypatch.setenv(config.ENV_EXPECT_DATA_EVERY, "yearly")
    code, err = run_status(tmp_path, built_board, monkeypatch, capsys)
    assert code == 1 and "REPORT_EXPECT_DATA_EVERY='yearly' is not a number of days" in err


# A page as Quarto lays it out: the box at the top of main (body-header), the script after
# the body, and a fixed clock (Date.now) so that "3 hours ago" does not depend on the test's speed.
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>
<body><main>{box}<h1>Page</h1></main><script>Date.now = function () {{ return {now_ms}; }};</script>
{script}</body></html>"""
NOW = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


def browser_text(folder, serve_folder) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    url = serve_folder(folder) + "/page.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={folder / '.chromium'}",
             "--virtual-time-budget=5000", "--dump-dom"]  # fmt: skip
    result = subprocess.run([chromium, *flags, url], capture_output=True, text=True, timeout=120)
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("hours_ago", "shown", "overdue"),
    [(3, "3 hours ago", False), (60, "3 days ago", True)],
    ids=["fresh", "overdue"],
)
def test_the_browser_says_how_long_ago_and_when_the_check_is_overdue(tmp_path, serve_folder, hours_ago, shown, overdue):
    now = NOW
    content = {
        "last_check": stamp(now - dt.timedelta(hours=hours_ago)),
        "result": "up to date",
        "data_as_of": stamp(now - dt.timedelta(days=400)),
        "build_id": "b",
        "expected_period_hours": 24.0,
        "expect_data_every_days": None,
    }
    site = tmp_path / "site"
    site.mkdir()
    (site / "status.json").write_text(json.dumps(content))
    page = PAGE.format(box=status.box(content), script=status.script(), now_ms=int(now.timestamp() * 1000))
    (site / "page.html").write_text(page)

    dom = browser_text(site, serve_folder)

    assert f'<time class="report-checked" datetime="{content["last_check"]}">{shown}</time>' in dom
    banners = dom.count('<p class="report-overdue" role="status">')
    assert banners == (1 if overdue else 0)  # none for the data's age: no data period promised
    assert ('role="status">The scheduled check is overdue: the last one ran 3 days ago' in dom) is overdue
