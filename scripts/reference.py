"""The reference: the board's last complete build, read for the comparison (``scripts/compare.py``).

Its small tables, the path of its tidy table (when it has the observation key) and
its manifest; a pin that cannot be read is a ``BoardError``, never taken for a new board.
"""

from __future__ import annotations

from dataclasses import dataclass

from scripts.dataset import TIDY_KEY
from scripts.errors import BoardError, first_line
from scripts.names import CHANGES_PIN, HISTORY_PIN, TIDY_PIN
from scripts.progress import log

# The last build's tables the comparison reads (besides the tidy table and the model).
REFERENCE_TABLES = ("measurement_stats", "species_island_year_counts", "model_test_metrics", "species_islands")


@dataclass
class Reference:
    """The last complete build, read at the versions its manifest names."""

    manifest: dict
    tables: dict  # name -> DataFrame (REFERENCE_TABLES, and build_history / changes when pinned)
    tidy: str | None  # local path of its tidy Parquet; None when it has no observation key
    board: object = None  # for the model, loaded only when penguins were added


def read_reference(board, manifest: dict | None) -> Reference | None:
    """The last complete build on ``board``, or None on a new board.

    A board whose last build predates a table the comparison needs (an older
    layout) has no reference: the log says so and this build starts the history.
    A pin that the manifest names but that cannot be read is a ``BoardError``:
    the comparison is part of the gate, so it is not skipped.
    """
    if not manifest:
        return None
    pins = manifest.get("pins", {})
    lacking = [name for name in (*REFERENCE_TABLES, TIDY_PIN) if name not in pins]
    if lacking:
        log.info("compare   the last build has no %s (an older layout): nothing to compare with", ", ".join(lacking))
        return None
    names = [*REFERENCE_TABLES, *(n for n in (HISTORY_PIN, CHANGES_PIN) if n in pins)]
    tables = {name: _read_table(board, name, pins[name]) for name in names}
    tidy = _path(board, TIDY_PIN, pins[TIDY_PIN])
    if not _has_key(tidy):
        log.info("compare   the last build's tidy table has no observation key (an older build): rows not matched")
        tidy = None
    return Reference(manifest=manifest, tables=tables, tidy=tidy, board=board)


def _path(board, name: str, version: str) -> str:
    from pins.errors import PinsError

    try:
        (path,) = board.pin_download(name, version=version)
    except (OSError, ValueError, PinsError) as exc:
        raise _unreadable(name, version, exc) from None
    return path


def _read_table(board, name: str, version: str):
    import pandas as pd

    path = _path(board, name, version)
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise _unreadable(name, version, exc) from None


def _unreadable(name: str, version: str, exc: Exception) -> BoardError:
    return BoardError(
        f"cannot read the last build's pin {name!r} (version {version}) to compare this build with "
        f"({first_line(exc)}); restore that version from a copy of the board, or build into a new board"
    )


def _has_key(path: str) -> bool:
    """Whether a tidy Parquet file has the observation key columns (read from its footer)."""
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
    except (OSError, ValueError) as exc:
        raise _unreadable(TIDY_PIN, path.rsplit("/", 2)[-2], exc) from None
    return set(TIDY_KEY) <= names


def same_build(reference: Reference | None, source_hash: str, code_hash: str) -> bool:
    """Whether the last build read this very data with this very code (a forced re-run)."""
    return bool(
        reference
        and reference.manifest.get("source_hash") == source_hash
        and reference.manifest.get("code_hash") == code_hash
    )


def test_rmse(reference: Reference) -> float:
    """The test RMSE of the model the last build chose (its ``model_test_metrics``)."""
    table = reference.tables["model_test_metrics"]
    return float(table[table["chosen"]].iloc[0]["rmse"])
