"""Shared fixtures: the shipped raw CSV, variants of it, and built boards.

Everything is local: test data comes from the palmerpenguins package or is
written by the test into a temporary folder; nothing touches the network.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from scripts import build, config


def raw_rows() -> list[dict[str, str]]:
    """The shipped raw LTER CSV as text rows (values exactly as in the file)."""
    with open(config.default_source(), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]], *, newline: str = "\n", bom: bool = False) -> Path:
    """Write rows as CSV with the columns of the first row, in that order."""
    buffer = io.StringIO()
    header = list(rows[0]) if rows else list(raw_rows()[0])
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def shipped_csv_with_line(path: Path, line: str, at: int) -> Path:
    """The shipped raw CSV, byte for byte, with ``line`` put in as line ``at + 1`` (the header is line 1)."""
    lines = Path(config.default_source()).read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:at]) + line + "\n" + "".join(lines[at:]), encoding="utf-8")
    return path


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
    """A board built once from the shipped raw CSV, shared read-only by tests."""
    folder = tmp_path_factory.mktemp("built") / "board"
    build.run([config.default_source()], str(folder))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a board with its bytes: to prove a board did not change."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
