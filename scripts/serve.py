"""Serve predictions from the pinned model: a vetiver API on FastAPI.

    uv run python -m scripts.serve [--host 127.0.0.1] [--port 8080] [--model-version V] [--workers N]

Loads the newest ``penguin_model`` version (or ``--model-version``) from the
board in ``REPORT_BOARD`` and serves ``/predict``, ``/ping``, ``/metadata``,
``/prototype``, the tables of the last build (``/tables``, ``/tables/<pin>``:
``scripts/api/tables.py``) and the interactive docs at ``/docs``. Input is checked against
the model's prototype: a bad row gets 422 naming the field, never a 5xx.
"""

from __future__ import annotations

import argparse
import sys

from scripts import cli, config
from scripts.api.app import create_app
from scripts.api.runner import listen, serve, serve_workers
from scripts.errors import BuildError
from scripts.names import MODEL_PIN

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


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
