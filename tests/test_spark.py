"""REPORT_ENGINE=spark: the same gate, tidy table, summaries, samples and model as DuckDB.

Real Spark in local mode (the spark extra and Java 17); skipped, naming what is
missing, without them. Each test runs both engines on the same input and
compares what they produced: counts exactly, floating-point statistics to
1e-9 relative, quantiles, samples and the tidy table exactly, gate messages
word for word.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from scripts import build, config, validate
from scripts.engines import spark
from scripts.engines.duckdb import DuckDBEngine
from scripts.errors import GateError
from tests.helpers import raw_rows, write_csv
from tests.test_gate import BROKEN, IDS

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def spark_rows():
    """One local Spark session for the module (it takes seconds to start)."""
    return spark.SparkEngine(spark.session(), DuckDBEngine())


def computed(engine: str, source: str, workdir, monkeypatch) -> dict:
    """``build.compute`` on ``engine``, with the training sample it drew kept as ``training_sample``."""
    from scripts import train

    drawn, draw = [], train.training_sample
    monkeypatch.setattr(train, "training_sample", lambda engine: drawn.append(draw(engine)) or drawn[-1])
    monkeypatch.setenv(config.ENV_ENGINE, engine)
    workdir.mkdir()
    artifacts = build.compute([source], workdir)
    monkeypatch.setattr(train, "training_sample", draw)
    return {**artifacts, "training_sample": drawn[-1]}


# Floating-point columns that hold measured values (or values between two of them), not
# sums: both engines must give them to the last bit. Every column of these tables.
EXACT_TABLES = {"penguins", "scatter_sample", "histograms", "training_sample"}
EXACT_COLUMNS = {"measurement_stats": {"min", "q25", "median", "q75", "max"}, "bill_trends": {"x_min", "x_max"}}


def assert_same_table(name: str, duck: pd.DataFrame, other: pd.DataFrame) -> None:
    """Same columns, types and rows; sums and what is computed from them (means, spreads,
    correlations, fitted lines) to 1e-9 relative, everything else exactly."""
    assert list(other.columns) == list(duck.columns), name
    assert list(other.dtypes.astype(str)) == list(duck.dtypes.astype(str)), name
    assert len(other) == len(duck), name
    for column in duck.columns:
        left, right = duck[column].tolist(), other[column].tolist()
        exact = name in EXACT_TABLES or column in EXACT_COLUMNS.get(name, ())
        if pd.api.types.is_float_dtype(duck[column]) and not exact:
            for a, b in zip(left, right, strict=True):
                assert (a is None or math.isnan(a)) == (b is None or math.isnan(b)), (name, column)
                if a == a and a is not None:
                    assert b == pytest.approx(a, rel=1e-9, abs=1e-12), (name, column)
        else:
            assert [_plain(v) for v in right] == [_plain(v) for v in left], (name, column)


def _plain(value):
    """A cell as a comparable Python value (lists of islands come back as arrays)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return None if value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


def assert_same_build(duck: dict, other: dict) -> None:
    assert other["counts"] == duck["counts"]
    assert sorted(other["summaries"]) == sorted(duck["summaries"])
    for name, table in duck["summaries"].items():
        assert_same_table(name, table, other["summaries"][name])
    # the same training sample, so the same model and metrics
    assert_same_table("training_sample", duck["training_sample"], other["training_sample"])
    for name, table in duck["model"].tables.items():
        assert_same_table(name, table, other["model"].tables[name])
    assert other["model"].chosen.name == duck["model"].chosen.name
    # the tidy table: the same rows, values and types, in the same order
    con = duckdb.connect()
    both = [con.execute(f"SELECT * FROM '{path}'").df() for path in (duck["tidy"], other["tidy"])]
    assert_same_table("penguins", *both)


def test_same_build_on_the_shipped_data(raw_csv, tmp_path, monkeypatch, spark_rows):
    duck = computed("duckdb", raw_csv, tmp_path / "duckdb", monkeypatch)
    other = computed("spark", raw_csv, tmp_path / "spark", monkeypatch)
    assert other["counts"] == {"raw": 344, "clean": 344}
    assert len(other["summaries"]["scatter_sample"]) == 342  # every penguin with a bill length
    assert_same_build(duck, other)


def test_same_build_on_generated_rows(tmp_path, monkeypatch, spark_rows):
    """300,000 generated rows as Parquet: samples are now picked by the hash from a
    fraction of each stratum, and Spark reads typed Parquet, not text."""
    from benchmarks.synthetic_raw import generate

    source = str(generate(300_000, tmp_path / "generated.parquet"))
    duck = computed("duckdb", source, tmp_path / "duckdb", monkeypatch)
    other = computed("spark", source, tmp_path / "spark", monkeypatch)
    assert other["counts"]["raw"] == 300_000
    sample = other["summaries"]["scatter_sample"]
    assert sample.groupby(["species", "island", "sex"], dropna=False).size().max() == 250
    assert_same_build(duck, other)


def gate_outcome(engine, source: str):
    try:
        return validate.check(engine)
    except GateError as error:
        return str(error)


@pytest.mark.parametrize(("case", "mutate", "rule", "column", "rows", "words"), BROKEN, ids=IDS)
def test_the_gate_says_the_same_on_spark(tmp_path, spark_rows, case, mutate, rule, column, rows, words):
    source = str(write_csv(tmp_path / "broken.csv", mutate(raw_rows())))
    engine = DuckDBEngine()
    engine.register_raw([source])
    spark_rows.register_raw([source])
    expected = gate_outcome(engine, source)
    assert gate_outcome(spark_rows, source) == expected
    if rule not in ("drift",):  # the drift case passes the gate and is stopped by the comparison
        assert f'rule "{rule}"' in expected


def test_a_column_missing_from_one_of_two_files_on_spark(tmp_path, spark_rows):
    good = write_csv(tmp_path / "a.csv", raw_rows()[:100])
    lacking = write_csv(tmp_path / "b.csv", [{k: v for k, v in r.items() if k != "Sex"} for r in raw_rows()[100:]])
    sources = [str(good), str(lacking)]
    engine = DuckDBEngine()
    engine.register_raw(sources)
    spark_rows.register_raw(sources)
    expected = gate_outcome(engine, sources[0])
    assert "b.csv" in expected
    assert gate_outcome(spark_rows, sources[0]) == expected


def test_translation_expands_the_described_columns():
    text = spark.translate(
        "SELECT TRY_CAST(COLUMNS(getvariable('m')) AS DOUBLE), hash(a, *COLUMNS(getvariable('m'))) AS h, "
        "getvariable('m')[1] AS first FROM t",
        {"m": ["x y", "z"]},
    )
    assert text == (
        "SELECT TRY_CAST(`x y` AS DOUBLE) AS `x y`, TRY_CAST(`z` AS DOUBLE) AS `z`, "
        "HASH(a, `x y`, `z`) AS h, ARRAY('x y', 'z')[0] AS first FROM t"
    )


def test_an_unknown_engine_is_named(monkeypatch):
    monkeypatch.setenv(config.ENV_ENGINE, "polars")
    with pytest.raises(Exception, match="REPORT_ENGINE='polars' is not an engine: use duckdb or spark"):
        config.get_engine()


def test_a_spark_board_has_the_same_pins_and_renders_every_page(built_board, tmp_path, monkeypatch, spark_rows):
    """The command on Spark, its tidy table written through REPORT_SPARK_SCRATCH: the same
    pins in name, type and columns as a DuckDB build, and every page executes from them."""
    from tests.test_pages import PAGES, execute

    scratch = tmp_path / "scratch"
    monkeypatch.setenv(config.ENV_ENGINE, "spark")
    monkeypatch.setenv(config.ENV_SPARK_SCRATCH, str(scratch))
    board = tmp_path / "board"
    assert build.main(["--board", str(board)]) == 0
    assert list(scratch.iterdir()) == []  # the build's own folder there is gone

    def described(folder):
        import pins

        b = pins.board_folder(str(folder))
        pinned = {}
        for name in b.pin_list():
            meta = b.pin_meta(name)
            columns = None
            if meta.type == "parquet":
                path = b.pin_download(name)[0] if name == "penguins" else None
                frame = duckdb.connect().execute(f"SELECT * FROM '{path}'").df() if path else b.pin_read(name)
                columns = {c: str(t) for c, t in frame.dtypes.items()}
            pinned[name] = (meta.type, meta.description, columns)
        return pinned

    assert described(board) == described(built_board)
    for page in PAGES:
        notebook = execute(page, board, monkeypatch)
        errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], page


def test_a_remote_spark_needs_a_shared_scratch(tmp_path, monkeypatch):
    from scripts.errors import ConfigError

    monkeypatch.setenv(config.ENV_SPARK_REMOTE, "sc://spark.example:15002")
    with pytest.raises(ConfigError, match="REPORT_SPARK_SCRATCH to a folder or cloud URI"):
        spark.tidy_folder(tmp_path)
    monkeypatch.setenv(config.ENV_SPARK_SCRATCH, "s3://bucket/scratch/")
    assert spark.tidy_folder(tmp_path).startswith("s3://bucket/scratch/penguins-")


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A Spark Connect server on loopback (pyspark's own jar, local mode), as a cluster would offer."""
    import os
    import socket
    import subprocess
    import time
    from pathlib import Path

    import pyspark

    from tests.helpers import free_port

    port = free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    command = [
        str(submit),
        *("--class", "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", "local[2]"),
        *("--conf", "spark.ui.enabled=false", "--conf", f"spark.connect.grpc.binding.port={port}"),
        "spark-internal",
    ]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Spark Connect server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_command_builds_through_spark_connect(built_board, connect_server, tmp_path):
    """SPARK_REMOTE: the command in its own process, as the scheduled job runs it, against
    a Spark Connect server; the tidy table goes through REPORT_SPARK_SCRATCH. Its summaries
    equal the DuckDB board's."""
    import os
    import subprocess
    import sys

    import pins

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    env.update(
        {
            config.ENV_ENGINE: "spark",
            config.ENV_SPARK_REMOTE: connect_server,
            config.ENV_SPARK_SCRATCH: str(scratch),
        }
    )
    board = tmp_path / "board"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.build", "--board", str(board)],
        cwd=config.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(scratch.iterdir()) == []
    connected, duck = pins.board_folder(str(board)), pins.board_folder(str(built_board))
    from scripts.summarize import summary_names

    for name in summary_names():
        assert_same_table(name, duck.pin_read(name), connected.pin_read(name))


def test_a_malformed_line_is_named_alike(tmp_path, monkeypatch, capsys, spark_rows):
    """A line with 3 fields where the header has 17: the same message (file, line, fields)
    and exit status on both engines, and no Java stack trace."""
    from tests.helpers import shipped_csv_with_line

    source = shipped_csv_with_line(tmp_path / "broken.csv", "PAL0708,5,Adelie", at=10)
    said = {}
    for engine in ("duckdb", "spark"):
        monkeypatch.setenv(config.ENV_ENGINE, engine)
        status = build.main(["--source", str(source), "--board", str(tmp_path / engine)])
        said[engine] = (status, capsys.readouterr().err.strip().splitlines()[-1])
    assert said["spark"] == said["duckdb"]
    assert said["duckdb"][0] == 3
    assert "broken.csv line 11 has 3 fields where the header has 17" in said["duckdb"][1]
