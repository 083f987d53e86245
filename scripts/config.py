"""Names of the environment variables and their defaults, read at call time.

Keeping the *names* as constants and reading the *values* inside small getters
lets tests (and users) change the environment freely between calls.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from scripts.errors import ConfigError

ENV_SOURCE = "REPORT_SOURCE"
ENV_BOARD = "REPORT_BOARD"
ENV_MEMORY_LIMIT = "REPORT_DUCKDB_MEMORY_LIMIT"
ENV_TEMP_DIR = "REPORT_DUCKDB_TEMP_DIR"
ENV_THREADS = "REPORT_DUCKDB_THREADS"
ENV_MAX_ROW_DROP = "REPORT_MAX_ROW_DROP"
# Which environment variable sets each DuckDB setting, for error messages.
DUCKDB_SETTING_ENV = {"memory_limit": ENV_MEMORY_LIMIT, "temp_directory": ENV_TEMP_DIR, "threads": ENV_THREADS}

DEFAULT_BOARD = "data/board"
# DuckDB's own default is 80% of the machine's memory; the build needs far less
# (it streams and spills), and a bound keeps the whole job under 1 GiB at 20M rows.
DEFAULT_MEMORY_LIMIT = "512MB"
# The LTER data only grows; a raw table with far fewer rows than the last build
# read is more likely a truncated download than news.
DEFAULT_MAX_ROW_DROP = 0.10

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
    """Comma-separated locations; ``ConfigError`` when there are none (``origin`` names where from).

    >>> split_sources("a.csv, b.csv", "--source")
    ['a.csv', 'b.csv']
    """
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        raise ConfigError(f"{origin}={value!r} names no source: give one or more paths or URLs, comma-separated")
    repeated = sorted({part for part in parts if parts.count(part) > 1})
    if repeated:
        # Read twice, every row would be its own duplicate: say so at the source.
        raise ConfigError(f"{origin} names {', '.join(repeated)} more than once: list each source once")
    return parts


def get_board() -> str:
    """Where the pins go: ``REPORT_BOARD`` (a folder or s3://, gs://, az:// URI)."""
    return os.environ.get(ENV_BOARD, "").strip() or DEFAULT_BOARD


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


def get_max_row_drop() -> float:
    """The largest share of its rows the raw data may lose between two builds.

    ``REPORT_MAX_ROW_DROP``, a number from 0 to 1 (default ``DEFAULT_MAX_ROW_DROP``);
    1 lets any drop through, for a run that changes the source on purpose.

    >>> get_max_row_drop()
    0.1
    """
    value = os.environ.get(ENV_MAX_ROW_DROP, "").strip()
    if not value:
        return DEFAULT_MAX_ROW_DROP
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise ConfigError(f"{ENV_MAX_ROW_DROP}={value!r} is not a share of rows: use a number from 0 to 1, e.g. 0.1")
    return share
