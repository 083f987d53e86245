"""Sentences made from data, for messages and pages alike."""

from __future__ import annotations


def words(items) -> str:
    """Items as an English list.

    Messages and pages state what the data says in sentences made at run time,
    never typed in, so the text stays true when the data changes.

    >>> words(["Biscoe"])
    'Biscoe'
    >>> words(["Biscoe", "Dream", "Torgersen"])
    'Biscoe, Dream and Torgersen'
    """
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
