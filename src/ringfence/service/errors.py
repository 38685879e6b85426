"""Every error becomes HTTP here, and only here: :func:`to_response`.

The FastAPI exception handlers, the lean gateway path (``fastpath.py``), Envoy's ext_authz
answers and the body limit (``limits.py``) all call :func:`error_answer` /
:func:`to_response`, so every error, 4xx or 5xx, has one shape::

    {"error": {"code": "...", "message": "...", "details": {...}}}

=======================================  ======  ===============================
what was raised                          status  code
=======================================  ======  ===============================
:class:`ringfence.exc.RingfenceError`    its own its own (``exc.py`` draws the tree)
request validation (pydantic, FastAPI)   422     ``bad_input``, one problem per field
body not JSON / not UTF-8                422     ``bad_input``, field ``body``
body over the route's limit              413     ``too_large``
the database cannot be reached           503     ``unavailable`` (``retry-after: 1``)
no such route / method                   404/405 ``not_found`` / ``method_not_allowed``
anything else                            500     ``internal`` (logged, no detail leaked)
=======================================  ======  ===============================

A validation problem names the field by its path (``details.problems[].field``, e.g.
``body.context.client_ip``; a body that is not JSON at all is ``body``, with the position
in the reason).

The service's own leaves are declared in ``exc.py`` with the rest of the tree (and
re-exported here): :class:`AuthenticationError` (401
``unauthenticated``) under ``PermissionDeniedError``; :class:`ServiceUnavailableError`
(503 ``unavailable``: the service cannot check what it must check, e.g. the token list is
too old and the database cannot be read, so it refuses rather than guess) and its child
:class:`NotReadyError` (503 ``not_ready``: no snapshot is loaded yet, as ``/readyz``
says); :class:`PayloadTooLargeError` (413 ``too_large``) under ``InputError``; and
:class:`RateLimitedError` (429 ``rate_limited``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from ringfence.exc import (
    AuthenticationError,
    InputError,
    NotReadyError,
    PayloadTooLargeError,
    RateLimitedError,
    RingfenceError,
    ServiceUnavailableError,
)

__all__ = ["Answer", "AuthenticationError", "NotReadyError", "PayloadTooLargeError",
           "RateLimitedError",
           "ServiceUnavailableError", "error_answer", "error_body", "install_error_handlers",
           "to_response"]

log = structlog.get_logger("ringfence.service")

Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


_HTTP_CODES = {400: "bad_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large",
               415: "unsupported_media_type", 422: "bad_input", 503: "unavailable"}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _field(loc: Any) -> str:
    return ".".join(str(p) for p in loc)


def _problem(e: Any) -> dict[str, str]:
    if e.get("type") == "json_invalid":
        # FastAPI puts the character offset in the location ("body.9"); pydantic puts
        # nothing. Either way it is the body that is not JSON; say where in the reason.
        loc = tuple(e.get("loc", ()))
        where = f" at position {loc[1]}" if len(loc) > 1 else ""
        why = (e.get("ctx") or {}).get("error") or e.get("msg", "")
        return {"field": "body", "reason": f"not valid JSON{where}: {why}"}
    return {"field": _field(e.get("loc", ())), "reason": str(e.get("msg", ""))}


def _validation(exc: RequestValidationError) -> tuple[int, dict[str, Any]]:
    problems = [_problem(e) for e in exc.errors()]
    fields = ", ".join(dict.fromkeys(p["field"] for p in problems))
    return 422, error_body("bad_input", f"invalid request: {fields}", {"problems": problems})


def _body_problem(cause: BaseException) -> RingfenceError:
    if isinstance(cause, UnicodeDecodeError):
        why = f"not valid UTF-8 (byte {cause.object[cause.start]:#04x} at position {cause.start})"
    else:
        why = "could not be read"
    return InputError(f"invalid request: body {why}",
                      details={"problems": [{"field": "body", "reason": why}]})


def _classify(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]]:
    if isinstance(exc, HTTPException):
        cause = exc.__cause__
        if isinstance(cause, RingfenceError | RequestValidationError):
            return _classify(cause)
        if exc.status_code == 400 and cause is not None:  # FastAPI could not parse the body
            return _classify(_body_problem(cause))
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return exc.status_code, error_body(code, str(exc.detail)), dict(exc.headers or {})
    if isinstance(exc, RingfenceError):
        headers = {"www-authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else {}
        return exc.http_status, error_body(exc.code, exc.message, exc.details), headers
    if isinstance(exc, RequestValidationError):
        status, body = _validation(exc)
        return status, body, {}
    if isinstance(exc, OperationalError | InterfaceError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        log.error("database unavailable", error=f"{type(exc).__name__}: {exc}".splitlines()[0])
        return 503, error_body("unavailable", "the database cannot be reached; retry"), {
            "retry-after": "1"}
    log.error("unhandled error", exc_info=exc)
    return 500, error_body("internal", "internal error"), {}


def error_answer(exc: BaseException) -> Answer:
    """The one mapping from an exception to an HTTP answer (status, headers, JSON body)."""
    status, body, headers = _classify(exc)
    return status, {**headers, "content-type": "application/json"}, json.dumps(body).encode()


def to_response(exc: BaseException) -> Response:
    status, headers, body = error_answer(exc)
    return Response(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI, *, pages: Callable[[Request, int, bytes],
                                                            Response | None] | None = None
                           ) -> None:
    """Route every exception FastAPI catches through :func:`to_response`; ``pages`` may
    render the same answer as an HTML page instead (the console's paths; it returns None
    for any other path)."""

    async def handler(request: Request, exc: Exception) -> Response:
        if pages is not None:
            status, _headers, body = error_answer(exc)
            page = pages(request, status, body)
            if page is not None:
                return page
        return to_response(exc)

    for kind in (RingfenceError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handler)
