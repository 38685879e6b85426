"""The error tree mapped to HTTP: the one place it happens.

Every :class:`ringfence.exc.RingfenceError` answers with its own ``http_status`` and a body
``{"error": {"code", "message", "details"}}``. Request validation failures answer 422 with
``bad_input`` and one problem per field (``details.problems[].field`` is the field's path,
e.g. ``body.context.client_ip``). Anything else is a 500 ``internal`` and is logged.

The service adds two leaves to the tree: :class:`AuthenticationError` (401
``unauthenticated``) under ``PermissionDeniedError``, and :class:`ServiceUnavailableError`
(503 ``unavailable``: the service cannot check what it must check, e.g. the token list is
too old and the database cannot be read, so it refuses rather than guess).
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ringfence.exc import PermissionDeniedError, RingfenceError

__all__ = ["AuthenticationError", "ServiceUnavailableError", "error_body",
           "install_error_handlers", "validation_body"]

log = structlog.get_logger("ringfence.service")


class AuthenticationError(PermissionDeniedError):
    """No bearer token, or one that is not known (as opposed to a known token whose role
    may not do this, which is :class:`PermissionDeniedError`)."""

    code = "unauthenticated"
    http_status = 401


class ServiceUnavailableError(RingfenceError):
    """The service cannot make the check a request needs (fail closed), e.g. the token list
    is older than its bound and cannot be re-read. Retry later."""

    code = "unavailable"
    http_status = 503


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _field(loc: Any) -> str:
    return ".".join(str(p) for p in loc)


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    problems = [{"field": _field(e.get("loc", ())), "reason": str(e.get("msg", ""))}
                for e in exc.errors()]
    fields = ", ".join(p["field"] for p in problems)
    return error_body("bad_input", f"invalid request: {fields}", {"problems": problems})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RingfenceError)
    async def _ringfence(_request: Request, exc: RingfenceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.details),
                            status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc), status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return JSONResponse(error_body("internal", "internal error"), status_code=500)
