"""The publish gate: every broken input stops the build, says what is wrong
and where, and leaves the board exactly as it was."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from scripts import build, config, dataset, validate
from scripts.engines.duckdb import DuckDBEngine
from scripts.errors import GateError
from tests.helpers import new_season, raw_rows, shuffled, snapshot, write_csv


def set_value(column, value, rows=(0,)):
    def mutate(data):
        for i in rows:
            data[i][column] = value
        return data

    return mutate


def drop_column(column):
    def mutate(data):
        for row in data:
            del row[column]
        return data

    return mutate


def rename_column(column, name):
    def mutate(data):
        return [{(name if key == column else key): value for key, value in row.items()} for row in data]

    return mutate


def every(column, value):
    def mutate(data):
        for row in data:
            row[column] = value
        return data

    return mutate


def shuffle(column):
    return lambda data: shuffled(data, column)


def repeat_first(column, value):
    """The first penguin again at the end, its key written differently in ``column``."""

    def mutate(data):
        return [*data, {**data[0], column: value}]

    return mutate


def refiled(rows):
    """The 2009 season filed a second time, under another study name, everything else the same."""
    return [*rows, *({**row, "studyName": "PAL1011"} for row in rows if row["studyName"] == "PAL0910")]


# (case, mutation, rule, column, rows, words the message must contain)
BROKEN = [
    ("missing column", drop_column("Body Mass (g)"), "required column", "Body Mass (g)", None, "missing"),
    ("empty", lambda data: data[:0], "not empty", "*", None, "no observations"),
    ("text in a number", set_value("Culmen Length (mm)", "abc"), "type", "Culmen Length (mm)", 1, "'abc'"),
    ("impossible date", set_value("Date Egg", "2007-13-45"), "type", "Date Egg", 1, "'2007-13-45'"),
    ("US-style date", set_value("Date Egg", "11/11/07"), "type", "Date Egg", 1, "YYYY-MM-DD"),
    ("NaN mass", set_value("Body Mass (g)", "NaN"), "range", "Body Mass (g)", 1, "'NaN'"),
    ("fractional sample number", set_value("Sample Number", "1.5"), "type", "Sample Number", 1, "whole"),
    ("too heavy", set_value("Body Mass (g)", "12000", rows=(0, 5)), "range", "Body Mass (g)", 2, "12000"),
    ("negative flipper", set_value("Flipper Length (mm)", "-5"), "range", "Flipper Length (mm)", 1, "-5"),
    ("future date", set_value("Date Egg", "2999-01-01"), "range", "Date Egg", 1, "2999-01-01"),
    (
        "unknown species",
        set_value("Species", "Emperor penguin (Aptenodytes forsteri)"),
        "category",
        "Species",
        1,
        "Emperor",
    ),
    ("unknown island", set_value("Island", "Atlantis", rows=(0, 1, 2)), "category", "Island", 3, "Atlantis"),
    ("unknown sex", set_value("Sex", "UNKNOWN"), "category", "Sex", 1, "UNKNOWN"),
    ("missing species", set_value("Species", ""), "missing value", "Species", 1, "row 1"),
    (
        "missing study",
        set_value("studyName", "", rows=(0, 1)),
        "missing value",
        "studyName",
        2,
        "empty in broken.csv row 2",
    ),
    (
        "duplicate row",
        lambda data: [*data, dict(data[0])],
        "duplicate observation",
        "studyName",
        2,
        "'PAL0708 / Adelie Penguin (Pygoscelis adeliae) / 1' in broken.csv rows 1 and 345",
    ),
    *[
        (
            f"duplicate written {how}",
            repeat_first(column, value),
            "duplicate observation",
            "studyName",
            2,
            "'PAL0708 / Adelie Penguin (Pygoscelis adeliae) / 1' in broken.csv rows 1 and 345",
        )
        for how, column, value in [
            ("with sample number 01", "Sample Number", "01"),
            ("with sample number 1.0", "Sample Number", "1.0"),
            ("with a space after the species", "Species", "Adelie Penguin (Pygoscelis adeliae) "),
            ("with spaces around the study", "studyName", " PAL0708 "),
        ]
    ],
    # identifiers have a shape (scripts/dataset.py): markup, shortcodes, line breaks, invisible characters stop
    *[
        (f"study name {how}", set_value("studyName", value, rows=(3,)), "identifier", "studyName", 1, shown)
        for how, value, shown in [
            ("with HTML", "<img src=x onerror=alert(1)>", "'<img src=x onerror=alert(1)>' in broken.csv row 4"),
            ("with a shortcode", "{{< env SECRET_PROBE >}}", "'{{< env SECRET_PROBE >}}' in broken.csv row 4"),
            ("too long", "P" * 70, "'" + "P" * 60 + "…' (70 characters) in broken.csv row 4"),
        ]
    ],
    (
        "individual with a bidi override",
        set_value("Individual ID", "N1A1\u202e"),
        "identifier",
        "Individual ID",
        1,
        "'N1A1\\u202e' in broken.csv row 1",
    ),
    # what the eye cannot see is shown escaped, with what it looks like
    (
        "look-alike species",
        set_value("Species", "\u0410delie Penguin (Pygoscelis adeliae)"),
        "category",
        "Species",
        1,
        "'\\u0410delie Penguin (Pygoscelis adeliae)' (looks like 'Adelie Penguin (Pygoscelis adeliae)' "
        "but contains U+0410 CYRILLIC CAPITAL LETTER A) in broken.csv row 1",
    ),
    (
        "no-break space in a header",
        rename_column("Body Mass (g)", "Body\u00a0Mass (g)"),
        "required column",
        "Body Mass (g)",
        None,
        "its header has 'Body\\u00a0Mass (g)' (looks like 'Body Mass (g)' but contains U+00A0 NO-BREAK SPACE)",
    ),
    (
        "season filed twice",
        refiled,
        "same bird",
        "Individual ID + Species + Date Egg",
        240,
        "'N100A1 / Chinstrap penguin (Pygoscelis antarctica) / 2009-11-21' as PAL0910 67 in broken.csv row 343",
    ),
    ("no flipper at all", every("Flipper Length (mm)", "NA"), "all missing", "Flipper Length (mm)", 344, "every"),
    # after a good build the comparison stops it (on a fresh board, the model's margin: see below)
    ("shuffled body mass", shuffle("Body Mass (g)"), "drift", "body_mass_g", None, "pooled standard deviation"),
]
IDS = [case[0] for case in BROKEN]


@pytest.fixture
def board_copy(built_board, tmp_path):
    """A private copy of a good board, so each case can prove it is untouched."""
    folder = tmp_path / "board"
    shutil.copytree(built_board, folder)
    return folder


@pytest.mark.parametrize(("case", "mutate", "rule", "column", "rows", "words"), BROKEN, ids=IDS)
def test_broken_input_stops_the_build(tmp_path, board_copy, capsys, case, mutate, rule, column, rows, words):
    source = write_csv(tmp_path / "broken.csv", mutate(raw_rows()))
    before = snapshot(board_copy)

    status = build.main(["--source", str(source), "--board", str(board_copy)])

    err = capsys.readouterr().err
    assert status == 2
    assert f'rule "{rule}"' in err
    assert column in err
    if rows is not None:
        assert f": {rows} row" in err
    assert words in err
    assert "nothing was pinned" in err
    assert "Traceback" not in err
    assert snapshot(board_copy) == before


def test_every_failure_is_reported_at_once(tmp_path):
    data = set_value("Island", "Atlantis")(set_value("Body Mass (g)", "99999")(raw_rows()))
    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "two.csv", data))])
    with pytest.raises(GateError) as caught:
        validate.check(engine)
    assert [(v.rule, v.column, v.rows) for v in caught.value.violations] == [
        ("category", "Island", 1),
        ("range", "Body Mass (g)", 1),
    ]
    assert "two.csv row 1" in str(caught.value)


def test_a_value_of_the_wrong_type_is_not_also_out_of_range(tmp_path):
    # DuckDB reads '11/11/07' as the year 11; the gate calls it what it is.
    data = set_value("Date Egg", "11/11/07")(raw_rows())
    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "us.csv", data))])
    with pytest.raises(GateError) as caught:
        validate.check(engine)
    assert [(v.rule, v.column, v.rows) for v in caught.value.violations] == [("type", "Date Egg", 1)]


def test_a_required_column_missing_from_one_file_stops_the_build(tmp_path, board_copy, capsys):
    # Upstream publishes one file per species: the union would quietly fill one
    # species' body mass with NULLs.
    rows = raw_rows()
    adelie = [r for r in rows if r["Species"].startswith("Adelie")]
    others = [r for r in rows if not r["Species"].startswith("Adelie")]
    first = write_csv(tmp_path / "table_219.csv", drop_column("Body Mass (g)")(adelie))
    second = write_csv(tmp_path / "table_220.csv", others)
    before = snapshot(board_copy)

    status = build.main(["--source", f"{first},{second}", "--board", str(board_copy)])

    err = capsys.readouterr().err
    assert status == 2
    assert 'rule "required column", column "Body Mass (g)": is missing from table_219.csv (1 of 2 source files)' in err
    assert snapshot(board_copy) == before


def test_files_that_each_have_every_required_column_pass(tmp_path):
    rows = raw_rows()
    adelie = [r for r in rows if r["Species"].startswith("Adelie")]
    others = [r for r in rows if not r["Species"].startswith("Adelie")]
    # an optional column (a stable isotope ratio) may be absent from one file
    first = write_csv(tmp_path / "a.csv", drop_column("Delta 15 N (o/oo)")(adelie))
    second = write_csv(tmp_path / "b.csv", others)
    engine = DuckDBEngine()
    engine.register_raw([str(first), str(second)])
    assert engine.file_columns()[str(first)] == set(rows[0]) - {"Delta 15 N (o/oo)"}
    assert validate.check(engine)["rows"] == 344


def test_shipped_data_passes_with_its_missing_values(raw_csv):
    engine = DuckDBEngine()
    engine.register_raw([raw_csv])
    # two penguins were not measured: 4 measurements each are NA
    assert validate.check(engine) == {"rows": 344, "missing measurements": 8}


@pytest.mark.slow
def test_command_line_failure_has_no_traceback(tmp_path, board_copy):
    source = write_csv(tmp_path / "bad.csv", set_value("Island", "Atlantis")(raw_rows()))
    before = snapshot(board_copy)
    result = subprocess.run(
        [sys.executable, "-m", "scripts.build", "--source", str(source), "--board", str(board_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("[build] hash")
    assert 'error: the raw data failed the publish gate (1 problem); nothing was pinned:\n  - rule "category", ' in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert snapshot(board_copy) == before


def test_missing_source_exits_3_without_touching_the_board(board_copy, capsys):
    before = snapshot(board_copy)
    assert build.main(["--source", "/no/such/raw.csv", "--board", str(board_copy)]) == 3
    assert "source not found: /no/such/raw.csv" in capsys.readouterr().err
    assert snapshot(board_copy) == before


def _screen(tmp_path, data):
    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "keys.csv", data))])
    # the bit-mask screen on the sample number and the plain hash screen agree
    dense = engine.keys_may_repeat("raw_observations", dataset.KEY_SQL, dense=True)
    assert engine.keys_may_repeat("raw_observations", dataset.KEY_SQL) == dense
    return dense


def test_key_screen_flags_repeats_and_passes_distinct_keys(tmp_path):
    # rows 0 and 1 are PAL0708 Adelie penguins 1 and 2
    assert not _screen(tmp_path, raw_rows())
    # 1 and 65 mark the same bit of different groups of 64 sample numbers
    assert not _screen(tmp_path, set_value("Sample Number", "65", rows=(1,))(raw_rows()))
    assert _screen(tmp_path, set_value("Sample Number", "1", rows=(1,))(raw_rows()))
    # two penguins of one study and species without a sample number may be one penguin
    assert _screen(tmp_path, set_value("Sample Number", "NA", rows=(0, 1))(raw_rows()))
    assert not _screen(tmp_path, set_value("Sample Number", "NA", rows=(0,))(raw_rows()))


def test_gate_counts_each_columns_values_not_its_rows(raw_csv):
    engine = DuckDBEngine()
    engine.register_raw([raw_csv])
    validate.check(engine)
    profile = dict(
        engine.con.execute("SELECT __column, [count(*), sum(__rows)] FROM gate_profile GROUP BY __column").fetchall()
    )
    assert {total for _, total in profile.values()} == {344}  # each column's counts add up to every row
    assert profile["studyName"][0] == 3  # a study per season: by value, its shape checked once each
    assert profile["Individual ID"][0] == 1  # a bird each: every well-shaped one counts as one group
    assert profile["Species"][0] == 3 and profile["Sex"][0] == 3  # MALE, FEMALE, missing
    masses = {row["Body Mass (g)"] for row in raw_rows()}  # "NA" counts as the missing group
    assert profile["Body Mass (g)"][0] == len(masses) < 100  # one group per distinct mass, not per row


def test_a_sharp_drop_in_rows_stops_the_build(tmp_path, board_copy, capsys):
    # Every row is valid, but 244 of the 344 penguins the board was built from are gone.
    source = write_csv(tmp_path / "truncated.csv", raw_rows()[:100])
    before = snapshot(board_copy)

    status = build.main(["--source", str(source), "--board", str(board_copy)])

    err = capsys.readouterr().err
    assert status == 2
    assert 'rule "row count", column "*": 100 rows in the raw data, 71% fewer than the 344' in err
    assert "REPORT_MAX_ROW_DROP=1" in err
    assert snapshot(board_copy) == before


def test_a_small_drop_or_an_intended_one_builds(tmp_path, board_copy, monkeypatch):
    fewer = write_csv(tmp_path / "fewer.csv", raw_rows()[:340])  # 4 published penguins gone: within 5%
    assert build.main(["--source", str(fewer), "--board", str(board_copy)]) == 0

    monkeypatch.setenv("REPORT_MAX_ROW_DROP", "1")
    monkeypatch.setenv("REPORT_MAX_REMOVED", "1")
    one_species = write_csv(tmp_path / "adelie.csv", raw_rows()[:152])
    assert build.main(["--source", str(one_species), "--board", str(board_copy)]) == 0


def copied_under_new_keys(rows):
    """Ten Adelie rows again, under new sample numbers (same birds, same days)."""
    return [*rows, *({**row, "Sample Number": str(900 + i)} for i, row in enumerate(rows[:10]))]


@pytest.mark.parametrize(
    ("case", "mutate", "rows"), [("season refiled", refiled, 240), ("rows copied", copied_under_new_keys, 20)]
)
def test_one_bird_one_observation(tmp_path, board_copy, capsys, case, mutate, rows):
    source = write_csv(tmp_path / "next.csv", mutate(raw_rows()))
    before = snapshot(board_copy)
    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 2
    err = capsys.readouterr().err
    assert f'rule "same bird", column "Individual ID + Species + Date Egg": {rows} rows observe one bird' in err
    assert "as PAL0" in err and "next.csv row" in err
    assert 'rule "duplicate observation"' not in err  # the keys differ: it is the same bird, not the same key
    assert snapshot(board_copy) == before


def test_the_same_nests_a_season_later_are_new_observations(tmp_path, board_copy):
    # new_season: the 2009 birds again in 2010, same individual IDs, new egg dates and masses
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))
    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 0


def renumbered(rows):
    """Every sample number moved up by 1,000: the same birds under new keys."""
    return [{**row, "Sample Number": str(int(row["Sample Number"]) + 1000)} for row in rows]


def season_swapped(rows):
    """The 2009 season (PAL0910) left out and a new one added in its place: more rows than before."""
    return [row for row in new_season(rows) if row["studyName"] != "PAL0910"]


@pytest.mark.parametrize(
    ("case", "mutate", "removed", "share"),
    [
        ("a season left out while one is added", season_swapped, 120, "35%"),
        ("keys renumbered", renumbered, 344, "100%"),
    ],
)
def test_published_penguins_never_vanish(tmp_path, board_copy, monkeypatch, capsys, case, mutate, removed, share):
    source = write_csv(tmp_path / "next.csv", mutate(raw_rows()))
    before = snapshot(board_copy)
    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 2
    err = capsys.readouterr().err
    rule = 'rule "removals", column "study_name + species + sample_number"'
    assert f"{rule}: {removed} rows of the 344 observations" in err
    assert f"are missing now ({share}; at most 5% may go, REPORT_MAX_REMOVED)" in err
    assert "run the build once with REPORT_MAX_REMOVED=1" in err and "(e.g. 'PAL0" in err
    assert snapshot(board_copy) == before
    monkeypatch.setenv("REPORT_MAX_REMOVED", "1")  # a deliberate withdrawal, for one run
    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 0


def test_a_bad_row_drop_setting_is_named(tmp_path, board_copy, monkeypatch, capsys):
    monkeypatch.setenv("REPORT_MAX_ROW_DROP", "10%")
    source = write_csv(tmp_path / "fewer.csv", raw_rows()[:300])

    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 1
    err = capsys.readouterr().err
    assert "REPORT_MAX_ROW_DROP='10%' is not a share of rows" in err
    assert "Traceback" not in err


def test_a_shuffled_body_mass_gives_both_figures(tmp_path, capsys):
    source = write_csv(tmp_path / "shuffled.csv", shuffle("Body Mass (g)")(raw_rows()))
    assert build.main(["--source", str(source), "--board", str(tmp_path / "fresh")]) == 2
    err = capsys.readouterr().err
    found = re.search(r"has CV RMSE ([\d,]+) g, (\d\.\d\d) of the mean baseline's ([\d,]+) g \(at most 0\.75", err)
    assert found, err
    best, ratio, baseline = (float(n.replace(",", "")) for n in found.groups())
    assert ratio > 0.9 and abs(best / baseline - ratio) < 0.01  # the figures agree with each other
    assert not (tmp_path / "fresh" / "penguins").exists()


@pytest.mark.slow
def test_examples_name_the_real_row_of_a_big_file_at_any_thread_count(tmp_path):
    # 1.2 million rows: DuckDB reads them on every thread, so an unordered row
    # number lands anywhere; the gate must still say data row 987,654.
    raw, big = config.default_source(), tmp_path / "big.csv"
    duckdb.execute(
        f"""
        COPY (
            SELECT * REPLACE (
                'S' || (i // 50000) AS studyName,
                CAST(i % 50000 + 1 AS VARCHAR) AS "Sample Number",
                "Individual ID" || '-' || i AS "Individual ID",
                CASE WHEN i = 987653 THEN '99999' ELSE "Body Mass (g)" END AS "Body Mass (g)"
            )
            FROM (SELECT raw.*, row_number() OVER () - 1 AS i
                  FROM read_csv('{raw}', all_varchar = true) raw, range(3489))
            WHERE i < 1200000 ORDER BY i
        ) TO '{big}' (HEADER, DELIMITER ',')
        """
    )
    engine = DuckDBEngine()  # DuckDB's default: a thread per core
    engine.register_raw([str(big)])
    with pytest.raises(GateError) as caught:
        validate.check(engine)
    assert [(v.rule, v.column, v.rows) for v in caught.value.violations] == [("range", "Body Mass (g)", 1)]
    assert caught.value.violations[0].examples == ["'99999' in big.csv row 987654"]


def test_a_line_break_in_a_study_name_stops_the_build(tmp_path, board_copy, capsys):
    # DuckDB only: Spark's CSV reader splits files into blocks and cannot read a quoted
    # line break at all (docs/spark.md)
    source = write_csv(tmp_path / "broken.csv", set_value("studyName", "PAL0708\nPAL0809", rows=(3,))(raw_rows()))
    before = snapshot(board_copy)
    assert build.main(["--source", str(source), "--board", str(board_copy)]) == 2
    err = capsys.readouterr().err
    assert 'rule "identifier", column "studyName": 1 row not shaped like an identifier' in err
    assert "'PAL0708\\nPAL0809' in broken.csv row 4" in err
    assert snapshot(board_copy) == before


def test_the_tidy_table_is_named_as_the_wrong_layout(tmp_path, capsys):
    """palmerpenguins ships penguins.csv beside penguins-raw.csv: given the tidy one, the build
    says so in one line instead of listing every raw column it lacks."""
    tidy = str(Path(config.default_source()).with_name("penguins.csv"))
    assert build.main(["--source", tidy, "--board", str(tmp_path / "board")]) == 2
    said = capsys.readouterr().err
    assert 'rule "raw layout"' in said and "this is the tidy table (palmerpenguins' penguins.csv" in said
    assert "penguins-raw.csv" in said and 'rule "required column"' not in said
