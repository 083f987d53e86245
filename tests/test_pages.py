"""The Quarto pages, executed as Quarto's Jupyter engine does: each .qmd's
Python cells in a real kernel, against a board built from the shipped data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from benchmarks.render import copy_project
from report import optimize
from report._escape import escape_html
from scripts import build, config, dataset
from tests.helpers import HOSTILE, foreign_resources, hostile_copy, raw_rows, write_csv

# Every page runs in a Jupyter kernel.
pytestmark = pytest.mark.slow

PAGES = ["index.qmd", "eda.qmd", "model.qmd", "data.qmd", "changes.qmd"]
CELL = re.compile(r"^```\{python\}\n(.*?)^```$", re.S | re.M)
INLINE = re.compile(r"`\{python\} ([^`]+)`")
PROCESSING = re.compile(
    r"import duckdb|duckdb\.|sklearn|\.fit\(|pin_write|\.groupby\(|\.pivot_table\(|\.merge\(|"
    r"\.to_parquet\(|\.to_csv\([^)]*['\"/]|\bSELECT\b|\bFROM\s+\w+\s+WHERE\b",
)


def python_cells(page: str) -> list[str]:
    return CELL.findall((config.PROJECT_ROOT / page).read_text())


def execute(page: str, board, monkeypatch) -> nbformat.NotebookNode:
    """Run the page's cells in a fresh kernel, then its inline expressions (`` `{python} expr` ``)
    as Quarto does after the cells; the last output is the page's text with them filled in."""
    monkeypatch.setenv(config.ENV_BOARD, str(board))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in python_cells(page)])
    text = CELL.sub("", (config.PROJECT_ROOT / page).read_text())
    expressions = INLINE.findall(text)
    if expressions:
        # Quarto writes a Markdown object as Markdown; every value a page shows inline is
        # one, made by report's escaping helpers (a plain value fails the page here)
        show = "lambda v: v._repr_markdown_() if hasattr(v, '_repr_markdown_') else f'NOT MARKDOWN: {v!r}'"
        inline = f"_shown = {show}\n" + "\n".join(f"print(_shown({e}), end='\\x00')" for e in expressions)
        notebook.cells.append(nbformat.v4.new_code_cell(inline))
    client = NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(config.PROJECT_ROOT)}}
    )
    client.execute()
    if expressions:
        last = notebook.cells[-1]
        values = iter("".join(o["text"] for o in last.outputs if o.get("output_type") == "stream").split("\x00"))
        last.outputs = [nbformat.v4.new_output("stream", name="stdout", text=INLINE.sub(lambda _: next(values), text))]
        assert "NOT MARKDOWN: " not in last.outputs[0]["text"], f"{page}: an inline value is not escaped Markdown"
    return notebook


def outputs(notebook, mime: str) -> list[str]:
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if mime == "stream" and output.get("output_type") == "stream":
                found.append(output["text"])
            elif mime in output.get("data", {}):
                found.append(output["data"][mime])
    return found


def reads(notebook) -> str:
    """The page's Markdown as a reader reads it: every output (streams and Markdown,
    the page's text with its inline values last), with Markdown's backslash escapes undone."""
    text = "".join(outputs(notebook, "stream") + outputs(notebook, "text/markdown"))
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def label_of(cell_source: str) -> str:
    return re.search(r"#\| label: (\S+)", cell_source).group(1)


@pytest.fixture(scope="module")
def executed(built_board, tmp_path_factory):
    """Every page executed against the built board, each in its own kernel, as
    Quarto does; the kernels run side by side (most of their time is start-up)."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch = pytest.MonkeyPatch()
    try:
        with ThreadPoolExecutor(max_workers=len(PAGES)) as pool:
            notebooks = pool.map(lambda page: execute(page, built_board, monkeypatch), PAGES)
            yield dict(zip(PAGES, notebooks, strict=True))
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("page", PAGES)
def test_every_cell_is_labelled_and_only_reads_and_draws(page):
    cells = python_cells(page)
    assert cells, page
    labels = [label_of(c) for c in cells]
    assert labels[0] == "setup" and len(set(labels)) == len(labels)
    for cell in cells:
        assert not PROCESSING.search(cell), f"{page}: {label_of(cell)} computes: move it into scripts/"
    text = (config.PROJECT_ROOT / page).read_text()
    assert re.search(r"^description: .{40,}", text, re.M), f"{page} needs a description for readers and search"
    for expression in INLINE.findall(text):  # Quarto: inline code shows values computed in cells
        assert re.fullmatch(r'\w+(\["\w+"\])?', expression), f"{page}: compute `{expression}` in a cell"


@pytest.mark.parametrize(
    ("page", "figures", "tables", "downloads"),
    [
        ("index.qmd", 0, 0, 0),
        ("eda.qmd", 5, 4, 6),
        ("model.qmd", 4, 2, 4),
        ("data.qmd", 0, 1, 18),  # every table and the full tidy table
        ("changes.qmd", 1, 2, 2),  # a first build: the gate log (one attempt) and the versions table
    ],
)
def test_pages_show_what_they_promise(executed, page, figures, tables, downloads):
    notebook = executed[page]
    svgs = outputs(notebook, "image/svg+xml")
    assert len(svgs) == figures and not outputs(notebook, "image/png")
    for svg in svgs:  # crisp at any density, its size declared (no layout shift)
        assert re.search(r'<svg[^>]* width="[\d.]+pt" height="[\d.]+pt"', svg), svg[:300]
    # no HTML output: Quarto adds require.js and jQuery from a CDN to a page that has any
    assert not outputs(notebook, "text/html")
    shown = outputs(notebook, "text/markdown")
    assert sum("gt_table" in h for h in shown) == tables
    links = sum(h.count('download="') for h in shown) + sum(s.count('download="') for s in outputs(notebook, "stream"))
    assert links == downloads
    source = (config.PROJECT_ROOT / page).read_text()
    assert len(re.findall(r"#\| label: fig-", source)) == figures
    for label in re.findall(r"#\| label: (fig-\S+)", source):
        block = source[source.index(f"#| label: {label}") :].split("\n```", 1)[0]
        assert "#| fig-alt:" in block and "#| fig-cap:" in block, f"{label} needs alt text and a caption"


def test_headline_numbers_equal_the_pins(executed, built_board):
    import pins

    board = pins.board_folder(str(built_board))
    overview = board.pin_read("overview").iloc[0]
    metrics = board.pin_read("model_test_metrics")
    chosen = metrics[metrics["chosen"]].iloc[0]
    text = reads(executed["index.qmd"])
    assert f"**{overview['penguins']:,}** penguins observed" in text
    assert "**344** penguins observed" in text
    assert "**3** species" in text and "**3** islands" in text and "(2007–2009)" in text
    assert f"within **{chosen['rmse']:,.0f} g**" in text
    assert "*Data as of*" in text and "*Last checked*" not in text  # the check time is status.json's
    assert "Stale data" not in text
    assert "This is the first build on this board: there is nothing to compare it with yet." in text


def test_the_changes_page_says_what_a_new_season_changed(season_board, monkeypatch):
    import pins

    history = pins.board_folder(str(season_board)).pin_read("build_history")
    first, second = history.iloc[0], history.iloc[1]
    summary = f"+120 penguins, model RMSE {first['test_rmse']:,.0f} → {second['test_rmse']:,.0f} g."
    overview = reads(execute("index.qmd", season_board, monkeypatch))
    assert "Since the last build (" in overview and summary in overview
    notebook = execute("changes.qmd", season_board, monkeypatch)
    text = reads(notebook)
    assert summary in text
    tables = [h for h in outputs(notebook, "text/markdown") if "gt_table" in h]
    assert len(tables) == 5  # penguins, averages, model, the gate log, versions
    gate = next(t for t in tables if "What the gate measured at each attempt" in t)
    # both builds (the season's first), each rule with what it measured and its limit
    assert gate.count("· built · data") == 2 and gate.count(">model quality</td>") == 2
    for rule, measured, limit in [
        ("row count", "no fewer rows", "at most 10%"),
        ("removals", "0 of 344 (0.0%)", "at most 5%"),
        ("revisions", "0 of 344 (0.0%)", "at most 5%"),
        ("model quality", "of the mean baseline (", "at most 0.75"),
    ]:
        assert re.search(f">{re.escape(rule)}</td>\\s*<td[^>]*>[^<]*{re.escape(measured)}[^<]*</td>\\s*<td[^>]*>"
                         f"{re.escape(limit)}</td>\\s*<td[^>]*>✓ passed</td>", gate), rule  # fmt: skip
    assert "✗" not in gate
    assert "PAL1011" not in text  # added penguins are counted, not listed
    assert len(outputs(notebook, "image/svg+xml")) == 1


def test_sentences_about_the_data_are_made_from_the_pins(executed, built_board):
    import pins

    board = pins.board_folder(str(built_board))
    text = reads(executed["eda.qmd"])
    assert "Adelie penguins were found on Biscoe, Dream and Torgersen" in text
    assert "Chinstrap penguins were found only on Dream; Gentoo penguins were found only on Biscoe." in text
    trends = board.pin_read("bill_trends").set_index("group")["slope"]
    assert f"(the dashed line: {trends['All species']:+.2f} mm of depth per mm of length)" in text
    assert "Simpson's paradox" in text and f"Gentoo {trends['Gentoo']:+.2f}" in text
    assert "Of 344 penguins, 2 without bill length," in text and "and 11 that could not be sexed;" in text
    card = reads(executed["model.qmd"])
    rows = board.pin_meta("penguin_model").user["user"]["training_rows"]
    assert f"{rows['train']:,} penguins with every input, a stratified sample of the 344 observed" in card
    assert "(2007–2009)" in card


@pytest.mark.parametrize("page", PAGES)
def test_captions_and_alt_texts_state_no_typed_in_numbers(page):
    # A number typed into a caption goes stale when the data changes; the pins
    # and the text made from them carry the numbers.
    options = re.findall(r"^#\| fig-(?:cap|alt): (.*)$", (config.PROJECT_ROOT / page).read_text(), re.M)
    assert all(not re.search(r"\d", option) for option in options), options


def test_pages_read_true_for_one_species(tmp_path, monkeypatch):
    # With Gentoo penguins only, there is no reversal to tell of: the page says what
    # the slopes are instead, and every cell still runs.
    gentoo = [row for row in raw_rows() if row["Species"].startswith("Gentoo")]
    source = write_csv(tmp_path / "gentoo.csv", gentoo)
    board = tmp_path / "board"
    build.run([str(source)], str(board))
    text = reads(execute("eda.qmd", board, monkeypatch))
    assert "Gentoo penguins were found only on Biscoe." in text
    assert "Simpson" not in text and "within species by Gentoo +" in text
    headline = reads(execute("index.qmd", board, monkeypatch))
    assert "**1** species" in headline and "**1** island\n" in headline  # not "1 islands"


def test_model_page_shows_the_card_and_the_api_call(executed, built_board):
    import pins

    text = reads(executed["model.qmd"])
    version = pins.board_folder(str(built_board)).pin_meta("penguin_model").version.version
    assert version in text
    assert f"| **Version** | `{version}`, built " in text  # hashes and versions read as code
    manifest = pins.board_folder(str(built_board)).pin_read("build_manifest")
    provenance = reads(executed["data.qmd"])
    assert f"| **Source content hash** (SHA-256) | `{manifest['source_hash']}` |" in provenance
    assert "The full tidy table, `penguins` (344 rows, one per penguin)" in provenance
    assert "curl -s http://127.0.0.1:8080/predict" in text and "from vetiver import predict" in text
    assert "**Not for:**" in text
    # the API's input domain, as the model pin records it
    assert "- `bill_length_mm`: from 25 to 70 mm" in text
    assert "- `species`: one of `Adelie`, `Chinstrap`, `Gentoo`" in text


def test_index_says_when_the_data_last_changed_and_no_check_time(built_board, tmp_path, monkeypatch):
    import datetime as dt

    import pins

    import report

    board = tmp_path / "board"
    shutil.copytree(built_board, board)
    plain = pins.board_folder(str(board))
    manifest = plain.pin_read("build_manifest")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    manifest["data_changed_at"] = old.strftime("%Y-%m-%dT%H:%M:%SZ")
    # a version dated after the build's (which may be this very second), so it is the newest
    later = dt.datetime.now() + dt.timedelta(minutes=1)
    plain.pin_write(manifest, name="build_manifest", type="json", created=later)

    text = reads(execute("index.qmd", board, monkeypatch))
    assert f"*Data as of* **{report.when(old.replace(microsecond=0))}**" in text
    # the last check is status.json's (report/status.py), so a check never re-executes a page
    assert "Last checked" not in text and "Stale data" not in text


def test_pages_never_read_the_full_tidy_table(built_board, monkeypatch):
    import report

    monkeypatch.setenv(config.ENV_BOARD, str(built_board))
    report.board.cache_clear()
    report._manifest.cache_clear()
    assert report.TIDY_PIN not in report.page_tables() and report.MODEL_PIN not in report.page_tables()
    assert len(report.page_tables()) == 17
    with pytest.raises(report.MissingPin, match="pages do not read 'penguins'"):
        report.read(report.TIDY_PIN)


def test_missing_board_fails_with_the_pin_and_how_to_build(tmp_path, monkeypatch):
    with pytest.raises(CellExecutionError, match=r"no board at .*scripts\.build"):
        execute("index.qmd", tmp_path / "nowhere", monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CellExecutionError, match=r"no 'build_manifest' pin.*scripts\.build"):
        execute("index.qmd", empty, monkeypatch)


def test_a_damaged_pin_fails_the_render_with_the_pin_and_how_to_rebuild(built_board, tmp_path, monkeypatch):
    board = tmp_path / "board"
    shutil.copytree(built_board, board)
    for table in (board / "overview").glob("*/*.parquet"):
        table.write_bytes(b"not parquet any more")
    with pytest.raises(CellExecutionError, match=r"cannot read pin 'overview' .*scripts\.build --force"):
        execute("index.qmd", board, monkeypatch)


@pytest.fixture(scope="module")
def rendered_site(season_board, tmp_path_factory):
    """The site as Quarto renders it (one render, the slowest step of the suite), from a
    board of two builds whose text is hostile (``helpers.hostile_copy``), read as it is
    (``REPORT_SKIP_BUILD``, as the publish workflow renders) with ``SECRET_PROBE`` set."""
    if shutil.which("quarto") is None:
        pytest.skip("the quarto command is not installed")
    folder = tmp_path_factory.mktemp("rendered")
    board = hostile_copy(season_board, folder / "board")
    project = copy_project(folder / "project")  # its own _freeze/, not the checkout's
    result = quarto_render(project, board)
    assert result.returncode == 0, result.stderr[-3000:]
    return project / "_site"


def quarto_render(project, board):
    """``quarto render`` of ``project`` from ``board`` as it is (``REPORT_SKIP_BUILD``, as the
    publish workflow renders), with ``SECRET_PROBE`` set."""
    env = {**os.environ, config.ENV_BOARD: str(board), config.ENV_SKIP_BUILD: "1", "SECRET_PROBE": "leaked-value-123"}
    return subprocess.run(["quarto", "render"], cwd=project, env=env, capture_output=True, text=True)


@pytest.mark.quarto
def test_quarto_renders_the_site(rendered_site):
    site = rendered_site
    for page in ("index.html", "eda.html", "model.html", "data.html", "changes.html"):
        assert (site / page).is_file(), page
    last = max((site.parent.parent / "board" / "build_manifest").iterdir())  # the build the pages show
    manifest = json.loads((last / "build_manifest.json").read_text())
    index = (site / "index.html").read_text()
    assert "penguins observed" in index and "<svg" in index  # the graphviz diagram is inline SVG
    assert (site / "favicon.svg").is_file()
    for page in sorted(site.glob("*.html")):
        text = page.read_text()
        assert not foreign_resources(text), f"{page.name} loads {foreign_resources(text)}"
        assert "jquery" not in text.lower() and "require.min.js" not in text, page.name
        # no search box, no icon font (Quarto 1.10 writes its search options and results
        # container into every page even with `search: false`; no box or button uses them)
        assert 'id="quarto-search"' not in text and "bi-search" not in text, page.name
        # report.optimize went over it: no stylesheet blocks the first paint, every figure has a size
        assert optimize.MARK in text and 'rel="stylesheet"' not in text, page.name
        for image in re.findall(r"<img\b[^>]*>", text):
            assert " width=" in image and " height=" in image, f"{page.name}: {image}"
        # the change feed, linked from every page's head, and its files beside the pages
        head = text.split("</head>", 1)[0]
        feed_link = '<link rel="alternate" type="application/atom+xml" title="What changed (Atom feed)"'
        assert f'{feed_link} href="changes.xml">' in head, page.name
        # every page ends with how to cite it, and its files are there
        assert "Cite this report</h2>" in text and f"build {manifest['built_at']} " in text, page.name
        assert (site / "CITATION.cff").is_file() and (site / "citation.bib").is_file()
        # the tables are files of the site: every link to one resolves, no page embeds data
        for link in re.findall(r'href="(data/[^"]+)"', text):
            assert (site / link).is_file(), f"{page.name} links {link}, which the site lacks"
        assert not [uri for uri in re.findall(r'data:[^"\')\s]+', text) if len(uri) > 2048], page.name
    import feedparser
    import pins

    board = pins.board_folder(str(site.parent.parent / "board"))
    index = json.loads((site / "data" / "index.json").read_text())
    assert {t["name"] for t in index["tables"]} == set(manifest["pins"]) - {"penguin_model", "build_manifest"}
    for listed in index["tables"]:
        about = json.loads((site / listed["files"]["metadata"]).read_text())
        version = manifest["pins"][listed["name"]]
        assert about["pin_version"] == version and about["rows"] == len(board.pin_read(listed["name"], version))
        assert all((site / path).is_file() for path in about["files"].values()), listed["name"]

    parsed = feedparser.parse((site / "changes.xml").read_bytes())
    assert not parsed.bozo and parsed.version == "atom10" and parsed.entries
    assert json.loads((site / "status.json").read_text())["attempts"] == "attempts.json"
    assert json.loads((site / "attempts.json").read_text())["attempts"]


def test_pages_load_nothing_from_another_origin(executed):
    for page, notebook in executed.items():
        for mime in ("text/markdown", "text/html", "image/svg+xml", "stream"):
            for text in outputs(notebook, mime):
                assert not foreign_resources(text), f"{page} loads {foreign_resources(text)}"


def test_downloads_link_the_tables_files_and_write_list_cells_as_text():
    import numpy as np
    import pandas as pd

    import report
    from report.site_data import csv_text

    frame = pd.DataFrame({"species": ["Adelie", "Gentoo"], "islands": [np.array(["Biscoe", "Dream"]), ["Biscoe"]]})
    link = report.download_link(frame, "where.csv").data
    assert link == (
        '[Download where.csv (CSV, 2 rows)](data/where.csv){.download download="where.csv"} · '
        "[JSON](data/where.json) · [Parquet](data/where.parquet) · [about](data/where.metadata.json)"
    )
    assert csv_text(frame) == "species,islands\nAdelie,Biscoe; Dream\nGentoo,Biscoe\n"
    with pytest.raises(ValueError, match=r"a pin's name and \.csv"):
        report.download_link(frame, "../x.csv")


def test_page_helpers_follow_the_description():
    import pandas as pd

    import report

    names = list(report.MEASUREMENT_LABELS)
    assert names == [m.name for m in dataset.MEASUREMENTS]
    missing = pd.DataFrame({"column": ["species", *names, "sex"], "missing": [0, 2, 0, 0, 1, 11], "rows": [344] * 6})
    assert report.missing_sentence(missing).data == (
        "Of 344 penguins, 2 without bill length, 1 without body mass and 11 that could not be sexed; "
        "the figures and tables above leave those values out."
    )
    assert report.missing_sentence(missing.assign(missing=0)).data == "All 344 penguins were measured and sexed."
    alphabetical = sorted(names)
    correlations = pd.DataFrame(
        [{"group": "All species", "measurement": x, **{y: float(x == y) for y in alphabetical}} for x in alphabetical]
    )
    matrix = report.correlation_matrix(correlations)
    assert list(matrix.index) == list(matrix.columns) == list(report.MEASUREMENT_LABELS.values())


def test_a_table_is_a_raw_html_block_whatever_its_text_holds():
    import pandas as pd
    from great_tables import GT

    import report

    shown = report.table(GT(pd.DataFrame({"note": ["a ```fenced``` word"]})), summary="The table (1 row)").data
    assert shown.startswith("````{=html}\n<details>\n<summary>The table (1 row)</summary>") and shown.endswith("\n````")
    assert "gt_table" in shown
    captioned = report.table(GT(pd.DataFrame({"n": [1]})), caption="Counts <by> island").data
    assert re.search(r'<table class="gt_table"[^>]*>\n<caption>Counts &lt;by&gt; island</caption>\n<thead>', captioned)


# ---------------------------------------------------------------- data is text, never markup

# What would be live if a value were printed as it is (tests.helpers.HOSTILE): in Markdown,
# and in the raw HTML of a table (where Markdown is text).
LIVE = ("{{<", "{{%", "<img", "<script", "](javascript:", "![an image]", "\u202e", "\n# a heading", "\n::: {.callout")
LIVE_HTML = ("{{<", "{{%", "<img", "<script", "\u202e", 'href="javascript')


@pytest.fixture(scope="module")
def hostile_pages(season_board, tmp_path_factory):
    """Every page executed against a board whose text is hostile (``helpers.hostile_copy``)."""
    from concurrent.futures import ThreadPoolExecutor

    board = hostile_copy(season_board, tmp_path_factory.mktemp("hostile") / "board")
    monkeypatch = pytest.MonkeyPatch()
    try:
        with ThreadPoolExecutor(max_workers=len(PAGES)) as pool:
            yield dict(zip(PAGES, pool.map(lambda page: execute(page, board, monkeypatch), PAGES), strict=True))
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_on_the_board_is_shown_as_text(hostile_pages, page):
    notebook = hostile_pages[page]  # every cell ran, and every inline value was escaped Markdown (execute)
    shown = outputs(notebook, "stream") + outputs(notebook, "text/markdown")
    for output in shown:
        if re.match(r"`{3,}\{=html\}\n", output):
            live_text, live_marks = output, LIVE_HTML
        else:  # what Markdown's backslash escapes leave live
            live_text, live_marks = re.sub(r"\\.", "", output, flags=re.S), LIVE
        for live in live_marks:
            assert live not in live_text, f"{page}: {live!r} is printed as it is: {output[:300]!r}"
    # and it is there to read, as text: escaped in Markdown, as entities in the tables' HTML
    text = reads(notebook)
    tables = "".join(o for o in shown if "gt_table" in o)
    expected = {
        "index.qmd": [],
        "eda.qmd": ["<img src=x onerror=alert(1)>"],
        "model.qmd": ["<img src=x onerror=alert(1)>", "{{< env SECRET_PROBE >}}"],
        "data.qmd": ["{{< env SECRET_PROBE >}}"],
        "changes.qmd": ["{{< env SECRET_PROBE >}}", "[a link](javascript:alert(1))"],
    }[page]
    for value in expected:
        assert value in text or escape_html(value) in tables, f"{page} does not show {value!r}"
    assert not outputs(notebook, "text/html")


def test_escaping_keeps_every_value_as_text():
    import report

    for value in HOSTILE:
        markdown = report.text(value).data
        assert all(live not in re.sub(r"\\.", "", markdown) for live in LIVE)
        assert "\n" not in markdown  # a line break in data is shown as \n, never a new block
        code = report.code(value).data
        assert "{{<" not in code and "\n" not in code and "<img" not in code
    assert report.code("20261203T131234Z-29915").data == "`20261203T131234Z-29915`"
    assert report.md("{n:,} {noun}", n=1234, noun="*penguins*").data == "1,234 \\*penguins\\*"
    listed = report.bullets(["- a", "1. b", "# c", "> d"]).data
    assert listed == "- \\- a\n- 1\\. b\n- \\# c\n- \\> d\n"


def test_figure_text_is_never_mathtext():
    import matplotlib as mpl

    import report

    report.use_figure_style()
    assert mpl.rcParams["text.parse_math"] is False


def test_no_page_builds_markdown_from_data_by_hand():
    for page in PAGES:
        for cell in python_cells(page):
            assert "print(" not in cell or re.fullmatch(r'[^{]*print\("[^"{}]*"\)[^{]*', cell, re.S), (
                f"{page}: {label_of(cell)} prints text it made: return a report helper's Markdown instead"
            )
            assert "Markdown(" not in cell and "IPython" not in cell and ".data" not in cell, label_of(cell)


@pytest.mark.quarto
def test_quarto_expands_no_shortcode_and_runs_no_tag_from_the_data(rendered_site):
    site = rendered_site
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for page in ("index.html", "eda.html", "model.html", "data.html", "changes.html"):
        html = (site / page).read_text()
        assert "leaked-value-123" not in html, page  # {{< env SECRET_PROBE >}} was not expanded
        assert passwd not in html, page  # nor {{< include /etc/passwd >}}
        assert '<img src="x"' not in html and 'onerror="alert' not in html and "<script>alert" not in html, page
        assert 'href="javascript:' not in html, page
        # the held-back line of every page shows the failed rules' text, escaped
        held = re.search(r'<p class="report-held-back" role="status">(.*?)</p>', html, re.S).group(1)
        assert "&lt;img src=x onerror=alert(1)&gt;" in held and "{{&lt; include /etc/passwd &gt;}}" in held, page
    changes = (site / "changes.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in changes or "&lt;img src=x onerror=alert(1)>" in changes
    assert "env SECRET_PROBE" in changes  # shown, as text


def frozen_results(project) -> dict[str, int]:
    """Each page's frozen results file and when it was written."""
    found = (project / "_freeze").glob("*/execute-results/*.json")
    return {str(path.relative_to(project)): path.stat().st_mtime_ns for path in found}


@pytest.mark.quarto
def test_a_second_render_of_the_same_board_executes_no_page(rendered_site):
    project = rendered_site.parent
    board = project.parent / "board"
    first = frozen_results(project)

    result = quarto_render(project, board)

    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert "Executing" not in log, log[-3000:]
    for page in ("index.qmd", "eda.qmd", "model.qmd", "data.qmd", "changes.qmd"):
        assert f"[freeze] {page} is unchanged: nothing it read changed" in log
    assert frozen_results(project) == first
    assert "penguins observed" in (project / "_site" / "index.html").read_text()
    # and the scheduled job would not render at all (publish.yml): the site is whole and current
    env = {**os.environ, config.ENV_BOARD: str(board)}
    command = [sys.executable, "-m", "report.freeze", "--site-unchanged"]
    check = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert check.returncode == 0 and "nothing changed: no render" in check.stderr, check.stderr


def test_averages_that_moved_lists_the_largest_moves_and_sums_up_the_rest():
    import pandas as pd

    import report

    statistics = pd.DataFrame(
        {
            "species": [f"s{i}" for i in range(10)],
            "sex": "female",
            "item": "mean body_mass_g",
            "old": 1.0,
            "new": 2.0,
            "difference": 1.0,
            "detail": [f"{v:.2f} pooled SD" for v in (0.01, 0.9, 0.05, 0.3, 0.02, 0.6, 0.04, 0.07, 0.08, 0.5)],
        }
    )
    shown, rest = report.largest_moves(statistics, listed=3)
    assert shown["detail"].tolist() == ["0.90 pooled SD", "0.60 pooled SD", "0.50 pooled SD"]
    assert rest.data.startswith("The other 7 means moved less, 0\\.30 pooled SD at most\\. Every mean is in")
    assert report.largest_moves(statistics, listed=10)[1].data == ""


def test_model_metrics_are_shown_at_a_readers_precision():
    import pandas as pd

    import report

    rows = pd.DataFrame({"item": ["test RMSE (g)", "test MAE (g)", "test R²", "last model on added penguins: R²"]})
    assert report.gram_rows(rows) == [0, 1] and report.ratio_rows(rows) == [2, 3]


@pytest.mark.quarto
def test_a_changed_pin_executes_only_the_pages_that_read_it(rendered_site):
    import datetime as dt

    import pins

    project = rendered_site.parent
    board = project.parent / "board"
    plain = pins.board_folder(str(board))
    manifest = plain.pin_read("build_manifest")
    # a new version of one summary, which Exploration shows and Data lists; the manifest names it
    later = dt.datetime.now() + dt.timedelta(minutes=1)
    version = manifest["pins"]["correlations"]
    correlations, meta = (
        plain.pin_read("correlations", version=version),
        plain.pin_meta("correlations", version=version),
    )
    written = plain.pin_write(
        correlations, name="correlations", type="parquet", title=meta.title, description=meta.description,
        metadata=meta.user, created=later, force_identical_write=True,
    )  # fmt: skip
    manifest["pins"]["correlations"] = written.version.version
    plain.pin_write(manifest, name="build_manifest", type="json", created=later + dt.timedelta(minutes=1))

    result = quarto_render(project, board)

    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    executed = sorted(re.findall(r"Executing .(\w+)\.quarto_ipynb.", log))
    assert executed == ["data", "eda"], [line for line in log.splitlines() if "freeze" in line or "Executing" in line]
    assert "[freeze] eda.qmd executes: pin correlations changed" in log
    assert "[freeze] model.qmd is unchanged: nothing it read changed" in log
