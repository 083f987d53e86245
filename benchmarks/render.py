"""Benchmark (not a test): the scheduled render, with a real Quarto, as pages execute only when what they read changed.

    uv run python -m benchmarks.render

In a copy of the site's sources (so the checkout's ``_freeze/`` is untouched), on a
board in that copy, each as ``quarto render`` runs it (the pre-render build, then
``report.freeze``, then the pages):

- **full render**: a fresh copy, nothing frozen: the board is built and every page executes;
- **unchanged data**: the same source again, ``quarto render`` as a laptop runs it
  (the build says up to date; no page executes, Quarto still writes every page);
- **unchanged data, scheduled**: what ``publish.yml`` runs: the build, then
  ``report.freeze --site-unchanged`` finds nothing changed since a whole render, so
  only ``report.status`` writes ``status.json`` into the last site (no render);
- **a comment edited upstream**: a new raw file whose published values are the same
  (a `Comments` cell changed): the tables keep their versions, the build's history,
  changes and manifest are new, so the pages reading those execute;
- **a new season**: 120 penguins added: every page reads something new;
- **a comment edited, scheduled**: another comment edited after the season's whole render,
  run as ``publish.yml`` runs it (the build, then its render step);
- **one page saved**: ``eda.qmd`` edited (a sentence added) and rendered alone
  (``quarto render eda.qmd``);
- **quarto preview**: the preview server started on the rendered copy (how long until it
  serves), then ``eda.qmd`` saved three times: for each save, the seconds until the page
  the server shows holds the new sentence (read from ``_site/`` as Quarto writes it; it
  then tells the browser to reload).

Each is printed as wall time, its ratio to the full render of the same run, and the
pages that executed (from the render's own log). Needs ``quarto`` on the PATH.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SOURCES = ("_quarto.yml", "*.qmd", "theme.scss", "favicon.svg", "report", "scripts", "pyproject.toml")


def copy_project(dest: Path) -> Path:
    """The site's sources, copied to ``dest``: a render there keeps its ``_freeze/`` to itself
    (the quarto tests render in such a copy too)."""
    dest.mkdir(parents=True)
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            if path.is_dir():
                shutil.copytree(path, dest / path.name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(path, dest / path.name)
    return dest


def render(project: Path, source: Path, *pages: str) -> tuple[float, list[str], str]:
    env = {**os.environ, "REPORT_SOURCE": str(source), "REPORT_BOARD": str(project / "board")}
    start = time.perf_counter()
    result = subprocess.run(["quarto", "render", *pages], cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode:
        raise SystemExit(f"quarto render failed:\n{log[-3000:]}")
    executed = re.findall(r"Executing '(\w+)\.quarto_ipynb'", log)
    return seconds, executed, log


def scheduled(project: Path, source: Path) -> tuple[float, str, str]:
    """The publish workflow's render step on unchanged data: no render when nothing changed."""
    env = {**os.environ, "REPORT_SOURCE": str(source), "REPORT_BOARD": str(project / "board")}
    script = (  # the build step, then publish.yml's render step
        "python -m scripts.build && if python -m report.freeze --site-unchanged; then "
        "python -m report.status && cp status.json attempts.json changes.xml _site/; else quarto render; fi"
    )
    start = time.perf_counter()
    result = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"the scheduled step failed:\n{result.stderr[-3000:]}")
    log = result.stdout + result.stderr
    executed = re.findall(r"Executing '(\w+)\.quarto_ipynb'", log)
    if "Output created" not in log:
        return seconds, "none (no render)", log
    return seconds, f"{', '.join(executed) or 'none'} (the whole site)", log


def preview_saves(project: Path, source: Path, page: str = "eda.qmd", saves: int = 3) -> tuple[float, list[float]]:
    """``quarto preview`` of the project, then ``saves`` saves of one page: how long until it
    serves, and for each save the seconds until the served page holds the saved sentence.

    Its output goes to a terminal (a pseudo-terminal), as on a laptop: Quarto then keeps
    the page's Jupyter kernel alive between saves (its ``execute: daemon`` default for an
    interactive session outside CI), which it does not when its output is a pipe.
    """
    import pty
    import signal
    import threading
    import urllib.request

    from tests.helpers import free_port

    env = {**os.environ, "REPORT_SOURCE": str(source), "REPORT_BOARD": str(project / "board")}
    env.pop("CI", None)  # a laptop, not a CI runner
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = ["quarto", "preview", "--no-browser", "--port", str(port)]
    terminal, side = pty.openpty()
    server = subprocess.Popen(command, cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=side, stderr=side,
                              start_new_session=True)  # fmt: skip
    os.close(side)

    def drain() -> None:  # read the terminal, so that Quarto never blocks on a full one
        try:
            while os.read(terminal, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()

    def served(path: str, text: str | None, timeout: float) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            try:
                body = urllib.request.urlopen(url + path, timeout=5).read().decode()
                if text is None or text in body:
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"quarto preview did not serve {path} with {text!r} within {timeout:.0f} s")

    def written(output: Path, text: str, timeout: float) -> float:
        # the page on disk, not over HTTP: the preview server renders a stale page it is asked
        # for, so polling it would start renders of its own; a browser reloads once, when told
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if output.is_file() and text in output.read_text(errors="replace"):
                return time.perf_counter() - start
            time.sleep(0.05)
        raise SystemExit(f"quarto preview did not write {output.name} with {text!r} within {timeout:.0f} s")

    try:
        started = time.perf_counter()
        served("/", None, 600)
        serving = time.perf_counter() - started
        times = []
        target = project / page
        for number in range(1, saves + 1):
            time.sleep(5)  # a reader looks at the page before the next save (Quarto ignores a save mid-render)
            sentence = f"Saved sentence number {number} ({time.time_ns()})."
            target.write_text(target.read_text() + f"\n{sentence}\n")
            times.append(written(project / "_site" / Path(page).with_suffix(".html").name, sentence, 300))
        return serving, times
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.close(terminal)


def write_rows(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def main() -> int:
    from scripts import config

    if shutil.which("quarto") is None:
        print("quarto is not on the PATH: nothing to measure", file=sys.stderr)
        return 1
    with open(config.default_source(), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with tempfile.TemporaryDirectory(prefix="render-bench-") as scratch:
        folder = Path(scratch)
        project = copy_project(folder / "project")
        shipped = write_rows(folder / "shipped.csv", rows)
        edited = [dict(r) for r in rows]
        edited[0]["Comments"] = "Comment edited upstream."
        commented = write_rows(folder / "commented.csv", edited)
        added = [{**r, "studyName": "PAL1011", "Date Egg": r["Date Egg"].replace("2009", "2010")}
                 for r in rows if r["studyName"] == "PAL0910"]  # fmt: skip
        season = write_rows(folder / "season.csv", [*edited, *added])

        runs = [
            ("full render", shipped, ()),
            ("unchanged data", shipped, ()),
            ("a comment edited upstream", commented, ()),
            ("a new season", season, ()),
        ]
        # a change as the scheduled job meets it: the build, then publish.yml's render step,
        # after the whole render of the new season
        again = [dict(r) for r in [*edited, *added]]
        again[1]["Comments"] = "Another comment edited upstream."
        recommented = write_rows(folder / "recommented.csv", again)
        print(f"{'run':<28}{'wall s':>8}{'x full':>8}  pages executed")
        full = None
        for name, source, pages in runs:
            seconds, executed, log = render(project, source, *pages)
            full = full or seconds
            print(f"{name:<28}{seconds:>8.1f}{seconds / full:>8.2f}  {', '.join(executed) or 'none'}", flush=True)
            for line in re.findall(r"^\[freeze\] .*$", log, flags=re.MULTILINE):
                print(f"    {line}")
            if name == "unchanged data":
                seconds, what, _ = scheduled(project, source)
                print(f"{'unchanged data, scheduled':<28}{seconds:>8.1f}{seconds / full:>8.2f}  {what}", flush=True)
        seconds, what, log = scheduled(project, recommented)
        print(f"{'a comment edited, scheduled':<28}{seconds:>8.1f}{seconds / full:>8.2f}  {what}", flush=True)
        for line in re.findall(r"^\[freeze\] .* executes: .*$", log, flags=re.MULTILINE):
            print(f"    {line}")
        page = project / "eda.qmd"
        page.write_text(page.read_text() + "\nOne more sentence.\n")
        seconds, executed, _ = render(project, recommented, "eda.qmd")
        print(f"{'one page saved (eda.qmd)':<28}{seconds:>8.1f}{seconds / full:>8.2f}  {', '.join(executed) or 'none'}")
        serving, saves = preview_saves(project, recommented)
        print(f"{'quarto preview serves':<28}{serving:>8.1f}{serving / full:>8.2f}")
        for number, seconds in enumerate(saves, 1):
            label = f"preview: eda.qmd saved ({number})"
            print(f"{label:<28}{seconds:>8.1f}{seconds / full:>8.2f}  eda (shown in the browser)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
