"""Before a render: which pages must execute again, and why (the project's second pre-render step).

    uv run python -m report.freeze          # what quarto render runs before it renders
    uv run python -m report.freeze --check  # say which pages would execute; remove nothing
    uv run python -m report.freeze --site-unchanged  # exit 0 when _site/ needs no render at all

``_quarto.yml`` sets ``freeze: auto``: Quarto re-uses a page's frozen results
(``_freeze/<page>/``) unless its source changed. This step removes the frozen
results of every page whose inputs changed since it last executed, so Quarto
executes exactly those pages. A page's inputs are what ``report.inputs``
recorded while it executed: each pin it read and at which version, and fingerprints of its source, of the code in
``report/`` and ``scripts/`` and of the installed packages. A page without a
record, or whose record cannot be read, executes. ``stale`` decides; ``main``
removes and says why, one line per page ("eda.qmd executes: pin
measurement_stats changed").
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from report.inputs import FREEZE_DIR, GATE_LOG, INPUTS_DIR, fingerprints, record_path
from scripts import cli

FINGERPRINTS = {"source": "its source changed", "code": "the code in report/ or scripts/ changed",
                "packages": "the installed packages changed"}  # fmt: skip


def pages(root: Path) -> list[str]:
    """The pages the project renders (``project: render:`` in ``_quarto.yml``)."""
    import yaml

    settings = yaml.safe_load((root / "_quarto.yml").read_text())
    return list(settings["project"]["render"])


def current_versions(board, location: str | None = None) -> dict[str, str]:
    """The version of every pin a page may read, as the board's last complete build names them
    (the manifest itself by the time of that build), and, given the board's ``location``, the
    fingerprint of its attempts log (what the gate log shows)."""
    from scripts import attempts
    from scripts.board_read import read_manifest
    from scripts.names import MANIFEST

    manifest = read_manifest(board) or {}
    versions = dict(manifest.get("pins", {}))
    if manifest:
        versions[MANIFEST] = manifest["built_at"]
    if location is not None:
        versions[GATE_LOG] = attempts.fingerprint(attempts.read(location))
    return versions


def stale(record: dict | None, now: dict, versions: dict[str, str]) -> str | None:
    """Why a page must execute again, or None when nothing it read changed.

    ``record``: what it read when it last executed (``report.inputs``), None when
    there is none; ``now``: the fingerprints of its source, code and packages now;
    ``versions``: each pin's version now.

    >>> was = {"pins": {"overview": "v1"}, "source": "a", "code": "b", "packages": "c"}
    >>> stale(was, {"source": "a", "code": "b", "packages": "c"}, {"overview": "v1"}) is None
    True
    >>> stale(was, {"source": "a", "code": "b", "packages": "c"}, {"overview": "v2"})
    'pin overview changed'
    >>> stale(None, {}, {})
    'no record of what it read'
    """
    if not record:
        return "no record of what it read"
    for key, reason in FINGERPRINTS.items():
        if record.get(key) != now.get(key):
            return reason
    changed = [name for name, version in sorted(record.get("pins", {}).items()) if versions.get(name) != version]
    if changed:
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        return f"pin {changed[0]} changed{more}"
    return None


def read_record(root: Path, page: str) -> dict | None:
    """What ``page`` read when it last executed; None when there is no record or it cannot
    be read (the page then executes)."""
    try:
        return json.loads(record_path(root, page).read_text())
    except (OSError, ValueError):
        return None


def decide(root: Path, board, location: str | None = None) -> dict[str, str | None]:
    """page -> why it must execute (None: its frozen results stand)."""
    versions = current_versions(board, location)
    decisions = {}
    for page in pages(root):
        reason = stale(read_record(root, page), fingerprints(root, page), versions)
        if reason is None and not (root / FREEZE_DIR / Path(page).stem).is_dir():
            reason = "it has no frozen results"
        decisions[page] = reason
    return decisions


# What a whole site's render depends on besides the pages' inputs (the record of
# ``--record-site``): every file Quarto reads to write it.
SITE_SOURCES = ("_quarto.yml", "*.qmd", "*.scss", "*.svg", "report/**/*.py", "scripts/**/*.py")
SITE_RECORD = "site.json"


def site_fingerprint(root: Path) -> str:
    """The files a render of the whole site reads, and the installed packages."""
    import hashlib

    from report.inputs import packages_hash

    digest = hashlib.sha256(packages_hash().encode())
    files = sorted({p for pattern in SITE_SOURCES for p in root.glob(pattern) if "__pycache__" not in p.parts})
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def record_site(root: Path) -> str:
    """After a render (the post-render step): note that ``_site/`` is a whole render of these
    sources, or, after a render of some pages only, forget it."""
    path = root / INPUTS_DIR / SITE_RECORD
    if os.environ.get("QUARTO_PROJECT_RENDER_ALL") != "1":
        path.unlink(missing_ok=True)
        return "a render of some pages only: the site is not known whole"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sources": site_fingerprint(root)}) + "\n")
    return "the site is a whole render of these sources"


def site_unchanged(root: Path, decisions: dict[str, str | None]) -> str | None:
    """Why the site must be rendered again, or None when ``_site/`` is a whole render of these
    sources and no page would execute (the scheduled job then only writes ``status.json``)."""
    if not (root / "_site" / "index.html").is_file():
        return "there is no rendered site"
    try:
        recorded = json.loads((root / INPUTS_DIR / SITE_RECORD).read_text()).get("sources")
    except (OSError, ValueError):
        return "no record of a whole render"
    if recorded != site_fingerprint(root):
        return "the site's sources or packages changed"
    executes = [page for page, reason in decisions.items() if reason]
    if executes:
        return f"{executes[0]} executes: {decisions[executes[0]]}"
    return None


def main(argv: list[str] | None = None) -> int:
    from scripts import config
    from scripts.board_read import open_board
    from scripts.errors import BuildError

    parser = cli.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="say which pages would execute; remove nothing")
    parser.add_argument(
        "--site-unchanged",
        action="store_true",
        help="exit 0 when _site/ needs no render (nothing changed since a whole render), 1 otherwise; remove nothing",
    )
    parser.add_argument("--record-site", action="store_true", help="after a render: note whether _site/ is whole")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if args.record_site:
        print(f"[freeze] {record_site(root)}", file=sys.stderr)
        return 0
    try:
        board = open_board(config.get_board())
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    decisions = decide(root, board, config.get_board())
    if args.site_unchanged:
        reason = site_unchanged(root, decisions)
        print(f"[freeze] {'the site renders: ' + reason if reason else 'nothing changed: no render'}", file=sys.stderr)
        return 1 if reason else 0
    for page, reason in decisions.items():
        if reason is None:
            print(f"[freeze] {page} is unchanged: nothing it read changed", file=sys.stderr)
            continue
        print(f"[freeze] {page} executes: {reason}", file=sys.stderr)
        frozen = root / FREEZE_DIR / Path(page).stem
        if not args.check and frozen.is_dir():
            shutil.rmtree(frozen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
