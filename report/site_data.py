"""The tables as files of the site, at stable URLs: a post-render step.

    uv run python -m report.site_data

For every table pin of the board's last complete build, at the version its manifest
names (what the pages show), writes into the rendered site (``QUARTO_PROJECT_OUTPUT_DIR``,
else ``_site``):

- ``data/<pin>.csv`` (list cells as ``a; b``), ``data/<pin>.json`` (records) and
  ``data/<pin>.parquet`` (the pin's own file);
- ``data/<pin>.metadata.json``: title, the reader's description, columns with their
  type and unit (units from ``scripts/dataset.py``), rows, pin version and content hash,
  build id, data as of, source, licence and citation;
- ``data/index.json``: every table, with its files and metadata;
- ``CITATION.cff`` and ``citation.bib`` at the site's root (``report/cite.py``).

The pages link to these files (``report.download_link``) instead of embedding the
data. The full tidy table gets the same files, but above ``LARGE_ROWS`` rows only its
Parquet file (written by DuckDB, never held in memory). A table whose metadata file
already names this version and hash is left as it is, so a render that changed no
pin rewrites nothing. Each file is written whole (``.partial``, then moved).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from report.cite import CITATION, SOURCE_DOIS

DATA_DIR = "data"
INDEX_FILE = "index.json"
LARGE_ROWS = 200_000
LICENCE = "CC0-1.0 (the Palmer Station LTER data, via the palmerpenguins package)"


def files(name: str, rows: int) -> dict[str, str]:
    """The site paths of a table's files (format -> path); above ``LARGE_ROWS``, Parquet only.

    >>> files("overview", 1)["csv"], files("penguins", 10**7).keys()
    ('data/overview.csv', dict_keys(['parquet', 'metadata']))
    """
    found = {"csv": f"{DATA_DIR}/{name}.csv", "json": f"{DATA_DIR}/{name}.json"} if rows <= LARGE_ROWS else {}
    return {**found, "parquet": f"{DATA_DIR}/{name}.parquet", "metadata": f"{DATA_DIR}/{name}.metadata.json"}


def unit_of(column: str) -> str | None:
    """A column's unit, from the one description of the data (None when it has none)."""
    from scripts import dataset

    return next((m.unit for m in dataset.MEASUREMENTS if m.name == column), None)


def metadata(name: str, meta, manifest: dict, columns: list[tuple[str, str]], rows: int) -> dict:
    """``data/<pin>.metadata.json``."""
    from scripts import attempts

    return {
        "title": meta.title or name,
        "name": name,
        "description": meta.description or "",
        "rows": rows,
        "columns": [{"name": c, "type": t, "unit": unit_of(c)} for c, t in columns],
        "pin_version": meta.version.version,
        "content_hash": meta.version.hash,
        "build_id": attempts.build_id(manifest),
        "built_at": manifest["built_at"],
        "data_as_of": manifest.get("data_changed_at", manifest["built_at"]),
        "source": "Palmer Station LTER penguin observations (raw layout)",
        "source_dois": SOURCE_DOIS,
        "licence": LICENCE,
        "citation": CITATION,
        "files": files(name, rows),
        # this very version, as long as the published board keeps it (a folder board rides with the site)
        "versioned": f"board/{name}/{meta.version.version}/",
    }


def _write(path: Path, data: bytes | str) -> None:
    partial = path.with_name(path.name + ".partial")
    if isinstance(data, str):
        partial.write_text(data)
    else:
        partial.write_bytes(data)
    partial.replace(path)


def _current(folder: Path, name: str, meta) -> dict | None:
    """The metadata already on the site when it names this very version and hash."""
    try:
        found = json.loads((folder / f"{name}.metadata.json").read_text())
    except (OSError, ValueError):
        return None
    same = found.get("pin_version") == meta.version.version and found.get("content_hash") == meta.version.hash
    return found if same and all((folder.parent / p).is_file() for p in found.get("files", {}).values()) else None


def write_table(folder: Path, name: str, board, version: str, manifest: dict) -> tuple[dict, bool]:
    """Write one table's files into ``folder`` (the site's ``data/``); (its metadata, whether anything was written)."""
    import pandas as pd

    from scripts.pins_adapter import parquet_shape

    meta = board.pin_meta(name, version=version)
    current = _current(folder, name, meta)
    if current is not None:
        return current, False
    (parquet,) = board.pin_download(name, version=version)
    columns, rows = parquet_shape(parquet)
    described = metadata(name, meta, manifest, columns, rows)
    target = folder / f"{name}.parquet"
    shutil.copyfile(parquet, target.with_name(target.name + ".partial"))
    target.with_name(target.name + ".partial").replace(target)
    if "csv" in described["files"]:
        frame = pd.read_parquet(parquet)
        _write(folder / f"{name}.csv", csv_text(frame))
        _write(folder / f"{name}.json", frame.to_json(orient="records", date_format="iso", indent=1) + "\n")
    _write(folder / f"{name}.metadata.json", json.dumps(described, indent=1) + "\n")
    return described, True


def _is_list(value) -> bool:
    """A list cell (a Parquet list column reads as arrays); CSV shows it as ``a; b; c``."""
    return hasattr(value, "__len__") and not isinstance(value, str | bytes)


def csv_text(frame) -> str:
    """A table as the CSV download holds it: list cells as ``a; b``."""
    lists = [c for c in frame.columns if any(_is_list(v) for v in frame[c])]
    shown = frame.assign(**{c: frame[c].map(lambda v: "; ".join(map(str, v)) if _is_list(v) else v) for c in lists})
    return shown.to_csv(index=False)


def main(argv: list[str] | None = None) -> int:
    from scripts import attempts, config
    from scripts.board_read import last_build, table_pins
    from scripts.errors import BuildError

    site = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or "_site")
    folder = site / DATA_DIR
    try:
        board, manifest = last_build(config.get_board())
        folder.mkdir(parents=True, exist_ok=True)
        listed, written = [], 0
        for name, version, _ in table_pins(board, manifest):
            described, wrote = write_table(folder, name, board, version, manifest)
            listed.append({k: described[k] for k in ("name", "title", "rows", "pin_version", "files")})
            written += wrote
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        print(f"error: cannot write the site's data files in {folder}: {error.strerror or error}", file=sys.stderr)
        return 2
    index = {"build_id": attempts.build_id(manifest), "tables": listed}
    _write(folder / INDEX_FILE, json.dumps(index, indent=1) + "\n")
    from report import cite
    from report.status import site_url

    cited = cite.citation(manifest, site_url(Path.cwd()))  # the files the footer links
    _write(site / cite.CFF_FILE, cite.cff(cited))
    _write(site / cite.BIBTEX_FILE, cite.bibtex(cited))
    print(f"[site-data] {len(listed)} tables in {folder} ({written} written, {len(listed) - written} unchanged)",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
