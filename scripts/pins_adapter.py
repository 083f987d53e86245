"""Where this project reaches into pins beyond its public API: one module, checked against
the pins version it was written for (``PINS_WRITTEN_FOR``).

Each piece says why it exists and what upstream change would retire it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The pins release these workarounds were written and tested against. A test
# checks that the installed pins is this one: upgrading pins means re-reading
# this module (the pinned set in pyproject.toml keeps them in step).
PINS_WRITTEN_FOR = "0.9.2"
# pins hashes a pinned file in blocks of this size instead of whole (hashing_in_blocks).
HASH_BLOCK = 8 << 20


def installed_pins_version() -> str:
    from importlib.metadata import version

    return version("pins")


def parquet_file(path: Path):
    """A Parquet file that DuckDB already wrote, to pin as a ``parquet`` pin as is.

    ``pin_write(parquet_file(path), type="parquet", title=...)`` puts the file in
    the pin instead of writing a DataFrame, so a table of any size is pinned
    without ever being loaded into memory; readers still get a plain Parquet pin.
    pins writes through an adaptor object (``pins._adaptors.Adaptor``, private);
    this is one for a file on disk. Upstream, a public way to pin an existing
    file as a typed pin would retire it.
    """
    from pins._adaptors import Adaptor

    class ParquetFile(Adaptor):
        def write_parquet(self, file: str) -> None:
            try:
                os.link(path, file)  # same file system: no copy
            except OSError:
                shutil.copyfile(path, file)

    return ParquetFile(str(path))


@contextmanager
def hashing_in_blocks() -> Iterator[None]:
    """While the block runs, pins hashes a pinned file in ``HASH_BLOCK`` blocks instead of whole.

    pins names a version by the xxh64 hash of its files and reads each file in
    one piece to hash it (``Version.hash_file``'s default ``block_size`` is -1),
    so pinning a multi-gigabyte tidy table would hold all of it in memory.
    Hashing in blocks gives the same hash with bounded memory. The patch is
    undone when the block ends. The upstream fix is one line in
    ``pins/versions.py``: ``def hash_file(f, block_size: int = 8 << 20)``
    (pins 0.9.2 has ``-1``); it could not be filed from here (no network), and
    is left for the maintainers of this project to propose.
    """
    from pins.versions import Version

    whole = Version.__dict__["hash_file"]

    def hash_file(f, block_size: int = -1) -> str:
        return whole.__func__(f, block_size if block_size > 0 else HASH_BLOCK)

    Version.hash_file = staticmethod(hash_file)
    try:
        yield
    finally:
        Version.hash_file = whole


def linking_folder_board(folder: str):
    """A folder board that links the files of a new version into place.

    pins writes each version into a temporary folder, then copies it onto the
    board (``fs.put``); for the tidy table, as large as the raw data, that copy
    was the pin step's only cost that grew with the rows. Here ``put`` makes a
    hard link when both folders are on one file system, and copies otherwise.
    It builds the board through ``board_factory`` and ``pins.boards.BaseBoard``,
    which pins does not document; a ``fs`` argument to ``pins.board_folder``
    upstream would retire it.
    """
    import pins
    from fsspec.implementations.local import LocalFileSystem
    from pins.boards import BaseBoard

    class LinkingFileSystem(LocalFileSystem):
        def put_file(self, lpath, rpath, callback=None, **kwargs):
            try:
                os.link(self._strip_protocol(lpath), self._strip_protocol(rpath))
            except OSError:
                super().put_file(lpath, rpath, callback=callback, **kwargs)

    def factory(path, fs, versioned, **kwargs):
        return BaseBoard(path, LinkingFileSystem(), versioned, **kwargs)

    return pins.board("file", folder, versioned=True, cache=None, allow_pickle_read=True, board_factory=factory)


def parquet_shape(path: str) -> tuple[list[tuple[str, str]], int]:
    """A Parquet pin's columns (name, DuckDB type) and rows, read from the file's footer by
    DuckDB (the table itself never loaded): what the tables API and the site's data files say."""
    import duckdb

    con = duckdb.connect()
    try:
        columns = [(c, t) for c, t, *_ in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()]
        rows = con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0]
    finally:
        con.close()
    return columns, rows
