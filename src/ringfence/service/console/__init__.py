"""The analysts' console: server-rendered pages (Jinja2 + htmx, no build step) over the same
application layer as the API (``book``, ``reads``, ``queue``, ``cases``, ``replay``...).

One router per area (``routes_*.py``); ``web.py`` holds what they share (templates,
session, roles, CSRF). :func:`install` mounts the static files (htmx vendored from its npm
package, the stylesheet, a small script) and the routers; :func:`error_page` renders an
error raised on a console path as a page (a GET without a session goes to sign-in). The
user's guide is docs/console.md.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from ringfence.service.console import (
    routes_admin,
    routes_audit,
    routes_auth,
    routes_cases,
    routes_log,
    routes_org,
    routes_policies,
    routes_queue,
    routes_search,
)
from ringfence.service.console.web import render

__all__ = ["error_page", "install"]


def install(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(packages=[("ringfence.service", "static")]),
              name="console-static")
    for module in (routes_auth, routes_queue, routes_org, routes_search, routes_log,
                   routes_cases, routes_policies, routes_audit, routes_admin):
        app.include_router(module.router)


def error_page(request: Request, status: int, body: bytes) -> Response | None:
    """The page for an error on a console path (None elsewhere: the API keeps JSON)."""
    path = request.url.path
    if not path.startswith("/console") or path.startswith("/console/static"):
        return None
    if status == 401 and request.method in ("GET", "HEAD"):
        return RedirectResponse(f"/console/login?next={quote(path)}", status_code=303)
    try:
        err = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        err = {"code": "error", "message": "error"}
    return render(request, "error.html", {"title": "Refused" if status in (401, 403)
                                          else "Error", "status": status,
                                          "code": err.get("code"),
                                          "message": err.get("message")}, status_code=status)
