"""The one description of the data (scripts/dataset.py): adding a measurement
there, and nowhere else, carries it through the gate, the tidy table, every
summary, the samples, the model and its input domain."""

from __future__ import annotations

import numpy as np
import pins
import pytest
import vetiver

from scripts import build, config, dataset, summarize, validate
from scripts.engines.duckdb import DuckDBEngine
from scripts.errors import GateError
from tests.helpers import raw_rows, write_csv

TAIL = dataset.Measurement("tail_length_mm", "Tail Length (mm)", "Tail length (mm)", "mm", 20, 80, 2.0)


def with_tail(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The shipped rows with a made-up tail length: a hundredth of the body mass
    plus a little of the row number, missing where the body mass is missing."""
    out = []
    for i, row in enumerate(rows):
        mass = row["Body Mass (g)"]
        tail = f"{float(mass) / 100 + (i % 5) / 10:.1f}" if mass not in ("", "NA") else "NA"
        out.append({**row, TAIL.raw: tail})
    return out


@pytest.fixture
def described_with_tail(monkeypatch):
    monkeypatch.setattr(dataset, "MEASUREMENTS", (*dataset.MEASUREMENTS, TAIL))


def test_the_description_is_consistent():
    names = dataset.measurement_names()
    assert len(set(names)) == len(names)
    header = set(raw_rows()[0])
    for m in dataset.MEASUREMENTS:
        assert m.raw in header, f"{m.raw!r} is not a column of the shipped raw data"
        assert m.low < m.shift < m.high and m.bin_width > 0
        assert m.unit in m.label
    assert dataset.find("body_mass_g").shift == 4500
    with pytest.raises(KeyError, match="no measurement named 'tail'"):
        dataset.find("tail")


def test_the_sql_reads_the_description_from_an_engine():
    engine = DuckDBEngine()
    dataset.register(engine)
    con = engine.con
    rows = con.execute("SELECT name, shift, bin_width, whole FROM measurements ORDER BY position").fetchall()
    assert rows[0] == ("bill_length_mm", 47.5, 1.0, False)
    assert rows[3] == ("body_mass_g", 4500.0, 250.0, True)
    assert con.execute("SELECT getvariable('measurements')").fetchone()[0] == dataset.measurement_names()
    assert con.execute("SELECT getvariable('scatter_per_stratum')").fetchone()[0] == 250


@pytest.mark.slow
def test_a_measurement_added_to_the_description_flows_through_the_build(described_with_tail, tmp_path):
    rows = with_tail(raw_rows())
    source = write_csv(tmp_path / "with-tail.csv", rows)
    folder = tmp_path / "board"
    assert build.run([str(source)], str(folder)) == "built"
    board = pins.board_folder(str(folder), allow_pickle_read=True)

    tidy = board.pin_read("penguins")
    decimals_then_whole = ["bill_length_mm", "bill_depth_mm", "tail_length_mm", "flipper_length_mm", "body_mass_g"]
    assert list(tidy.columns)[2:7] == decimals_then_whole
    tails = np.array([float(r[TAIL.raw]) if r[TAIL.raw] != "NA" else np.nan for r in rows])
    np.testing.assert_allclose(tidy["tail_length_mm"].to_numpy(dtype=float), tails)

    stats = board.pin_read("measurement_stats").set_index(["species", "sex", "measurement"])
    adelie = tidy.loc[tidy["species"] == "Adelie", "tail_length_mm"].dropna()
    row = stats.loc[("Adelie", "all", "tail_length_mm")]
    assert row["n"] == len(adelie) == 151
    assert row["mean"] == pytest.approx(adelie.mean(), rel=1e-12)
    assert row["sd"] == pytest.approx(adelie.std(), rel=1e-9)
    assert row["median"] == pytest.approx(adelie.median())

    bins = board.pin_read("histograms").query("measurement == 'tail_length_mm'")
    assert set(bins["bin_end"] - bins["bin_start"]) == {2.0}
    assert bins["n"].sum() == 342

    correlations = board.pin_read("correlations").query("group == 'All species'").set_index("measurement")
    complete = tidy[["tail_length_mm", "body_mass_g"]].dropna()
    expected = np.corrcoef(complete["tail_length_mm"], complete["body_mass_g"])[0, 1]
    assert correlations.loc["tail_length_mm", "body_mass_g"] == pytest.approx(expected, rel=1e-9)
    assert correlations.loc["tail_length_mm", "tail_length_mm"] == 1.0

    missing = board.pin_read("missing_values").set_index("column")["missing"]
    assert list(missing.index)[2:7] == dataset.measurement_names()  # the description's order
    assert missing["tail_length_mm"] == 2

    by_year = board.pin_read("measurements_by_year").query("measurement == 'tail_length_mm'")
    assert by_year["n"].sum() == 342
    assert "tail_length_mm" in board.pin_read("scatter_sample").columns

    metrics = board.pin_read("model_test_metrics").set_index("model")
    assert "tail_length_mm" in metrics.loc["linear: all measurements", "features"]
    # a tail a hundredth of the mass: the chosen model uses it, and the API takes it in the described range
    model = vetiver.VetiverModel.from_pin(board, "penguin_model")
    assert "tail_length_mm" in model.metadata.user["features"]
    assert model.metadata.user["input_domain"]["tail_length_mm"] == {"min": 20, "max": 80, "unit": "mm"}


def test_the_gate_checks_a_described_measurement(described_with_tail, tmp_path):
    rows = with_tail(raw_rows())
    rows[4][TAIL.raw] = "800"
    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "bad-tail.csv", rows))])
    with pytest.raises(GateError) as caught:
        validate.check(engine)
    (violation,) = caught.value.violations
    assert (violation.rule, violation.column, violation.rows) == ("range", TAIL.raw, 1)

    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "no-tail.csv", raw_rows()))])
    with pytest.raises(GateError) as caught:
        validate.check(engine)
    assert [(v.rule, v.column) for v in caught.value.violations] == [("required column", TAIL.raw)]


def test_the_sample_caps_come_from_the_description(monkeypatch, tmp_path):
    monkeypatch.setattr(dataset, "SCATTER_PER_STRATUM", 5)
    monkeypatch.setattr(dataset, "TRAINING_PER_STRATUM", 7)
    engine = DuckDBEngine()
    engine.register_raw([config.default_source()])
    validate.check(engine)
    from scripts import clean, train

    clean.clean(engine, tmp_path / "penguins.parquet")
    tables = summarize.summarize(engine)
    per_stratum = tables["scatter_sample"].groupby(["species", "island", "sex"], dropna=False).size()
    assert per_stratum.max() == 5
    assert train.training_sample(engine).groupby(["species", "sex"]).size().max() == 7


@pytest.mark.slow
def test_a_measurement_added_between_builds_is_not_a_revision(monkeypatch, tmp_path):
    folder = tmp_path / "board"
    assert build.run([config.default_source()], str(folder)) == "built"
    monkeypatch.setattr(dataset, "MEASUREMENTS", (*dataset.MEASUREMENTS, TAIL))
    source = write_csv(tmp_path / "with-tail.csv", with_tail(raw_rows()))
    assert build.run([str(source)], str(folder)) == "built"  # no revision gate: 344 penguins unchanged
    history = pins.board_folder(str(folder)).pin_read("build_history")
    assert history[["added", "removed", "revised"]].iloc[-1].tolist() == [0, 0, 0]


def test_identifiers_fit_the_lter_naming_and_nothing_that_could_be_markup():
    study, individual = (next(i for i in dataset.IDENTIFIERS if i.raw == raw) for raw in ("studyName", "Individual ID"))
    # the LTER's seasons and birds, as its tables name them (a trailing space is trimmed, as the tidy table does)
    assert all(study.matches(v) for v in ("PAL0708", "PAL0809", "PAL0910", "PAL1011", "PAL0708 "))
    assert all(individual.matches(v) for v in ("N1A1", "N100A2", "N24A1", "N9A2"))
    hostile = ["<b>", "{{< env HOME >}}", "PAL 0708", "PAL0708\n", "PAL`0708`", "PAL_$x$", "", "P" * 33]
    hostile.append("PAL\u202e0708")
    assert not any(study.matches(v) for v in hostile)
    assert study.matches(study.example) and individual.matches(individual.example)
