"""A lean ASGI layer for the two gateway routes, ahead of FastAPI's routing.

``POST /v1/decide`` and ``/v1/ext_authz[/...]`` are the only routes called thousands of
times a second. This middleware answers them directly from the ASGI scope (header dict,
body bytes, the same authentication, parsing, decision and error shapes as the FastAPI
routes, whose functions it calls), skipping FastAPI's per-request dependency and body
machinery, which costs more than the decision itself. The FastAPI routes stay: they are
the OpenAPI documentation and the path taken when ``fast_path`` is off. Everything else
passes through untouched.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from ringfence.exc import RingfenceError
from ringfence.service.auth import bearer, check_async
from ringfence.service.errors import error_body, validation_body
from ringfence.service.routes_decide import decide_bytes, ext_authz_answer
from ringfence.service.runtime import Runtime

__all__ = ["FastPath"]

log = structlog.get_logger("ringfence.service")
MAX_BODY = 64 * 1024


class FastPath:
    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.rt = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/v1/decide" and scope["method"] == "POST":
                await self._decide(scope, receive, send)
                return
            if path == "/v1/ext_authz" or path.startswith("/v1/ext_authz/"):
                await self._ext_authz(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _headers(scope: Scope) -> dict[str, str]:
        return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}

    async def _decide(self, scope: Scope, receive: Receive, send: Send) -> None:
        h = self._headers(scope)
        try:
            await check_async(self.rt, bearer(h.get("authorization")), ("gateway",))
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if len(body) > MAX_BODY:
                    await _send(send, 413, {}, _json(error_body(
                        "bad_input", f"body larger than {MAX_BODY} bytes", {"field": "body"})))
                    return
                if not message.get("more_body", False):
                    break
            out = await decide_bytes(self.rt, body)
            await _send(send, 200, {"content-type": "application/json"}, out)
        except RingfenceError as err:
            extra = {"www-authenticate": "Bearer"} if err.http_status == 401 else {}
            await _send(send, err.http_status, extra,
                        _json(error_body(err.code, err.message, err.details)))
        except RequestValidationError as err:
            await _send(send, 422, {}, _json(validation_body(err)))
        except Exception:
            log.exception("unhandled error", path=scope["path"])
            await _send(send, 500, {}, _json(error_body("internal", "internal error")))

    async def _ext_authz(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            status, headers, body = await ext_authz_answer(self.rt, self._headers(scope))
        except Exception:
            log.exception("unhandled error", path=scope["path"])
            status, headers = 500, {}
            body = _json(error_body("internal", "internal error"))
        await _send(send, status, headers, body)


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


async def _send(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if "content-type" not in headers:
        raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
