"""Board history between scheduled runs, with no cloud account.

    python -m scripts.history publish --out _site/board   # after the render
    python -m scripts.history restore --url https://<owner>.github.io/<repo>/board \
        --attempts https://<owner>.github.io/<repo>/attempts.json

A runner starts empty, so a folder board would lose its versions every run. The
published site therefore carries a read-only copy of the board (``publish``: the
newest ``--keep`` complete versions of each pin, always including the versions
the last build's manifest names) with a ``_pins.yaml`` manifest in the pins board
manifest layout (``{pin: [pin/version/, ...]}``, oldest first), so R's
``board_url()`` reads it as it is and Python's ``pins.board_url`` reads it given
the paths in it. The next run's ``restore`` downloads the versions it lacks into
the local board before the build, so history carries over; ``--attempts`` brings the
attempts log (``scripts/attempts.py``) back the same way, when the board has none.

When ``REPORT_BOARD`` is a bucket (s3://, gs://, az://) the history lives there:
``restore`` says so and does nothing, and ``publish`` copies the bucket's versions
into ``--out`` all the same, so the render reads a local copy and needs no
credentials (the publish workflow then leaves that copy off the site). A site with no board yet (HTTP 404) is a
first run: ``restore`` starts a new history. Any other failure stops with exit 3
before the build, so a run never publishes a board that lost its history.
"""

from __future__ import annotations

import re
import shutil
import sys
import urllib.error
from pathlib import Path

from scripts import board as boards
from scripts import cli, config
from scripts.board import build_lock
from scripts.errors import BoardError, BuildError, SourceError
from scripts.locations import http_get, is_local, local_path

MANIFEST_FILE = "_pins.yaml"
META_FILE = "data.txt"
DEFAULT_KEEP = 30
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")  # a pin, version or file name, never a path


def complete_versions(board: Path | str) -> dict[str, list[str]]:
    """``{pin: [version, ...]}`` (oldest first) of the versions whose files are all there."""
    from scripts.board_read import open_board, version_is_complete

    pins = open_board(str(board))
    found = {}
    for name in sorted(pins.pin_list()):
        if name.startswith((".", "_")):
            continue  # scratch folders, not pins
        versions = [v.version for v in pins.pin_versions(name, as_df=False)]
        complete = [v for v in versions if version_is_complete(pins, name, v)]
        if complete:
            found[name] = complete
    return found


def _files(meta: dict) -> list[str]:
    files = meta.get("file") or []
    return [files] if isinstance(files, str) else list(files)


def publish(board: Path | str, out: Path, keep: int = DEFAULT_KEEP) -> dict[str, list[str]]:
    """Copy the newest ``keep`` complete versions of each pin of ``board`` (a folder or
    a bucket URI), and every version the build manifest names, to the folder ``out``,
    with ``_pins.yaml``; return what was copied."""
    import yaml

    from scripts import attempts
    from scripts.board_read import open_board, read_manifest

    pins = open_board(str(board))
    versions = complete_versions(board)
    manifest = read_manifest(pins) or {}
    current = set(manifest.get("pins", {}).items())
    kept = {}
    for pin, names in versions.items():
        chosen = [v for i, v in enumerate(names) if i >= len(names) - keep or (pin, v) in current]
        kept[pin] = chosen
        for version in chosen:
            target = out / pin / version
            target.mkdir(parents=True, exist_ok=True)
            # the board's own filesystem (local, or the bucket's): file by file, so it is the same for both
            folder = pins.construct_path([pins.path_to_pin(pin), version])
            for remote in pins.fs.ls(folder, detail=False):
                pins.fs.get(remote, str(target / Path(remote).name))
    out.mkdir(parents=True, exist_ok=True)
    log = attempts.read(str(board))  # every build attempt, which the pages and status.json show, goes along
    if log:
        boards.write_attempts(str(out), log)
    layout = {pin: [f"{pin}/{v}/" for v in names] for pin, names in kept.items()}
    (out / MANIFEST_FILE).write_text(yaml.safe_dump(layout, sort_keys=True))
    return kept


def _published(url: str, what: str) -> bytes | None:
    """A file of the published site, or None when it is not there yet (HTTP 404)."""
    try:
        return http_get(url)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise SourceError(f"cannot read {what} at {url}: HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SourceError(f"cannot reach {what} at {url}: {reason}") from None


def restore(url: str, board: Path) -> dict[str, int] | None:
    """Download the versions in the published board at ``url`` that ``board`` lacks.

    Returns ``{"versions": restored, "pins": pins}``, or None when nothing is
    published there yet (HTTP 404). Each version lands complete or not at all: its
    files go to a scratch folder that is renamed into place once all are fetched.
    """
    import yaml

    base = url.rstrip("/") + "/"
    if not base.lower().startswith(("http://", "https://")):
        raise SourceError(f"--url {url!r} is not an http(s) URL: give where the site publishes the board")
    published = _published(base + MANIFEST_FILE, "the published board")
    if published is None:
        return None
    try:
        layout = yaml.safe_load(published) or {}
    except yaml.YAMLError:
        raise SourceError(f"{base}{MANIFEST_FILE} is not valid YAML") from None
    if not isinstance(layout, dict):
        raise SourceError(f"{base}{MANIFEST_FILE} is not a pins board manifest (expected pin: [version paths])")

    have = complete_versions(board) if board.exists() else {}
    scratch = board / ".restoring"
    shutil.rmtree(scratch, ignore_errors=True)
    restored = 0
    try:
        for pin, paths in layout.items():
            for path in paths or []:
                version = str(path).rstrip("/").rsplit("/", 1)[-1]
                safe = SAFE_NAME.match(str(pin)) and SAFE_NAME.match(version)
                if not safe or str(path).rstrip("/") != f"{pin}/{version}":
                    raise SourceError(f"{base}{MANIFEST_FILE} names an unsafe pin path: {path!r}")
                if version in have.get(pin, []):
                    continue
                target = scratch / pin / version
                target.mkdir(parents=True)
                remote = base + str(path).rstrip("/") + "/"
                try:
                    meta_bytes = http_get(remote + META_FILE)
                    meta = yaml.safe_load(meta_bytes)
                    if not isinstance(meta, dict):
                        raise SourceError(f"{remote}{META_FILE} is not pin metadata")
                    for name in _files(meta):
                        if not SAFE_NAME.match(str(name)):
                            raise SourceError(f"{remote}{META_FILE} names an unsafe file: {name!r}")
                        (target / name).write_bytes(http_get(remote + name))
                except yaml.YAMLError:
                    raise SourceError(f"{remote}{META_FILE} is not valid YAML") from None
                except (urllib.error.URLError, OSError) as error:
                    reason = getattr(error, "reason", error)
                    raise SourceError(f"cannot download {remote}: {reason}") from None
                (target / META_FILE).write_bytes(meta_bytes)  # last, as pins writes it
                final = board / pin / version
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.rmtree(final, ignore_errors=True)  # an incomplete local copy
                target.rename(final)
                restored += 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"versions": restored, "pins": len(layout)}


def restore_attempts(url: str, location: str) -> int | None:
    """Download the published attempts log (``attempts.json`` of the site) when the board has none.

    Returns how many attempts it holds, 0 when the board keeps its own log already, or
    None when none is published yet (HTTP 404).
    """
    import json

    from scripts import attempts

    if not url.lower().startswith(("http://", "https://")):
        raise SourceError(f"--attempts {url!r} is not an http(s) URL: give where the site publishes attempts.json")
    if attempts.read(location) is not None:
        return 0
    published = _published(url, "the published attempts log")
    if published is None:
        return None
    try:
        log = json.loads(published)
    except ValueError:
        raise SourceError(f"{url} is not JSON: not an attempts log") from None
    if not attempts.valid(log):
        raise SourceError(f"{url} is not an attempts log (expected attempts and older, as scripts/attempts.py writes)")
    boards.write_attempts(location, log)
    return len(log["attempts"])


def main(argv: list[str] | None = None) -> int:
    parser = cli.ArgumentParser(prog="python -m scripts.history", description=__doc__.splitlines()[0])
    parser.add_argument("--board", help=f"board location (default: ${config.ENV_BOARD}, else {config.DEFAULT_BOARD})")
    commands = parser.add_subparsers(dest="command", required=True)
    pub = commands.add_parser("publish", help="copy the board into the site, with _pins.yaml")
    pub.add_argument("--out", type=Path, required=True, help="folder inside the rendered site, e.g. _site/board")
    pub.add_argument("--keep", type=int, default=DEFAULT_KEEP, help=f"versions per pin (default {DEFAULT_KEEP})")
    res = commands.add_parser("restore", help="download the published board's versions into the local board")
    res.add_argument("--url", required=True, help="where the site publishes the board, e.g. <site>/board")
    res.add_argument("--attempts", help="where the site publishes the attempts log, e.g. <site>/attempts.json")
    args = parser.parse_args(argv)
    if args.command == "publish" and args.keep < 1:
        parser.error(f"--keep must be at least 1, not {args.keep}")

    location = args.board or config.get_board()
    if args.command == "restore" and not is_local(location):
        print(f"the board {location} keeps its own history: nothing to restore", file=sys.stderr)
        return 0
    board = local_path(location) if is_local(location) else location
    try:
        if args.command == "publish":
            if is_local(location) and not board.exists():
                raise BoardError(f"no board at {board} to publish: build it first (uv run python -m scripts.build)")
            try:
                kept = publish(board, args.out, args.keep)
            except OSError as exc:
                raise BoardError(f"cannot write the published board to {args.out}: {exc.strerror or exc}") from None
            total = sum(len(v) for v in kept.values())
            print(f"published {total} versions of {len(kept)} pins to {args.out}", file=sys.stderr)
        else:
            with build_lock(location):  # no build may write while versions arrive
                result = restore(args.url, board)
                kept = restore_attempts(args.attempts, location) if args.attempts else 0
            if kept is None:
                print(f"no attempts log published at {args.attempts} yet: this run starts one", file=sys.stderr)
            elif kept:
                print(f"restored the attempts log ({kept} attempts) from {args.attempts}", file=sys.stderr)
            if result is None:
                print(f"no board published at {args.url} yet: this build starts a new history", file=sys.stderr)
            else:
                print(
                    f"restored {result['versions']} versions ({result['pins']} pins published) into {board}",
                    file=sys.stderr,
                )
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
