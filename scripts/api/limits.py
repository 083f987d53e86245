"""The API's limits on a request: body size and time, and a JSON body that cannot be parsed, as problems."""

from __future__ import annotations

from scripts.errors import first_line


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
