"""Serve predictions from the pinned model: a vetiver API on FastAPI.

    uv run python -m scripts.serve [--host 127.0.0.1] [--port 8080] [--model-version V]

Loads the newest ``penguin_model`` version (or ``--model-version``) from the
board in ``REPORT_BOARD`` and serves ``/predict``, ``/ping``, ``/metadata``,
``/prototype`` and the interactive docs at ``/docs``. Input is checked against
the model's prototype: a bad row gets 422 naming the field, never a 5xx.
"""

from __future__ import annotations

import argparse
import sys

from scripts import config
from scripts.build import MODEL_PIN
from scripts.errors import BoardError, BuildError

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
    return vetiver.VetiverModel.from_pin(board, MODEL_PIN, version=version)


def create_app(location: str | None = None, version: str | None = None):
    """The FastAPI app of the vetiver API for the pinned model."""
    import vetiver
    from fastapi.responses import JSONResponse

    model = load_model(location or config.get_board(), version)
    api = vetiver.VetiverAPI(model, check_prototype=True)

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
    return api.app


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.serve", description="Serve body-mass predictions from the pinned model."
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--board", help=f"board location (default: ${config.ENV_BOARD}, else {config.DEFAULT_BOARD})")
    parser.add_argument("--model-version", help=f"serve this version of {MODEL_PIN!r} instead of the newest")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        app = create_app(args.board, args.model_version)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    import uvicorn

    print(f"serving {MODEL_PIN} on http://{args.host}:{args.port} (docs at /docs)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
