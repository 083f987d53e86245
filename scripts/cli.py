"""The commands' argument parser: a usage error has its own exit status.

``argparse`` ends a usage error with status 2, which is also the build's status for
data that failed the gate; a scheduled job must tell "the data is bad" from "the
command is wrong". Every command of ``scripts`` and ``report`` parses with
``ArgumentParser`` here, which exits with ``USAGE`` (64, ``EX_USAGE`` of sysexits.h).
"""

from __future__ import annotations

import argparse
import sys

USAGE = 64


class ArgumentParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose usage errors exit with ``USAGE``.

    >>> parser = ArgumentParser(prog="demo")
    >>> _ = parser.add_argument("--port", type=int)
    >>> try:
    ...     parser.parse_args(["--port", "x"])
    ... except SystemExit as stop:
    ...     stop.code
    64
    """

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")
