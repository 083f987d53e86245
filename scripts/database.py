"""PostgreSQL tables as sources: ``postgresql://host:port/dbname?table=schema.table``.

A table source names one table; several tables (or tables and files) are listed
comma-separated in ``REPORT_SOURCE``, as files are, and unioned by column name.
``postgresql:///dbname?table=…`` connects through the local socket. Everything
else about the connection comes from the environment or libpq's own files, never
from committed configuration: ``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
``PGSERVICE`` (``~/.pg_service.conf``), ``~/.pgpass``. A password written in the
URL works but is never shown: every message redacts it (``errors.redact``).

DuckDB reads a table through its ``postgres`` extension, shipped as the wheel of
the ``postgres`` extra (no download at run time), attached read-only. The server
does the filtering and the projection (only the columns a query needs travel);
the build reads every table in one REPEATABLE READ snapshot, and its content
hash (``digest``) is the server's own: the number of rows and the sum of a 64-bit
hash of every row, with the table's columns and types, so no row travels to tell
that nothing changed. The sum does not depend on the rows' physical order
(an ``UPDATE`` moves a row, a ``VACUUM FULL`` moves them all): the build reads a
table in the order of its primary key, so the same rows give the same pins.

The gate's messages name a row of a table by its primary key (``where id = 17``)
when the table has a single whole-number key, else by its position when the rows
are ordered by every column.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from scripts.errors import SourceError, first_line
from scripts.sql import identifier, literal

SCHEMES = ("postgresql", "postgres")
# The value of SOURCE_FILE for a table's rows: ``table:<schema>.<table>:<key column>``.
PLACE_PREFIX = "table:"
# DuckDB's names for the types a column of each kind of the raw layout may have on the
# server (as DuckDB reads them); text is always accepted, and the gate parses it.
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
ACCEPTED = {
    "text": ("VARCHAR",),
    "integer": ("VARCHAR", *NUMERIC),
    "number": ("VARCHAR", *NUMERIC),
    "date": ("VARCHAR", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"),
}
WHOLE_NUMBER_KEYS = ("smallint", "integer", "bigint")


@dataclass(frozen=True)
class Table:
    """One table source: where it is (``uri``, without the ``table`` parameter) and its name."""

    location: str
    uri: str
    schema: str
    name: str

    @property
    def label(self) -> str:
        """``schema.table``, as messages name it."""
        return f"{self.schema}.{self.name}"

    @property
    def server_name(self) -> str:
        """The table's name in PostgreSQL's SQL, quoted."""
        return f"{_pg_identifier(self.schema)}.{_pg_identifier(self.name)}"


def is_table(location: str) -> bool:
    """Whether a source names a PostgreSQL table.

    >>> is_table("postgresql:///lter?table=public.penguins"), is_table("raw.csv")
    (True, False)
    """
    return "://" in location and location.split("://", 1)[0].lower() in SCHEMES


def parse(location: str) -> Table:
    """The table a source names; ``SourceError`` when it names none, or several.

    >>> t = parse("postgresql://db.example.org:5432/lter?table=raw.penguins&sslmode=require")
    >>> t.uri, t.label
    ('postgresql://db.example.org:5432/lter?sslmode=require', 'raw.penguins')
    >>> parse("postgresql:///lter?table=penguins").label
    'public.penguins'
    """
    parts = urllib.parse.urlsplit(location)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    tables = [value for key, value in query if key == "table"]
    shown = _shown(location)
    if len(tables) != 1 or not tables[0].strip():
        raise SourceError(
            f"source {shown} names {'no table' if not tables else 'more than one table'}: "
            "a PostgreSQL source is postgresql://host:port/dbname?table=schema.table (one table each; "
            "list several sources comma-separated)"
        )
    if not parts.path.strip("/"):
        raise SourceError(f"source {shown} names no database: postgresql://host:port/dbname?table=schema.table")
    schema, _, name = tables[0].strip().rpartition(".")
    rest = urllib.parse.urlencode([(key, value) for key, value in query if key != "table"])
    uri = f"postgresql://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else "")
    return Table(location, uri, schema or "public", name)


def place_label(table: Table, key: str | None) -> str:
    """The ``SOURCE_FILE`` value of a table's rows, which ``ingest.place`` reads back."""
    return f"{PLACE_PREFIX}{table.label}:{key or ''}"


def place(source: str, rows: list) -> str:
    """Where rows of a table are, from ``place_label``: by primary key, or by position.

    >>> place("table:public.penguins:id", [17])
    'public.penguins where id = 17'
    >>> place("table:public.penguins:id", [5, 9])
    'public.penguins where id in (5, 9)'
    >>> place("table:public.penguins:", [3])
    'public.penguins row 3 (rows ordered by every column: the table has no primary key)'
    """
    from scripts.text import plural, words

    label, _, key = source.removeprefix(PLACE_PREFIX).rpartition(":")
    if key:
        numbers = ", ".join(str(row) for row in rows)
        condition = f"= {numbers}" if len(rows) == 1 else f"in ({numbers})"
        return f"{label} where {key} {condition}"
    numbers = words(str(row) for row in rows)
    return f"{label} {plural(len(rows), 'row')} {numbers} (rows ordered by every column: the table has no primary key)"


def is_place_label(source: str) -> bool:
    return source.startswith(PLACE_PREFIX)


def label_of(source: str) -> str:
    """``schema.table`` of a table source or of its place label."""
    if is_place_label(source):
        return source.removeprefix(PLACE_PREFIX).rpartition(":")[0]
    return parse(source).label


# --- connecting ------------------------------------------------------------------------


def extension_path() -> Path:
    """DuckDB's postgres extension, from the ``duckdb-extension-postgres-scanner`` wheel."""
    import duckdb

    try:
        import duckdb_extension_postgres_scanner
    except ImportError:
        raise SourceError(
            "reading postgresql:// sources needs DuckDB's postgres extension: install the project with "
            "`uv sync --extra postgres`"
        ) from None
    folder = Path(duckdb_extension_postgres_scanner.__file__).parent / "extensions"
    return folder / f"v{duckdb.__version__}" / "postgres_scanner.duckdb_extension"


def attach(con, tables: list[Table]) -> dict[str, str]:
    """Attach each database the tables are in, read-only; ``{table location: alias}``.

    ``SourceError`` (exit 3) when the extension cannot load or a server cannot be
    reached or refuses the connection, saying what to set.
    """
    import duckdb

    try:
        con.execute(f"LOAD {literal(str(extension_path()))}")
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot read postgresql:// sources: DuckDB's postgres extension failed to load ({first_line(exc)})"
        ) from None
    aliases: dict[str, str] = {}
    databases: dict[str, str] = {}
    for table in tables:
        if table.uri not in databases:
            alias = f"pg_source_{len(databases) + 1}"
            try:
                con.execute(f"ATTACH {literal(table.uri)} AS {alias} (TYPE postgres, READ_ONLY)")
            except duckdb.Error as exc:
                raise connection_error(table, exc) from None
            databases[table.uri] = alias
        aliases[table.location] = databases[table.uri]
    return aliases


def begin_snapshot(con) -> None:
    """Start the transaction in which every read of the attached tables sees one snapshot
    (the extension opens each server transaction as REPEATABLE READ)."""
    con.execute("BEGIN TRANSACTION")


def end_snapshot(con) -> None:
    """End the snapshot's transaction. The extension's own rollback at close aborts the
    process when the server has gone (a C++ exception no one catches), so it is done here,
    where a server that went away is no more than an error: a read-only snapshot has nothing to undo."""
    import contextlib

    import duckdb

    with contextlib.suppress(duckdb.Error):  # the connection is gone, and the transaction with it
        con.execute("ROLLBACK")


def server_query(con, alias: str, table: Table, query: str) -> list[tuple]:
    """Run ``query`` (PostgreSQL's SQL) on the server, in the snapshot; errors named for ``table``."""
    import duckdb

    try:
        return con.execute(f"SELECT * FROM postgres_query({literal(alias)}, {literal(query)})").fetchall()
    except duckdb.Error as exc:
        raise table_error(table, exc) from None


def digest(con, alias: str, table: Table) -> str:
    """The table's content hash, computed by the server: its columns with their types, its
    rows, and the sum of a 64-bit hash of each row's text (``hashtextextended``, the hash
    PostgreSQL partitions by, the same on every server version), which does not depend on
    the rows' order. A change to any value changes the sum but with a chance of 2^-64."""
    ((columns,),) = server_query(
        con,
        alias,
        table,
        "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
        f"FROM pg_attribute WHERE attrelid = {_pg_literal(table.server_name)}::regclass "
        "AND attnum > 0 AND NOT attisdropped",
    )
    ((rows, total),) = server_query(
        con,
        alias,
        table,
        "SELECT count(*) AS n, coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS total "
        f"FROM {table.server_name} AS t",
    )
    return f"{table.label}\0{columns}\0{rows}\0{total}"


def primary_key(con, alias: str, table: Table) -> str | None:
    """The table's primary key column when it is one whole-number column, else None."""
    found = server_query(
        con,
        alias,
        table,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        f"WHERE i.indrelid = {_pg_literal(table.server_name)}::regclass AND i.indisprimary",
    )
    if len(found) == 1 and found[0][1] in WHOLE_NUMBER_KEYS:
        return found[0][0]
    return None


def columns(con, alias: str, table: Table) -> list[tuple[str, str]]:
    """The table's columns and their types as DuckDB reads them."""
    import duckdb

    try:
        described = con.execute(f"DESCRIBE {relation(alias, table)}").fetchall()
    except duckdb.Error as exc:
        raise table_error(table, exc) from None
    return [(row[0], row[1]) for row in described]


def relation(alias: str, table: Table) -> str:
    """The attached table in DuckDB's SQL."""
    return f"{alias}.{identifier(table.schema)}.{identifier(table.name)}"


def check_types(table: Table, found: list[tuple[str, str]]) -> None:
    """``SourceError`` when a column of the raw layout has a type the gate cannot read as its kind."""
    from scripts.dataset import raw_columns

    kinds = {c.name: c.kind for c in raw_columns()}
    wrong = []
    for name, kind in found:
        expected = kinds.get(name)
        base = re.sub(r"\(.*\)$", "", kind).strip()
        if expected and base not in ACCEPTED[expected]:
            wrong.append(f'"{name}" is {kind}, where the LTER layout has {_kind_words(expected)}')
    if wrong:
        raise SourceError(
            f"cannot read table {table.label}: {'; '.join(wrong)}; change the column's type "
            "(text always works: the gate checks every value)"
        )


def digests(locations: list[str]) -> dict[str, str]:
    """The content hash of each table source (``digest``), read in one snapshot per database."""
    import duckdb

    tables = [parse(location) for location in locations]
    con = duckdb.connect()
    try:
        aliases = attach(con, tables)
        begin_snapshot(con)
        return {table.location: digest(con, aliases[table.location], table) for table in tables}
    finally:
        con.close()


# --- failures --------------------------------------------------------------------------


def connection_error(table: Table, exc: Exception) -> SourceError:
    """A server that cannot be reached, or refuses the connection, in words a user can act on."""
    text = _scrub(first_line(_server_reason(exc)), table)
    where = _shown(table.location)
    if "password authentication failed" in text or "no password supplied" in text:
        hint = "set PGPASSWORD, or add the password to ~/.pgpass"
    elif re.search(r'role ".*" does not exist', text):
        hint = "set PGUSER to a role the server knows"
    elif re.search(r'database ".*" does not exist', text):
        hint = "check the database name in the source's URL"
    elif "Connection refused" in text or "No such file or directory" in text or "could not translate" in text:
        hint = "is the server running? set PGHOST and PGPORT (or host and port in the URL) to where it listens"
    else:
        hint = "check PGHOST, PGPORT, PGUSER, PGPASSWORD or PGSERVICE"
    return SourceError(f"cannot connect to the PostgreSQL server of {where}: {text}; {hint}")


def table_error(table: Table, exc: Exception) -> SourceError:
    """A table that is missing or may not be read, or a server lost mid-read."""
    text = _scrub(first_line(_server_reason(exc)), table)
    if "does not exist" in text:
        return SourceError(
            f"cannot read table {table.label} of {_shown(table.location)}: it does not exist ({text}); "
            "check the table parameter of the source (schema.table)"
        )
    if "permission denied" in text:
        return SourceError(
            f"cannot read table {table.label}: permission denied ({text}); the build needs SELECT on it: "
            f"GRANT SELECT ON {table.server_name} TO <the build's role>"
        )
    return SourceError(f"cannot read table {table.label} of {_shown(table.location)}: {text}")


# What libpq and the extension say when the server goes away in the middle of a read.
_LOST = re.compile(
    r"server closed the connection|terminating connection|could not receive data from server|"
    r"no connection to the server|connection to server .* failed|SSL SYSCALL error|"
    r"Failed to (?:prepare COPY|execute query)"
)


def read_failure(exc: Exception) -> SourceError | None:
    """The ``SourceError`` for a DuckDB error met while a query read an attached table, if it is one."""
    if not _LOST.search(str(exc)):
        return None
    return SourceError(
        f"cannot read the raw data from PostgreSQL: {first_line(_server_reason(exc))} "
        "(was the server stopped, or the connection cut?); nothing was pinned"
    )


def _server_reason(exc: Exception) -> str:
    """The server's own words in a DuckDB error, without DuckDB's prefixes."""
    text = str(exc)
    text = re.sub(r"^\w+ Error: ", "", text)
    text = re.sub(r'^Unable to connect to Postgres at "[^"]*": ', "", text)
    text = re.sub(r'^Failed to (?:execute query|prepare COPY) "(?:[^"]|"")*": ', "", text, flags=re.DOTALL)
    return text


def _scrub(text: str, table: Table) -> str:
    """``text`` without the URL's password, should the server or the driver quote it."""
    password = urllib.parse.urlsplit(table.location).password
    return text.replace(urllib.parse.unquote(password), "***") if password else text


def _shown(location: str) -> str:
    """A table source as messages show it: scheme, host, database and table, never credentials."""
    parts = urllib.parse.urlsplit(location)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    tables = [v for k, v in urllib.parse.parse_qsl(parts.query) if k == "table"]
    suffix = f" (table {tables[0]})" if len(tables) == 1 else ""
    return f"{parts.scheme}://{host}{parts.path}{suffix}"


def _kind_words(kind: str) -> str:
    return {"text": "text", "integer": "whole numbers", "number": "numbers", "date": "dates"}[kind]


def _pg_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
