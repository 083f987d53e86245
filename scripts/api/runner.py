"""Running the API: listening sockets, one uvicorn server, or worker processes sharing a port."""

from __future__ import annotations

import socket

from scripts import config


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
    from scripts.api.app import create_app

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
