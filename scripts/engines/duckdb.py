"""DuckDB, embedded: the default engine (``scripts/engines/__init__.py`` says what an engine does).

The raw data is never loaded into pandas: ``register_raw`` defines views over
one or more CSV or Parquet files (local paths, http(s) URLs, or s3://, gs://,
az:// objects) and PostgreSQL tables (``scripts/database.py``), unioned by column
name, so the steps run as SQL over the sources themselves, out of core, within
the memory and spill settings the build gives.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from scripts import database, ingest, locations, sql
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
from scripts.errors import BuildError, ConfigError, ResourceError, SourceError, first_line
from scripts.sql import identifier, literal

# What the CSV reader itself takes for a missing value: a byte no text holds. The
# markers are read as NULL afterwards (``_missing_as_null``): given them, DuckDB's
# reader silently drops a field too many when its value is one of them (``…,NA``).
NO_NULL_MARKER = "\x01"
# The temporary table where register_raw keeps each file's own columns.
FILE_COLUMNS = "raw_file_columns"


class DuckDBEngine(Engine):
    """A DuckDB connection (``con``) with the memory, spill and thread ``settings`` applied.

    A value DuckDB refuses raises ``ConfigError`` naming the environment variable it
    came from (``config.DUCKDB_SETTING_ENV``). ``workdir``: the build's scratch folder,
    named in a message when writing there fails.
    """

    name = "duckdb"

    def __init__(self, settings: dict[str, str] | None = None, *, workdir: Path | None = None):
        self.settings = dict(settings or {})
        self.workdir = workdir
        self.con = connect(self.settings)
        self._snapshot = False  # whether a table's snapshot is open (``_attach_tables``)

    @property
    def local(self) -> DuckDBEngine:
        return self

    # --- reading the raw sources ---------------------------------------------

    def register_raw(
        self, sources: list[str], originals: list[str] | None = None, digests: dict[str, str] | None = None
    ) -> None:
        """``Engine.register_raw`` on DuckDB. Numbering a CSV file (``raw_numbered``, for the
        gate's examples only) reads it on one thread, in the file's own order.

        A CSV file is read as the standard dialect (comma, double quotes) with the
        columns its header names, not as DuckDB's sniffer guesses from a sample: one
        malformed line would make the sniffer read the whole file as one column.
        Such a line stops the first pass over the rows instead, and ``explain``
        names the file and line. A table is read through the attached database, in the
        snapshot the engine holds until it closes (``database.begin_snapshot``).
        """
        import duckdb

        con = self.con
        _enable_remote_reading(con, sources)
        tables = self._attach_tables([s for s in sources if database.is_table(s)], digests or {})
        headers = {s: ingest.csv_header(s) for s in sources if ingest.file_format(s) == "csv"}
        schemas = {s: _parquet_schema(con, s) for s in sources if ingest.file_format(s) == "parquet"}
        # All-text Parquet (a CSV saved as Parquet) keeps the CSV's missing-value markers.
        text = [s for s, schema in schemas.items() if all(kind == "VARCHAR" for _, kind in schema)]
        typed = [s for s in schemas if s not in text]

        def union(numbered: bool) -> str:
            # in the given order (config.split_sources refuses a file listed twice)
            parts = [_csv_reader(s, headers[s], numbered) for s in sources if s in headers]
            parts += [_text_parquet_reader(s, [name for name, _ in schemas[s]], numbered) for s in text]
            if typed:
                parts.append(_parquet_reader(typed, numbered))
            parts += [_table_reader(*tables[s], numbered) for s in sources if s in tables]
            return " UNION ALL BY NAME ".join(parts)

        try:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {RAW_VIEW} AS {union(numbered=False)}")
            con.execute(f"CREATE OR REPLACE TEMP VIEW {NUMBERED_VIEW} AS {union(numbered=True)}")
            con.execute(f"CREATE OR REPLACE TEMP VIEW {ORDERED_VIEW} AS {_in_order(sources, tables)}")
            con.execute(f"SELECT * FROM {NUMBERED_VIEW} LIMIT 0")
        except duckdb.OutOfMemoryException:
            raise  # not the source's fault: explain says what to set
        except duckdb.Error as exc:
            shown = ", ".join(ingest.short_name(s) for s in sources)
            raise SourceError(f"cannot read the raw data from {shown}: {first_line(exc)}") from None
        _record_file_columns(
            con,
            sources,
            {
                **headers,
                **{s: [name for name, _ in schema] for s, schema in schemas.items()},
                **{s: [name for name, _ in found[2]] for s, found in tables.items()},
            },
        )

    def copy_tables(self, locations: list[str], digests: dict[str, str], folder: Path) -> dict[str, str]:
        """Copy each table, as ``register_raw`` reads it (in the snapshot, checked against
        ``digests``), to a Parquet file in ``folder``, in its rows' order, with its
        ``SOURCE_FILE`` and ``ROW_IN_FILE``; ``{location: file}``. Spark reads tables so
        (``SparkEngine.register_raw``)."""
        import duckdb

        tables = self._attach_tables(locations, digests)
        copies = {}
        for position, (location, found) in enumerate(tables.items(), start=1):
            out = folder / str(position) / f"{found[1].name}.parquet"
            out.parent.mkdir(parents=True, exist_ok=True)
            reader = _table_reader(*found, numbered=True)
            try:
                self.con.execute(
                    f"COPY (SELECT * FROM ({reader}) ORDER BY {ROW_IN_FILE}) TO {literal(str(out))} "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
            except duckdb.Error as exc:
                raise self.explain(exc) or SourceError(
                    f"cannot read table {found[1].label}: {first_line(exc)}"
                ) from exc
            copies[location] = str(out)
        return copies

    def _attach_tables(self, locations: list[str], digests: dict[str, str]) -> dict[str, tuple]:
        """Attach the tables' databases and open the one snapshot every read sees;
        ``{location: (alias, table, columns, key)}`` for ``_table_reader``.

        ``SourceError`` when a column has a type the gate cannot read, or when the
        snapshot's content hash is not the one the build hashed."""
        if not locations:
            return {}
        tables = [database.parse(location) for location in locations]
        aliases = database.attach(self.con, tables)
        database.begin_snapshot(self.con)
        self._snapshot = True
        found = {}
        for table in tables:
            alias = aliases[table.location]
            columns = database.columns(self.con, alias, table)
            database.check_types(table, columns)
            expected = digests.get(table.location)
            if expected is not None and database.digest(self.con, alias, table) != expected:
                raise SourceError(
                    f"table {table.label} changed after the build hashed it and before it read it: nothing was "
                    "pinned; run the build again (it reads one snapshot of the table)"
                )
            found[table.location] = (alias, table, columns, database.primary_key(self.con, alias, table))
        return found

    def columns(self, relation: str = RAW_VIEW) -> list[str]:
        return [row[0] for row in self.con.execute(f"DESCRIBE {relation}").fetchall()]

    def file_columns(self) -> dict[str, set[str]]:
        con = self.con
        known = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [FILE_COLUMNS]).fetchone()[0]
        if not known:
            return {}
        found: dict[str, set[str]] = {}
        for location, name in con.execute(f"SELECT source_file, column_name FROM {FILE_COLUMNS}").fetchall():
            found.setdefault(location, set()).add(name)
        return found

    # --- queries ---------------------------------------------------------------

    def text(self, query: Query) -> str:
        """The SQL of a query: a named file's text (DuckDB's SQL is the definition), or the text itself."""
        return sql.load(query.name) if isinstance(query, Named) else query

    def set(self, name: str, value) -> None:
        self.con.execute(f"SET VARIABLE {name} = ?", [value])

    def register_table(self, name: str, frame) -> None:
        staged = f"{name}__frame"
        self.con.register(staged, frame)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {staged}")
        finally:
            self.con.unregister(staged)

    def frame(self, query: Query):
        return self.con.execute(self.text(query)).df()

    def rows(self, query: Query) -> list[tuple]:
        return self.con.execute(self.text(query)).fetchall()

    def keep(self, name: str, query: Query, *, append: bool = False) -> None:
        if append:
            self.con.execute(f"INSERT INTO {name} {self.text(query)}")
        else:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {self.text(query)}")

    def view(self, name: str, query: Query) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {self.text(query)}")

    def write_tidy(self, query: Query, out: Path) -> int:
        out.parent.mkdir(parents=True, exist_ok=True)
        # preserve_insertion_order (DuckDB's default) keeps the rows' order, as the published table does.
        target = literal(str(out))
        self.con.execute(f"COPY ({self.text(query)}) TO {target} (FORMAT parquet, COMPRESSION zstd)")
        return self.read_tidy(out)

    def read_tidy(self, out: Path) -> int:
        """Define ``TIDY_VIEW`` over the tidy Parquet file ``out``; return its rows."""
        self.con.execute(f"CREATE OR REPLACE VIEW {TIDY_VIEW} AS SELECT * FROM read_parquet({literal(str(out))})")
        return self.con.execute(f"SELECT count(*) FROM {TIDY_VIEW}").fetchone()[0]

    def gather(self, folder: str, out: Path) -> int:
        """Join the Parquet files in ``folder`` (a path or a cloud URI) as the one file ``out``,
        streaming, in the files' order, and define ``TIDY_VIEW`` over it (``SparkEngine.write_tidy``)."""
        if locations.is_cloud(folder):
            self.con.register_filesystem(locations.filesystem(folder))
        parts, target = literal(f"{folder}/*.parquet"), literal(str(out))
        self.con.execute(f"COPY (SELECT * FROM read_parquet({parts})) TO {target} (FORMAT parquet, COMPRESSION zstd)")
        return self.read_tidy(out)

    # --- the gate's repeated keys ------------------------------------------------

    def keys_may_repeat(self, relation: str, keys: Sequence[str], where: str = "true", *, dense: bool = False) -> bool:
        """A screen on a hash of the key: one 64-bit column to group by, a fraction of
        grouping the key itself; rows that share a hash are compared exactly afterwards.

        With ``dense``, rows are grouped by a hash of the other keys and by the number
        divided by 64; within a group a 64-bit mask marks the numbers seen. Two rows with
        the same key always land in the same group on the same bit (or both lack a
        number), so a group with more rows than marked bits is the only way a repeat can
        exist: 64 times fewer groups than rows (a third of the time at 20M rows).
        """
        if not dense:
            (suspects,) = self.con.execute(
                f"SELECT count(*) FROM (SELECT hash({', '.join(keys)}) AS h FROM {relation} "
                f"WHERE {where} GROUP BY h HAVING count(*) > 1)"
            ).fetchone()
            return suspects > 0
        *others, number = keys
        owner = f"hash({', '.join(others)})" if others else "0"
        (suspects,) = self.con.execute(
            f"""
            SELECT count(*) FROM (
                SELECT count(*) AS n, count(number) AS numbered,
                       bit_count(bit_or(CAST(1 AS UBIGINT) << CAST(number & 63 AS UBIGINT))) AS marked
                FROM (SELECT {owner} AS owner, {number} AS number FROM {relation} WHERE {where})
                GROUP BY owner, number >> 6
            ) WHERE numbered > marked OR n - numbered > 1
            """
        ).fetchone()
        return suspects > 0

    def repeated_keys(self, relation: str, keys: Sequence[str], limit: int) -> Repeats:
        """Only keys whose hash repeats are compared exactly, so a hash collision is never a repeat."""
        cleaned = ", ".join(f"{key} AS k{i}" for i, key in enumerate(keys))
        key = ", ".join(f"k{i}" for i in range(len(keys)))
        rows, examples = self.con.execute(
            f"""
            WITH keyed AS (
                SELECT {cleaned}, {SOURCE_FILE} AS file, {ROW_IN_FILE} AS row_in_file FROM {relation}
            ),
            suspects AS (
                SELECT hash({key}) AS h FROM keyed GROUP BY h HAVING count(*) > 1
            ),
            groups AS (
                SELECT {key}, count(*) AS n,
                       list([file, CAST(row_in_file AS VARCHAR)] ORDER BY file, row_in_file) AS places
                FROM keyed
                WHERE hash({key}) IN (SELECT h FROM suspects)
                GROUP BY ALL HAVING count(*) > 1
            )
            SELECT coalesce(sum(n), 0)::BIGINT,
                   list({{'label': concat_ws(' / ', {key}), 'places': places[1:{limit}], 'n': n}}
                        ORDER BY {key})[1:{limit}]
            FROM groups
            """
        ).fetchone()
        return Repeats(int(rows), list(examples or []))

    # --- failures ------------------------------------------------------------------

    def explain(self, exc: Exception) -> BuildError | None:
        """The message for a DuckDB error a user can act on: a malformed source, memory, disk space."""
        import duckdb

        from scripts import config

        if not isinstance(exc, duckdb.Error):
            return None
        text, detail = str(exc), first_line(exc)
        spill = self.settings.get("temp_directory", "")
        if isinstance(exc, duckdb.OutOfMemoryException) or (spill and spill in text):
            return ResourceError(
                f"DuckDB ran out of memory (the limit is {self.settings.get('memory_limit')}, "
                f"{config.ENV_MEMORY_LIMIT}) or of room to spill to disk ({spill}, {config.ENV_TEMP_DIR}): raise "
                f"{config.ENV_MEMORY_LIMIT}, lower {config.ENV_THREADS}, or point {config.ENV_TEMP_DIR} at a disk "
                f"with room; nothing was pinned ({detail})"
            )
        if self.workdir is not None and str(self.workdir) in text:  # writing the tidy table into the scratch folder
            return ResourceError(
                f"cannot write the build's scratch files in {self.workdir} (is the disk full? the folder comes from "
                f"TMPDIR); nothing was pinned ({detail})"
            )
        return (database.read_failure(exc) if self._snapshot else None) or read_failure(exc)

    def close(self) -> None:
        if self._snapshot:
            database.end_snapshot(self.con)
        self.con.close()


def connect(settings: dict[str, str] | None = None):
    """A DuckDB connection with the memory, spill and thread settings applied."""
    import duckdb

    from scripts.config import DUCKDB_SETTING_ENV

    con = duckdb.connect()
    for key, value in (settings or {}).items():
        where = DUCKDB_SETTING_ENV.get(key, key)
        if key == "temp_directory":  # DuckDB creates it only when it first spills, maybe an hour in
            try:
                Path(value).mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryFile(dir=value):
                    pass
            except OSError as exc:
                raise ConfigError(f"{where}={value!r} cannot hold DuckDB's spill files: {exc.strerror}") from None
        try:
            con.execute(f"SET {key} = ?", [value])
        except duckdb.Error as exc:
            raise ConfigError(f"{where}={value!r} is not a value DuckDB accepts: {first_line(exc)}") from None
    return con


def _parquet_schema(con, location: str) -> list[tuple[str, str]]:
    """A Parquet file's columns and their types, from its footer (no rows are read)."""
    import duckdb

    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(location)})").fetchall()
    except duckdb.Error as exc:
        raise SourceError(f"cannot read the raw data from {ingest.short_name(location)}: {first_line(exc)}") from None
    return [(row[0], row[1]) for row in described]


def _missing_as_null(names: list[str]) -> str:
    """``* REPLACE`` items that read a missing-value marker as NULL, spaces around it or not (' NA ')."""
    markers = ", ".join(literal(m) for m in ingest.MISSING_MARKERS)
    return ", ".join(
        f"CASE WHEN trim({identifier(n)}) IN ({markers}) THEN NULL ELSE {identifier(n)} END AS {identifier(n)}"
        for n in names
    )


def _numbered(reader: str, numbered: bool, *, parquet: bool = False) -> str:
    """``SELECT *`` over a reader, with the data row of each row in ``ROW_IN_FILE`` when ``numbered``.

    A Parquet reader says the row's position itself (``file_row_number``, from 0); a
    CSV reader is numbered by a window without order, which DuckDB runs as a
    streaming window over the reader's rows in file order, whatever the thread count.
    """
    if not numbered:
        return reader
    if parquet:
        return f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS {ROW_IN_FILE} FROM ({reader})"
    return f"SELECT *, row_number() OVER () AS {ROW_IN_FILE} FROM ({reader})"


def _parquet_reader(sources: list[str], numbered: bool) -> str:
    """SQL that reads typed Parquet files with their own types, unioned by name."""
    row = ", file_row_number = true" if numbered else ""
    reader = (
        f"SELECT * FROM read_parquet({literal(sources)}, union_by_name = true, filename = {literal(SOURCE_FILE)}{row})"
    )
    return _numbered(reader, numbered, parquet=True)


def _text_parquet_reader(location: str, names: list[str], numbered: bool) -> str:
    """SQL that reads an all-text Parquet file with the CSV's missing-value markers as NULL."""
    row = ", file_row_number = true" if numbered else ""
    reader = (
        f"SELECT * REPLACE ({_missing_as_null(names)}) "
        f"FROM read_parquet({literal(location)}, filename = {literal(SOURCE_FILE)}{row})"
    )
    return _numbered(reader, numbered, parquet=True)


def _table_reader(alias: str, table, columns: list[tuple[str, str]], key: str | None, numbered: bool) -> str:
    """SQL that reads an attached table: its text columns with the CSV's missing-value markers
    as NULL, each row placed by its primary key (``ROW_IN_FILE``) or, without one, by its
    position when the rows are ordered by every column (``database.place``)."""
    text = [name for name, kind in columns if kind == "VARCHAR"]
    replace = f" REPLACE ({_missing_as_null(text)})" if text else ""
    label = literal(database.place_label(table, key))
    reader = f"SELECT *{replace}, {label} AS {SOURCE_FILE} FROM {database.relation(alias, table)}"
    if not numbered:
        return reader
    if key:
        return f"SELECT *, CAST({identifier(key)} AS BIGINT) AS {ROW_IN_FILE} FROM ({reader})"
    every = ", ".join(identifier(name) for name, _ in columns)
    return f"SELECT *, row_number() OVER (ORDER BY {every}) AS {ROW_IN_FILE} FROM ({reader})"


def _in_order(sources: list[str], tables: dict[str, tuple]) -> str:
    """``ORDERED_VIEW``: the raw rows as they are when every source is a file; with a table,
    in the order of the sources, then of the rows in each (a table's by ``ROW_IN_FILE``)."""
    if not tables:
        return f"SELECT * FROM {RAW_VIEW}"
    order = [database.place_label(tables[s][1], tables[s][3]) if s in tables else s for s in sources]
    return (
        f"SELECT * EXCLUDE ({ROW_IN_FILE}) FROM {NUMBERED_VIEW} "
        f"ORDER BY list_position({literal(order)}, {SOURCE_FILE}), {ROW_IN_FILE}"
    )


def _csv_reader(location: str, names: list[str], numbered: bool) -> str:
    """SQL that reads one CSV file as text columns named by its header."""
    from scripts.config import get_csv_max_line_size

    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    reader = (
        f"SELECT * REPLACE ({_missing_as_null(names)}) FROM read_csv({literal(location)}, header = true, "
        f"columns = {columns}, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
        f"nullstr = {literal(NO_NULL_MARKER)}, max_line_size = {get_csv_max_line_size()}, "
        f"filename = {literal(SOURCE_FILE)})"
    )
    return _numbered(reader, numbered)


def read_failure(exc: Exception) -> SourceError | None:
    """The ``SourceError`` for a DuckDB error met while reading the rows, if it is one.

    The CSV reader stops at a malformed line ("CSV Error on Line: 102 …"); a
    remote file can fail half-way. Anything else is not about the source (None).
    """
    short_name = ingest.short_name
    text = str(exc)
    first = first_line(exc)
    found = re.search(r"CSV Error on Line: (\d+)", first)
    if found:
        file = re.search(r"^\s*file = (.+)$", text, flags=re.MULTILINE)
        where = f"{short_name(file.group(1).strip())} line {found.group(1)}" if file else f"line {found.group(1)}"
        too_long = re.search(r"Maximum line size of (\d+) bytes exceeded\. Actual Size: ?(\d+)", text)
        if too_long:
            from scripts.config import ENV_CSV_MAX_LINE_SIZE

            limit, size = (int(n) for n in too_long.groups())
            return SourceError(
                f"cannot parse the raw data: {where} is {size:,} bytes long, more than the CSV reader's limit of "
                f"{limit:,} bytes (a line of the LTER layout has a few hundred); if such a line is intended, "
                f"raise the limit with {ENV_CSV_MAX_LINE_SIZE}, e.g. {ENV_CSV_MAX_LINE_SIZE}={size + 1024}"
            )
        lines = [line.strip() for line in text.split("Possible fixes:", 1)[0].splitlines()[1:] if line.strip()]
        reason = lines[-1] if lines else "malformed line"
        original = text.split("Original Line:", 1)[1].split(reason, 1)[0].strip() if "Original Line:" in text else ""
        line = original.splitlines()[0] if original else ""
        shown = f" (it reads {line[:80]!r})" if original else ""
        return SourceError(
            f"cannot parse the raw data: {where} {ingest.csv_problem(reason, line)}{shown}; every line must have "
            "as many comma-separated fields as the header, and a quoted value must end with a quote"
        )
    if "state machine reached an invalid state" in first:  # no line named: say what is wrong with the file
        file = re.search(r"^\s*file = (.+)$", text, flags=re.MULTILINE)
        location = file.group(1).strip() if file else None
        mixed = ingest.mixed_line_endings(location) if location else None
        where = short_name(location) if location else "a CSV source"
        if mixed:
            return SourceError(f"cannot parse the raw data: {where} {mixed}; save it with one kind of line ending")
        return SourceError(f"cannot parse the raw data: {where} is not CSV the reader can follow ({first})")
    damaged = re.search(r'Failed to read file "([^"]+)": (.+)', first)
    if damaged:  # e.g. a Parquet page that does not decompress
        return SourceError(
            f"cannot read the raw data: {short_name(damaged.group(1))} is damaged or incomplete ({damaged.group(2)})"
        )
    if type(exc).__name__ in ("IOException", "HTTPException"):
        return SourceError(f"cannot read the raw data: {first}")
    return None


def _record_file_columns(con, sources: list[str], columns: dict[str, list[str]]) -> None:
    """Keep each file's own columns in ``raw_file_columns`` (file, column).

    The union fills a column that one file lacks with NULLs, so only this tells
    the gate that, say, one species' file has no body mass at all. A CSV file's
    columns are its header; a Parquet file's, its footer's.
    """
    rows = [(location, name) for location in sources for name in columns[location]]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {FILE_COLUMNS} (source_file VARCHAR, column_name VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {FILE_COLUMNS} VALUES (?, ?)", rows)


def _enable_remote_reading(con, sources: list[str]) -> None:
    kinds = {locations.scheme(s) for s in sources}
    if kinds & set(locations.HTTP):
        _load_httpfs(con)
    for kind in sorted(kinds & set(locations.CLOUD)):
        try:
            con.register_filesystem(locations.filesystem(f"{kind}://"))
        except ImportError:
            raise ingest.missing_package(f"{kind}://") from None


def _load_httpfs(con) -> None:
    """Load DuckDB's httpfs from the ``duckdb-extension-httpfs`` wheel (no download)."""
    import duckdb

    try:
        import duckdb_extension_httpfs
    except ImportError as exc:
        raise SourceError(f"cannot read http(s) sources: DuckDB's httpfs extension is not installed ({exc})") from None
    folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    binary = folder / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    try:
        con.execute(f"LOAD {literal(str(binary))}")
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot read http(s) sources: DuckDB's httpfs extension failed to load ({first_line(exc)})"
        ) from None
