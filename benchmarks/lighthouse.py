"""Benchmark (not a test): every page of a rendered site through Lighthouse, as a phone loads it.

    uv run python -m benchmarks.lighthouse [SITE] [--lighthouse COMMAND]

Serves ``SITE`` (default ``_site``, as ``quarto render`` left it) on loopback with gzip, as
GitHub Pages serves it, and runs the Lighthouse CLI on each page with its default
settings (a mid-range phone on a slow 4G link, simulated). Prints, per page, the four
category scores, the bytes transferred, the paint and layout figures, the requests to
another origin, and every audit that failed. The targets are those of
``lighthouserc.json`` (the GitHub CI asserts them with Lighthouse CI).

Needs Node's ``lighthouse`` (``npm install lighthouse@12``; ``--lighthouse`` names its
command when it is not on the PATH) and Chromium (``CHROME_PATH``, or ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PAGES = ("index.html", "eda.html", "model.html", "data.html", "changes.html")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = (
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("speed-index", "SI"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
)
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".csv", ".xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the browser accepts it (GitHub Pages does the same)."""

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not (path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "") and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._body = body
        return None

    def do_GET(self):
        self._body = None
        handle = self.send_head()
        if self._body is not None:
            self.wfile.write(self._body)
        elif handle:
            try:
                self.copyfile(handle, self.wfile)
            finally:
                handle.close()


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def audit(command: list[str], url: str, out: Path) -> dict:
    env = {**os.environ}
    env.setdefault("CHROME_PATH", shutil.which("chromium") or "/usr/bin/chromium")
    subprocess.run(
        [
            *command,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={CHROME_FLAGS}",
            "--only-categories=" + ",".join(CATEGORIES),
        ],
        check=True,
        env=env,
    )
    return json.loads(out.read_text())


def summary(report: dict, origin: str) -> dict:
    """The figures this benchmark prints, from one Lighthouse report."""
    audits = report["audits"]
    requests = audits.get("network-requests", {}).get("details", {}).get("items", [])
    foreign = sorted({item["url"] for item in requests if not item["url"].startswith((origin, "data:"))})
    failing = sorted(
        key
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref.get("weight", 0) > 0
        and (key := ref["id"]) in audits
        and audits[key].get("score") is not None
        and audits[key]["score"] < 0.9
        and audits[key].get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return {
        "scores": {name: report["categories"][name]["score"] for name in CATEGORIES},
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "metrics": {label: audits[key]["displayValue"] for key, label in METRICS},
        "foreign": foreign,
        "failing": failing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="_site", type=Path)
    parser.add_argument(
        "--lighthouse", default=None, help="the Lighthouse CLI command (default: lighthouse on the PATH)"
    )
    args = parser.parse_args(argv)
    command = args.lighthouse.split() if args.lighthouse else ["lighthouse"]
    if shutil.which(command[0]) is None:
        print(
            f"error: no Lighthouse command {command[0]!r}: npm install lighthouse@12, or pass --lighthouse",
            file=sys.stderr,
        )
        return 2
    missing = [page for page in PAGES if not (args.site / page).is_file()]
    if missing:
        print(f"error: {args.site} has no {', '.join(missing)}: render the site first (quarto render)", file=sys.stderr)
        return 2
    server = serve(args.site)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    print(
        f"Lighthouse {subprocess.run([*command, '--version'], capture_output=True, text=True).stdout.strip()}, "
        f"default (mobile) settings, {args.site} served with gzip on loopback"
    )
    header = f"{'page':14} {'perf':>5} {'a11y':>5} {'BP':>5} {'SEO':>5} {'KiB':>6}  metrics"
    print(header)
    met = True
    with tempfile.TemporaryDirectory() as scratch:
        for page in PAGES:
            found = summary(audit(command, f"{origin}/{page}", Path(scratch) / f"{page}.json"), origin)
            scores = found["scores"]
            print(
                f"{page:14} "
                + " ".join(f"{scores[name]:5.2f}" for name in CATEGORIES)
                + f" {found['kib']:6.0f}  "
                + "  ".join(f"{label} {found['metrics'][label]}" for _, label in METRICS)
            )
            if found["foreign"]:
                print(f"    another origin: {', '.join(found['foreign'])}")
            if found["failing"]:
                print(f"    failing: {', '.join(found['failing'])}")
            met &= (
                scores["performance"] >= 0.95
                and scores["accessibility"] == 1
                and scores["best-practices"] >= 0.96
                and scores["seo"] == 1
                and found["kib"] <= 250
                and not found["foreign"]
            )
    server.shutdown()
    print("every page meets the targets" if met else "a page misses a target (lighthouserc.json)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
