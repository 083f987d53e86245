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

from scripts import board as boards
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


# ---------------------------------------------------------------- hostile text on a board

# Text that would change a page if it were printed as it is: HTML, Markdown, Quarto
# shortcodes (the first would print the render's environment), code and math
# delimiters, line breaks, a bidi override, a page-long value.
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "{{< env SECRET_PROBE >}}",
    "<script>alert('x')</script>",
    "{{< include /etc/passwd >}}",
    "{{< meta title >}} {{% env HOME %}}",
    "[a link](javascript:alert(1)) ![an image](x.png)",
    "`code` ``` fence ``` $x^2$ \\(y\\)",
    "*bold* _it_ ~~struck~~ @fig-x #tag | pipe |",
    "two\nlines\n\n# a heading\n::: {.callout-warning}\ndiv\n:::",
    "\u202egnp.exe\u202c & &amp; &lt;",
    "x" * 3000,
)


def hostile_copy(board: Path, dest: Path) -> Path:
    """A copy of ``board`` (a built board of two builds) whose pins, as the last build
    names them, carry ``HOSTILE`` text in every text column and metadata field that
    a page shows, where the pages do not look a value up (species stay species: they
    pick a colour). Files are rewritten in place; returns ``dest``."""
    import itertools
    import json
    import shutil

    import pandas as pd
    import yaml

    shutil.copytree(board, dest)
    texts = itertools.cycle(HOSTILE)
    manifest_dir = max((dest / "build_manifest").iterdir())
    manifest_file = manifest_dir / "build_manifest.json"
    manifest = json.loads(manifest_file.read_text())

    def folder(pin: str) -> Path:
        return dest / pin / manifest["pins"][pin]

    def rewrite(pin: str, change) -> None:
        (path,) = folder(pin).glob("*.parquet")
        frame = pd.read_parquet(path)
        change(frame)
        frame.to_parquet(path)

    def hostile(frame, column: str, where=None) -> None:
        rows = frame.index if where is None else frame.index[where]
        frame[column] = frame[column].astype(object)
        for row in rows:
            frame.at[row, column] = next(texts)

    rewrite("species_island_year_counts", lambda f: hostile(f, "island"))
    rewrite("species_islands", lambda f: f.__setitem__("islands", [[next(texts), next(texts)] for _ in f.index]))
    rewrite("measurement_stats", lambda f: hostile(f, "species"))
    rewrite("missing_values", lambda f: hostile(f, "column", f["column"] == "species"))
    baseline = "mean baseline"
    names = {}  # each model but the baseline (which the Overview looks up) gets a hostile name, the same everywhere

    def model_names(frame, column="model") -> None:
        frame[column] = [m if m == baseline else names.setdefault(m, next(texts)) for m in frame[column]]

    def metrics(frame) -> None:
        model_names(frame)
        hostile(frame, "features")
        hostile(frame, "description")

    rewrite("model_test_metrics", metrics)
    rewrite("model_cv_metrics", model_names)
    rewrite("model_coefficients", lambda f: (model_names(f), hostile(f, "term")))
    rewrite("model_importance", lambda f: hostile(f, "feature"))
    rewrite("model_test_predictions", lambda f: hostile(f, "sex"))

    def history(frame) -> None:
        for column in ("source_hash", "code_version", "model", "penguins_by_species"):
            hostile(frame, column)

    rewrite("build_history", history)

    def changes(frame) -> None:
        revision = {"section": "revision", "species": "Adelie", "island": "Dream", "year": 2008}
        frame.loc[len(frame)] = {**revision, "item": next(texts), "detail": next(texts)}
        frame.loc[len(frame)] = {**revision, "item": next(texts), "detail": "\n".join(HOSTILE)}
        for column in ("island", "sex", "item", "detail"):
            hostile(frame, column, frame[column].notna())

    rewrite("changes", changes)

    meta_file = folder("overview") / "data.txt"  # the description the Data page lists
    meta = yaml.safe_load(meta_file.read_text())
    meta["description"] = " ".join(HOSTILE[:4])
    meta_file.write_text(yaml.safe_dump(meta))

    model_meta_file = folder("penguin_model") / "data.txt"  # what the Model page shows of the model
    meta = yaml.safe_load(model_meta_file.read_text())
    meta["user"]["code_version"] = HOSTILE[1]
    meta["user"]["built_at"] = HOSTILE[0]
    meta["user"]["user"]["input_domain"]["species"]["values"] = list(HOSTILE[:3])
    prototype = json.loads(meta["user"]["vetiver_meta"]["prototype"])
    prototype["island"] = HOSTILE[1]
    meta["user"]["vetiver_meta"]["prototype"] = json.dumps(prototype)
    model_meta_file.write_text(yaml.safe_dump(meta))

    manifest.update(code_version=HOSTILE[0], built_at=manifest["built_at"], packages={HOSTILE[1]: HOSTILE[2]})
    manifest_file.write_text(json.dumps(manifest))

    # the attempts log beside the copy: the source board's, then an attempt held back by
    # rules whose lines and measures hold the text (the gate log, the banner and the feed show it)
    from scripts import attempts

    log = attempts.read(str(board))
    measures = [{"rule": next(texts), "measured": 0.97, "shown": next(texts), "limit": next(texts), "passed": False}]
    problems = [f'rule "{text}", column "x": {" ".join(HOSTILE[:7])}' for text in HOSTILE[:2]]
    held = attempts.attempt(
        "held back", "2026-12-04T05:17:00Z", source_hash="ab" * 32, measures=measures, problems=problems
    )
    boards.write_attempts(str(dest), attempts.append(log, held))
    return dest


class ChangingServer:
    """One file over loopback HTTP whose answer changes: ``bodies[i]`` for the i-th request
    (the last one after that), announced with the Content-Length of ``announce`` (default
    the body's own); the server then closes the connection. Counts the requests."""

    def __init__(self, name: str, bodies: list[bytes], announce: int | None = None):
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.split("?")[0] != f"/{name}":
                    self.send_error(404)
                    return
                body = bodies[min(owner.requests, len(bodies) - 1)]
                owner.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(announce if announce is not None else len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/{name}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
