"""Shared fixtures: the shipped raw CSV and built boards (helpers live in ``tests/helpers.py``).

Everything is local: test data comes from the palmerpenguins package or is
written by the test into a temporary folder; nothing touches the network.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts import build, config
from tests.helpers import FolderServer, new_season, raw_rows, write_csv

# The tests run a process per core (pytest-xdist), so each process gets one OpenMP
# thread: two processes training at once took 10.3 s each with OpenMP's default
# threads (they busy-wait), 2.3 s with passive waiting and 0.85 s with one thread
# (benchmarks/train_threads.py). Set before any OpenMP library loads; Jupyter
# kernels and build subprocesses inherit it.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_collection_modifyitems(config, items):
    """Tests of an optional extra skip, naming it, where its packages (or Java, for Spark) are not installed."""
    import importlib.util
    import shutil

    reasons = {}
    if importlib.util.find_spec("s3fs") is None:
        reasons["cloud"] = "needs the cloud extra: uv sync --extra cloud"
    if importlib.util.find_spec("pyspark") is None:
        reasons["spark"] = "needs the spark extra: uv sync --extra spark"
    elif not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        reasons["spark"] = "needs Java 17 or later for Spark's local mode (java on PATH, or JAVA_HOME)"
    if importlib.util.find_spec("duckdb_extension_postgres_scanner") is None:
        reasons["postgres"] = "needs the postgres extra: uv sync --extra postgres"
    else:
        from tests import postgres

        if postgres.missing():
            reasons["postgres"] = postgres.missing()
    for marker, reason in reasons.items():
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def train_each_sample_once():
    """In one test process, builds train once per distinct training sample.

    Many tests build a board from the same rows (the shipped data, a forced
    re-run, a copy with one pin damaged); training is deterministic
    (``test_training_is_reproducible``), so the second build of the same sample
    with the same candidates and setting gets a copy of the first one's result
    instead of cross-validating the four candidates again, about a second each.
    Every other step of those builds runs. ``tests/test_train.py`` trains every time.
    """
    import copy
    import functools
    import hashlib

    import pandas as pd

    from scripts import train

    trained = {}

    @functools.wraps(train.train)
    def train_once(sample, *settings, **named):
        rows = hashlib.sha256(pd.util.hash_pandas_object(sample).to_numpy().tobytes()).hexdigest()
        key = (rows, tuple(sample.columns), tuple(map(str, sample.dtypes)), settings, tuple(sorted(named.items())))
        key += (train.candidates(),)
        if key not in trained:
            trained[key] = real(sample, *settings, **named)
        return copy.deepcopy(trained[key])

    real = train.train
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "train", train_once)
        yield


@pytest.fixture(autouse=True)
def no_report_settings(monkeypatch):
    """Every test starts without REPORT_* settings from the shell (a user's
    REPORT_MAX_ROW_DROP=1 must not change what a test sees); a test sets its own."""
    for name in [name for name in os.environ if name.startswith("REPORT_") or name == "SPARK_REMOTE"]:
        monkeypatch.delenv(name)


@pytest.fixture
def serve_folder():
    """Serve folders over loopback HTTP (``helpers.FolderServer``); yields ``start(folder, status=None) -> url``."""
    servers = []

    def start(folder: Path, status: int | None = None) -> str:
        servers.append(FolderServer(folder, status))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def raw_csv() -> str:
    return config.default_source()


@pytest.fixture
def board_dir(tmp_path, monkeypatch) -> Path:
    """An empty board location; REPORT_BOARD points at it for the test."""
    folder = tmp_path / "board"
    monkeypatch.setenv(config.ENV_BOARD, str(folder))
    monkeypatch.delenv(config.ENV_SOURCE, raising=False)
    return folder


@pytest.fixture(scope="session")
def built_board(tmp_path_factory) -> Path:
    """A board built once (in each test process) from the shipped raw CSV, shared read-only by tests.

    Not shared between pytest-xdist's processes: a pickled model's bytes depend on
    whether equal strings are one object in the process that pickles it (the
    ColumnTransformer's two 'drop's: equal models, different bytes), so a --force
    rebuild in another test process would see a changed model.
    """
    folder = tmp_path_factory.mktemp("built") / "board"
    build.run([config.default_source()], str(folder))
    return folder


@pytest.fixture(scope="session")
def season_board(tmp_path_factory) -> Path:
    """A board of two builds, shared read-only: the shipped data, then with a new
    breeding season (120 penguins of 2010, ``helpers.new_season``)."""
    folder = tmp_path_factory.mktemp("season")
    board = folder / "board"
    build.run([config.default_source()], str(board))
    build.run([str(write_csv(folder / "season.csv", new_season(raw_rows())))], str(board))
    return board
