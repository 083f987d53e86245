"""Test helpers: the shipped raw CSV as rows, variants of it, and board snapshots.

Everything is local: test data comes from the palmerpenguins package or is
written by the test into a temporary folder; nothing touches the network.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import http.server
import io
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from scripts import config


def raw_rows() -> list[dict[str, str]]:
    """The shipped raw LTER CSV as text rows (values exactly as in the file)."""
    with open(config.default_source(), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]], *, newline: str = "\n", bom: bool = False) -> Path:
    """Write rows as CSV with the columns of the first row, in that order."""
    buffer = io.StringIO()
    header = list(rows[0]) if rows else list(raw_rows()[0])
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    return path


def shipped_csv_with_line(path: Path, line: str, at: int) -> Path:
    """The shipped raw CSV, byte for byte, with ``line`` put in as line ``at + 1`` (the header is line 1)."""
    lines = Path(config.default_source()).read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:at]) + line + "\n" + "".join(lines[at:]), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a board with its bytes: to prove a board did not change."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- variants of the raw rows, across builds


def new_season(rows: list[dict[str, str]], study: str = "PAL1011", year: str = "2010") -> list[dict[str, str]]:
    """The rows with a new breeding season added: the 2009 season's penguins, observed again
    a year later (study ``study``, egg dates in ``year``), every body mass 25 g heavier."""
    added = []
    for row in rows:
        if row["studyName"] == "PAL0910":
            new = {**row, "studyName": study, "Date Egg": row["Date Egg"].replace("2009", year)}
            if new["Body Mass (g)"] != "NA":
                new["Body Mass (g)"] = str(int(new["Body Mass (g)"]) + 25)
            added.append(new)
    return [*rows, *added]


def swap_sex(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Every MALE labelled FEMALE and every FEMALE labelled MALE."""
    other = {"MALE": "FEMALE", "FEMALE": "MALE"}
    return [{**row, "Sex": other.get(row["Sex"], row["Sex"])} for row in rows]


def shuffled(rows: list[dict[str, str]], column: str, seed: int = 7) -> list[dict[str, str]]:
    """The values of ``column`` shuffled across rows (a fixed seed): every value still plausible."""
    values = [row[column] for row in rows]
    random.Random(seed).shuffle(values)
    return [{**row, column: value} for row, value in zip(rows, values, strict=True)]


def scaled(rows: list[dict[str, str]], column: str, factor: float) -> list[dict[str, str]]:
    """``column`` multiplied by ``factor`` (a unit mix-up), rounded to whole numbers."""
    return [
        {**row, column: row[column] if row[column] == "NA" else str(round(float(row[column]) * factor))} for row in rows
    ]


# ---------------------------------------------------------------- servers on loopback


class FolderServer:
    """Serves a folder over loopback HTTP, as GitHub Pages serves the site; ``status``
    makes it answer every request with that error instead."""

    def __init__(self, folder: Path, status: int | None = None):
        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):  # the server's request log is not the output under test
                pass

            def do_GET(self):
                if status:
                    self.send_error(status)
                else:
                    super().do_GET()

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the API at ``base`` answers ``/ping``; fail with its stderr if it never does."""
    import pytest
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if requests.get(f"{base}/ping", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    server.terminate()
    pytest.fail("the server did not start: " + (server.stderr.read() if server.stderr else ""))


@contextlib.contextmanager
def running_api(board: Path, *options: str, env: dict[str, str] | None = None):
    """``scripts.serve`` on a free loopback port for the board, until the block ends;
    yields ``(base URL, port, process)`` once it answers ``/ping``."""
    from scripts import config

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "scripts.serve", "--board", str(board), "--port", str(port), *options],
        cwd=config.PROJECT_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server)
        yield base, port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


# What makes a browser fetch from another origin: a script, style sheet, image or
# frame, a CSS url() or @import, a Markdown image. (A hyperlink fetches nothing.)
FOREIGN = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|@import\s+[\"']?(?:https?:)?//"
    r"|!\[[^\]]*\]\((?:https?:)?//",
    re.I,
)


def foreign_resources(text: str) -> list[str]:
    return FOREIGN.findall(text)
