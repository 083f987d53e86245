"""Pin the whole resolved dependency set into pyproject.toml.

    uv run python tools/pin_dependencies.py

Runs ``uv export --no-hashes`` (which records no registry addresses) and
writes every resolved package, transitive ones included, as an exact
``constraint-dependencies`` entry under ``[tool.uv]``. ``uv run`` and
``uv sync`` then install exactly this set on every machine and in every
scheduled job, until someone re-runs this on purpose (after changing a
version in ``dependencies``, delete the block and the ignored ``uv.lock`` first).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
BEGIN = "# BEGIN resolved set (tools/pin_dependencies.py)"
END = "# END resolved set"


def exported() -> list[str]:
    out = subprocess.run(
        [
            "uv",
            "export",
            "--no-hashes",
            "--no-header",
            "--no-emit-project",
            "--all-groups",
            "--all-extras",
            "--no-annotate",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PYPROJECT.parent,
    ).stdout
    return sorted(line.strip() for line in out.splitlines() if line.strip() and not line.startswith(("#", "-")))


def main() -> None:
    lines = exported()
    block = "\n".join([BEGIN, "constraint-dependencies = [", *[f'    "{line}",' for line in lines], "]", END])
    text = PYPROJECT.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.replace("[tool.uv]\n", "[tool.uv]\n" + block + "\n", 1)
    PYPROJECT.write_text(text)
    print(f"pinned {len(lines)} packages in {PYPROJECT.name}")


if __name__ == "__main__":
    main()
