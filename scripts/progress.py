"""Progress on stderr: each step says what it did and how long it took."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from scripts.errors import redact

log = logging.getLogger("scripts")


def configure(verbose: bool = False) -> None:
    """Log ``scripts.*`` messages to stderr as ``[build] message``.

    Libraries (the cloud SDKs, fsspec) log their retries and fallbacks, some with
    a traceback, to the root logger, which Python prints when nothing else
    handles it. The build's own message already says what failed (``cannot
    reach the board …``), so theirs are shown only with ``--verbose``, one line
    each and without the traceback.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[build] %(message)s"))
    handler.addFilter(_redacted)
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "from_build", False)]
    libraries = logging.StreamHandler() if verbose else logging.NullHandler()
    libraries.setFormatter(logging.Formatter("[%(name)s] %(levelname)s: %(message)s"))
    libraries.addFilter(_without_traceback)
    libraries.addFilter(_redacted)
    libraries.from_build = True
    root.addHandler(libraries)


def _redacted(record: logging.LogRecord) -> bool:
    """A log line shows URLs without credentials or query (``errors.redact``)."""
    record.msg, record.args = redact(record.getMessage()), ()
    return True


def _without_traceback(record: logging.LogRecord) -> bool:
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    return True


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
