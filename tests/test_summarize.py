"""Summaries: exact numbers a reader can check against the published table."""

from __future__ import annotations

import pytest
from palmerpenguins import load_penguins

from scripts import clean, summarize
from scripts.engines.duckdb import DuckDBEngine
from scripts.names import DESCRIPTIONS


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    engine = DuckDBEngine()
    engine.register_raw([ingest_default()])
    clean.clean(engine, tmp_path_factory.mktemp("clean") / "penguins.parquet")
    return summarize.summarize(engine)


def ingest_default():
    from scripts import config

    return config.default_source()


def test_one_table_per_sql_file(tables):
    assert sorted(tables) == [
        "bill_trends",
        "correlations",
        "histograms",
        "measurement_stats",
        "measurements_by_year",
        "missing_values",
        "overview",
        "scatter_sample",
        "species_island_year_counts",
        "species_islands",
    ]
    assert set(tables) <= set(DESCRIPTIONS)  # each has a description for readers


def test_overview(tables):
    assert tables["overview"].iloc[0].to_dict() == {
        "penguins": 344,
        "species": 3,
        "islands": 3,
        "years": 3,
        "first_year": 2007,
        "last_year": 2009,
        "sex_unknown": 11,
    }


def test_where_each_species_was_seen(tables):
    where = tables["species_islands"]
    assert [(r.species, list(r.islands), r.penguins) for r in where.itertuples()] == [
        ("Adelie", ["Biscoe", "Dream", "Torgersen"], 152),
        ("Chinstrap", ["Dream"], 68),
        ("Gentoo", ["Biscoe"], 124),
    ]


def test_counts_by_species_island_year(tables):
    counts = tables["species_island_year_counts"]
    assert counts["penguins"].sum() == 344
    by_species = counts.groupby("species")["penguins"].sum().to_dict()
    assert by_species == {"Adelie": 152, "Chinstrap": 68, "Gentoo": 124}
    torgersen = counts[counts.island == "Torgersen"]
    assert set(torgersen.species) == {"Adelie"} and torgersen["penguins"].sum() == 52


def test_measurement_stats_match_pandas(tables):
    stats = tables["measurement_stats"].set_index(["species", "sex", "measurement"])
    penguins = load_penguins()
    gentoo_female = penguins.query("species == 'Gentoo' and sex == 'female'")["body_mass_g"]
    row = stats.loc[("Gentoo", "female", "body_mass_g")]
    assert row["n"] == 58
    assert row["mean"] == pytest.approx(gentoo_female.mean())
    assert row["sd"] == pytest.approx(gentoo_female.std())
    assert row["median"] == pytest.approx(gentoo_female.median())
    assert row["q25"] == pytest.approx(gentoo_female.quantile(0.25))
    adelie_all = stats.loc[("Adelie", "all", "bill_length_mm")]
    assert adelie_all["n"] == 151  # one Adelie was not measured
    assert adelie_all["mean"] == pytest.approx(penguins.query("species == 'Adelie'")["bill_length_mm"].mean())


def test_histograms_count_every_measured_penguin(tables):
    hist = tables["histograms"]
    totals = hist.groupby("measurement")["n"].sum().to_dict()
    assert totals == {"bill_depth_mm": 342, "bill_length_mm": 342, "body_mass_g": 342, "flipper_length_mm": 342}
    mass = hist[hist.measurement == "body_mass_g"]
    assert (mass.bin_end - mass.bin_start == 250).all()
    assert mass.bin_start.min() == 2500 and mass.bin_end.max() == 6500


def test_correlations_show_the_pooled_trend_reversing(tables):
    corr = tables["correlations"].melt(["group", "measurement"], var_name="y", value_name="r")
    corr = corr.set_index(["group", "measurement", "y"])["r"]
    penguins = load_penguins()
    pooled = penguins["bill_length_mm"].corr(penguins["bill_depth_mm"])
    assert corr[("All species", "bill_length_mm", "bill_depth_mm")] == pytest.approx(pooled)
    assert pooled < 0
    for species in ("Adelie", "Chinstrap", "Gentoo"):
        assert corr[(species, "bill_length_mm", "bill_depth_mm")] > 0
    assert corr[("Gentoo", "body_mass_g", "body_mass_g")] == 1.0
    assert len(corr) == 4 * 16  # four groups, a full 4 x 4 matrix each


def test_missing_values(tables):
    missing = tables["missing_values"].set_index("column")["missing"].to_dict()
    assert missing == {
        "species": 0,
        "island": 0,
        "bill_length_mm": 2,
        "bill_depth_mm": 2,
        "flipper_length_mm": 2,
        "body_mass_g": 2,
        "sex": 11,
        "year": 0,
    }


def test_scatter_sample_is_the_whole_small_table(tables):
    sample = tables["scatter_sample"]
    # every stratum is below the cap of 250, so every measured penguin is in
    assert len(sample) == 342
    assert sample.groupby("species").size().to_dict() == {"Adelie": 151, "Chinstrap": 68, "Gentoo": 123}


def test_measurements_by_year(tables):
    by_year = tables["measurements_by_year"].set_index(["measurement", "species", "year"])
    penguins = load_penguins()
    expected = penguins.query("species == 'Chinstrap' and year == 2008")["flipper_length_mm"].mean()
    assert by_year.loc[("flipper_length_mm", "Chinstrap", 2008), "mean"] == pytest.approx(expected)
    assert len(by_year) == 4 * 3 * 3


def test_bill_trends_reverse_within_species(tables):
    trends = tables["bill_trends"].set_index("group")
    assert trends.loc["All species", "slope"] < 0
    assert (trends.drop("All species")["slope"] > 0).all()
    assert trends.loc["All species", "n"] == 342
    penguins = load_penguins().dropna(subset=["bill_length_mm", "bill_depth_mm"])
    gentoo = penguins[penguins.species == "Gentoo"]
    slope = gentoo["bill_length_mm"].cov(gentoo["bill_depth_mm"]) / gentoo["bill_length_mm"].var()
    assert trends.loc["Gentoo", "slope"] == pytest.approx(slope)
