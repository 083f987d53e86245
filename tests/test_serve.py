"""The prediction API: every endpoint, every error, and a real server."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from fastapi.testclient import TestClient

from scripts import cli, serve
from scripts.api import model as api_model
from scripts.api.app import create_app
from tests.helpers import running_api

GENTOO = {
    "bill_length_mm": 45.0,
    "bill_depth_mm": 15.0,
    "flipper_length_mm": 220.0,
    "species": "Gentoo",
    "island": "Biscoe",
    "sex": "male",
}


@pytest.fixture(scope="module")
def client(built_board):
    return TestClient(create_app(str(built_board)), raise_server_exceptions=False)


def test_predict(client):
    response = client.post("/predict", json=[GENTOO, {**GENTOO, "sex": "female", "bill_length_mm": 43.0}])
    assert response.status_code == 200
    male, female = response.json()["predict"]
    assert 4500 < female < male < 6500


def test_ping_metadata_prototype_docs(client, built_board):
    import pins

    assert client.get("/ping").json() == {"ping": "pong"}
    metadata = client.get("/metadata").json()
    board = pins.board_folder(str(built_board))
    assert metadata["version"] == board.pin_meta("penguin_model").version.version
    assert metadata["user"]["source_hash"] == board.pin_meta("penguins").user["source_hash"]
    prototype = client.get("/prototype").json()
    assert set(prototype["properties"]) == set(GENTOO)
    assert client.get("/docs").status_code == 200
    assert "/predict" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{**GENTOO, "bill_length_mm": "long"}], "bill_length_mm"),
        ([{k: v for k, v in GENTOO.items() if k != "sex"}], "sex"),
        ([{**GENTOO, "species": None}], "species"),
        (GENTOO, "body"),  # one object instead of a list of rows
        ("not rows", "body"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, body, field):
    response = client.post("/predict", json=body)
    assert response.status_code == 422
    assert field in response.text


def test_validation_errors_are_json_without_server_internals(client):
    response = client.post("/predict", json=[{k: v for k, v in GENTOO.items() if k != "sex"}])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"][0]["loc"] == ["body", 0, "sex"]
    assert "site-packages" not in response.text and "File " not in response.text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"bill_length_mm": -5.0}, "bill_length_mm", "from 25 to 70 mm"),
        ({"flipper_length_mm": 10**9}, "flipper_length_mm", "from 150 to 250 mm"),
        ({"species": "Emperor"}, "species", "Input should be 'Adelie', 'Chinstrap' or 'Gentoo'"),
        ({"island": "Mars"}, "island", "Input should be 'Biscoe', 'Dream' or 'Torgersen'"),
        ({"sex": "MALE"}, "sex", "Input should be 'female' or 'male'"),
    ],
)
def test_a_penguin_outside_the_model_domain_is_422(client, change, field, words):
    # A linear model would extrapolate (or ignore an unknown species) and answer.
    response = client.post("/predict", json=[GENTOO, {**GENTOO, **change}])
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", 1, field]  # the second row, the bad one
    assert words in error["msg"]
    assert error["input"] == next(iter(change.values()))


def test_nan_and_infinity_are_422_not_a_prediction(client):
    body = '[{"bill_length_mm": NaN, "bill_depth_mm": Infinity, "flipper_length_mm": 220,'
    body += ' "species": "Gentoo", "island": "Biscoe", "sex": "male"}]'
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["bill_length_mm", "bill_depth_mm"]
    assert all(e["input"] is None for e in response.json()["detail"])


def test_the_model_pin_records_its_input_domain(client):
    domain = client.get("/metadata").json()["user"]["input_domain"]
    assert domain["bill_depth_mm"] == {"min": 10, "max": 30, "unit": "mm"}
    assert domain["species"] == {"values": ["Adelie", "Chinstrap", "Gentoo"]}
    assert set(domain) == set(GENTOO)


def test_a_model_pinned_without_a_domain_keeps_its_prototype():
    from types import SimpleNamespace

    prototype = object()
    model = SimpleNamespace(metadata=SimpleNamespace(user={"source_hash": "x"}), prototype=prototype)
    assert api_model.input_domain(model) is None
    assert api_model.row_model(model, None) is prototype


def test_serving_a_model_without_a_domain_warns(built_board, monkeypatch, capsys):
    from scripts.api import app

    monkeypatch.setattr(app, "input_domain", lambda model: None)
    monkeypatch.setattr(serve, "serve", lambda app, sock: sock.close())
    assert serve.main(["--board", str(built_board), "--port", "0"]) == 0
    err = capsys.readouterr().err
    assert "was pinned without an input domain" in err and "scripts.build --force" in err
    assert "serving penguin_model version " in err


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b"[1, 2]", b"null"],
)
def test_malformed_body_is_never_a_5xx(client, raw):
    response = client.post("/predict", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


def test_missing_model_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert serve.main(["--board", str(tmp_path / "empty")]) == 4
    err = capsys.readouterr().err
    assert "has no 'penguin_model' pin" in err and "scripts.build" in err
    assert serve.main(["--board", str(tmp_path / "nowhere")]) == 4
    assert "no board at" in capsys.readouterr().err


def test_a_damaged_model_file_is_a_clear_error(built_board, tmp_path, capsys):
    import shutil

    board = tmp_path / "board"
    shutil.copytree(built_board, board)
    for model_file in (board / "penguin_model").glob("*/*.joblib"):
        model_file.write_bytes(model_file.read_bytes()[:1000])
    assert serve.main(["--board", str(board)]) == 4
    err = capsys.readouterr().err
    assert "cannot load the newest version of 'penguin_model'" in err and "scripts.build --force" in err
    assert "Traceback" not in err


def test_unknown_model_version_lists_the_known_ones(built_board, capsys):
    assert serve.main(["--board", str(built_board), "--model-version", "19990101T000000Z-00000"]) == 4
    assert "has no version '19990101T000000Z-00000'" in capsys.readouterr().err


def test_older_version_can_be_served(built_board):
    import pins

    version = pins.board_folder(str(built_board)).pin_meta("penguin_model").version.version
    app = create_app(str(built_board), version)
    assert TestClient(app).get("/metadata").json()["version"] == version


@pytest.mark.slow
def test_real_server_answers_vetiver_predict(built_board):
    import vetiver

    with running_api(built_board) as (base, _, _):
        predictions = vetiver.predict(f"{base}/predict", pd.DataFrame([GENTOO, {**GENTOO, "sex": "female"}]))
    assert list(predictions.columns) == ["predict"]
    assert len(predictions) == 2 and predictions["predict"].between(3000, 7000).all()


def test_the_api_serves_the_pipeline_predictions_through_the_row_predictor(built_board):

    from scripts.api.model import RowPredictor, load_model, use_row_predictor

    model = load_model(str(built_board))
    pipeline = model.model
    assert use_row_predictor(model)  # the pinned pipeline shape is recognised and checked equal
    rows = pd.DataFrame(
        [
            {
                "species": "Gentoo",
                "island": "Biscoe",
                "sex": "female",
                "bill_length_mm": 45.1,
                "bill_depth_mm": 14.5,
                "flipper_length_mm": 215,
                "body_mass_g": None,
            },
            {
                "species": "Adelie",
                "island": "Dream",
                "sex": "unknown-sex",
                "bill_length_mm": 39.0,
                "bill_depth_mm": 18.0,
                "flipper_length_mm": 190,
                "body_mass_g": None,
            },
        ]
    )[list(model.prototype.model_fields)]
    served = model.handler_predict(rows, True)
    assert served == pytest.approx(pipeline.predict(rows).tolist(), rel=1e-9)
    assert RowPredictor.for_pipeline(object()) is None  # anything else keeps the pipeline


@pytest.mark.slow
def test_workers_share_one_port_and_stop_together(built_board):
    with running_api(built_board, "--workers", "2") as (base, _, server):
        versions = set()
        for _ in range(20):  # fresh connections: the kernel spreads them over the workers
            response = requests.post(f"{base}/predict", json=[GENTOO], headers={"Connection": "close"}, timeout=10)
            assert response.status_code == 200 and 3000 < response.json()["predict"][0] < 7000
            versions.add(requests.get(f"{base}/metadata", timeout=10).json()["version"])
        assert len(versions) == 1  # every worker serves the version the command found
    assert server.returncode == 0  # stopped together, cleanly


def test_a_port_in_use_is_a_clear_error(built_board, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.main(["--board", str(built_board), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_workers_need_a_fixed_port():
    with pytest.raises(SystemExit):
        serve.parse_args(["--workers", "2", "--port", "0"])


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--port", "99999"], "--port must be from 0 to 65535, not 99999"), (["--workers", "0"], "at least 1, not 0")],
)
def test_unusable_port_or_workers_is_a_usage_error(args, message, capsys):
    with pytest.raises(SystemExit) as usage:
        serve.parse_args(args)
    assert usage.value.code == cli.USAGE  # 64: not the gate's 2
    assert message in capsys.readouterr().err


def problems(response) -> list[tuple[str, list]]:
    """The (type, loc) of every error in an answer, after checking it is FastAPI's shape."""
    detail = response.json()["detail"]
    assert isinstance(detail, list) and all({"type", "loc", "msg"} <= set(e) for e in detail), detail
    return [(e["type"], e["loc"]) for e in detail]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"[]", [("too_short", ["body"])]),
        (b'["caf\xe9"]', [("json_invalid", ["body"])]),
        (b"[" * 10_000, [("json_invalid", ["body"])]),
        (b"[" + b"9" * 5000 + b"]", [("json_invalid", ["body"])]),
        (b"{not json", [("json_invalid", ["body"])]),
    ],
    ids=["empty list", "not UTF-8", "nested too deep", "a 5000-digit number", "not JSON"],
)
def test_every_malformed_body_is_a_422_detail_list(client, body, expected):
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert problems(response) == expected


def test_an_unknown_sex_is_refused_with_what_to_send(client):
    response = client.post("/predict", json=[{**GENTOO, "sex": None}])
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", 0, "sex"]
    assert "send the penguin twice, as 'female' and as 'male'" in error["msg"]


def test_no_error_echoes_more_than_an_excerpt(client):
    response = client.post("/predict", content=b"x" * 500_000, headers={"content-type": "text/plain"})
    assert response.status_code == 422
    assert len(response.content) < 1000
    assert problems(response) == [("list_type", ["body"])]


def test_limits_on_rows_and_body_size(built_board, monkeypatch):
    monkeypatch.setenv("REPORT_API_MAX_ROWS", "3")
    monkeypatch.setenv("REPORT_API_MAX_BODY_BYTES", "2000")
    limited = TestClient(create_app(str(built_board)), raise_server_exceptions=False)
    assert limited.post("/predict", json=[GENTOO] * 3).status_code == 200

    response = limited.post("/predict", json=[GENTOO] * 4)
    assert response.status_code == 422
    assert problems(response) == [("too_long", ["body"])]
    assert "at most 3 items" in response.json()["detail"][0]["msg"]

    big = json.dumps([GENTOO] * 20).encode()
    by_header = limited.post("/predict", content=big, headers={"content-type": "application/json"})
    assert by_header.status_code == 413 and problems(by_header) == [("body_too_large", ["body"])]
    # chunked, without a length: refused while it arrives
    chunked = limited.post("/predict", content=iter([big[:1500], big[1500:]]))
    assert chunked.status_code == 413 and "larger than 2,000 bytes" in chunked.json()["detail"][0]["msg"]


def test_the_schema_documents_the_rules_and_the_errors(client):
    schema = client.get("/openapi.json").json()
    predict = schema["paths"]["/predict"]["post"]
    assert {"200", "408", "413", "422"} <= set(predict["responses"])
    assert "1,000 rows" in predict["description"] and "1,000,000 bytes" in predict["description"]
    row = client.get("/prototype").json()["properties"]
    assert (row["bill_length_mm"]["minimum"], row["bill_length_mm"]["maximum"]) == (25, 70)
    assert row["species"]["enum"] == ["Adelie", "Chinstrap", "Gentoo"]


@pytest.mark.slow
def test_a_slow_or_huge_request_against_a_real_server(built_board):
    with running_api(built_board, env={"REPORT_API_TIMEOUT": "1"}) as (base, port, server):
        before = rss_mib(server.pid)
        # half a body, then nothing: answered 408 after the timeout, not held open
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
            slow.sendall(b"Content-Length: 100\r\n\r\n[{")
            start = time.monotonic()
            answer = slow.recv(4096)
            assert b" 408 " in answer.split(b"\r\n")[0] and time.monotonic() - start < 5
        # half a request head, then nothing: the connection is closed after the timeout
        with socket.create_connection(("127.0.0.1", port), timeout=10) as stalled:
            stalled.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\n")
            start = time.monotonic()
            assert stalled.recv(4096) == b"" and time.monotonic() - start < 5
        # an idle keep-alive connection is closed too
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            start = time.monotonic()
            assert idle.recv(4096) == b"" and time.monotonic() - start < 5
        # 50 MB declared: refused from the header, before a byte of the body is read
        huge = requests.post(f"{base}/predict", data=b"[" + b" " * 50_000_000 + b"]", timeout=60)
        assert huge.status_code == 413
        assert requests.get(f"{base}/ping", timeout=5).json() == {"ping": "pong"}
        assert rss_mib(server.pid) - before < 20


def rss_mib(pid: int) -> float:
    """A process's resident memory, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def test_the_tables_of_the_last_build_are_served_as_json(client, built_board):
    """``/tables`` lists every table pin at the version the last build names; ``/tables/<pin>``
    pages through its rows (the full tidy table too), as pins reads them."""
    import pins

    board = pins.board_folder(str(built_board))
    manifest = board.pin_read("build_manifest")
    listed = client.get("/tables").json()["tables"]
    names = [t["name"] for t in listed]
    assert "penguins" in names and "overview" in names and "penguin_model" not in names
    overview = next(t for t in listed if t["name"] == "overview")
    assert overview["version"] == manifest["pins"]["overview"] and overview["url"] == "/tables/overview"
    assert overview["rows"] == len(board.pin_read("overview"))

    counts = client.get("/tables/species_island_year_counts", params={"limit": 1000}).json()
    expected = board.pin_read("species_island_year_counts", version=manifest["pins"]["species_island_year_counts"])
    assert counts["rows"] == len(expected) == len(counts["records"])
    assert [r["penguins"] for r in counts["records"]] == expected["penguins"].tolist()
    assert [c["name"] for c in counts["columns"]] == list(expected.columns)

    tail = client.get("/tables/penguins", params={"limit": 10, "offset": 340}).json()
    assert tail["rows"] == 344 and len(tail["records"]) == 4 and tail["offset"] == 340
    assert any(r["sex"] is None for r in client.get("/tables/penguins", params={"limit": 20}).json()["records"])


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/tables/penguin_model", 404, "no table 'penguin_model' in the last build; the tables are: bill_trends"),
        ("/tables/overview?limit=0", 422, "greater than or equal to 1"),
        ("/tables/overview?limit=1001", 422, "less than or equal to 1000"),
        ("/tables/overview?offset=-1", 422, "greater than or equal to 0"),
    ],
)
def test_a_bad_table_request_says_what_is_wrong(client, path, status, says):
    response = client.get(path)
    assert response.status_code == status and says in response.text
