"""Names of the environment variables and their defaults, read at call time.

Keeping the *names* as constants and reading the *values* inside small getters
lets tests (and users) change the environment freely between calls.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from pathlib import Path

from scripts.errors import ConfigError

ENV_SOURCE = "REPORT_SOURCE"
ENV_BOARD = "REPORT_BOARD"
ENV_MEMORY_LIMIT = "REPORT_DUCKDB_MEMORY_LIMIT"
ENV_TEMP_DIR = "REPORT_DUCKDB_TEMP_DIR"
ENV_THREADS = "REPORT_DUCKDB_THREADS"
ENV_MAX_ROW_DROP = "REPORT_MAX_ROW_DROP"
ENV_MAX_REVISED = "REPORT_MAX_REVISED"
ENV_MAX_REMOVED = "REPORT_MAX_REMOVED"
ENV_CHECK_EVERY_HOURS = "REPORT_CHECK_EVERY_HOURS"
ENV_EXPECT_DATA_EVERY = "REPORT_EXPECT_DATA_EVERY"
ENV_SITE_URL = "REPORT_SITE_URL"  # the published site's address, for the change feed
ENV_MAX_SPREAD_RATIO = "REPORT_MAX_SPREAD_RATIO"
ENV_MAX_REPEATED = "REPORT_MAX_REPEATED"
ENV_MAX_KS = "REPORT_MAX_KS"
ENV_MAX_ERROR_RATIO = "REPORT_MAX_ERROR_RATIO"
ENV_MIN_ERROR_RATIO = "REPORT_MIN_ERROR_RATIO"
ENV_MAX_DRIFT = "REPORT_MAX_DRIFT"
ENV_MAX_RMSE_RATIO = "REPORT_MAX_RMSE_RATIO"
ENV_CSV_MAX_LINE_SIZE = "REPORT_CSV_MAX_LINE_SIZE"
ENV_API_MAX_BODY_BYTES = "REPORT_API_MAX_BODY_BYTES"
ENV_API_MAX_ROWS = "REPORT_API_MAX_ROWS"
ENV_API_TIMEOUT = "REPORT_API_TIMEOUT"
ENV_ENGINE = "REPORT_ENGINE"
ENV_SPARK_MASTER = "REPORT_SPARK_MASTER"
ENV_SPARK_REMOTE = "SPARK_REMOTE"  # Spark Connect's own variable (sc://host:port)
ENV_SPARK_SCRATCH = "REPORT_SPARK_SCRATCH"
ENV_SKIP_BUILD = "REPORT_SKIP_BUILD"  # the render reads a board built earlier in the job (publish.yml)
# Which environment variable sets each DuckDB setting, for error messages.
DUCKDB_SETTING_ENV = {"memory_limit": ENV_MEMORY_LIMIT, "temp_directory": ENV_TEMP_DIR, "threads": ENV_THREADS}

DEFAULT_BOARD = "data/board"
# DuckDB's own default is 80% of the machine's memory; the build needs far less
# (it streams and spills), and a bound keeps the whole job under 1 GiB at 20M rows.
DEFAULT_MEMORY_LIMIT = "512MB"
# The LTER data only grows; a raw table with far fewer rows than the last build
# read is more likely a truncated download than news.
DEFAULT_MAX_ROW_DROP = 0.10
# Observations already published are rarely corrected upstream: a few rows, not
# a twentieth of them (swapped labels or a re-exported table rewrite most).
DEFAULT_MAX_REVISED = 0.05
DEFAULT_MAX_REMOVED = 0.05
# How far a measurement's mean within a species x sex group may move from the
# last build, in pooled standard deviations. A new breeding season moves a mean
# by a fraction of one; swapped sex labels, a unit change or a shuffled column by
# one or more.
DEFAULT_MAX_DRIFT = 1.0
# Added penguins against the published ones, by species x sex (scripts/added_data.py);
# measured on genuine new seasons in benchmarks/added_data.py (benchmarks/README.md).
DEFAULT_MAX_SPREAD_RATIO = 8.0
DEFAULT_MAX_REPEATED = 0.5
DEFAULT_MAX_KS = 0.5
DEFAULT_MAX_ERROR_RATIO = 2.0
DEFAULT_MIN_ERROR_RATIO = 0.6
# The chosen model's CV RMSE must be at most this share of the mean baseline's.
# On penguins it is about 0.35; rows whose columns no longer belong together
# (a column shuffled across rows) give about 0.99, which noise alone can reach.
DEFAULT_MAX_RMSE_RATIO = 0.75
# DuckDB's CSV reader stops at a longer line; an LTER line has a few hundred bytes.
DEFAULT_CSV_MAX_LINE_SIZE = 2_000_000
# The prediction API: a request body (a row is about 150 bytes of JSON), rows per
# request, and seconds a client may take to send its request or keep a connection idle.
DEFAULT_API_MAX_BODY_BYTES = 1_000_000
DEFAULT_API_MAX_ROWS = 1000
DEFAULT_API_TIMEOUT = 5.0

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_source() -> str:
    """The raw LTER CSV that the ``palmerpenguins`` package ships.

    Found without importing the package (which imports pandas), so that an
    up-to-date check stays well under a second.
    """
    spec = importlib.util.find_spec("palmerpenguins")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return str(folder / "data" / "penguins-raw.csv")


def get_source() -> list[str]:
    """The raw input: ``REPORT_SOURCE`` split on commas, or the shipped raw CSV."""
    value = os.environ.get(ENV_SOURCE, "").strip()
    if not value:
        return [default_source()]
    return split_sources(value, ENV_SOURCE)


def split_sources(value: str, origin: str) -> list[str]:
    """Comma-separated locations; ``ConfigError`` when there are none, when an item is
    empty, or when one is listed twice (``origin`` names where the list came from).

    An empty item is what an unset shell variable leaves (``"$A,$B,$C"``): dropped, it
    would publish two species of three. Read twice, every row of a file would be its
    own duplicate. Both are said at the source, with the item's position.

    >>> split_sources("a.csv, b.csv", "--source")
    ['a.csv', 'b.csv']
    """
    parts = [part.strip() for part in value.split(",")]
    if not any(parts):
        raise ConfigError(f"{origin}={value!r} names no source: give one or more paths or URLs, comma-separated")
    for position, part in enumerate(parts, start=1):
        if not part:
            raise ConfigError(
                f"{origin} item {position} of {len(parts)} is empty ({value!r}): an unset variable? "
                "list each source once, with no empty item between the commas"
            )
    for position, part in enumerate(parts, start=1):
        first = parts.index(part) + 1
        if first < position:
            raise ConfigError(
                f"{origin} names {part} more than once (items {first} and {position}): list each source once"
            )
    return parts


def get_board() -> str:
    """Where the pins go: ``REPORT_BOARD`` (a folder or s3://, gs://, az:// URI)."""
    return os.environ.get(ENV_BOARD, "").strip() or DEFAULT_BOARD


ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[*]"


def get_skip_build() -> bool:
    """``REPORT_SKIP_BUILD=1``: the pre-render step only checks that the board holds a
    complete build (the publish workflow builds in a step of its own, with the
    credentials, and renders from a copy of the board without them)."""
    value = os.environ.get(ENV_SKIP_BUILD, "").strip().lower()
    if value not in ("", "0", "1", "false", "true"):
        raise ConfigError(f"{ENV_SKIP_BUILD}={value!r}: use 1 (read the board as it is) or leave it unset")
    return value in ("1", "true")


def get_engine() -> str:
    """Where the row passes run: ``REPORT_ENGINE``, ``duckdb`` (default, embedded) or ``spark``."""
    value = os.environ.get(ENV_ENGINE, "").strip().lower() or ENGINES[0]
    if value not in ENGINES:
        raise ConfigError(f"{ENV_ENGINE}={value!r} is not an engine: use {' or '.join(ENGINES)}")
    return value


def get_spark_cluster() -> dict[str, str]:
    """The Spark to connect to: ``{"remote": SPARK_REMOTE}`` (Spark Connect, ``sc://host:port``)
    when that is set, else ``{"master": REPORT_SPARK_MASTER}`` (default ``local[*]``)."""
    remote = os.environ.get(ENV_SPARK_REMOTE, "").strip()
    if remote:
        if not remote.startswith("sc://"):
            raise ConfigError(f"{ENV_SPARK_REMOTE} must be a Spark Connect address, sc://host:port")
        return {"remote": remote}
    return {"master": os.environ.get(ENV_SPARK_MASTER, "").strip() or DEFAULT_SPARK_MASTER}


def get_spark_scratch() -> str:
    """``REPORT_SPARK_SCRATCH``: a folder or cloud URI that the Spark cluster and this
    machine can both write and read, for the tidy table Spark writes ("" when unset:
    a local master writes into the build's own scratch folder)."""
    return os.environ.get(ENV_SPARK_SCRATCH, "").strip().rstrip("/")


def get_duckdb_settings(spill_dir: str | None = None) -> dict[str, str]:
    """DuckDB settings from the environment, for bounded memory on big inputs.

    ``REPORT_DUCKDB_MEMORY_LIMIT`` (default ``DEFAULT_MEMORY_LIMIT``; DuckDB spills
    to disk beyond it), ``REPORT_DUCKDB_TEMP_DIR`` (where it spills; default
    ``spill_dir``, the build's scratch folder) and ``REPORT_DUCKDB_THREADS``
    (default: one per core).

    >>> sorted(get_duckdb_settings("/tmp/spill"))[:2]
    ['memory_limit', 'temp_directory']
    """
    settings = {"memory_limit": DEFAULT_MEMORY_LIMIT}
    if spill_dir:
        settings["temp_directory"] = spill_dir
    for env, key in (
        (ENV_MEMORY_LIMIT, "memory_limit"),
        (ENV_TEMP_DIR, "temp_directory"),
        (ENV_THREADS, "threads"),
    ):
        value = os.environ.get(env, "").strip()
        if value:
            settings[key] = value
    return settings


def _number(env: str, default: float, low: float, high: float, meaning: str, example: str) -> float:
    """The number in ``env`` (``default`` when unset); ``ConfigError`` naming it when it
    is not a number from ``low`` to ``high``."""
    value = os.environ.get(env, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # NaN fails too
        raise ConfigError(f"{env}={value!r} is not {meaning}: use a number from {low:g} to {high:g}, e.g. {example}")
    return number


def get_max_row_drop() -> float:
    """The largest share of its rows the raw data may lose between two builds.

    ``REPORT_MAX_ROW_DROP``, a number from 0 to 1 (default ``DEFAULT_MAX_ROW_DROP``);
    1 lets any drop through, for a run that changes the source on purpose.
    """
    return _number(ENV_MAX_ROW_DROP, DEFAULT_MAX_ROW_DROP, 0, 1, "a share of rows", "0.1")


def get_max_removed() -> float:
    """The largest share of the last build's observations that may be missing now.

    ``REPORT_MAX_REMOVED``, from 0 to 1 (default ``DEFAULT_MAX_REMOVED``); 1 lets a
    deliberate withdrawal through, for one run.
    """
    return _number(ENV_MAX_REMOVED, DEFAULT_MAX_REMOVED, 0, 1, "a share of observations", "0.05")


def get_max_revised() -> float:
    """The largest share of the last build's observations that may change a value.

    ``REPORT_MAX_REVISED``, from 0 to 1 (default ``DEFAULT_MAX_REVISED``); 1 lets
    any revision through, for a run after a deliberate re-issue of the data.
    """
    return _number(ENV_MAX_REVISED, DEFAULT_MAX_REVISED, 0, 1, "a share of observations", "0.05")


def get_max_drift() -> float:
    """How many pooled standard deviations a group's mean may move between builds.

    ``REPORT_MAX_DRIFT`` (default ``DEFAULT_MAX_DRIFT``); a large number such as
    100 lets a deliberate change through for one run.
    """
    return _number(ENV_MAX_DRIFT, DEFAULT_MAX_DRIFT, 0, 1e9, "a number of standard deviations", "1")


def get_max_spread_ratio() -> float:
    """How many times more (or less) the added penguins' values may vary than the published ones',
    within a species x sex group: ``REPORT_MAX_SPREAD_RATIO`` (a variance ratio, default
    ``DEFAULT_MAX_SPREAD_RATIO``; ``inf`` lets any spread through, a constant too)."""
    return _number(ENV_MAX_SPREAD_RATIO, DEFAULT_MAX_SPREAD_RATIO, 1, math.inf, "a variance ratio", "8")


def get_max_repeated() -> float:
    """The largest share of a group's added values that may be one value: ``REPORT_MAX_REPEATED``
    (from 0 to 1, default ``DEFAULT_MAX_REPEATED``; 1 lets any repetition through)."""
    return _number(ENV_MAX_REPEATED, DEFAULT_MAX_REPEATED, 0, 1, "a share of values", "0.5")


def get_max_ks() -> float:
    """The largest Kolmogorov-Smirnov distance between a group's added and published values:
    ``REPORT_MAX_KS`` (from 0 to 1, default ``DEFAULT_MAX_KS``; 1 lets any distribution through)."""
    return _number(ENV_MAX_KS, DEFAULT_MAX_KS, 0, 1, "a Kolmogorov-Smirnov distance", "0.5")


def get_error_ratios() -> tuple[float, float]:
    """(max, min): how many times its own test RMSE the last model's RMSE on the added penguins
    may be at most and at least: ``REPORT_MAX_ERROR_RATIO`` and ``REPORT_MIN_ERROR_RATIO``."""
    top = _number(ENV_MAX_ERROR_RATIO, DEFAULT_MAX_ERROR_RATIO, 1, math.inf, "a ratio of RMSEs", "2")
    bottom = _number(ENV_MIN_ERROR_RATIO, DEFAULT_MIN_ERROR_RATIO, 0, 1, "a ratio of RMSEs", "0.5")
    return top, bottom


def get_check_every_hours() -> float | None:
    """How many hours apart the scheduled check runs (``REPORT_CHECK_EVERY_HOURS``); None when unset."""
    if not os.environ.get(ENV_CHECK_EVERY_HOURS, "").strip():
        return None
    return _number(ENV_CHECK_EVERY_HOURS, 24.0, 0.01, 24 * 366, "a number of hours", "24")


def get_expect_data_every() -> float | None:
    """Days within which upstream is expected to publish new data (``REPORT_EXPECT_DATA_EVERY``);
    None when unset: data age is then no promise, and no banner is raised for it."""
    if not os.environ.get(ENV_EXPECT_DATA_EVERY, "").strip():
        return None
    return _number(ENV_EXPECT_DATA_EVERY, 0.0, 0.01, 36600, "a number of days", "365")


def get_site_url() -> str | None:
    """The published site's address (``REPORT_SITE_URL``, e.g. ``https://owner.github.io/repo``),
    without a trailing slash; None when unset (``_quarto.yml``'s ``site-url`` then says it)."""
    value = os.environ.get(ENV_SITE_URL, "").strip().rstrip("/")
    if not value:
        return None
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(
            f"{ENV_SITE_URL}={value!r} is not an http(s) address; set it like https://owner.github.io/repo"
        )
    return value


def get_max_rmse_ratio() -> float:
    """The largest CV RMSE of the chosen model, as a share of the mean baseline's.

    ``REPORT_MAX_RMSE_RATIO``, from 0 to 1 (default ``DEFAULT_MAX_RMSE_RATIO``).
    """
    return _number(ENV_MAX_RMSE_RATIO, DEFAULT_MAX_RMSE_RATIO, 0, 1, "a share of the baseline's RMSE", "0.75")


def get_csv_max_line_size() -> int:
    """The longest CSV line, in bytes, that the reader takes (``REPORT_CSV_MAX_LINE_SIZE``)."""
    return int(
        _number(ENV_CSV_MAX_LINE_SIZE, DEFAULT_CSV_MAX_LINE_SIZE, 1000, 2**31, "a line length in bytes", "4000000")
    )


def get_api_limits() -> dict[str, float]:
    """The prediction API's limits: ``max_body_bytes`` (``REPORT_API_MAX_BODY_BYTES``),
    ``max_rows`` (``REPORT_API_MAX_ROWS``) and ``timeout`` in seconds (``REPORT_API_TIMEOUT``)."""
    return {
        "max_body_bytes": int(
            _number(ENV_API_MAX_BODY_BYTES, DEFAULT_API_MAX_BODY_BYTES, 1000, 2**31, "a size in bytes", "1000000")
        ),
        "max_rows": int(_number(ENV_API_MAX_ROWS, DEFAULT_API_MAX_ROWS, 1, 10**7, "a number of rows", "1000")),
        "timeout": _number(ENV_API_TIMEOUT, DEFAULT_API_TIMEOUT, 0.1, 3600, "a number of seconds", "5"),
    }
