"""The build on a generated file of a few hundred thousand rows (benchmark data):
small presentation pins, exact summaries, bounded stratified samples."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pins
import pytest

from benchmarks import big_data, synthetic_raw
from scripts import build, config, sql, summarize
from scripts.engines.duckdb import DuckDBEngine

# Builds of 300,000 generated rows, benchmarks in processes of their own.
pytestmark = pytest.mark.slow

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


# Both samples as the rows with the smallest hashes of every row of each
# stratum, ranked over the whole table: what picking from the candidates must equal.
SAMPLES_FROM_EVERY_ROW = {
    "scatter_sample": """
        WITH picked AS (
            SELECT species, island, sex,
                   min_by(struct_pack(year, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g),
                          row_hash, 250) AS picks
            FROM hashed_penguins WHERE bill_length_mm IS NOT NULL GROUP BY species, island, sex
        )
        SELECT species, island, sex, p.year, p.bill_length_mm, p.bill_depth_mm, p.flipper_length_mm, p.body_mass_g
        FROM (SELECT species, island, sex, unnest(picks) AS p FROM picked)
        ORDER BY ALL""",
    "training_sample": """
        WITH picked AS (
            SELECT species, sex,
                   min_by(struct_pack(island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g),
                          row_hash, 2000) AS picks
            FROM hashed_penguins
            WHERE sex IS NOT NULL AND bill_length_mm IS NOT NULL AND bill_depth_mm IS NOT NULL
              AND flipper_length_mm IS NOT NULL AND body_mass_g IS NOT NULL
            GROUP BY species, sex
        )
        SELECT species, p.island, sex, p.bill_length_mm, p.bill_depth_mm, p.flipper_length_mm, p.body_mass_g
        FROM (SELECT species, sex, unnest(picks) AS p FROM picked)
        ORDER BY ALL""",
}


def prepared(big):
    """A connection with the built tidy table as `penguins` and summarize's shared tables."""
    _, board = big
    engine = DuckDBEngine()
    engine.con.execute(
        f"CREATE VIEW penguins AS SELECT * FROM '{pins.board_folder(str(board)).pin_download('penguins')[0]}'"
    )
    summarize.prepare(engine)
    return engine


def test_samples_are_bounded_and_stratified(big):
    _, board = big
    b = pins.board_folder(str(board))
    sample = b.pin_read("scatter_sample")
    per_stratum = sample.groupby(["species", "island", "sex"], dropna=False).size()
    # every species x island x sex stratum of the data (13, unknown sex included), 250 each
    assert len(per_stratum) == 13 and (per_stratum == 250).all()
    engine = prepared(big)
    # a few thousand candidates per stratum at most, not 300,000 rows
    assert engine.con.execute("SELECT count(*) FROM sample_candidates").fetchone()[0] < 13 * 2500
    training = engine.con.execute(sql.load("training_sample")).df()
    assert training.groupby(["species", "sex"]).size().to_dict() == {
        (s, x): 2000 for s in ("Adelie", "Chinstrap", "Gentoo") for x in ("female", "male")
    }
    assert engine.con.execute(sql.load("training_sample")).df().equals(training)  # same data, same sample


@pytest.mark.parametrize("name", sorted(SAMPLES_FROM_EVERY_ROW))
def test_samples_from_candidates_equal_samples_ranked_over_every_row(big, name):
    engine = prepared(big)
    folder = "summaries/" if name == "scatter_sample" else ""
    picked = engine.con.execute(f"SELECT * FROM ({sql.load(folder + name)}) ORDER BY ALL").fetchall()
    assert len(picked) >= 3_250  # 13 strata x 250, or 6 x 2,000
    assert picked == engine.con.execute(SAMPLES_FROM_EVERY_ROW[name]).fetchall()


def test_too_few_candidates_make_every_row_a_candidate(big, monkeypatch):
    engine = prepared(big)
    sample = engine.con.execute(sql.load("training_sample")).fetchall()
    load = sql.load
    # as if the hash cutoffs had been unlucky for one stratum
    short = "SELECT 'training', 'Adelie' AS species, NULL AS island, 'male' AS sex, 0 AS rows, 0 AS candidates"
    monkeypatch.setattr(sql, "load", lambda name: short if name == "sample_candidates_short" else load(name))
    summarize.prepare(engine)
    measured = engine.con.execute("SELECT count(bill_length_mm) FROM penguins").fetchone()[0]
    assert engine.con.execute("SELECT count(*) FROM sample_candidates").fetchone()[0] == measured
    assert engine.con.execute(sql.load("training_sample")).fetchall() == sample


def test_benchmark_cost_per_million_rows_is_the_least_squares_slope():
    # 1 s + 0.5 s per million rows for the build, 0.25 s per million for the least work
    # (wall s, peak MiB, exit status, CPU s); the CPU seconds are twice the wall time
    results = {m: {"build": (1 + 0.5 * m, 0, 0, 2 + m), "least work": (0.25 * m, 0, 0, 0.5 * m)} for m in (2, 20, 100)}
    costs = big_data.per_million_costs(results, [2, 20, 100])
    assert costs["build"] == pytest.approx((1.0, 0.5))
    assert costs["least work"] == pytest.approx((0.0, 0.25))
    cpu = big_data.per_million_costs(results, [2, 20, 100], measure=big_data.CPU)
    assert cpu["build"] == pytest.approx((2.0, 1.0)) and cpu["least work"] == pytest.approx((0.0, 0.5))


def test_a_training_stratum_counts_only_candidates_below_its_own_cutoff(big):
    engine = prepared(big)
    assert engine.con.execute(sql.load("sample_candidates_short")).fetchall() == []
    # Biscoe's Adelie males pass under their scatter cutoff as well: without them the
    # other islands still hold over 2,000 complete candidates, but fewer below the
    # training cutoff, so the smallest hashes of the stratum may be missing
    engine.con.execute("DELETE FROM sample_candidates WHERE species = 'Adelie' AND sex = 'male' AND island = 'Biscoe'")
    complete = "sex = 'male' AND species = 'Adelie' AND body_mass_g IS NOT NULL AND bill_depth_mm IS NOT NULL"
    assert engine.con.execute(f"SELECT count(*) FROM sample_candidates WHERE {complete}").fetchone()[0] > 2000
    short = {row[:4] for row in engine.con.execute(sql.load("sample_candidates_short")).fetchall()}
    assert short == {("scatter", "Adelie", "Biscoe", "male"), ("training", "Adelie", None, "male")}


@pytest.mark.parametrize("script", ["big_data", "build_speed", "api_latency", "synthetic_raw", "train_threads"])
def test_benchmarks_run_as_the_readme_shows(script):
    # The README runs some as files (python benchmarks/x.py), some as modules (-m).
    for command in ([f"benchmarks/{script}.py"], ["-m", f"benchmarks.{script}"]):
        result = subprocess.run(
            [sys.executable, *command, "--help"], cwd=config.PROJECT_ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout
