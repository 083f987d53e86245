"""The build command end to end: pins and their metadata, idempotence, safety."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pins
import pytest

from scripts import attempts, board_read, build, config, locations, pins_adapter
from scripts import board as boards
from scripts.errors import BuildError
from tests.helpers import raw_rows, shipped_csv_with_line, snapshot, write_csv

TABLE_PINS = [
    "bill_trends",
    "build_history",
    "changes",
    "correlations",
    "histograms",
    "measurement_stats",
    "measurements_by_year",
    "missing_values",
    "model_coefficients",
    "model_cv_metrics",
    "model_importance",
    "model_test_metrics",
    "model_test_predictions",
    "overview",
    "penguins",
    "scatter_sample",
    "species_island_year_counts",
    "species_islands",
]
ALL_PINS = sorted([*TABLE_PINS, "build_manifest", "penguin_model"])


@pytest.fixture
def board_copy(built_board, tmp_path):
    folder = tmp_path / "board"
    shutil.copytree(built_board, folder)
    return folder


def changed_source(tmp_path) -> Path:
    rows = raw_rows()
    rows[0]["Body Mass (g)"] = "3800"  # one penguin re-weighed
    return write_csv(tmp_path / "changed.csv", rows)


def versions(folder: Path) -> dict[str, list[str]]:
    board = pins.board_folder(str(folder))
    return {name: [v.version for v in board.pin_versions(name, as_df=False)] for name in board.pin_list()}


def test_board_has_every_pin_with_provenance(built_board):
    board = pins.board_folder(str(built_board), allow_pickle_read=True)
    assert sorted(board.pin_list()) == ALL_PINS
    source_hash = build.hashing.source_hash([config.default_source()])
    for name in ALL_PINS:
        meta = board.pin_meta(name)
        assert meta.user["source_hash"] == source_hash, name
        assert meta.user["built_at"].endswith("Z"), name
        assert meta.user["source_rows"] == 344
        assert meta.user["packages"]["duckdb"] == "1.5.5"
        assert "code_version" in meta.user and len(meta.user["code_hash"]) == 64
    for name in ALL_PINS:  # a description for readers: one line, no code or SQL words
        description = board.pin_meta(name).description
        assert description and "\n" not in description and "`" not in description, name
        assert not any(word in description for word in ("SQL", "DuckDB", "shift", "group_no")), name
    for name in TABLE_PINS:
        assert board.pin_meta(name).type == "parquet"
        assert board.pin_meta(name).user["rows"] == len(board.pin_read(name))
    assert board.pin_meta("penguin_model").type == "joblib"
    manifest = board.pin_read("build_manifest")
    assert sorted(manifest["pins"]) == sorted(n for n in ALL_PINS if n != "build_manifest")
    assert manifest["data_changed_at"] == manifest["built_at"]


@pytest.mark.slow
def test_every_pin_reads_back_with_plain_pins_in_another_process(built_board):
    # pin_read hands pyarrow a Python file object; a pyarrow worker may drop it while
    # the interpreter shuts down, which aborts Python < 3.14 after the work is done
    # (upstream pyarrow/CPython race, see report.read). The script therefore ends with
    # os._exit once its output is flushed: this test is about what plain pins reads.
    script = textwrap.dedent(
        f"""
        import json, os, sys, pins, vetiver
        board = pins.board_folder({str(built_board)!r}, allow_pickle_read=True)
        out = {{}}
        for name in board.pin_list():
            if name == "penguin_model":
                model = vetiver.VetiverModel.from_pin(board, name)
                out[name] = sorted(model.prototype.model_fields)
            elif name == "build_manifest":
                out[name] = sorted(board.pin_read(name)["pins"])
            else:
                out[name] = len(board.pin_read(name))
        print(json.dumps(out))
        sys.stdout.flush()
        os._exit(0)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert sorted(out) == ALL_PINS
    assert out["penguins"] == 344
    assert out["overview"] == 1
    assert "bill_length_mm" in out["penguin_model"] and "species" in out["penguin_model"]


@pytest.mark.slow
def test_page_reader_exits_cleanly_after_reading_every_table(built_board):
    # What the pages do (report.read: Parquet by path) must not hit the exit race above.
    script = textwrap.dedent(
        """
        import report
        rows = {name: len(report.read(name)) for name in report.page_tables()}
        print(report.meta("penguins").user["rows"], rows["overview"])
        """
    )
    env = {**os.environ, "REPORT_BOARD": str(built_board), "PYTHONPATH": str(config.PROJECT_ROOT)}
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["344", "1"]


def test_rerun_writes_nothing(board_copy):
    before = snapshot(board_copy)
    assert build.run([config.default_source()], str(board_copy)) == "up to date"
    assert snapshot(board_copy) == before


def test_force_rebuilds_but_keeps_unchanged_pins(board_copy):
    before = versions(board_copy)
    assert build.run([config.default_source()], str(board_copy), force=True) == "built"
    after = versions(board_copy)
    for name in ALL_PINS:
        if name != "build_manifest":
            assert after[name] == before[name], name
    assert len(after["build_manifest"]) == len(before["build_manifest"]) + 1


def test_force_replaces_a_damaged_pin_file(board_copy):
    # A damaged file keeps its version's name and hash in the metadata; --force
    # compares the files themselves and writes a sound version.
    board = pins.board_folder(str(board_copy), allow_pickle_read=True)
    damaged_version = board.pin_meta("penguin_model").version.version
    (model_file,) = (board_copy / "penguin_model" / damaged_version).glob("*.joblib")
    model_file.write_bytes(model_file.read_bytes()[:1000])
    stats_version = board.pin_meta("measurement_stats").version.version
    assert build.run([config.default_source()], str(board_copy), force=True) == "built"
    board = pins.board_folder(str(board_copy), allow_pickle_read=True)
    assert board.pin_meta("penguin_model").version.version != damaged_version
    assert board.pin_read("penguin_model")  # loads again
    assert board.pin_meta("measurement_stats").version.version == stats_version  # sound pins keep theirs


def test_paths_with_quotes_build(tmp_path, monkeypatch):
    # Paths reach DuckDB as SQL string literals: the scratch folder, the source, the board.
    import tempfile

    odd = tmp_path / "o'neil"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    source = odd / "penguins' raw.csv"
    source.write_bytes(Path(config.default_source()).read_bytes())
    assert build.run([str(source)], str(odd / "board")) == "built"
    assert pins.board_folder(str(odd / "board")).pin_meta("penguins").user["rows"] == 344


def test_changed_data_adds_versions_and_moves_the_data_stamp(board_copy, tmp_path):
    before = versions(board_copy)
    old = pins.board_folder(str(board_copy)).pin_read("build_manifest")
    assert build.run([str(changed_source(tmp_path))], str(board_copy)) == "built"
    after = versions(board_copy)
    assert len(after["penguins"]) == len(before["penguins"]) + 1
    assert after["species_island_year_counts"] == before["species_island_year_counts"]  # counts unchanged
    new = pins.board_folder(str(board_copy)).pin_read("build_manifest")
    assert new["source_hash"] != old["source_hash"]
    assert new["data_changed_at"] > old["data_changed_at"] or new["data_changed_at"] == new["built_at"]


def test_a_build_within_the_second_of_the_last_one_is_still_the_latest(board_copy, tmp_path):
    # pins names versions by their time to the second, then their hash, and takes
    # the last name as the latest: a build in the same second as the one before
    # (or after one stamped by a clock running ahead: here a minute) must still sort last.
    import datetime as dt

    plain = pins.board_folder(str(board_copy))
    ahead = dt.datetime.now().replace(microsecond=0) + dt.timedelta(minutes=1)
    last = plain.pin_read("build_manifest")
    plain.pin_write(last, name="build_manifest", type="json", created=ahead, force_identical_write=True)
    assert boards.version_time(plain) == ahead + dt.timedelta(seconds=1)

    assert build.run([str(changed_source(tmp_path))], str(board_copy)) == "built"
    manifest = plain.pin_read("build_manifest")
    assert manifest["source_hash"] == build.hashing.source_hash([str(changed_source(tmp_path))])
    newest = versions(board_copy)
    assert {name: newest[name][-1] for name in manifest["pins"]} == manifest["pins"]
    assert newest["penguins"][-1].startswith((ahead + dt.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ"))


def test_second_build_on_a_busy_board_is_refused(board_copy, capsys):
    from filelock import FileLock

    lock = FileLock(str(board_copy.parent / f".{board_copy.name}.lock"))
    with lock:
        status = build.main(["--board", str(board_copy), "--force"])
    err = capsys.readouterr().err
    assert status == 4
    assert "another build is writing to the board" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_interrupted_build_keeps_the_board_readable_and_the_next_build_repairs(
    board_copy, tmp_path, monkeypatch, capsys
):
    old_manifest = pins.board_folder(str(board_copy)).pin_read("build_manifest")
    real_promote, promoted = boards.promote, []

    def promote_then_die(staged, target, name):
        if len(promoted) == 3:
            raise KeyboardInterrupt
        promoted.append(name)
        return real_promote(staged, target, name)

    monkeypatch.setattr(boards, "promote", promote_then_die)
    assert build.main(["--source", str(changed_source(tmp_path)), "--board", str(board_copy)]) == 130
    assert "the board keeps its previous state" in capsys.readouterr().err

    board = pins.board_folder(str(board_copy), allow_pickle_read=True)
    assert board.pin_read("build_manifest") == old_manifest  # readers still see the last complete build
    for name, version in old_manifest["pins"].items():
        assert board_read.version_is_complete(board, name, version)
    assert len(board.pin_read("penguins")) == 344  # the newest version is whole too
    assert not list(board_copy.parent.glob(".board.staging-*"))

    monkeypatch.setattr(boards, "promote", real_promote)
    assert build.run([str(changed_source(tmp_path))], str(board_copy)) == "built"
    assert build.run([str(changed_source(tmp_path))], str(board_copy)) == "up to date"


def test_half_written_version_is_removed(board_copy, caplog):
    broken = board_copy / "overview" / "29991231T000000Z-00000"
    broken.mkdir()
    (broken / "overview.parquet").write_bytes(b"partial")
    with pytest.raises(Exception):  # noqa: B017 - plain pins cannot read it
        pins.board_folder(str(board_copy)).pin_read("overview")
    assert build.run([config.default_source()], str(board_copy)) == "up to date"
    assert not broken.exists()
    assert len(pins.board_folder(str(board_copy)).pin_read("overview")) == 1


@pytest.mark.slow
def test_killed_build_leaves_a_readable_board(board_copy, tmp_path):
    """SIGKILL while the build stages or promotes pins: whatever instant it
    lands, the last complete build stays readable and the next build finishes."""
    source = changed_source(tmp_path)
    before = pins.board_folder(str(board_copy)).pin_read("build_manifest")
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.build", "--source", str(source), "--board", str(board_copy)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=config.PROJECT_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    for line in process.stderr:  # wait until training is done, then kill
        if line.startswith("[build] train"):
            time.sleep(0.3)
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)

    board = pins.board_folder(str(board_copy), allow_pickle_read=True)
    manifest = board.pin_read("build_manifest")
    assert manifest["source_hash"] in (before["source_hash"], build.hashing.source_hash([str(source)]))
    for name, version in manifest["pins"].items():
        assert board_read.version_is_complete(board, name, version), name
    assert build.run([str(source)], str(board_copy)) in ("built", "up to date")
    assert build.run([str(source)], str(board_copy)) == "up to date"


def test_pinned_files_are_hashed_in_blocks_not_read_whole(tmp_path):
    import io

    from pins.versions import Version

    class Reads(io.BytesIO):
        def __init__(self, data: bytes):
            super().__init__(data)
            self.sizes: list[int] = []

        def read(self, size=-1):
            self.sizes.append(size)
            return super().read(size)

    data = os.urandom(3 * pins_adapter.HASH_BLOCK // 2)
    whole = Version.hash_file(io.BytesIO(data))
    with boards.staging_board(str(tmp_path / "board")):
        f = Reads(data)
        assert Version.hash_file(f) == whole  # the same version hash as before
    assert f.sizes == [pins_adapter.HASH_BLOCK] * 3  # two blocks, then the end
    again = Reads(data)
    assert Version.hash_file(again) == whole and again.sizes == [-1, -1]  # the patch ended with the block


def test_pins_is_the_version_its_workarounds_were_written_for():
    # scripts/pins_adapter.py reaches into pins internals: re-read it before upgrading pins
    assert pins_adapter.installed_pins_version() == pins_adapter.PINS_WRITTEN_FOR


def test_the_tidy_table_is_linked_into_the_board_not_copied(tmp_path, monkeypatch):
    # Everything on one file system (pins' own scratch folder included): the pinned
    # file is the very file DuckDB wrote, so pinning costs nothing per row.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    written = tmp_path / "penguins.parquet"
    duckdb.sql(f"COPY (SELECT range AS n FROM range(1000)) TO '{written}' (FORMAT parquet)")
    with boards.staging_board(str(tmp_path / "board")) as staged:
        staged.pin_write(pins_adapter.parquet_file(written), name="penguins", type="parquet", title="t")
        [pinned] = staged.pin_download("penguins")
        assert os.path.samefile(pinned, written)
        assert staged.pin_read("penguins")["n"].sum() == 999 * 1000 // 2


@pytest.mark.parametrize(
    ("env", "args", "status", "message"),
    [
        ({}, ["--source", "{malformed}"], 3, "table_220.csv line 51 has 3 fields where the header has 17"),
        ({config.ENV_SOURCE: " , "}, [], 1, "REPORT_SOURCE=',' names no source"),
        ({}, ["--source", "{malformed},{malformed}"], 1, "--source names {malformed} more than once (items 1 and 2)"),
        ({config.ENV_SOURCE: "a.csv,,c.csv"}, [], 1, "REPORT_SOURCE item 2 of 3 is empty ('a.csv,,c.csv')"),
        ({config.ENV_SOURCE: "a.csv,"}, [], 1, "REPORT_SOURCE item 2 of 2 is empty"),
        ({}, ["--source", "{latin}"], 3, "latin.csv: line 2 is not UTF-8 text (byte 0xe9 after 'PAL0708,1,'"),
        ({}, ["--source", "{damaged}"], 3, "cannot read the raw data: damaged.parquet is damaged or incomplete"),
        ({config.ENV_MEMORY_LIMIT: "lots"}, [], 1, "REPORT_DUCKDB_MEMORY_LIMIT='lots' is not a value DuckDB accepts"),
        ({config.ENV_THREADS: "0"}, [], 1, "REPORT_DUCKDB_THREADS='0' is not a value DuckDB accepts"),
        ({config.ENV_TEMP_DIR: "{file}/spill"}, [], 1, "cannot hold DuckDB's spill files: Not a directory"),
        # far too little memory to read even 344 rows: the message says which variables to change
        (
            {config.ENV_MEMORY_LIMIT: "100KB"},
            [],
            5,
            "DuckDB ran out of memory (the limit is 100KB, REPORT_DUCKDB_MEMORY_LIMIT)",
        ),
    ],
    ids=[
        "malformed CSV line",
        "no source",
        "repeated source",
        "a hole in the source list",
        "a comma at the end of the source list",
        "not UTF-8",
        "damaged Parquet",
        "memory limit",
        "threads",
        "spill folder",
        "out of memory",
    ],
)
def test_unusable_input_or_settings_exit_with_a_message_and_keep_the_board(
    board_copy, tmp_path, monkeypatch, capsys, env, args, status, message
):
    (tmp_path / "file").write_text("")
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{file}", str(tmp_path / "file")))
    malformed = shipped_csv_with_line(tmp_path / "table_220.csv", "PAL0809,51,Gentoo", at=50)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(Path(config.default_source()).read_bytes().replace(b"PAL0708,1,", b"PAL0708,1,\xe9", 1))
    damaged = damaged_parquet(tmp_path / "damaged.parquet")
    args = [a.replace("{malformed}", str(malformed)).replace("{latin}", str(latin)) for a in args]
    args = [a.replace("{damaged}", str(damaged)) for a in args]
    before = snapshot(board_copy)
    assert build.main([*args, "--board", str(board_copy), "--force"]) == status
    assert message.replace("{malformed}", str(malformed)) in capsys.readouterr().err
    assert snapshot(board_copy) == before


def damaged_parquet(path: Path) -> Path:
    """The shipped rows 30 times over as Parquet, with bytes in the middle of the file scrambled."""
    duckdb.execute(
        f"COPY (SELECT raw.* FROM read_csv('{config.default_source()}', all_varchar = true) raw, range(30)) "
        f"TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)"
    )
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = bytes((b * 7 + 13) % 256 for b in data[middle : middle + 2000])
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def cloud_board(monkeypatch):
    """A board in fsspec's in-memory file system, standing in for s3:// (no network, no account).

    It goes through the same code as a bucket: pins' caching file system for the
    pins, the bare file system for the lock and the last-check stamp beside them.
    """
    import fsspec

    monkeypatch.setitem(locations.CLOUD, "memory", ("memory", "memory"))
    location = f"memory:///bucket-{os.getpid()}-{time.monotonic_ns()}/board"
    yield location
    fsspec.filesystem("memory").rm(location.split("://", 1)[1].rsplit("/", 1)[0], recursive=True)


@pytest.mark.slow
def test_a_cloud_board_is_built_locked_and_read_back(cloud_board):
    import fsspec

    assert build.run([config.default_source()], cloud_board) == "built"  # a new, empty prefix
    board = boards.open_board(cloud_board)
    assert len(board.pin_read("penguins")) == 344
    assert board.pin_read("build_manifest")["pins"].keys() >= {"penguins", "penguin_model", "overview"}
    assert attempts.last(attempts.read(cloud_board))["result"] == "built"
    assert build.run([config.default_source()], cloud_board) == "up to date"
    assert [a["result"] for a in attempts.read(cloud_board)["attempts"]] == ["built", "up to date"]
    versions_before = {name: board.pin_meta(name).version.version for name in ["penguins", "penguin_model"]}
    assert build.run([config.default_source()], cloud_board, force=True) == "built"
    board = boards.open_board(cloud_board)
    # the files match by size, so unchanged pins keep their versions on a bucket too
    assert {name: board.pin_meta(name).version.version for name in versions_before} == versions_before

    marker = cloud_board + ".build-lock"  # beside the board, outside the pins
    fs = fsspec.filesystem("memory")
    assert not fs.exists(marker)  # released after each build
    fs.pipe_file(marker, json.dumps({"host": "runner", "pid": 7, "since": time.time()}).encode())
    with pytest.raises(BuildError, match=r"another build is writing to the board .*host runner, pid 7"):
        build.run([config.default_source()], cloud_board, force=True)


def failing(error: Exception):
    """A file-system method that fails as a passing network error would."""

    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.slow
def test_a_passing_error_of_the_file_system_deletes_nothing(cloud_board, monkeypatch, capsys):
    import fsspec

    assert build.run([config.default_source()], cloud_board) == "built"
    memory = fsspec.filesystem("memory")
    root = cloud_board.split("://", 1)[1]
    # a half-written version, as a killed build leaves it: data, no metadata
    half = f"{root}/overview/29991231T000000Z-00000"
    memory.pipe_file(f"{half}/overview.parquet", b"partial")
    before = sorted(memory.find(root))

    board = boards.open_board(cloud_board)
    memory_class = type(memory)
    # the bucket cannot be listed for a moment
    monkeypatch.setattr(memory_class, "ls", failing(ConnectionError("connection reset by peer")))
    with pytest.raises(BuildError, match=r"cannot list the pins on the board \(connection reset by peer\)"):
        boards.repair(board)
    with pytest.raises(BuildError, match=r"cannot read the board's 'build_manifest' pin \(connection reset"):
        board_read.read_manifest(board)
    monkeypatch.undo()
    # it lists, but a version's metadata cannot be fetched
    monkeypatch.setattr(memory_class, "_open", failing(TimeoutError("read timed out")))
    with pytest.raises(BuildError, match=r"cannot read version \S+ of pin '\w+' on the board \(read timed out\)"):
        boards.repair(board)
    assert sorted(memory.find(root)) == before  # the half-written version too: nothing decided on an error

    monkeypatch.undo()
    monkeypatch.setitem(locations.CLOUD, "memory", ("memory", "memory"))
    assert build.run([config.default_source()], cloud_board) == "up to date"  # now it can tell: repaired
    assert not memory.exists(half)


def test_a_damaged_version_is_not_deleted(board_copy):
    # metadata that does not parse is damage, not a half-written version: it stays
    damaged = board_copy / "overview" / "29991231T000000Z-00000"
    damaged.mkdir()
    (damaged / "data.txt").write_text("title: [unclosed")
    board = pins.board_folder(str(board_copy))
    assert board_read.version_state(board, "overview", damaged.name) == "damaged"
    assert boards.repair(board) == []
    assert damaged.exists()


def test_a_board_that_is_a_file_is_refused_by_name(tmp_path, capsys):
    path = tmp_path / "board"
    path.write_text("not a folder")
    assert build.main(["--board", str(path)]) == 4
    assert f"the board {path} is a file: point --board or REPORT_BOARD at a folder" in capsys.readouterr().err
    assert build.main(["--board", str(path / "inside")]) == 4
    assert "cannot create the board folder" in capsys.readouterr().err
    assert path.read_text() == "not a folder"


def test_duckdb_failures_a_user_can_act_on_get_their_own_message(tmp_path):
    import duckdb

    from scripts.engines.duckdb import DuckDBEngine
    from scripts.errors import ResourceError, SourceError

    settings = {"memory_limit": "512MB", "temp_directory": str(tmp_path / "spill")}
    explain = DuckDBEngine(settings, workdir=tmp_path).explain

    full = explain(duckdb.IOException(f'IO Error: Could not write file "{tmp_path}/penguins.parquet": No space left'))
    assert isinstance(full, ResourceError) and full.exit_code == 5
    assert f"cannot write the build's scratch files in {tmp_path} (is the disk full?" in str(full)
    spill = explain(duckdb.IOException(f"IO Error: could not write to {tmp_path}/spill/duckdb_temp_block"))
    assert "or of room to spill to disk" in str(spill)
    remote = explain(duckdb.HTTPException("HTTP Error: connection reset reading table_219.csv"))
    assert isinstance(remote, SourceError) and "cannot read the raw data: HTTP Error" in str(remote)
    assert explain(duckdb.BinderException("Binder Error: a bug in our SQL")) is None  # a bug keeps its traceback
    assert explain(ValueError("not DuckDB")) is None


@pytest.mark.cloud
def test_an_unreachable_cloud_board_is_named(monkeypatch, capsys):
    class NoAccess:
        def exists(self, path):
            raise PermissionError("Access Denied")

    monkeypatch.setattr(board_read, "remote_filesystem", lambda location: NoAccess())
    assert build.main(["--board", "s3://bucket/board"]) == 4
    assert "cannot reach the board s3://bucket/board: Access Denied" in capsys.readouterr().err
    # pins alone would call it an empty board, and the API would say the model pin is missing
    with pytest.raises(BuildError, match="cannot reach the board s3://bucket/board: Access Denied"):
        boards.open_board("s3://bucket/board")


@pytest.mark.slow
@pytest.mark.parametrize(("verbose", "expected"), [(False, ""), (True, "[gcsfs] ERROR: out of retries\n")])
def test_library_log_records_never_print_a_traceback(verbose, expected):
    # Cloud SDKs log retries with exc_info; Python prints such records to stderr
    # when no handler takes them. The build's own message says what failed.
    script = textwrap.dedent(
        f"""
        import logging
        from scripts.progress import configure
        configure(verbose={verbose})
        try:
            1 / 0
        except ZeroDivisionError:
            logging.getLogger("gcsfs").exception("out of retries")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == expected


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("ftp://example.org/board", "unsupported board 'ftp://example.org/board': use a folder path, s3://"),
        ("s3://", "the board 's3://' names no bucket: use s3://<bucket>/<folder>"),
    ],
)
def test_an_unusable_board_uri_is_named(location, message):
    with pytest.raises(BuildError, match=re.escape(message)) as caught:
        boards.open_board(location, create=True)
    assert caught.value.exit_code == 4


def test_a_usage_error_has_its_own_exit_status(capsys):
    """argparse's 2 is also a failed gate's: a wrong command says so with 64 (EX_USAGE)."""
    from scripts import cli

    with pytest.raises(SystemExit) as usage:
        build.main(["--no-such-option"])
    assert usage.value.code == cli.USAGE == 64
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
