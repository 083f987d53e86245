"""The board, read: what the pages, the API and the status files use, never the writer.

Open a board read-only, read its last complete build's manifest, tell a complete
version of a pin from a half-written one, list the build's table pins. Writing
(locking, staging, promoting, repairing) is ``scripts/board.py``, which builds on this.
"""

from __future__ import annotations

from scripts.config import ENV_BOARD
from scripts.errors import BoardError, first_line
from scripts.locations import CLOUD, cloud_package, filesystem, is_cloud, is_local, local_path, scheme
from scripts.names import MANIFEST, MODEL_PIN


def open_board(location: str):
    """A pins board for a folder path or an s3://, gs://, az:// URI.

    Credentials for cloud boards come only from the environment (the cloud
    SDKs' standard variables). Read only: a missing folder is an error (the writer,
    ``scripts.board.open_board``, can make it).
    """
    import pins

    pins.config.pins_options.quiet = True  # the build logs its own progress
    if is_local(location):
        path = local_path(location)
        if path.exists() and not path.is_dir():
            raise BoardError(f"the board {location} is a file: point --board or {ENV_BOARD} at a folder")
        if not path.is_dir():
            raise BoardError(f"no board at {location}: build it with `uv run python -m scripts.build`")
        return pins.board_folder(str(path), allow_pickle_read=True)
    kind = scheme(location)
    if not is_cloud(location):
        raise _unsupported(location)
    protocol = CLOUD[kind][0]
    if not location.split("://", 1)[1].strip("/"):
        raise BoardError(f"the board {location!r} names no bucket: use {kind}://<bucket>/<folder>")
    try:
        board = pins.board(protocol, location.split("://", 1)[1], allow_pickle_read=True)
    except ImportError:
        raise _missing_package(location) from None
    # pins reads a bucket it cannot reach (no credentials, no network) as an empty
    # board; ask the bucket once, so the message says what is wrong.
    try:
        remote_filesystem(location).exists(location)
    except Exception as exc:
        raise BoardError(f"cannot reach the board {location}: {first_line(exc)}") from exc
    return board


def _unsupported(location: str) -> BoardError:
    return BoardError(f"unsupported board {location!r}: use a folder path, s3://, gs:// or az://")


def _missing_package(location: str) -> BoardError:
    return BoardError(
        f"a {scheme(location)}:// board needs the {cloud_package(location)} package: "
        "install the project with `uv sync --extra cloud`"
    )


def remote_filesystem(location: str):
    """The cloud file system under a remote board, without pins' cache.

    The lock and the last-check stamp sit beside the board's prefix, and pins'
    caching file system only maps paths inside it.
    """
    if not is_cloud(location):
        raise _unsupported(location)
    try:
        return filesystem(location)
    except ImportError:
        raise _missing_package(location) from None


# ---------------------------------------------------------------- state


def version_state(board, name: str, version: str) -> str:
    """``"complete"``, ``"half-written"`` or ``"damaged"``: what a version of a pin is.

    A build puts a version's data files first and its metadata (``data.txt``)
    last, so a version without metadata is one a killed build left half-written;
    ``repair`` may remove it. Metadata that does not parse, or a data file it
    lists that is gone, is damage: the version is not complete, but nothing here
    removes it. A board that cannot be read (a network error, no permission) is
    neither: that is a ``BoardError``, never a reason to delete.
    """
    import yaml

    try:
        meta = board.pin_meta(name, version)
    except FileNotFoundError:
        return "half-written"
    except (yaml.YAMLError, KeyError, TypeError, ValueError):
        return "damaged"
    except Exception as exc:  # the file system's own errors: cannot tell, so say so
        raise _unreadable(name, version, exc) from exc
    files = meta.file if isinstance(meta.file, list) else [meta.file]
    folder = board.construct_path([board.path_to_pin(name), version])
    try:
        present = all(board.fs.exists(f"{folder}/{f}") for f in files if f)
    except Exception as exc:
        raise _unreadable(name, version, exc) from exc
    return "complete" if present else "damaged"


def _unreadable(name: str, version: str, exc: Exception) -> BoardError:
    return BoardError(
        f"cannot read version {version} of pin {name!r} on the board ({first_line(exc)}); nothing was changed: "
        "check the board's connection and permissions, then run again"
    )


def version_is_complete(board, name: str, version: str) -> bool:
    """True when the version's metadata and every data file it lists are there."""
    return version_state(board, name, version) == "complete"


def read_manifest(board) -> dict | None:
    """The newest build manifest, or None on a board that has none (a new board).

    A manifest that is there but cannot be read is a ``BoardError``: taken for
    a new board, the build would lose the row-count check and the comparison
    with the last build.
    """
    try:
        if not board.pin_exists(MANIFEST):
            return None
        return board.pin_read(MANIFEST)
    except Exception as exc:  # any failure to read it: say so, decide nothing
        raise BoardError(
            f"cannot read the board's {MANIFEST!r} pin ({first_line(exc)}): the last build cannot be checked "
            "or compared with; restore the board from a copy, or build into a new board"
        ) from exc


def last_build(location: str) -> tuple[object, dict]:
    """(the board at ``location``, its last complete build's manifest); a ``BoardError`` when it has none
    (what the pages, ``status.json``, the site's data files and the citation are made from)."""
    board = open_board(location)
    manifest = read_manifest(board)
    if not manifest:
        how = "build it with `uv run python -m scripts.build`"
        raise BoardError(f"the board at {location} holds no complete build: {how}")
    return board, manifest


def table_pins(board, manifest: dict):
    """(name, version, meta) of every table pin (Parquet) the build ``manifest`` names, the
    full tidy table included: not the model, not the manifest itself."""
    for name, version in sorted(manifest["pins"].items()):
        if name in (MODEL_PIN, MANIFEST):
            continue
        meta = board.pin_meta(name, version=version)
        if meta.type == "parquet":
            yield name, version, meta
