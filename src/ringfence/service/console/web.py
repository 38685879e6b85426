"""What every console page shares: the templates, the session cookie, the role checks
and CSRF.

* Templates are Jinja2 with autoescaping on for every template; ``finalize`` also makes
  control, bidirectional-override and zero-width characters visible (``⟨U+202E⟩``), so a
  name an applicant typed renders as the text it is.
* The session cookie (:data:`COOKIE`) is HttpOnly, SameSite=Lax, ``Secure`` when the
  request came over TLS, and carries only a random secret; :func:`viewer` reads the
  session and its token's role from the database on every request.
* Every POST checks the session's CSRF token (form field ``csrf`` or the ``X-CSRF-Token``
  header htmx sends) before anything runs: :func:`viewer` does it for unsafe methods.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader
from pydantic import BaseModel, ValidationError
from starlette.templating import Jinja2Templates

from ringfence.exc import InputError, PermissionDeniedError
from ringfence.service.auth import runtime_of
from ringfence.service.errors import AuthenticationError
from ringfence.service.sessions import Session, csrf_ok, session_of

__all__ = [
    "COOKIE",
    "CSP",
    "checked",
    "client_of",
    "page",
    "render",
    "set_session_cookie",
    "viewer",
]

COOKIE = "rf_console"
M = TypeVar("M", bound=BaseModel)
# No inline script or style anywhere: htmx and the console's script come from /console/static
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2069\ufeff]")


def _visible(value: Any) -> Any:
    if isinstance(value, str) and _INVISIBLE.search(value):
        return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", value)
    return value


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.4g}%"


_ENV = Environment(loader=PackageLoader("ringfence.service", "templates"), autoescape=True,
                   finalize=_visible, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["pct"] = _pct
templates = Jinja2Templates(env=_ENV)


def checked(model: type[M], data: dict[str, Any]) -> M:
    """A form checked by the API's own request model (the same limits and patterns as the
    JSON routes); InputError naming each field otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
                    for e in err.errors()]
        fields = ", ".join(p["field"] for p in problems)
        raise InputError(f"invalid form: {fields}", details={"problems": problems}) from None


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def render(request: Request, name: str, context: dict[str, Any], *,
           status_code: int = 200, session: Session | None = None) -> HTMLResponse:
    """A template with the signed-in session (for the header, the role, CSRF)."""
    ctx = {"session": session or getattr(request.state, "console_session", None), **context}
    resp = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    resp.headers["content-security-policy"] = CSP
    resp.headers["x-content-type-options"] = "nosniff"
    resp.headers["referrer-policy"] = "same-origin"
    resp.headers["cache-control"] = "no-store"
    return resp


def page(request: Request, name: str, **context: Any) -> HTMLResponse:
    return render(request, name, context)


def set_session_cookie(request: Request, response: Response, secret: str, *,
                       max_age: int) -> None:
    response.set_cookie(COOKIE, secret, max_age=max_age, path="/console", httponly=True,
                        secure=request.url.scheme == "https", samesite="lax")


async def _csrf_of(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf")
        return value if isinstance(value, str) else None
    return None


def viewer(*roles: str) -> Callable[[Request], Awaitable[Session]]:
    """A dependency: the request's console session, whose token has one of ``roles``; on a
    POST also its CSRF token. 401 (the page offers sign-in) without a live session, 403
    for another role or a missing or wrong CSRF token."""

    async def dependency(request: Request) -> Session:
        rt = runtime_of(request)
        from starlette.concurrency import run_in_threadpool

        session = await run_in_threadpool(session_of, rt, request.cookies.get(COOKIE))
        if session is None:
            raise AuthenticationError("sign in to the console first")
        request.state.console_session = session
        if request.method not in ("GET", "HEAD") and not csrf_ok(session,
                                                                 await _csrf_of(request)):
            raise PermissionDeniedError("this form's CSRF token is missing or wrong; reload "
                                        "the page and try again", details={"field": "csrf"})
        if session.role not in roles:
            raise PermissionDeniedError(
                f"role {session.role!r} may not do this; needs {' or '.join(roles)}",
                details={"role": session.role, "allowed": list(roles)})
        return session

    dependency.__name__ = f"console_{'_'.join(roles)}"
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency
