"""The tables as files of the site (``report/site_data.py``): every table pin's CSV, JSON,
Parquet and metadata at stable paths, listed in ``data/index.json``, rewritten only when a pin changed."""

from __future__ import annotations

import json

import pandas as pd
import pins

from report import site_data
from scripts import config


def test_every_table_pin_gets_its_files_and_metadata(built_board, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(config.ENV_BOARD, str(built_board))
    monkeypatch.setenv("QUARTO_PROJECT_OUTPUT_DIR", "_site")
    assert site_data.main([]) == 0
    folder = tmp_path / "_site" / "data"
    board = pins.board_folder(str(built_board))
    manifest = board.pin_read("build_manifest")
    index = json.loads((folder / "index.json").read_text())
    names = [t["name"] for t in index["tables"]]
    assert "penguin_model" not in names and "build_manifest" not in names and "penguins" in names
    assert index["build_id"] == f"{manifest['built_at']} {manifest['source_hash'][:12]}"

    counts = board.pin_read("species_island_year_counts")
    about = json.loads((folder / "species_island_year_counts.metadata.json").read_text())
    assert about["rows"] == len(counts) and about["pin_version"] == manifest["pins"]["species_island_year_counts"]
    assert about["content_hash"] == board.pin_meta("species_island_year_counts").version.hash
    assert about["licence"].startswith("CC0") and "10.1371/journal.pone.0090081" in about["citation"]
    assert pd.read_csv(folder / "species_island_year_counts.csv")["penguins"].tolist() == counts["penguins"].tolist()
    assert len(json.loads((folder / "species_island_year_counts.json").read_text())) == len(counts)
    assert pd.read_parquet(folder / "species_island_year_counts.parquet").equals(counts)
    stats = json.loads((folder / "measurement_stats.metadata.json").read_text())
    assert {"name": "measurement", "type": "VARCHAR", "unit": None} in stats["columns"]
    tidy = json.loads((folder / "penguins.metadata.json").read_text())
    assert {c["name"]: c["unit"] for c in tidy["columns"]}["body_mass_g"] == "g"
    assert "written" in capsys.readouterr().err
    site = tmp_path / "_site"
    assert "cff-version: 1.2.0" in (site / "CITATION.cff").read_text()
    assert "@article{gorman2014," in (site / "citation.bib").read_text()

    # a second run with the same pins rewrites nothing
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name != "index.json"}
    assert site_data.main([]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name != "index.json"} == before
    assert "(0 written, " in capsys.readouterr().err


def test_a_large_tidy_table_is_offered_as_parquet_only():
    assert list(site_data.files("penguins", site_data.LARGE_ROWS + 1)) == ["parquet", "metadata"]
    assert list(site_data.files("penguins", 344)) == ["csv", "json", "parquet", "metadata"]


def test_a_board_without_a_build_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(config.ENV_BOARD, str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    assert site_data.main([]) == 4
    assert "holds no complete build" in capsys.readouterr().err
