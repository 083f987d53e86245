"""Every build attempt, built or held back: the log a reader's site shows and a monitor reads.

Each run of ``scripts.build`` adds one attempt: when it ran, the data hash and code
version it read, its result, what the gate measured for each rule it got to (with the
rule's limit), and, when it was held back, the first line of each rule that failed
(URLs redacted, as in every message). The log lives beside the board, outside its pins
(``.<board>.attempts.json`` next to a folder board, ``<board>.attempts.json`` next to a
bucket's), so an attempt that was held back changes no pin. ``report.status`` publishes
it as ``attempts.json`` beside ``status.json``, and the next scheduled run restores it
from there with the board history (``scripts.history restore --attempts``).

Results: ``built`` (a new complete build), ``up to date`` (the board already holds this
data built by this code), ``held back`` (the gate stopped the build: the site keeps the
last good one) and ``failed`` (the source, a setting or the machine stopped it before the
gate could judge). The newest ``KEEP`` attempts are kept whole; older ones are counted
by result in ``older``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from scripts.errors import redact

KEEP = 60
RESULTS = ("built", "up to date", "held back", "failed")
# What a page that shows the gate log depends on: every attempt but the up-to-date ones.
NEWS = ("built", "held back", "failed")


def attempt(
    result: str,
    checked_at: str,
    *,
    source_hash: str | None = None,
    code_version: str | None = None,
    build_id: str | None = None,
    measures: list[dict] | None = None,
    problems: list[str] | None = None,
    summary: dict | None = None,
) -> dict:
    """One attempt as the log keeps it (``problems``: the first line of each failed rule).

    >>> attempt("held back", "2026-12-03T05:17:00Z", problems=["rule \\"revisions\\": see https://u:p@h/x?t=1"])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'checked_at': '2026-12-03T05:17:00Z', 'result': 'held back', 'source_hash': None, 'code_version': None,
     'build_id': None, 'measures': [], 'problems': ['rule "revisions": see https://h/x'], 'summary': None}
    """
    if result not in RESULTS:
        raise ValueError(f"an attempt's result is one of {RESULTS}, not {result!r}")
    return {
        "checked_at": checked_at,
        "result": result,
        "source_hash": source_hash,
        "code_version": code_version,
        "build_id": build_id,
        "measures": list(measures or []),
        "problems": [redact(line) for line in problems or []],
        "summary": summary,
    }


def build_id(meta: dict) -> str:
    """A build's id, as pages, ``status.json`` and the feed name it: when it was built and its data hash.

    >>> build_id({"built_at": "2026-12-01T05:17:00Z", "source_hash": "e3853d24f713" + "0" * 52})
    '2026-12-01T05:17:00Z e3853d24f713'
    """
    return f"{meta['built_at']} {meta['source_hash'][:12]}"


def summary(history) -> dict:
    """What a new build changed, from its ``build_history`` (the last row, and the one before it).

    >>> import pandas as pd
    >>> history = pd.DataFrame({"build": [1, 2], "penguins": [344, 464], "added": [None, 120],
    ...     "removed": [None, 0], "revised": [None, 2], "test_rmse": [297.08, 276.4]}).astype({"added": "Int64",
    ...     "removed": "Int64", "revised": "Int64"})
    >>> summary(history)  # doctest: +NORMALIZE_WHITESPACE
    {'build': 2, 'penguins': 464, 'added': 120, 'removed': 0, 'revised': 2, 'test_rmse': 276.4,
     'previous_test_rmse': 297.08}
    """
    import pandas as pd

    last = history.iloc[-1]

    def whole(value):
        return None if pd.isna(value) else int(value)

    return {
        "build": int(last["build"]),
        "penguins": int(last["penguins"]),
        "added": whole(last["added"]),
        "removed": whole(last["removed"]),
        "revised": whole(last["revised"]),
        "test_rmse": round(float(last["test_rmse"]), 2),
        "previous_test_rmse": round(float(history.iloc[-2]["test_rmse"]), 2) if len(history) > 1 else None,
    }


def empty() -> dict:
    """A log with no attempt in it."""
    return {"attempts": [], "older": {"attempts": 0, "since": None, "results": {}}}


def append(log: dict | None, entry: dict, keep: int = KEEP) -> dict:
    """The log with ``entry`` added: the newest ``keep`` attempts whole, older ones counted.

    >>> log = None
    >>> for day in range(1, 5):
    ...     log = append(log, attempt("up to date" if day % 2 else "built", f"2026-12-0{day}T05:00:00Z"), keep=2)
    >>> [a["checked_at"][:10] for a in log["attempts"]]
    ['2026-12-03', '2026-12-04']
    >>> log["older"]
    {'attempts': 2, 'since': '2026-12-01T05:00:00Z', 'results': {'up to date': 1, 'built': 1}}
    """
    log = log or empty()
    attempts = [*log["attempts"], entry]
    older = dict(log["older"], results=dict(log["older"]["results"]))
    for gone in attempts[:-keep] if len(attempts) > keep else []:
        older["attempts"] += 1
        older["since"] = older["since"] or gone["checked_at"]
        older["results"][gone["result"]] = older["results"].get(gone["result"], 0) + 1
    return {"attempts": attempts[-keep:], "older": older}


def last(log: dict | None) -> dict | None:
    """The newest attempt, or None."""
    return log["attempts"][-1] if log and log["attempts"] else None


def last_built(log: dict | None) -> dict | None:
    """The newest attempt that built, or None."""
    built = [a for a in (log or {}).get("attempts", []) if a["result"] == "built"]
    return built[-1] if built else None


def news(log: dict | None) -> list[dict]:
    """The attempts that built, were held back or failed, newest first (what the gate log and the feed show)."""
    return [a for a in reversed((log or {}).get("attempts", [])) if a["result"] in NEWS]


def fingerprint(log: dict | None) -> str:
    """A short hash of the news in the log: it changes when a build is built, held back or fails,
    never for an up-to-date check (a page showing the gate log need not execute for one)."""
    text = json.dumps(news(log), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def valid(log) -> bool:
    """Whether ``log`` has the shape this module writes (a restored or hand-edited file may not)."""
    return (
        isinstance(log, dict)
        and isinstance(log.get("attempts"), list)
        and all(isinstance(a, dict) and a.get("result") in RESULTS and a.get("checked_at") for a in log["attempts"])
        and isinstance(log.get("older"), dict)
        and isinstance(log["older"].get("results"), dict)
    )


def reasons(entry: dict, most: int = 3) -> list[str]:
    """Why an attempt was held back or failed, in a few short lines: each rule past its limit
    with what was measured, then each failed rule the measures do not cover (its first line).

    >>> held = attempt("held back", "t", measures=[
    ...     {"rule": "revisions", "measured": 0.97, "shown": "333 of 344 (96.8%)", "limit": "at most 5%",
    ...      "passed": False},
    ...     {"rule": "drift", "measured": 0.1, "shown": "0.10 SD", "limit": "at most 1 SD", "passed": True}],
    ...     problems=['rule "revisions", column "sex": 333 rows …', 'rule "plausible range", column "x": 2 rows …'])
    >>> reasons(held)
    ['revisions 333 of 344 (96.8%; at most 5%)', 'rule "plausible range", column "x": 2 rows …']
    """
    failed = [m for m in entry.get("measures", []) if not m["passed"]]
    lines = [_with_limit(m) for m in failed]
    covered = {m["rule"] for m in failed}
    for line in entry.get("problems", []):
        rule = line.split('"')[1] if line.startswith('rule "') else None
        if rule not in covered:
            lines.append(line if len(line) <= 300 else line[:299] + "…")
    return lines[:most]


def _with_limit(measured: dict) -> str:
    """``revisions 333 of 344 (96.8%; at most 5%)``: a measure and its limit, in one bracket."""
    shown = measured["shown"]
    if shown.endswith(")"):
        return f"{measured['rule']} {shown[:-1]}; {measured['limit']})"
    return f"{measured['rule']} {shown} ({measured['limit']})"


def title(entry: dict) -> str:
    """An attempt in a few words, as the change feed titles it.

    >>> title(attempt("built", "t", summary={"build": 2, "penguins": 464, "added": 120, "removed": 0,
    ...       "revised": 0, "test_rmse": 298.2, "previous_test_rmse": 276.4}))
    '+120 penguins, model RMSE 276 → 298 g'
    >>> title(attempt("built", "t", summary={"build": 1, "penguins": 344, "added": None, "removed": None,
    ...       "revised": None, "test_rmse": 297.1, "previous_test_rmse": None}))
    'First build: 344 penguins, model RMSE 297 g'
    >>> title(attempt("held back", "t", measures=[{"rule": "revisions", "measured": 0.97,
    ...       "shown": "333 of 344 (97%)", "limit": "at most 5%", "passed": False}]))
    'Held back: revisions 333 of 344 (97%)'
    """
    from scripts.text import plural

    if entry["result"] in ("held back", "failed"):
        failed = [m for m in entry.get("measures", []) if not m["passed"]]
        if failed:
            what = f"{failed[0]['rule']} {failed[0]['shown']}"
        else:
            first = (entry.get("problems") or [""])[0]
            what = first.split('"')[1] if first.startswith('rule "') else first[:80] or "no reason recorded"
        return f"{'Held back' if entry['result'] == 'held back' else 'Failed'}: {what}"
    found = entry.get("summary") or {}
    if not found:
        return entry["result"].capitalize()
    rmse = f"model RMSE {found['test_rmse']:,.0f} g"
    if found.get("previous_test_rmse") is None:
        return f"First build: {found['penguins']:,} penguins, {rmse}"
    rmse = f"model RMSE {found['previous_test_rmse']:,.0f} → {found['test_rmse']:,.0f} g"
    if found.get("added") is None:
        return f"{found['penguins']:,} penguins, {rmse}"
    parts = [f"+{found['added']:,} {plural(found['added'], 'penguin')}"] if found["added"] else []
    parts += [f"−{found['removed']:,} removed"] if found.get("removed") else []
    parts += [f"{found['revised']:,} revised"] if found.get("revised") else []
    return ", ".join([*(parts or ["no penguin added, removed or revised"]), rmse])


# ---------------------------------------------------------------- beside the board


def log_path(location: str) -> str:
    """Where the attempts log of the board at ``location`` is kept: beside it, outside the pins."""
    from scripts.locations import is_local, local_path

    if is_local(location):
        path = local_path(location)
        return str(path.parent / f".{path.name}.attempts.json")
    return location.rstrip("/") + ".attempts.json"


def read(location: str) -> dict | None:
    """The attempts log of the board at ``location``; None when there is none yet or it is
    not a log this module wrote (the next attempt then starts a new one)."""
    from scripts import board_read
    from scripts.locations import is_local

    path = log_path(location)
    try:
        if is_local(location):
            text = Path(path).read_text()
        else:
            fs = board_read.remote_filesystem(location)
            if not fs.exists(path):
                return None
            text = fs.cat_file(path).decode()
    except FileNotFoundError:
        return None
    try:
        log = json.loads(text)
    except ValueError:
        return None
    return log if valid(log) else None
