"""Sign-in and sign-out (``/console/login``, ``/console/logout``).

The sign-in form is protected against login CSRF by a double-submit token: a random value
in a short-lived HttpOnly cookie and in the form, compared on POST.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ringfence.exc import RingfenceError
from ringfence.service import sessions
from ringfence.service.auth import runtime_of
from ringfence.service.console.web import COOKIE, client_of, render, set_session_cookie, viewer
from ringfence.service.sessions import CONSOLE_ROLES, Session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "rf_login_csrf"
Anyone = Annotated[Session, Depends(viewer(*CONSOLE_ROLES))]


def _safe_next(value: str | None) -> str:
    """Only a console path: never another site (``//host``) or a scheme."""
    if value and value.startswith("/console") and not value.startswith("/console/login") \
            and "//" not in value and "\\" not in value:
        return value
    return "/console"


def _login_page(request: Request, *, error: str | None = None, status_code: int = 200,
                next_: str = "/console") -> Response:
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", {"title": "Sign in", "login_csrf": token,
                                          "next": _safe_next(next_), "error": error},
                  status_code=status_code)
    resp.set_cookie(LOGIN_CSRF, token, max_age=1800, path="/console/login", httponly=True,
                    secure=request.url.scheme == "https", samesite="strict")
    return resp


@router.get("/console/login")
def login_form(request: Request, next: str = "/console") -> Response:
    """The form, also when signed in (signing in again replaces the session)."""
    return _login_page(request, next_=next)


@router.post("/console/login")
def login(request: Request, token: Annotated[str, Form(max_length=400)] = "",
          csrf: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/console") -> Response:
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_page(request, error="The sign-in form expired (CSRF token missing or "
                           "wrong); try again.", status_code=403, next_=next)
    rt = runtime_of(request)
    try:
        new = sessions.sign_in(rt, secret=token, client=client_of(request))
    except RingfenceError as err:
        return _login_page(request, error=err.message, status_code=err.http_status,
                           next_=next)
    previous = sessions.session_of(rt, request.cookies.get(COOKIE))
    if previous is not None:  # one session per browser: the one it replaces ends
        sessions.sign_out(rt, previous)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, resp, new.secret, max_age=rt.settings.console_session_seconds)
    resp.delete_cookie(LOGIN_CSRF, path="/console/login")
    return resp


@router.post("/console/logout")
def logout(request: Request, who: Anyone) -> Response:
    sessions.sign_out(runtime_of(request), who)
    resp = RedirectResponse("/console/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/console")
    return resp
