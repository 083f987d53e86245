"""PostgreSQL tables as sources, against a real server (``tests/postgres.py``).

The shipped raw CSV is loaded with COPY into a typed table with a primary key; a
build from the table must publish what the build from the CSV publishes, say
``up to date`` while the table is unchanged, rebuild with one revision when one
row changes, name the table and the key in the gate's messages, never show a
password, and leave the board untouched when the server goes away mid-build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pins
import pytest

from scripts import attempts, build, clean, config, hashing, validate
from tests.helpers import snapshot
from tests.test_build import TABLE_PINS

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TABLE = "public.penguins_raw"
# What a build records about when and from what it was built, not what it found.
PROVENANCE = {"built_at", "source_hash", "code_version", "code_hash", "data_changed_at"}


@pytest.fixture(scope="module")
def server():
    from tests.postgres import PostgresServer

    started = PostgresServer()
    started.load_csv(TABLE, config.default_source())
    yield started
    started.close()


@pytest.fixture
def pg_env(server, monkeypatch):
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    return server


@pytest.fixture(scope="module")
def csv_board(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv") / "board"
    build.run([config.default_source()], str(folder))
    return folder


def run(source: str, board, capsys, *extra: str) -> tuple[int, str]:
    code = build.main(["--source", source, "--board", str(board), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def tables(folder) -> dict[str, pd.DataFrame]:
    board = pins.board_folder(str(folder))
    return {name: board.pin_read(name) for name in TABLE_PINS}


def test_a_table_builds_the_pins_the_csv_builds(pg_env, csv_board, tmp_path, capsys):
    board = tmp_path / "board"
    code, output = run(pg_env.source(TABLE), board, capsys)
    assert code == 0, output
    assert "source public.penguins_raw" in output
    from_table, from_csv = tables(board), tables(csv_board)
    for name in TABLE_PINS:
        left, right = from_table[name], from_csv[name]
        kept = [c for c in right.columns if c not in PROVENANCE]
        pd.testing.assert_frame_equal(left[kept], right[kept], check_exact=True, obj=name)
    meta = pins.board_folder(str(board)).pin_meta("penguins").user
    assert meta["source_rows"] == 344 and meta["clean_rows"] == 344


def test_unchanged_table_is_up_to_date_and_one_changed_row_is_one_revision(pg_env, tmp_path, capsys):
    board = tmp_path / "board"
    assert run(pg_env.source(TABLE), board, capsys)[0] == 0
    # a VACUUM FULL rewrites every row elsewhere: the same rows, the same content hash
    pg_env.run_sql(f"VACUUM FULL {TABLE}")
    code, output = run(pg_env.source(TABLE), board, capsys)
    assert code == 0 and "up to date" in output, output
    pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3800 WHERE id = 1')
    try:
        code, output = run(pg_env.source(TABLE), board, capsys)
        assert code == 0, output
        assert "previous 344, added 0, removed 0, revised 1" in output
        history = pins.board_folder(str(board)).pin_read("build_history")
        assert history["revised"].tolist()[-1] == 1
    finally:
        pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3750 WHERE id = 1')


def test_a_table_hashes_on_the_server_whatever_its_rows_order(pg_env):
    before = hashing.source_hash([pg_env.source(TABLE)])
    pg_env.run_sql(f'UPDATE {TABLE} SET "Comments" = "Comments" WHERE id = 5')  # the row moves, unchanged
    assert hashing.source_hash([pg_env.source(TABLE)]) == before
    pg_env.run_sql(f"UPDATE {TABLE} SET \"Comments\" = 're-read' WHERE id = 5")
    try:
        assert hashing.source_hash([pg_env.source(TABLE)]) != before
    finally:
        pg_env.run_sql(f'UPDATE {TABLE} SET "Comments" = NULL WHERE id = 5')
    assert hashing.source_hash([pg_env.source(TABLE)]) == before


def copy_table(server, name: str, change: str = "", *, key: bool = True) -> str:
    """A copy of the loaded table as ``name`` (with ``change`` applied), its source."""
    if key:
        server.run_sql(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (LIKE {TABLE} INCLUDING ALL)")
        server.run_sql(f"INSERT INTO {name} OVERRIDING SYSTEM VALUE SELECT * FROM {TABLE}")
    else:
        from tests.postgres import RAW_HEADER

        server.run_sql(
            f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} AS SELECT {RAW_HEADER} FROM {TABLE} ORDER BY id"
        )
    if change:
        server.run_sql(change.format(table=name))
    return server.source(name)


def test_bad_values_are_named_by_table_and_primary_key(pg_env, tmp_path, capsys):
    source = copy_table(pg_env, "public.heavy", 'UPDATE {table} SET "Body Mass (g)" = 99999 WHERE id = 17')
    before = snapshot(tmp_path / "board")
    code, output = run(source, tmp_path / "board", capsys)
    assert code == 2, output
    assert 'rule "range", column "Body Mass (g)": 1 row outside the plausible range 2000 to 7000 g' in output
    assert "'99999' in public.heavy where id = 17" in output
    assert snapshot(tmp_path / "board") == before


def test_repeated_keys_and_text_tables_without_a_key(pg_env, tmp_path, capsys):
    source = copy_table(
        pg_env,
        "public.unkeyed",
        'UPDATE {table} SET "Sample Number" = 1, "Culmen Length (mm)" = 39.1 '
        'WHERE "studyName" = \'PAL0708\' AND "Sample Number" = 2',
        key=False,
    )
    code, output = run(source, tmp_path / "board", capsys)
    assert code == 2, output
    assert 'rule "duplicate observation"' in output
    assert "public.unkeyed rows 1 and 2 (rows ordered by every column: the table has no primary key)" in output


def test_text_columns_read_as_the_csv_reads_them(pg_env, tmp_path, capsys):
    """A table of text columns (a CSV loaded as it is, NA and all) is checked value by value."""
    from tests.postgres import RAW_HEADER

    columns = ", ".join(f"{name.strip()} text" for name in RAW_HEADER.split(", "))
    pg_env.load_csv("public.as_text", config.default_source(), columns=columns)
    pg_env.run_sql("UPDATE public.as_text SET \"Flipper Length (mm)\" = '18l' WHERE id = 3")
    pg_env.run_sql("UPDATE public.as_text SET \"Delta 15 N (o/oo)\" = 'NA' WHERE id = 4")
    code, output = run(pg_env.source("public.as_text"), tmp_path / "board", capsys)
    assert code == 2, output
    assert "'18l' in public.as_text where id = 3" in output
    assert "Delta 15 N" not in output  # 'NA' is a missing value, as in the CSV


@pytest.mark.parametrize(
    ("setup", "source", "expected"),
    [
        ("", "postgresql:///lter?table=public.nosuch", "cannot read table public.nosuch"),
        ("", "postgresql:///nosuchdb?table=public.penguins_raw", 'database "nosuchdb" does not exist'),
        ("", "postgresql:///lter", "names no table"),
        (
            "CREATE TABLE public.booleans AS SELECT * FROM {table}; ALTER TABLE public.booleans ALTER COLUMN "
            '"Sex" TYPE boolean USING "Sex" = \'MALE\'',
            "postgresql:///lter?table=public.booleans",
            '"Sex" is BOOLEAN, where the LTER layout has text',
        ),
    ],
    ids=["missing table", "missing database", "no table named", "wrong column type"],
)
def test_source_problems_are_named(pg_env, tmp_path, capsys, setup, source, expected):
    if setup:
        pg_env.run_sql("DROP TABLE IF EXISTS public.booleans; " + setup.format(table=TABLE))
    code, output = run(source, tmp_path / "board", capsys)
    assert code == 3, output
    assert expected in output
    assert "Traceback" not in output


def test_permission_and_passwords(pg_env, tmp_path, capsys, monkeypatch):
    """Over TCP with a password: a role without SELECT is told what to grant; the password,
    in the URL or in PGPASSWORD, is never shown, nor kept in the attempts log."""
    secret = "s3cret-Pa55"
    pg_env.run_sql(f"DROP ROLE IF EXISTS reader; CREATE ROLE reader LOGIN PASSWORD '{secret}'")
    monkeypatch.delenv("PGHOST")
    monkeypatch.delenv("PGUSER")
    url = f"postgresql://reader:{secret}@127.0.0.1:{pg_env.port}/lter?table={TABLE}"
    board = tmp_path / "board"
    code, output = run(url, board, capsys)
    assert code == 3, output
    assert "permission denied" in output and f"GRANT SELECT ON {TABLE}" in output.replace('"', "")
    assert secret not in output
    log = Path(attempts.log_path(str(board))).read_text()
    assert "permission denied" in log and secret not in log
    code, output = run(url.replace(secret, "wrong-password"), board, capsys)
    assert code == 3 and 'password authentication failed for user "reader"' in output, output
    assert "wrong-password" not in output
    pg_env.run_sql(f"GRANT SELECT ON {TABLE} TO reader")
    monkeypatch.setenv("PGPASSWORD", secret)
    code, output = run(f"postgresql://reader@127.0.0.1:{pg_env.port}/lter?table={TABLE}", board, capsys, "--verbose")
    assert code == 0, output
    assert secret not in output


def test_a_server_that_is_down_is_named(tmp_path, capsys, monkeypatch):
    from tests.helpers import free_port

    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(free_port()))
    code, output = run("postgresql:///lter?table=public.penguins_raw", tmp_path / "board", capsys)
    assert code == 3, output
    assert "cannot connect to the PostgreSQL server" in output and "is the server running?" in output


def test_the_server_stopping_mid_build_leaves_the_board_untouched(pg_env, csv_board, tmp_path, capsys, monkeypatch):
    board = tmp_path / "board"
    assert run(pg_env.source(TABLE), board, capsys)[0] == 0
    pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3800 WHERE id = 1')
    before = snapshot(board)
    cleaning = clean.clean

    def stop_then_clean(engine, out):
        pg_env.stop("immediate")
        return cleaning(engine, out)

    monkeypatch.setattr(clean, "clean", stop_then_clean)
    try:
        code, output = run(pg_env.source(TABLE), board, capsys)
    finally:
        pg_env.start()
        pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3750 WHERE id = 1')
    assert code == 3, output
    assert "cannot read the raw data from PostgreSQL" in output and "nothing was pinned" in output
    assert snapshot(board) == before


def test_one_snapshot_the_rows_hashed_are_the_rows_read(pg_env, tmp_path, capsys, monkeypatch):
    """A change committed while the build reads goes to the next build; one committed
    between the hash and the read stops the build."""
    board = tmp_path / "board"
    checking = validate.check

    def change_then_check(engine, *args):
        pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3800 WHERE id = 1')
        return checking(engine, *args)

    monkeypatch.setattr(validate, "check", change_then_check)
    try:
        code, output = run(pg_env.source(TABLE), board, capsys)
        assert code == 0, output
        published = pins.board_folder(str(board)).pin_read("penguins")
        assert published["body_mass_g"].tolist()[0] == 3750  # as the snapshot had it
        monkeypatch.setattr(validate, "check", checking)
        code, output = run(pg_env.source(TABLE), board, capsys)
        assert code == 0 and "revised 1" in output, output

        stamps = hashing.stamps

        def stamp_then_change(sources):
            found = stamps(sources)
            pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3900 WHERE id = 1')
            return found

        monkeypatch.setattr(hashing, "stamps", stamp_then_change)
        code, output = run(pg_env.source(TABLE), board, capsys, "--force")
        assert code == 3, output
        assert "table public.penguins_raw changed after the build hashed it" in output
    finally:
        pg_env.run_sql(f'UPDATE {TABLE} SET "Body Mass (g)" = 3750 WHERE id = 1')


@pytest.mark.spark
def test_spark_reads_a_table_as_duckdb_does(pg_env, tmp_path, monkeypatch):
    """``REPORT_ENGINE=spark``: the table read in DuckDB's snapshot, copied once for Spark;
    the same tidy table as the DuckDB build, and the same gate message, word for word."""
    from scripts.errors import GateError

    def tidy(engine: str, source: str, folder):
        monkeypatch.setenv(config.ENV_ENGINE, engine)
        folder.mkdir()
        return build.compute([source], folder, digests=hashing.table_digests(hashing.stamps([source])))

    source = pg_env.source(TABLE)
    duck, spark = tidy("duckdb", source, tmp_path / "duck"), tidy("spark", source, tmp_path / "spark")
    left, right = pd.read_parquet(duck["tidy"]), pd.read_parquet(spark["tidy"])
    pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert spark["counts"] == duck["counts"] == {"raw": 344, "clean": 344}

    heavy = copy_table(pg_env, "public.heavy_spark", 'UPDATE {table} SET "Body Mass (g)" = 99999 WHERE id = 17')
    messages = []
    for engine in ("duckdb", "spark"):
        with pytest.raises(GateError) as failed:
            tidy(engine, heavy, tmp_path / f"heavy-{engine}")
        messages.append(str(failed.value))
    assert "'99999' in public.heavy_spark where id = 17" in messages[0]
    assert messages[0] == messages[1]
