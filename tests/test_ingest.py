"""Ingest: DuckDB reads the raw layout from CSV or Parquet, one file or many."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import duckdb
import pytest

from scripts import build, config, hashing, ingest, locations
from scripts.engines.duckdb import DuckDBEngine, read_failure
from scripts.errors import GateError, SourceError
from tests.helpers import raw_rows, shipped_csv_with_line, write_csv


def count_raw(sources: list[str]) -> tuple[int, int]:
    engine = DuckDBEngine()
    engine.register_raw(sources)
    rows = engine.con.execute("SELECT count(*) FROM raw_observations").fetchone()[0]
    adelie = engine.con.execute("SELECT count(*) FROM raw_observations WHERE \"Species\" LIKE 'Adelie%'").fetchone()[0]
    return rows, adelie


def test_shipped_csv_has_344_observations(raw_csv):
    assert count_raw([raw_csv]) == (344, 152)


def test_files_per_species_are_unioned(tmp_path):
    rows = raw_rows()
    paths = []
    for species in ("Adelie", "Gentoo", "Chinstrap"):
        part = [r for r in rows if r["Species"].startswith(species)]
        paths.append(str(write_csv(tmp_path / f"{species}.csv", part)))
    assert count_raw(paths) == (344, 152)


def test_parquet_and_csv_together(tmp_path, raw_csv):
    rows = raw_rows()
    adelie = [r for r in rows if r["Species"].startswith("Adelie")]
    others = write_csv(tmp_path / "others.csv", [r for r in rows if not r["Species"].startswith("Adelie")])
    csv_adelie = write_csv(tmp_path / "adelie.csv", adelie)
    parquet = tmp_path / "adelie.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{csv_adelie}', nullstr='NA')) TO '{parquet}' (FORMAT parquet)")
    assert count_raw([str(others), str(parquet)]) == (344, 152)


def test_source_hash_is_content_based(tmp_path, raw_csv):
    copy = tmp_path / "copy.csv"
    copy.write_bytes(Path(raw_csv).read_bytes())
    assert hashing.source_hash([raw_csv]) == hashing.source_hash([str(copy)])
    copy.write_bytes(copy.read_bytes().replace(b"3750", b"3751", 1))
    assert hashing.source_hash([raw_csv]) != hashing.source_hash([str(copy)])


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("/no/such/penguins.csv", "source not found: /no/such/penguins.csv"),
        ("penguins.xlsx", "cannot tell the format"),
        ("ftp://example.org/penguins.csv", "unsupported source"),
        ("/tmp", "source /tmp is a folder: name its files, comma-separated"),
    ],
)
def test_unusable_sources_are_named(location, message):
    with pytest.raises(SourceError, match=message):
        ingest.check_reachable([location])


def test_unparseable_file_is_a_source_error(tmp_path):
    broken = tmp_path / "broken.parquet"
    broken.write_text("this is not parquet")
    with pytest.raises(SourceError, match=r"broken\.parquet"):
        DuckDBEngine().register_raw([str(broken)])


@pytest.fixture
def http_server(serve_folder, tmp_path):
    """The test's tmp_path over loopback HTTP; its base URL."""
    return serve_folder(tmp_path)


def test_http_source_is_read_by_duckdb(tmp_path, raw_csv, http_server):
    (tmp_path / "penguins-raw.csv").write_bytes(Path(raw_csv).read_bytes())
    url = f"{http_server}/penguins-raw.csv"
    assert count_raw([url]) == (344, 152)
    assert hashing.source_hash([url]) == hashing.source_hash([raw_csv])


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("a,b,c", "line 101 has 3 fields where the header has 17 (it reads 'a,b,c')"),
        ('PAL0708,"unclosed,1', "line 101 opens a quoted value that never ends"),
    ],
)
def test_a_malformed_csv_line_is_named_by_file_and_line(tmp_path, line, problem):
    # DuckDB's sniffer, given this sample, would read the whole file as one column
    source = shipped_csv_with_line(tmp_path / "table_219.csv", line, at=100)
    engine = DuckDBEngine()
    engine.register_raw([str(source)])
    assert engine.file_columns()[str(source)] == set(raw_rows()[0])  # the header still names 17 columns
    with pytest.raises(duckdb.Error) as raised:
        engine.con.execute("SELECT count(*) FROM raw_observations").fetchall()
    failure = read_failure(raised.value)
    assert isinstance(failure, SourceError)
    assert f"cannot parse the raw data: table_219.csv {problem}" in str(failure)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv: the file is empty"),
        (b"\xff\xfe\x00studyName", "empty.csv: its first line is not UTF-8 text"),
        (b"studyName;Species;Island\nPAL0708;Adelie;Dream\n", "its header is one field ('studyName;Species;Island')"),
        (b"studyName,Species,studyName\n", "its header names 'studyName' more than once"),
    ],
)
def test_a_csv_without_a_usable_header_is_a_source_error(tmp_path, content, message):
    source = tmp_path / "empty.csv"
    source.write_bytes(content)
    with pytest.raises(SourceError, match=re.escape(message)):
        DuckDBEngine().register_raw([str(source)])


def test_a_gzipped_csv_is_read(tmp_path, raw_csv):
    packed = tmp_path / "penguins-raw.csv.gz"
    packed.write_bytes(gzip.compress(Path(raw_csv).read_bytes()))
    assert count_raw([str(packed)]) == (344, 152)


def test_cloud_sources_are_read_through_fsspec(tmp_path, raw_csv, monkeypatch):
    # fsspec's in-memory file system stands in for s3:// (no network, no account):
    # the hash, the CSV header and DuckDB's reads all go through the registered file system.
    import fsspec

    monkeypatch.setitem(locations.CLOUD, "memory", ("memory", "memory"))
    memory = fsspec.filesystem("memory")
    bucket = f"/bucket-{tmp_path.name}"
    rows = raw_rows()
    memory.pipe(f"{bucket}/adelie.csv", write_csv(tmp_path / "a.csv", rows[:152]).read_bytes())
    parquet = tmp_path / "others.parquet"
    others = write_csv(tmp_path / "others.csv", rows[152:])
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{others}', all_varchar = true)) TO '{parquet}' (FORMAT parquet)")
    memory.pipe(f"{bucket}/others.parquet", parquet.read_bytes())
    sources = [f"memory://{bucket}/adelie.csv", f"memory://{bucket}/others.parquet"]
    try:
        ingest.check_reachable(sources)
        assert len(hashing.source_hash(sources)) == 64
        assert count_raw(sources) == (344, 152)
        with pytest.raises(SourceError, match=r"cannot read source memory://.*/missing\.csv"):
            hashing.source_hash([f"memory://{bucket}/missing.csv"])
    finally:
        memory.rm(bucket, recursive=True)


def test_a_csv_source_must_be_utf8_text(tmp_path, raw_csv):
    # A Latin-1 byte in a data line: DuckDB would read it inconsistently (a parse
    # error, an internal error, or nothing), so the hash pass names the line.
    text = Path(raw_csv).read_text(encoding="utf-8").replace(",Dream,", ",Dr\u00e9am,", 1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.encode("latin-1"))
    line = text.split(",Dr\u00e9am,", 1)[0].count("\n") + 1  # the header is line 1
    with pytest.raises(SourceError, match=rf"latin\.csv: line {line} is not UTF-8 text \(byte 0xe9 after '.*,Dr'\)"):
        hashing.source_hash([str(latin)])
    zipped = tmp_path / "latin.csv.gz"
    zipped.write_bytes(gzip.compress(latin.read_bytes()))
    with pytest.raises(SourceError, match=rf"latin\.csv\.gz: line {line} is not UTF-8"):
        hashing.source_hash([str(zipped)])
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text(text, encoding="utf-8")
    assert hashing.source_hash([str(utf8)])


def test_utf8_check_follows_characters_across_chunks():
    check = hashing.CsvTextCheck("t.csv")
    check.feed(b"a,b\ncaf\xc3")  # the two bytes of 'é' arrive in two chunks
    check.feed(b"\xa9,1\n")
    check.finish()
    cut = hashing.CsvTextCheck("t.csv")
    cut.feed(b"a,b\ncaf\xc3")
    with pytest.raises(SourceError, match="ends inside a character"):
        cut.finish()


@pytest.mark.slow
def test_the_shipped_csv_gzipped_by_the_gzip_command_builds(tmp_path, raw_csv):
    import shutil
    import subprocess

    from scripts import build

    source = tmp_path / "penguins-raw.csv"
    shutil.copyfile(raw_csv, source)
    subprocess.run(["gzip", "--best", str(source)], check=True)
    packed = tmp_path / "penguins-raw.csv.gz"

    assert build.main(["--source", str(packed), "--board", str(tmp_path / "board")]) == 0
    engine = DuckDBEngine()
    engine.register_raw([str(packed)])
    assert engine.con.execute("SELECT count(*) FROM raw_numbered").fetchone()[0] == 344


def test_a_truncated_gzip_file_is_named(tmp_path, raw_csv):
    packed = tmp_path / "cut.csv.gz"
    packed.write_bytes(gzip.compress(Path(raw_csv).read_bytes())[:5000])
    with pytest.raises(SourceError, match=r"cut\.csv\.gz: the gzip stream ends early"):
        hashing.source_hash([str(packed)])


def test_secrets_in_a_source_url_stay_out_of_messages(tmp_path, http_server, capsys):
    from scripts import build

    url = f"{http_server.replace('http://', 'http://reader:hunter2@')}/gone.csv?X-Amz-Signature=abc123&token=s3cr3t"
    assert build.main(["--source", url, "--board", str(tmp_path / "board")]) == 3
    err = capsys.readouterr().err
    assert f"cannot read source {http_server}/gone.csv: HTTP Error 404" in err
    assert not [secret for secret in ("hunter2", "reader", "abc123", "s3cr3t", "Signature") if secret in err], err


def test_a_line_longer_than_the_reader_takes_names_the_setting(tmp_path, monkeypatch):
    import csv
    import io

    row = {**raw_rows()[4], "Comments": "x" * 3_000_000}
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row.values())
    line = buffer.getvalue()
    source = shipped_csv_with_line(tmp_path / "long.csv", line, at=100)
    engine = DuckDBEngine()
    engine.register_raw([str(source)])
    with pytest.raises(duckdb.Error) as caught:
        engine.con.execute("SELECT count(*) FROM raw_observations").fetchall()
    message = str(read_failure(caught.value))
    assert "long.csv line 101 is 3,000," in message and "more than the CSV reader's limit of 2,000,000 bytes" in message
    assert "REPORT_CSV_MAX_LINE_SIZE" in message and "all_varchar" not in message

    monkeypatch.setenv("REPORT_CSV_MAX_LINE_SIZE", "4000000")
    engine = DuckDBEngine()
    engine.register_raw([str(source)])
    assert engine.con.execute("SELECT count(*) FROM raw_observations").fetchone()[0] == 345


def test_extra_columns_named_like_ours_build(tmp_path):
    # SQL names ignore case, and the readers add a column of their own: neither may clash.
    rows = [{**row, "species": "a note", "source_file": "field book 3"} for row in raw_rows()]
    source = write_csv(tmp_path / "extra.csv", rows)
    engine = DuckDBEngine()
    engine.register_raw([str(source)])
    columns = engine.columns()
    assert "Species" in columns and "species_1" in columns and "source_file" in columns
    assert engine.con.execute(
        'SELECT count(DISTINCT "Species"), any_value(species_1) FROM raw_observations'
    ).fetchone() == (
        3,
        "a note",
    )


def test_missing_value_markers_with_spaces_read_as_missing(tmp_path):
    rows = raw_rows()
    rows[0]["Body Mass (g)"] = " NA "
    rows[1]["Culmen Length (mm)"] = " 39.5 "
    engine = DuckDBEngine()
    engine.register_raw([str(write_csv(tmp_path / "spaces.csv", rows))])
    masses = engine.con.execute('SELECT "Body Mass (g)", "Culmen Length (mm)" FROM raw_numbered ORDER BY __row LIMIT 2')
    assert masses.fetchall() == [(None, "39.1"), ("3800", " 39.5 ")]


@pytest.mark.parametrize(
    ("ending", "builds"),
    [
        ("every line LF", True),
        ("every line CRLF", True),
        ("LF, then CRLF from line 3", False),
        ("CRLF with LF inside quoted comments", True),
    ],
)
def test_line_endings_are_read_or_named(tmp_path, board_dir, capsys, ending, builds):
    """One kind of line ending builds; a file that mixes them stops with the first line that
    differs (DuckDB cannot follow it), never a traceback; LF inside a quoted value is a value's."""
    lines = Path(config.default_source()).read_bytes().split(b"\n")[:-1]
    if ending == "every line LF":
        data = b"\n".join(lines) + b"\n"
    elif ending == "every line CRLF":
        data = b"\r\n".join(lines) + b"\r\n"
    elif ending.startswith("LF, then"):
        data = b"\n".join(lines[:2]) + b"\n" + b"\r\n".join(lines[2:]) + b"\r\n"
    else:
        lines[1] = lines[1].replace(b"Not enough blood for isotopes.", b'"Not enough blood\nfor isotopes."')
        data = b"\r\n".join(lines) + b"\r\n"
    source = tmp_path / "endings.csv"
    source.write_bytes(data)
    status = build.main(["--source", str(source), "--board", str(board_dir)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if builds:
        assert status == 0, err
        return
    assert status == 3
    assert "endings.csv mixes line endings: line 3 ends with CRLF where line 1 ends with LF" in err


@pytest.mark.parametrize("extra", [",NA", ",", ",,", ",.", ',""', ",x"])
def test_a_field_too_many_stops_whatever_its_value(tmp_path, board_dir, capsys, extra):
    """DuckDB alone would read ``…,NA`` and ``…,`` on a line as if the field were not there."""
    line = Path(config.default_source()).read_text().splitlines()[101]
    source = shipped_csv_with_line(tmp_path / "table_219.csv", line.replace("PAL0708", "PAL0809", 1) + extra, at=200)
    assert build.main(["--source", str(source), "--board", str(board_dir)]) == 3
    err = capsys.readouterr().err
    assert f"table_219.csv line 201 has {17 + extra.count(',')} fields where the header has 17" in err
    assert "Traceback" not in err and not (board_dir / "build_manifest").exists()


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_the_field_count_follows_lines_across_chunks(many, crlf):
    """Lines that end in an empty field (the Comments of every line, with ``many``) are
    counted one by one or all at once; a line cut by a chunk's end is counted whole."""
    newline = "\r\n" if crlf else "\n"
    header = "a,b,c" + newline
    good = 'x,"y, z",' + newline if many else "x,y,z" + newline
    text = (header + good * 2000 + 'x,"y, z",,' + newline + good * 10).encode()
    bad_line = 2 + 2000
    for size in (7, 4096, len(text)):  # chunk ends anywhere: inside a field, between ',' and the line break
        check = hashing.CsvTextCheck("t.csv")
        with pytest.raises(SourceError, match=f"t.csv line {bad_line} has 4 fields where the header has 3"):
            for at in range(0, len(text), size):
                check.feed(text[at : at + size])
        last = hashing.CsvTextCheck("t.csv")  # the same line last, without a line break
        last.feed((header + good * 3 + 'x,"y, z",,').encode())
        with pytest.raises(SourceError, match=re.escape("t.csv line 5 has 4 fields")):
            last.finish()
        clean = hashing.CsvTextCheck("t.csv")
        for at in range(0, len(text), size):
            clean.feed(text.replace(b",," + newline.encode(), b"," + newline.encode())[at : at + size])
        clean.finish()


# ---------------------------------------------------------------- what is hashed is what is read


def test_a_remote_source_is_read_once_so_its_hash_is_of_what_was_read(tmp_path, board_dir):
    from tests.helpers import ChangingServer

    full = Path(config.default_source()).read_bytes()
    cut = full[: full.index(b"\nPAL0708,26,")] + b"\n"  # the second answer: 25 penguins short
    server = ChangingServer("table.csv", [full, cut])
    try:
        build.run([server.url], str(board_dir))
        assert server.requests == 1  # hashed and read from one copy
        import pins

        board = pins.board_folder(str(board_dir))
        manifest = board.pin_read("build_manifest")
        assert manifest["source_hash"] == hashing.source_hash([config.default_source()])
        assert manifest["source_rows"] == 344
        # the next read is the short answer, and it is what the gate sees (and would hash)
        with pytest.raises(GateError, match="25 rows in the raw data, 93% fewer than the 344"):
            build.run([server.url], str(board_dir), force=True)
        assert server.requests == 2
    finally:
        server.close()


def test_a_transfer_cut_short_is_named_not_read(board_dir, capsys):
    from tests.helpers import ChangingServer

    full = Path(config.default_source()).read_bytes()
    server = ChangingServer("table.csv", [full[:20000]], announce=len(full))
    try:
        assert build.main(["--source", server.url, "--board", str(board_dir)]) == 3
    finally:
        server.close()
    err = capsys.readouterr().err
    assert "cannot read source http://127.0.0.1:" in err
    assert f"/table.csv: the transfer ended after 20,000 of the {len(full):,} bytes the server announced" in err
    assert "Traceback" not in err and not (board_dir / "build_manifest").exists()


def test_a_local_source_that_changes_during_the_build_stops_it(tmp_path, board_dir, monkeypatch, capsys):
    source = tmp_path / "table.csv"
    source.write_bytes(Path(config.default_source()).read_bytes())
    real = build.compute

    def compute_then_append(*args, **kwargs):
        artifacts = real(*args, **kwargs)
        with open(source, "a") as f:  # upstream writes while the build runs
            f.write(
                'PAL0910,999,Gentoo penguin (Pygoscelis papua),Anvers,Biscoe,"Adult, 1 Egg Stage",N99A1,Yes,'
                "2009-11-20,45.0,15.0,220,5000,MALE,NA,NA,NA\n"
            )
        return artifacts

    monkeypatch.setattr(build, "compute", compute_then_append)
    assert build.main(["--source", str(source), "--board", str(board_dir)]) == 3
    err = capsys.readouterr().err
    assert "source table.csv changed while the build read it" in err and "nothing was pinned" in err
    assert not (board_dir / "build_manifest").exists()


# Every class of error DuckDB's CSV reader has (its CSVErrorType), each produced by a
# line of the shipped CSV, through the whole build: a named stop, never a traceback.
# (class, line put in as line 101, exit status, words of the message)
CSV_ERROR_CLASSES = [
    ("TOO_FEW_COLUMNS", "PAL0708,1,Adelie", 3, "line 101 has 3 fields where the header has 17"),
    ("TOO_MANY_COLUMNS", ",".join(["x"] * 20), 3, "line 101 has 20 fields where the header has 17"),
    ("UNTERMINATED_QUOTES", 'PAL0708,"unclosed,1', 3, "line 101 opens a quoted value that never ends"),
    ("INVALID_STATE (mixed line endings)", "PAL0708,1\r", 3, "mixes line endings"),
    ("INVALID_STATE (a value after a closing quote)", '"PAL0708"x' + ",1" * 16, 3, "line 101"),
    ("INVALID_UNICODE", "PAL0708,\udce9", 3, "is not UTF-8 text"),
    ("MAXIMUM_LINE_SIZE", "PAL0708," + "x" * 3000, 3, "line 101 is 3,008 bytes long"),
    ("CAST_ERROR (text where a number goes)", None, 2, 'rule "type", column "Body Mass (g)"'),
    ("NULLPADDED_QUOTED_NEW_VALUE", '"PAL0708""' + ",1" * 16, 3, "line 101"),
    ("a NUL byte (read as text: the gate names it)", "PAL0708\x00,1" + ",1" * 15, 2, "'PAL0708\\x00' in table_219"),
]


@pytest.mark.parametrize(("kind", "line", "status", "words"), CSV_ERROR_CLASSES, ids=[c[0] for c in CSV_ERROR_CLASSES])
def test_every_csv_error_class_is_named_with_file_and_line(
    tmp_path, board_dir, capsys, monkeypatch, kind, line, status, words
):
    monkeypatch.setenv(config.ENV_CSV_MAX_LINE_SIZE, "2048")
    if line is None:
        rows = raw_rows()
        rows[99]["Body Mass (g)"] = "heavy"
        source = write_csv(tmp_path / "table_219.csv", rows)
    else:
        source = tmp_path / "table_219.csv"
        lines = Path(config.default_source()).read_bytes().split(b"\n")
        lines.insert(100, line.encode("utf-8", "surrogateescape"))
        source.write_bytes(b"\n".join(lines))

    assert build.main(["--source", str(source), "--board", str(board_dir)]) == status

    err = capsys.readouterr().err
    assert "Traceback" not in err and "table_219.csv" in err
    assert words in err, err
    assert not board_dir.exists() or not (board_dir / "build_manifest").exists()
