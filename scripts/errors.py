"""Expected failures: bad, missing or unreachable input, a busy board.

``scripts.build`` prints these as plain messages on stderr and exits with the
error's ``exit_code``; only a bug shows a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scripts.text import plural

# A URL's user:password@ and its query string (where signed URLs keep their signature and token).
_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^/\s@'\"]*@)?([^\s?#'\"]*)(?:[?#][^\s'\"]*[^\s'\":,;.)])?")


def redact(text: str) -> str:
    """``text`` with every URL shown as scheme, host and path only: no user:password@, no query.

    Messages reach the job summary and a public failure issue; a signed URL's
    token must not.

    >>> redact("cannot read source https://u:pw@host/t.csv?X-Amz-Signature=abc&token=x: HTTP 403")
    'cannot read source https://host/t.csv: HTTP 403'
    >>> redact("s3://bucket/raw.parquet and /tmp/a.csv stay")
    's3://bucket/raw.parquet and /tmp/a.csv stay'
    """
    return _URL.sub(r"\1\2", text)


def causes(error: BaseException) -> list[str]:
    """What led to ``error``, innermost last: each cause's type and first line (``--verbose`` shows them).

    >>> try:
    ...     try:
    ...         raise OSError("Access Denied")
    ...     except OSError as exc:
    ...         raise BuildError("cannot reach the board s3://b") from exc
    ... except BuildError as error:
    ...     causes(error)
    ['OSError: Access Denied']
    """
    found, cause = [], error.__cause__
    while cause is not None:
        found.append(f"{type(cause).__name__}: {first_line(cause)}")
        cause = cause.__cause__
    return found


class BuildError(Exception):
    """Base of the failures a user can fix; ``str(error)`` is the whole message.

    Every URL in the message is shown without credentials or query (``redact``).
    """

    exit_code = 1

    def __init__(self, message: str = ""):
        super().__init__(redact(message))


class ConfigError(BuildError):
    """An environment variable holds a value the build cannot use."""

    exit_code = 1


class SourceError(BuildError):
    """The raw data cannot be found, read or parsed."""

    exit_code = 3


class BoardError(BuildError):
    """The board cannot be opened, or another build holds it."""

    exit_code = 4


class ResourceError(BuildError):
    """DuckDB ran out of memory, or the disk ran out of room for spill or scratch files."""

    exit_code = 5


@dataclass(frozen=True)
class Violation:
    """One failed gate rule: which rule, on which column, how many rows, examples."""

    rule: str
    column: str
    rows: int | None  # None for a rule about the whole table (a missing column)
    detail: str
    examples: list[str] = field(default_factory=list)

    def describe(self) -> str:
        text = f'rule "{self.rule}", column "{self.column}": '
        if self.rows is not None:
            text += f"{self.rows:,} {plural(self.rows, 'row')} "
        text += self.detail
        if self.examples:
            text += " (e.g. " + "; ".join(self.examples) + ")"
        return text


class GateError(BuildError):
    """The data failed the publish gate; nothing was pinned."""

    exit_code = 2

    def __init__(self, violations: list[Violation], measures: list[dict] | None = None):
        self.violations = violations
        # what the gate measured before it stopped (``measure``): the attempts log shows it
        self.measures = list(measures or [])
        lines = [
            f"the raw data failed the publish gate ({len(violations)} {plural(len(violations), 'problem')}); "
            "nothing was pinned:"
        ]
        lines += [f"  - {v.describe()}" for v in violations]
        super().__init__("\n".join(lines))


def measure(rule: str, measured: float | None, shown: str, limit: str, passed: bool) -> dict:
    """What the gate measured for one rule, as the attempts log and the What changed page show it.

    >>> measure("revisions", 0.012, "1.2%", "at most 5%", True)
    {'rule': 'revisions', 'measured': 0.012, 'shown': '1.2%', 'limit': 'at most 5%', 'passed': True}
    """
    return {"rule": rule, "measured": measured, "shown": shown, "limit": limit, "passed": bool(passed)}


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a library's detail, for ours), else its type.

    >>> first_line(ValueError("bad value\\nLINE 1: …"))
    'bad value'
    """
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
