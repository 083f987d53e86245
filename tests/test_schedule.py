"""The schedule in the open: the publish workflow's steps, run in order on a fresh runner each time
(restore, build, copy the board, write the site's status, publish), over three scheduled runs:
a good build, one the gate holds back, and a good one again.

After each run: the site's ``status.json``, its attempts log, the change feed (parsed with a
real feed parser) and the banner a reader's browser shows (headless Chromium, fixed clock).
The held-back run changes no pin: the published board is byte-identical before and after it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from report import feed, status
from scripts import build, config, history
from tests.helpers import new_season, raw_rows, snapshot, swap_sex, write_csv
from tests.test_status import PAGE, browser_text


def scheduled_run(tmp_path, site, site_url, source, run, monkeypatch) -> int:
    """One run of publish.yml's build job on an empty runner; returns the build's exit status."""
    runner = tmp_path / f"runner-{run}"
    board, render_board = runner / "data" / "board", runner / "temp" / "board"
    (runner / "data").mkdir(parents=True)
    monkeypatch.chdir(runner)
    monkeypatch.setenv(config.ENV_SITE_URL, site_url)
    # Restore the board history and the attempts log from the published site
    restore = [
        "--board",
        str(board),
        "restore",
        "--url",
        f"{site_url}/board",
        "--attempts",
        f"{site_url}/attempts.json",
    ]
    assert history.main(restore) == 0
    # Gate and build the pins (continue-on-error: a held-back build goes on to the deploy)
    code = build.main(["--source", str(source), "--board", str(board)])
    # Copy the board for the render; write status.json, attempts.json and changes.xml
    assert history.main(["--board", str(board), "publish", "--out", str(render_board)]) == 0
    monkeypatch.setenv(config.ENV_BOARD, str(render_board))
    assert status.main([]) == 0
    # Publish: the site's files and its board (the pages themselves are test_pages' concern)
    site.mkdir(exist_ok=True)
    for name in (status.STATUS_FILE, status.ATTEMPTS_FILE, feed.FEED_FILE, status.BOX_FILE, status.SCRIPT_FILE):
        shutil.copy2(runner / name, site / name)
    shutil.rmtree(site / "board", ignore_errors=True)
    shutil.copytree(render_board, site / "board")
    return code


def published(site) -> tuple[dict, dict]:
    return json.loads((site / "status.json").read_text()), json.loads((site / "attempts.json").read_text())


def reader_sees(site, serve_folder, content: dict, box: str | None = None) -> str:
    """The page as a reader's browser shows it, three hours after the last check."""
    now = dt.datetime.fromisoformat(content["last_check"].replace("Z", "+00:00")) + dt.timedelta(hours=3)
    page = PAGE.format(
        box=box if box is not None else (site / status.BOX_FILE).read_text(),
        script=status.script(),
        now_ms=int(now.timestamp() * 1000),
    )
    (site / "page.html").write_text(page)
    return browser_text(site, serve_folder)


@pytest.mark.slow
def test_good_then_held_back_then_good_again(tmp_path, serve_folder, monkeypatch):
    import feedparser

    site = tmp_path / "site"
    site.mkdir()
    site_url = serve_folder(site)
    first = write_csv(tmp_path / "first.csv", raw_rows())
    swapped = write_csv(tmp_path / "swapped.csv", swap_sex(raw_rows()))
    season = write_csv(tmp_path / "season.csv", new_season(raw_rows()))

    # 1. A good build: published, no banner, one entry in the feed.
    assert scheduled_run(tmp_path, site, site_url, first, 1, monkeypatch) == 0
    content, log = published(site)
    assert content["result"] == "built" and content["held_back"] is None
    assert [a["result"] for a in log["attempts"]] == ["built"]
    built_first = content["build_id"]
    parsed = feedparser.parse((site / "changes.xml").read_bytes())
    assert not parsed.bozo and parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == [f"First build: 344 penguins, {rmse_of(log['attempts'][-1])}"]
    first_id = parsed.entries[0].id
    assert first_id.startswith("tag:127.0.0.1,") and parsed.entries[0].link == f"{site_url}/changes.html"
    dom = reader_sees(site, serve_folder, content)
    assert "3 hours ago" in dom and 'class="report-held-back"' not in dom
    board_before = snapshot(site / "board")

    # 2. Every sex label swapped: the gate holds the build back, the site keeps build 1 and says so.
    assert scheduled_run(tmp_path, site, site_url, swapped, 2, monkeypatch) == 2
    assert snapshot(site / "board") == board_before  # no pin changed
    content, log = published(site)
    assert [a["result"] for a in log["attempts"]] == ["built", "held back"]
    held = log["attempts"][-1]
    assert any(m["rule"] == "revisions" and not m["passed"] for m in held["measures"])
    assert content["result"] == "held back" and content["build_id"] == built_first
    message = content["held_back"]["message"]
    assert message.startswith("The data checked on ")
    assert " was held back: revisions 333 of 344 (96.8%; at most 5%)" in message
    assert message.endswith(f"The figures below are from the build of {status._when(content['built_at'])}.")
    dom = reader_sees(site, serve_folder, content)
    assert f'<p class="report-held-back" role="status">{message}</p>' in dom
    held_back_box = (site / status.BOX_FILE).read_text()  # the box as a render of that run wrote it
    assert "report-held-back" in held_back_box
    parsed = feedparser.parse((site / "changes.xml").read_bytes())
    assert parsed.entries[0].title == "Held back: revisions 333 of 344 (96.8%)"
    assert parsed.entries[1].id == first_id  # stable across renders
    assert "The build was held back; the site keeps the last good one." in parsed.entries[0].summary

    # 3. A good build again: published, the banner gone (also from a page rendered while it was held back).
    assert scheduled_run(tmp_path, site, site_url, season, 3, monkeypatch) == 0
    content, log = published(site)
    assert [a["result"] for a in log["attempts"]] == ["built", "held back", "built"]
    assert content["result"] == "built" and content["held_back"] is None and content["build_id"] != built_first
    dom = reader_sees(site, serve_folder, content, box=held_back_box)
    assert 'class="report-held-back"' not in dom and "3 hours ago" in dom
    parsed = feedparser.parse((site / "changes.xml").read_bytes())
    summary = log["attempts"][-1]["summary"]
    assert summary["added"] == 120 and summary["removed"] == 0
    assert parsed.entries[0].title.startswith("+120 penguins, model RMSE ")
    assert [e.id for e in parsed.entries[1:]] == [e.id for e in feedparser.parse(feed.atom(
        {"attempts": log["attempts"][:2], "older": log["older"]}, site_url)).entries]  # fmt: skip
    assert len({e.id for e in parsed.entries}) == 3


def rmse_of(entry: dict) -> str:
    return f"model RMSE {entry['summary']['test_rmse']:,.0f} g"


def test_an_up_to_date_check_adds_no_feed_entry_and_the_feed_is_the_same_bytes():
    from scripts import attempts

    log = attempts.append(None, attempts.attempt("built", "2026-12-01T05:17:00Z", build_id="b 1", summary={
        "build": 1, "penguins": 344, "added": None, "removed": None, "revised": None, "test_rmse": 297.1,
        "previous_test_rmse": None}))  # fmt: skip
    before = feed.atom(log, "https://owner.github.io/repo")
    log = attempts.append(log, attempts.attempt("up to date", "2026-12-02T05:17:00Z"))
    assert feed.atom(log, "https://owner.github.io/repo") == before
    assert attempts.fingerprint(log) == attempts.fingerprint(attempts.append(None, log["attempts"][0]))


def test_feed_text_is_escaped():
    import feedparser

    from scripts import attempts

    entry = attempts.attempt(
        "held back", "2026-12-02T05:17:00Z", problems=['rule "x", column "<b>&": 1 row </summary>']
    )
    text = feed.atom(attempts.append(None, entry), "https://owner.github.io/repo")
    assert "<b>" not in text and "&lt;b&gt;&amp;" in text
    parsed = feedparser.parse(text.encode())
    assert not parsed.bozo and parsed.entries[0].title == "Held back: x"
