"""The change feed: ``changes.xml``, Atom 1.0, one entry per attempt that built new data or was held back.

``report.status`` writes it with ``status.json``; every page's ``<head>`` links it
(``_quarto.yml``, ``rel="alternate"``). Up-to-date checks are not news: they add no
entry, so the feed's bytes change only when a build is built or held back. An
entry's id is a ``tag:`` URI made of the site's host, the attempt's date and its
build id (or, held back, its time and data hash), so it is the same at every render.
Every value is XML-escaped: the upstream data's text is never markup here either.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from scripts import attempts

FEED_FILE = "changes.xml"
FEED_TITLE = "Palmer Penguins report: what changed"
CHANGES_PAGE = "changes.html"
IN_FEED = ("built", "held back")


def entry_id(entry: dict, host: str) -> str:
    """The stable ``tag:`` id of an attempt (RFC 4151).

    >>> entry_id({"result": "built", "checked_at": "2026-12-01T05:17:00Z",
    ...           "build_id": "2026-12-01T05:17:00Z e3853d24f713"}, "owner.github.io")
    'tag:owner.github.io,2026-12-01:build/2026-12-01T05:17:00Z/e3853d24f713'
    >>> entry_id({"result": "held back", "checked_at": "2026-12-02T05:17:00Z", "source_hash": "ab" * 32}, "h")
    'tag:h,2026-12-02:held-back/2026-12-02T05:17:00Z/abababababab'
    """
    day = entry["checked_at"][:10]
    if entry["result"] == "built" and entry.get("build_id"):
        return f"tag:{host},{day}:build/{entry['build_id'].replace(' ', '/')}"
    return f"tag:{host},{day}:held-back/{entry['checked_at']}/{(entry.get('source_hash') or 'unknown')[:12]}"


def content(entry: dict) -> str:
    """The entry's summary: the counts, or why it was held back."""
    if entry["result"] == "held back":
        lines = attempts.reasons(entry)
        return "The build was held back; the site keeps the last good one. " + "; ".join(lines) + "."
    found = entry.get("summary") or {}
    text = f"A new build: {found.get('penguins', 0):,} penguins"
    if found.get("added") is not None:
        text += f" ({found['added']:,} added, {found['removed']:,} removed, {found['revised']:,} revised)"
    if found.get("test_rmse") is not None:
        text += f"; the model's test RMSE is {found['test_rmse']:,.0f} g"
    return text + "."


def atom(log: dict | None, site_url: str | None) -> str:
    """``changes.xml`` for the attempts ``log``; links are absolute when ``site_url`` is known."""
    base = (site_url or "").rstrip("/")
    host = urlsplit(base).hostname or "localhost"
    page = f"{base}/{CHANGES_PAGE}" if base else CHANGES_PAGE
    feed_url = f"{base}/{FEED_FILE}" if base else FEED_FILE
    shown = [entry for entry in attempts.news(log) if entry["result"] in IN_FEED]
    updated = shown[0]["checked_at"] if shown else "1970-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(FEED_TITLE)}</title>",
        f"  <id>tag:{host},2026-12-01:changes</id>",
        f"  <updated>{escape(updated)}</updated>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(page)}/>',
        "  <author><name>Palmer Penguins report (scheduled build)</name></author>",
    ]
    for entry in shown:
        lines += [
            "  <entry>",
            f"    <id>{escape(entry_id(entry, host))}</id>",
            f"    <title>{escape(attempts.title(entry))}</title>",
            f"    <updated>{escape(entry['checked_at'])}</updated>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(page)}/>',
            f"    <summary>{escape(content(entry))}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
