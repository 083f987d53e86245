"""The pins board: open it, lock it, and write a build's pins all-or-nothing.

A build never writes straight onto the board. Its pins are first written to a
*staging* folder board; only when every pin is staged are they promoted, one
version directory at a time, and the ``build_manifest`` pin (which lists the
exact version of every pin of the build) is promoted last. So:

* a killed build leaves at most one half-promoted version, at the latest
  position of one pin; ``repair`` removes it at the start of the next build, and
  readers that go through the manifest never see it;
* on a local folder board each version directory appears by one atomic
  ``rename``, so even plain ``pin_read`` of the latest version never sees half
  a version;
* a pin whose content did not change keeps its version (no new version).

Only one build at a time may write a board: ``build_lock`` refuses a second one
with a clear message (pins itself does not support concurrent writers).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts import attempts, board_read, pins_adapter
from scripts.board_read import version_is_complete, version_state
from scripts.errors import BoardError, first_line
from scripts.locations import is_local, local_path
from scripts.names import MANIFEST

STALE_REMOTE_LOCK_SECONDS = 3 * 3600


def open_board(location: str, *, create: bool = False):
    """``board_read.open_board``; ``create`` first makes a missing local folder (a new board)."""
    if create and is_local(location):
        path = local_path(location)
        if not path.exists():
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise BoardError(f"cannot create the board folder {location}: {exc.strerror}") from None
    return board_read.open_board(location)


# ---------------------------------------------------------------- locking


@contextmanager
def build_lock(location: str) -> Iterator[None]:
    """Hold the board's build lock, or fail at once if another build holds it."""
    if is_local(location):
        from filelock import FileLock, Timeout

        path = local_path(location)
        lock_file = path.parent / f".{path.name}.lock"
        lock = FileLock(str(lock_file))
        try:
            lock_file.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=0)
        except Timeout:
            raise BoardError(
                f"another build is writing to the board {location} right now "
                f"(lock {lock_file}); wait for it to finish, then run again"
            ) from None
        except OSError as exc:
            raise BoardError(f"cannot write the board's lock file {lock_file}: {exc.strerror}") from None
        try:
            yield
        finally:
            lock.release()
        return
    with _remote_lock(location):
        yield


@contextmanager
def _remote_lock(location: str) -> Iterator[None]:
    """A marker object beside the board prefix. Object stores have no atomic
    create-if-absent in fsspec, so two builds started within the same instant
    could both pass; the schedule (one job, ``concurrency`` in the workflow)
    prevents that. A marker older than three hours is taken as left by a
    killed build."""
    fs = board_read.remote_filesystem(location)
    marker = location.rstrip("/") + ".build-lock"
    try:
        present = fs.exists(marker)
    except Exception as exc:  # no credentials, no network, no such bucket …
        raise BoardError(f"cannot reach the board {location}: {first_line(exc)}") from exc
    if present:
        try:
            held = json.loads(fs.cat_file(marker))
        except ValueError:  # a marker that is not JSON: no owner to name, taken as stale
            held = {}
        except Exception as exc:  # cannot read it: do not take over a lock that may be held
            raise BoardError(f"cannot read the board's lock {marker}: {first_line(exc)}") from exc
        age = time.time() - float(held.get("since", 0))
        if age < STALE_REMOTE_LOCK_SECONDS:
            raise BoardError(
                f"another build is writing to the board {location} "
                f"(host {held.get('host', '?')}, pid {held.get('pid', '?')}, "
                f"{age / 60:.0f} min ago); wait for it to finish, then run again"
            )
    owner = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
    try:
        fs.pipe_file(marker, json.dumps(owner).encode())
    except Exception as exc:
        raise BoardError(f"cannot write to the board {location}: {first_line(exc)}") from exc
    try:
        yield
    finally:
        fs.rm(marker)


# ---------------------------------------------------------------- state


def manifest_is_current(board, manifest: dict | None, source_hash: str, code_hash: str) -> bool:
    """The board holds a complete build of this source with this code."""
    if not manifest:
        return False
    if manifest.get("source_hash") != source_hash or manifest.get("code_hash") != code_hash:
        return False
    return all(version_is_complete(board, n, v) for n, v in manifest.get("pins", {}).items())


def repair(board) -> list[str]:
    """Remove the half-written latest versions a killed build left (``version_state``); return what went.

    Only a version without metadata goes: a damaged one stays for a person to
    look at (the build writes a new version over it), and a board that cannot be
    read stops the build (``BoardError``) before anything is removed.
    """
    removed = []
    try:
        names = board.pin_list()
    except FileNotFoundError:  # a new cloud board: its prefix holds no object yet
        return removed
    except Exception as exc:
        raise BoardError(f"cannot list the pins on the board ({first_line(exc)}); nothing was changed") from exc
    for name in names:
        if name.startswith("."):
            continue
        while True:
            try:
                versions = board.pin_versions(name, as_df=False)
            except Exception as exc:
                raise BoardError(f"cannot list the versions of pin {name!r} on the board ({first_line(exc)})") from exc
            if not versions:
                break
            latest = versions[-1].version
            if version_state(board, name, latest) != "half-written":
                break
            if f"{name}@{latest}" in removed:  # the file system said it removed it, yet it is there
                raise BoardError(f"cannot remove the half-written version {latest} of pin {name!r} from the board")
            folder = board.construct_path([board.path_to_pin(name), latest])
            board.fs.rm(folder, recursive=True)
            removed.append(f"{name}@{latest}")
    return removed


# ---------------------------------------------------------------- staging


@contextmanager
def staging_board(location: str) -> Iterator[object]:
    """A scratch folder board; beside the target for a local board, so that
    promoting a version is a rename on the same file system."""
    import pins

    pins.config.pins_options.quiet = True
    if is_local(location):
        target = local_path(location)
        target.mkdir(parents=True, exist_ok=True)
        parent = target.resolve().parent
        for stale in parent.glob(f".{target.name}.staging-*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        try:
            folder = tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=parent)
        except OSError as exc:
            raise BoardError(f"cannot write the staging folder beside the board, in {parent}: {exc.strerror}") from None
    else:
        folder = tempfile.mkdtemp(prefix="board-staging-")
    try:
        with pins_adapter.hashing_in_blocks():  # pins hashes each file as it writes it
            yield pins_adapter.linking_folder_board(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def version_time(board):
    """The time a build stamps its new versions with: now, or one second after the
    board's newest manifest version when that is not earlier.

    pins names a version by its time, to the second, then its content hash, and
    takes the last name as the latest: two builds within one second would be
    ordered by their hashes, and readers could get the older build's pins. Every
    build writes the manifest last, so its newest version is the newest of any pin.
    Times are local and naive, as pins' own (``datetime.now()``).
    """
    import datetime as dt

    from pins.versions import Version

    now = dt.datetime.now().replace(microsecond=0)
    if not board.pin_exists(MANIFEST):
        return now
    versions = [v for v in board.pin_versions(MANIFEST, as_df=False) if isinstance(v, Version)]
    if not versions:
        return now
    return max(now, max(v.created for v in versions) + dt.timedelta(seconds=1))


def promote(staged, board, name: str) -> tuple[str, bool]:
    """Move the staged pin ``name`` onto ``board``.

    Returns ``(version, written)``: an unchanged pin (same content hash as the
    board's latest complete version) keeps its existing version.
    """
    import yaml

    meta = staged.pin_meta(name)
    version = meta.version.version
    if board.pin_exists(name):
        try:
            latest = board.pin_meta(name)
            kept = latest.version.version
            if (
                latest.pin_hash == meta.pin_hash
                and version_is_complete(board, name, kept)
                and _same_files(staged, name, version, board, kept)
            ):
                return kept, False
        except (FileNotFoundError, yaml.YAMLError, KeyError, TypeError, ValueError):
            pass  # a latest version whose metadata is missing or broken: write a new one
    source = Path(staged.board) / name / version
    if "file" in _protocols(board):
        destination = Path(board.board) / name / version
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, destination)  # atomic: the version appears whole
    else:
        folder = board.construct_path([board.path_to_pin(name), version])
        files = sorted(source.iterdir(), key=lambda f: f.name == "data.txt")
        for file in files:  # metadata last: a version without it is incomplete
            board.fs.put_file(str(file), f"{folder}/{file.name}")
    return version, True


def _same_files(staged, name: str, version: str, board, kept: str) -> bool:
    """Whether the board's version ``kept`` holds the very files just staged.

    A hash in the metadata says what a version held when it was written, not
    what its files hold now: a damaged or truncated file keeps its version's
    name. On a folder board the files are compared byte for byte; on a bucket,
    by size (reading the tidy table back would cost a download).
    """
    import filecmp

    source = Path(staged.board) / name / version
    folder = board.construct_path([board.path_to_pin(name), kept])
    for file in source.iterdir():
        if file.name == "data.txt":
            continue  # the metadata: its version name and time differ by design
        target = f"{folder}/{file.name}"
        if "file" in _protocols(board):
            if not filecmp.cmp(file, target, shallow=False):
                return False
        elif board.fs.size(target) != file.stat().st_size:
            return False
    return True


def _protocols(board) -> tuple[str, ...]:
    protocol = board.fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


# ---------------------------------------------------------------- the attempts log


def write_attempts(location: str, log: dict) -> None:
    """Replace the attempts log (``scripts/attempts.py``) of the board at ``location`` whole
    (a reader never sees half of it)."""
    data = (json.dumps(log, indent=1) + "\n").encode()
    path = attempts.log_path(location)
    if is_local(location):
        partial = Path(path + ".partial")
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    else:
        board_read.remote_filesystem(location).pipe_file(path, data)


def record_attempt(location: str, entry: dict) -> dict:
    """Add ``entry`` to the attempts log of the board at ``location``; return the new log."""
    log = attempts.append(attempts.read(location), entry)
    write_attempts(location, log)
    return log
