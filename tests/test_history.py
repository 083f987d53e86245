"""Board history between runs: publish the board with the site, restore it next run,
exercised against the published folder served by a loopback HTTP server."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pins
import pytest
import yaml

from scripts import build, cli, config, history
from tests.helpers import new_season, raw_rows, snapshot, write_csv


@pytest.fixture
def site(built_board, tmp_path) -> Path:
    """A rendered site folder holding the published copy of the built board."""
    history.publish(built_board, tmp_path / "_site" / "board")
    return tmp_path / "_site"


def test_publish_copies_every_complete_version_with_a_pins_manifest(built_board, site):
    layout = yaml.safe_load((site / "board" / "_pins.yaml").read_text())
    assert sorted(layout) == sorted(p.name for p in built_board.iterdir() if p.is_dir())
    for paths in layout.values():
        for path in paths:
            assert (site / "board" / path / "data.txt").is_file(), path
    overview = pins.board_folder(str(site / "board")).pin_read("overview")
    assert overview.iloc[0]["penguins"] == 344


def test_publish_keeps_the_newest_versions_and_those_the_manifest_names(built_board, tmp_path):
    board = tmp_path / "board"
    shutil.copytree(built_board, board)
    versions = sorted(p.name for p in (board / "overview").iterdir())
    for n in range(3):  # older versions of one pin, not named by the manifest
        old = board / "overview" / f"20200101T00000{n}Z-aaaa{n}"
        shutil.copytree(board / "overview" / versions[0], old)
    kept = history.publish(board, tmp_path / "out", keep=2)
    assert len(kept["overview"]) == 2
    assert versions[-1] in kept["overview"]  # the manifest's version is always kept


def test_restore_from_the_published_site_carries_history_over(site, serve_folder, tmp_path, monkeypatch):
    url = serve_folder(site) + "/board"
    fresh = tmp_path / "runner" / "board"  # a new runner: no board at all
    result = history.restore(url, fresh)
    layout = yaml.safe_load((site / "board" / "_pins.yaml").read_text())
    assert result == {"versions": sum(len(v) for v in layout.values()), "pins": len(layout)}
    restored = pins.board_folder(str(fresh), allow_pickle_read=True)
    assert restored.pin_read("overview").iloc[0]["penguins"] == 344
    assert not (fresh / ".restoring").exists()
    # Same data, same code: the build finds the restored board current and adds nothing.
    monkeypatch.delenv(config.ENV_SOURCE, raising=False)
    assert build.run([config.default_source()], str(fresh)) == "up to date"
    # A second restore finds nothing missing.
    assert history.restore(url, fresh)["versions"] == 0


@pytest.mark.slow
def test_a_restored_board_continues_the_build_history(site, serve_folder, tmp_path):
    # Run after run on GitHub Actions: restore the published board on a new runner,
    # build the next data; its history continues and it is compared with the last build.
    url = serve_folder(site) + "/board"
    runner = tmp_path / "runner" / "board"
    history.restore(url, runner)
    published = pins.board_folder(str(site / "board")).pin_read("build_history")
    source = write_csv(tmp_path / "season.csv", new_season(raw_rows()))

    assert build.run([str(source)], str(runner)) == "built"

    continued = pins.board_folder(str(runner)).pin_read("build_history")
    assert list(continued["build"]) == [1, 2]
    assert continued.iloc[[0]].reset_index(drop=True).equals(published)
    assert continued.iloc[1]["added"] == 120
    changes = pins.board_folder(str(runner)).pin_read("changes")
    assert changes.loc[changes["section"] == "penguins", "added"].sum() == 120


PLACEHOLDER_URL = "https://<owner>.github.io/<repo>/board/"


def documented_snippets() -> list[str]:
    """The Python snippets of docs/publishing.md's "Reading the published board from Python", as written."""
    text = (config.PROJECT_ROOT / "docs" / "publishing.md").read_text()
    section = text.split("### Reading the published board from Python", 1)[1].split("\n## ", 1)[0].split("\n### ")[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_documented_snippets_read_the_published_board(season_board, tmp_path, serve_folder, monkeypatch):
    """The docs' snippets, run as they stand against a published board served on loopback:
    the tables, the model (a pickle: allow_pickle_read), and an older version by its path."""
    history.publish(season_board, tmp_path / "_site" / "board")
    monkeypatch.setenv("PINS_CACHE_DIR", str(tmp_path / "cache"))
    snippets = documented_snippets()
    assert len(snippets) == 3 and PLACEHOLDER_URL in snippets[0]
    namespace: dict = {}
    source = "\n".join(snippets).replace(PLACEHOLDER_URL, serve_folder(tmp_path / "_site") + "/board/")
    exec(compile(source, "docs/publishing.md", "exec"), namespace)

    local = pins.board_folder(str(season_board), allow_pickle_read=True)
    assert namespace["counts"].equals(local.pin_read("species_island_year_counts"))
    assert namespace["counts"]["penguins"].sum() == 464 and namespace["first_counts"]["penguins"].sum() == 344
    assert 3000 < namespace["grams"] < 7000  # a Gentoo female's body mass, in grams
    with pytest.raises(NotImplementedError):  # as the docs say
        namespace["board"].pin_versions("species_island_year_counts")


def test_first_run_with_nothing_published_starts_a_new_history(serve_folder, tmp_path, capsys):
    url = serve_folder(tmp_path) + "/board"
    assert history.restore(url, tmp_path / "board") is None
    assert history.main(["--board", str(tmp_path / "board"), "restore", "--url", url]) == 0
    assert "starts a new history" in capsys.readouterr().err


def test_the_attempts_log_is_restored_once_and_a_damaged_one_is_named(serve_folder, tmp_path, capsys):
    from scripts import attempts

    site = tmp_path / "site"
    site.mkdir()
    log = attempts.append(None, attempts.attempt("held back", "2026-12-03T05:17:00Z", problems=['rule "x": 1 row']))
    (site / "attempts.json").write_text(json.dumps(log))
    url = serve_folder(site)
    board = tmp_path / "runner" / "board"
    board.parent.mkdir()
    restore = ["--board", str(board), "restore", "--url", f"{url}/board", "--attempts", f"{url}/attempts.json"]
    assert history.main(restore) == 0
    assert "restored the attempts log (1 attempts)" in capsys.readouterr().err
    assert attempts.read(str(board)) == log
    (site / "attempts.json").write_text('{"attempts": "no"}')
    assert history.main(restore) == 0  # the runner has its own log now: nothing is replaced
    shutil.rmtree(board.parent)
    board.parent.mkdir()
    assert history.main(restore) == 3
    err = capsys.readouterr().err
    assert "attempts.json is not an attempts log" in err and "Traceback" not in err
    assert attempts.read(str(board)) is None


def test_unreachable_published_board_stops_before_the_build(serve_folder, tmp_path, capsys):
    url = serve_folder(tmp_path, status=503) + "/board"
    board = tmp_path / "board"
    assert history.main(["--board", str(board), "restore", "--url", url]) == 3
    err = capsys.readouterr().err
    assert "cannot read the published board" in err and "HTTP 503" in err and "Traceback" not in err
    assert not board.exists() or not any(board.iterdir())


def test_unsafe_paths_in_a_published_manifest_are_refused(serve_folder, tmp_path, capsys):
    published = tmp_path / "site" / "board"
    published.mkdir(parents=True)
    (published / "_pins.yaml").write_text(yaml.safe_dump({"overview": ["../../etc/"]}))
    url = serve_folder(tmp_path / "site") + "/board"
    assert history.main(["--board", str(tmp_path / "board"), "restore", "--url", url]) == 3
    assert "unsafe pin path" in capsys.readouterr().err


def test_bucket_boards_keep_their_own_history(capsys):
    assert history.main(["--board", "s3://bucket/board", "restore", "--url", "http://127.0.0.1:9/board"]) == 0
    assert "keeps its own history" in capsys.readouterr().err


def test_malformed_published_manifest_is_a_clear_error(serve_folder, tmp_path, capsys):
    published = tmp_path / "site" / "board"
    published.mkdir(parents=True)
    (published / "_pins.yaml").write_text("overview: [unclosed\n")
    url = serve_folder(tmp_path / "site") + "/board"
    assert history.main(["--board", str(tmp_path / "board"), "restore", "--url", url]) == 3
    err = capsys.readouterr().err
    assert "_pins.yaml is not valid YAML" in err and "Traceback" not in err


def test_restore_waits_for_no_build(site, serve_folder, tmp_path, capsys):
    from scripts.board import build_lock

    board = tmp_path / "board"
    with build_lock(str(board)):  # a build is writing to this board
        code = history.main(["--board", str(board), "restore", "--url", serve_folder(site) + "/board"])
    assert code == 4
    assert "another build is writing" in capsys.readouterr().err
    assert not board.exists() or not any(board.iterdir())


def test_unusable_arguments_get_a_message_not_a_traceback(built_board, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert history.main(["--board", str(built_board), "publish", "--out", str(blocker / "board")]) == 4
    assert f"cannot write the published board to {blocker / 'board'}: Not a directory" in capsys.readouterr().err
    assert history.main(["--board", str(tmp_path / "board"), "restore", "--url", "example.org/board"]) == 3
    assert "--url 'example.org/board' is not an http(s) URL" in capsys.readouterr().err
    assert history.main(["--board", str(tmp_path / "none"), "publish", "--out", str(tmp_path / "out")]) == 4
    assert f"no board at {tmp_path / 'none'} to publish: build it first" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        history.main(["--board", str(built_board), "publish", "--out", str(tmp_path / "out"), "--keep", "0"])
    assert usage.value.code == cli.USAGE  # 64: not the gate's 2
    assert "--keep must be at least 1, not 0" in capsys.readouterr().err


def test_publish_copies_a_bucket_board_for_the_render(built_board, tmp_path, monkeypatch):
    """A bucket board is copied out as a folder board is (the render then reads the copy,
    without credentials): the same versions, byte for byte, through the board's own file system."""
    import fsspec
    import pins

    from scripts import attempts, board_read

    memory = fsspec.filesystem("memory")
    for path in built_board.rglob("*"):
        if path.is_file():
            memory.pipe(f"/bucket/board/{path.relative_to(built_board)}", path.read_bytes())
    bucket = pins.board("memory", "/bucket/board", allow_pickle_read=True)
    monkeypatch.setattr(board_read, "open_board", lambda location, **_: bucket)
    # the attempts log beside the bucket's board, read through the same file system
    monkeypatch.setattr(board_read, "remote_filesystem", lambda location: memory)
    log = attempts.read(str(built_board))
    memory.pipe(attempts.log_path("s3://bucket/board"), json.dumps(log).encode())
    assert history.main(["--board", "s3://bucket/board", "publish", "--out", str(tmp_path / "copy")]) == 0
    assert attempts.read(str(tmp_path / "copy")) == log
    monkeypatch.undo()
    history.publish(built_board, tmp_path / "local")
    assert snapshot(tmp_path / "copy") == snapshot(tmp_path / "local")
    assert (tmp_path / "copy" / "_pins.yaml").is_file()


def test_the_render_reads_a_published_copy_as_it_is(built_board, tmp_path, monkeypatch, capsys):
    """The publish workflow renders from a copy of the board with REPORT_SKIP_BUILD=1: the
    pre-render build reads no source and writes nothing, and the attempts log goes along."""
    from scripts import attempts

    history.publish(built_board, tmp_path / "copy")
    assert attempts.read(str(tmp_path / "copy")) == attempts.read(str(built_board))
    assert attempts.last(attempts.read(str(built_board)))["result"] == "built"
    before = snapshot(tmp_path / "copy")
    monkeypatch.setenv(config.ENV_SKIP_BUILD, "1")
    monkeypatch.setenv(config.ENV_SOURCE, str(tmp_path / "no-such-source.csv"))  # never read
    assert build.main(["--board", str(tmp_path / "copy")]) == 0
    assert "REPORT_SKIP_BUILD is set" in capsys.readouterr().err
    assert snapshot(tmp_path / "copy") == before
    (tmp_path / "empty").mkdir()
    assert build.main(["--board", str(tmp_path / "empty")]) == 4
    assert "holds no complete build to render" in capsys.readouterr().err
    monkeypatch.setenv(config.ENV_SKIP_BUILD, "maybe")
    assert build.main(["--board", str(tmp_path / "copy")]) == 1
