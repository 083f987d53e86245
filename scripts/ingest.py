"""Ingest: point DuckDB at the raw LTER observations, wherever they are.

The raw data is never loaded into pandas: ``register_raw`` defines a DuckDB view
``raw_observations`` over one or more CSV or Parquet files (local paths,
http(s) URLs, or s3://, gs://, az:// objects), unioned by column name, so the
later steps run as SQL over the files themselves.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from scripts import locations
from scripts.errors import ConfigError, SourceError, first_line
from scripts.sql import identifier, literal

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
# The LTER writes missing values as NA (and "." in some of its files).
MISSING_MARKERS = ["NA", "", "."]
# What the CSV reader itself takes for a missing value: a byte no text holds. The
# markers are read as NULL afterwards (``_missing_as_null``): given them, DuckDB's
# reader silently drops a field too many when its value is one of them (``…,NA``).
NO_NULL_MARKER = "\x01"
HTTP_SCHEMES = ("http://", "https://")
# The temporary table where register_raw keeps each file's own columns.
FILE_COLUMNS = "raw_file_columns"
# Columns the readers add: which file a row came from, and (in ``raw_numbered``
# only) its data row in that file, counted from 1. Named so that no column of a
# raw file is mistaken for them (a file may well have its own ``source_file``).
SOURCE_FILE = "__source_file"
ROW_IN_FILE = "__row"
# The views register_raw defines: every row, and every row with its number.
RAW_VIEW = "raw_observations"
NUMBERED_VIEW = "raw_numbered"
_CHUNK = 4 << 20


def file_format(location: str) -> str:
    """``"csv"`` or ``"parquet"``, from the file name.

    >>> file_format("https://example.org/table_219.csv?x=1")
    'csv'
    >>> file_format("s3://bucket/penguins.parquet")
    'parquet'
    """
    name = location.split("?", 1)[0].lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise SourceError(
        f"cannot tell the format of source {location!r}: name it .csv (or .csv.gz) for CSV, .parquet for Parquet"
    )


def check_reachable(sources: Iterable[str]) -> None:
    """Fail early, with the path, when a local source does not exist."""
    for location in sources:
        kind = locations.scheme(location)
        path = locations.local_path(location) if locations.is_local(location) else None
        if path and path.is_dir():
            raise SourceError(f"source {location} is a folder: name its files, comma-separated")
        file_format(location)
        if path:
            if not path.is_file():
                raise SourceError(f"source not found: {location}")
        elif kind not in locations.HTTP and kind not in locations.CLOUD:
            raise SourceError(f"unsupported source {location!r}: use a path, http(s)://, s3://, gs:// or az://")


def fetch(sources: list[str], folder: Path) -> list[str]:
    """The locations to read: each remote source (http(s), s3, gs, az) copied once into
    ``folder``, each local one as it is.

    What the build hashes is then what DuckDB (or Spark) reads: a server that answers
    the second request differently, or a bucket object rewritten while the build runs,
    cannot publish other rows than the manifest's hash describes. The copy streams
    (bounded memory); a transfer that ends before the length the server announced is
    an error, not a short file. Each copy keeps its file name (messages name it as
    before), in a folder of its own (two URLs may end in the same name).
    """
    readable = []
    for position, location in enumerate(sources, start=1):
        if locations.is_local(location):
            readable.append(location)
            continue
        target = folder / str(position) / short_name(location)
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy(location, target)
        readable.append(str(target))
    return readable


def _copy(location: str, target: Path) -> None:
    """Stream a remote source to ``target``; ``SourceError`` when it cannot, or arrives short."""
    import http.client

    received = 0
    try:
        with _open_binary(location) as stream, open(target, "wb") as out:
            headers = getattr(stream, "headers", None)  # an HTTP response's
            announced = headers.get("Content-Length") if headers is not None else None
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                received += len(chunk)
    except SourceError:
        raise
    except http.client.IncompleteRead as exc:
        got = received + len(exc.partial)
        raise SourceError(
            f"cannot read source {location}: the transfer ended after {got:,} bytes, before the end the server "
            "announced (a connection cut short?); nothing was read from it"
        ) from None
    except Exception as exc:  # network, permission, missing object, disk full …
        raise SourceError(f"cannot read source {location}: {exc}") from None
    if announced is not None and announced.isdigit() and received != int(announced):
        raise SourceError(
            f"cannot read source {location}: the transfer ended after {received:,} of the {int(announced):,} bytes "
            "the server announced (a connection cut short?); nothing was read from it"
        )


def stamps(sources: list[str]) -> dict[str, tuple[int, int]]:
    """Size and modification time of each local source, to tell that none changed while the build read it."""
    found = {}
    for location in sources:
        if locations.is_local(location):
            status = locations.local_path(location).stat()
            found[location] = (status.st_size, status.st_mtime_ns)
    return found


def check_unchanged(before: dict[str, tuple[int, int]]) -> None:
    """``SourceError`` when a local source changed (size or modification time) since ``stamps``."""
    now = stamps(list(before))
    for location, stamp in before.items():
        if now.get(location) != stamp:
            raise SourceError(
                f"source {short_name(location)} changed while the build read it (its size or modification time "
                "moved): nothing was pinned; run the build again once it is written"
            )


def source_hash(sources: Iterable[str]) -> str:
    """Content hash (SHA-256) of the raw input, file by file, in the given order.

    Hashing reads only bytes (no parsing, no heavy imports), so the build can
    tell in well under a second that nothing changed. The same pass checks that
    a CSV source is UTF-8 text with no field too many (``CsvTextCheck``), before DuckDB reads it.
    """
    digest = hashlib.sha256()
    for location in sources:
        digest.update(b"\0file\0")
        check = CsvTextCheck(location) if file_format(location) == "csv" else None
        try:
            with _open_binary(location) as stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    if check:
                        check.feed(chunk)
            if check:
                check.finish()
        except SourceError:
            raise
        except Exception as exc:  # network, permission, missing object, a broken gzip stream …
            raise SourceError(f"cannot read source {location}: {exc}") from None
    return digest.hexdigest()


class CsvTextCheck:
    """Checks, chunk by chunk, that a CSV source is UTF-8 text and that no line ends in a
    field the header does not have (``_check_trailing_fields``); names the first line that fails.

    DuckDB's CSV reader meets a byte that is not UTF-8 inconsistently: a parse
    error on one query, an internal error (which ends the connection) on
    another, or nothing at all when the column is not read. So the build checks
    the bytes itself, while it hashes them. An all-ASCII chunk, the usual case,
    costs one ``isascii`` and a newline count.

    >>> check = CsvTextCheck("t.csv")
    >>> check.feed("a,b\\nd\u00e9j\u00e0,1\\n".encode())
    >>> check.feed(b"caf\\xe9,2\\n")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scripts.errors.SourceError: cannot read t.csv: line 3 is not UTF-8 text (byte 0xe9 after 'caf'); ...
    """

    def __init__(self, location: str):
        import codecs
        import zlib

        self.name = short_name(location)
        self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if _gzipped(location) else None
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._lines = 0  # newlines before the current chunk
        self._fed = False
        self._header_fields: int | None = None  # the fields of line 1, once it is complete
        self._crlf = False  # whether the header's line ends in CRLF
        self._tail = b""  # the unfinished last line of the chunks so far

    def feed(self, chunk: bytes) -> None:
        self._fed = self._fed or bool(chunk)
        self._check(self._decompress(chunk) if self._inflate else chunk)

    def _decompress(self, chunk: bytes) -> bytes:
        """Inflate a gzip chunk; a file of several gzip members (``cat a.gz b.gz``) is one text."""
        import zlib

        data = self._inflate.decompress(chunk)
        while self._inflate.eof and self._inflate.unused_data:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data += self._inflate.decompress(rest)
        return data

    def _check(self, data: bytes) -> None:
        self._check_trailing_fields(data)
        pending = self._decoder.getstate()[0]
        if not pending and data.isascii():
            self._lines += data.count(b"\n")
            return
        try:
            self._decoder.decode(data)
        except UnicodeDecodeError as exc:
            at = max(exc.start - len(pending), 0)
            line_start = data.rfind(b"\n", 0, at) + 1
            before = data[line_start:at].decode("utf-8", "replace")[-20:]
            line = self._lines + data.count(b"\n", 0, at) + 1
            raise SourceError(
                f"cannot read {self.name}: line {line} is not UTF-8 text "
                f"(byte 0x{data[at]:02x} after {before!r}); save the file as UTF-8"
            ) from None
        self._lines += data.count(b"\n")

    def _check_trailing_fields(self, data: bytes) -> None:
        """Stop at a line that ends in one field more than the header has, an empty one.

        DuckDB's reader stops at a line with too many fields, but takes a trailing
        empty one (``…,NA,`` or ``…,NA,""``) for a line end and reads the line as if
        it were not there. So every line that ends in a comma has its fields counted, as the
        reader splits them (commas in quoted values do not count; a line with an odd
        number of quotes, inside a multi-line quoted value, is not counted). The
        search is one vectorized pass over the chunk (about 1 ms for 4 MiB).
        """
        import numpy as np

        text = self._tail + data  # the tail holds no line break: line numbers stay those of the chunks
        last = text.rfind(b"\n")
        if last < 0:
            self._tail = text
            return
        if self._header_fields is None:
            header = text[: text.index(b"\n")]
            self._header_fields = _fields(header.rstrip(b"\r"))
            self._crlf = header.endswith(b"\r")
        self._tail = text[last + 1 :]
        codes = np.frombuffer(text, dtype=np.uint8, count=last + 1)
        # the comma before a line's last field when that field is empty: `,` or `,""` then the line break
        breaks = np.flatnonzero(codes == 10)
        line_ends = breaks - 1 - self._crlf  # the last byte of each line, before its line break
        line_ends = line_ends[line_ends >= 3]  # room for `,""` before it
        final = codes[line_ends]
        empty_quoted = (final == 34) & (codes[line_ends - 1] == 34) & (codes[line_ends - 2] == 44)
        ends = np.sort(np.concatenate((line_ends[final == 44], line_ends[empty_quoted] - 2)))
        if len(ends) > _FEW_LINES:  # many lines end in an empty field: count them all at once
            first = _first_line_with_more_fields(codes, self._header_fields)
            ends = [] if first is None else [text.index(b"\n", first) - (2 if self._crlf else 1)]
        for at in list(ends):  # the comma that ends a line
            start = text.rfind(b"\n", 0, at) + 1
            line = text[start : at + 1]
            fields = _fields(line)
            if fields > self._header_fields and line.count(b'"') % 2 == 0:
                number = self._lines + text.count(b"\n", 0, start) + 1
                shown = line.decode("utf-8", "replace")[:80]
                raise SourceError(
                    f"cannot parse the raw data: {self.name} line {number} has {fields} fields where the "
                    f"header has {self._header_fields} (it reads {shown!r}); every line must have as many "
                    "comma-separated fields as the header, and a quoted value must end with a quote"
                )

    def finish(self) -> None:
        if self._inflate:
            if self._fed and not self._inflate.eof:
                raise SourceError(f"cannot read {self.name}: the gzip stream ends early (a truncated download?)")
            self._check(self._inflate.flush())
        if self._tail:  # a last line without a line break is counted as if it had one
            self._check_trailing_fields(b"\r\n" if self._crlf else b"\n")
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise SourceError(f"cannot read {self.name}: it ends inside a character that is not UTF-8") from None


# Up to this many lines of a chunk that end in an empty field are counted one by one.
_FEW_LINES = 256


def _first_line_with_more_fields(codes, header_fields: int) -> int | None:
    r"""Where the first line of ``codes`` (complete lines of a CSV file, as bytes) starts
    that has more fields than ``header_fields`` and whole quoted values, or None.

    Vectorized: a comma separates fields when an even number of quotes precede it
    (in the file: a quoted value that spans lines is whole again at its end), and a
    line is whole when an even number of quotes precede its line break.

    >>> import numpy as np
    >>> codes = np.frombuffer(b'a,b\nc,"d,e"\nf,g,\n', dtype=np.uint8)
    >>> _first_line_with_more_fields(codes, 2)
    12
    """
    import numpy as np

    odd = np.cumsum(codes == 34, dtype=np.uint8) & 1  # quotes so far, odd or even (uint8 keeps the parity)
    separating = np.cumsum((codes == 44) & (odd == 0), dtype=np.int32)
    ends = np.flatnonzero(codes == 10)
    fields = np.diff(separating[ends], prepend=0) + 1
    bad = np.flatnonzero((fields > header_fields) & (odd[ends] == 0))
    if not len(bad):
        return None
    return 0 if bad[0] == 0 else int(ends[bad[0] - 1]) + 1


def _fields(line: bytes) -> int:
    """How many comma-separated fields a CSV line has (commas inside quoted values do not count).

    >>> _fields(b'PAL0708,1,"Adult, 1 Egg Stage",NA,'), _fields(b'a,"say ""hi"", then",c')
    (5, 3)
    """
    if b'"' not in line:
        return line.count(b",") + 1
    return re.sub(rb'"(?:[^"]|"")*"', b"", line).count(b",") + 1


def _gzipped(location: str) -> bool:
    return location.split("?", 1)[0].lower().endswith(".gz")


def _open_binary(location: str):
    """``locations.open_binary``, with a missing cloud package named as the source's problem."""
    try:
        return locations.open_binary(location)
    except ImportError:
        raise _missing_package(location) from None


def _missing_package(location: str) -> SourceError:
    kind = locations.scheme(location)
    return SourceError(
        f"reading {kind}:// sources needs the {locations.cloud_package(location)} package: "
        "install the project with `uv sync --extra cloud`"
    )


def connect(settings: dict[str, str] | None = None):
    """A DuckDB connection with the memory, spill and thread settings applied.

    A value DuckDB refuses raises ``ConfigError`` naming the environment
    variable it came from (``config.DUCKDB_SETTING_ENV``).
    """
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


def register_raw(con, sources: list[str]) -> None:
    """Define the views ``raw_observations`` and ``raw_numbered`` over every source, unioned by name.

    CSV columns arrive as text (the gate checks that they parse); Parquet keeps
    its own types. A ``__source_file`` column says which file each row came from;
    ``raw_numbered`` adds ``__row``, the row's data row in its file (from 1, in the
    file's own order at any thread count), for the gate's examples only: numbering
    a CSV file reads it on one thread.
    A CSV file is read as the standard dialect (comma, double quotes) with the
    columns its header names, not as DuckDB's sniffer guesses from a sample: one
    malformed line would make the sniffer read the whole file as one column.
    Such a line stops the first pass over the rows instead, and ``read_failure``
    names the file and line.
    """
    import duckdb

    _enable_remote_reading(con, sources)
    headers = {s: csv_header(s) for s in sources if file_format(s) == "csv"}
    schemas = {s: _parquet_schema(con, s) for s in sources if file_format(s) == "parquet"}
    # All-text Parquet (a CSV saved as Parquet) keeps the CSV's missing-value markers.
    text = [s for s, schema in schemas.items() if all(kind == "VARCHAR" for _, kind in schema)]
    typed = [s for s in schemas if s not in text]

    def union(numbered: bool) -> str:
        # in the given order (config.split_sources refuses a file listed twice)
        parts = [_csv_reader(s, headers[s], numbered) for s in sources if s in headers]
        parts += [_text_parquet_reader(s, [name for name, _ in schemas[s]], numbered) for s in text]
        if typed:
            parts.append(_parquet_reader(typed, numbered))
        return " UNION ALL BY NAME ".join(parts)

    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {RAW_VIEW} AS {union(numbered=False)}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {NUMBERED_VIEW} AS {union(numbered=True)}")
        con.execute(f"SELECT * FROM {NUMBERED_VIEW} LIMIT 0")
    except duckdb.OutOfMemoryException:
        raise  # not the source's fault: the build explains it
    except Exception as exc:
        shown = ", ".join(short_name(s) for s in sources)
        raise SourceError(f"cannot read the raw data from {shown}: {first_line(exc)}") from None
    _record_file_columns(
        con, sources, {**headers, **{s: [name for name, _ in schema] for s, schema in schemas.items()}}
    )


def _parquet_schema(con, location: str) -> list[tuple[str, str]]:
    """A Parquet file's columns and their types, from its footer (no rows are read)."""
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(location)})").fetchall()
    except Exception as exc:
        raise SourceError(f"cannot read the raw data from {short_name(location)}: {first_line(exc)}") from None
    return [(row[0], row[1]) for row in described]


def _missing_as_null(names: list[str]) -> str:
    """``* REPLACE`` items that read a missing-value marker as NULL, spaces around it or not (' NA ')."""
    markers = ", ".join(literal(m) for m in MISSING_MARKERS)
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


def _parquet_reader(locations: list[str], numbered: bool) -> str:
    """SQL that reads typed Parquet files with their own types, unioned by name."""
    row = ", file_row_number = true" if numbered else ""
    reader = (
        f"SELECT * FROM read_parquet({literal(locations)}, union_by_name = true, "
        f"filename = {literal(SOURCE_FILE)}{row})"
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


def csv_header(location: str) -> list[str]:
    """The column names on the first line of a CSV source (a UTF-8 byte-order mark is dropped)."""
    name = short_name(location)
    try:
        with _open_binary(location) as raw:
            stream = gzip.GzipFile(fileobj=raw) if _gzipped(location) else raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            header = next(csv.reader(text), None)
    except SourceError:
        raise
    except UnicodeDecodeError:
        raise SourceError(f"cannot read {name}: its first line is not UTF-8 text") from None
    except Exception as exc:  # network, permission, a broken gzip stream …
        raise SourceError(f"cannot read {name}: {first_line(exc)}") from None
    if not header or not any(h.strip() for h in header):
        raise SourceError(f"cannot read {name}: the file is empty (a CSV source starts with a header line)")
    if len(header) == 1 and any(mark in header[0] for mark in ";\t|"):
        raise SourceError(
            f"cannot read {name}: its header is one field ({header[0][:60]!r}); "
            "the LTER layout separates columns with commas"
        )
    # A line ending in a comma (as spreadsheets export) has a column without a name:
    # it is named by position, as DuckDB does, and read as an extra column.
    # Spaces around a name (a hand-edited header) are not part of it.
    header = [h.strip() or f"column{i + 1}" for i, h in enumerate(header)]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise SourceError(f"cannot read {name}: its header names {', '.join(map(repr, repeated))} more than once")
    return distinct_names(header)


def distinct_names(header: list[str]) -> list[str]:
    """Header names that SQL tells apart: an extra column whose name differs from
    another only in case (``species`` beside ``Species``: SQL names ignore case),
    or that is the readers' own ``__source_file``, is renamed as DuckDB renames
    such Parquet columns (``species_1``). A column of the LTER layout keeps its name.

    >>> distinct_names(["species", "Species", "Island", "island"])
    ['species_1', 'Species', 'Island', 'island_1']
    """
    from scripts.validate import raw_columns

    layout = {c.name for c in raw_columns()}
    taken = {h.lower() for h in header if h in layout} | {SOURCE_FILE.lower(), ROW_IN_FILE.lower()}
    names = []
    for h in header:
        new = h
        if h not in layout:
            k = 0
            while new.lower() in taken:
                k += 1
                new = f"{h}_{k}"
        taken.add(new.lower())
        names.append(new)
    return names


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
            f"cannot parse the raw data: {where} {csv_problem(reason, line)}{shown}; every line must have "
            "as many comma-separated fields as the header, and a quoted value must end with a quote"
        )
    if "state machine reached an invalid state" in first:  # no line named: say what is wrong with the file
        file = re.search(r"^\s*file = (.+)$", text, flags=re.MULTILINE)
        location = file.group(1).strip() if file else None
        mixed = mixed_line_endings(location) if location else None
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


def mixed_line_endings(location: str) -> str | None:
    r"""Where a CSV file's line endings first differ, or None when they do not.

    A line ending inside a quoted value does not count (Excel writes LF there in a
    CRLF file). Read only when the CSV reader has failed, to explain why: DuckDB
    reads a file of one kind of line ending, and stops inside one that mixes them.

    >>> import os, tempfile
    >>> with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as f:
    ...     _ = f.write(b'a,b\nc,"d\r\ne"\nf,g\r\n')
    >>> mixed_line_endings(f.name)
    'mixes line endings: line 4 ends with CRLF where line 1 ends with LF'
    >>> os.remove(f.name)
    """
    first_kind, quoted, line = None, False, 0
    try:
        with _open_binary(location) as raw:
            for text in gzip.GzipFile(fileobj=raw) if _gzipped(location) else raw:
                line += 1  # as an editor numbers them
                quoted ^= text.count(b'"') % 2 == 1
                if quoted or not text.endswith(b"\n"):
                    continue  # a line break inside a quoted value, or a last line without one
                kind = "CRLF" if text.endswith(b"\r\n") else "LF"
                first_kind = first_kind or kind
                if kind != first_kind:
                    return f"mixes line endings: line {line} ends with {kind} where line 1 ends with {first_kind}"
    except (OSError, EOFError):
        return None  # cannot read it again: the caller says what the reader said
    return None


def csv_problem(reason: str, line: str = "") -> str:
    """DuckDB's reason for a malformed CSV line, in the words of the message. With too
    many fields DuckDB stops counting at one more than the header; the ``line`` it quotes
    gives the real count.

    >>> csv_problem("Expected Number of Columns: 17 Found: 3")
    'has 3 fields where the header has 17'
    >>> csv_problem("Expected Number of Columns: 3 Found: 4", "a,b,c,d,e")
    'has 5 fields where the header has 3'
    """
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", reason)
    if counts:
        expected, found = int(counts.group(1)), int(counts.group(2))
        if found > expected and line:
            found = max(found, _fields(line.encode("utf-8", "surrogateescape")))
        return f"has {found} fields where the header has {expected}"
    if "unterminated quote" in reason:
        return "opens a quoted value that never ends"
    return "is malformed: " + reason.rstrip(".")


def short_name(location: str) -> str:
    """The file name of a source, for messages.

    >>> short_name("https://example.org/data/table_219.csv?token=x")
    'table_219.csv'
    """
    return location.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or location


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


def file_columns(con) -> dict[str, set[str]]:
    """``{file: its column names}`` as ``register_raw`` recorded them ({} if it did not)."""
    if hasattr(con, "recorded_file_columns"):  # a SparkConnection (scripts/spark.py) keeps them itself
        return con.recorded_file_columns
    known = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [FILE_COLUMNS]).fetchone()[0]
    if not known:
        return {}
    columns: dict[str, set[str]] = {}
    for location, name in con.execute(f"SELECT source_file, column_name FROM {FILE_COLUMNS}").fetchall():
        columns.setdefault(location, set()).add(name)
    return columns


def columns(con, relation: str = "raw_observations") -> list[str]:
    """Column names of a relation, in order."""
    return [row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()]


def _enable_remote_reading(con, sources: list[str]) -> None:
    kinds = {locations.scheme(s) for s in sources}
    if kinds & set(locations.HTTP):
        _load_httpfs(con)
    for kind in sorted(kinds & set(locations.CLOUD)):
        try:
            con.register_filesystem(locations.filesystem(f"{kind}://"))
        except ImportError:
            raise _missing_package(f"{kind}://") from None


def _load_httpfs(con) -> None:
    """Load DuckDB's httpfs from the ``duckdb-extension-httpfs`` wheel (no download)."""
    try:
        import duckdb
        import duckdb_extension_httpfs

        folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
        binary = folder / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
        con.execute(f"LOAD {literal(str(binary))}")
    except Exception as exc:
        raise SourceError(
            f"cannot read http(s) sources: DuckDB's httpfs extension failed to load ({first_line(exc)})"
        ) from None


def describe_sources(sources: list[str]) -> str:
    """Short names of the sources for log lines."""
    return ", ".join(short_name(s) for s in sources)
