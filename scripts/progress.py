"""Progress on stderr: each step says what it did and how long it took."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("scripts")


def configure(verbose: bool = False) -> None:
    """Log ``scripts.*`` messages to stderr as ``[build] message``."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[build] %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


@contextmanager
def step(name: str) -> Iterator[dict]:
    """Time a pipeline step; the caller fills ``info`` with what the step did.

    >>> with step("demo") as info:
    ...     info["rows"] = 3
    """
    info: dict = {}
    start = time.perf_counter()
    yield info
    seconds = time.perf_counter() - start
    details = ", ".join(f"{key} {_fmt(value)}" for key, value in info.items())
    log.info("%-9s %s%s(%.2f s)", name, details, " " if details else "", seconds)


def _fmt(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
