"""Argument types shared by the benchmark commands."""

from __future__ import annotations

import argparse


def positive(kind: type = int):
    """An argparse type: a number of ``kind`` above zero, else a usage error naming the value.

    >>> positive(int)("3")
    3
    >>> positive(float)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not above zero
    """

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not above zero")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse
