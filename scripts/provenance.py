"""What every pin records about how it was made: code version, packages, time.

Cheap on purpose (no heavy imports): the build computes the code fingerprint
before it decides whether there is anything to do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

from scripts.config import PROJECT_ROOT

# Packages whose version can change what the build computes.
KEY_PACKAGES = ("duckdb", "pandas", "pyarrow", "numpy", "scikit-learn", "pins", "vetiver")
CODE_DIR = Path(__file__).resolve().parent


def package_versions() -> dict[str, str]:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_hash() -> str:
    """Fingerprint of the processing code (``scripts/**/*.py`` and ``*.sql``)
    and the key package versions: when it changes, the board is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(CODE_DIR.rglob("*")):
        if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(CODE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for name, version in sorted(package_versions().items()):
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()


def code_version() -> str:
    """The git commit of the checkout (``+dirty`` with local changes), or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "scripts"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
