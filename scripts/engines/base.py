"""The engine boundary: what every engine (``scripts/engines``) offers the steps, and the
names of the views it defines."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The views every engine's ``register_raw`` defines: every row, and every row with its
# data row in its file (``ROW_IN_FILE``, from 1); ``SOURCE_FILE`` says which file. Named
# so that no column of a raw file is mistaken for them (a file may have its own ``source_file``).
RAW_VIEW = "raw_observations"
NUMBERED_VIEW = "raw_numbered"
SOURCE_FILE = "__source_file"
ROW_IN_FILE = "__row"
# Every row in the sources' own order: a file's rows as they are in it, a table's in the
# order of its primary key (else of every column), so that the same rows give the same tidy table.
ORDERED_VIEW = "raw_in_order"
# The view over the tidy table that ``write_tidy`` defines.
TIDY_VIEW = "penguins"


@dataclass(frozen=True)
class Named:
    """A query by the name of its file in ``scripts/sql`` (``Named("summaries/overview")``).

    Not text: an engine reads the file in its own dialect, so a named query cannot be
    pasted into other SQL and lose its name (``Engine.keep`` makes a table of it).
    """

    name: str


Query = Named | str  # a file of scripts/sql, or text in DuckDB's SQL


@dataclass
class Repeats:
    """Rows that share a key: how many, and the first few keys (in key order) with the
    places of their rows (``[file, row]``, at most ``limit``) and their number of rows."""

    rows: int
    examples: list[dict]


class Engine(ABC):
    """What the build's steps need of the place their SQL runs."""

    name: str

    @property
    @abstractmethod
    def local(self):
        """A DuckDB engine on this machine (this one, for DuckDB): the comparison reads the tidy file there."""

    @abstractmethod
    def register_raw(
        self, sources: list[str], originals: list[str] | None = None, digests: dict[str, str] | None = None
    ) -> None:
        """Define ``RAW_VIEW``, ``NUMBERED_VIEW`` and ``ORDERED_VIEW`` over every source, unioned by column name.

        CSV columns arrive as text with the LTER's missing-value markers as NULL; Parquet
        and tables keep their own types. ``originals``: where each source came from, when it
        is a local copy of a remote one (``ingest.fetch``); ``digests``: each table's content
        hash as the build hashed it (``database.digest``): the engine reads every table in one
        snapshot, and raises ``SourceError`` when the snapshot's hash differs (the table changed
        since). A source that cannot be read raises ``SourceError``.
        """

    @abstractmethod
    def columns(self, relation: str = RAW_VIEW) -> list[str]:
        """Column names of a view or table, in order."""

    @abstractmethod
    def file_columns(self) -> dict[str, set[str]]:
        """``{file: its own column names}`` as ``register_raw`` read them ({} before)."""

    @abstractmethod
    def set(self, name: str, value) -> None:
        """Set the variable the SQL reads as ``getvariable('name')``."""

    @abstractmethod
    def register_table(self, name: str, frame) -> None:
        """Keep a small pandas table as the temporary table ``name``."""

    @abstractmethod
    def frame(self, query: Query):
        """The rows of a query as pandas, with the same column types on every engine."""

    @abstractmethod
    def rows(self, query: Query) -> list[tuple]:
        """The rows of a small query, as tuples."""

    @abstractmethod
    def keep(self, name: str, query: Query, *, append: bool = False) -> None:
        """Compute a query now and keep it as the temporary table ``name`` (added to it: ``append``)."""

    @abstractmethod
    def view(self, name: str, query: Query) -> None:
        """Define the temporary view ``name``."""

    @abstractmethod
    def write_tidy(self, query: Query, out: Path) -> int:
        """Write a query's rows as the one Parquet file ``out`` (zstd, in the rows' order) and
        define ``TIDY_VIEW`` over them; return how many rows."""

    @abstractmethod
    def keys_may_repeat(self, relation: str, keys: Sequence[str], where: str = "true", *, dense: bool = False) -> bool:
        """Whether two rows of ``relation`` (those where ``where`` holds) may share the
        value of the SQL expressions ``keys``: a cheap screen that may say yes wrongly, never no.
        ``dense``: the last key is a whole number with few gaps (a sample number), which an
        engine may screen with a bit mask instead of grouping by every key."""

    @abstractmethod
    def repeated_keys(self, relation: str, keys: Sequence[str], limit: int) -> Repeats:
        """Rows of ``relation`` that share the value of ``keys`` (NULLs alike) with another row,
        compared exactly; ``relation`` has ``SOURCE_FILE`` and ``ROW_IN_FILE`` for the places."""

    @abstractmethod
    def explain(self, exc: Exception):
        """The ``BuildError`` a user can act on for an error this engine raised (a malformed
        source, memory, disk), or None when it is none of those."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine and remove what it made for this build."""
