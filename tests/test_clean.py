"""Clean: the tidy table equals the one palmerpenguins publishes, row for row,
whatever odd-but-valid shape the raw input arrives in."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from palmerpenguins import load_penguins

from scripts import clean, validate
from scripts.engines.duckdb import DuckDBEngine
from tests.helpers import raw_rows, write_csv


def tidy_from(sources: list[str], tmp_path) -> pd.DataFrame:
    engine = DuckDBEngine()
    engine.register_raw(sources)
    validate.check(engine)
    clean.clean(engine, tmp_path / "penguins.parquet")
    return engine.con.execute("SELECT * FROM penguins").df()


def assert_equals_published(tidy: pd.DataFrame) -> None:
    published = load_penguins()
    assert list(tidy.columns) == list(clean.tidy_columns())
    assert list(clean.published_columns()) == list(published.columns)
    tidy = tidy[list(clean.published_columns())]
    # Compare values, not storage types: the published CSV reads integers with
    # missing values as floats.
    pd.testing.assert_frame_equal(
        tidy.astype(object).where(tidy.notna(), None),
        published.astype(object).where(published.notna(), None),
        check_dtype=False,
    )


def test_shipped_raw_csv_gives_the_published_table(raw_csv, tmp_path):
    tidy = tidy_from([raw_csv], tmp_path)
    assert_equals_published(tidy)
    assert tidy.loc[0].to_dict() == {
        "species": "Adelie",
        "island": "Torgersen",
        "bill_length_mm": 39.1,
        "bill_depth_mm": 18.7,
        "flipper_length_mm": 181,
        "body_mass_g": 3750,
        "sex": "male",
        "year": 2007,
        "study_name": "PAL0708",
        "sample_number": 1,
    }


def reorder(rows):
    order = list(reversed(list(rows[0])))
    return [{k: r[k] for k in order} for r in rows]


def add_column(rows):
    return [{**r, "Observer": "field team"} for r in rows]


def trailing_commas(rows):
    # as spreadsheets export: every line ends in a comma, so a last column has no name
    return [{**r, "": ""} for r in rows]


@pytest.mark.parametrize(
    ("case", "transform", "options"),
    [
        ("CRLF line ends", lambda rows: rows, {"newline": "\r\n"}),
        ("UTF-8 byte-order mark", lambda rows: rows, {"bom": True}),
        ("an extra column", add_column, {}),
        ("columns in another order", reorder, {}),
        ("a trailing comma on every line", trailing_commas, {}),
        ("spaces around header names", lambda rows: [{f" {k} ": v for k, v in r.items()} for r in rows], {}),
        ("everything at once", lambda rows: add_column(reorder(rows)), {"newline": "\r\n", "bom": True}),
    ],
)
def test_odd_but_valid_csv(tmp_path, case, transform, options):
    source = write_csv(tmp_path / "odd.csv", transform(raw_rows()), **options)
    assert_equals_published(tidy_from([str(source)], tmp_path))


def test_parquet_source(tmp_path, raw_csv):
    parquet = tmp_path / "raw.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{raw_csv}', nullstr='NA')) TO '{parquet}' (FORMAT parquet)")
    assert_equals_published(tidy_from([str(parquet)], tmp_path))


def test_all_text_parquet_source_keeps_the_missing_value_markers(tmp_path, raw_csv):
    # The CSV saved as Parquet as it is: every column text, missing values still 'NA'.
    parquet = tmp_path / "text.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{raw_csv}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)")
    assert duckdb.sql(f"SELECT count(*) FROM '{parquet}' WHERE \"Sex\" = 'NA'").fetchone()[0] == 11
    assert_equals_published(tidy_from([str(parquet)], tmp_path))
