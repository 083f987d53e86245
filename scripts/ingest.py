"""Ingest: point DuckDB at the raw LTER observations, wherever they are.

The raw data is never loaded into pandas: ``register_raw`` defines a DuckDB view
``raw_observations`` over one or more CSV or Parquet files (local paths,
http(s) URLs, or s3://, gs://, az:// objects), unioned by column name, so the
later steps run as SQL over the files themselves.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from scripts.errors import SourceError

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
# The LTER writes missing values as NA (and "." in some of its files).
MISSING_MARKERS = ["NA", "", "."]
HTTP_SCHEMES = ("http://", "https://")
# The temporary table where register_raw keeps each file's own columns.
FILE_COLUMNS = "raw_file_columns"
FSSPEC_SCHEMES = {"s3": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs"}
_CHUNK = 4 << 20


def scheme(location: str) -> str:
    """The URI scheme of a source location, ``""`` for a local path."""
    if "://" not in location:
        return ""
    return location.split("://", 1)[0].lower()


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
        file_format(location)
        kind = scheme(location)
        if kind in ("", "file"):
            path = Path(location.removeprefix("file://"))
            if not path.is_file():
                raise SourceError(f"source not found: {location} (from REPORT_SOURCE)")
        elif kind not in ("http", "https") and kind not in FSSPEC_SCHEMES:
            raise SourceError(f"unsupported source {location!r}: use a path, http(s)://, s3://, gs:// or az://")


def source_hash(sources: Iterable[str]) -> str:
    """Content hash (SHA-256) of the raw input, file by file, in the given order.

    Hashing reads only bytes (no parsing, no heavy imports), so the build can
    tell in well under a second that nothing changed.
    """
    digest = hashlib.sha256()
    for location in sources:
        digest.update(b"\0file\0")
        try:
            with _open_binary(location) as stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
        except SourceError:
            raise
        except Exception as exc:  # network, permission, missing object …
            raise SourceError(f"cannot read source {location}: {exc}") from None
    return digest.hexdigest()


def _open_binary(location: str):
    kind = scheme(location)
    if kind in ("", "file"):
        return open(location.removeprefix("file://"), "rb")
    if kind in ("http", "https"):
        return urllib.request.urlopen(location, timeout=60)
    return _fsspec_filesystem(kind).open(location, "rb")


def _fsspec_filesystem(kind: str):
    """The fsspec filesystem for a cloud scheme; credentials come from the environment."""
    try:
        import fsspec

        return fsspec.filesystem(kind)
    except ImportError:
        package = FSSPEC_SCHEMES.get(kind, kind)
        raise SourceError(
            f"reading {kind}:// sources needs the {package} package: install the project with `uv sync --extra cloud`"
        ) from None


def connect(settings: dict[str, str] | None = None):
    """A DuckDB connection with the memory, spill and thread settings applied."""
    import duckdb

    con = duckdb.connect()
    for key, value in (settings or {}).items():
        con.execute(f"SET {key} = ?", [value])
    return con


def register_raw(con, sources: list[str]) -> None:
    """Define the view ``raw_observations`` over every source, unioned by name.

    CSV columns arrive as text (the gate checks that they parse); Parquet keeps
    its own types. A ``source_file`` column says which file each row came from.
    """
    _enable_remote_reading(con, sources)
    csv = [s for s in sources if file_format(s) == "csv"]
    parquet = [s for s in sources if file_format(s) == "parquet"]
    parts = []
    if csv:
        parts.append(
            "SELECT * FROM read_csv($csv, header = true, all_varchar = true, "
            "nullstr = $missing, union_by_name = true, filename = 'source_file')"
        )
    if parquet:
        parts.append("SELECT * FROM read_parquet($parquet, union_by_name = true, filename = 'source_file')")
    query = " UNION ALL BY NAME ".join(parts)
    params = {"csv": csv, "parquet": parquet, "missing": MISSING_MARKERS}
    params = {k: v for k, v in params.items() if f"${k}" in query}
    try:
        # Views cannot take parameters: materialise the file list into the SQL text.
        con.execute(f"CREATE OR REPLACE TEMP VIEW raw_observations AS {_inline(query, params)}")
        con.execute("SELECT * FROM raw_observations LIMIT 0")
    except Exception as exc:
        raise SourceError(f"cannot read the raw data from {', '.join(sources)}: {_first_line(exc)}") from None
    _record_file_columns(con, sources)


def _record_file_columns(con, sources: list[str]) -> None:
    """Keep each file's own columns in ``raw_file_columns`` (file, column).

    The union fills a column that one file lacks with NULLs, so only this tells
    the gate that, say, one species' file has no body mass at all. Reads each
    file's header (CSV) or footer (Parquet), not its rows.
    """
    rows = []
    for location in sources:
        reader = (
            f"read_csv({_sql_literal(location)}, header = true, all_varchar = true)"
            if file_format(location) == "csv"
            else f"read_parquet({_sql_literal(location)})"
        )
        try:
            names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        except Exception as exc:
            raise SourceError(f"cannot read the raw data from {location}: {_first_line(exc)}") from None
        rows += [(location, name) for name in names]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {FILE_COLUMNS} (source_file VARCHAR, column_name VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {FILE_COLUMNS} VALUES (?, ?)", rows)


def file_columns(con) -> dict[str, set[str]]:
    """``{file: its column names}`` as ``register_raw`` recorded them ({} if it did not)."""
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


def _inline(query: str, params: dict) -> str:
    for key, value in params.items():
        query = query.replace(f"${key}", _sql_literal(value))
    return query


def _sql_literal(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_sql_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _enable_remote_reading(con, sources: list[str]) -> None:
    kinds = {scheme(s) for s in sources}
    if kinds & {"http", "https"}:
        _load_httpfs(con)
    for kind in sorted(kinds & set(FSSPEC_SCHEMES)):
        con.register_filesystem(_fsspec_filesystem(kind))


def _load_httpfs(con) -> None:
    """Load DuckDB's httpfs from the ``duckdb-extension-httpfs`` wheel (no download)."""
    try:
        import duckdb
        import duckdb_extension_httpfs

        folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
        binary = folder / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
        con.execute(f"LOAD '{binary}'")
    except Exception as exc:
        raise SourceError(
            f"cannot read http(s) sources: DuckDB's httpfs extension failed to load ({_first_line(exc)})"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def describe_sources(sources: list[str]) -> str:
    """Short names of the sources for log lines."""
    return ", ".join(os.path.basename(s.split("?", 1)[0]) or s for s in sources)
