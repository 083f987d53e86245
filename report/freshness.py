"""When the data changed and how the pages write a moment."""

from __future__ import annotations

import datetime as dt

from report.reading import manifest


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def last_data_change() -> dt.datetime:
    """When the data last changed (the last complete build's ``data_changed_at``). When the
    scheduled check last ran is not a page's to say: ``report.status`` writes it to
    ``status.json``, which every page's inline script reads."""
    return _parse(manifest()["data_changed_at"])


def when(moment: dt.datetime) -> str:
    """A timestamp as readers write it: 22 November 2026, 01:20 UTC."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
