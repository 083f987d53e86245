"""What a page read while it executed, kept so that the next render can tell whether it must execute again.

Quarto's ``freeze: auto`` re-executes a page when its source changes, never when
the data it reads does. So while a page executes under Quarto (which names the
document in ``QUARTO_DOCUMENT_FILE`` and the project in ``QUARTO_PROJECT_ROOT``),
``report`` notes every pin it reads and at which version; ``record`` keeps that in ``_freeze_inputs/<page>.json``,
beside ``_freeze/``, with fingerprints of the code the page runs (``report/`` and
``scripts/``), the page's source and the installed packages.
``report.freeze`` (a pre-render step) compares the record with the board and
removes the frozen results of exactly the pages whose inputs changed.

Outside Quarto (the tests' kernel, a notebook) nothing is recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

INPUTS_DIR = "_freeze_inputs"
FREEZE_DIR = "_freeze"
CODE_DIRS = ("report", "scripts")
# The name under which a page that shows the gate log notes the attempts log's fingerprint.
GATE_LOG = "attempts log"

_pins: dict[str, str] = {}


def _page() -> tuple[Path, str] | None:
    """(project root, page file) of the document Quarto is executing, or None."""
    root, page = os.environ.get("QUARTO_PROJECT_ROOT"), os.environ.get("QUARTO_DOCUMENT_FILE")
    if not root or not page:
        return None
    return Path(root), page


def note_pin(name: str, version: str) -> None:
    """The page read pin ``name`` at ``version``."""
    if _pins.get(name) != version:
        _pins[name] = version
        record()


def record_path(root: Path, page: str) -> Path:
    return root / INPUTS_DIR / (Path(page).stem + ".json")


def record() -> None:
    """Write what the page has read so far (replaced whole, so a record is never half-written)."""
    where = _page()
    if where is None:
        return
    root, page = where
    path = record_path(root, page)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "page": page,
        "pins": dict(sorted(_pins.items())),
        **fingerprints(root, page),
    }
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(content, indent=1) + "\n")
    partial.replace(path)


def fingerprints(root: Path, page: str) -> dict[str, str]:
    """What else a page's output depends on: its source, the code it runs, the packages."""
    return {"source": _file_hash(root / page), "code": code_hash(root), "packages": packages_hash()}


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


@cache
def code_hash(root: Path) -> str:
    """The Python of ``report/`` and ``scripts/`` (and the SQL, which only builds read)."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def packages_hash() -> str:
    """Every installed distribution and its version."""
    from importlib import metadata

    names = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
