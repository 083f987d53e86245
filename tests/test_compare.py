"""The last build as a reference: a sequence of boards built from data the tests make
(the shipped data, then a new breeding season, then a few revised rows, then data
that is valid but wrong), with what a reader can check: exit status, rule, named
rows, and the rows of ``build_history`` and ``changes``."""

from __future__ import annotations

import math
import shutil

import pins
import pytest

from scripts import build, config
from tests.helpers import new_season, raw_rows, scaled, shuffled, snapshot, swap_sex, write_csv

# Sequences of builds.
pytestmark = pytest.mark.slow


def read(board, name):
    return pins.board_folder(str(board)).pin_read(name)


@pytest.fixture
def season_copy(season_board, tmp_path):
    folder = tmp_path / "board"
    shutil.copytree(season_board, folder)
    return folder


@pytest.fixture
def first_copy(built_board, tmp_path):
    folder = tmp_path / "board"
    shutil.copytree(built_board, folder)
    return folder


def test_a_first_build_starts_the_history_and_has_nothing_to_compare(built_board):
    history = read(built_board, "build_history")
    assert len(history) == 1
    first = history.iloc[0]
    assert first["build"] == 1 and first["rows_in"] == 344 and first["penguins"] == 344
    assert first["penguins_by_species"] == "Adelie 152, Chinstrap 68, Gentoo 124"
    assert first["source_hash"] == read(built_board, "build_manifest")["source_hash"]
    assert first["model"] == "linear: all measurements"
    assert math.isclose(first["test_rmse"], read(built_board, "model_test_metrics").query("chosen")["rmse"].iloc[0])
    assert first[["added", "removed", "revised", "previous_model_rmse"]].isna().all()
    assert len(read(built_board, "changes")) == 0


def test_a_new_season_is_added_counted_and_scored_with_the_last_model(season_board):
    history = read(season_board, "build_history")
    assert list(history["build"]) == [1, 2]
    second = history.iloc[1]
    assert (second["added"], second["removed"], second["revised"]) == (120, 0, 0)
    assert second["penguins"] == 464 and second["penguins_by_species"] == "Adelie 204, Chinstrap 92, Gentoo 168"
    # the 2009 season observed again: the last model knew penguins like these well
    assert 100 <= second["previous_model_rows"] <= 120
    assert 150 < second["previous_model_rmse"] < 400 and second["previous_model_r2"] > 0.8

    changes = read(season_board, "changes")
    counts = changes[changes["section"] == "penguins"]
    assert set(counts["year"]) == {2010} and counts["added"].sum() == 120 and counts["old"].sum() == 0
    assert counts.set_index(["species", "island"])["new"].to_dict() == {
        ("Adelie", "Biscoe"): 16,
        ("Adelie", "Dream"): 20,
        ("Adelie", "Torgersen"): 16,
        ("Chinstrap", "Dream"): 24,
        ("Gentoo", "Biscoe"): 44,
    }
    model = changes[changes["section"] == "model"].set_index("item")
    assert model.loc["test RMSE (g)", "old"] == history.iloc[0]["test_rmse"]
    assert model.loc["test RMSE (g)", "new"] == second["test_rmse"]
    assert model.loc["last model on added penguins: RMSE (g)", "new"] == second["previous_model_rmse"]
    moved = changes[changes["section"] == "statistic"]
    assert (moved["detail"].str.endswith("pooled SD")).all() and len(moved) > 0


def test_a_few_revised_rows_pass_and_are_listed(season_copy, tmp_path):
    rows = new_season(raw_rows())
    rows[0]["Body Mass (g)"] = "3800"  # PAL0708 Adelie 1, re-weighed: 3750 g before
    rows[5]["Sex"] = "FEMALE"  # PAL0708 Adelie 6, re-sexed: MALE before
    source = write_csv(tmp_path / "revised.csv", rows)

    assert build.main(["--source", str(source), "--board", str(season_copy)]) == 0

    history = read(season_copy, "build_history")
    assert list(history["revised"].fillna(-1)) == [-1, 0, 2]
    changes = read(season_copy, "changes")
    assert list(changes.loc[changes["section"] == "revision", "detail"]) == [
        "PAL0708 / Adelie / 1: body_mass_g 3750 → 3800",
        "PAL0708 / Adelie / 6: sex male → female",
    ]
    counts = changes[changes["section"] == "penguins"]
    assert counts[["species", "island", "year", "revised"]].values.tolist() == [["Adelie", "Torgersen", 2007, 2]]


# (case, rows of the next build, {rule: column}, words the message must contain)
WRONG_BUT_VALID = [
    (
        "swapped sex labels",
        swap_sex,
        {"revisions": "sex", "drift": "body_mass_g"},
        "'PAL0708 / Adelie / 1' sex 'male' → 'female'",
    ),
    (
        "shuffled bill length",
        lambda rows: shuffled(rows, "Culmen Length (mm)"),
        {"revisions": "bill_length_mm", "drift": "bill_length_mm"},
        "observations the last build published changed a value",
    ),
    (
        "body mass in another unit, within the range",
        lambda rows: scaled(rows, "Body Mass (g)", 1.1),
        {"revisions": "body_mass_g", "drift": "body_mass_g"},
        "Gentoo male mean 5,484.8 → 6,033.3",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "rules", "words"), WRONG_BUT_VALID, ids=[c[0] for c in WRONG_BUT_VALID])
def test_valid_but_wrong_data_after_a_good_build_stops_it(first_copy, tmp_path, capsys, case, mutate, rules, words):
    source = write_csv(tmp_path / "next.csv", mutate(raw_rows()))
    before = snapshot(first_copy)

    status = build.main(["--source", str(source), "--board", str(first_copy)])

    err = capsys.readouterr().err
    assert status == 2, err
    for rule, column in rules.items():
        assert f'rule "{rule}", column "{column}' in err
    assert words in err
    assert "nothing was pinned" in err and "Traceback" not in err
    assert snapshot(first_copy) == before


def test_drift_alone_stops_swapped_labels_when_revisions_are_allowed(first_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(config.ENV_MAX_REVISED, "1")
    source = write_csv(tmp_path / "swapped.csv", swap_sex(raw_rows()))

    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 2

    err = capsys.readouterr().err
    assert "revisions" not in err
    assert 'rule "drift", column "body_mass_g": moved more than 1 pooled standard deviation' in err
    assert "in 6 of 6 species × sex groups" in err


def test_a_deliberate_change_goes_through_for_one_run(first_copy, tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_MAX_REVISED, "1")
    monkeypatch.setenv(config.ENV_MAX_DRIFT, "100")
    source = write_csv(tmp_path / "grams.csv", scaled(raw_rows(), "Body Mass (g)", 1.1))
    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 0
    assert read(first_copy, "build_history")["revised"].iloc[-1] == 342  # every penguin weighed


def test_a_forced_rebuild_of_the_same_data_adds_no_history(season_board, season_copy):
    before = read(season_copy, "build_history")
    source = str(season_board.parent / "season.csv")  # what the season board was last built from
    assert build.main(["--source", source, "--board", str(season_copy)]) == 0  # up to date
    assert build.main(["--source", source, "--board", str(season_copy), "--force"]) == 0
    assert read(season_copy, "build_history").equals(before)


def test_a_last_model_that_cannot_be_loaded_is_noted_not_fatal(first_copy, tmp_path):
    for model_file in (first_copy / "penguin_model").glob("*/*.joblib"):
        model_file.write_bytes(b"not a pickle")
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))

    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 0

    changes = read(first_copy, "changes")
    note = changes.loc[changes["item"] == "last model on added penguins", "detail"].iloc[0]
    assert note.startswith("the last build's model (version ") and "could not be scored here" in note
    assert read(first_copy, "build_history")["previous_model_rmse"].isna().all()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("REPORT_MAX_REVISED", "5%", "REPORT_MAX_REVISED='5%' is not a share of observations"),
        ("REPORT_MAX_DRIFT", "-1", "REPORT_MAX_DRIFT='-1' is not a number of standard deviations"),
        ("REPORT_MAX_RMSE_RATIO", "nan", "REPORT_MAX_RMSE_RATIO='nan' is not a share of the baseline's RMSE"),
        ("REPORT_MAX_SPREAD_RATIO", "0.5", "REPORT_MAX_SPREAD_RATIO='0.5' is not a variance ratio"),
        ("REPORT_MAX_REPEATED", "half", "REPORT_MAX_REPEATED='half' is not a share of values"),
        ("REPORT_MAX_KS", "2", "REPORT_MAX_KS='2' is not a Kolmogorov-Smirnov distance"),
        ("REPORT_MAX_ERROR_RATIO", "0.5", "REPORT_MAX_ERROR_RATIO='0.5' is not a ratio of RMSEs"),
        ("REPORT_MIN_ERROR_RATIO", "1.5", "REPORT_MIN_ERROR_RATIO='1.5' is not a ratio of RMSEs"),
    ],
)
def test_an_unusable_threshold_is_named(first_copy, tmp_path, monkeypatch, capsys, variable, value, message):
    monkeypatch.setenv(variable, value)
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))
    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 1
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------- added data looks like data


def _season_with(change):
    """The shipped rows and a new season (``new_season``) whose rows went through ``change``."""

    def rows():
        shipped = raw_rows()
        added = new_season(shipped)[len(shipped) :]
        return [*shipped, *(change(dict(row)) for row in added)]

    return rows


def _constant_mass(row):
    row["Body Mass (g)"] = "4000" if row["Body Mass (g)"] != "NA" else "NA"
    return row


MEANS = {}  # (species, sex) -> mean body mass of the shipped rows, rounded


def _imputed_mass(row):
    if not MEANS:
        groups = {}
        for r in raw_rows():
            if r["Body Mass (g)"] != "NA":
                groups.setdefault((r["Species"], r["Sex"]), []).append(int(r["Body Mass (g)"]))
        MEANS.update({group: round(sum(v) / len(v)) for group, v in groups.items()})
    if row["Body Mass (g)"] != "NA":
        row["Body Mass (g)"] = str(MEANS[(row["Species"], row["Sex"])])
    return row


def _rounded_flipper(row):
    if row["Flipper Length (mm)"] != "NA":
        row["Flipper Length (mm)"] = str(round(int(row["Flipper Length (mm)"]) / 10) * 10)
    return row


# (case, the new season's change, {rule: column}, words the message must contain)
NOT_LIKE_DATA = [
    (
        "body mass one constant",
        _constant_mass,
        {"spread": "body_mass_g", "repeated values": "body_mass_g", "last model": "body_mass_g"},
        "the new data does not behave like the old",
    ),
    (
        "body mass imputed as group means",
        _imputed_mass,
        {"spread": "body_mass_g", "repeated values": "body_mass_g"},
        "100% of the added values are one value",
    ),
    (
        "flipper length rounded to 10 mm",
        _rounded_flipper,
        {"repeated values": "flipper_length_mm"},
        "share one value in",
    ),
]


@pytest.mark.parametrize(("case", "change", "rules", "words"), NOT_LIKE_DATA, ids=[c[0] for c in NOT_LIKE_DATA])
def test_an_added_season_that_does_not_look_like_data_stops(first_copy, tmp_path, capsys, case, change, rules, words):
    source = write_csv(tmp_path / "next.csv", _season_with(change)())
    before = snapshot(first_copy)

    status = build.main(["--source", str(source), "--board", str(first_copy)])

    err = capsys.readouterr().err
    assert status == 2, err
    for rule, column in rules.items():
        assert f'rule "{rule}", column "{column}' in err
    assert words in err
    assert 'rule "drift"' not in err  # the means hardly move: only the new rules see it
    assert "nothing was pinned" in err and "Traceback" not in err
    assert snapshot(first_copy) == before


def test_a_real_season_added_to_the_two_before_it_builds(tmp_path):
    """The shipped data's 2009 season, added to a board of the 2007 and 2008 seasons:
    real birds the last model never saw, a real year's differences."""
    shipped = raw_rows()
    earlier = [row for row in shipped if row["studyName"] != "PAL0910"]
    board = str(tmp_path / "board")
    assert build.main(["--source", str(write_csv(tmp_path / "two.csv", earlier)), "--board", board]) == 0
    assert build.main(["--source", str(write_csv(tmp_path / "three.csv", shipped)), "--board", board]) == 0
    last = read(board, "build_history").iloc[-1]
    assert (last["added"], last["removed"], last["revised"]) == (120, 0, 0)
    assert 0.6 < last["previous_model_rmse"] / read(board, "build_history").iloc[-2]["test_rmse"] < 2


def test_a_deliberate_odd_season_goes_through_for_one_run(first_copy, tmp_path, monkeypatch):
    for variable, value in [
        (config.ENV_MAX_SPREAD_RATIO, "inf"),
        (config.ENV_MAX_REPEATED, "1"),
        (config.ENV_MAX_KS, "1"),
        (config.ENV_MAX_ERROR_RATIO, "inf"),
    ]:
        monkeypatch.setenv(variable, value)
    source = write_csv(tmp_path / "next.csv", _season_with(_constant_mass)())
    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 0


def test_the_last_builds_columns_in_another_order_are_matched_by_name(first_copy, tmp_path):
    import pyarrow.parquet as pq

    # the last build's tidy table with its columns in reverse order (another engine, a reordered dataset.py)
    for path in (first_copy / "penguins").glob("*/*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.select(table.column_names[::-1]), path)
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))

    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 0

    last = read(first_copy, "build_history").iloc[-1]
    assert (last["added"], last["removed"], last["revised"]) == (120, 0, 0)


def test_a_measurement_the_last_build_lacked_is_not_compared(first_copy, tmp_path):
    import pyarrow.parquet as pq

    # as if bill depth had been added to scripts/dataset.py since the last build
    for path in (first_copy / "penguins").glob("*/*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.drop(["bill_depth_mm"]), path)
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))

    assert build.main(["--source", str(source), "--board", str(first_copy)]) == 0

    last = read(first_copy, "build_history").iloc[-1]
    assert (last["added"], last["removed"], last["revised"]) == (120, 0, 0)
