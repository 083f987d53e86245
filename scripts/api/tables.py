"""The tables the pages show, as JSON beside ``/predict``: ``GET /tables`` and ``GET /tables/<pin>``.

Every table pin of the board's last complete build, at the version its manifest names
(as the pages read them), the full tidy table ``penguins`` included. A page of rows is
read with DuckDB straight from the pin's Parquet file (``LIMIT``/``OFFSET``), so memory
stays bounded whatever the table's size; at most ``MAX_LIMIT`` rows a request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from scripts.errors import BoardError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Table:
    name: str
    version: str
    path: str  # the pin's Parquet file, local (a remote board's is in the pins cache)
    rows: int
    columns: list[dict]  # name, type
    description: str


def pinned_tables(board) -> dict[str, Table]:
    """Every table pin the last complete build names, read once when the API starts."""
    from scripts.board_read import read_manifest, table_pins
    from scripts.pins_adapter import parquet_shape

    manifest = read_manifest(board)
    if not manifest:
        raise BoardError("the board holds no complete build: build it with `uv run python -m scripts.build`")
    tables = {}
    for name, version, meta in table_pins(board, manifest):
        (path,) = board.pin_download(name, version=version)
        described, rows = parquet_shape(path)
        columns = [{"name": column, "type": kind} for column, kind in described]
        tables[name] = Table(name, version, path, rows, columns, meta.description or "")
    return tables


def listing(tables: dict[str, Table]) -> dict:
    """``GET /tables``: each table's name, version, rows, columns and where to read it."""
    return {
        "tables": [
            {
                "name": t.name,
                "version": t.version,
                "rows": t.rows,
                "description": t.description,
                "columns": t.columns,
                "url": f"/tables/{t.name}",
            }
            for t in tables.values()
        ]
    }


def page(table: Table, limit: int, offset: int) -> dict:
    """``GET /tables/<pin>``: ``limit`` rows from ``offset``, in the file's order, as JSON records
    (a missing value is ``null``, a timestamp ISO 8601, a list cell a list)."""
    import duckdb

    con = duckdb.connect()
    try:
        frame = con.execute("SELECT * FROM read_parquet(?) LIMIT ? OFFSET ?", [table.path, limit, offset]).df()
    finally:
        con.close()
    records = json.loads(frame.to_json(orient="records", date_format="iso"))
    return {
        "name": table.name,
        "version": table.version,
        "rows": table.rows,
        "offset": offset,
        "limit": limit,
        "columns": table.columns,
        "records": records,
    }


def add_routes(app, board) -> None:
    """Declare ``/tables`` and ``/tables/{name}`` on the FastAPI ``app``, from ``board``."""
    from typing import Annotated, Any

    import pydantic
    from fastapi import Path, Query
    from fastapi.responses import JSONResponse

    tables = pinned_tables(board)

    class Column(pydantic.BaseModel):
        name: str
        type: str

    class Listed(pydantic.BaseModel):
        name: str
        version: str
        rows: int
        description: str
        columns: list[Column]
        url: str

    class Listing(pydantic.BaseModel):
        tables: list[Listed]

    class Page(pydantic.BaseModel):
        name: str
        version: str
        rows: int
        offset: int
        limit: int
        columns: list[Column]
        records: list[dict[str, Any]]

    class Problem(pydantic.BaseModel):
        detail: list[dict]

    def list_tables():
        return listing(tables)

    def read_table(name, limit, offset):
        table = tables.get(name)
        if table is None:
            known = ", ".join(tables)
            message = f"no table {name!r} in the last build; the tables are: {known}"
            return JSONResponse(status_code=404, content={"detail": [{"type": "not_found", "msg": message}]})
        return page(table, limit, offset)

    # set here, not written in the signature: this module's annotations are strings
    read_table.__annotations__.update(
        name=Annotated[str, Path(description="a table pin, as /tables lists them", max_length=200)],
        limit=Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows to return, 1 to {MAX_LIMIT:,}")],
        offset=Annotated[int, Query(ge=0, le=2**53, description="rows to skip, in the table's order")],
    )
    read_table.__defaults__ = (DEFAULT_LIMIT, 0)
    app.get(
        "/tables",
        summary="The tables of the last build",
        description="Every table pin the last complete build names: version, rows, columns, description.",
        response_model=Listing,
    )(list_tables)
    app.get(
        "/tables/{name}",
        summary="Rows of one table",
        description=f"`limit` rows (at most {MAX_LIMIT:,}) from `offset`, at the version the last build names.",
        response_model=Page,
        responses={404: {"model": Problem, "description": "No table of that name in the last build."}},
    )(read_table)
