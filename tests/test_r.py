"""The published board read from R, as docs/publishing.md says: the docs' R snippet, then every
table pin's rows and columns against Python's read. Needs ``Rscript`` and the R package pins
1.4 or newer (it reads Parquet); skipped, naming what is missing, without them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pins
import pytest

from scripts import config, history

PLACEHOLDER_URL = "https://<owner>.github.io/<repo>/board/"


def documented_r_snippet() -> str:
    text = (config.PROJECT_ROOT / "docs" / "publishing.md").read_text()
    section = text.split("### Reading it from R", 1)[1]
    return re.findall(r"```r\n(.*?)```", section, re.S)[0]


def missing_r() -> str | None:
    """What is missing to run R with pins >= 1.4, or None."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript is not installed (apt-get install r-base-core), nor the R package pins >= 1.4"
    probe = 'cat(if (requireNamespace("pins", quietly = TRUE)) as.character(packageVersion("pins")) else "")'
    found = subprocess.run([rscript, "-e", probe], capture_output=True, text=True, timeout=60).stdout.strip()
    if not found or tuple(int(p) for p in found.split(".")[:2]) < (1, 4):
        return f"the R package pins >= 1.4 is not installed (found: {found or 'none'}); it reads Parquet"
    return None


MISSING = missing_r()
pytestmark = [pytest.mark.r, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]


def test_r_reads_every_table_pin_as_python_does(season_board, tmp_path, serve_folder):
    rscript = shutil.which("Rscript")
    history.publish(season_board, tmp_path / "_site" / "board")
    url = serve_folder(tmp_path / "_site") + "/board/"
    snippet = documented_r_snippet()
    assert PLACEHOLDER_URL in snippet
    local = pins.board_folder(str(season_board))
    manifest = local.pin_read("build_manifest")
    tables = [n for n in manifest["pins"] if n != "penguin_model"]
    script = snippet.replace(PLACEHOLDER_URL, url) + (
        "for (name in c(" + ", ".join(json.dumps(n) for n in tables) + ")) {\n"
        "  frame <- pins::pin_read(board, name)\n"
        '  cat(name, nrow(frame), paste(names(frame), collapse = ","), "\\n")\n'
        "}\n"
    )
    result = subprocess.run([rscript, "-e", script], capture_output=True, text=True, timeout=300,
                            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    read = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.strip()}
    for name in tables:
        frame = local.pin_read(name, version=manifest["pins"][name])
        assert read[name] == [str(len(frame)), ",".join(frame.columns)], name
