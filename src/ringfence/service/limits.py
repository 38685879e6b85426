"""The request body limit, for every route, enforced in one place.

:class:`BodyLimit` is the outermost ASGI layer of the app. A request whose declared
``content-length`` is over its route's limit is answered 413 ``too_large`` at once, before
any of its body is read. Otherwise every chunk the app reads passes through a counter:
the read that takes the body past the limit (a chunked upload, a false
``content-length``) raises :class:`~ringfence.service.errors.PayloadTooLargeError`, which
the one error mapping turns into the same 413 whichever layer was reading (the gateway's
lean path or FastAPI). Nothing is buffered here: a decision pays one header scan and one
counter.

=====================================  ====================================
route                                  limit
=====================================  ====================================
every route (the decision paths too)   64 KiB
=======
bulk uploads: ``POST /v1/findings``    16 MiB (``RINGFENCE_FINDINGS_MAX_BYTES``)
``/v1/channels/{id}/end-customers``     16 MiB (10,000 end customers)
=====================================  ====================================

``create_app`` passes the bulk limits from the settings (:data:`BULK_PATHS` holds the
defaults).
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
        size = 0

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                raise _too_large(limit)
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the request body is larger than this route's limit of {limit} bytes",
        details={"field": "body", "limit_bytes": limit})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    status, headers, body = error_answer(_too_large(limit))
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw += [(b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
