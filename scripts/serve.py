"""Serve predictions from the pinned model: a vetiver API on FastAPI.

    uv run python -m scripts.serve [--host 127.0.0.1] [--port 8080] [--model-version V] [--workers N]

Loads the newest ``penguin_model`` version (or ``--model-version``) from the
board in ``REPORT_BOARD`` and serves ``/predict``, ``/ping``, ``/metadata``,
``/prototype``, the tables of the last build (``/tables``, ``/tables/<pin>``:
``scripts/tables_api.py``) and the interactive docs at ``/docs``. Input is checked against
the model's prototype: a bad row gets 422 naming the field, never a 5xx.
"""

from __future__ import annotations

import argparse
import socket
import sys

import numpy as np

from scripts import cli, config
from scripts.errors import BoardError, BuildError, first_line
from scripts.names import MODEL_PIN

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def load_model(location: str, version: str | None = None):
    """The pinned VetiverModel, or a ``BoardError`` that says how to get one."""
    import vetiver

    from scripts.board_read import open_board

    board = open_board(location)
    if not board.pin_exists(MODEL_PIN):
        raise BoardError(
            f"the board {location} has no {MODEL_PIN!r} pin: build it with `uv run python -m scripts.build`"
        )
    if version is not None:
        known = [v.version for v in board.pin_versions(MODEL_PIN, as_df=False)]
        if version not in known:
            raise BoardError(
                f"the board {location} has no version {version!r} of {MODEL_PIN!r}; "
                f"it has: {', '.join(reversed(known))}"
            )
    try:
        return vetiver.VetiverModel.from_pin(board, MODEL_PIN, version=version)
    except Exception as exc:  # a damaged file, or one pickled by other package versions
        which = f"version {version!r}" if version else "the newest version"
        raise BoardError(
            f"cannot load {which} of {MODEL_PIN!r} from the board {location} ({first_line(exc)}): "
            "the file is damaged or was written with other package versions; "
            "rebuild it with `uv run python -m scripts.build --force`, "
            "or serve an older version with --model-version"
        ) from exc


class RowPredictor:
    """The pinned pipeline's predictions without scikit-learn's per-call pandas work.

    For a request of one row, ``Pipeline.predict`` spends most of its ~6 ms in the
    ColumnTransformer and OneHotEncoder handling a DataFrame by column name. This
    does the same arithmetic directly: the numeric columns as they are, then each
    categorical column one-hot encoded against the encoder's fitted categories
    (unknown values give all zeros, as ``handle_unknown="ignore"`` does), and
    hands the matrix to the fitted final estimator. ``for_pipeline`` returns None
    for any other pipeline shape, and ``check`` proves it equal to the pipeline.
    """

    def __init__(self, estimator, numeric: list[str], categorical: list[str], categories: list):
        self.estimator, self.numeric, self.categorical = estimator, numeric, categorical
        self.categories = [np.asarray(c, dtype=object) for c in categories]

    @classmethod
    def for_pipeline(cls, pipeline) -> RowPredictor | None:
        steps = getattr(pipeline, "named_steps", {})
        prepare, estimator = steps.get("prepare"), steps.get("model")
        if prepare is None or estimator is None or len(steps) != 2:
            return None
        numeric, categorical, categories = [], [], []
        declared = {name: transformer for name, transformer, _ in getattr(prepare, "transformers", [])}
        for name, transformer, columns in prepare.transformers_:
            # a fitted "passthrough" is an identity FunctionTransformer: check what was declared
            if name == "num" and isinstance(declared.get(name), str) and declared[name] == "passthrough":
                numeric = list(columns)
            elif name == "cat" and getattr(transformer, "handle_unknown", None) == "ignore":
                if getattr(transformer, "drop_idx_", None) is not None:
                    return None
                categorical, categories = list(columns), list(transformer.categories_)
            elif not (isinstance(transformer, str) and transformer == "drop") and len(columns):
                return None
        return cls(estimator, numeric, categorical, categories)

    def predict(self, frame):
        # One conversion of the whole frame, then columns by position: selecting
        # columns by name is most of what pandas costs on a one-row frame.
        position = {name: i for i, name in enumerate(frame.columns)}
        values = frame.to_numpy(dtype=object)
        parts = [values[:, [position[c] for c in self.numeric]].astype(float)]
        for column, known in zip(self.categorical, self.categories, strict=True):
            parts.append((values[:, [position[column]]] == known[None, :]).astype(float))
        return self.estimator.predict(np.hstack(parts))

    def check(self, pipeline, frame) -> bool:
        """True when this predicts what ``pipeline`` predicts for every row of ``frame``."""
        return bool(np.allclose(self.predict(frame), pipeline.predict(frame), rtol=1e-9, atol=1e-9))


def use_row_predictor(model) -> bool:
    """Serve ``model`` through ``RowPredictor`` when it provably predicts the same.

    The check runs at start-up on the prototype row, on that row with every known
    category and an unknown one in each categorical column, and with the numbers
    changed; on any difference (or another pipeline shape) the API keeps calling
    the pipeline itself. Returns whether the fast path is in use.
    """
    import pandas as pd

    pipeline = model.model
    fast = RowPredictor.for_pipeline(pipeline)
    if fast is None:
        return False
    fields = list(model.prototype.model_fields)
    example = {
        name: (field.json_schema_extra or {}).get("example") for name, field in model.prototype.model_fields.items()
    }
    rows = [example, {**example, **{c: example[c] * 1.1 for c in fast.numeric}}]
    for column, known in zip(fast.categorical, fast.categories, strict=True):
        rows += [{**example, column: value} for value in known]
        rows.append({**example, column: "not a known value"})
    try:
        same = fast.check(pipeline, pd.DataFrame(rows, columns=fields))
    except (ArithmeticError, AttributeError, IndexError, KeyError, TypeError, ValueError):  # keep the pipeline
        same = False
    if not same:
        return False
    slow = model.handler_predict

    def handler_predict(input_data, check_prototype):
        if isinstance(input_data, pd.DataFrame) and len(input_data):
            return fast.predict(input_data).tolist()
        return slow(input_data, check_prototype)

    model.handler_predict = handler_predict
    return True


# One row's fields that the model cannot take as missing, with what to send instead.
UNKNOWN_NOT_ALLOWED = {
    "sex": "sex is unknown: the model learned from sexed penguins only, so send the penguin twice, as "
    "'female' and as 'male', and read the two predictions as the range of its body mass",
}
# How much of a rejected value an error shows back.
SHOWN_INPUT = 80


def input_domain(model) -> dict | None:
    """The input domain the build pinned with the model (None for a model pinned before it was)."""
    return (model.metadata.user or {}).get("input_domain")


def row_model(model, domain: dict | None):
    """The pydantic model of one row: the pinned prototype's fields, with the input domain as rules.

    A number must be finite and within the gate's plausible range of the raw column
    it comes from (``ge``/``le``); a category one the model learned (``Literal``).
    FastAPI then answers a bad row with its own 422 ``detail`` list, and ``/docs``
    and ``/prototype`` show the ranges and the allowed values. Without a domain
    (a model pinned by an older build) the prototype stays as vetiver made it.
    """
    from typing import Literal

    import pydantic
    from pydantic_core import PydanticCustomError

    if not domain:
        return model.prototype
    fields = {}
    for name, field in model.prototype.model_fields.items():
        example = (field.json_schema_extra or {}).get("example")
        allowed = domain.get(name)
        extra = {"examples": [example], "json_schema_extra": {"example": example}}
        if allowed is None:
            fields[name] = (field.annotation, pydantic.Field(**extra))
        elif "values" in allowed:
            values = tuple(allowed["values"])
            hint = UNKNOWN_NOT_ALLOWED.get(name, "")
            fields[name] = (
                Literal[values],
                pydantic.Field(description=f"One of {', '.join(values)}. {hint}".strip(), **extra),
            )
        else:
            unit = f" {allowed['unit']}" if allowed.get("unit") else ""
            fields[name] = (
                float,
                pydantic.Field(
                    ge=allowed["min"],
                    le=allowed["max"],
                    allow_inf_nan=False,
                    description=f"From {allowed['min']} to {allowed['max']}{unit}, a plausible penguin.",
                    **extra,
                ),
            )

    def known(cls, value, info):
        if value is None:
            raise PydanticCustomError("missing_value", UNKNOWN_NOT_ALLOWED[info.field_name])
        return value

    validators = {
        f"{name}_known": pydantic.field_validator(name, mode="before")(known)
        for name in UNKNOWN_NOT_ALLOWED
        if name in fields
    }
    return pydantic.create_model("Penguin", __validators__=validators, **fields)


def shown(errors: list[dict], domain: dict | None) -> list[dict]:
    """FastAPI's validation errors as the API answers them: ``type``, ``loc``, ``msg`` and a
    short ``input`` (never the whole body back; JSON has no NaN or infinity, so those read null).

    >>> error = {"type": "less_than_equal", "loc": ("body", 0, "bill_length_mm"), "input": 700.0, "msg": "…"}
    >>> shown([error], {"bill_length_mm": {"min": 25, "max": 70, "unit": "mm"}})[0]["msg"]
    'Input should be from 25 to 70 mm, a plausible penguin'
    """
    import math

    answer = []
    for error in errors:
        loc = list(error.get("loc", ()))
        msg = str(error.get("msg", ""))
        allowed = (domain or {}).get(loc[-1]) if loc else None
        if allowed and "min" in allowed and error.get("type") in ("greater_than_equal", "less_than_equal"):
            unit = f" {allowed['unit']}" if allowed.get("unit") else ""
            msg = f"Input should be from {allowed['min']} to {allowed['max']}{unit}, a plausible penguin"
        value = error.get("input")
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        elif isinstance(value, bytes | bytearray):
            value = value[:SHOWN_INPUT].decode("utf-8", "replace")
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = None  # a whole row or body: the loc says where
        if isinstance(value, str) and len(value) > SHOWN_INPUT:
            value = value[:SHOWN_INPUT] + "…"
        answer.append({"type": error.get("type", "value_error"), "loc": loc, "msg": msg, "input": value})
    return answer


def problem(status: int, kind: str, msg: str):
    """An error answer in FastAPI's shape: ``{"detail": [{"type", "loc", "msg"}]}``."""
    from fastapi.responses import JSONResponse

    return JSONResponse(status_code=status, content={"detail": [{"type": kind, "loc": ["body"], "msg": msg}]})


def json_problem(body: bytes) -> str | None:
    """What is wrong with a request body that should be JSON, or None.

    >>> json_problem(b'[{"a": 1}]') is None
    True
    >>> json_problem(b"[" * 10000)
    'the body nests JSON arrays or objects too deep'
    >>> json_problem(b'["caf\\xe9"]')
    'the body is not UTF-8 text (byte 5)'
    """
    import json

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8 text (byte {exc.start})"
    try:
        json.loads(text)
    except RecursionError:
        return "the body nests JSON arrays or objects too deep"
    except json.JSONDecodeError as exc:
        return f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except ValueError as exc:  # an integer of thousands of digits
        return f"the body is not valid JSON: {first_line(exc).split(':')[0]}"
    return None


class RequestLimits:
    """ASGI middleware: a request body is read whole, within limits, before the app sees it.

    A ``Content-Length`` over ``max_body_bytes`` is refused at once, and a body
    that grows past it while arriving is refused there (413): memory stays bounded
    whatever a client sends. A body that does not arrive within ``timeout``
    seconds gets 408. A JSON body that does not parse (not UTF-8, malformed,
    nested too deep, a number of thousands of digits) gets 422, before FastAPI
    parses it. Every answer is FastAPI's ``{"detail": [...]}``.
    """

    def __init__(self, app, max_body_bytes: int, timeout: float):
        self.app, self.max_body_bytes, self.timeout = app, max_body_bytes, timeout

    async def __call__(self, scope, receive, send):
        import asyncio

        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        too_big = problem(
            413,
            "body_too_large",
            f"the request body is larger than {self.max_body_bytes:,} bytes (REPORT_API_MAX_BODY_BYTES); "
            "send fewer rows per request",
        )
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return await too_big(scope, receive, send)
        chunks, size = [], 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                late = problem(408, "timeout", f"the request body did not arrive within {self.timeout:g} s")
                return await late(scope, receive, send)
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                return await too_big(scope, receive, send)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if body and (not content_type or "json" in content_type):
            wrong = json_problem(body)
            if wrong:
                return await problem(422, "json_invalid", wrong)(scope, receive, send)
        delivered = False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


def create_app(location: str | None = None, version: str | None = None):
    """The FastAPI app of the vetiver API for the pinned model.

    vetiver's ``VetiverAPI`` gives ``/ping``, ``/metadata``, ``/prototype`` and the
    docs; ``/predict`` is declared here, with the row model of ``row_model`` and
    at most ``REPORT_API_MAX_ROWS`` rows, so FastAPI checks every request before
    the model sees it. ``RequestLimits`` bounds the body.
    """
    from typing import Annotated

    import pydantic
    import vetiver
    from fastapi import Body
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from vetiver.helpers import api_data_to_frame

    limits = config.get_api_limits()
    model = load_model(location or config.get_board(), version)
    use_row_predictor(model)
    domain = input_domain(model)
    model.prototype = row_model(model, domain)  # /prototype shows the rules too
    api = vetiver.VetiverAPI(model, check_prototype=True)
    app = api.app
    app.router.routes = [route for route in app.router.routes if getattr(route, "path", None) != "/predict"]
    app.openapi_schema = None
    rows = Annotated[list[model.prototype], Body(min_length=1, max_length=limits["max_rows"])]

    class Problem(pydantic.BaseModel):
        detail: list[dict]

    def predict(input_data):
        return {"predict": model.handler_predict(api_data_to_frame(input_data), True)}

    # set here, not written in the signature: this module's annotations are strings
    # (from __future__), which FastAPI would look up among the module's globals
    predict.__annotations__["input_data"] = rows
    app.post(
        "/predict",
        summary="Predict body mass (g)",
        description=(
            f"A JSON list of 1 to {limits['max_rows']:,} rows (REPORT_API_MAX_ROWS), at most "
            f"{limits['max_body_bytes']:,} bytes (REPORT_API_MAX_BODY_BYTES). Each row is a penguin's "
            "measurements, species, island and sex, within the ranges and values shown in its schema; "
            'a row outside them gets 422 naming the row and the field. Answers {"predict": [grams, ...]}.'
        ),
        responses={
            408: {"model": Problem, "description": "The body did not arrive in time (REPORT_API_TIMEOUT)."},
            413: {"model": Problem, "description": "The body is larger than REPORT_API_MAX_BODY_BYTES."},
            422: {
                "model": Problem,
                "description": "A row outside the model's domain, too many or no rows, or a body that is not "
                "JSON (not UTF-8, malformed, nested too deep, numbers too long).",
            },
        },
    )(predict)

    async def invalid(request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": shown(exc.errors(), domain)})

    app.add_exception_handler(RequestValidationError, invalid)
    from scripts import tables_api
    from scripts.board_read import open_board

    tables_api.add_routes(app, open_board(location or config.get_board()))
    app.add_middleware(RequestLimits, max_body_bytes=limits["max_body_bytes"], timeout=limits["timeout"])
    app.title = "Palmer penguins body-mass API"
    app.state.model_version = model.metadata.version
    app.state.guarded = bool(domain)
    app.state.timeout = limits["timeout"]
    return app


def listen(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A listening TCP socket; with ``shared``, one that worker processes share.

    Made with ``IPPROTO_TCP`` explicitly: asyncio turns Nagle's algorithm off
    (TCP_NODELAY) only on connections from such a socket. uvicorn's own
    ``--workers`` hands its workers a socket without it, which adds a ~40 ms
    delayed-ACK stall to every keep-alive request after the first (upstream:
    https://github.com/Kludex/uvicorn/issues/3149, fix proposed in pull 3154). ``shared``
    sets SO_REUSEPORT, so the kernel spreads connections over the workers.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(app, sock: socket.socket) -> None:
    """Serve ``app`` with uvicorn on a ``listen`` socket until stopped.

    A client must send a whole request head within the API's timeout
    (``REPORT_API_TIMEOUT``), and an idle keep-alive connection closes after it:
    a few hundred half-sent requests would otherwise hold as many file
    descriptors forever. (The body's own deadline is ``RequestLimits``'.)
    """
    import uvicorn

    timeout = getattr(app.state, "timeout", config.DEFAULT_API_TIMEOUT)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            http=timely_protocol(timeout),
            timeout_keep_alive=max(1, round(timeout)),
        )
    )
    server.run(sockets=[sock])


def timely_protocol(timeout: float):
    """uvicorn's h11 protocol, with a deadline of ``timeout`` seconds for each request head.

    uvicorn times out idle keep-alive connections only, and stops that timer at
    the first byte that arrives, so a client that sends half a request line and
    waits keeps its connection open for ever (a connection that sends nothing at
    all, too: https://github.com/Kludex/uvicorn/pull/1192). Here a timer runs from the
    connection (and from each response) until a whole request head has arrived;
    when it fires first, the connection is closed.
    """
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimelyH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:
            self._head_deadline = None
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._head_deadline is not None and self.conn.their_state is not h11.IDLE:
                self._head_deadline.cancel()  # the request head is complete
                self._head_deadline = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._head_deadline is not None:
                self._head_deadline.cancel()
            self._head_deadline = self.loop.call_later(timeout, self._too_slow)

        def _too_slow(self) -> None:
            self._head_deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return TimelyH11Protocol


def run_worker(host: str, port: int, location: str, version: str) -> None:
    """One worker process: load the model version, serve on its own shared-port socket."""

    serve(create_app(location, version), listen(host, port, shared=True))


def serve_workers(host: str, port: int, location: str, version: str, workers: int) -> int:
    """Run ``workers`` processes on one port; the kernel spreads connections over them."""
    import multiprocessing
    import signal

    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=run_worker, args=(host, port, location, version), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(*_):
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        stop()
        for process in processes:
            process.join()
    failed = [p.exitcode for p in processes if p.exitcode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.ArgumentParser(
        prog="python -m scripts.serve", description="Serve body-mass predictions from the pinned model."
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--board", help=f"board location (default: ${config.ENV_BOARD}, else {config.DEFAULT_BOARD})")
    parser.add_argument("--model-version", help=f"serve this version of {MODEL_PIN!r} instead of the newest")
    parser.add_argument("--workers", type=int, default=1, help="worker processes, e.g. one per core (default 1)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, not {args.workers}")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be from 0 to 65535, not {args.port}")
    if args.workers > 1 and args.port == 0:
        parser.error("--workers needs a fixed --port: the workers share it")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        app = create_app(args.board, args.model_version)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code

    try:
        # Not shared: a port another server already holds is an error, not a join.
        sock = listen(args.host, args.port)
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    version = app.state.model_version
    if not app.state.guarded:
        print(
            f"warning: {MODEL_PIN} version {version} was pinned without an input domain (by an older build), so "
            "rows are checked against its prototype only, not against plausible ranges and known categories; "
            "rebuild it with `uv run python -m scripts.build --force`",
            file=sys.stderr,
        )
    print(f"serving {MODEL_PIN} version {version} on http://{args.host}:{args.port} (docs at /docs)", file=sys.stderr)
    if args.workers > 1:
        sock.close()  # the port was free; the workers now open shared sockets on it
        # Every worker loads the version this process found, even if a build lands meanwhile.
        return serve_workers(args.host, args.port, args.board or config.get_board(), version, args.workers)
    serve(app, sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
