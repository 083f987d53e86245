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


def plural(count: int, singular: str, many: str | None = None) -> str:
    """The noun for ``count`` of it: 'island' for 1, 'islands' otherwise.

    >>> plural(1, "island"), plural(3, "island"), plural(2, "breeding season")
    ('island', 'islands', 'breeding seasons')
    >>> plural(1, "penguin"), plural(0, "species", "species")
    ('penguin', 'species')
    """
    return singular if count == 1 else (many or singular + "s")


def span(first: int, last: int) -> str:
    """A range of years: '2007–2009', or '2008' when it is one year.

    >>> span(2007, 2009), span(2008, 2008)
    ('2007–2009', '2008')
    """
    return str(first) if first == last else f"{first}–{last}"


def quoted(value, limit: int = 60) -> str:
    r"""A value from the data as a message shows it: quoted, every invisible or control
    character escaped (Python's ``repr``), and cut after ``limit`` characters.

    Messages reach a terminal, the job summary and a public issue: a value there is
    text, and a line break, a bidi override or a page of text in it cannot change them.

    >>> print(quoted("Dream"), quoted("PAL\u202e0708\n"))
    'Dream' 'PAL\u202e0708\n'
    >>> print(quoted("x" * 100, limit=5))
    'xxxxx…' (100 characters)
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit])[:-1] + f"…' ({len(text):,} characters)"
