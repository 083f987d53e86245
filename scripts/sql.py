"""SQL: the files each step runs, kept in ``scripts/sql/`` and read by name, and the one
place where a value or a name becomes SQL text."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"


def load(name: str) -> str:
    """The text of ``scripts/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def literal(value) -> str:
    """A SQL string (or list of strings) literal; a quote in it is doubled.

    >>> literal("/tmp/o'neil/penguins.parquet")
    "'/tmp/o''neil/penguins.parquet'"
    >>> literal(["a.csv", "b.csv"])
    "['a.csv', 'b.csv']"
    """
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A SQL identifier (a column name with spaces, say).

    >>> identifier('Body Mass (g)')
    '"Body Mass (g)"'
    """
    return '"' + name.replace('"', '""') + '"'
