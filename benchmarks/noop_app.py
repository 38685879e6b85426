"""The decision service with one extra route for the HTTP benchmark's baseline.

``POST /v1/noop`` is a FastAPI endpoint that does nothing: the same server, middleware and
uvicorn worker as ``/v1/decide``, so the ratio of the two measures the decision's own cost.
It lives here, not in the production app. ``benchmarks/decide.py`` runs
``uvicorn --factory noop_app:create_app --app-dir benchmarks``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

from ringfence.service import configure_logging
from ringfence.service import create_app as create_service


def create_app() -> FastAPI:
    configure_logging()
    app = create_service()

    @app.post("/v1/noop", include_in_schema=False)
    async def noop() -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    return app
