"""Which pages execute again before a render (``report/freeze.py``), decided without Quarto:
each page's record of what it read (``report/inputs.py``) against the board now."""

from __future__ import annotations

import json
import shutil

import pytest

import report
from report import freeze, inputs
from scripts import config
from scripts.board_read import open_board, read_manifest

PAGES = ("index.qmd", "eda.qmd", "model.qmd", "data.qmd", "changes.qmd")


@pytest.fixture
def project(tmp_path):
    """A project folder with the site's _quarto.yml and pages, as Quarto sees it."""
    for name in ("_quarto.yml", *PAGES):
        shutil.copy2(config.PROJECT_ROOT / name, tmp_path / name)
    for folder in ("report", "scripts"):
        shutil.copytree(config.PROJECT_ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.fixture
def reading(project, built_board, monkeypatch):
    """``report`` as a page uses it while Quarto executes ``page`` in ``project``."""

    def start(page: str):
        monkeypatch.setenv("QUARTO_PROJECT_ROOT", str(project))
        monkeypatch.setenv("QUARTO_DOCUMENT_FILE", page)
        monkeypatch.setenv(config.ENV_BOARD, str(built_board))
        report.board.cache_clear()
        report._manifest.cache_clear()
        inputs._pins.clear()
        return report

    yield start
    report.board.cache_clear()
    report._manifest.cache_clear()
    inputs._pins.clear()


def test_a_page_records_every_pin_it_reads_at_its_version(project, built_board, reading):
    versions = read_manifest(open_board(str(built_board)))["pins"]

    pages = reading("eda.qmd")
    pages.read("measurement_stats")
    pages.read("histograms")
    pages.meta("overview")

    record = json.loads((project / "_freeze_inputs" / "eda.json").read_text())
    assert record["page"] == "eda.qmd"
    assert record["pins"] == {name: versions[name] for name in ("histograms", "measurement_stats", "overview")}
    assert record["source"] == inputs.fingerprints(project, "eda.qmd")["source"]


def test_outside_quarto_nothing_is_recorded(project, reading, monkeypatch):
    pages = reading("eda.qmd")
    monkeypatch.delenv("QUARTO_DOCUMENT_FILE")
    pages.read("overview")
    assert not (project / "_freeze_inputs").exists()


def frozen(project, *pages):
    for page in pages:
        (project / "_freeze" / page.removesuffix(".qmd") / "execute-results").mkdir(parents=True)


def test_only_the_pages_whose_inputs_changed_execute(project, built_board, reading, monkeypatch, capsys):
    pages = reading("eda.qmd")
    pages.read("measurement_stats")
    pages = reading("model.qmd")
    pages.read("model_test_metrics")
    frozen(project, *PAGES)
    # model.qmd read an older version of its pin than the board's last build holds
    path = project / "_freeze_inputs" / "model.json"
    record = json.loads(path.read_text())
    record["pins"]["model_test_metrics"] = "20250101T000000Z-00000"
    path.write_text(json.dumps(record))
    (project / "_freeze_inputs" / "data.json").write_text("{not json")  # damaged: data.qmd executes

    monkeypatch.chdir(project)
    assert freeze.main([]) == 0

    log = capsys.readouterr().err
    assert "[freeze] eda.qmd is unchanged: nothing it read changed" in log
    assert "[freeze] model.qmd executes: pin model_test_metrics changed" in log
    assert "[freeze] index.qmd executes: no record of what it read" in log
    assert "[freeze] data.qmd executes: no record of what it read" in log
    assert sorted(p.name for p in (project / "_freeze").iterdir()) == ["eda"]


def test_a_change_of_source_or_code_executes_the_page(project, reading, monkeypatch):
    pages = reading("eda.qmd")
    pages.read("measurement_stats")
    frozen(project, "eda.qmd")
    board = open_board(str(config.get_board()))
    assert freeze.decide(project, board)["eda.qmd"] is None

    (project / "eda.qmd").write_text((project / "eda.qmd").read_text() + "\nOne more sentence.\n")
    assert freeze.decide(project, board)["eda.qmd"] == "its source changed"


def test_a_site_is_rendered_again_only_when_something_changed(project, reading, monkeypatch, capsys):
    pages = reading("eda.qmd")
    pages.read("measurement_stats")
    frozen(project, "eda.qmd")
    board = open_board(str(config.get_board()))
    unchanged = {"eda.qmd": None}
    assert freeze.site_unchanged(project, unchanged) == "there is no rendered site"
    (project / "_site").mkdir()
    (project / "_site" / "index.html").write_text("<html></html>")
    assert freeze.site_unchanged(project, unchanged) == "no record of a whole render"

    monkeypatch.setenv("QUARTO_PROJECT_RENDER_ALL", "1")  # what Quarto sets for a render of the whole project
    freeze.record_site(project)
    assert freeze.site_unchanged(project, unchanged) is None
    assert freeze.site_unchanged(project, freeze.decide(project, board) | {"index.qmd": None}) == (
        "model.qmd executes: no record of what it read"
    )
    (project / "theme.scss").write_text("main { color: black; }\n")  # a file the render reads
    assert freeze.site_unchanged(project, unchanged) == "the site's sources or packages changed"

    freeze.record_site(project)
    monkeypatch.delenv("QUARTO_PROJECT_RENDER_ALL")  # a render of one page leaves the site partly old
    freeze.record_site(project)
    assert freeze.site_unchanged(project, unchanged) == "no record of a whole render"
