"""A lean ASGI layer for the two gateway routes, ahead of FastAPI's routing.

``POST /v1/decide`` and ``/v1/ext_authz[/...]`` are the only routes called thousands of
times a second. This middleware answers them directly from the ASGI scope (header dict,
body bytes, the same authentication, parsing, decision and error shapes as the FastAPI
routes, whose functions it calls), skipping FastAPI's per-request dependency and body
machinery, which costs more than the decision itself. The FastAPI routes stay: they are
the OpenAPI documentation and the path taken when ``fast_path`` is off. Everything else
passes through untouched. The body limit is enforced before this layer (``limits.py``) and
errors are answered through the one mapping (``errors.error_answer``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ringfence.service.auth import bearer, check_async
from ringfence.service.errors import error_answer
from ringfence.service.routes_decide import decide_bytes, ext_authz_answer
from ringfence.service.runtime import Runtime

__all__ = ["FastPath"]


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
            chunks = []
            while True:  # already read whole, and within its limit, by limits.BodyLimit
                message = await receive()
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            out = await decide_bytes(self.rt, b"".join(chunks))
            await _send(send, 200, {"content-type": "application/json"}, out)
        except Exception as err:
            await _send(send, *error_answer(err))

    async def _ext_authz(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            answer = await ext_authz_answer(self.rt, self._headers(scope))
        except Exception as err:
            answer = error_answer(err)
        await _send(send, *answer)


async def _send(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if "content-type" not in headers:
        raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
