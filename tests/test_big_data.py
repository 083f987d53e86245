"""The build on a generated file of a few hundred thousand rows (benchmark data):
small presentation pins, exact summaries, bounded stratified samples."""

from __future__ import annotations

import duckdb
import pins
import pytest

from benchmarks import big_data, synthetic_raw
from scripts import build, ingest, sql

ROWS = 300_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    source = synthetic_raw.generate(ROWS, folder / "raw.parquet")
    board = folder / "board"
    assert build.run([str(source)], str(board)) == "built"  # every synthetic row passes the gate
    return source, board


def test_generated_data_is_labelled_and_keeps_observation_keys_unique(big):
    source, _ = big
    con = duckdb.connect()
    total, keys, studies = con.execute(
        f"""SELECT count(*), count(DISTINCT ("studyName", "Species", "Sample Number")),
                   count(DISTINCT "studyName") FILTER (WHERE "studyName" NOT LIKE '%-SYNTH%')
            FROM '{source}'"""
    ).fetchone()
    assert (total, keys, studies) == (ROWS, ROWS, 0)
    (meta,) = con.execute(f"SELECT value FROM parquet_kv_metadata('{source}') WHERE key = 'purpose'").fetchone()
    assert b"synthetic benchmark data" in meta


def test_pins_the_pages_read_stay_small(big):
    _, board = big
    assert big_data.pages_pin_bytes(board) < 1024 * 1024
    tidy = pins.board_folder(str(board)).pin_meta("penguins")
    assert tidy.user["rows"] == ROWS and tidy.type == "parquet"


def test_summaries_equal_a_direct_sql_computation(big):
    _, board = big
    b = pins.board_folder(str(board))
    (tidy_path,) = b.pin_download("penguins")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW penguins AS SELECT * FROM '{tidy_path}'")
    direct = con.execute(
        """SELECT species, quantile_cont(body_mass_g, 0.25), median(body_mass_g), quantile_cont(body_mass_g, 0.75),
                  avg(body_mass_g), stddev_samp(body_mass_g), count(body_mass_g)
           FROM penguins GROUP BY species ORDER BY species"""
    ).fetchall()
    stats = b.pin_read("measurement_stats")
    mass = stats[(stats.measurement == "body_mass_g") & (stats.sex == "all")].sort_values("species")
    for (species, q25, median, q75, mean, sd, n), row in zip(direct, mass.itertuples(), strict=True):
        assert row.species == species and row.n == n
        assert (row.q25, row.median, row.q75) == pytest.approx((q25, median, q75), rel=1e-12)
        assert (row.mean, row.sd) == pytest.approx((mean, sd), rel=1e-9)
    pooled = con.execute("SELECT corr(bill_length_mm, bill_depth_mm) FROM penguins").fetchone()[0]
    corr = b.pin_read("correlations").set_index(["group", "measurement"])
    assert corr.loc[("All species", "bill_length_mm"), "bill_depth_mm"] == pytest.approx(pooled, rel=1e-9)
    counts = b.pin_read("species_island_year_counts")
    assert counts["penguins"].sum() == ROWS


def test_samples_are_bounded_and_stratified(big):
    _, board = big
    sample = pins.board_folder(str(board)).pin_read("scatter_sample")
    per_stratum = sample.groupby(["species", "island", "sex"], dropna=False).size()
    # every species x island x sex stratum of the data (13, unknown sex included), 250 each
    assert len(per_stratum) == 13 and (per_stratum == 250).all()
    con = ingest.connect()
    con.execute(f"CREATE VIEW penguins AS SELECT * FROM '{pins.board_folder(str(board)).pin_download('penguins')[0]}'")
    training = con.execute(sql.load("training_sample")).df()
    assert training.groupby(["species", "sex"]).size().to_dict() == {
        (s, x): 2000 for s in ("Adelie", "Chinstrap", "Gentoo") for x in ("female", "male")
    }
    assert con.execute(sql.load("training_sample")).df().equals(training)  # same data, same sample
