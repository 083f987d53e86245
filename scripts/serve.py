"""Serve predictions from the pinned model: a vetiver API on FastAPI.

    uv run python -m scripts.serve [--host 127.0.0.1] [--port 8080] [--model-version V] [--workers N]

Loads the newest ``penguin_model`` version (or ``--model-version``) from the
board in ``REPORT_BOARD`` and serves ``/predict``, ``/ping``, ``/metadata``,
``/prototype`` and the interactive docs at ``/docs``. Input is checked against
the model's prototype: a bad row gets 422 naming the field, never a 5xx.
"""

from __future__ import annotations

import argparse
import socket
import sys

import numpy as np

from scripts import config
from scripts.build import MODEL_PIN
from scripts.errors import BoardError, BuildError, first_line

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def load_model(location: str, version: str | None = None):
    """The pinned VetiverModel, or a ``BoardError`` that says how to get one."""
    import vetiver

    from scripts.board import open_board

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
        ) from None


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
    except Exception:  # any failure means: keep the pipeline
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


class DomainCheck:
    """Each value of a request outside the model's input domain, as FastAPI errors.

    ``domain`` is the ``input_domain`` the build pinned with the model: a
    plausible range for each number, the known values of each category. Calling
    the check on a request's frame returns errors in FastAPI's shape (``loc``,
    ``msg``, ``type``, ``input``), by row; an empty list when every row is fine.
    The messages are made once here: a one-row request costs a few microseconds.
    """

    def __init__(self, domain: dict):
        self.ranges, self.known, self.messages = {}, {}, {}
        for name, allowed in domain.items():
            if "values" in allowed:
                self.known[name] = frozenset(allowed["values"])
                self.messages[name] = "Input should be one of " + ", ".join(repr(v) for v in allowed["values"])
            else:
                self.ranges[name] = (allowed["min"], allowed["max"])
                unit = f" {allowed['unit']}" if allowed.get("unit") else ""
                self.messages[name] = (
                    f"Input should be from {allowed['min']} to {allowed['max']}{unit}, a plausible penguin"
                )

    def __call__(self, frame) -> list[dict]:
        values = frame.to_numpy(dtype=object)
        errors = []
        for j, name in enumerate(frame.columns):
            column = values[:, j]
            if name in self.known:
                known = self.known[name]
                bad = [i for i, value in enumerate(column) if value not in known]
                kind = "enum"
            elif name in self.ranges:
                low, high = self.ranges[name]
                numbers = column.astype(float)
                bad = np.flatnonzero(~((numbers >= low) & (numbers <= high)))  # NaN is out too
                kind = "range"
            else:
                continue
            for i in bad:
                value = column[i]
                value = value.item() if hasattr(value, "item") else value  # numpy scalars are not JSON
                if kind == "range" and not np.isfinite(float(value)):
                    value = None  # JSON has no NaN or infinity
                errors.append({"type": kind, "loc": ["body", int(i), name], "msg": self.messages[name], "input": value})
        return sorted(errors, key=lambda error: error["loc"][1])  # by row, then in the row's field order


def guard_domain(model) -> bool:
    """Answer 422 for rows outside the model's input domain, before predicting.

    A linear model extrapolates anything (a flipper of a kilometre gets tonnes
    of penguin) and unknown categories are silently ignored by the encoder, so
    such rows are refused with a message naming the row, the field and what is
    allowed. Models pinned before the domain was recorded are served unguarded.
    Returns whether the guard is in place.
    """
    import pandas as pd
    from fastapi import HTTPException

    domain = (model.metadata.user or {}).get("input_domain")
    if not domain:
        return False
    predict = model.handler_predict
    check = DomainCheck(domain)

    def handler_predict(input_data, check_prototype):
        if isinstance(input_data, pd.DataFrame):
            errors = check(input_data)
            if errors:
                raise HTTPException(status_code=422, detail=errors)
        return predict(input_data, check_prototype)

    model.handler_predict = handler_predict
    return True


def create_app(location: str | None = None, version: str | None = None):
    """The FastAPI app of the vetiver API for the pinned model."""
    import vetiver
    from fastapi.exception_handlers import request_validation_exception_handler
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    model = load_model(location or config.get_board(), version)
    use_row_predictor(model)
    guarded = guard_domain(model)
    api = vetiver.VetiverAPI(model, check_prototype=True)
    # vetiver answers a malformed row in plain text with its own source lines in
    # it; FastAPI's JSON errors say the same (row, field, problem) and nothing more.
    api.app.add_exception_handler(RequestValidationError, request_validation_exception_handler)

    async def unusable_input(request, exc: Exception):
        # Input that passed the prototype check but that the model cannot use,
        # e.g. an empty list of rows: the client's fault, so 422, not a 5xx.
        if request.url.path != "/predict":
            return JSONResponse(status_code=500, content={"detail": "internal error"})
        return JSONResponse(
            status_code=422,
            content={"detail": "cannot predict from this input: send a JSON list of one or more rows"},
        )

    for error in (ValueError, TypeError):
        api.app.add_exception_handler(error, unusable_input)
    api.app.title = "Palmer penguins body-mass API"
    api.app.state.model_version = model.metadata.version
    api.app.state.guarded = guarded
    return api.app


def listen(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A listening TCP socket; with ``shared``, one that worker processes share.

    Made with ``IPPROTO_TCP`` explicitly: asyncio turns Nagle's algorithm off
    (TCP_NODELAY) only on connections from such a socket. uvicorn's own
    ``--workers`` hands its workers a socket without it, which adds a ~40 ms
    delayed-ACK stall to every keep-alive request after the first. ``shared``
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
    """Serve ``app`` with uvicorn on a ``listen`` socket until stopped."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


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
    parser = argparse.ArgumentParser(
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
