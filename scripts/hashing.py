"""The content hash of the raw sources, and the checks of their bytes made in the same pass.

Hashing reads only bytes (no parsing, no heavy imports), so the build can tell in
well under a second that nothing changed; the same pass checks that a CSV source is
UTF-8 text with no field too many (``CsvTextCheck``), before an engine reads it.
``stamps`` and ``check_unchanged`` tell that no local source changed while the build read it.
A PostgreSQL table is hashed by its server (``database.digest``): no row travels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from scripts import database, locations
from scripts.errors import SourceError
from scripts.ingest import CHUNK, fields_in_line, file_format, gzipped, open_binary, short_name


def stamps(sources: list[str]) -> dict[str, tuple[int, int] | str]:
    """Size and modification time of each local source, to tell that none changed while the
    build read it; the content hash of each table (``database.digest``), which the engine
    compares with the snapshot it reads."""
    found: dict[str, tuple[int, int] | str] = {}
    for location in sources:
        if locations.is_local(location):
            status = locations.local_path(location).stat()
            found[location] = (status.st_size, status.st_mtime_ns)
    tables = [location for location in sources if database.is_table(location)]
    if tables:
        found.update(database.digests(tables))
    return found


def table_digests(before: dict) -> dict[str, str]:
    """The tables' content hashes among ``stamps``."""
    return {location: stamp for location, stamp in before.items() if database.is_table(location)}


def check_unchanged(before: dict[str, tuple[int, int] | str]) -> None:
    """``SourceError`` when a local source changed (size or modification time) since ``stamps``.

    A table is not read again here: the engine read it in one snapshot, whose content hash it
    compared with the one in ``before`` (``Engine.register_raw``)."""
    files = {location: stamp for location, stamp in before.items() if not database.is_table(location)}
    now = stamps(list(files))
    for location, stamp in files.items():
        if now.get(location) != stamp:
            raise SourceError(
                f"source {short_name(location)} changed while the build read it (its size or modification time "
                "moved): nothing was pinned; run the build again once it is written"
            )


def source_hash(sources: Iterable[str], before: dict | None = None) -> str:
    """Content hash (SHA-256) of the raw input, file by file, in the given order.

    Hashing reads only bytes (no parsing, no heavy imports), so the build can
    tell in well under a second that nothing changed. The same pass checks that
    a CSV source is UTF-8 text with no field too many (``CsvTextCheck``), before DuckDB reads it.
    A table counts by its server's content hash, from ``before`` (``stamps``) when it is there.
    """
    digest = hashlib.sha256()
    sources = list(sources)
    tables = [location for location in sources if database.is_table(location)]
    known = table_digests(before or {})
    if any(location not in known for location in tables):
        known = database.digests(tables)
    for location in sources:
        if location in known:
            digest.update(b"\0table\0" + known[location].encode())
            continue
        digest.update(b"\0file\0")
        check = CsvTextCheck(location) if file_format(location) == "csv" else None
        try:
            with open_binary(location) as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    if check:
                        check.feed(chunk)
            if check:
                check.finish()
        except SourceError:
            raise
        except Exception as exc:  # network, permission, missing object, a broken gzip stream …
            raise SourceError(f"cannot read source {location}: {exc}") from exc
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
        self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS) if gzipped(location) else None
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
            self._header_fields = fields_in_line(header.rstrip(b"\r"))
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
            fields = fields_in_line(line)
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
