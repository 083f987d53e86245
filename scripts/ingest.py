"""Ingest: the raw LTER sources, wherever they are, before an engine reads them.

A source is a local path, an http(s) URL or an s3://, gs://, az:// object, CSV
or Parquet, or a PostgreSQL table (``scripts/database.py``). This module tells
their format, checks that they can be reached, copies remote files once
(``fetch``: what is hashed is what is read), reads a CSV header and explains a
malformed file. The engines (``scripts/engines``) read the
rows themselves, as SQL over the files; the content hash is ``scripts/hashing.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from pathlib import Path

from scripts import database, locations
from scripts.engines.base import ROW_IN_FILE, SOURCE_FILE
from scripts.errors import SourceError, first_line

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
# The LTER writes missing values as NA (and "." in some of its files).
MISSING_MARKERS = ["NA", "", "."]
CHUNK = 4 << 20  # bytes read at a time


def file_format(location: str) -> str:
    """``"csv"`` or ``"parquet"``, from the file name; ``"table"`` for a PostgreSQL table.

    >>> file_format("https://example.org/table_219.csv?x=1")
    'csv'
    >>> file_format("s3://bucket/penguins.parquet")
    'parquet'
    """
    if database.is_table(location):
        return "table"
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
        if database.is_table(location):
            database.parse(location)  # names one table
            continue
        path = locations.local_path(location) if locations.is_local(location) else None
        if path and path.is_dir():
            raise SourceError(f"source {location} is a folder: name its files, comma-separated")
        file_format(location)
        if path:
            if not path.is_file():
                raise SourceError(f"source not found: {location}")
        elif kind not in locations.HTTP and kind not in locations.CLOUD:
            raise SourceError(
                f"unsupported source {location!r}: use a path, http(s)://, s3://, gs://, az:// or postgresql://"
            )


def fetch(sources: list[str], folder: Path) -> list[str]:
    """The locations to read: each remote source (http(s), s3, gs, az) copied once into
    ``folder``, each local one (and each table, read in one snapshot instead) as it is.

    What the build hashes is then what DuckDB (or Spark) reads: a server that answers
    the second request differently, or a bucket object rewritten while the build runs,
    cannot publish other rows than the manifest's hash describes. The copy streams
    (bounded memory); a transfer that ends before the length the server announced is
    an error, not a short file. Each copy keeps its file name (messages name it as
    before), in a folder of its own (two URLs may end in the same name).
    """
    readable = []
    for position, location in enumerate(sources, start=1):
        if locations.is_local(location) or database.is_table(location):
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
        with open_binary(location) as stream, open(target, "wb") as out:
            headers = getattr(stream, "headers", None)  # an HTTP response's
            announced = headers.get("Content-Length") if headers is not None else None
            while chunk := stream.read(CHUNK):
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
        raise SourceError(f"cannot read source {location}: {exc}") from exc
    if announced is not None and announced.isdigit() and received != int(announced):
        raise SourceError(
            f"cannot read source {location}: the transfer ended after {received:,} of the {int(announced):,} bytes "
            "the server announced (a connection cut short?); nothing was read from it"
        )


def fields_in_line(line: bytes) -> int:
    """How many comma-separated fields a CSV line has (commas inside quoted values do not count).

    >>> fields_in_line(b'PAL0708,1,"Adult, 1 Egg Stage",NA,'), fields_in_line(b'a,"say ""hi"", then",c')
    (5, 3)
    """
    if b'"' not in line:
        return line.count(b",") + 1
    return re.sub(rb'"(?:[^"]|"")*"', b"", line).count(b",") + 1


def gzipped(location: str) -> bool:
    return location.split("?", 1)[0].lower().endswith(".gz")


def open_binary(location: str):
    """``locations.open_binary``, with a missing cloud package named as the source's problem."""
    try:
        return locations.open_binary(location)
    except ImportError:
        raise missing_package(location) from None


def missing_package(location: str) -> SourceError:
    kind = locations.scheme(location)
    return SourceError(
        f"reading {kind}:// sources needs the {locations.cloud_package(location)} package: "
        "install the project with `uv sync --extra cloud`"
    )


def csv_header(location: str) -> list[str]:
    """The column names on the first line of a CSV source (a UTF-8 byte-order mark is dropped)."""
    name = short_name(location)
    try:
        with open_binary(location) as raw:
            stream = gzip.GzipFile(fileobj=raw) if gzipped(location) else raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            header = next(csv.reader(text), None)
    except SourceError:
        raise
    except UnicodeDecodeError:
        raise SourceError(f"cannot read {name}: its first line is not UTF-8 text") from None
    except Exception as exc:  # network, permission, a broken gzip stream …
        raise SourceError(f"cannot read {name}: {first_line(exc)}") from exc
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
    from scripts.dataset import raw_columns

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
        with open_binary(location) as raw:
            for text in gzip.GzipFile(fileobj=raw) if gzipped(location) else raw:
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
            found = max(found, fields_in_line(line.encode("utf-8", "surrogateescape")))
        return f"has {found} fields where the header has {expected}"
    if "unterminated quote" in reason:
        return "opens a quoted value that never ends"
    return "is malformed: " + reason.rstrip(".")


def short_name(location: str) -> str:
    """The file name of a source, for messages (a table's ``schema.table``).

    >>> short_name("https://example.org/data/table_219.csv?token=x")
    'table_219.csv'
    >>> short_name("postgresql://u:pw@db/lter?table=raw.penguins")
    'raw.penguins'
    """
    if database.is_table(location) or database.is_place_label(location):
        return database.label_of(location)
    return location.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or location


def place(source: str, rows: list) -> str:
    """Where rows are, for messages: ``raw.csv row 5``, ``raw.csv rows 5 and 9``, or a
    table's rows by their primary key (``database.place``); ``source``: a ``SOURCE_FILE`` value.

    >>> place("/data/raw.csv", [5, 9])
    'raw.csv rows 5 and 9'
    """
    from scripts.text import plural, words

    if database.is_place_label(source):
        return database.place(source, rows)
    return f"{short_name(source)} {plural(len(rows), 'row')} {words(str(row) for row in rows)}"


def describe_sources(sources: list[str]) -> str:
    """Short names of the sources for log lines."""
    return ", ".join(short_name(s) for s in sources)
