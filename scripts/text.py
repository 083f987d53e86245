"""Sentences made from data, for messages and pages alike."""

from __future__ import annotations

import unicodedata


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


def quoted(value, limit: int = 60, known=()) -> str:
    r"""A value from the data as a message shows it: quoted, every invisible or control
    character escaped (Python's ``repr``), and cut after ``limit`` characters. When it
    differs from one of the ``known`` values only by characters that are not ASCII, each
    of those is escaped too, and the message says what it looks like.

    Messages reach a terminal, the job summary and a public issue: a value there is
    text, and a line break, a bidi override or a page of text in it cannot change them.

    >>> print(quoted("Dream"), quoted("PAL\u202e0708\n"))
    'Dream' 'PAL\u202e0708\n'
    >>> print(quoted("x" * 100, limit=5))
    'xxxxx…' (100 characters)
    >>> print(quoted("\u0410delie", known=["Adelie", "Gentoo"]))
    '\u0410delie' (looks like 'Adelie' but contains U+0410 CYRILLIC CAPITAL LETTER A)
    """
    text = str(value)
    twin = looks_like(text.strip(" "), known)
    if twin is not None:
        foreign = sorted({ch for ch in text if not ch.isascii()}, key=text.index)
        names = words(f"U+{ord(ch):04X} {unicodedata.name(ch, 'an unnamed character')}" for ch in foreign)
        return f"{_escaped(text)} (looks like {twin!r} but contains {names})"
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit])[:-1] + f"…' ({len(text):,} characters)"


def _escaped(text: str) -> str:
    """``text`` quoted with every character outside printable ASCII escaped (``\\u0410``, ``\\n``)."""
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", "'": "\\'"}

    def shown(ch: str) -> str:
        if ch in escapes:
            return escapes[ch]
        if " " <= ch <= "~":
            return ch
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"

    return "'" + "".join(map(shown, text)) + "'"


def looks_like(value: str, known) -> str | None:
    r"""The known value that ``value`` differs from only by characters that are not ASCII
    (a Cyrillic 'А' for a Latin 'A', a no-break space for a space), else None.

    >>> looks_like("Body\u00a0Mass (g)", ["Body Mass (g)"]), looks_like("Emperor", ["Adelie"])
    ('Body Mass (g)', None)
    """
    if value.isascii():
        return None
    for candidate in known:
        if len(candidate) == len(value) and all(
            a == b or not a.isascii() for a, b in zip(value, candidate, strict=True)
        ):
            return candidate
    return None
