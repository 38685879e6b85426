"""The request body limit, for every route, enforced in one place.

:class:`BodyLimit` is the outermost ASGI layer of the app. It reads the request body
before anything else sees it and answers 413 ``too_large`` (the error shape of
``errors.py``) as soon as the body passes the route's limit: at once when the declared
``content-length`` is over it, or when the streamed bytes pass it (chunked uploads, a
false ``content-length``). The body is then handed on, already read, to the gateway's lean
path and to FastAPI alike, so no handler can read past the limit.

=====================================  =========
route                                  limit
=====================================  =========
every route (the decision paths too)   64 KiB
bulk uploads (:data:`BULK_PATHS`,       16 MiB
``/v1/channels/{id}/end-customers``)
=====================================  =========
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ringfence.service.errors import PayloadTooLargeError, error_answer

__all__ = ["BULK_LIMIT", "BULK_PATHS", "DEFAULT_LIMIT", "BodyLimit"]

DEFAULT_LIMIT = 64 * 1024
BULK_LIMIT = 16 * 1024 * 1024
# routes that take many records in one body (JSON lines): the detectors' findings
BULK_PATHS: Mapping[str, int] = {"/v1/findings": BULK_LIMIT}
# ... and an intermediary's end customers (up to 10,000 per call)
_BULK_PATTERN = re.compile(r"^/v1/channels/[^/]+/end-customers$")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default: int = DEFAULT_LIMIT,
                 per_path: Mapping[str, int] = BULK_PATHS) -> None:
        self.app = app
        self.default = default
        self.per_path = dict(per_path)

    def limit_for(self, path: str) -> int:
        p = path.rstrip("/") or "/"
        if p in self.per_path:
            return self.per_path[p]
        return BULK_LIMIT if _BULK_PATTERN.match(p) else self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    status, headers, body = error_answer(PayloadTooLargeError(
        f"the request body is larger than this route's limit of {limit} bytes",
        details={"field": "body", "limit_bytes": limit}))
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw += [(b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
