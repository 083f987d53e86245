"""The board, read for the pages: each pin at the version the last complete build recorded
in ``build_manifest`` (so a page never mixes two builds), through ``scripts.board_read`` only."""

from __future__ import annotations

from functools import cache

from report import inputs
from scripts import config, dataset
from scripts.errors import first_line
from scripts.names import MANIFEST, MODEL_PIN, TIDY_PIN

HOW_TO_BUILD = "build it with `uv run python -m scripts.build` (or point REPORT_BOARD at a built board)"

# How the pages name each measurement, in the order of the one description (scripts/dataset.py).
MEASUREMENT_LABELS = {m.name: m.label for m in dataset.MEASUREMENTS}


class MissingPin(RuntimeError):
    """The board or a pin the page needs is not there, or cannot be read."""


@cache
def board():
    """The pins board in ``REPORT_BOARD`` (default ``data/board``)."""
    from scripts.board_read import open_board
    from scripts.errors import BoardError

    try:
        return open_board(config.get_board())
    except BoardError as error:
        raise MissingPin(str(error)) from None


@cache
def _manifest() -> dict:
    if not board().pin_exists(MANIFEST):
        raise MissingPin(f"the board at {config.get_board()} has no {MANIFEST!r} pin: {HOW_TO_BUILD}")
    return board().pin_read(MANIFEST)


def manifest() -> dict:
    """The last complete build: provenance and the version of every pin. A page that reads
    it executes again after every build (``report.inputs``)."""
    content = _manifest()
    inputs.note_pin(MANIFEST, content["built_at"])
    return content


def _version(name: str) -> str:
    """The version of ``name`` that the last complete build wrote."""
    version = _manifest()["pins"].get(name)
    if version is None:
        raise MissingPin(f"the board at {config.get_board()} has no pin {name!r}: {HOW_TO_BUILD}")
    return version


def page_tables() -> list[str]:
    """The table pins a page may read: all but the model and the full tidy table."""
    return [name for name in _manifest()["pins"] if name not in (MODEL_PIN, TIDY_PIN)]


def read(name: str):
    """A pinned table, at the version of the last complete build.

    The full tidy table (``TIDY_PIN``) grows with the raw data, so pages never
    read it: they show the bounded summaries (small data in the presentation layer).

    Parquet pins are read from the file's path (``pin_download``), not through the
    Python file object ``pin_read`` hands to pyarrow: with a file object, a pyarrow
    worker may release it while the interpreter shuts down, which aborts the
    process on Python < 3.14 ("terminate called without an active exception").
    """
    import pandas as pd

    if name == TIDY_PIN:
        raise MissingPin(f"pages do not read {TIDY_PIN!r} (every row, any size): read a summary pin instead")
    version = _version(name)
    inputs.note_pin(name, version)
    try:
        if meta(name).type != "parquet":
            return board().pin_read(name, version=version)
        (path,) = board().pin_download(name, version=version)
        return pd.read_parquet(path)
    except Exception as exc:  # a damaged or missing file
        raise MissingPin(
            f"cannot read pin {name!r} (version {version}) from the board at {config.get_board()} ({first_line(exc)}): "
            "rebuild it with `uv run python -m scripts.build --force`"
        ) from exc


def meta(name: str):
    """A pin's metadata (never its data: the model is not unpickled)."""
    version = _version(name)
    inputs.note_pin(name, version)
    return board().pin_meta(name, version=version)
