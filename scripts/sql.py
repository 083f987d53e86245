"""SQL: the files each step runs, kept in ``scripts/sql/`` and read by name, and the one
place where a value or a name becomes SQL text."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"


class Query(str):
    """The text of a SQL file, which knows its file's ``name`` (``summaries/overview``)."""

    name: str = ""


def load(name: str) -> Query:
    """The text of ``scripts/sql/<name>.sql`` (DuckDB's SQL, the definition)."""
    query = Query((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
    query.name = name
    return query


def spark_form(name: str) -> str | None:
    """The text of ``scripts/sql/<name>.spark.sql``, the Spark SQL form beside a file
    whose DuckDB SQL has no translation (a ``PIVOT`` over the values of a column), if any."""
    path = SQL_DIR / f"{name}.spark.sql"
    return path.read_text(encoding="utf-8") if path.exists() else None


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
