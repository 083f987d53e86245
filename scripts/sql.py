"""The SQL files each step runs, kept in ``scripts/sql/`` and read by name."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"


def load(name: str) -> str:
    """The text of ``scripts/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
