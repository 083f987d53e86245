"""Benchmark (not a test): single-row latency and throughput of the prediction API.

    uv run python benchmarks/api_latency.py [--board B] [--requests 2000] [--clients 4] [--workers 1] [--pipeline]

Serves the model on the board (``--board``, default ``REPORT_BOARD``, else
``data/board``: build it first with ``uv run python -m scripts.build``) with
``scripts.serve`` on a free loopback port, sends single-row /predict requests
one at a time (latency: p50, p95, p99) and then from several clients at once
(requests per second), and prints the figures. ``--pipeline`` serves through
the scikit-learn pipeline instead of ``api.model.RowPredictor``, to measure what the
lean path saves. Targets: p50 <= 10 ms, >= 300 requests/s on 2 cores.
Traffic goes to 127.0.0.1 only; the request count bounds the run.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: benchmarks/ is not a package on the path yet
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set
from scripts import config  # noqa: E402

# The server with RowPredictor switched off: the pipeline answers every request.
THROUGH_PIPELINE = (
    "import sys; from scripts import serve; from scripts.api import app; app.use_row_predictor = lambda model: False; "
    "sys.exit(serve.main(sys.argv[1:]))"
)

ROW = [
    {
        "bill_length_mm": 45.0,
        "bill_depth_mm": 15.0,
        "flipper_length_mm": 220.0,
        "species": "Gentoo",
        "island": "Biscoe",
        "sex": "male",
    }
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=positive(), default=2000)
    parser.add_argument("--clients", type=positive(), default=4)
    parser.add_argument(
        "--workers", type=positive(), default=1, help="server worker processes (scripts.serve --workers)"
    )
    parser.add_argument("--board", help=f"the board with the model (default: ${config.ENV_BOARD}, else data/board)")
    parser.add_argument(
        "--pipeline", action="store_true", help="serve through the pipeline, not RowPredictor (one worker)"
    )
    args = parser.parse_args()
    board = args.board or config.get_board()
    port = free_port()
    launcher = ["-c", THROUGH_PIPELINE] if args.pipeline else ["-m", "scripts.serve"]
    server = subprocess.Popen(
        [
            *(sys.executable, *launcher, "--board", str(board)),
            *("--port", str(port), "--workers", str(args.workers)),
        ],
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}/predict"
    try:
        for _ in range(300):
            if server.poll() is not None:
                sys.exit(f"the server stopped (exit {server.returncode}); is there a model on the board {board}?")
            try:
                requests.get(url.replace("predict", "ping"), timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        session = requests.Session()
        for _ in range(50):  # warm up
            session.post(url, json=ROW).raise_for_status()
        latencies = []
        for _ in range(args.requests):
            start = time.perf_counter()
            session.post(url, json=ROW).raise_for_status()
            latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        p = lambda q: latencies[int(q * (len(latencies) - 1))]  # noqa: E731
        path = "the pipeline" if args.pipeline else "RowPredictor"
        print(
            f"{path}, single-row latency, {args.requests} sequential requests: "
            f"p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms (target p50 <= 10 ms)"
        )

        per_client = args.requests // args.clients

        def client() -> None:
            own = requests.Session()
            for _ in range(per_client):
                own.post(url, json=ROW).raise_for_status()

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - start
        total = per_client * args.clients
        print(
            f"throughput, {args.clients} clients x {per_client} requests: "
            f"{total / seconds:.0f} requests/s (target >= 300; client and server share the 2 cores)"
        )
        # each client sends its requests one after another: its mean wait per request
        print(f"mean latency under load: {seconds / per_client * 1000:.1f} ms per request")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
