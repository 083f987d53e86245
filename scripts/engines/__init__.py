"""Engines: where the build's SQL runs, behind one small boundary.

The steps (``validate``, ``clean``, ``summarize``, ``train``) take an ``Engine`` and
never ask which one it is. An engine reads the raw sources into the views
``raw_observations``, ``raw_numbered`` and ``raw_in_order`` (the names below), runs a query to a
small pandas frame or a temporary table, writes the tidy table, finds repeated
keys for the gate and explains its own failures in the words of the build.

A query is either a file of ``scripts/sql`` named by ``Named`` (the engine picks
its own form of the file: ``<name>.spark.sql`` beside ``<name>.sql`` on Spark, when
there is one) or text the steps generate in DuckDB's SQL, which Spark translates.

- ``scripts/engines/duckdb.py``: DuckDB, embedded, out of core (the default).
- ``scripts/engines/spark.py``: Apache Spark, local or a cluster (``REPORT_ENGINE=spark``).

``open_engine`` picks one from ``REPORT_ENGINE``. Every engine has ``local``, a DuckDB
engine on this machine, where the comparison with the last build reads the tidy file.
"""

from __future__ import annotations

from pathlib import Path

from scripts.engines.base import (
    NUMBERED_VIEW,
    ORDERED_VIEW,
    RAW_VIEW,
    ROW_IN_FILE,
    SOURCE_FILE,
    TIDY_VIEW,
    Engine,
    Named,
    Query,
    Repeats,
)

__all__ = [
    "NUMBERED_VIEW",
    "ORDERED_VIEW",
    "RAW_VIEW",
    "ROW_IN_FILE",
    "SOURCE_FILE",
    "TIDY_VIEW",
    "Engine",
    "Named",
    "Query",
    "Repeats",
    "open_engine",
]


def open_engine(kind: str, *, settings: dict[str, str] | None = None, workdir: Path | None = None) -> Engine:
    """The engine ``kind`` names (``config.get_engine``): ``duckdb`` with DuckDB's
    ``settings`` and spill folder, or ``spark`` (its local DuckDB gets them)."""
    from scripts.engines.duckdb import DuckDBEngine

    local = DuckDBEngine(settings, workdir=workdir)
    if kind == "duckdb":
        return local
    from scripts.engines.spark import SparkEngine

    try:
        return SparkEngine.connect(local, workdir)
    except BaseException:
        local.close()
        raise
